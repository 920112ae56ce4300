"""Each campaign sets its own targets (Hanoi's by default): on its form, its page, its impact
dashboard and in /api/v1/stats."""

import pytest
from sqlalchemy import select

from app.extensions import db
from scheduling.models import Campaign
from tests.scheduling.test_campaigns import _form


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def test_a_new_campaign_offers_hanois_targets(english, login, coordinator):
    login(coordinator)
    page = english.get("/campaigns/new").get_data(as_text=True)
    for name, value in (
        ("target_online", 80),
        ("target_fully_online", 20),
        ("target_result_electronic", 100),
        ("target_self_done", 2),
    ):
        assert f'name="{name}" required type="number" value="{value}"' in page


def test_a_campaign_keeps_its_own_targets_and_shows_them(english, login, coordinator, bo_de):
    login(coordinator)
    targets = {
        "target_online": "70",
        "target_fully_online": "30",
        "target_result_electronic": "90",
        "target_self_done": "3",
    }
    response = english.post("/campaigns/new", data=_form(communes=[str(bo_de.id)], **targets))
    campaign = db.session.scalar(select(Campaign))
    page = english.get(response.headers["Location"]).get_data(as_text=True)

    assert (
        campaign.target_online,
        campaign.target_fully_online,
        campaign.target_result_electronic,
        campaign.target_self_done,
    ) == (70, 30, 90, 3)
    assert "70% online, 30% fully online, 90% of results electronically, 3 procedures" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("target_online", "101"), ("target_fully_online", "-1"), ("target_self_done", "0")],
)
def test_a_target_out_of_range_is_explained_and_nothing_is_written(
    english, login, coordinator, bo_de, field, value
):
    login(coordinator)
    response = english.post(
        "/campaigns/new", data=_form(communes=[str(bo_de.id)], **{field: value})
    )
    assert response.status_code == 200
    assert "Enter a number from" in response.get_data(as_text=True)
    assert db.session.scalar(select(Campaign)) is None


def test_editing_a_campaign_changes_its_targets(english, login, coordinator, campaign, bo_de):
    login(coordinator)
    response = english.post(
        f"/campaigns/{campaign.id}/edit",
        data=_form(
            name=campaign.name,
            starts_on=campaign.starts_on.isoformat(),
            ends_on=campaign.ends_on.isoformat(),
            communes=[str(c.id) for c in campaign.communes],
            target_online="85",
        ),
    )
    db.session.refresh(campaign)
    assert response.status_code == 302
    assert campaign.target_online == 85


def test_the_dashboard_and_the_api_read_a_campaign_against_its_targets(
    english, login, coordinator, campaign, bearer
):
    campaign.target_online, campaign.target_self_done = 60, 4
    db.session.commit()
    login(coordinator)

    page = english.get(f"/impact?campaign={campaign.id}").get_data(as_text=True)
    stats = english.get(
        f"/api/v1/stats?campaign={campaign.id}", headers=bearer(coordinator)
    ).get_json()
    default = english.get("/api/v1/stats", headers=bearer(coordinator)).get_json()

    assert "60%" in page and "at least 4 procedures" in page
    assert stats["targets"] == {
        "online": 0.6,
        "fully_online": 0.2,
        "result_electronic": 1.0,
        "self_done_per_resident": 4,
    }
    # the campaign so far (issue 15): this one has not started, so its first day only
    assert (stats["from"], stats["to"]) == (
        campaign.starts_on.isoformat(),
        campaign.starts_on.isoformat(),
    )
    assert default["targets"]["online"] == 0.8


def test_a_campaign_outside_the_scope_is_not_found(english, other_coordinator, campaign, bearer):
    response = english.get(
        f"/api/v1/stats?campaign={campaign.id}", headers=bearer(other_coordinator)
    )
    assert response.status_code == 404
