"""The assisted-submission log: checking entries, storing each client-made id once, late entries,
undo, the log screen without script, its offline queue's sync endpoint, and who sees what."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_time
from sqlalchemy import func, select

from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from impact.assists import services
from impact.assists.models import AssistedSubmission, Procedure, Reason
from tests.harness import in_own_transaction


@pytest.fixture(autouse=True)
def _volunteer_on_duty(volunteer, on_duty):
    """The volunteer is checked in at the service point now: only then do their entries count
    (tests of who may log, and when, are in tests/app/test_assist_admission.py)."""
    on_duty(volunteer)


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AssistedSubmission))


# --- checking each field ----------------------------------------------------------------------


def test_a_valid_entry_is_stored_with_its_commune_province_and_local_day(
    volunteer, service_point, assist_entry, on_duty
):
    # 18:30 UTC on 7 January is already 8 January in Hanoi
    occurred = datetime(2030, 1, 7, 18, 30, tzinfo=UTC)
    on_duty(volunteer, at=occurred)
    received = occurred + timedelta(minutes=1)
    row, created = services.record_assist(
        db.session, volunteer, assist_entry(occurred_at=occurred.isoformat()), now=received
    )
    assert created
    assert row.commune_id == service_point.commune_id
    assert row.province_id == service_point.commune.province_id
    assert row.occurred_on == date(2030, 1, 8)
    assert row.received_at == received
    assert row.procedure.code == "birth-registration"
    assert (row.vulnerable, row.at_home, row.self_service, row.offline) == (
        True,
        False,
        False,
        False,
    )
    assert row.reason is None
    assert not row.late


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id", None, "required"),
        ("id", "not-a-uuid", "not_uuid"),
        ("service_point", None, "required"),
        ("service_point", 999999, "not_found"),
        ("service_point", "abc", "not_found"),
        ("procedure", None, "required"),
        ("procedure", "no-such-procedure", "not_found"),
        ("procedure", 12, "not_found"),
        ("channel", None, "required"),
        ("channel", "fax", "not_a_choice"),
        ("level", "half_online", "not_a_choice"),
        ("outcome", "maybe", "not_a_choice"),
        ("reason", "bad_weather", "not_a_choice"),
        ("result_electronic", "perhaps", "not_a_choice"),
        ("age_band", "30_50", "not_a_choice"),
        ("age_band", None, "required"),
        ("vulnerable", "sometimes", "not_boolean"),
        ("at_home", 3, "not_boolean"),
        ("self_service", [], "not_boolean"),
        ("occurred_at", None, "required"),
        ("occurred_at", "yesterday", "not_time"),
        ("occurred_at", "2030-01-07T09:30:00", "naive_time"),
    ],
)
def test_each_field_is_checked_and_nothing_is_stored(volunteer, assist_entry, field, value, code):
    entry = assist_entry(**{field: value})
    if field == "reason":
        entry["outcome"] = "not_submitted"
    with pytest.raises(services.InvalidEntry) as refusal:
        services.record_assist(db.session, volunteer, entry)
    assert refusal.value.fields[field] == code
    assert _count() == 0


def test_every_reason_code_is_accepted_for_a_dossier_not_submitted(volunteer, assist_entry):
    for reason in Reason:
        entry = assist_entry(outcome="not_submitted", reason=str(reason), result_electronic="no")
        row, created = services.record_assist(db.session, volunteer, entry)
        assert created and row.reason == reason
    assert _count() == len(Reason)


def test_a_dossier_not_submitted_needs_a_reason(volunteer, assist_entry):
    with pytest.raises(services.InvalidEntry) as refusal:
        services.record_assist(db.session, volunteer, assist_entry(outcome="not_submitted"))
    assert refusal.value.fields == {"reason": "reason_required"}


def test_a_submitted_dossier_has_no_reason(volunteer, assist_entry):
    with pytest.raises(services.InvalidEntry) as refusal:
        services.record_assist(db.session, volunteer, assist_entry(reason="network_down"))
    assert refusal.value.fields == {"reason": "reason_not_allowed"}


@pytest.mark.parametrize(("channel", "level"), [("paper", "fully_online"), ("vneid", "paper")])
def test_paper_at_the_counter_goes_with_the_paper_level_only(
    volunteer, assist_entry, channel, level
):
    with pytest.raises(services.InvalidEntry) as refusal:
        services.record_assist(db.session, volunteer, assist_entry(channel=channel, level=level))
    assert refusal.value.fields == {"level": "paper_mismatch"}


def test_paper_with_paper_is_accepted(volunteer, assist_entry):
    row, _ = services.record_assist(
        db.session, volunteer, assist_entry(channel="paper", level="paper")
    )
    assert str(row.channel) == "paper"


def test_a_time_in_the_future_is_refused_but_a_little_clock_drift_is_not(volunteer, assist_entry):
    now = utcnow()
    ahead = (now + timedelta(hours=2)).isoformat()
    with pytest.raises(services.InvalidEntry) as refusal:
        services.record_assist(db.session, volunteer, assist_entry(occurred_at=ahead), now=now)
    assert refusal.value.fields == {"occurred_at": "future"}
    drift = (now + timedelta(minutes=3)).isoformat()
    _, created = services.record_assist(
        db.session, volunteer, assist_entry(occurred_at=drift), now=now
    )
    assert created


def test_a_time_with_z_is_read_as_utc(volunteer, assist_entry, on_duty):
    on_duty(volunteer, at=datetime(2025, 7, 15, 2, tzinfo=UTC))
    row, _ = services.record_assist(
        db.session, volunteer, assist_entry(occurred_at="2025-07-15T02:00:00.123Z")
    )
    assert row.occurred_at == datetime(2025, 7, 15, 2, 0, 0, 123000, tzinfo=UTC)


def test_a_procedure_deactivated_while_the_entry_waited_is_still_accepted(volunteer, assist_entry):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "death-registration"))
    procedure.active = False
    db.session.flush()
    _, created = services.record_assist(
        db.session, volunteer, assist_entry(procedure="death-registration")
    )
    assert created


# --- one row per client-made id ---------------------------------------------------------------


def test_the_same_id_again_answers_the_stored_entry_unchanged(volunteer, assist_entry):
    entry = assist_entry()
    first, created = services.record_assist(db.session, volunteer, entry)
    changed = {**entry, "channel": "paper", "level": "paper", "procedure": "nonsense"}
    again, created_again = services.record_assist(db.session, volunteer, changed)
    assert created and not created_again
    assert again.id == first.id
    assert str(again.channel) == "vneid"
    assert _count() == 1


def test_another_volunteers_id_is_refused_without_showing_their_entry(
    volunteer, make_volunteer, assist_entry
):
    entry = assist_entry()
    services.record_assist(db.session, volunteer, entry)
    with pytest.raises(services.AssistError) as refusal:
        services.record_assist(db.session, make_volunteer(), entry)
    assert refusal.value.code == "id_taken"
    assert _count() == 1


def test_the_same_id_from_twenty_threads_makes_one_row(app, volunteer, assist_entry):
    entry = assist_entry()
    volunteer_id = volunteer.id
    db.session.commit()

    def send(_):
        _row, created = services.record_assist(
            db.session, db.session.get(User, volunteer_id), dict(entry)
        )
        return created

    created = in_own_transaction(app, send, 20)

    assert created.count(True) == 1
    assert _count() == 1


# --- late entries -----------------------------------------------------------------------------


def test_an_entry_sent_after_its_shift_ended_is_stored_and_flagged_late(
    volunteer, make_shift, assist_entry
):
    shift = make_shift(datetime(2030, 1, 8, 0, 30, tzinfo=UTC), booked=[volunteer])
    during = shift.starts_at + timedelta(hours=1)
    entry = assist_entry(occurred_at=during.isoformat(), offline=True)
    row, created = services.record_assist(
        db.session, volunteer, entry, now=shift.ends_at + timedelta(hours=9)
    )
    assert created
    assert row.late and row.offline
    assert row.shift_id == shift.id


def test_an_entry_sent_during_its_shift_is_not_late(volunteer, on_duty, assist_entry):
    shift = on_duty(volunteer, at=datetime(2030, 1, 8, 1, 30, tzinfo=UTC))
    during = shift.starts_at + timedelta(hours=1)
    row, _ = services.record_assist(
        db.session,
        volunteer,
        assist_entry(occurred_at=during.isoformat()),
        now=during + timedelta(minutes=20),
    )
    assert row.shift_id == shift.id
    assert not row.late


def test_an_entry_of_someone_elses_shift_is_not_linked_to_it(
    coordinator, make_volunteer, make_shift, assist_entry
):
    shift = make_shift(datetime(2030, 1, 8, 0, 30, tzinfo=UTC), booked=[make_volunteer()])
    during = shift.starts_at + timedelta(hours=1)
    row, _ = services.record_assist(
        db.session, coordinator, assist_entry(occurred_at=during.isoformat()), now=during
    )
    assert row.shift_id is None


def test_without_a_shift_an_entry_is_late_once_its_local_day_is_over(coordinator, assist_entry):
    # only a coordinator logs off shift; the next morning's entry waited in an offline queue
    occurred = datetime(2030, 1, 8, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi
    same_evening = datetime(2030, 1, 8, 16, 59, tzinfo=UTC)  # 23:59 in Hanoi
    next_morning = datetime(2030, 1, 9, 1, 0, tzinfo=UTC)
    on_time, _ = services.record_assist(
        db.session, coordinator, assist_entry(occurred_at=occurred.isoformat()), now=same_evening
    )
    late, _ = services.record_assist(
        db.session,
        coordinator,
        assist_entry(occurred_at=occurred.isoformat(), offline=True),
        now=next_morning,
    )
    assert not on_time.late
    assert late.late


# --- undo -------------------------------------------------------------------------------------


def test_undo_within_five_minutes_voids_the_entry_and_keeps_the_row(volunteer, assist_entry):
    now = utcnow()
    row, _ = services.record_assist(db.session, volunteer, assist_entry(), now=now)
    services.undo_assist(db.session, row, volunteer, now=now + timedelta(minutes=4))
    assert row.voided_at == now + timedelta(minutes=4)
    assert _count() == 1
    assert services.last_entry(db.session, volunteer.id) is None


def test_undo_after_five_minutes_is_refused(volunteer, assist_entry):
    now = utcnow()
    row, _ = services.record_assist(db.session, volunteer, assist_entry(), now=now)
    with pytest.raises(services.AssistError):
        services.undo_assist(db.session, row, volunteer, now=now + timedelta(minutes=6))
    assert row.voided_at is None


def test_nobody_undoes_another_volunteers_entry(volunteer, make_volunteer, assist_entry):
    row, _ = services.record_assist(db.session, volunteer, assist_entry())
    with pytest.raises(services.AssistError):
        services.undo_assist(db.session, row, make_volunteer())


# --- the log screen ---------------------------------------------------------------------------


def _form(entry):
    data = {k: v for k, v in entry.items() if v is not None and not isinstance(v, bool)}
    data.pop("occurred_at")
    for flag in ("vulnerable", "at_home", "self_service"):
        if entry.get(flag):
            data[flag] = "y"
    return data


def test_the_log_screen_offers_the_shifts_point_first_and_the_last_choices(
    client, login, volunteer, make_shift, assist_entry, bo_de, on_duty
):
    other = ServicePoint(commune=bo_de, name="Điểm phụ Bồ Đề", address="Số 2")
    db.session.add(other)
    db.session.flush()
    earlier = utcnow().replace(microsecond=0) - timedelta(hours=5)
    on_duty(volunteer, point=other, at=earlier)
    services.record_assist(
        db.session,
        volunteer,
        assist_entry(
            service_point=other.id,
            procedure="marriage-registration",
            age_band="18_39",
            occurred_at=earlier.isoformat(),
            offline=True,
        ),
    )
    now = utcnow()
    shift = make_shift(now - timedelta(hours=1), booked=[volunteer])
    login(volunteer)
    page = client.get("/assists/new").get_data(as_text=True)
    assert f'<option selected value="{shift.service_point_id}">' in page
    assert '<option selected value="marriage-registration">' in page
    assert '<input checked id="age_band-1" name="age_band" type="radio" value="18_39">' in page


def test_recently_used_procedures_come_first_in_the_picker(client, login, volunteer, assist_entry):
    services.record_assist(db.session, volunteer, assist_entry(procedure="stay-notification"))
    login(volunteer)
    client.set_cookie("lang", "en")
    page = client.get("/assists/new").get_data(as_text=True)
    recent_group = page.index('optgroup label="Recently used"')
    assert recent_group < page.index('value="stay-notification"') < page.index("All procedures")


def test_the_log_screen_saves_without_script(client, login, volunteer, assist_entry):
    login(volunteer)
    entry = assist_entry()
    response = client.post("/assists/new", data=_form(entry))
    assert response.status_code == 302
    row = db.session.get(AssistedSubmission, uuid.UUID(entry["id"]))
    assert row is not None and row.volunteer_id == volunteer.id and not row.offline
    # the same form posted twice (a double tap) is still one entry
    client.post("/assists/new", data=_form(entry))
    assert _count() == 1


def test_the_log_screen_shows_errors_and_stores_nothing(client, login, volunteer, assist_entry):
    login(volunteer)
    client.set_cookie("lang", "en")
    response = client.post(
        "/assists/new", data=_form(assist_entry(outcome="not_submitted", age_band=None))
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose why the dossier could not be submitted." in page
    assert 'id="age_band-error"' in page
    assert _count() == 0


def test_undo_from_the_log_screen(client, login, volunteer, assist_entry):
    row, _ = services.record_assist(db.session, volunteer, assist_entry())
    login(volunteer)
    response = client.post(f"/assists/{row.id}/undo")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AssistedSubmission, row.id).voided_at is not None


def test_nobody_else_can_undo_an_entry(client, login, volunteer, make_volunteer, assist_entry):
    row, _ = services.record_assist(db.session, volunteer, assist_entry())
    login(make_volunteer())
    assert client.post(f"/assists/{row.id}/undo").status_code == 404


# --- the offline queue's sync endpoint --------------------------------------------------------


def _token(app, user):
    return services.sync_token(app.config["SECRET_KEY"], user)


def test_the_queue_sends_with_the_page_token_and_a_repeat_is_harmless(
    app, client, login, volunteer, assist_entry
):
    login(volunteer)
    entry = assist_entry(offline=True)
    headers = {"X-Sync-Token": _token(app, volunteer)}
    first = client.post("/assists/sync", json=entry, headers=headers)
    again = client.post("/assists/sync", json=entry, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert first.get_json()["offline"] is True
    assert _count() == 1


def test_the_sync_token_still_works_hours_later(app, volunteer):
    token = _token(app, volunteer)
    assert services.sync_token_user_id(app.config["SECRET_KEY"], token) == volunteer.id
    # the token lasts three days: a night offline is fine, a forged one never
    assert services.SYNC_TOKEN_MAX_AGE >= 24 * 3600
    assert services.sync_token_user_id(app.config["SECRET_KEY"], token + "x") is None


def test_the_queue_is_refused_without_a_token_or_with_another_persons(
    app, client, login, volunteer, make_volunteer, assist_entry
):
    login(volunteer)
    missing = client.post("/assists/sync", json=assist_entry())
    other = client.post(
        "/assists/sync",
        json=assist_entry(),
        headers={"X-Sync-Token": _token(app, make_volunteer())},
    )
    assert (missing.status_code, other.status_code) == (403, 403)
    assert _count() == 0


def test_an_expired_sync_token_is_refused(app, volunteer):
    token = _token(app, volunteer)
    assert services.sync_token_user_id(app.config["SECRET_KEY"], token, max_age=-1) is None


def test_the_queue_answers_errors_per_field(app, client, login, volunteer, assist_entry):
    login(volunteer)
    response = client.post(
        "/assists/sync",
        json=assist_entry(channel="fax"),
        headers={"X-Sync-Token": _token(app, volunteer)},
    )
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"channel"}


def test_a_signed_out_queue_gets_no_json_success(client, assist_entry):
    response = client.post("/assists/sync", json=assist_entry())
    assert response.status_code == 302
    assert _count() == 0


# --- who sees which entries -------------------------------------------------------------------


@pytest.fixture
def entries(volunteer, make_volunteer, other_commune, assist_entry, on_duty):
    """One entry of the volunteer in Bồ Đề, one of another volunteer in another commune."""
    point = ServicePoint(commune=other_commune, name="Điểm khác", address="Số 3")
    db.session.add(point)
    db.session.flush()
    mine, _ = services.record_assist(db.session, volunteer, assist_entry())
    other = make_volunteer()
    on_duty(other, point=point)
    theirs, _ = services.record_assist(db.session, other, assist_entry(service_point=point.id))
    return mine, theirs


def test_a_volunteer_sees_only_their_own_entries(client, login, volunteer, entries):
    mine, theirs = entries
    login(volunteer)
    assert client.get(f"/assists/{mine.id}").status_code == 200
    assert client.get(f"/assists/{theirs.id}").status_code == 404
    listing = client.get("/assists").get_data(as_text=True)
    assert str(mine.id) in listing and str(theirs.id) not in listing


def test_a_coordinator_sees_their_communes_entries_only(client, login, coordinator, entries):
    mine, theirs = entries
    login(coordinator)
    assert client.get(f"/assists/{mine.id}").status_code == 200
    assert client.get(f"/assists/{theirs.id}").status_code == 404
    assert client.post(f"/assists/{mine.id}/undo").status_code == 404


def test_another_communes_coordinator_gets_404_on_every_entry_url(
    client, login, other_coordinator, volunteer, assist_entry
):
    row, _ = services.record_assist(db.session, volunteer, assist_entry())
    login(other_coordinator)
    assert client.get(f"/assists/{row.id}").status_code == 404
    assert client.post(f"/assists/{row.id}/undo").status_code == 404
    assert str(row.id) not in client.get("/assists").get_data(as_text=True)


def test_a_province_coordinator_sees_every_commune_of_the_province(
    client, login, province_coordinator, entries
):
    login(province_coordinator)
    listing = client.get("/assists").get_data(as_text=True)
    assert all(str(row.id) in listing for row in entries)


def test_a_learner_cannot_log(client, login, make_user):
    login(make_user(Role.LEARNER))
    assert client.get("/assists/new").status_code == 403


def test_recent_entries_show_their_day_and_their_undo_forms_repeat_no_id(
    client, login, volunteer, assist_entry
):
    first, _ = services.record_assist(db.session, volunteer, assist_entry())
    services.record_assist(db.session, volunteer, assist_entry())
    db.session.commit()
    login(volunteer)
    client.set_cookie("lang", "en")

    page = client.get("/assists/new").get_data(as_text=True)

    recent = page[page.index('id="recent-list"') :]
    with force_locale("en"):
        when = (
            f"{format_date(first.occurred_at, 'medium')}, {format_time(first.occurred_at, 'short')}"
        )
    assert f"· {when} ·" in recent
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
