"""The skills a shift needs and lacks: requirements campaign-wide, at a point, on a shift; the
coverage board and the coordinator's home showing a shift short of a skill as understaffed."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.places.models import ServicePoint
from scheduling.coverage.services import CellState
from scheduling.models import Booking, BookingStatus
from scheduling.skills import services as skills
from scheduling.skills.services import RequirementError
from tests.harness import MORNING
from tests.scheduling.test_coverage import RANGE, counts_of


@pytest.fixture
def signers(make_volunteer):
    """Two volunteers with a digital signature."""
    return [make_volunteer(skills=["digital_signature"]) for _ in range(2)]


def _needs(shift):
    return skills.needs_of(db.session, [shift.id]).get(shift.id, ())


def test_a_campaign_wide_requirement_counts_only_confirmed_people_with_the_skill(
    campaign, make_shift, make_volunteer, coordinator, signers
):
    shift = make_shift(booked=[signers[0], make_volunteer(skills=["it"])])
    db.session.add(Booking(shift=shift, user=signers[1], status=BookingStatus.WAITLISTED))
    skills.require_skill(db.session, campaign, "digital_signature", 2, coordinator)

    (need,) = _needs(shift)

    assert (need.code, need.minimum, need.present, need.lacking) == ("digital_signature", 2, 1, 1)
    assert need.name == "Chữ ký số"  # the reader's language: Vietnamese outside a request


def test_a_requirement_at_a_point_or_on_a_shift_applies_there_only_and_the_largest_counts(
    campaign, make_shift, service_point, bo_de, coordinator
):
    other = ServicePoint(commune=bo_de, name="Điểm tiếp nhận số 2", address="Hà Nội")
    db.session.add(other)
    db.session.flush()
    here, later, there = (
        make_shift(),
        make_shift(MORNING + timedelta(hours=6)),
        make_shift(point=other),
    )
    skills.require_skill(db.session, campaign, "vneid", 1, coordinator)
    skills.require_skill(db.session, campaign, "vneid", 2, coordinator, point=service_point)
    skills.require_skill(db.session, campaign, "vneid", 3, coordinator, shift=later)
    skills.require_skill(db.session, campaign, "sign_language", 1, coordinator, shift=later)

    needs = skills.needs_of(db.session, [here.id, later.id, there.id])

    assert [(n.code, n.minimum) for n in needs[here.id]] == [("vneid", 2)]
    # Vietnamese order of the names: "Hướng dẫn dùng VNeID" before "Ngôn ngữ ký hiệu"
    assert [(n.code, n.minimum) for n in needs[later.id]] == [("vneid", 3), ("sign_language", 1)]
    assert [(n.code, n.minimum) for n in needs[there.id]] == [("vneid", 1)]


def test_asking_again_for_a_skill_at_the_same_place_changes_its_minimum(
    campaign, make_shift, coordinator
):
    shift = make_shift()
    first = skills.require_skill(db.session, campaign, "it", 1, coordinator)
    again = skills.require_skill(db.session, campaign, "it", 3, coordinator)

    assert again.id == first.id and [n.minimum for n in _needs(shift)] == [3]


def test_a_deactivated_skill_or_another_campaigns_shift_is_refused(
    campaign, make_campaign, make_shift, coordinator, service_point
):
    other_shift = make_shift(on=make_campaign(name="Chiến dịch khác"))
    from app.skills.models import Skill

    db.session.get(Skill, "telecom").active = False

    with pytest.raises(RequirementError) as refused:
        skills.require_skill(db.session, campaign, "telecom", 1, coordinator)
    assert refused.value.code == "unknown_skill"
    with pytest.raises(RequirementError) as refused:
        skills.require_skill(db.session, campaign, "it", 1, coordinator, shift=other_shift)
    assert refused.value.code == "not_in_campaign"


def test_a_shift_with_its_count_but_without_the_skill_is_understaffed_on_the_board(
    client, login, campaign, make_shift, make_volunteer, coordinator, signers
):
    campaign.min_per_shift = 2
    short = make_shift(booked=[make_volunteer(), make_volunteer()])
    covered = make_shift(MORNING + timedelta(hours=6), booked=[signers[0], make_volunteer()])
    skills.require_skill(db.session, campaign, "digital_signature", 1, coordinator)
    db.session.commit()

    by_shift = {c.shift_id: c for c in counts_of(campaign, coordinator)}
    assert by_shift[short.id].state == CellState.UNDERSTAFFED
    assert [n.code for n in by_shift[short.id].lacking] == ["digital_signature"]
    assert by_shift[covered.id].state != CellState.UNDERSTAFFED

    signed_in = login(coordinator)
    signed_in.set_cookie("lang", "en")
    html = signed_in.get("/coverage", query_string=RANGE).get_data(as_text=True)
    cell = html.split(f'id="shift-{short.id}"')[1].split("</td>")[0]
    assert "Understaffed" in cell and "lacks 1 with Digital signature" in cell
    other = html.split(f'id="shift-{covered.id}"')[1].split("</td>")[0]
    assert "lacks" not in other


def test_the_coordinators_home_lists_a_shift_short_of_a_skill_with_the_reason(
    client, login, make_campaign, make_shift, make_volunteer, coordinator
):
    from app.database import utcnow
    from app.localtime import local_today

    today = local_today()
    campaign = make_campaign(
        starts_on=today, ends_on=today + timedelta(days=5), min_per_shift=1, max_per_shift=3
    )
    make_shift(utcnow() + timedelta(hours=5), on=campaign, booked=[make_volunteer()])
    skills.require_skill(db.session, campaign, "sign_language", 1, coordinator)
    db.session.commit()

    signed_in = login(coordinator)
    signed_in.set_cookie("lang", "en")
    html = signed_in.get("/").get_data(as_text=True)

    assert "lacks 1 with Sign language" in html
