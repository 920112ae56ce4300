"""A campaign's skill requirements kept from its page: campaign-wide by whoever may edit it, at
a point or on a shift by the point's coordinator; each change in the audit log."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.services import generate_shifts
from scheduling.skills.models import SkillRequirement
from scheduling.skills.services import needs_of
from tests.harness import sign_in


@pytest.fixture
def two_wards(make_campaign, bo_de, other_commune, service_point):
    """A campaign over Bồ Đề and another ward, a point in each, its shifts generated."""
    db.session.add(ServicePoint(commune=other_commune, name="Điểm phường khác", address="Hà Nội"))
    campaign = make_campaign(communes=[bo_de, other_commune], name="Hai phường")
    generate_shifts(db.session, campaign)
    db.session.commit()
    return campaign


def _english(app, user):
    client = sign_in(app, user)
    client.set_cookie("lang", "en")
    return client


def _requirements():
    db.session.expire_all()
    return db.session.scalars(select(SkillRequirement).order_by(SkillRequirement.id)).all()


def test_a_province_coordinator_asks_for_a_skill_on_every_shift_and_it_is_audited(
    app, two_wards, province_coordinator
):
    client = _english(app, province_coordinator)

    sent = client.post(
        f"/campaigns/{two_wards.id}/skills", data={"skill": "digital_signature", "minimum": "2"}
    )

    assert sent.status_code == 302
    (requirement,) = _requirements()
    assert (requirement.skill_code, requirement.minimum) == ("digital_signature", 2)
    assert requirement.service_point_id is None and requirement.shift_id is None
    page = client.get(f"/campaigns/{two_wards.id}").get_data(as_text=True)
    assert "At least 2 people with Digital signature" in page
    assert "on every shift of the campaign" in page
    assert f'<form class="form" method="post" action="/campaigns/{two_wards.id}/skills"' in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.reshaped"))
    assert entry.actor_id == province_coordinator.id and entry.target_id == two_wards.id
    assert entry.before is None
    assert entry.after == {
        "requirement": {
            "skill": "digital_signature",
            "minimum": 2,
            "service_point": None,
            "shift": None,
        }
    }


def test_a_ward_coordinator_asks_at_their_point_but_not_for_the_whole_campaign(
    app, two_wards, coordinator, service_point
):
    client = _english(app, coordinator)
    page = client.get(f"/campaigns/{two_wards.id}").get_data(as_text=True)
    assert "Every shift of the campaign" not in page  # not offered: they cannot edit it

    whole = client.post(f"/campaigns/{two_wards.id}/skills", data={"skill": "it", "minimum": "1"})
    at_point = client.post(
        f"/campaigns/{two_wards.id}/skills",
        data={"skill": "it", "minimum": "1", "point": str(service_point.id)},
    )

    assert whole.status_code == 403
    assert at_point.status_code == 302
    assert [(r.skill_code, r.service_point_id) for r in _requirements()] == [
        ("it", service_point.id)
    ]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.reshaped"))
    assert entry.commune_id == service_point.commune_id


def test_another_wards_point_is_refused_to_a_ward_coordinator(
    app, two_wards, coordinator, other_commune
):
    point = db.session.scalar(
        select(ServicePoint).where(ServicePoint.commune_id == other_commune.id)
    )

    sent = sign_in(app, coordinator).post(
        f"/campaigns/{two_wards.id}/skills",
        data={"skill": "it", "minimum": "1", "point": str(point.id)},
    )

    assert sent.status_code == 302 and _requirements() == []


def test_one_shift_is_chosen_by_point_day_and_start(app, two_wards, coordinator, service_point):
    day = two_wards.starts_on

    _english(app, coordinator).post(
        f"/campaigns/{two_wards.id}/skills",
        data={
            "skill": "sign_language",
            "minimum": "1",
            "point": str(service_point.id),
            "day": day.isoformat(),
            "start": "13:30",
        },
    )

    (requirement,) = _requirements()
    assert requirement.service_point_id is None
    assert requirement.shift.service_point_id == service_point.id
    assert requirement.shift.starts_at.hour == 6  # 13:30 in Hanoi
    assert needs_of(db.session, [requirement.shift_id])[requirement.shift_id][0].code == (
        "sign_language"
    )


def test_a_day_without_its_point_is_refused_with_the_reason(app, two_wards, province_coordinator):
    client = _english(app, province_coordinator)

    client.post(
        f"/campaigns/{two_wards.id}/skills",
        data={"skill": "it", "minimum": "1", "day": two_wards.starts_on.isoformat()},
    )

    assert _requirements() == []
    page = client.get(f"/campaigns/{two_wards.id}").get_data(as_text=True)
    assert "Choose the service point of the shift." in page


def test_a_coordinator_elsewhere_gets_404(app, two_wards, make_user, hanoi):
    from app.places.models import Commune
    from app.roles import Role

    far = db.session.scalar(select(Commune).where(Commune.province_id != hanoi.id).limit(1))
    stranger = make_user(Role.COORDINATOR, commune=far)
    db.session.commit()

    sent = sign_in(app, stranger).post(
        f"/campaigns/{two_wards.id}/skills", data={"skill": "it", "minimum": "1"}
    )

    assert sent.status_code == 404 and _requirements() == []


def test_stopping_a_requirement_deletes_it_and_is_audited(
    app, two_wards, province_coordinator, service_point
):
    client = _english(app, province_coordinator)
    client.post(
        f"/campaigns/{two_wards.id}/skills",
        data={"skill": "vneid", "minimum": "1", "point": str(service_point.id)},
    )
    (requirement,) = _requirements()

    client.post(f"/campaigns/{two_wards.id}/skills/{requirement.id}/delete")

    assert _requirements() == []
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.before["requirement"]["skill"] == "vneid" and last.after is None
