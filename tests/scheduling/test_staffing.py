"""A coordinator staffs one shift: sees who is there, removes, moves and adds people."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.database import begin_write, utcnow
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.booking import staffing
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import Booking, BookingStatus
from scheduling.services import PastDeadline
from scheduling.teams.models import Team, TeamKind, TeamMember
from scheduling.teams.services import TeamError


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def small(make_campaign):
    """A campaign of two places per shift."""
    return make_campaign(min_per_shift=1, max_per_shift=2, name="Chiến dịch nhỏ")


def _from_now(hours):
    return utcnow().replace(microsecond=0) + timedelta(hours=hours)


@pytest.fixture
def soon(small, make_shift):
    """A shift starting in 3 hours: past the 12-hour cancellation deadline."""
    return make_shift(_from_now(3), on=small)


def _book(shift, *people):
    begin_write(db.session)
    bookings = [book_shift(db.session, shift, p).booking for p in people]
    db.session.commit()
    return bookings


def _status(shift, person):
    booking = db.session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == person.id)
    )
    return booking.status if booking else None


def test_the_page_lists_confirmed_people_with_phone_and_team_and_the_waitlist_in_order(
    english, login, coordinator, soon, make_volunteer, bo_de
):
    an = make_volunteer(full_name="Nguyễn Văn An", phone="0912345678")
    binh = make_volunteer(full_name="Trần Thị Bình")
    cuong = make_volunteer(full_name="Lê Văn Cường")
    dung = make_volunteer(full_name="Phạm Thị Dung")
    team = Team(name="Lớp K67 CNTT", kind=TeamKind.UNIVERSITY_CLASS, province_id=bo_de.province_id)
    db.session.add(team)
    db.session.flush()
    db.session.add(TeamMember(team_id=team.id, user_id=an.id))
    _book(soon, an, binh, dung, cuong)
    login(coordinator, on=english)
    page = english.get(f"/shifts/{soon.id}/staff").get_data(as_text=True)
    assert "0912345678" in page and "Lớp K67 CNTT" in page
    waitlist = page[page.index("Waitlist") :]
    assert waitlist.index("Phạm Thị Dung") < waitlist.index("Lê Văn Cường")


def test_removing_after_the_deadline_releases_the_person_and_promotes_the_waitlist(
    english, login, coordinator, soon, make_volunteer
):
    an, binh, cuong = make_volunteer(), make_volunteer(), make_volunteer(full_name="Lê Văn Cường")
    first, _second, _third = _book(soon, an, binh, cuong)
    begin_write(db.session)
    with pytest.raises(PastDeadline):
        cancel_booking(db.session, first)
    db.session.rollback()
    login(coordinator, on=english)
    response = english.post(f"/shifts/{soon.id}/staff/{first.id}/remove", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Lê Văn Cường moves up from the waitlist." in text
    assert _status(soon, an) == BookingStatus.CANCELLED
    assert _status(soon, cuong) == BookingStatus.CONFIRMED


def test_move_refused_when_the_target_is_full_changes_nothing(
    english, login, coordinator, soon, small, make_shift, make_volunteer
):
    target = make_shift(_from_now(27), on=small)
    an, binh, cuong, dung = (make_volunteer() for _ in range(4))
    (booking, *_) = _book(soon, an, binh, cuong)
    _book(target, binh, dung)  # the target's two places are taken
    login(coordinator, on=english)
    response = english.post(
        f"/shifts/{soon.id}/staff/move",
        data={"booking": booking.id, "target": target.id},
        follow_redirects=True,
    )
    assert "was not moved: The shift is full." in response.get_data(as_text=True)
    assert _status(soon, an) == BookingStatus.CONFIRMED
    assert _status(target, an) is None
    assert _status(soon, cuong) == BookingStatus.WAITLISTED


def test_move_confirms_on_the_target_and_promotes_the_waitlist_here(
    english, login, coordinator, soon, small, make_shift, make_volunteer
):
    target = make_shift(_from_now(27), on=small)
    an, binh, cuong = make_volunteer(), make_volunteer(), make_volunteer()
    (booking, *_) = _book(soon, an, binh, cuong)
    login(coordinator, on=english)
    english.post(f"/shifts/{soon.id}/staff/move", data={"booking": booking.id, "target": target.id})
    assert _status(soon, an) == BookingStatus.CANCELLED
    assert _status(target, an) == BookingStatus.CONFIRMED
    assert _status(soon, cuong) == BookingStatus.CONFIRMED


def test_move_ignores_only_the_shift_left_when_checking_overlaps(
    soon, small, make_shift, bo_de, make_volunteer
):
    other_point = ServicePoint(commune=bo_de, name="Điểm số 2", address="Bồ Đề")
    db.session.add(other_point)
    db.session.flush()
    # the target overlaps the shift left (allowed) and another shift an holds (refused)
    target = make_shift(_from_now(5), point=other_point, on=small)
    held = make_shift(_from_now(7.5), on=small)
    an = make_volunteer()
    (booking,) = _book(soon, an)
    _book(held, an)
    begin_write(db.session)
    with pytest.raises(TeamError) as refused:
        staffing.move_person(db.session, booking, target)
    assert refused.value.code == "overlap" and refused.value.conflict.id == held.id
    db.session.rollback()
    assert _status(soon, an) == BookingStatus.CONFIRMED
    held_booking = db.session.scalar(select(Booking).where(Booking.shift_id == held.id))
    begin_write(db.session)
    cancel_booking(db.session, held_booking, by_coordinator=True)
    move = staffing.move_person(db.session, db.session.get(Booking, booking.id), target)
    assert move.booking.status == BookingStatus.CONFIRMED and move.booking.shift_id == target.id


def test_add_by_email_confirms_or_says_the_shift_is_full(
    english, login, coordinator, soon, make_volunteer
):
    an, binh = make_volunteer(), make_volunteer()
    cuong = make_volunteer(full_name="Lê Văn Cường", email="cuong@example.com")
    _book(soon, an)
    login(coordinator, on=english)
    english.post(f"/shifts/{soon.id}/staff/add", data={"email": binh.email})
    assert _status(soon, binh) == BookingStatus.CONFIRMED
    response = english.post(
        f"/shifts/{soon.id}/staff/add", data={"email": "cuong@example.com"}, follow_redirects=True
    )
    assert "Lê Văn Cường was not added: The shift is full." in response.get_data(as_text=True)
    assert _status(soon, cuong) is None


def test_a_volunteers_phone_shows_only_once_they_are_on_the_shift(
    english, login, coordinator, soon, make_volunteer
):
    an = make_volunteer(full_name="Nguyễn Văn An", email="an@example.com", phone="0912 345 678")
    login(coordinator, on=english)
    assert "0912 345 678" not in english.get(f"/shifts/{soon.id}/staff").get_data(as_text=True)

    english.post(f"/shifts/{soon.id}/staff/add", data={"email": "an@example.com"})

    assert _status(soon, an) == BookingStatus.CONFIRMED
    assert "0912 345 678" in english.get(f"/shifts/{soon.id}/staff").get_data(as_text=True)


def test_an_email_from_outside_the_coordinators_communes_adds_nobody_and_shows_no_phone(
    english, login, coordinator, soon, make_user, other_commune, admin
):
    """A ward coordinator typing the email of a volunteer of another ward, or of an account that
    is not a volunteer's, puts nobody on the shift (whose page shows phones) and is told what an
    unknown email is told."""
    dong = make_user(
        Role.VOLUNTEER, home_commune=other_commune, email="dong@example.com", phone="0987 654 321"
    )
    login(coordinator, on=english)

    answers = [
        english.post(f"/shifts/{soon.id}/staff/add", data={"email": email}, follow_redirects=True)
        for email in ("dong@example.com", admin.email, "nobody@example.com")
    ]

    pages = [a.get_data(as_text=True) for a in answers]
    assert all("No volunteer of your communes has this email." in page for page in pages)
    assert not any("0987 654 321" in page for page in pages)
    assert _status(soon, dong) is None and _status(soon, admin) is None


def test_a_province_coordinator_adds_a_volunteer_of_any_ward_of_the_city_to_a_shift(
    english, login, province_coordinator, soon, make_user, other_commune
):
    dong = make_user(Role.VOLUNTEER, home_commune=other_commune, email="dong@example.com")
    login(province_coordinator, on=english)
    english.post(f"/shifts/{soon.id}/staff/add", data={"email": "dong@example.com"})
    assert _status(soon, dong) == BookingStatus.CONFIRMED


def test_another_communes_coordinator_cannot_see_or_change_the_shift(
    english, login, other_coordinator, soon, small, make_shift, make_volunteer
):
    target = make_shift(_from_now(27), on=small)
    an = make_volunteer(email="an@example.com")
    (booking,) = _book(soon, an)
    login(other_coordinator, on=english)
    assert english.get(f"/shifts/{soon.id}/staff").status_code == 404
    for url, data in (
        (f"/shifts/{soon.id}/staff/{booking.id}/remove", {}),
        (f"/shifts/{soon.id}/staff/move", {"booking": booking.id, "target": target.id}),
        (f"/shifts/{soon.id}/staff/add", {"email": "an@example.com"}),
    ):
        assert english.post(url, data=data).status_code == 404, url
    assert _status(soon, an) == BookingStatus.CONFIRMED


def test_a_booking_of_another_shift_cannot_be_removed_through_this_one(
    english, login, coordinator, soon, small, make_shift, make_volunteer
):
    other = make_shift(_from_now(27), on=small)
    an = make_volunteer()
    (booking,) = _book(other, an)
    login(coordinator, on=english)
    assert english.post(f"/shifts/{soon.id}/staff/{booking.id}/remove").status_code == 404
    assert _status(other, an) == BookingStatus.CONFIRMED


def test_move_to_another_campaign_or_another_communes_shift_is_refused(
    english,
    login,
    coordinator,
    soon,
    make_campaign,
    service_point,
    other_commune,
    make_volunteer,
    make_shift,
):
    other_campaign = make_campaign(name="Chiến dịch khác", communes=[service_point.commune])
    elsewhere_point = ServicePoint(commune=other_commune, name="Điểm phường khác", address="HN")
    db.session.add(elsewhere_point)
    db.session.flush()
    other_campaigns_shift = make_shift(_from_now(27), on=other_campaign)
    other_communes_shift = make_shift(_from_now(27), point=elsewhere_point, on=soon.campaign)
    an = make_volunteer()
    (booking,) = _book(soon, an)
    login(coordinator, on=english)
    response = english.post(
        f"/shifts/{soon.id}/staff/move",
        data={"booking": booking.id, "target": other_campaigns_shift.id},
        follow_redirects=True,
    )
    assert "only be moved to a shift of the same campaign" in response.get_data(as_text=True)
    response = english.post(
        f"/shifts/{soon.id}/staff/move",
        data={"booking": booking.id, "target": other_communes_shift.id},
    )
    assert response.status_code == 404
    assert _status(soon, an) == BookingStatus.CONFIRMED
    assert _status(other_campaigns_shift, an) is None
    assert _status(other_communes_shift, an) is None


def test_the_staffing_services_tell_each_person_what_was_done(
    coordinator, soon, small, make_shift, make_volunteer
):
    from app.notifications.models import Notification

    target = make_shift(_from_now(27), on=small)
    an, binh, cuong, dung = (make_volunteer() for _ in range(4))
    begin_write(db.session)
    assert staffing.add_person(db.session, soon, an, coordinator).placed
    first, second, waiting = (book_shift(db.session, soon, p).booking for p in (binh, cuong, dung))
    staffing.move_person(db.session, db.session.get(Booking, first.id), target)
    staffing.remove_person(db.session, db.session.get(Booking, second.id))

    def told(person):
        return [
            (n.kind, n.params)
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.id)
                .order_by(Notification.id)
            )
        ]

    assert told(an) == [("placed", {"shift_id": soon.id})]
    assert told(binh) == [
        ("booking_confirmed", {"shift_id": soon.id}),
        ("moved", {"shift_id": target.id, "from_shift_id": soon.id}),
    ]
    assert told(cuong)[-1] == ("removed", {"shift_id": soon.id})
    assert told(dung) == [("promoted", {"shift_id": soon.id})]


def test_a_coordinator_calls_the_communes_volunteers_for_a_short_shift_once(
    client, login, coordinator, make_volunteer, make_user, other_commune, make_shift
):
    from app.notifications.models import Notification

    shift = make_shift(utcnow().replace(microsecond=0) + timedelta(days=1))
    on_it, free, elsewhere = make_volunteer(), make_volunteer(), make_user(Role.VOLUNTEER)
    elsewhere.home_commune = other_commune
    db.session.add(Booking(shift=shift, user=on_it, status=BookingStatus.CONFIRMED))
    db.session.commit()
    login(coordinator)
    client.set_cookie("lang", "en")

    page = client.post(f"/shifts/{shift.id}/call", data={"next": "/"}, follow_redirects=True)

    assert "1 volunteer of Phường Bồ Đề was told" in page.get_data(as_text=True)
    told = db.session.scalars(select(Notification.user_id)).all()
    assert told == [free.id]
    again = client.post(f"/shifts/{shift.id}/call", follow_redirects=True).get_data(as_text=True)
    assert "has already been told" in again
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_started_shift_is_not_called_for_and_another_scope_cannot_call(
    client, login, coordinator, other_coordinator, make_volunteer, make_shift
):
    make_volunteer()
    started = make_shift(utcnow().replace(microsecond=0) - timedelta(minutes=5))
    db.session.commit()
    login(other_coordinator)
    assert client.post(f"/shifts/{started.id}/call").status_code == 404
    client.post("/logout")
    login(coordinator)
    client.set_cookie("lang", "en")

    page = client.post(f"/shifts/{started.id}/call", follow_redirects=True).get_data(as_text=True)

    assert "can no longer be booked" in page


def test_the_page_says_what_skills_the_shift_asks_for_and_how_many_it_has(
    english, login, coordinator, soon, small, make_volunteer
):
    from scheduling.skills.services import require_skill

    _book(soon, make_volunteer(skills=["vneid"]))
    require_skill(db.session, small, "vneid", 1, coordinator)
    require_skill(db.session, small, "digital_signature", 1, coordinator, shift=soon)
    db.session.commit()
    login(coordinator, on=english)

    page = english.get(f"/shifts/{soon.id}/staff").get_data(as_text=True)

    assert "Digital signature: 0 of 1" in page and "VNeID help: 1 of 1" in page
