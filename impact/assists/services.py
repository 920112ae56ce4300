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
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import locked, utcnow
from app.localtime import local_date, local_day_bounds
from app.places.models import ServicePoint
from app.scope import CoordinatorScope
from app.tokens import PURPOSES, BadToken, signer
from impact.assists.entries import (  # AssistError and InvalidEntry are the callers' to catch
    AssistError,
    Entry,
    InvalidEntry,  # noqa: F401
    check_entry,
    parse_id,
)
from impact.assists.models import AssistedSubmission
from impact.dashboard.services import count_assist
from impact.home_support.models import HomeSupportRequest
from scheduling.checkin import services as checkin
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus

#: a volunteer may undo their own entry this long after the server stored it
UNDO_WINDOW = timedelta(minutes=5)
#: a shift counts as the entry's from this long before it starts (as check-in does)
SHIFT_LEAD = timedelta(minutes=30)
#: how long the log screen's sync token lasts: a shift, a night offline, and the next day
SYNC_TOKEN_MAX_AGE = PURPOSES["assist-sync"].max_age
#: how many of a volunteer's latest entries decide the service points offered first
RECENT_ENTRIES = 50
#: entries one person may store in an hour, unless ASSIST_HOURLY_LIMIT configures another
HOURLY_LIMIT = 60

# --- recording --------------------------------------------------------------------------------


def shift_at(session: Session, volunteer_id: int, point_id: int, moment: datetime) -> Shift | None:
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
    return local_day_bounds(day)[0]


class Refused(AssistError):
    """The sender may not log this entry at this point, at this time, or this often."""


def coordinates(user: User, point: ServicePoint) -> bool:
    """Whether the user's coordinator scope covers the point (an admin's covers every point):
    the one question the log asks of a coordinator's scope."""
    return CoordinatorScope.of(user).covers_point(point)


def admit(
    session: Session,
    user: User,
    entry: Entry,
    *,
    home_request: HomeSupportRequest | None = None,
    now: datetime,
) -> Shift | None:
    """Whether the user may log this checked entry: the shift it belongs to (None for a
    coordinator off shift or a home visit), or Refused naming why (see the module docstring)."""
    point, moment = entry.service_point, entry.occurred_at
    if coordinates(user, point):
        # the point's day: today, or back to the oldest entry an offline queue can still hold
        earliest = start_of_local_day(local_date(now))
        if entry.offline:
            earliest = min(earliest, now - timedelta(seconds=SYNC_TOKEN_MAX_AGE or 0))
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


def _booked_on(session: Session, user_id: int, point_id: int, day: date) -> bool:
    """Whether the person holds a confirmed booking at the point on a shift of that local day."""
    stmt = (
        select(Booking.id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(
            Booking.user_id == user_id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.service_point_id == point_id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at < local_day_bounds(day)[1],
            Shift.ends_at > start_of_local_day(day),
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def hourly_limit() -> int:
    return int(current_app.config.get("ASSIST_HOURLY_LIMIT", HOURLY_LIMIT))


def _within_rate(session: Session, user: User, now: datetime) -> None:
    """Refuse a new entry from someone who stored the hourly limit in the last hour.

    The person's row is locked first, so two entries sent at once are counted one after the
    other and the limit holds under concurrency (and across app servers: the log is the counter).
    """
    locked(session, User, user.id)
    count = session.execute(
        select(func.count())
        .select_from(AssistedSubmission)
        .where(
            AssistedSubmission.volunteer_id == user.id,
            AssistedSubmission.received_at > now - timedelta(hours=1),
        )
    ).scalar_one()
    if count >= hourly_limit():
        raise Refused("rate_limited")


def stored(session: Session, entry_id: uuid.UUID) -> AssistedSubmission | None:
    """The entry stored under this id, read afresh."""
    stmt = select(AssistedSubmission).where(AssistedSubmission.id == entry_id)
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _owned(row: AssistedSubmission, volunteer: User) -> AssistedSubmission:
    # Another person's id is refused without showing their entry.
    if row.volunteer_id != volunteer.id:
        raise AssistError("id_taken")
    return row


def record_assist(
    session: Session,
    volunteer: User,
    data: dict[str, Any],
    *,
    home_request: HomeSupportRequest | None = None,
    now: datetime | None = None,
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
    deadline = shift.ends_at if shift is not None else local_day_bounds(occurred_on)[1]
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
        resident_id=entry.resident_id,
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


def may_undo(row: AssistedSubmission, user: User, now: datetime | None = None) -> bool:
    """Whether the user may still undo this entry: their own, not voided, saved minutes ago."""
    now = now or utcnow()
    return (
        row.volunteer_id == user.id
        and row.voided_at is None
        and now - row.received_at <= UNDO_WINDOW
    )


def undo_assist(
    session: Session, row: AssistedSubmission, user: User, now: datetime | None = None
) -> AssistedSubmission:
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


def sync_token(secret_key: str, user: User) -> str:
    """A token for the log screen's offline queue, naming the user; see views.sync for why."""
    return signer("assist-sync", secret_key).dumps({"user": user.id})


def sync_token_user_id(secret_key: str, token: str, max_age: int | None = None) -> int | None:
    """The user id a sync token names, or None when it is forged, malformed or expired."""
    try:
        data = signer("assist-sync", secret_key).loads(token, max_age=max_age)
    except (BadToken, ValueError, TypeError):
        return None
    return data.get("user") if isinstance(data, dict) else None


# --- reading ----------------------------------------------------------------------------------


def last_entry(session: Session, volunteer_id: int) -> AssistedSubmission | None:
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


def recent_entries(
    session: Session, volunteer_id: int, limit: int = 10
) -> list[AssistedSubmission]:
    stmt = (
        select(AssistedSubmission)
        .where(AssistedSubmission.volunteer_id == volunteer_id)
        .order_by(AssistedSubmission.received_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def visible_to(session: Session, user: User) -> ColumnElement[bool]:
    """A filter on AssistedSubmission for what this user may see: their own entries, and the
    entries of the communes they coordinate (every entry for an admin)."""
    scope = CoordinatorScope.of(user)
    own = AssistedSubmission.volunteer_id == user.id
    return or_(own, scope.communes_clause(AssistedSubmission.commune_id))


def entries_for(
    session: Session, user: User, *, limit: int = 100, offset: int = 0
) -> list[AssistedSubmission]:
    """The entries the user may see, the latest first."""
    stmt = (
        select(AssistedSubmission)
        .where(visible_to(session, user))
        .order_by(AssistedSubmission.occurred_at.desc(), AssistedSubmission.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def entry_for(session: Session, user: User, entry_id: object) -> AssistedSubmission | None:
    """One entry if the user may see it, else None (the same answer as for a missing one)."""
    parsed = parse_id(entry_id)
    if parsed is None:
        return None
    stmt = select(AssistedSubmission).where(
        AssistedSubmission.id == parsed, visible_to(session, user)
    )
    return session.scalar(stmt)


def service_points_for(
    session: Session, user: User, now: datetime | None = None
) -> list[ServicePoint]:
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
    communes = []
    if user.home_commune_id:
        communes.append(ServicePoint.commune_id == user.home_commune_id)
    scope = CoordinatorScope.of(user)
    if scope.granted and not scope.everything:  # an admin is not offered every point of the land
        communes.append(scope.communes_clause(ServicePoint.commune_id))
    if communes:
        ids.extend(
            session.scalars(
                select(ServicePoint.id).where(or_(*communes), ServicePoint.active.is_(True))
            )
        )
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    points = session.scalars(select(ServicePoint).where(ServicePoint.id.in_(unique)))
    rows = {p.id: p for p in points}
    return [rows[i] for i in unique if i in rows]


def current_service_point_id(
    session: Session, user: User, now: datetime | None = None
) -> int | None:
    """The point of the user's shift running now, or else of their next shift today."""
    now = now or utcnow()
    stmt = (
        select(Shift.service_point_id)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user.id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.ends_at > now,
            Shift.starts_at < local_day_bounds(local_date(now))[1],
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    return session.scalar(stmt)


def assists_in_scope_on(session: Session, user: User, day: date, until: datetime) -> int:
    """The assists (not undone) of the communes the user coordinates on this local day, up to
    ``until``: the coordinator's home compares today so far with the same hours a week ago."""
    return (
        session.scalar(
            select(func.count())
            .select_from(AssistedSubmission)
            .where(
                AssistedSubmission.occurred_on == day,
                AssistedSubmission.occurred_at <= until,
                AssistedSubmission.voided_at.is_(None),
                CoordinatorScope.of(user).communes_clause(
                    AssistedSubmission.commune_id, AssistedSubmission.province_id
                ),
            )
        )
        or 0
    )
