"""Placing people on shifts: each placement independent, never waitlisted, reported with reasons."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.database import begin_write
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.booking import staffing
from scheduling.booking.placement import Reason
from scheduling.booking.services import book_shift
from scheduling.booking.staffing import place_people
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.services import generate_shifts
from scheduling.teams.models import Team, TeamKind, TeamMember
from tests.harness import NOW, in_own_transaction


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def people(make_volunteer):
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]
    return [make_volunteer(full_name=name) for name in names]


@pytest.fixture
def team(bo_de, people):
    team = Team(
        name="Chi đoàn phường Bồ Đề",
        kind=TeamKind.YOUTH_BRANCH,
        province_id=bo_de.province_id,
        commune_id=bo_de.id,
    )
    db.session.add(team)
    db.session.flush()
    db.session.add_all(TeamMember(team_id=team.id, user_id=p.id) for p in people)
    db.session.flush()
    return team


def _outcomes(report):
    return {(p.person.id, p.shift.id): p.reason for p in report.placements}


def _bookings(status=None):
    stmt = select(func.count()).select_from(Booking)
    if status:
        stmt = stmt.where(Booking.status == status)
    return db.session.scalar(stmt)


def test_everyone_is_confirmed_where_there_is_room(people, make_shift, coordinator, now):
    shifts = [make_shift(NOW + timedelta(hours=24)), make_shift(NOW + timedelta(hours=30))]
    report = place_people(db.session, people, shifts, coordinator, now)
    assert len(report.placed) == 10
    assert _bookings(BookingStatus.CONFIRMED) == 10


def test_a_full_shift_is_reported_and_nobody_is_waitlisted(
    people, make_campaign, make_shift, coordinator, now
):
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=3))
    report = place_people(db.session, people, [shift], coordinator, now)
    outcomes = [p.reason for p in report.placements]
    assert outcomes.count(Reason.CONFIRMED) == 3
    assert outcomes.count(Reason.FULL) == 2
    assert _bookings(BookingStatus.WAITLISTED) == 0
    assert _bookings() == 3


def test_an_overlap_names_the_other_shift(
    people, make_shift, coordinator, now, bo_de, service_point
):
    elsewhere = ServicePoint(commune=bo_de, name="Điểm tiếp dân số 2", address="Bồ Đề")
    db.session.add(elsewhere)
    held = make_shift(NOW + timedelta(hours=24), point=elsewhere)
    wanted = make_shift(NOW + timedelta(hours=26))
    an = people[0]
    begin_write(db.session)
    book_shift(db.session, held, an, now=now)
    report = place_people(db.session, [an], [wanted], coordinator, now)
    (placement,) = report.placements
    assert placement.reason == Reason.OVERLAP
    assert placement.conflict.id == held.id


def test_the_weekly_limit_is_respected(people, make_campaign, make_shift, coordinator, now):
    limited = make_campaign(weekly_limit=2)
    shifts = [make_shift(NOW + timedelta(hours=24 * d), on=limited) for d in (1, 2, 3)]
    report = place_people(db.session, people[:1], shifts, coordinator, now)
    assert [p.reason for p in report.placements] == [
        Reason.CONFIRMED,
        Reason.CONFIRMED,
        Reason.WEEKLY_LIMIT,
    ]


def test_started_and_cancelled_shifts_are_closed(people, make_shift, coordinator, now):
    started = make_shift(NOW + timedelta(hours=-1))
    cancelled = make_shift(NOW + timedelta(hours=48))
    cancelled.status = ShiftStatus.CANCELLED
    report = place_people(db.session, people[:1], [started, cancelled], coordinator, now)
    assert [p.reason for p in report.placements] == [Reason.SHIFT_CLOSED, Reason.SHIFT_CLOSED]
    assert _bookings() == 0


def test_already_booked_is_reported_and_a_waitlisted_person_is_confirmed_when_room(
    people, make_campaign, make_shift, coordinator, now
):
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    an, binh = people[:2]
    begin_write(db.session)
    first = book_shift(db.session, shift, an, now=now).booking
    waiting = book_shift(db.session, shift, binh, now=now).booking
    assert waiting.status == BookingStatus.WAITLISTED
    report = place_people(db.session, [an, binh], [shift], coordinator, now)
    assert _outcomes(report) == {
        (an.id, shift.id): Reason.ALREADY_BOOKED,
        (binh.id, shift.id): Reason.FULL,
    }
    first.status = BookingStatus.CANCELLED
    first.cancelled_at = now
    report = place_people(db.session, [binh], [shift], coordinator, now)
    assert report.placements[0].reason == Reason.CONFIRMED
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.CONFIRMED


def test_shifts_to_place_picks_the_days_and_starts_chosen(campaign, service_point):
    generate_shifts(db.session, campaign)
    first = campaign.starts_on
    mornings = staffing.shifts_to_place(
        db.session, campaign, service_point, first, first + timedelta(days=6), ["07:30"]
    )
    assert len(mornings) == 7
    assert all(s.starts_at.hour == 0 and s.starts_at.minute == 30 for s in mornings)  # 07:30 +07
    both = staffing.shifts_to_place(
        db.session, campaign, service_point, first, first, ["07:30", "13:30"]
    )
    assert len(both) == 2


def _place_form(campaign, point, people, first, last, starts=("07:30", "13:30")):
    return {
        "campaign": campaign.id,
        "point": point.id,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "starts": list(starts),
        "people": [p.id for p in people],
    }


def test_a_whole_team_is_placed_on_a_week_and_the_report_lists_each_person(
    english, login, coordinator, team, people, campaign, service_point
):
    generate_shifts(db.session, campaign)
    first = campaign.starts_on
    login(coordinator, on=english)
    page = english.get(f"/teams/{team.id}/place").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Bồ Đề" in page
    response = english.post(
        f"/teams/{team.id}/place",
        data=_place_form(campaign, service_point, people, first, first + timedelta(days=6)),
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "70 of 70 placements made." in text
    for person in people:
        assert person.full_name in text
    assert _bookings(BookingStatus.CONFIRMED) == 70


def test_the_report_says_why_each_placement_failed(
    english, login, coordinator, team, people, make_campaign, service_point
):
    small = make_campaign(min_per_shift=1, max_per_shift=3, name="Chiến dịch nhỏ")
    generate_shifts(db.session, small)
    day = small.starts_on
    login(coordinator, on=english)
    response = english.post(
        f"/teams/{team.id}/place",
        data=_place_form(small, service_point, people, day, day, starts=["07:30"]),
    )
    text = response.get_data(as_text=True)
    assert "3 of 5 placements made." in text
    assert text.count("The shift is full.") == 2
    assert _bookings(BookingStatus.WAITLISTED) == 0


def test_placing_outside_the_coordinators_scope_is_refused(
    english, login, coordinator, other_coordinator, team, people, make_campaign, other_commune
):
    theirs = ServicePoint(commune=other_commune, name="Điểm phường khác", address="Hà Nội")
    db.session.add(theirs)
    both = make_campaign(communes=[other_commune, team.commune])
    generate_shifts(db.session, both)
    day = both.starts_on
    login(other_coordinator, on=english)
    assert (
        english.post(
            f"/teams/{team.id}/place", data=_place_form(both, theirs, people, day, day)
        ).status_code
        == 404
    )
    english.post("/logout")
    login(coordinator, on=english)
    response = english.post(
        f"/teams/{team.id}/place", data=_place_form(both, theirs, people, day, day)
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _bookings() == 0


def test_a_crash_midway_leaves_no_booking(
    app, english, login, coordinator, team, people, campaign, service_point, monkeypatch
):
    generate_shifts(db.session, campaign)
    real = staffing.place
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(staffing, "place", failing)
    login(coordinator, on=english)
    day = campaign.starts_on
    with pytest.raises(RuntimeError):
        english.post(
            f"/teams/{team.id}/place", data=_place_form(campaign, service_point, people, day, day)
        )
    assert _bookings() == 0
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 90


def test_placements_racing_bookings_never_exceed_capacity(
    app, make_campaign, make_shift, make_volunteer, coordinator
):
    roomy = make_campaign(max_per_shift=8)
    shift_ids = [
        make_shift(NOW + timedelta(hours=24 * 365), on=roomy).id,
        make_shift(NOW + timedelta(hours=24 * 366), on=roomy).id,
    ]
    teams = [[make_volunteer().id for _ in range(6)] for _ in range(2)]
    bookers = [make_volunteer().id for _ in range(10)]
    coordinator_id = coordinator.id
    db.session.commit()

    def work(i):
        shifts = [db.session.get(Shift, s) for s in shift_ids]
        if i < 2:
            people = [db.session.get(User, p) for p in teams[i]]
            place_people(db.session, people, shifts, db.session.get(User, coordinator_id))
        else:
            book_shift(db.session, shifts[i % 2], db.session.get(User, bookers[i - 2]))

    in_own_transaction(app, work, 12)
    db.session.expire_all()
    for shift_id in shift_ids:
        confirmed = db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.CONFIRMED)
        )
        assert confirmed == 8


def test_the_report_names_the_skill_each_shift_still_lacks_after_placement(
    people, make_campaign, make_shift, make_volunteer, coordinator, now
):
    from scheduling.skills.services import require_skill

    campaign = make_campaign(min_per_shift=1, max_per_shift=2)
    signer = make_volunteer(full_name="Đặng Thị Ký", skills=["digital_signature"])
    roomy = make_shift(NOW + timedelta(hours=24), on=campaign)
    full = make_shift(NOW + timedelta(hours=30), on=campaign, booked=people[:2])
    require_skill(db.session, campaign, "digital_signature", 1, coordinator)

    report = place_people(db.session, [signer, people[2]], [roomy, full], coordinator, now)

    assert {(p.shift.id, p.reason) for p in report.placed} == {(roomy.id, Reason.CONFIRMED)}
    assert [(shift.id, [n.code for n in needs]) for shift, needs in report.skill_gaps] == [
        (full.id, ["digital_signature"])
    ]


def test_the_placement_page_says_which_skill_a_shift_lacks(
    english, login, coordinator, team, people, make_campaign, service_point
):
    from scheduling.skills.services import require_skill

    small = make_campaign(min_per_shift=1, max_per_shift=8, name="Chiến dịch kỹ năng")
    generate_shifts(db.session, small)
    require_skill(db.session, small, "vneid", 2, coordinator, point=service_point)
    day = small.starts_on
    login(coordinator, on=english)

    text = english.post(
        f"/teams/{team.id}/place",
        data=_place_form(small, service_point, people, day, day, starts=["07:30"]),
    ).get_data(as_text=True)

    assert "5 of 5 placements made." in text
    assert "Shifts still short of a skill" in text and "lacks 2 with VNeID help" in text
