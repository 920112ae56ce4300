"""The procedure catalogue and the assisted-submission log: import, validate, record, undo, list.

Every entry is checked here, whatever sent it (the log screen, its offline queue, the API), so
the three paths accept and refuse exactly the same things.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.assists.models import (
    AgeBand,
    AssistedSubmission,
    Channel,
    Level,
    Outcome,
    Procedure,
    Reason,
    ResultElectronic,
)
from app.auth.services import coordinated_commune_ids
from app.database import utcnow
from app.impact.services import count_assist
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.models import Booking, BookingStatus, Shift
from scheduling.services import LOCAL_ZONE

#: a volunteer may undo their own entry this long after the server stored it
UNDO_WINDOW = timedelta(minutes=5)
#: a shift counts as the entry's from this long before it starts (as check-in does)
SHIFT_LEAD = timedelta(minutes=30)
#: phones' clocks drift: a time this far ahead of the server's is still accepted
CLOCK_SKEW = timedelta(minutes=10)
#: how many of a volunteer's latest entries decide their "recently used" procedures
RECENT_ENTRIES = 50

CHOICES = {
    "channel": Channel,
    "level": Level,
    "outcome": Outcome,
    "result_electronic": ResultElectronic,
    "age_band": AgeBand,
}
FLAGS = ("vulnerable", "at_home", "self_service", "offline")


class AssistError(ValueError):
    """An assist operation was refused; ``code`` names why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class InvalidEntry(AssistError):
    """The entry has errors: ``fields`` maps each wrong field to an error code."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("invalid")
        self.fields = fields


# --- checking an entry ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A checked entry, ready to store."""

    id: uuid.UUID
    service_point: ServicePoint
    procedure: Procedure
    channel: Channel
    level: Level
    outcome: Outcome
    reason: Reason | None
    result_electronic: ResultElectronic
    age_band: AgeBand
    vulnerable: bool
    at_home: bool
    self_service: bool
    offline: bool
    occurred_at: datetime


def parse_id(value) -> uuid.UUID | None:
    """The entry's client-made UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _parse_time(value, now, errors):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            errors["occurred_at"] = "not_time"
            return None
    else:
        errors["occurred_at"] = "required"
        return None
    if moment.tzinfo is None:
        errors["occurred_at"] = "naive_time"
        return None
    moment = moment.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        errors["occurred_at"] = "future"
        return None
    return moment


def _parse_flag(value, name, errors) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "y", "yes", "on", "1", "false", "0"):
        return value.lower() not in ("false", "0")
    errors[name] = "not_boolean"
    return False


def _lookup(session, model, column, value):
    if value is None or value == "":
        return None
    try:
        return session.scalar(select(model).where(column == value))
    except (ValueError, TypeError):
        return None


def check_entry(session, data: dict, *, now: datetime | None = None) -> Entry:
    """Turn a submitted entry into an Entry, or raise InvalidEntry naming every wrong field.

    ``data`` uses the API's names (service_point is an id, procedure a code). A reason is
    required when the dossier was not submitted and refused when it was; paper at the counter
    goes with the paper level and nothing else.
    """
    now = now or utcnow()
    errors: dict[str, str] = {}
    entry_id = parse_id(data.get("id"))
    if entry_id is None:
        errors["id"] = "required" if not data.get("id") else "not_uuid"

    point = None
    raw_point = data.get("service_point")
    if raw_point in (None, ""):
        errors["service_point"] = "required"
    else:
        try:
            point_id = int(raw_point)
        except (TypeError, ValueError):
            point_id = None
        if isinstance(raw_point, bool) or point_id is None:
            errors["service_point"] = "not_found"
        else:
            point = session.get(ServicePoint, point_id)
            if point is None:
                errors["service_point"] = "not_found"

    procedure = None
    raw_procedure = data.get("procedure")
    if raw_procedure in (None, ""):
        errors["procedure"] = "required"
    elif not isinstance(raw_procedure, str):
        errors["procedure"] = "not_found"
    else:
        # a procedure deactivated while an entry waited offline is still accepted
        procedure = _lookup(session, Procedure, Procedure.code, raw_procedure.strip())
        if procedure is None:
            errors["procedure"] = "not_found"

    choices = {}
    for name, enum_class in CHOICES.items():
        value = data.get(name)
        if value in (None, ""):
            errors[name] = "required"
            continue
        try:
            choices[name] = enum_class(value)
        except ValueError:
            errors[name] = "not_a_choice"

    reason = None
    raw_reason = data.get("reason")
    outcome = choices.get("outcome")
    if raw_reason not in (None, ""):
        try:
            reason = Reason(raw_reason)
        except ValueError:
            errors["reason"] = "not_a_choice"
    if outcome == Outcome.NOT_SUBMITTED and reason is None and "reason" not in errors:
        errors["reason"] = "reason_required"
    if outcome == Outcome.SUBMITTED and raw_reason not in (None, ""):
        errors["reason"] = "reason_not_allowed"

    channel, level = choices.get("channel"), choices.get("level")
    if (
        channel is not None
        and level is not None
        and ((channel == Channel.PAPER) != (level == Level.PAPER))
    ):
        errors["level"] = "paper_mismatch"

    flags = {name: _parse_flag(data.get(name), name, errors) for name in FLAGS}
    occurred_at = _parse_time(data.get("occurred_at"), now, errors)

    if errors:
        raise InvalidEntry(errors)
    return Entry(
        id=entry_id,
        service_point=point,
        procedure=procedure,
        reason=reason if outcome == Outcome.NOT_SUBMITTED else None,
        occurred_at=occurred_at,
        **choices,
        **flags,
    )


# --- recording --------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE).astimezone(UTC)


def shift_at(session, volunteer_id: int, point_id: int, moment: datetime) -> Shift | None:
    """The volunteer's confirmed shift at this point running at that moment (or about to)."""
    stmt = (
        select(Shift)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == volunteer_id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.service_point_id == point_id,
            Shift.starts_at <= moment + SHIFT_LEAD,
            Shift.ends_at >= moment,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    return session.scalar(stmt)


def stored(session, entry_id: uuid.UUID) -> AssistedSubmission | None:
    """The entry stored under this id, read afresh."""
    stmt = select(AssistedSubmission).where(AssistedSubmission.id == entry_id)
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _owned(row: AssistedSubmission, volunteer) -> AssistedSubmission:
    # Another person's id is refused without showing their entry.
    if row.volunteer_id != volunteer.id:
        raise AssistError("id_taken")
    return row


def record_assist(
    session, volunteer, data: dict, *, home_request=None, now: datetime | None = None
) -> tuple[AssistedSubmission, bool]:
    """Store an entry once per client-made id: (the row, True) when new, (the stored row, False)
    when that id was already stored, whatever the rest of the body says now.

    An entry arriving after its shift (or, without a shift, its local day) ended is stored and
    flagged ``late``, never refused. A visit answering a home-support request (already checked
    by the caller: the volunteer is assigned to it) is linked to it and counted at home.
    Concurrent sends of one id make one row: the primary key decides, and the loser of the race
    reads the winner's row.
    """
    now = now or utcnow()
    entry_id = parse_id(data.get("id"))
    if entry_id is not None:
        existing = stored(session, entry_id)
        if existing is not None:
            return _owned(existing, volunteer), False
    entry = check_entry(session, data, now=now)
    shift = shift_at(session, volunteer.id, entry.service_point.id, entry.occurred_at)
    occurred_on = local_date(entry.occurred_at)
    deadline = shift.ends_at if shift is not None else end_of_local_day(occurred_on)
    row = AssistedSubmission(
        id=entry.id,
        volunteer_id=volunteer.id,
        service_point_id=entry.service_point.id,
        commune_id=entry.service_point.commune_id,
        province_id=entry.service_point.commune.province_id,
        shift_id=shift.id if shift is not None else None,
        procedure_id=entry.procedure.id,
        home_request_id=home_request.id if home_request is not None else None,
        channel=entry.channel,
        level=entry.level,
        outcome=entry.outcome,
        reason=entry.reason,
        result_electronic=entry.result_electronic,
        age_band=entry.age_band,
        vulnerable=entry.vulnerable,
        at_home=entry.at_home or home_request is not None,
        self_service=entry.self_service,
        occurred_at=entry.occurred_at,
        occurred_on=occurred_on,
        received_at=now,
        offline=entry.offline,
        late=now > deadline,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = stored(session, entry.id)
        if existing is None:
            raise
        return _owned(existing, volunteer), False
    count_assist(session, row.id)
    return row, True


def may_undo(row: AssistedSubmission, user, now: datetime | None = None) -> bool:
    """Whether the user may still undo this entry: their own, not voided, saved minutes ago."""
    now = now or utcnow()
    return (
        row.volunteer_id == user.id
        and row.voided_at is None
        and now - row.received_at <= UNDO_WINDOW
    )


def undo_assist(session, row: AssistedSubmission, user, now: datetime | None = None):
    """Void one's own entry within UNDO_WINDOW of saving it; the row stays, stamped voided."""
    now = now or utcnow()
    if row.voided_at is not None:
        return row
    if not may_undo(row, user, now):
        raise AssistError("undo_expired")
    count_assist(session, row.id, sign=-1)
    row.voided_at = now
    session.flush()
    return row


# --- reading ----------------------------------------------------------------------------------


def last_entry(session, volunteer_id: int) -> AssistedSubmission | None:
    """The volunteer's latest entry that still counts: its choices become the next defaults."""
    stmt = (
        select(AssistedSubmission)
        .where(
            AssistedSubmission.volunteer_id == volunteer_id,
            AssistedSubmission.voided_at.is_(None),
        )
        .order_by(AssistedSubmission.received_at.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def recent_entries(session, volunteer_id: int, limit: int = 10) -> list[AssistedSubmission]:
    stmt = (
        select(AssistedSubmission)
        .where(AssistedSubmission.volunteer_id == volunteer_id)
        .order_by(AssistedSubmission.received_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def visible_to(session, user):
    """A filter on AssistedSubmission for what this user may see: their own entries, and the
    entries of the communes they coordinate (every entry for an admin)."""
    if user.has_role(Role.ADMIN):
        return True
    own = AssistedSubmission.volunteer_id == user.id
    if not user.has_role(Role.COORDINATOR):
        return own
    return or_(own, AssistedSubmission.commune_id.in_(coordinated_commune_ids(session, user)))


def entries_for(session, user, *, limit=100, offset=0) -> list[AssistedSubmission]:
    """The entries the user may see, the latest first."""
    stmt = (
        select(AssistedSubmission)
        .where(visible_to(session, user))
        .order_by(AssistedSubmission.occurred_at.desc(), AssistedSubmission.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def entry_for(session, user, entry_id) -> AssistedSubmission | None:
    """One entry if the user may see it, else None (the same answer as for a missing one)."""
    parsed = parse_id(entry_id)
    if parsed is None:
        return None
    stmt = select(AssistedSubmission).where(
        AssistedSubmission.id == parsed, visible_to(session, user)
    )
    return session.scalar(stmt)


def service_points_for(session, user, now: datetime | None = None) -> list[ServicePoint]:
    """The points offered on the log screen: the user's shifts', the ones they logged at lately,
    their home commune's, and for a coordinator those of the communes they coordinate."""
    now = now or utcnow()
    ids: list[int] = []
    shift_points = session.scalars(
        select(Shift.service_point_id)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user.id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.ends_at >= now - timedelta(days=14),
        )
        .order_by(Shift.starts_at)
    )
    ids.extend(shift_points)
    ids.extend(
        session.scalars(
            select(AssistedSubmission.service_point_id)
            .where(AssistedSubmission.volunteer_id == user.id)
            .order_by(AssistedSubmission.received_at.desc())
            .limit(RECENT_ENTRIES)
        )
    )
    communes = set()
    if user.home_commune_id:
        communes.add(user.home_commune_id)
    if user.has_role(Role.COORDINATOR) and not user.has_role(Role.ADMIN):
        communes |= coordinated_commune_ids(session, user)
    if communes:
        ids.extend(
            session.scalars(
                select(ServicePoint.id).where(
                    ServicePoint.commune_id.in_(communes), ServicePoint.active.is_(True)
                )
            )
        )
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    points = session.scalars(select(ServicePoint).where(ServicePoint.id.in_(unique)))
    rows = {p.id: p for p in points}
    return [rows[i] for i in unique if i in rows]


def current_service_point_id(session, user, now: datetime | None = None) -> int | None:
    """The point of the user's shift running now, or else of their next shift today."""
    now = now or utcnow()
    stmt = (
        select(Shift.service_point_id)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user.id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.ends_at > now,
            Shift.starts_at < end_of_local_day(local_date(now)),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    return session.scalar(stmt)
