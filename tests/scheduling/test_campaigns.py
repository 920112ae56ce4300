"""The coordinators' campaign pages: create, list, detail, edit, generate shifts, and scope."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.places.models import Commune, ServicePoint
from app.roles import Role
from scheduling.models import Campaign, Shift


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def _form(**overrides):
    data = {
        "name": "45 ngày đêm",
        "starts_on": "2030-01-07",
        "ends_on": "2030-01-13",
        "start_1": "07:30",
        "end_1": "11:30",
        "start_2": "13:30",
        "end_2": "17:30",
        "weekdays": [str(d) for d in range(7)],
        "min_per_shift": "5",
        "max_per_shift": "8",
        "cancel_deadline_hours": "12",
        "weekly_limit": "",
        "target_online": "80",
        "target_fully_online": "20",
        "target_result_electronic": "100",
        "target_self_done": "2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _campaign_count():
    return db.session.scalar(select(func.count()).select_from(Campaign))


def test_new_campaign_form_offers_the_defaults(english, login, coordinator):
    login(coordinator)
    page = english.get("/campaigns/new").get_data(as_text=True)
    assert 'value="07:30"' in page and 'value="11:30"' in page
    assert 'value="13:30"' in page and 'value="17:30"' in page
    assert 'name="min_per_shift" required type="number" value="5"' in page
    assert 'name="max_per_shift" required type="number" value="8"' in page
    assert 'name="cancel_deadline_hours" required type="number" value="12"' in page
    assert page.count('name="weekdays"') == 7 and page.count("checked") >= 7


def test_commune_coordinator_is_offered_only_their_commune(english, login, coordinator, bo_de):
    login(coordinator)
    page = english.get("/campaigns/new").get_data(as_text=True)
    assert page.count('name="communes"') == 1
    assert bo_de.name in page


def test_coordinator_creates_a_campaign_of_their_commune(english, login, coordinator, bo_de):
    login(coordinator)
    response = english.post("/campaigns/new", data=_form(communes=[str(bo_de.id)]))
    campaign = db.session.scalar(select(Campaign))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert campaign.name == "45 ngày đêm"
    assert campaign.province_id == bo_de.province_id
    assert [c.id for c in campaign.communes] == [bo_de.id]
    assert campaign.shift_pattern == [
        {"start": "07:30", "end": "11:30"},
        {"start": "13:30", "end": "17:30"},
    ]
    assert campaign.weekdays == list(range(7))
    assert (campaign.min_per_shift, campaign.max_per_shift) == (5, 8)
    assert campaign.cancel_deadline_hours == 12 and campaign.weekly_limit is None


def test_province_coordinator_takes_all_communes_of_their_scope(
    english, login, province_coordinator, hanoi
):
    login(province_coordinator)
    page = english.get("/campaigns/new").get_data(as_text=True)
    assert page.count('name="communes"') == 126
    english.post("/campaigns/new", data=_form(all_communes="y", weekly_limit="3"))
    campaign = db.session.scalar(select(Campaign))
    assert len(campaign.communes) == 126
    assert {c.province_id for c in campaign.communes} == {hanoi.id}
    assert campaign.weekly_limit == 3


def test_shift_pattern_can_have_up_to_four_rows_and_fewer_weekdays(
    english, login, coordinator, bo_de
):
    login(coordinator)
    english.post(
        "/campaigns/new",
        data=_form(
            communes=[str(bo_de.id)],
            start_1="13:30",
            end_1="17:30",
            start_2="07:00",
            end_2="09:00",
            start_3="18:00",
            end_3="20:00",
            start_4="09:00",
            end_4="11:00",
            weekdays=["0", "2", "4"],
        ),
    )
    campaign = db.session.scalar(select(Campaign))
    assert [row["start"] for row in campaign.shift_pattern] == ["07:00", "09:00", "13:30", "18:00"]
    assert campaign.weekdays == [0, 2, 4]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_1": "07:00"}, "A shift must end after it starts."),
        ({"start_2": "11:00"}, "This shift overlaps another shift of the day."),
        ({"end_2": ""}, "Give both the start and the end of this shift, or neither."),
        (
            {"start_1": "", "end_1": "", "start_2": "", "end_2": ""},
            "Give the times of at least one shift.",
        ),
        ({"ends_on": "2030-01-01"}, "The last day cannot be before the first day."),
        (
            {"min_per_shift": "9"},
            "The maximum cannot be below the minimum volunteers per shift.",
        ),
        ({"min_per_shift": "-1"}, "Enter a number from 0 to 500."),
        ({"weekdays": []}, "Choose at least one day of the week."),
        ({"communes": None}, "Choose at least one commune or ward."),
        ({"name": "  "}, "Enter the name of the campaign."),
        ({"starts_on": "not a date"}, "Not a valid date value."),
        ({"weekly_limit": "0"}, "Enter a number from 1 to 50."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(
    english, login, coordinator, bo_de, overrides, message
):
    login(coordinator)
    response = english.post("/campaigns/new", data=_form(**{"communes": [bo_de.id], **overrides}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _campaign_count() == 0


def test_a_commune_outside_the_scope_cannot_be_posted(
    english, login, coordinator, bo_de, other_commune
):
    login(coordinator)
    response = english.post(
        "/campaigns/new", data=_form(communes=[str(bo_de.id), str(other_commune.id)])
    )
    assert response.status_code == 200
    assert "Choose only communes and wards from the list." in response.get_data(as_text=True)
    assert _campaign_count() == 0


def test_generate_shifts_says_how_many_and_adds_only_what_is_missing(
    english, login, coordinator, make_campaign, service_point
):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 13))
    login(coordinator)
    first = english.post(f"/campaigns/{campaign.id}/generate", follow_redirects=True)
    assert "14 shifts added." in first.get_data(as_text=True)
    assert "14 active shifts" in first.get_data(as_text=True)
    second = english.post(f"/campaigns/{campaign.id}/generate", follow_redirects=True)
    assert "0 shifts added." in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 14


def test_detail_shows_settings_communes_and_counts(
    english, login, coordinator, make_campaign, service_point, bo_de
):
    campaign = make_campaign(weekly_limit=4, weekdays=[0, 1])
    login(coordinator)
    page = english.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    for text in ("45 ngày đêm", bo_de.name, "07:30–11:30", "Monday, Tuesday", "at most 8"):
        assert text in page
    assert "0 active shifts" in page and "0 confirmed" in page


def test_list_shows_the_campaigns_of_the_scope(
    english,
    login,
    coordinator,
    other_coordinator,
    province_coordinator,
    admin,
    make_campaign,
    bo_de,
    other_commune,
):
    mine = make_campaign(name="Chiến dịch Bồ Đề", communes=[bo_de])
    theirs = make_campaign(name="Chiến dịch phường khác", communes=[other_commune])
    shared = make_campaign(name="Chiến dịch chung", communes=[bo_de, other_commune])

    def names(user):
        login(user)
        page = english.get("/campaigns").get_data(as_text=True)
        return {c.name for c in (mine, theirs, shared) if c.name in page}

    assert names(coordinator) == {mine.name, shared.name}
    assert names(other_coordinator) == {theirs.name, shared.name}
    assert names(province_coordinator) == {mine.name, theirs.name, shared.name}
    assert names(admin) == {mine.name, theirs.name, shared.name}


def test_another_communes_coordinator_is_refused_on_every_campaign_url(
    english, login, other_coordinator, campaign
):
    login(other_coordinator)
    assert english.get(f"/campaigns/{campaign.id}").status_code == 404
    assert english.get(f"/campaigns/{campaign.id}/edit").status_code == 404
    assert english.post(f"/campaigns/{campaign.id}/edit", data=_form()).status_code == 404
    assert english.post(f"/campaigns/{campaign.id}/generate").status_code == 404
    assert english.get("/campaigns/999999").status_code == 404
    assert campaign.name not in english.get("/campaigns").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0


def test_a_volunteer_is_refused_on_every_campaign_url(english, login, volunteer, campaign):
    login(volunteer)
    for url in ("/campaigns", "/campaigns/new", f"/campaigns/{campaign.id}"):
        assert english.get(url).status_code == 403
    assert english.get(f"/campaigns/{campaign.id}/edit").status_code == 403
    assert english.post("/campaigns/new", data=_form()).status_code == 403
    assert english.post(f"/campaigns/{campaign.id}/edit", data=_form()).status_code == 403
    assert english.post(f"/campaigns/{campaign.id}/generate").status_code == 403
    assert _campaign_count() == 1


def test_signed_out_visitor_is_sent_to_log_in(english, campaign):
    response = english.get(f"/campaigns/{campaign.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_commune_coordinator_sees_but_cannot_edit_a_campaign_reaching_beyond_their_commune(
    english, login, coordinator, make_campaign, bo_de, other_commune, service_point
):
    shared = make_campaign(communes=[bo_de, other_commune])
    login(coordinator)
    page = english.get(f"/campaigns/{shared.id}").get_data(as_text=True)
    assert shared.name in page and "Generate shifts" not in page
    assert english.get(f"/campaigns/{shared.id}/edit").status_code == 403
    assert english.post(f"/campaigns/{shared.id}/generate").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0


def test_admin_chooses_the_province_first(english, login, admin, hanoi):
    login(admin)
    page = english.get("/campaigns/new").get_data(as_text=True)
    assert "Province or city" in page and 'value="01"' in page
    page = english.get("/campaigns/new?province=01").get_data(as_text=True)
    assert page.count('name="communes"') == 126


def test_coordinator_of_two_provinces_can_only_pick_their_own(
    english, login, make_user, hanoi, coordinator
):
    from app.auth.models import RoleGrant
    from app.places.models import Province

    hue = db.session.scalar(select(Province).where(Province.code != "01").limit(1))
    user = make_user(Role.COORDINATOR, province=hanoi)
    user.grants.append(RoleGrant(role=Role.COORDINATOR, province=hue))
    db.session.flush()
    login(user)
    page = english.get("/campaigns/new").get_data(as_text=True)
    assert page.count("<option") == 2
    other = db.session.scalar(
        select(Province).where(Province.id.not_in([hanoi.id, hue.id])).limit(1)
    )
    # a province outside the scope is not offered: the chooser shows again
    assert "<option" in english.get(f"/campaigns/new?province={other.code}").get_data(as_text=True)


def test_edit_changes_settings_and_reports_the_shifts(
    english, login, coordinator, make_campaign, service_point, bo_de
):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 13))
    login(coordinator)
    english.post(f"/campaigns/{campaign.id}/generate")
    page = english.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="45 ngày đêm"' in page and "checked" in page
    response = english.post(
        f"/campaigns/{campaign.id}/edit",
        data=_form(name="Chiến dịch mới", ends_on="2030-01-20", communes=[str(bo_de.id)]),
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Shifts: 14 added" in text
    db.session.expire_all()
    assert campaign.name == "Chiến dịch mới" and campaign.ends_on == date(2030, 1, 20)
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 28


def test_edit_refuses_a_maximum_below_the_confirmed_count(
    english, login, coordinator, make_campaign, service_point, bo_de, make_volunteer
):
    from scheduling.booking.services import book_shift
    from scheduling.services import generate_shifts

    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 7))
    generate_shifts(db.session, campaign)
    shift = db.session.scalars(select(Shift).order_by(Shift.starts_at)).first()
    for _ in range(6):
        book_shift(db.session, shift, make_volunteer())
    login(coordinator)
    response = english.post(
        f"/campaigns/{campaign.id}/edit",
        data=_form(
            starts_on="2030-01-07",
            ends_on="2030-01-07",
            max_per_shift="5",
            communes=[str(bo_de.id)],
        ),
    )
    assert response.status_code == 200
    assert "already has 6 confirmed volunteers" in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign.max_per_shift == 8


def test_the_campaigns_link_shows_to_coordinators_only(english, login, coordinator, volunteer):
    login(volunteer)
    assert 'href="/campaigns"' not in english.get("/").get_data(as_text=True)
    login(coordinator)
    assert 'href="/campaigns"' in english.get("/").get_data(as_text=True)


def test_communes_without_service_points_are_fine(english, login, coordinator, make_campaign):
    campaign = make_campaign()
    login(coordinator)
    page = english.post(f"/campaigns/{campaign.id}/generate", follow_redirects=True)
    assert "0 shifts added." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ServicePoint)) == 0
    assert db.session.scalar(select(func.count()).select_from(Commune)) > 3000


def test_renaming_alone_does_not_report_shifts(
    english, login, coordinator, make_campaign, service_point, bo_de
):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 13))
    login(coordinator)
    english.post(f"/campaigns/{campaign.id}/generate")
    page = english.post(
        f"/campaigns/{campaign.id}/edit",
        data=_form(name="Tên mới", communes=[str(bo_de.id)]),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The campaign is saved." in page and "Shifts: " not in page
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 14


def test_generate_shifts_reports_the_slots_another_campaign_holds(
    english, login, coordinator, make_campaign, service_point
):
    from scheduling.services import generate_shifts

    generate_shifts(
        db.session,
        make_campaign(name="Đợt 1", starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 7)),
    )
    campaign = make_campaign(name="Đợt 2", starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 8))
    db.session.commit()
    login(coordinator)

    page = english.post(f"/campaigns/{campaign.id}/generate", follow_redirects=True).get_data(
        as_text=True
    )

    assert "2 shifts added." in page
    assert "2 shifts skipped: another campaign already has shifts at the same times at" in page
    assert f"{service_point.name} (2)" in page
