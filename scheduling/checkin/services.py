"""Checking in and out: who may scan where, the scan itself (and the walk-in), check-out.

Every attempt writes one ``Scan`` row; the client's nonce makes a retry find that row instead of
writing another. A check-in left open closes at the shift's end: hours are computed from the
shift's bounds whenever they are read (so figures are right even before ``close_finished`` runs),
and ``flask scheduling close-checkins`` writes the closing time for the record. The tokens a scan
reads are in `tokens`; the reports of who came in `reports`.

An offline scan (pretix's rule: stored and flagged, never silently dropped) is trusted no further
than the server can vouch for: it is refused when it claims a time before its shift's check-in
opened (``scanned_before_shift``) or after the server received it (``scanned_in_future``); a
walk-in is made only on a shift running when the scan is received; a scan received after its
shift ended is stored as ``late_sync``; and hours count from the time the server received the
scan until a coordinator of the commune confirms the device's time (`confirm`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_login import AnonymousUserMixin
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from app.audit.services import record
from app.auth.models import User
from app.database import locked, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import ServicePoint
from app.scope import CoordinatorScope
from app.tokens import BadToken, signer
from scheduling.booking.placement import Placement, Reason, judge, place
from scheduling.checkin.models import Attendance, CheckinKey, Scan, ScanResult
from scheduling.checkin.tokens import Reading, read_badge, read_point_token
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus

#: volunteers may check in this long before their shift starts
EARLY_CHECKIN = timedelta(minutes=30)
#: a device's clock may run this far ahead of the server's before its scanned_at is refused
CLOCK_SKEW = timedelta(minutes=1)
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class CheckinError(DomainError):
    """A check-in operation refused outright (nothing is logged); `code` names the reason."""

    code = "checkin"


class NotAllowed(CheckinError):
    code = "forbidden"
    status = 403
    sentence = _l("You may not scan badges at this service point.")


class NothingToConfirm(CheckinError):
    """The check-in's time is already what the server vouches for, or already confirmed."""

    code = "nothing_to_confirm"


class NonceTaken(CheckinError):
    """The nonce was already used by someone else: a client bug, never a retry."""

    code = "nonce_taken"
    sentence = _l("This nonce was already used: make a new one.")


# --- who may do what ----------------------------------------------------------------------------


def may_scan_at(user: User | AnonymousUserMixin, point: ServicePoint) -> bool:
    """Whether the user may scan badges, show the QR and see attendance at this service point.

    Coordinators of the point's commune or province (and admins), and the leaders of teams of
    that commune, or of city-wide teams of its province.
    """
    if CoordinatorScope.of(user).covers_point(point):
        return True
    if not user.is_authenticated:
        return False
    from scheduling.teams.models import Team

    commune = point.commune
    leads = select(Team.id).where(
        Team.leader_id == user.id,
        or_(
            Team.commune_id == commune.id,
            and_(Team.commune_id.is_(None), Team.province_id == commune.province_id),
        ),
    )
    session = object_session(point)
    assert session is not None  # the point was loaded through a session
    return session.scalar(leads.limit(1)) is not None


# --- the point's key: rotating it kills its posters and live QR codes -----------------------------


def rotate_key(session: Session, point: ServicePoint, by: User, now: datetime | None = None) -> int:
    """Invalidate every poster and live QR of the point; return the new version."""
    if not may_scan_at(by, point):
        raise NotAllowed()
    locked(session, ServicePoint, point.id)  # two first rotations at once make one row
    key = session.scalar(select(CheckinKey).where(CheckinKey.service_point_id == point.id))
    if key is None:
        key = CheckinKey(service_point_id=point.id, version=1)
        session.add(key)
    key.version += 1
    key.rotated_at = now or utcnow()
    key.rotated_by_id = by.id
    session.flush()
    return key.version


# --- checking in --------------------------------------------------------------------------------


@dataclass
class Decision:
    """What a scan does: the result, and the shift, booking and attendance it concerns."""

    result: ScanResult
    shift: Shift | None = None
    booking: Booking | None = None
    attendance: Attendance | None = None
    walk_in: bool = False


def running_shifts(session: Session, point_id: int, at: datetime) -> list[Shift]:
    """Active shifts at the point open for check-in at this moment (30 minutes early to end)."""
    return list(
        session.scalars(
            select(Shift)
            .where(
                Shift.service_point_id == point_id,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.starts_at <= at + EARLY_CHECKIN,
                Shift.ends_at > at,
            )
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def decide(
    session: Session, reading: Reading, subject_id: int | None, point_id: int | None, at: datetime
) -> Decision:
    """What checking this person in at this point now would do, without writing anything."""
    if reading.refusal is not None:
        return Decision(reading.refusal)
    assert point_id is not None  # a reading without refusal names its point (or at_point does)
    shifts = running_shifts(session, point_id, at)
    if not shifts:
        return Decision(ScanResult.NO_SHIFT_NOW)
    booking = session.scalar(
        select(Booking)
        .where(
            Booking.user_id == subject_id,
            Booking.shift_id.in_([s.id for s in shifts]),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .order_by(Booking.id)
        .limit(1)
    )
    if booking is not None:
        attendance = session.scalar(select(Attendance).where(Attendance.booking_id == booking.id))
        if attendance is not None:
            return Decision(ScanResult.ALREADY_CHECKED_IN, booking.shift, booking, attendance)
        return Decision(ScanResult.OK, booking.shift, booking)
    # no booking here now: a walk-in on the shift already running (or the next one to start)
    shift = shifts[0]
    person = session.get(User, subject_id)
    assert person is not None  # a reading without refusal names a person who exists
    return _walk_in_decision(_walk_in_placement(session, shift, person, at, write=False))


def decide_offline(
    session: Session,
    reading: Reading,
    subject_id: int | None,
    point_id: int | None,
    scanned_at: datetime,
    now: datetime,
) -> Decision:
    """What an offline scan (scanned at `scanned_at`, received `now`) would do, writing nothing.

    The scan belongs to the person's booked shift open for check-in when it was scanned, else to
    their booked shift open now, else (a walk-in) to the shift running now; it is refused when it
    claims a time after `now` or before that shift's check-in opened, and is a ``late_sync``
    when that shift ended before `now`.
    """
    if reading.refusal is not None:
        return Decision(reading.refusal)
    if scanned_at > now + CLOCK_SKEW:
        return Decision(ScanResult.SCANNED_IN_FUTURE)
    claimed = min(scanned_at, now)
    booked = _booked_shift(session, subject_id, point_id, claimed) or _booked_shift(
        session, subject_id, point_id, now
    )
    if booked is None:
        # no booking then or now: a walk-in, on the shift running when the scan is received
        decision = decide(session, reading, subject_id, point_id, now)
        return _checked_against(decision, claimed, now)
    booking, shift = booked
    attendance = session.scalar(select(Attendance).where(Attendance.booking_id == booking.id))
    if attendance is not None:
        return Decision(ScanResult.ALREADY_CHECKED_IN, shift, booking, attendance)
    decision = Decision(ScanResult.OK, shift, booking)
    return _checked_against(decision, claimed, now)


def _checked_against(decision: Decision, claimed: datetime, now: datetime) -> Decision:
    """The decision, refused when the claimed time is before its shift's check-in opened, or a
    late sync when the shift ended before the scan was received."""
    shift = decision.shift
    if decision.result != ScanResult.OK or shift is None:
        return decision
    if claimed < shift.starts_at - EARLY_CHECKIN:
        return Decision(ScanResult.SCANNED_BEFORE_SHIFT, shift)
    if shift.ends_at <= now:
        decision.result = ScanResult.LATE_SYNC
    return decision


def _booked_shift(
    session: Session, user_id: int | None, point_id: int | None, at: datetime
) -> tuple[Booking, Shift] | None:
    """The person's confirmed booking at the point on a shift open for check-in at `at`."""
    if user_id is None:
        return None
    row = session.execute(
        select(Booking, Shift)
        .join(Booking.shift)
        .where(
            Booking.user_id == user_id,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.service_point_id == point_id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at <= at + EARLY_CHECKIN,
            Shift.ends_at > at,
        )
        .order_by(Shift.starts_at, Shift.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def preview(
    session: Session, token: str, user: User, now: datetime | None = None
) -> tuple[Reading, Decision]:
    """What the volunteer's check-in with this point token would do now (for the page)."""
    now = now or utcnow()
    reading = read_point_token(session, token, now)
    return reading, decide(session, reading, user.id, reading.service_point_id, now)


def valid_nonce(nonce: object) -> bool:
    return isinstance(nonce, str) and bool(NONCE_PATTERN.match(nonce))


def existing_scan(session: Session, nonce: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.nonce == nonce))


def check_in(
    session: Session,
    actor: User,
    token: str,
    nonce: str,
    *,
    scanned_at: datetime | None = None,
    offline: bool = False,
    at_point: ServicePoint | None = None,
    now: datetime | None = None,
) -> tuple[Scan, bool]:
    """Log one scan and check in; return (scan, created). A known nonce returns its scan.

    Without ``at_point`` the actor checks themselves in with a poster or live token; with it, the
    actor (a coordinator at that point) scans a volunteer's badge token or short code.
    """
    now = now or utcnow()
    if at_point is not None and not may_scan_at(actor, at_point):
        raise NotAllowed()
    subject_id: int | None
    if at_point is None:
        reading = read_point_token(session, token, now)
        subject_id, point_id = actor.id, reading.service_point_id
    else:
        reading = read_badge(session, token, now)
        subject_id, point_id = reading.user_id, at_point.id
    # The people's rows serialise their scans (same order as book_shift: people, then the shift),
    # so a nonce sent by twenty threads at once is looked up after the first one committed.
    for user_id in sorted({i for i in (actor.id, subject_id) if i is not None}):
        locked(session, User, user_id)
    known = existing_scan(session, nonce)
    if known is not None:
        if known.scanned_by_id != actor.id:
            raise NonceTaken()
        return known, False
    moment = now
    if offline and scanned_at is not None:
        decision = decide_offline(session, reading, subject_id, point_id, scanned_at, now)
        moment = min(scanned_at, now)  # what the device claims; hours count from `now`
    else:
        decision = decide(session, reading, subject_id, point_id, now)
    if decision.result == ScanResult.OK and decision.walk_in:
        assert decision.shift is not None  # a walk-in decision names its shift
        assert subject_id is not None  # and the person decide found
        # a walk-in is placed on the shift running now, whatever the device claims
        decision = _walk_in(session, decision.shift, subject_id, reading, now)
        if offline and decision.result == ScanResult.OK and decision.attendance is None:
            decision = _checked_against(decision, moment, now)
    if decision.result in (ScanResult.OK, ScanResult.LATE_SYNC) and decision.attendance is None:
        assert decision.booking is not None  # an OK or late decision names its booking
        decision.attendance = Attendance(
            booking_id=decision.booking.id,
            checked_in_at=moment,
            received_at=now,
            walk_in=decision.walk_in,
            late_sync=decision.result == ScanResult.LATE_SYNC,
        )
        session.add(decision.attendance)
        session.flush()
    scan = Scan(
        nonce=nonce,
        user_id=subject_id,
        scanned_by_id=actor.id,
        service_point_id=point_id,
        shift_id=decision.shift.id if decision.shift else None,
        attendance_id=decision.attendance.id if decision.attendance else None,
        method=reading.method,
        result=decision.result,
        scanned_at=scanned_at or now,
        received_at=now,
        offline=offline,
    )
    session.add(scan)
    session.flush()
    return scan, True


def _walk_in(
    session: Session, shift: Shift, user_id: int, reading: Reading, at: datetime
) -> Decision:
    """Make (or revive) the person's confirmed booking on a running shift, under its lock."""
    person = session.get(User, user_id)
    assert person is not None  # the person scanned exists: decide found them
    placement = _walk_in_placement(session, shift, person, at, write=True)
    if placement.reason == Reason.ALREADY_BOOKED:
        # booked on it meanwhile: check in on that booking as any booked volunteer would
        return decide(session, reading, user_id, shift.service_point_id, at)
    return _walk_in_decision(placement)


def _walk_in_placement(
    session: Session, shift: Shift, person: User, at: datetime, *, write: bool
) -> Placement:
    """Place a walk-in on a running shift (`place`), or preview it (`judge`, writing nothing).

    The walk-in policy: confirmed or refused (`full`, `overlap`), never waitlisted, open until
    the shift's end rather than its start, and **not held to the campaign's weekly limit**: the
    volunteer is standing at the point while the shift runs, so they help now rather than being
    sent away.
    """
    operation = place if write else judge
    return operation(
        session,
        shift,
        person,
        waitlist=False,
        weekly_limit=False,
        closes_at=shift.ends_at,
        now=at,
    )


def _walk_in_decision(placement: Placement) -> Decision:
    """What a walk-in's placement (or its preview) means for the scan."""
    shift = placement.shift
    if placement.reason == Reason.CONFIRMED:
        return Decision(ScanResult.OK, shift, placement.booking, walk_in=True)
    if placement.reason == Reason.FULL:
        return Decision(ScanResult.SHIFT_FULL, shift, walk_in=True)
    # booked at another point at this time (or the shift just closed): not the place to check in
    return Decision(ScanResult.NO_SHIFT_NOW, shift, walk_in=True)


def commit_scan(
    session: Session, actor: User, run: Callable[[], tuple[Scan, bool]], nonce: str
) -> tuple[Scan, bool]:
    """Run a check-in (`run()` returns check_in's answer) and commit it: the one request-ending
    step a scan has, shared by the pages and the API.

    If another request stored the same nonce first (a race the row locks leave only between
    different people), answer with that request's scan; NonceTaken when it was someone else's.
    """
    try:
        scan, created = run()
        session.commit()
        return scan, created
    except IntegrityError:
        session.rollback()
        known = existing_scan(session, nonce)
        if known is None:
            raise
        if known.scanned_by_id != actor.id:
            raise NonceTaken() from None
        return known, False


# --- checking out -------------------------------------------------------------------------------


def may_see(user: User, attendance: Attendance) -> bool:
    """The volunteer themselves, or whoever may scan at the shift's point."""
    return attendance.booking.user_id == user.id or may_scan_at(
        user, attendance.shift.service_point
    )


def check_out(
    session: Session, attendance: Attendance, by: User, now: datetime | None = None
) -> Attendance:
    """Check out now (one tap); a second check-out, or one after the shift's end, changes nothing
    more than closing at the end."""
    now = now or utcnow()
    if not may_see(by, attendance):
        raise NotAllowed()
    attendance = locked(session, Attendance, attendance.id)
    if attendance.checked_out_at is not None:
        return attendance
    ends_at = attendance.shift.ends_at
    if now >= ends_at:
        attendance.checked_out_at = ends_at
        attendance.closed_automatically = True
    else:
        attendance.checked_out_at = max(now, attendance.checked_in_at)
        attendance.checked_out_by_id = by.id
    session.flush()
    return attendance


def may_confirm(user: User, shift: Shift) -> bool:
    """Whether the user may confirm the shift's offline check-ins: coordinators of its commune
    (directly or through its province) and admins, never a team leader."""
    return CoordinatorScope.of(user).covers_point(shift.service_point)


def confirm(
    session: Session, attendance: Attendance, by: User, now: datetime | None = None
) -> Attendance:
    """Confirm an offline check-in's device time: its hours then count from when it was scanned.

    Confirming again changes nothing; a check-in whose time the server already vouches for has
    nothing to confirm."""
    now = now or utcnow()
    if not may_confirm(by, attendance.shift):
        raise NotAllowed()
    attendance = locked(session, Attendance, attendance.id)
    if attendance.confirmed_at is not None:
        return attendance
    if not attendance.awaits_confirmation:
        raise NothingToConfirm()
    attendance.confirmed_at = now
    attendance.confirmed_by_id = by.id
    session.flush()
    record(
        session,
        by,
        "attendance.confirmed",
        attendance.booking.user,
        attendance,
        before={"checked_in_at": attendance.checked_in_at, "confirmed_at": None},
        after={"checked_in_at": attendance.checked_in_at, "confirmed_at": now},
        commune=attendance.shift.service_point.commune,
    )
    return attendance


def close_finished(session: Session, now: datetime | None = None) -> int:
    """Close every check-in still open after its shift ended, at the shift's end."""
    now = now or utcnow()
    open_ones = session.scalars(
        select(Attendance)
        .join(Attendance.booking)
        .join(Booking.shift)
        .where(Attendance.checked_out_at.is_(None), Shift.ends_at <= now)
    ).all()
    for attendance in open_ones:
        attendance.checked_out_at = max(attendance.shift.ends_at, attendance.checked_in_at)
        attendance.closed_automatically = True
    session.flush()
    return len(open_ones)


def is_checked_in(
    session: Session, user_id: int, point_id: int, now: datetime | None = None
) -> bool:
    """Whether the person is checked in at the point now: not checked out, on a shift running."""
    now = now or utcnow()
    stmt = (
        select(Attendance.id)
        .join(Attendance.booking)
        .join(Booking.shift)
        .where(
            Booking.user_id == user_id,
            Shift.service_point_id == point_id,
            Attendance.checked_out_at.is_(None),
            Attendance.checked_in_at <= now,
            Shift.ends_at > now,
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def open_attendances(
    session: Session, user_id: int, now: datetime | None = None
) -> list[Attendance]:
    """The person's check-ins not yet checked out on shifts still running."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Attendance)
            .join(Attendance.booking)
            .join(Booking.shift)
            .where(
                Booking.user_id == user_id,
                Attendance.checked_out_at.is_(None),
                Shift.ends_at > now,
            )
            .order_by(Shift.starts_at)
        )
    )


# --- the check-in pages' offline queue --------------------------------------------------------


def sync_token(secret_key: str, user: User) -> str:
    """A token for the check-in pages' offline queue, naming the user (see views.sync)."""
    return signer("checkin-sync", secret_key).dumps({"user": user.id})


def sync_token_user_id(secret_key: str, token: str, max_age: int | None = None) -> int | None:
    """The user id a sync token names, or None when it is forged, malformed or expired."""
    try:
        data = signer("checkin-sync", secret_key).loads(token, max_age=max_age)
    except (BadToken, ValueError, TypeError):
        return None
    return data.get("user") if isinstance(data, dict) else None
