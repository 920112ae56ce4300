"""The audit log: who changed whose data is appended, never rewritten, and read by scope."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.audit.models import AppendOnly, AuditEntry
from app.audit.services import record
from app.auth import services as accounts
from app.database import begin_write, utcnow
from app.extensions import db
from app.roles import Role
from scheduling.booking import staffing
from scheduling.booking.services import book_shift


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def _entries(action=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalars(stmt).all()


def test_an_entry_can_be_neither_changed_nor_removed(admin, volunteer):
    entry = record(db.session, admin, "role.granted", volunteer, after={"role": "volunteer"})
    db.session.commit()

    entry.action = "role.revoked"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(update(AuditEntry).values(action="role.revoked"))
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()

    assert [(e.action, e.after) for e in _entries()] == [("role.granted", {"role": "volunteer"})]


def test_the_database_itself_refuses_on_postgresql(admin, volunteer):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the ORM's refusal")
    record(db.session, admin, "role.granted", volunteer)
    db.session.commit()
    with pytest.raises(Exception, match="never changed or removed"), db.engine.begin() as conn:
        conn.execute(AuditEntry.__table__.update().values(action="x"))


def test_no_route_changes_or_removes_an_entry(app):
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_granting_and_removing_a_role_is_recorded_with_its_scope(client, login, admin, volunteer):
    login(admin)
    client.post(
        f"/admin/roles/{volunteer.id}",
        data={"role": "coordinator", "province": "01", "commune": "bo de"},
    )
    grant = next(g for g in volunteer.grants if g.role == Role.COORDINATOR)
    client.post(f"/admin/roles/{volunteer.id}/grants/{grant.id}/remove")

    granted, revoked = _entries()
    assert (granted.action, granted.actor_id, granted.subject_user_id) == (
        "role.granted",
        admin.id,
        volunteer.id,
    )
    assert granted.after == {"role": "coordinator", "scope": "Phường Bồ Đề"}
    assert revoked.action == "role.revoked" and revoked.before == granted.after


def _soon(make_campaign, make_shift, hours):
    campaign = make_campaign(min_per_shift=1, max_per_shift=2)
    return make_shift(utcnow().replace(microsecond=0) + timedelta(hours=hours), on=campaign)


def test_a_coordinator_moving_and_removing_people_is_recorded(
    make_campaign, make_shift, coordinator, make_volunteer
):
    source = _soon(make_campaign, make_shift, 30)
    target = make_shift(source.starts_at + timedelta(days=1), on=source.campaign)
    an, binh = make_volunteer(), make_volunteer()
    begin_write(db.session)
    first = book_shift(db.session, source, an).booking
    second = book_shift(db.session, source, binh).booking

    staffing.move_person(db.session, first, target, by=coordinator)
    staffing.remove_person(db.session, second, by=coordinator)

    moved, removed = _entries()
    assert moved.action == "booking.moved" and moved.subject_user_id == an.id
    assert (moved.before["shift"], moved.after["shift"]) == (source.id, target.id)
    assert moved.commune_id == source.service_point.commune_id
    assert removed.action == "booking.removed" and removed.actor_id == coordinator.id
    assert (removed.before["status"], removed.after["status"]) == ("confirmed", "cancelled")


def test_placing_a_team_records_each_person_placed(make_shift, coordinator, make_volunteer):
    shift = make_shift(utcnow().replace(microsecond=0) + timedelta(days=2))
    an = make_volunteer()
    begin_write(db.session)
    staffing.place_people(db.session, [an], [shift], coordinator)

    (placed,) = _entries("booking.placed")
    assert (placed.actor_id, placed.subject_user_id) == (coordinator.id, an.id)


def test_a_campaign_reshaped_keeps_what_changed(campaign, coordinator):
    from scheduling.campaigns.services import reshape_campaign

    old = campaign.name
    reshape_campaign(db.session, campaign, {"name": "Chiến dịch mới"}, by=coordinator)

    (entry,) = _entries("campaign.reshaped")
    assert (entry.before, entry.after) == ({"name": old}, {"name": "Chiến dịch mới"})
    assert entry.province_id == campaign.province_id


def _entry_about(person, by, commune=None):
    return record(db.session, by, "role.granted", person, commune=commune, after={"role": "x"})


def test_admin_filters_the_log_by_actor_person_and_action(
    client, login, admin, coordinator, volunteer, make_volunteer, bo_de
):
    other = make_volunteer(full_name="Trần Thị Bình")
    _entry_about(volunteer, coordinator, bo_de)
    _entry_about(other, admin, bo_de)
    login(admin)

    by_coordinator = client.get("/admin/audit", query_string={"actor": coordinator.email})
    about_other = client.get("/admin/audit", query_string={"person": other.email})
    no_moves = client.get("/admin/audit", query_string={"action": "booking.moved"})

    assert by_coordinator.status_code == 200
    assert "Nguyễn Văn An" in by_coordinator.get_data(as_text=True)
    assert "Trần Thị Bình" not in by_coordinator.get_data(as_text=True)
    assert "Trần Thị Bình" in about_other.get_data(as_text=True)
    assert "No entry matches." in no_moves.get_data(as_text=True)


def test_an_unknown_email_or_a_bad_date_is_a_clear_400(client, login, admin):
    login(admin)
    unknown = client.get("/admin/audit", query_string={"actor": "nobody@example.test"})
    bad_date = client.get("/admin/audit", query_string={"since": "yesterday"})
    assert unknown.status_code == 400
    assert "No account uses this email." in unknown.get_data(as_text=True)
    assert bad_date.status_code == 400


def test_a_coordinator_sees_only_the_entries_of_their_communes(
    client, login, coordinator, admin, make_volunteer, bo_de, other_commune
):
    here = make_volunteer(full_name="Người ở Bồ Đề")
    there = make_volunteer(full_name="Người ở phường khác")
    _entry_about(here, admin, bo_de)
    _entry_about(there, admin, other_commune)
    _entry_about(there, admin)  # nowhere: an admin's own business
    login(coordinator)

    text = client.get("/admin/audit").get_data(as_text=True)

    assert "Người ở Bồ Đề" in text and "Người ở phường khác" not in text


def test_a_volunteer_cannot_open_the_log_but_sees_entries_about_themselves(
    client, login, coordinator, volunteer, make_volunteer
):
    other = make_volunteer(full_name="Trần Thị Bình")
    accounts.grant_role(db.session, volunteer, Role.LEARNER, by=coordinator)
    _entry_about(other, coordinator)
    login(volunteer)

    assert client.get("/admin/audit").status_code == 403
    profile = client.get("/profile").get_data(as_text=True)
    assert "Role granted" in profile and coordinator.full_name in profile
    assert "Trần Thị Bình" not in profile


def test_a_home_visit_assignment_is_recorded_per_volunteer_without_the_residents_address(
    coordinator, make_volunteer, bo_de
):
    from impact.home_support import services as home_support

    found = home_support.create_request(
        db.session,
        commune=bo_de,
        address="Số 12 ngõ 34 Bồ Đề",
        need="Cấp lại căn cước",
        preferred_on=utcnow().date(),
        time_window="afternoon",
    )
    pair = [make_volunteer(), make_volunteer()]
    home_support.assign(db.session, found, pair, by=coordinator)

    entries = _entries("home_support.assigned")
    assert {e.subject_user_id for e in entries} == {p.id for p in pair}
    assert all(e.after == {"request": found.id} and e.commune_id == bo_de.id for e in entries)
    assert "Số 12" not in str([(e.before, e.after) for e in _entries()])


def test_confirming_an_offline_check_in_is_recorded(make_shift, volunteer, coordinator):
    from scheduling.checkin.models import Attendance
    from scheduling.checkin.services import confirm
    from scheduling.models import Booking

    shift = make_shift(utcnow().replace(microsecond=0) - timedelta(hours=6), booked=[volunteer])
    booking = db.session.scalar(select(Booking).where(Booking.shift_id == shift.id))
    attendance = Attendance(
        booking=booking,
        checked_in_at=shift.starts_at,
        received_at=shift.starts_at + timedelta(hours=5),
        late_sync=True,
    )
    db.session.add(attendance)
    db.session.flush()

    confirm(db.session, attendance, coordinator)

    (entry,) = _entries("attendance.confirmed")
    assert (entry.actor_id, entry.subject_user_id) == (coordinator.id, volunteer.id)
    assert entry.before["confirmed_at"] is None and entry.after["confirmed_at"]
