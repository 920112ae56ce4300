"""Attendance reports: who came to a shift and for how long, and a campaign's hours."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.places.models import Commune, ServicePoint
from app.scope import CoordinatorScope
from app.text import sort_key
from scheduling.checkin.models import Attendance, Scan
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.service_hours.models import AttendanceCorrection
from scheduling.service_hours.services import booking_hours, latest_corrections


@dataclass(frozen=True)
class AttendanceRow:
    """One confirmed booking of a shift and what became of it."""

    booking: Booking
    attendance: Attendance | None
    no_show: bool
    hours: float
    #: a coordinator's correction, whose hours count instead of the check-in's
    correction: AttendanceCorrection | None = None


def shift_attendance(session, shift: Shift, now: datetime | None = None) -> list[AttendanceRow]:
    """Every confirmed booking of the shift with its check-in; no-shows once the shift ended."""
    now = now or utcnow()
    rows = session.execute(
        select(Booking, Attendance)
        .outerjoin(Attendance, Attendance.booking_id == Booking.id)
        .join(Booking.user)
        .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.CONFIRMED)
        .options(joinedload(Booking.user))
        .order_by(alphabetical(User.full_name), Booking.id)
    ).all()
    ended = shift.ends_at <= now
    corrections = latest_corrections(session, [booking.id for booking, _ in rows])
    return [
        AttendanceRow(
            booking,
            attendance,
            no_show=attendance is None and ended and booking.id not in corrections,
            hours=booking_hours(attendance, corrections.get(booking.id), now),
            correction=corrections.get(booking.id),
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
    stmt = stmt.where(
        CoordinatorScope.of(viewer).communes_clause(ServicePoint.commune_id, Commune.province_id)
    )
    totals: dict[int, VolunteerHours] = {}
    rows = session.execute(stmt).all()
    corrections = latest_corrections(session, [booking.id for booking, _ in rows])
    for booking, attendance in rows:
        row = totals.setdefault(booking.user_id, VolunteerHours(booking.user))
        row.booked += 1
        correction = corrections.get(booking.id)
        if attendance is not None or correction is not None:
            row.attended += 1
            row.walk_ins += attendance.walk_in if attendance is not None else 0
            row.hours += booking_hours(attendance, correction, now)
        elif booking.shift.ends_at <= now:
            row.no_shows += 1
    return sorted(totals.values(), key=lambda r: (-r.hours, sort_key(r.user.full_name), r.user.id))
