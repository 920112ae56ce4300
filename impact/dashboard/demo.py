"""Demo assisted submissions, so the impact dashboard tells a story on the first `make run`.

Each is logged as the log would accept it: by a volunteer holding a confirmed booking on a shift
at that service point, dated within that shift (and before now), received soon after. With the
demo campaign starting today, they fill the shifts that have started so far.
"""

import random
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.localtime import local_date, to_utc
from app.places.models import Commune, Province, ServicePoint
from impact.assists.models import AssistedSubmission, Procedure
from impact.dashboard.services import rebuild_counts
from impact.procedures.services import import_procedures
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus

#: assisted submissions spread over the last DAYS days
SUBMISSIONS = 3000
DAYS = 14
#: ids derived from this namespace make the demo idempotent
NAMESPACE = uuid.UUID("5d1e9a6c-1f0e-4c53-9d0b-3c7a8f2b6e41")
REASONS = (
    ("network_down", 5),
    ("system_error", 3),
    ("missing_signature", 4),
    ("missing_documents", 2),
    ("no_account", 2),
    ("other", 1),
)


def _demo_id(n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"demo-assist-{n}")


def load_impact_demo(session, hanoi: Province, bo_de: Commune) -> dict[str, int]:
    """`flask demo`'s part for impact: the procedure catalogue and Hanoi's assisted submissions."""
    import_procedures(session)
    return {"assisted_submissions": load_demo_assists(session, hanoi.id)}


def load_demo_assists(session, province_id: int, now: datetime | None = None) -> int:
    """A few thousand submissions over the province's communes; none if they exist already."""
    if session.get(AssistedSubmission, _demo_id(0)) is not None:
        return 0
    received = now or datetime.now(UTC)
    shifts = session.execute(
        select(
            Shift.id,
            Shift.starts_at,
            Shift.ends_at,
            ServicePoint.id,
            ServicePoint.commune_id,
            Booking.user_id,
        )
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        .join(Commune, Commune.id == ServicePoint.commune_id)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Commune.province_id == province_id,
            Shift.status == ShiftStatus.ACTIVE,
            Booking.status == BookingStatus.CONFIRMED,
            Shift.starts_at <= received,
            Shift.starts_at > received - timedelta(days=DAYS),
        )
        .order_by(Shift.starts_at, Shift.id, Booking.user_id)
    ).all()
    procedures = session.scalars(select(Procedure.id).order_by(Procedure.id)).all()
    if not shifts:
        # before the campaign's first shift has started (`flask demo` run at dawn): the
        # campaign's shift hours of the last days, by the demo volunteers, without a shift row
        shifts = _pattern_shifts(session, province_id, received)
    if not (shifts and procedures):
        return 0
    rng = random.Random(45)
    # Each commune gets its own online habit, so some lead and some lag.
    habit = {row[4]: rng.uniform(0.55, 0.97) for row in shifts}
    reasons, weights = zip(*REASONS, strict=True)
    rows = []
    for n in range(SUBMISSIONS):
        shift_id, starts_at, ends_at, point, commune, volunteer = rng.choice(shifts)
        worked = (min(ends_at, received) - starts_at).total_seconds()
        occurred = starts_at + timedelta(seconds=rng.uniform(0, max(worked, 0)))
        sent = min(occurred + timedelta(minutes=rng.uniform(0, 20)), received)
        online = rng.random() < habit[commune]
        level = ("fully_online" if rng.random() < 0.25 else "partly_online") if online else "paper"
        submitted = rng.random() < 0.88
        rows.append(
            {
                "id": _demo_id(n),
                "volunteer_id": volunteer,
                "service_point_id": point,
                "commune_id": commune,
                "province_id": province_id,
                "shift_id": shift_id,
                "procedure_id": rng.choice(procedures),
                "channel": rng.choice(("national_portal", "vneid", "provincial_portal"))
                if online
                else "paper",
                "level": level,
                "outcome": "submitted" if submitted else "not_submitted",
                "reason": None if submitted else rng.choices(reasons, weights)[0],
                "result_electronic": rng.choice(("yes", "yes", "yes", "no", "not_yet")),
                "age_band": rng.choice(("under_18", "18_39", "40_59", "60_plus", "60_plus")),
                "vulnerable": rng.random() < 0.2,
                "at_home": rng.random() < 0.03,
                "self_service": rng.random() < 0.35,
                "occurred_at": occurred,
                "occurred_on": local_date(occurred),
                # sent at once, or a few minutes later from the offline queue
                "received_at": sent,
                "offline": rng.random() < 0.06,
                "late": sent > ends_at,
            }
        )
    session.execute(insert(AssistedSubmission), rows)
    rebuild_counts(session)
    return len(rows)


def _pattern_shifts(session, province_id: int, received: datetime) -> list[tuple]:
    """(shift id, start, end, point, commune, volunteer) rows of the morning and afternoon shift
    hours (07:30–11:30, 13:30–17:00) of the days before `received` (within DAYS), shift id None."""
    points = session.execute(
        select(ServicePoint.id, ServicePoint.commune_id)
        .join(Commune, Commune.id == ServicePoint.commune_id)
        .where(Commune.province_id == province_id)
        .order_by(ServicePoint.id)
    ).all()
    volunteers = session.scalars(
        select(User.id).where(User.email.like("volunteer%@demo.local")).order_by(User.id)
    ).all()
    today = local_date(received)
    rows = []
    for back in range(1, DAYS):
        day = today - timedelta(days=back)
        for start, end in ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))):
            starts_at = to_utc(day, start)
            ends_at = to_utc(day, end)
            for n, (point, commune) in enumerate(points):
                if volunteers:
                    volunteer = volunteers[(n + back) % len(volunteers)]
                    rows.append((None, starts_at, ends_at, point, commune, volunteer))
    return rows
