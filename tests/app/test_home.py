"""The home page: a visitor's welcome, and each signed-in person's today, one block per role."""

from datetime import timedelta
from urllib.parse import quote_plus

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.localtime import local_today
from app.roles import Role
from courses.services import get_course, import_courses
from impact.home_support.models import HomeSupportRequest, TimeWindow
from scheduling.checkin.models import Attendance
from scheduling.models import Booking, BookingStatus


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def running_campaign(make_campaign):
    """A campaign from yesterday to a month from now, cancellable up to 24 hours before."""
    today = local_today()
    return make_campaign(
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        min_per_shift=2,
        max_per_shift=3,
        cancel_deadline_hours=24,
    )


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_visitor_still_gets_the_welcome_page(client):
    html = _home(client)
    assert "Register as a volunteer" in html
    assert "Your next shift" not in html


def test_a_volunteer_sees_the_next_shift_until_when_to_cancel_and_a_search_on_the_home_commune(
    client, login, volunteer, running_campaign, make_shift, bo_de
):
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    make_shift(starts, on=running_campaign, booked=[volunteer])
    login(volunteer)

    html = _home(client)

    assert "Your next shift" in html
    assert "Trung tâm Phục vụ hành chính công phường Bồ Đề" in html
    assert "You can cancel until" in html
    assert f"/shifts?commune={quote_plus(bo_de.name)}" in html
    assert "Check in" not in html  # not running yet


def test_a_running_shift_offers_check_in_then_check_out(
    client, login, volunteer, running_campaign, make_shift
):
    now = utcnow().replace(microsecond=0)
    shift = make_shift(now - timedelta(hours=1), on=running_campaign, booked=[volunteer])
    login(volunteer)

    html = _home(client)
    assert "Running now" in html
    assert 'href="/me/badge">Check in</a>' in html

    booking = db.session.scalar(select(Booking).where(Booking.shift_id == shift.id))
    db.session.add(Attendance(booking=booking, checked_in_at=now, received_at=now))
    db.session.commit()
    html = _home(client)
    assert "Checked in since" in html and ">Check out</button>" in html


def test_a_volunteer_sees_waitlist_places_and_hours_served(
    client, login, volunteer, make_volunteer, running_campaign, make_shift
):
    now = utcnow().replace(microsecond=0)
    past = make_shift(now - timedelta(days=1), hours=3, on=running_campaign, booked=[volunteer])
    booking = db.session.scalar(select(Booking).where(Booking.shift_id == past.id))
    db.session.add(
        Attendance(booking=booking, checked_in_at=past.starts_at, received_at=past.starts_at)
    )
    full = make_shift(now + timedelta(days=2), on=running_campaign, booked=[make_volunteer()])
    db.session.add(Booking(shift=full, user=make_volunteer(), status=BookingStatus.WAITLISTED))
    db.session.flush()
    db.session.add(Booking(shift=full, user=volunteer, status=BookingStatus.WAITLISTED))
    db.session.commit()
    login(volunteer)

    html = _home(client)

    assert "You have no shift booked." in html
    assert "Number 2 on the waitlist" in html
    assert "45 ngày đêm: <strong>3 h</strong>" in html


def test_a_coordinator_sees_shifts_to_staff_and_todays_arrivals_in_scope(
    client, login, coordinator, make_volunteer, running_campaign, make_shift
):
    now = utcnow().replace(microsecond=0)
    a, b = make_volunteer(), make_volunteer()
    running = make_shift(now - timedelta(minutes=30), on=running_campaign, booked=[a, b])
    booking = db.session.scalar(
        select(Booking).where(Booking.shift_id == running.id, Booking.user_id == a.id)
    )
    db.session.add(Attendance(booking=booking, checked_in_at=now, received_at=now))
    short = make_shift(now + timedelta(hours=30), on=running_campaign, booked=[a])
    db.session.commit()
    login(coordinator)

    html = _home(client)

    assert "Staffing in your area" in html
    assert f'href="/shifts/{short.id}/staff"' in html
    assert "1 of at least 2" in html
    assert "1 of 2 arrived" in html
    assert "Assists and home visits in your area" in html


def test_a_coordinator_sees_open_home_support_requests_and_todays_assists(
    client, login, coordinator, bo_de
):
    db.session.add(
        HomeSupportRequest(
            commune=bo_de,
            address="Ngõ 1",
            need="VNeID",
            preferred_on=local_today(),
            time_window=list(TimeWindow)[0],
        )
    )
    db.session.commit()
    login(coordinator)

    html = _home(client)

    assert "Open requests for help at home (1)" in html
    assert "Waiting for volunteers" in html
    assert "0</strong> dossiers helped today so far" in html


def test_a_learner_continues_with_the_next_lesson_and_is_reminded_of_the_code(
    client, login, learner
):
    import_courses(db.session)
    course = get_course(db.session, "vneid")
    login(learner)
    first = course.lessons[0]
    client.post(f"/courses/vneid/lessons/{first.slug}/done")

    html = _home(client)

    second = course.lessons[1]
    assert f'href="/courses/vneid/lessons/{second.slug}"' in html
    assert "Your learning" in html
    assert "Keep your personal code" not in html  # joined by email: no code


def test_an_admin_sees_the_coordinators_and_accounts_waiting_for_a_role(
    client, login, admin, coordinator, make_user
):
    waiting = make_user(full_name="Chưa có vai trò")
    db.session.commit()
    login(admin)

    html = _home(client)

    assert "Coordinators (1)" in html
    assert coordinator.full_name in html
    assert f'href="/admin/roles/{waiting.id}"' in html


def test_a_person_with_several_roles_sees_each_block_in_order(client, login, make_user, bo_de):
    login(make_user(Role.VOLUNTEER, Role.COORDINATOR, Role.LEARNER, Role.ADMIN, commune=bo_de))

    html = _home(client)

    order = [
        "Your next shift",
        "Staffing in your area",
        "Assists and home visits",
        "Your learning",
        "Administration",
    ]
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)


def test_a_learner_who_left_a_quiz_continues_the_quiz(client, login, learner):
    import_courses(db.session)
    db.session.commit()
    login(learner)
    client.post("/courses/vneid/lessons/activate/done")
    client.post("/courses/vneid/quiz")  # started after the lesson: the latest thing left

    html = _home(client)

    assert 'href="/courses/vneid/quiz"' in html and "Continue the quiz" in html
