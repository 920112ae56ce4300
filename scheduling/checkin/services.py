"""Check-in operations: sign and read tokens, check volunteers in and out, report attendance.

Tokens (itsdangerous, each kind with its own salt, signed with the app's SECRET_KEY):

- poster: ``{"p": point, "v": version}``, no expiry, because a poster stays on the wall for the
  whole campaign; it dies only when a coordinator rotates the point's key (``rotated_token``).
- live: ``{"p": point, "v": version, "w": window}`` where ``window`` is the 30-second slice of
  Unix time it was shown in; the current and the previous window are accepted, older ones are
  ``expired_token`` (judged on the server's clock, never the client's, so a photo taken home
  cannot be replayed with a made-up ``scanned_at``).
- badge: ``{"u": user, "t": issued}``, valid one day after ``issued``; its printed short code
  ``<user id>-<6 letters>`` is valid on the local day it was shown.

Every attempt writes one ``Scan`` row; the client's nonce makes a retry find that row instead of
writing another. A check-in left open closes at the shift's end: hours are computed from the
shift's bounds whenever they are read (so figures are right even before ``close_finished`` runs),
and ``flask scheduling close-checkins`` writes the closing time for the record.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, object_session

from app.auth.models import User
from app.auth.services import can_coordinate
from app.database import locked, utcnow
from app.errors import DomainError
from app.places.models import Commune, ServicePoint
from app.roles import Role
from scheduling.checkin.models import Attendance, CheckinKey, Scan, ScanMethod, ScanResult
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.services import LOCAL_ZONE, confirmed_count, holds_overlapping

POSTER_SALT = "checkin-poster"
LIVE_SALT = "checkin-live"
BADGE_SALT = "checkin-badge"
#: a live QR changes this often; the current and the previous window are accepted
LIVE_WINDOW_SECONDS = 30
#: volunteers may check in this long before their shift starts
EARLY_CHECKIN = timedelta(minutes=30)
#: a badge QR is valid this long after it was shown
BADGE_MAX_AGE = timedelta(days=1)
#: an offline scan counts from the device's scanned_at when it is at most this old
OFFLINE_GRACE = timedelta(hours=12)
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PATTERN = re.compile(r"^\s*(\d{1,9})\s*-?\s*([A-Za-z2-9]{6})\s*$")


class CheckinError(DomainError):
    """A check-in operation refused outright (nothing is logged); `code` names the reason."""

    code = "checkin"


class NotAllowed(CheckinError):
    code = "forbidden"
    status = 403
    sentence = _l("You may not scan badges at this service point.")


class NonceTaken(CheckinError):
    """The nonce was already used by someone else: a client bug, never a retry."""

    code = "nonce_taken"
    sentence = _l("This nonce was already used: make a new one.")


# --- tokens -------------------------------------------------------------------------------------


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _serializer(salt):
    return URLSafeSerializer(_secret(), salt=salt)


def key_version(session, point_id: int) -> int:
    """The current version of the point's tokens (1 until the first rotation)."""
    version = session.scalar(
        select(CheckinKey.version).where(CheckinKey.service_point_id == point_id)
    )
    return version or 1


def rotate_key(session, point: ServicePoint, by: User, now: datetime | None = None) -> int:
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


def poster_token(session, point: ServicePoint) -> str:
    """The token printed on the point's poster: valid until the next rotation."""
    return _serializer(POSTER_SALT).dumps({"p": point.id, "v": key_version(session, point.id)})


def live_window(now: datetime) -> int:
    return int(now.timestamp()) // LIVE_WINDOW_SECONDS


def seconds_to_next_window(now: datetime) -> float:
    return LIVE_WINDOW_SECONDS - now.timestamp() % LIVE_WINDOW_SECONDS


def live_token(session, point: ServicePoint, now: datetime | None = None) -> str:
    """The token of the live QR for the current 30-second window."""
    window = live_window(now or utcnow())
    payload = {"p": point.id, "v": key_version(session, point.id), "w": window}
    return _serializer(LIVE_SALT).dumps(payload)


def badge_token(user: User, now: datetime | None = None) -> str:
    """A volunteer's personal token, for a coordinator's scanner; valid one day.

    The time it was made is signed into it (not itsdangerous' timestamp), so its age is judged
    on the same clock as everything else in a check-in.
    """
    issued = int((now or utcnow()).timestamp())
    return _serializer(BADGE_SALT).dumps({"u": user.id, "t": issued})


def badge_code(user_id: int, now: datetime | None = None) -> str:
    """The short code printed under the badge QR, valid on the local day it is shown."""
    return f"{user_id}-{_code_letters(user_id, (now or utcnow()).astimezone(LOCAL_ZONE).date())}"


def _code_letters(user_id, day) -> str:
    digest = hmac.new(
        _secret().encode(), f"{BADGE_SALT}:{user_id}:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:6])


@dataclass(frozen=True)
class Reading:
    """What a token says: its kind, the point or the person it names, or why it is refused."""

    method: ScanMethod
    service_point_id: int | None = None
    user_id: int | None = None
    refusal: ScanResult | None = None


def token_from(text: str) -> str:
    """The token in a scanned text, which may be the whole check-in URL."""
    text = (text or "").strip()
    if "/check-in/" in text:
        text = text.rsplit("/check-in/", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return text


def read_point_token(session, token: str, now: datetime | None = None) -> Reading:
    """Read a poster or live token: the service point it names, or the refusal."""
    now = now or utcnow()
    token = token_from(token)
    for salt, method in ((POSTER_SALT, ScanMethod.POSTER), (LIVE_SALT, ScanMethod.LIVE)):
        try:
            payload = _serializer(salt).loads(token)
        except BadSignature:
            continue
        point_id, version = _int(payload, "p"), _int(payload, "v")
        window = _int(payload, "w") if method == ScanMethod.LIVE else 0
        if point_id is None or version is None or window is None:
            return Reading(method, refusal=ScanResult.INVALID_TOKEN)
        if session.get(ServicePoint, point_id) is None:
            return Reading(method, refusal=ScanResult.INVALID_TOKEN)
        if method == ScanMethod.LIVE:
            current = live_window(now)
            if window < current - 1:
                return Reading(method, point_id, refusal=ScanResult.EXPIRED_TOKEN)
            if window > current + 1:
                return Reading(method, point_id, refusal=ScanResult.INVALID_TOKEN)
        current_version = key_version(session, point_id)
        if version < current_version:
            return Reading(method, point_id, refusal=ScanResult.ROTATED_TOKEN)
        if version > current_version:
            return Reading(method, point_id, refusal=ScanResult.INVALID_TOKEN)
        return Reading(method, point_id)
    return Reading(ScanMethod.UNKNOWN, refusal=ScanResult.INVALID_TOKEN)


def read_badge(session, text: str, now: datetime | None = None) -> Reading:
    """Read a badge token or its short code: the volunteer it names, or the refusal."""
    now = now or utcnow()
    text = token_from(text)
    user_id = None
    match = CODE_PATTERN.match(text)
    if match:
        user_id, letters = int(match.group(1)), match.group(2).upper()
        today = now.astimezone(LOCAL_ZONE).date()
        if hmac.compare_digest(letters, _code_letters(user_id, today)):
            return _badge_holder(session, user_id)
        if hmac.compare_digest(letters, _code_letters(user_id, today - timedelta(days=1))):
            return Reading(ScanMethod.BADGE, refusal=ScanResult.EXPIRED_TOKEN)
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    try:
        payload = _serializer(BADGE_SALT).loads(text)
    except BadSignature:
        return Reading(ScanMethod.UNKNOWN, refusal=ScanResult.INVALID_TOKEN)
    user_id, issued = _int(payload, "u"), _int(payload, "t")
    if user_id is None or issued is None or issued > now.timestamp() + 60:
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    if now.timestamp() - issued > BADGE_MAX_AGE.total_seconds():
        return Reading(ScanMethod.BADGE, refusal=ScanResult.EXPIRED_TOKEN)
    return _badge_holder(session, user_id)


def _badge_holder(session, user_id) -> Reading:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    return Reading(ScanMethod.BADGE, user_id=user_id)


def _int(payload, key):
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- who may do what ----------------------------------------------------------------------------


def may_scan_at(user, point: ServicePoint) -> bool:
    """Whether the user may scan badges, show the QR and see attendance at this service point.

    Coordinators of the point's commune or province (and admins), and the leaders of teams of
    that commune, or of city-wide teams of its province.
    """
    if can_coordinate(user, point.commune):
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
    return object_session(point).scalar(leads.limit(1)) is not None


# --- checking in --------------------------------------------------------------------------------


@dataclass
class Decision:
    """What a scan does: the result, and the shift, booking and attendance it concerns."""

    result: ScanResult
    shift: Shift | None = None
    booking: Booking | None = None
    attendance: Attendance | None = None
    walk_in: bool = False


def running_shifts(session, point_id: int, at: datetime) -> list[Shift]:
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


def decide(session, reading: Reading, subject_id: int | None, point_id, at: datetime) -> Decision:
    """What checking this person in at this point now would do, without writing anything."""
    if reading.refusal is not None:
        return Decision(reading.refusal)
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
    if confirmed_count(session, shift.id) >= shift.campaign.max_per_shift:
        return Decision(ScanResult.SHIFT_FULL, shift, walk_in=True)
    if holds_overlapping(session, subject_id, shift):
        # booked at another point at this time: this is not the place to check in
        return Decision(ScanResult.NO_SHIFT_NOW, shift, walk_in=True)
    return Decision(ScanResult.OK, shift, walk_in=True)


def preview(
    session, token: str, user: User, now: datetime | None = None
) -> tuple[Reading, Decision]:
    """What the volunteer's check-in with this point token would do now (for the page)."""
    now = now or utcnow()
    reading = read_point_token(session, token, now)
    return reading, decide(session, reading, user.id, reading.service_point_id, now)


def valid_nonce(nonce) -> bool:
    return isinstance(nonce, str) and bool(NONCE_PATTERN.match(nonce))


def existing_scan(session, nonce: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.nonce == nonce))


def check_in(
    session,
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
    if at_point is None:
        reading = read_point_token(session, token, now)
        subject_id, point_id = actor.id, reading.service_point_id
    else:
        reading = read_badge(session, token, now)
        subject_id, point_id = reading.user_id, at_point.id
    # The people's rows serialise their scans (same order as book_shift: people, then the shift),
    # so a nonce sent by twenty threads at once is looked up after the first one committed.
    for user_id in sorted({actor.id, subject_id} - {None}):
        locked(session, User, user_id)
    known = existing_scan(session, nonce)
    if known is not None:
        if known.scanned_by_id != actor.id:
            raise NonceTaken()
        return known, False
    moment = now
    if offline and scanned_at is not None and now - OFFLINE_GRACE <= scanned_at <= now:
        moment = scanned_at  # the queue held it: the volunteer was there when they scanned
    decision = decide(session, reading, subject_id, point_id, moment)
    if decision.result == ScanResult.OK and decision.walk_in:
        decision = _walk_in(session, decision.shift, subject_id, reading, moment)
    if decision.result == ScanResult.OK:
        decision.attendance = Attendance(
            booking_id=decision.booking.id, checked_in_at=moment, walk_in=decision.walk_in
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


def _walk_in(session, shift: Shift, user_id: int, reading: Reading, at: datetime) -> Decision:
    """Make (or revive) the person's confirmed booking on a running shift, under its lock."""
    shift = locked(session, Shift, shift.id)
    session.refresh(shift)
    again = decide(session, reading, user_id, shift.service_point_id, at)
    if again.result != ScanResult.OK or not again.walk_in:
        return again
    booking = session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == user_id)
    )
    if booking is None:
        booking = Booking(shift_id=shift.id, user_id=user_id)
        session.add(booking)
    booking.status = BookingStatus.CONFIRMED
    booking.created_at = at
    booking.cancelled_at = None
    session.flush()
    return Decision(ScanResult.OK, shift, booking, walk_in=True)


# --- checking out -------------------------------------------------------------------------------


def may_see(user, attendance: Attendance) -> bool:
    """The volunteer themselves, or whoever may scan at the shift's point."""
    return attendance.booking.user_id == user.id or may_scan_at(
        user, attendance.shift.service_point
    )


def check_out(session, attendance: Attendance, by: User, now: datetime | None = None) -> Attendance:
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


def close_finished(session, now: datetime | None = None) -> int:
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


def open_attendances(session, user_id: int, now: datetime | None = None) -> list[Attendance]:
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


# --- reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """One confirmed booking of a shift and what became of it."""

    booking: Booking
    attendance: Attendance | None
    no_show: bool
    hours: float


def shift_attendance(session, shift: Shift, now: datetime | None = None) -> list[AttendanceRow]:
    """Every confirmed booking of the shift with its check-in; no-shows once the shift ended."""
    now = now or utcnow()
    rows = session.execute(
        select(Booking, Attendance)
        .outerjoin(Attendance, Attendance.booking_id == Booking.id)
        .join(Booking.user)
        .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.CONFIRMED)
        .options(joinedload(Booking.user))
        .order_by(User.full_name, Booking.id)
    ).all()
    ended = shift.ends_at <= now
    return [
        AttendanceRow(
            booking,
            attendance,
            no_show=attendance is None and ended,
            hours=attendance.hours(now) if attendance else 0.0,
        )
        for booking, attendance in rows
    ]


def shift_scans(session, shift: Shift, limit: int = 200) -> list[Scan]:
    """The scans logged for the shift, the latest first."""
    return list(
        session.scalars(
            select(Scan)
            .where(Scan.shift_id == shift.id)
            .options(joinedload(Scan.user), joinedload(Scan.scanned_by))
            .order_by(Scan.received_at.desc(), Scan.id.desc())
            .limit(limit)
        )
    )


@dataclass
class VolunteerHours:
    """A volunteer's attendance over a campaign's finished or running shifts."""

    user: User
    booked: int = 0
    attended: int = 0
    no_shows: int = 0
    walk_ins: int = 0
    hours: float = 0.0


def scope_filter(user):
    """A condition on ServicePoint/Commune: the points the user coordinates; None for admins."""
    if user.has_role(Role.ADMIN):
        return None
    communes = [g.commune_id for g in user.grants if g.role == Role.COORDINATOR and g.commune_id]
    provinces = [g.province_id for g in user.grants if g.role == Role.COORDINATOR and g.province_id]
    return or_(ServicePoint.commune_id.in_(communes), Commune.province_id.in_(provinces))


def may_see_campaign(user, campaign: Campaign) -> bool:
    """Admins, coordinators of its province, and coordinators of one of its communes."""
    if user.has_role(Role.ADMIN):
        return True
    return any(
        g.role == Role.COORDINATOR
        and (
            g.province_id == campaign.province_id
            or g.commune_id in {c.id for c in campaign.communes}
        )
        for g in user.grants
    )


def campaign_hours(
    session, campaign: Campaign, viewer: User, now: datetime | None = None
) -> list[VolunteerHours]:
    """Per volunteer, their confirmed bookings on the campaign's started shifts at the points the
    viewer coordinates: attended, no-shows (ended, never checked in) and hours attended."""
    now = now or utcnow()
    stmt = (
        select(Booking, Attendance)
        .join(Booking.shift)
        .join(Shift.service_point)
        .join(ServicePoint.commune)
        .outerjoin(Attendance, Attendance.booking_id == Booking.id)
        .where(
            Shift.campaign_id == campaign.id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at <= now,
            Booking.status == BookingStatus.CONFIRMED,
        )
        .options(joinedload(Booking.user), joinedload(Booking.shift))
    )
    condition = scope_filter(viewer)
    if condition is not None:
        stmt = stmt.where(condition)
    totals: dict[int, VolunteerHours] = {}
    for booking, attendance in session.execute(stmt):
        row = totals.setdefault(booking.user_id, VolunteerHours(booking.user))
        row.booked += 1
        if attendance is not None:
            row.attended += 1
            row.walk_ins += attendance.walk_in
            row.hours += attendance.hours(now)
        elif booking.shift.ends_at <= now:
            row.no_shows += 1
    return sorted(totals.values(), key=lambda r: (-r.hours, r.user.full_name, r.user.id))
