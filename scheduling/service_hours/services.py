"""Service hours: what a volunteer served per campaign, corrections, and the exports branches
report upward.

A booking's hours are its check-in's (`Attendance.hours`: from what the server vouches for, up to
the check-out or the shift's end), unless a coordinator corrected them: then the latest
correction's. Only confirmed bookings on active shifts that have started count.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.audit.services import record
from app.auth.models import User
from app.database import locked, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import Commune, ServicePoint
from app.scope import CoordinatorScope
from app.text import sort_key
from app.tokens import BadToken, signer
from scheduling.checkin.models import Attendance
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.service_hours.models import AttendanceCorrection


class CorrectionError(DomainError):
    """A correction refused; `code` names why."""

    status = 400
    sentences = {
        "not_allowed": _l("Only the coordinators of the shift's commune correct its attendance."),
        "not_started": _l("A shift's attendance is corrected once the shift has started."),
        "not_booked": _l("This person holds no confirmed place on the shift."),
        "too_long": _l("The hours cannot pass the shift's length."),
    }


def _served(now: datetime) -> Select[Booking, Attendance]:
    """Confirmed bookings on active shifts started by `now`, with their check-ins if any."""
    return (
        select(Booking, Attendance)
        .join(Booking.shift)
        .outerjoin(Attendance, Attendance.booking_id == Booking.id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at <= now,
        )
    )


def latest_corrections(
    session: Session, booking_ids: Iterable[int]
) -> dict[int, AttendanceCorrection]:
    """The latest correction of each booking that has one, read in one query per 500."""
    ids = sorted(set(booking_ids))
    found: dict[int, AttendanceCorrection] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        latest = (
            select(func.max(AttendanceCorrection.id))
            .where(AttendanceCorrection.booking_id.in_(chunk))
            .group_by(AttendanceCorrection.booking_id)
        )
        stmt = (
            select(AttendanceCorrection)
            .where(AttendanceCorrection.id.in_(latest))
            .options(joinedload(AttendanceCorrection.corrected_by))
        )
        found.update({c.booking_id: c for c in session.scalars(stmt)})
    return found


def booking_hours(
    attendance: Attendance | None, correction: AttendanceCorrection | None, now: datetime
) -> float:
    """The hours a booking counts: the correction's, else the check-in's, else none."""
    if correction is not None:
        return correction.hours
    return attendance.hours(now) if attendance is not None else 0.0


# --- a volunteer's own record -----------------------------------------------------------------


@dataclass
class ServedShift:
    shift: Shift
    attendance: Attendance | None
    correction: AttendanceCorrection | None
    hours: float


@dataclass
class CampaignService:
    campaign: Campaign
    shifts: list[ServedShift] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return sum(s.hours for s in self.shifts)


def service_record(
    session: Session, user: User, now: datetime | None = None
) -> list[CampaignService]:
    """The person's attended (or corrected) shifts and hours, per campaign, latest first."""
    now = now or utcnow()
    stmt = _served(now).where(Booking.user_id == user.id)
    stmt = stmt.options(joinedload(Booking.shift).joinedload(Shift.campaign))
    rows = session.execute(stmt.order_by(Shift.starts_at.desc(), Booking.id)).all()
    corrections = latest_corrections(session, [b.id for b, _ in rows])
    campaigns: dict[int, CampaignService] = {}
    for booking, attendance in rows:
        correction = corrections.get(booking.id)
        if attendance is None and correction is None:
            continue  # booked but never came: not service
        served = campaigns.setdefault(
            booking.shift.campaign_id, CampaignService(booking.shift.campaign)
        )
        served.shifts.append(
            ServedShift(
                booking.shift, attendance, correction, booking_hours(attendance, correction, now)
            )
        )
    return list(campaigns.values())


# --- the certificate of volunteer service -----------------------------------------------------


@dataclass
class ServiceCertificate:
    """What a certificate of service states: nothing personal beyond the volunteer's name."""

    name: str
    campaign: Campaign
    #: the communes of the service points served at, in the alphabet's order
    communes: list[Commune]
    hours: float
    first_served: datetime
    last_served: datetime


def service_certificate(
    session: Session, user: User, campaign: Campaign, now: datetime | None = None
) -> ServiceCertificate | None:
    """The person's service in the campaign, read from the same record as /me/service (so the
    certificate and its verification always say the hours the record says); None when they
    served no shift of it."""
    served = next(
        (s for s in service_record(session, user, now) if s.campaign.id == campaign.id), None
    )
    if served is None:
        return None
    communes = {s.shift.service_point.commune for s in served.shifts}
    starts = [s.shift.starts_at for s in served.shifts]
    return ServiceCertificate(
        name=user.full_name,
        campaign=campaign,
        communes=sorted(communes, key=lambda c: sort_key(c.name)),
        hours=served.hours,
        first_served=min(starts),
        last_served=max(starts),
    )


def certificate_verification_id(user: User, campaign: Campaign, secret_key: str) -> str:
    """The public id of a person's certificate of service in a campaign: both ids, signed; it
    never expires (see the "service-certificate" purpose in app.tokens)."""
    return signer("service-certificate", secret_key).dumps([user.id, campaign.id])


def verify_certificate(
    session: Session, verification: str, secret_key: str, now: datetime | None = None
) -> ServiceCertificate | None:
    """The certificate a verification id names; None when tampered with, or when the person or
    the campaign is gone or the person has no service in it."""
    try:
        payload = signer("service-certificate", secret_key).loads(verification)
    except BadToken:
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    if not all(isinstance(n, int) for n in payload):
        return None
    user = session.get(User, payload[0])
    campaign = session.get(Campaign, payload[1])
    if user is None or campaign is None:
        return None
    return service_certificate(session, user, campaign, now)


# --- corrections ------------------------------------------------------------------------------


def may_correct(user: User, shift: Shift) -> bool:
    """The coordinators of the shift's commune (directly or by its province) and admins."""
    return CoordinatorScope.of(user).covers_point(shift.service_point)


def correct_attendance(
    session: Session,
    booking: Booking,
    minutes: int,
    reason: str,
    by: User,
    now: datetime | None = None,
) -> AttendanceCorrection:
    """Set the hours a booking counts, with the reason; the check-in and the scans are kept as
    they were, and the audit log keeps who corrected what from what."""
    now = now or utcnow()
    shift = booking.shift
    if not may_correct(by, shift):
        raise CorrectionError("not_allowed")
    booking = locked(session, Booking, booking.id)
    if booking.status != BookingStatus.CONFIRMED:
        raise CorrectionError("not_booked")
    if shift.starts_at > now:
        raise CorrectionError("not_started")
    if minutes > (shift.ends_at - shift.starts_at).total_seconds() / 60:
        raise CorrectionError("too_long")
    attendance = session.scalar(select(Attendance).where(Attendance.booking_id == booking.id))
    before = booking_hours(
        attendance, latest_corrections(session, [booking.id]).get(booking.id), now
    )
    correction = AttendanceCorrection(
        booking_id=booking.id, minutes=minutes, reason=reason.strip(), corrected_by_id=by.id
    )
    session.add(correction)
    session.flush()
    record(
        session,
        by,
        "attendance.corrected",
        booking.user,
        booking,
        before={"hours": round(before, 2)},
        after={"hours": round(correction.hours, 2), "reason": correction.reason},
        commune=shift.service_point.commune,
    )
    return correction


# --- the exports branches report upward -------------------------------------------------------


@dataclass
class HoursRow:
    """Hours of one volunteer, or of a group of them (a branch, a class)."""

    organisation: str
    class_name: str = ""
    user: User | None = None
    volunteers: set[int] = field(default_factory=set)
    shifts: int = 0
    hours: float = 0.0


def campaign_hours_rows(
    session: Session, campaign: Campaign, viewer: User, by: str, now: datetime | None = None
) -> list[HoursRow]:
    """The campaign's served hours at the points the viewer coordinates, per volunteer
    (`by="volunteer"`), per branch or university (`"organisation"`) or per class (`"class"`)."""
    now = now or utcnow()
    stmt = (
        _served(now)
        .join(Shift.service_point)
        .join(ServicePoint.commune)
        .where(
            Shift.campaign_id == campaign.id,
            CoordinatorScope.of(viewer).communes_clause(
                ServicePoint.commune_id, Commune.province_id
            ),
        )
        .options(joinedload(Booking.user), joinedload(Booking.shift))
    )
    rows = session.execute(stmt).all()
    corrections = latest_corrections(session, [b.id for b, _ in rows])
    groups: dict[tuple, HoursRow] = {}
    for booking, attendance in rows:
        correction = corrections.get(booking.id)
        if attendance is None and correction is None:
            continue
        person = booking.user
        if by == "volunteer":
            key: tuple = (person.id,)
            new = HoursRow(person.organisation, person.class_name, person)
        elif by == "class":
            key = (person.organisation.strip(), person.class_name.strip())
            new = HoursRow(*key)
        else:
            key = (person.organisation.strip(),)
            new = HoursRow(key[0])
        row = groups.setdefault(key, new)
        row.volunteers.add(person.id)
        row.shifts += 1
        row.hours += booking_hours(attendance, correction, now)
    return sorted(
        groups.values(),
        key=lambda r: (
            sort_key(r.organisation),
            sort_key(r.class_name),
            sort_key(r.user.full_name if r.user else ""),
        ),
    )
