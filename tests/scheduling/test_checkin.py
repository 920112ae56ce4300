"""QR check-in: tokens (poster, live, badge), every reason code, nonces, walk-ins, check-out,
hours, the attendance pages and who may see them."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.roles import Role
from scheduling.checkin import reports, services, tokens
from scheduling.checkin.models import Attendance, Scan, ScanMethod, ScanResult
from scheduling.models import Booking, BookingStatus
from tests.harness import NOW, in_own_transaction

HOUR = timedelta(hours=1)


def _confirm(shift, user, status=BookingStatus.CONFIRMED):
    booking = Booking(shift_id=shift.id, user_id=user.id, status=status, created_at=NOW - 48 * HOUR)
    db.session.add(booking)
    db.session.flush()
    return booking


_count = 0


def _nonce():
    global _count
    _count += 1
    return f"nonce-{_count:06d}"


def scan(user, token, *, now=NOW, nonce=None, **options):
    scan, _created = services.check_in(
        db.session, user, token, nonce or _nonce(), now=now, **options
    )
    return scan


def _scans():
    return db.session.scalar(select(func.count()).select_from(Scan))


def _attendances():
    return db.session.scalar(select(func.count()).select_from(Attendance))


@pytest.fixture
def running(make_shift):
    """A four-hour shift at Bồ Đề's point that started at NOW."""
    return make_shift(NOW + timedelta(hours=0), 4)


@pytest.fixture
def poster(service_point):
    return tokens.poster_token(db.session, service_point)


# --- every reason code ------------------------------------------------------------------------


def test_a_booked_volunteer_scanning_the_poster_is_checked_in(running, poster, volunteer):
    booking = _confirm(running, volunteer)

    result = scan(volunteer, poster, now=NOW + 10 * timedelta(minutes=1))

    assert result.result == ScanResult.OK
    assert result.method == ScanMethod.POSTER
    assert result.attendance.booking_id == booking.id
    assert result.attendance.checked_in_at == NOW + timedelta(minutes=10)
    assert not result.attendance.walk_in
    assert (result.user_id, result.scanned_by_id, result.shift_id) == (
        volunteer.id,
        volunteer.id,
        running.id,
    )


def test_check_in_opens_thirty_minutes_before_the_shift_starts(make_shift, poster, volunteer):
    shift = make_shift(NOW + timedelta(hours=1))
    _confirm(shift, volunteer)

    too_early = scan(volunteer, poster, now=shift.starts_at - timedelta(minutes=31))
    in_time = scan(volunteer, poster, now=shift.starts_at - timedelta(minutes=30))

    assert too_early.result == ScanResult.NO_SHIFT_NOW
    assert in_time.result == ScanResult.OK


def test_scanning_again_answers_already_checked_in_with_the_first_check_in(
    running, poster, volunteer
):
    _confirm(running, volunteer)
    first = scan(volunteer, poster)

    second = scan(volunteer, poster, now=NOW + HOUR)

    assert second.result == ScanResult.ALREADY_CHECKED_IN
    assert second.attendance_id == first.attendance_id
    assert _attendances() == 1
    assert _scans() == 2


def test_no_shift_now_when_nothing_runs_at_the_point(make_shift, poster, volunteer):
    shift = make_shift(NOW + timedelta(hours=0), 4)
    _confirm(shift, volunteer)

    after_the_end = scan(volunteer, poster, now=shift.ends_at)

    assert after_the_end.result == ScanResult.NO_SHIFT_NOW
    assert after_the_end.shift_id is None
    assert after_the_end.service_point_id == shift.service_point_id
    assert _attendances() == 0


def test_a_cancelled_shift_cannot_be_checked_in_to(running, poster, volunteer):
    _confirm(running, volunteer)
    running.status = "cancelled"
    db.session.flush()

    assert scan(volunteer, poster).result == ScanResult.NO_SHIFT_NOW


def test_a_walk_in_books_a_confirmed_place_and_checks_in(running, poster, make_volunteer):
    walker = make_volunteer()

    result = scan(walker, poster, now=NOW + HOUR)

    assert result.result == ScanResult.OK
    assert result.attendance.walk_in
    booking = result.attendance.booking
    assert (booking.shift_id, booking.user_id, booking.status) == (
        running.id,
        walker.id,
        BookingStatus.CONFIRMED,
    )


def test_a_walk_in_at_a_full_shift_is_refused_with_shift_full_and_logged(
    make_campaign, make_shift, poster, make_volunteer
):
    shift = make_shift(NOW + timedelta(hours=0), on=make_campaign(max_per_shift=2, min_per_shift=1))
    for _ in range(2):
        _confirm(shift, make_volunteer())
    walker = make_volunteer()

    result = scan(walker, poster)

    assert result.result == ScanResult.SHIFT_FULL
    assert result.shift_id == shift.id
    assert result.attendance_id is None
    assert db.session.scalar(select(func.count()).where(Booking.user_id == walker.id)) == 0


def test_a_waitlisted_volunteer_gets_a_freed_place_as_a_walk_in(running, poster, volunteer):
    booking = _confirm(running, volunteer, status=BookingStatus.WAITLISTED)

    result = scan(volunteer, poster)

    assert result.result == ScanResult.OK
    assert result.attendance.booking_id == booking.id
    assert booking.status == BookingStatus.CONFIRMED


def test_a_walk_in_is_not_held_to_the_campaigns_weekly_limit(
    make_campaign, make_shift, poster, volunteer
):
    campaign = make_campaign(weekly_limit=1)
    running = make_shift(NOW + timedelta(hours=0), on=campaign)
    _confirm(make_shift(NOW + timedelta(hours=24), on=campaign), volunteer)  # the week's one shift

    result = scan(volunteer, poster)

    assert result.result == ScanResult.OK and result.shift_id == running.id
    assert result.attendance.walk_in


def test_a_volunteer_booked_elsewhere_at_that_time_cannot_walk_in(
    running, make_shift, poster, other_point, volunteer
):
    _confirm(make_shift(NOW + timedelta(hours=0), point=other_point), volunteer)

    assert scan(volunteer, poster).result == ScanResult.NO_SHIFT_NOW
    assert _attendances() == 0


def test_a_forged_token_is_refused_and_logged_without_a_service_point(running, poster, volunteer):
    _confirm(running, volunteer)
    forged = poster[:-3] + ("AAA" if not poster.endswith("AAA") else "BBB")

    result = scan(volunteer, forged)

    assert result.result == ScanResult.INVALID_TOKEN
    assert result.service_point_id is None
    assert result.method == ScanMethod.UNKNOWN
    assert _attendances() == 0


def test_a_badge_token_is_not_a_poster(running, volunteer):
    _confirm(running, volunteer)

    result = scan(volunteer, tokens.badge_token(volunteer))

    assert result.result == ScanResult.INVALID_TOKEN


def test_a_poster_token_of_another_secret_is_invalid(app, running, service_point, volunteer):
    from itsdangerous import URLSafeSerializer

    from app.tokens import PURPOSES

    _confirm(running, volunteer)
    token = URLSafeSerializer("not-our-secret", salt=PURPOSES["checkin-poster"].salt).dumps(
        {"p": service_point.id, "v": 1}
    )

    assert scan(volunteer, token).result == ScanResult.INVALID_TOKEN


def test_rotating_the_key_refuses_the_old_poster_as_rotated(
    running, poster, service_point, volunteer, coordinator
):
    _confirm(running, volunteer)

    version = services.rotate_key(db.session, service_point, coordinator, now=NOW)
    old = scan(volunteer, poster)
    new = scan(volunteer, tokens.poster_token(db.session, service_point))

    assert version == 2
    assert old.result == ScanResult.ROTATED_TOKEN
    assert old.service_point_id == service_point.id
    assert new.result == ScanResult.OK


def test_a_poster_token_has_no_expiry(make_shift, poster, volunteer):
    shift = make_shift(NOW + timedelta(hours=24 * 300))
    _confirm(shift, volunteer)

    assert scan(volunteer, poster, now=shift.starts_at).result == ScanResult.OK


def test_a_live_token_works_in_its_window_and_the_next_then_expires(
    running, service_point, volunteer
):
    _confirm(running, volunteer)
    shown_at = NOW + timedelta(minutes=5)
    token = tokens.live_token(db.session, service_point, shown_at)
    window = timedelta(seconds=tokens.LIVE_WINDOW_SECONDS)

    assert tokens.read_point_token(db.session, token, shown_at + window).refusal is None
    expired = scan(volunteer, token, now=shown_at + 2 * window)
    fresh = scan(
        volunteer,
        tokens.live_token(db.session, service_point, shown_at + 2 * window),
        now=shown_at + 2 * window,
    )

    assert expired.result == ScanResult.EXPIRED_TOKEN
    assert expired.method == ScanMethod.LIVE
    assert fresh.result == ScanResult.OK


def test_rotating_also_refuses_the_live_codes_already_shown(
    running, service_point, volunteer, coordinator
):
    _confirm(running, volunteer)
    token = tokens.live_token(db.session, service_point, NOW)

    services.rotate_key(db.session, service_point, coordinator, now=NOW)

    assert scan(volunteer, token).result == ScanResult.ROTATED_TOKEN


def test_only_a_coordinator_of_the_point_may_rotate_its_poster(
    service_point, other_coordinator, province_coordinator
):
    with pytest.raises(services.NotAllowed):
        services.rotate_key(db.session, service_point, other_coordinator)
    assert services.rotate_key(db.session, service_point, province_coordinator) == 2


# --- nonces -------------------------------------------------------------------------------------


def test_the_same_nonce_twice_writes_nothing_new_and_returns_the_first_result(
    running, poster, volunteer
):
    _confirm(running, volunteer)
    first, created = services.check_in(db.session, volunteer, poster, "same-nonce-1", now=NOW)

    again, created_again = services.check_in(
        db.session, volunteer, poster, "same-nonce-1", now=NOW + HOUR
    )

    assert created and not created_again
    assert again.id == first.id
    assert again.result == ScanResult.OK
    assert (_scans(), _attendances()) == (1, 1)


def test_a_refused_scan_repeated_with_its_nonce_stays_refused(running, volunteer):
    _confirm(running, volunteer)
    first, _ = services.check_in(db.session, volunteer, "forged", "same-nonce-2", now=NOW)

    again, created = services.check_in(db.session, volunteer, "forged", "same-nonce-2", now=NOW)

    assert not created
    assert again.id == first.id and again.result == ScanResult.INVALID_TOKEN
    assert _scans() == 1


def test_another_persons_nonce_is_refused(running, poster, volunteer, make_volunteer):
    services.check_in(db.session, volunteer, poster, "same-nonce-3", now=NOW)

    with pytest.raises(services.NonceTaken):
        services.check_in(db.session, make_volunteer(), poster, "same-nonce-3", now=NOW)


def test_twenty_threads_sending_one_nonce_make_one_scan_and_one_check_in(
    app, running, poster, volunteer
):
    _confirm(running, volunteer)
    user_id = volunteer.id
    db.session.commit()

    def send(_):
        scan, created = services.check_in(
            db.session, db.session.get(User, user_id), poster, "storm-nonce-1", now=NOW
        )
        return scan.id, scan.result, created

    results = in_own_transaction(app, send, 20)

    db.session.expire_all()
    assert len({scan_id for scan_id, _, _ in results}) == 1
    assert {result for _, result, _ in results} == {ScanResult.OK}
    assert [created for _, _, created in results].count(True) == 1
    assert (_scans(), _attendances()) == (1, 1)


def test_twenty_walk_ins_at_once_never_overfill_the_shift(
    app, make_campaign, make_shift, poster, make_volunteer
):
    shift = make_shift(NOW + timedelta(hours=0), on=make_campaign(max_per_shift=5, min_per_shift=1))
    people = [make_volunteer().id for _ in range(20)]
    db.session.commit()

    def walk_in(i):
        scan, _ = services.check_in(
            db.session, db.session.get(User, people[i]), poster, f"walk-in-{i:04d}", now=NOW
        )
        return scan.result

    results = in_own_transaction(app, walk_in, 20)

    assert results.count(ScanResult.OK) == 5
    assert results.count(ScanResult.SHIFT_FULL) == 15
    db.session.expire_all()
    confirmed = db.session.scalar(
        select(func.count()).where(
            Booking.shift_id == shift.id, Booking.status == BookingStatus.CONFIRMED
        )
    )
    assert confirmed == 5


# --- check-out and hours ------------------------------------------------------------------------


def test_check_out_is_one_tap_and_hours_are_the_hours_attended(running, poster, volunteer):
    _confirm(running, volunteer)
    attendance = scan(volunteer, poster, now=NOW + HOUR).attendance

    services.check_out(db.session, attendance, volunteer, now=NOW + 3 * HOUR)
    services.check_out(db.session, attendance, volunteer, now=NOW + 4 * HOUR)  # changes nothing

    assert attendance.checked_out_at == NOW + 3 * HOUR
    assert not attendance.closed_automatically
    assert attendance.hours(NOW + 10 * HOUR) == pytest.approx(2.0)


def test_checking_in_early_counts_from_the_shift_start(make_shift, poster, volunteer):
    shift = make_shift(NOW + timedelta(hours=1), 4)
    _confirm(shift, volunteer)
    attendance = scan(volunteer, poster, now=NOW + timedelta(minutes=40)).attendance

    services.check_out(db.session, attendance, volunteer, now=NOW + 2 * HOUR)

    assert attendance.hours() == pytest.approx(1.0)


def test_a_check_in_left_open_closes_at_the_end_of_the_shift(running, poster, volunteer, runner):
    _confirm(running, volunteer)
    attendance = scan(volunteer, poster, now=NOW + HOUR).attendance

    assert attendance.hours(NOW + 2 * HOUR) == pytest.approx(1.0)  # a running shift: so far
    assert attendance.hours(NOW + 9 * HOUR) == pytest.approx(3.0)  # counted lazily to its end
    assert services.close_finished(db.session, now=NOW + 3 * HOUR) == 0
    assert services.close_finished(db.session, now=NOW + 5 * HOUR) == 1

    assert attendance.checked_out_at == running.ends_at
    assert attendance.closed_automatically
    assert attendance.hours(NOW + 9 * HOUR) == pytest.approx(3.0)


def test_checking_out_after_the_end_closes_at_the_end(running, poster, volunteer):
    _confirm(running, volunteer)
    attendance = scan(volunteer, poster, now=NOW).attendance

    services.check_out(db.session, attendance, volunteer, now=NOW + 7 * HOUR)

    assert attendance.checked_out_at == running.ends_at
    assert attendance.closed_automatically
    assert attendance.hours() == pytest.approx(4.0)


def test_the_close_checkins_command_closes_finished_shifts(make_shift, poster, volunteer, runner):
    shift = make_shift(NOW + timedelta(hours=-24 * 365 * 10), 4)  # long over by the real clock
    _confirm(shift, volunteer)
    scan(volunteer, poster, now=shift.starts_at)
    db.session.commit()

    output = runner.invoke(args=["scheduling", "close-checkins"]).output

    assert "closed 1 check-in(s)" in output
    db.session.expire_all()
    attendance = db.session.scalar(select(Attendance))
    assert attendance.closed_automatically and attendance.checked_out_at == shift.ends_at


def test_an_offline_scan_records_its_time_but_counts_from_when_it_was_received(
    running, poster, volunteer, coordinator
):
    _confirm(running, volunteer)

    result = scan(volunteer, poster, now=NOW + 2 * HOUR, scanned_at=NOW + HOUR, offline=True)

    assert result.offline and result.result == ScanResult.OK
    attendance = result.attendance
    assert attendance.checked_in_at == NOW + HOUR and attendance.received_at == NOW + 2 * HOUR
    assert result.received_at == NOW + 2 * HOUR
    assert attendance.hours(NOW + 3 * HOUR) == 1  # what the server vouches for
    services.confirm(db.session, attendance, coordinator, now=NOW + 3 * HOUR)
    assert attendance.hours(NOW + 3 * HOUR) == 2  # confirmed: from when it was scanned


# --- offline scans: never credited beyond what the server can vouch for ------------------------


def test_a_sofa_scan_of_the_poster_after_the_shift_ended_makes_no_walk_in(
    running, poster, volunteer
):
    result = scan(volunteer, poster, now=NOW + 12 * HOUR, scanned_at=NOW + HOUR, offline=True)

    assert result.result == ScanResult.NO_SHIFT_NOW and result.offline
    assert _attendances() == 0
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_an_offline_walk_in_is_made_only_on_the_shift_running_when_received(
    make_shift, poster, volunteer
):
    make_shift(NOW + timedelta(hours=-8), 4)  # ended four hours before NOW
    now_running = make_shift(NOW + timedelta(hours=0), 4)

    result = scan(volunteer, poster, now=NOW + HOUR, scanned_at=NOW - 6 * HOUR, offline=True)

    assert result.result == ScanResult.SCANNED_BEFORE_SHIFT
    assert result.shift_id == now_running.id and _attendances() == 0


def test_a_scan_received_after_its_shift_is_a_late_sync_without_hours_until_confirmed(
    running, poster, volunteer, coordinator
):
    _confirm(running, volunteer)

    result = scan(volunteer, poster, now=NOW + 12 * HOUR, scanned_at=NOW + HOUR, offline=True)

    assert result.result == ScanResult.LATE_SYNC
    attendance = result.attendance
    assert attendance.late_sync and attendance.awaits_confirmation
    assert attendance.hours(NOW + 12 * HOUR) == 0
    services.confirm(db.session, attendance, coordinator, now=NOW + 13 * HOUR)
    assert attendance.confirmed_by_id == coordinator.id
    assert attendance.hours(NOW + 13 * HOUR) == 3


def test_a_late_sync_is_stored_once_and_answers_late_sync_again(running, poster, volunteer):
    _confirm(running, volunteer)
    options = {"now": NOW + 12 * HOUR, "scanned_at": NOW + HOUR, "offline": True}

    first = scan(volunteer, poster, nonce="nonce-late-01", **options)
    again = scan(volunteer, poster, nonce="nonce-late-01", **options)

    assert first.id == again.id and again.result == ScanResult.LATE_SYNC
    assert _attendances() == 1


def test_an_offline_scan_dated_before_check_in_opened_is_refused_and_logged(
    running, poster, volunteer
):
    _confirm(running, volunteer)

    result = scan(
        volunteer, poster, now=NOW + HOUR, scanned_at=NOW - timedelta(minutes=31), offline=True
    )

    assert result.result == ScanResult.SCANNED_BEFORE_SHIFT
    assert result.id is not None and result.shift_id == running.id
    assert _attendances() == 0


def test_an_offline_scan_dated_after_it_was_received_is_refused_and_logged(
    running, poster, volunteer
):
    _confirm(running, volunteer)

    result = scan(volunteer, poster, now=NOW + HOUR, scanned_at=NOW + 2 * HOUR, offline=True)

    assert result.result == ScanResult.SCANNED_IN_FUTURE
    assert result.id is not None and _attendances() == 0


def test_only_a_coordinator_of_the_commune_confirms_a_late_sync(
    running, poster, volunteer, other_coordinator, make_user, service_point
):
    from scheduling.teams.models import Team, TeamKind

    _confirm(running, volunteer)
    attendance = scan(
        volunteer, poster, now=NOW + 12 * HOUR, scanned_at=NOW + HOUR, offline=True
    ).attendance
    leader = make_user(Role.VOLUNTEER)
    db.session.add(
        Team(
            name="Đội Bồ Đề",
            kind=list(TeamKind)[0],
            province_id=service_point.commune.province_id,
            commune_id=service_point.commune_id,
            leader_id=leader.id,
        )
    )
    db.session.flush()

    for outsider in (other_coordinator, volunteer, leader):
        with pytest.raises(services.NotAllowed):
            services.confirm(db.session, attendance, outsider, now=NOW + 13 * HOUR)
    assert attendance.confirmed_at is None


def test_an_online_check_in_has_nothing_to_confirm(running, poster, volunteer, coordinator):
    _confirm(running, volunteer)
    attendance = scan(volunteer, poster, now=NOW + HOUR).attendance

    with pytest.raises(services.NothingToConfirm):
        services.confirm(db.session, attendance, coordinator, now=NOW + 2 * HOUR)


def test_the_attendance_page_confirms_a_late_scan_with_its_csrf_token(
    english, login, coordinator, other_coordinator, volunteer, make_shift, service_point, poster
):
    shift = make_shift(NOW + timedelta(hours=-24 * 365 * 10), 4)  # ended by the real clock
    _confirm(shift, volunteer)
    attendance = scan(
        volunteer, poster, now=utcnow(), scanned_at=shift.starts_at + HOUR, offline=True
    ).attendance
    db.session.commit()
    login(other_coordinator)
    assert english.post(f"/check-ins/{attendance.id}/confirm").status_code == 404
    login(coordinator)

    page = english.get(f"/shifts/{shift.id}/attendance").get_data(as_text=True)
    assert "Late sync" in page and "Confirm the scan time" in page
    assert "<td>0.0</td>" in page
    answer = english.post(f"/check-ins/{attendance.id}/confirm")

    assert answer.status_code == 302
    db.session.expire_all()
    confirmed = db.session.get(Attendance, attendance.id)
    assert confirmed.confirmed_by_id == coordinator.id and confirmed.hours() == 3
    page = english.get(f"/shifts/{shift.id}/attendance").get_data(as_text=True)
    assert "Confirm the scan time" not in page and "<td>3.0</td>" in page


# --- badges -------------------------------------------------------------------------------------


def test_a_coordinator_scans_a_volunteers_badge_at_the_point(
    running, service_point, volunteer, coordinator
):
    _confirm(running, volunteer)

    result = scan(coordinator, tokens.badge_token(volunteer, NOW), at_point=service_point)

    assert result.result == ScanResult.OK
    assert result.method == ScanMethod.BADGE
    assert (result.user_id, result.scanned_by_id) == (volunteer.id, coordinator.id)
    assert not result.by_self


def test_the_short_code_works_today_and_is_expired_tomorrow(
    running, service_point, volunteer, coordinator
):
    _confirm(running, volunteer)
    code = tokens.badge_code(volunteer.id, NOW)

    assert re.fullmatch(rf"{volunteer.id}-[A-Z2-9]{{6}}", code)
    tomorrow = scan(coordinator, code, at_point=service_point, now=NOW + 24 * HOUR)
    wrong = scan(coordinator, f"{volunteer.id}-AAAAAA", at_point=service_point)
    today = scan(coordinator, code.lower(), at_point=service_point)

    assert tomorrow.result == ScanResult.EXPIRED_TOKEN
    assert wrong.result == ScanResult.INVALID_TOKEN and wrong.user_id is None
    assert today.result == ScanResult.OK


def test_a_badge_expires_after_a_day(running, service_point, volunteer, coordinator):
    _confirm(running, volunteer)
    token = tokens.badge_token(volunteer, now=NOW - 25 * HOUR)

    result = scan(coordinator, token, at_point=service_point, now=NOW)

    assert result.result == ScanResult.EXPIRED_TOKEN


def test_another_communes_coordinator_cannot_scan_at_the_point(
    service_point, volunteer, other_coordinator
):
    with pytest.raises(services.NotAllowed):
        scan(other_coordinator, tokens.badge_token(volunteer), at_point=service_point)
    assert _scans() == 0


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def now_shift(make_shift):
    """A shift running by the real clock (the pages use it)."""
    return make_shift(utcnow().replace(microsecond=0) - HOUR)


def _hidden(page, name):
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def test_the_poster_prints_the_check_in_url_its_qr_and_both_languages(
    app, english, login, coordinator, service_point
):
    login(coordinator)
    page = english.get(f"/service-points/{service_point.id}/poster").get_data(as_text=True)

    url = re.search(r'class="poster-url">([^<]+)<', page).group(1)
    assert re.fullmatch(r"https://caunoi.example.vn/check-in/[\w.-]+", url)
    assert "<svg" in page and 'role="img"' in page
    for language in ("vi", "en"):
        with app.test_request_context(), force_locale(language):
            title = gettext("Volunteer check-in")
            step = gettext("When you leave, tap “Check out” on the same page.")
        assert f'<span lang="{language}">{title}</span>' in page
        assert re.search(rf'<div lang="{language}">\s*<ol>.*{re.escape(step)}', page, re.S)
    assert service_point.commune.name in page and service_point.name in page


def test_the_poster_url_opens_the_check_in_page_after_logging_in(
    english, login, coordinator, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    login(coordinator)
    page = english.get(f"/service-points/{service_point.id}/poster").get_data(as_text=True)
    path = re.search(r'class="poster-url">https://caunoi.example.vn([^<]+)<', page).group(1)
    english.post("/logout")

    response = english.get(path)
    assert response.status_code == 302 and "/login?next=/check-in/" in response.location
    english.post(
        response.location, data={"email": volunteer.email, "password": "correct horse battery"}
    )
    page = english.get(path).get_data(as_text=True)
    assert "You will be checked in to your booked shift." in page

    response = english.post(
        path, data={"nonce": _hidden(page, "nonce"), "scanned_at": _hidden(page, "scanned_at")}
    )
    assert response.status_code == 302
    attendance = db.session.scalar(select(Attendance))
    assert response.location.endswith(f"/check-ins/{attendance.id}")
    page = english.get(response.location).get_data(as_text=True)
    assert "You are checked in." in page and "Check out" in page

    response = english.post(f"/check-ins/{attendance.id}/checkout")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attendance, attendance.id).checked_out_at is not None


def test_the_same_button_pressed_twice_checks_in_once(
    english, login, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    path = "/check-in/" + tokens.poster_token(db.session, service_point)
    login(volunteer)
    page = english.get(path).get_data(as_text=True)
    data = {"nonce": _hidden(page, "nonce"), "scanned_at": _hidden(page, "scanned_at")}

    first, second = english.post(path, data=data), english.post(path, data=data)

    assert first.location == second.location
    assert (_scans(), _attendances()) == (1, 1)


def test_the_page_offers_a_walk_in_when_there_is_room(
    english, login, make_volunteer, service_point, now_shift
):
    login(make_volunteer())
    page = english.get("/check-in/" + tokens.poster_token(db.session, service_point))

    assert "Check in as a walk-in" in page.get_data(as_text=True)


def test_opening_a_forged_qr_shows_why_and_logs_the_scan(english, login, volunteer):
    login(volunteer)

    response = english.get("/check-in/not-a-real-token")

    assert response.status_code == 403
    assert "not a valid check-in code" in response.get_data(as_text=True)
    logged = db.session.scalar(select(Scan))
    assert logged.result == ScanResult.INVALID_TOKEN and logged.user_id == volunteer.id


def test_opening_a_replaced_poster_says_so_in_vietnamese(
    client, login, volunteer, service_point, coordinator
):
    token = tokens.poster_token(db.session, service_point)
    services.rotate_key(db.session, service_point, coordinator)
    login(volunteer)

    response = client.get("/check-in/" + token)

    assert response.status_code == 410
    assert db.session.scalar(select(Scan.result)) == ScanResult.ROTATED_TOKEN


def test_a_coordinator_rotates_the_poster_from_its_page(english, login, coordinator, service_point):
    old = tokens.poster_token(db.session, service_point)
    login(coordinator)

    response = english.post(f"/service-points/{service_point.id}/poster/rotate")

    assert response.status_code == 302
    assert tokens.poster_token(db.session, service_point) != old
    assert tokens.key_version(db.session, service_point.id) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/service-points/{point}/checkin",
        "/service-points/{point}/poster",
        "/service-points/{point}/live-qr",
        "/service-points/{point}/live-qr.svg",
        "/service-points/{point}/scan",
        "/shifts/{shift}/attendance",
    ],
)
def test_another_communes_coordinator_cannot_open_the_points_check_in_pages(
    english, login, other_coordinator, service_point, now_shift, path
):
    login(other_coordinator)

    response = english.get(path.format(point=service_point.id, shift=now_shift.id))

    assert response.status_code == 403


def test_another_communes_coordinator_cannot_rotate_the_poster(
    english, login, other_coordinator, service_point
):
    login(other_coordinator)

    assert english.post(f"/service-points/{service_point.id}/poster/rotate").status_code == 403
    assert tokens.key_version(db.session, service_point.id) == 1


def test_another_communes_coordinator_cannot_see_or_close_a_check_in(
    english, login, other_coordinator, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    attendance = scan(
        volunteer, tokens.poster_token(db.session, service_point), now=now_shift.starts_at
    ).attendance
    login(other_coordinator)

    assert english.get(f"/check-ins/{attendance.id}").status_code == 404
    assert english.post(f"/check-ins/{attendance.id}/checkout").status_code == 404


def test_a_coordinator_of_another_province_cannot_see_the_campaigns_hours(
    english, login, make_user, campaign
):
    from sqlalchemy import select as _select

    from app.places.models import Province

    elsewhere = db.session.scalar(_select(Province).where(Province.code != "01").limit(1))
    login(make_user(Role.COORDINATOR, province=elsewhere))

    assert english.get(f"/attendance/campaigns/{campaign.id}").status_code == 403


def test_the_shift_attendance_lists_arrivals_hours_and_no_shows(
    english, login, coordinator, make_volunteer, make_shift, service_point, poster
):
    shift = make_shift(NOW + timedelta(hours=-24 * 365 * 10), 4)  # ended by the real clock
    came = make_volunteer(full_name="Trần Thị Có Mặt")
    missed = make_volunteer(full_name="Lê Văn Vắng")
    _confirm(shift, came)
    _confirm(shift, missed)
    attendance = scan(came, poster, now=shift.starts_at + HOUR).attendance
    services.check_out(db.session, attendance, came, now=shift.starts_at + 3 * HOUR)
    login(coordinator)

    page = english.get(f"/shifts/{shift.id}/attendance").get_data(as_text=True)

    assert "1 of 2 booked volunteers checked in" in page
    assert "1 no-show" in page
    row = re.search(r"Trần Thị Có Mặt.*?</tr>", page, re.S).group(0)
    assert "8:00" in row and "10:00" in row  # Hanoi time: the shift starts at 07:00 there
    assert "<td>2.0</td>" in row
    assert "No-show" in re.search(r"Lê Văn Vắng.*?</tr>", page, re.S).group(0)


def test_the_campaign_table_sums_each_volunteers_hours(
    english, login, coordinator, make_volunteer, make_shift, poster, campaign
):
    came = make_volunteer(full_name="Trần Thị Có Mặt")
    for days in (3650, 3649):
        shift = make_shift(NOW + timedelta(hours=-24 * days), 4)
        _confirm(shift, came)
        scan(came, poster, now=shift.starts_at)  # left open: closes at the end, 4 h each
    login(coordinator)

    page = english.get(f"/attendance/campaigns/{campaign.id}").get_data(as_text=True)

    row = re.search(r"Trần Thị Có Mặt.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>([^<]*)", row) == ["2", "2", "0", "8.0"]


def test_the_badge_page_shows_a_qr_and_a_short_code(english, login, volunteer):
    login(volunteer)

    page = english.get("/me/badge").get_data(as_text=True)

    assert "<svg" in page
    assert tokens.badge_code(volunteer.id) in page
    assert "jsQR" not in page  # the decoder stays off the volunteers' pages


def test_my_shifts_links_to_the_badge(english, login, volunteer):
    login(volunteer)

    assert "/me/badge" in english.get("/me/shifts").get_data(as_text=True)


def test_the_scanner_checks_a_volunteer_in_by_short_code(
    english, login, coordinator, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    login(coordinator)
    page = english.get(f"/service-points/{service_point.id}/scan").get_data(as_text=True)
    assert "js/scanner.js" in page

    response = english.post(
        f"/service-points/{service_point.id}/scan",
        data={
            "code": tokens.badge_code(volunteer.id),
            "nonce": _hidden(page, "nonce"),
            "scanned_at": _hidden(page, "scanned_at"),
        },
    )

    assert response.status_code == 200
    assert "Checked in." in response.get_data(as_text=True)
    logged = db.session.scalar(select(Scan))
    assert (logged.user_id, logged.scanned_by_id, logged.result) == (
        volunteer.id,
        coordinator.id,
        ScanResult.OK,
    )


def test_the_live_qr_page_refreshes_with_and_without_javascript(
    english, login, coordinator, service_point
):
    login(coordinator)

    page = english.get(f"/service-points/{service_point.id}/live-qr").get_data(as_text=True)
    svg = english.get(f"/service-points/{service_point.id}/live-qr.svg")

    assert '<meta http-equiv="refresh" content="30">' in page
    assert "js/live-qr.js" in page
    assert svg.mimetype == "image/svg+xml" and svg.headers["Cache-Control"] == "no-store"


def test_a_coordinator_checks_a_volunteer_out_from_the_attendance_list(
    english, login, coordinator, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    token = tokens.poster_token(db.session, service_point)
    attendance = scan(volunteer, token, now=now_shift.starts_at).attendance
    login(coordinator)
    page = english.get(f"/shifts/{now_shift.id}/attendance").get_data(as_text=True)
    assert f"/check-ins/{attendance.id}/checkout" in page

    response = english.post(f"/check-ins/{attendance.id}/checkout")

    assert response.location.endswith(f"/shifts/{now_shift.id}/attendance")
    db.session.expire_all()
    checked_out = db.session.get(Attendance, attendance.id)
    assert checked_out.checked_out_at is not None
    assert checked_out.checked_out_by_id == coordinator.id


def test_a_commune_outside_the_campaign_cannot_see_its_hours(
    english, login, other_coordinator, province_coordinator, campaign
):
    login(other_coordinator)
    assert english.get(f"/attendance/campaigns/{campaign.id}").status_code == 403

    login(province_coordinator)
    assert english.get(f"/attendance/campaigns/{campaign.id}").status_code == 200


def test_the_campaign_hours_count_only_the_points_the_reader_coordinates(
    make_campaign,
    make_shift,
    make_user,
    make_volunteer,
    poster,
    other_point,
    bo_de,
    other_commune,
    province_coordinator,
):
    campaign = make_campaign(communes=[bo_de, other_commune])
    here, there = make_volunteer(), make_volunteer()
    for person, point in ((here, None), (there, other_point)):
        shift = make_shift(NOW + timedelta(hours=-24 * 3650), on=campaign, point=point)
        _confirm(shift, person)
    other_side = make_user(Role.COORDINATOR, commune=other_commune)

    def people(viewer):
        return {row.user.id for row in reports.campaign_hours(db.session, campaign, viewer)}

    assert people(other_side) == {there.id}
    assert people(province_coordinator) == {here.id, there.id}


def test_the_scan_log_shows_sentences_not_result_codes(
    english, login, coordinator, volunteer, service_point, now_shift
):
    _confirm(now_shift, volunteer)
    login(coordinator)
    page = english.get(f"/service-points/{service_point.id}/scan").get_data(as_text=True)
    for _time in range(2):  # checked in, then already checked in
        english.post(
            f"/service-points/{service_point.id}/scan",
            data={
                "code": tokens.badge_code(volunteer.id),
                "nonce": _hidden(page, "nonce"),
                "scanned_at": _hidden(page, "scanned_at"),
            },
        )
        page = english.get(f"/service-points/{service_point.id}/scan").get_data(as_text=True)

    log = page[page.index("Latest badge scans") :]
    assert "This volunteer is already checked in." in log and "Checked in." in log
    assert "already_checked_in" not in log and "<code>ok</code>" not in log
    attendance = english.get(f"/shifts/{now_shift.id}/attendance").get_data(as_text=True)
    assert "already_checked_in" not in attendance
    assert "This volunteer is already checked in." in attendance


def test_a_full_shift_on_the_coordinators_scanner_does_not_send_them_to_the_coordinator(app):
    from flask_babel import force_locale

    from scheduling.checkin.messages import result_message

    with force_locale("en"):
        sentence = result_message(ScanResult.SHIFT_FULL, badge=True)
    assert "staffing page" in sentence and "coordinator" not in sentence
