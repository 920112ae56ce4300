"""The assisted-submission log: record an entry once, undo it, list what one may see.

Every entry is checked by impact.assists.entries.check_entry first, whatever sent it (the log
screen, its offline queue, the API), then `admit` decides whether its sender may log it there and
then, so that no registered account can skew a commune's public figures:

- a volunteer logs at a service point only while checked in there (an entry from an offline queue:
  while holding a confirmed booking there that day), dated within their booked shifts at that
  point (``not_checked_in``, ``not_booked``, ``outside_shift``); an offline entry may arrive late,
  never be dated outside them;
- a coordinator whose scope covers the point (or an admin) logs at any time of the point's day:
  today, or within the offline queue's life for an entry that waited in one (``outside_day``);
- a volunteer assigned to a home-support request logs its visit at a point of its commune, dated
  after the request was made (``outside_request``);
- nobody stores more than ASSIST_HOURLY_LIMIT entries an hour, counted over the log itself
  (``rate_limited``).
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.services import can_coordinate, coordinated_commune_ids
from app.database import locked, utcnow
from app.places.models import ServicePoint
from app.roles import Role
from impact.assists.entries import (  # AssistError and InvalidEntry are the callers' to catch
    AssistError,
    InvalidEntry,  # noqa: F401
    check_entry,
    parse_id,
)
from impact.assists.models import AssistedSubmission
from impact.dashboard.services import count_assist
from scheduling.checkin import services as checkin
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.services import LOCAL_ZONE

#: a volunteer may undo their own entry this long after the server stored it
UNDO_WINDOW = timedelta(minutes=5)
#: a shift counts as the entry's from this long before it starts (as check-in does)
SHIFT_LEAD = timedelta(minutes=30)
SYNC_SALT = "caunoi.assist-sync"
#: how long the log screen's sync token lasts: a shift, a night offline, and the next day
SYNC_TOKEN_MAX_AGE = 72 * 3600
#: how many of a volunteer's latest entries decide the service points offered first
RECENT_ENTRIES = 50
#: entries one person may store in an hour, unless ASSIST_HOURLY_LIMIT configures another
HOURLY_LIMIT = 60

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


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_ZONE).astimezone(UTC)


class Refused(AssistError):
    """The sender may not log this entry at this point, at this time, or this often."""


def coordinates(user, point: ServicePoint) -> bool:
    """Whether the user's coordinator scope covers the point (an admin's covers every point):
    the one question the log asks of a coordinator's scope."""
    return can_coordinate(user, point.commune)


def admit(session, user, entry, *, home_request=None, now: datetime) -> Shift | None:
    """Whether the user may log this checked entry: the shift it belongs to (None for a
    coordinator off shift or a home visit), or Refused naming why (see the module docstring)."""
    point, moment = entry.service_point, entry.occurred_at
    if coordinates(user, point):
        # the point's day: today, or back to the oldest entry an offline queue can still hold
        earliest = start_of_local_day(local_date(now))
        if entry.offline:
            earliest = min(earliest, now - timedelta(seconds=SYNC_TOKEN_MAX_AGE))
        if moment < earliest:
            raise Refused("outside_day")
        return shift_at(session, user.id, point.id, moment)
    if home_request is not None:
        if point.commune_id != home_request.commune_id or moment < home_request.created_at:
            raise Refused("outside_request")
        return None
    if not entry.offline and not checkin.is_checked_in(session, user.id, point.id, now):
        raise Refused("not_checked_in")
    if entry.offline and not _booked_on(session, user.id, point.id, local_date(moment)):
        raise Refused("not_booked")
    shift = shift_at(session, user.id, point.id, moment)
    if shift is None:
        raise Refused("outside_shift")
    return shift


def _booked_on(session, user_id: int, point_id: int, day: date) -> bool:
    """Whether the person holds a confirmed booking at the point on a shift of that local day."""
    stmt = (
        select(Booking.id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(
            Booking.user_id == user_id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.service_point_id == point_id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at < end_of_local_day(day),
            Shift.ends_at > start_of_local_day(day),
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def hourly_limit() -> int:
    return int(current_app.config.get("ASSIST_HOURLY_LIMIT", HOURLY_LIMIT))


def _within_rate(session, user, now: datetime) -> None:
    """Refuse a new entry from someone who stored the hourly limit in the last hour.

    The person's row is locked first, so two entries sent at once are counted one after the
    other and the limit holds under concurrency (and across app servers: the log is the counter).
    """
    locked(session, User, user.id)
    count = session.scalar(
        select(func.count())
        .select_from(AssistedSubmission)
        .where(
            AssistedSubmission.volunteer_id == user.id,
            AssistedSubmission.received_at > now - timedelta(hours=1),
        )
    )
    if count >= hourly_limit():
        raise Refused("rate_limited")


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

    The sender must be admitted (`admit`) and within the hourly limit, else Refused. An entry
    arriving after its shift (or, without a shift, its local day) ended is stored and flagged
    ``late``. A visit answering a home-support request (already checked
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
    shift = admit(session, volunteer, entry, home_request=home_request, now=now)
    _within_rate(session, volunteer, now)
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


# --- the offline queue's token ----------------------------------------------------------------


def _sync_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SYNC_SALT)


def sync_token(secret_key: str, user) -> str:
    """A token for the log screen's offline queue, naming the user; see views.sync for why."""
    return _sync_serializer(secret_key).dumps({"user": user.id})


def sync_token_user_id(
    secret_key: str, token: str, max_age: int = SYNC_TOKEN_MAX_AGE
) -> int | None:
    """The user id a sync token names, or None when it is forged, malformed or expired."""
    try:
        data = _sync_serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    return data.get("user") if isinstance(data, dict) else None


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
