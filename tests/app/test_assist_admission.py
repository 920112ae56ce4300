"""Who may log an assisted submission, where, dated when, and how often (issue 12): a registered
account cannot skew a commune's figures."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from impact.assists import services
from impact.assists.messages import REFUSALS, refusal_message
from impact.assists.models import AssistedSubmission
from impact.dashboard.models import AssistDailyCount
from scheduling.checkin import services as checkin

HOUR = timedelta(hours=1)
#: 09:30 in Hanoi on 8 January 2030
MORNING = datetime(2030, 1, 8, 2, 30, tzinfo=UTC)


def _count():
    return db.session.scalar(select(func.count()).select_from(AssistedSubmission))


def _refusal(user, entry, now=None):
    with pytest.raises(services.Refused) as refused:
        services.record_assist(db.session, user, entry, now=now)
    return refused.value.code


@pytest.fixture
def elsewhere(bo_de):
    point = ServicePoint(commune=bo_de, name="Điểm phụ Bồ Đề", address="Số 2")
    db.session.add(point)
    db.session.flush()
    return point


# --- volunteers: only while checked in there ---------------------------------------------------


def test_fifty_entries_from_a_fresh_account_change_no_figure(make_volunteer, assist_entry):
    stranger = make_volunteer()
    for _ in range(50):
        code = _refusal(stranger, assist_entry(level="paper", channel="paper"))
        assert code == "not_checked_in"
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(AssistDailyCount)) == 0


def test_a_volunteer_checked_in_at_the_point_logs_there_on_their_shift(
    volunteer, on_duty, assist_entry
):
    shift = on_duty(volunteer)

    row, created = services.record_assist(db.session, volunteer, assist_entry())

    assert created and row.shift_id == shift.id and not row.late


def test_a_volunteer_checked_in_elsewhere_cannot_log_at_another_point(
    volunteer, on_duty, assist_entry, elsewhere
):
    on_duty(volunteer, point=elsewhere)

    assert _refusal(volunteer, assist_entry()) == "not_checked_in"


def test_a_checked_out_volunteer_can_no_longer_log(volunteer, on_duty, assist_entry):
    on_duty(volunteer)
    (attendance,) = checkin.open_attendances(db.session, volunteer.id)
    checkin.check_out(db.session, attendance, volunteer)

    assert _refusal(volunteer, assist_entry()) == "not_checked_in"


def test_an_entry_dated_1970_is_refused_even_from_a_checked_in_volunteer(
    volunteer, on_duty, assist_entry
):
    on_duty(volunteer)

    code = _refusal(volunteer, assist_entry(occurred_at="1970-01-01T09:00:00+07:00"))

    assert code == "outside_shift" and _count() == 0


# --- the offline queue: a booking there that day, dated within its shifts ----------------------


def test_an_offline_entry_may_arrive_late_but_is_dated_within_the_booked_shift(
    volunteer, make_shift, assist_entry
):
    shift = make_shift(MORNING - HOUR, booked=[volunteer])
    entry = assist_entry(occurred_at=(MORNING + HOUR).isoformat(), offline=True)

    row, created = services.record_assist(db.session, volunteer, entry, now=MORNING + 30 * HOUR)

    assert created and row.late and row.shift_id == shift.id


def test_an_offline_entry_without_a_booking_there_that_day_is_refused(
    volunteer, make_shift, assist_entry, elsewhere
):
    make_shift(MORNING - HOUR, point=elsewhere, booked=[volunteer])
    entry = assist_entry(occurred_at=MORNING.isoformat(), offline=True)

    assert _refusal(volunteer, entry, now=MORNING + 10 * HOUR) == "not_booked"


def test_an_offline_entry_dated_outside_the_days_shifts_is_refused(
    volunteer, make_shift, assist_entry
):
    shift = make_shift(MORNING - HOUR, booked=[volunteer])
    evening = shift.ends_at + 3 * HOUR
    entry = assist_entry(occurred_at=evening.isoformat(), offline=True)

    assert _refusal(volunteer, entry, now=evening + HOUR) == "outside_shift"


# --- coordinators and admins: the point's day ------------------------------------------------


def test_a_coordinator_logs_at_their_communes_point_today_not_yesterday_or_ahead(
    coordinator, assist_entry
):
    now = MORNING + 8 * HOUR  # 17:30 in Hanoi
    row, created = services.record_assist(
        db.session, coordinator, assist_entry(occurred_at=MORNING.isoformat()), now=now
    )
    assert created and row.shift_id is None

    yesterday = assist_entry(occurred_at=(MORNING - 24 * HOUR).isoformat())
    assert _refusal(coordinator, yesterday, now=now) == "outside_day"
    with pytest.raises(services.InvalidEntry) as future:
        services.record_assist(
            db.session, coordinator, assist_entry(occurred_at=(now + HOUR).isoformat()), now=now
        )
    assert future.value.fields == {"occurred_at": "future"}


def test_another_communes_coordinator_is_held_to_the_volunteers_rule(
    other_coordinator, assist_entry
):
    assert _refusal(other_coordinator, assist_entry()) == "not_checked_in"


# --- the hourly limit ---------------------------------------------------------------------------


def test_the_hourly_limit_is_counted_over_the_log_and_a_retry_does_not_count(
    app, monkeypatch, volunteer, on_duty, assist_entry
):
    monkeypatch.setitem(app.config, "ASSIST_HOURLY_LIMIT", 3)
    on_duty(volunteer)
    now = utcnow()
    first = assist_entry()
    for entry in (first, assist_entry(), assist_entry()):
        services.record_assist(db.session, volunteer, entry, now=now)

    assert _refusal(volunteer, assist_entry(), now=now) == "rate_limited"
    again, created = services.record_assist(db.session, volunteer, first, now=now)
    assert not created and str(again.id) == first["id"] and _count() == 3
    later, created = services.record_assist(db.session, volunteer, assist_entry(), now=now + HOUR)
    assert created


# --- the API and the log screen say why ---------------------------------------------------------


def test_the_log_screen_tells_a_volunteer_not_checked_in_why(
    client, login, make_volunteer, assist_entry
):
    login(make_volunteer())
    entry = assist_entry()
    data = {k: v for k, v in entry.items() if isinstance(v, str | int) and not isinstance(v, bool)}
    data.pop("occurred_at")
    client.set_cookie("lang", "en")

    response = client.post("/assists/new", data=data)

    assert response.status_code == 403
    assert "Check in at this service point first" in response.get_data(as_text=True)
    assert _count() == 0


def test_every_refusal_has_a_sentence_in_vietnamese_and_english(app):
    for code in REFUSALS:
        with force_locale("en"):
            english = refusal_message(code)
        with force_locale("vi"):
            vietnamese = refusal_message(code)
        assert english and vietnamese and english != vietnamese, code
