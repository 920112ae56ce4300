"""Coordinators placing people: a team (or chosen members) on a range of shifts, and the
staffing of one shift (add, remove, move).

Every placement goes through `placement.place`, never waitlisting: a coordinator confirms a
person where there is room, or is told why not. Each operation tells the people it moved
("placed", "removed", "moved"; "promoted" comes from promote_waitlist); the caller commits once.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.auth.models import RoleGrant, User
from app.database import alphabetical, utcnow
from app.localtime import local_day_bounds, local_periods
from app.notifications.models import Notification
from app.notifications.services import notify
from app.places.models import Commune, ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from app.text import sort_key
from scheduling.booking.placement import Placement, Reason, lock_for_placement, place
from scheduling.booking.services import cancel_booking, promote_waitlist
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
    campaign_communes,
)
from scheduling.notices import CALL_KIND
from scheduling.services import HOLDING, ShiftClosed
from scheduling.skills.services import SkillNeed, lacking, needs_of
from scheduling.teams.models import Team, TeamMember
from scheduling.teams.services import TeamError

#: the longest date range placed in one action: a month of a campaign
MAX_PLACEMENT_DAYS = 31


# --- placing people on a range of shifts ------------------------------------------------------


@dataclass
class PlacementReport:
    """Every person × shift of one placement, in the order they were tried, and the skills
    each shift still lacks after it."""

    placements: list[Placement] = field(default_factory=list)
    #: (shift, the skills it is short of) for each shift placed on still short of one
    skill_gaps: list[tuple[Shift, list[SkillNeed]]] = field(default_factory=list)

    @property
    def placed(self) -> list[Placement]:
        return [p for p in self.placements if p.placed]

    def by_person(self) -> list[tuple[User, list[Placement]]]:
        rows: dict[int, tuple[User, list[Placement]]] = {}
        for placement in self.placements:
            rows.setdefault(placement.person.id, (placement.person, []))[1].append(placement)
        return list(rows.values())


def points_in_scope(
    session: Session, user: User, campaign: Campaign | None = None
) -> list[ServicePoint]:
    """Active service points the coordinator coordinates, of the campaign's communes if given."""
    stmt = (
        select(ServicePoint)
        .join(ServicePoint.commune)
        .where(ServicePoint.active.is_(True))
        .where(CoordinatorScope.of(user).communes_clause(Commune.id, Commune.province_id))
        .order_by(alphabetical(Commune.name), alphabetical(ServicePoint.name))
    )
    if campaign is not None:
        stmt = stmt.where(
            ServicePoint.commune_id.in_(
                select(campaign_communes.c.commune_id).where(
                    campaign_communes.c.campaign_id == campaign.id
                )
            )
        )
    return list(session.scalars(stmt))


def pattern_starts(campaigns: Iterable[Campaign]) -> list[str]:
    """The distinct local start times ("07:30") of the campaigns' shift patterns, in order."""
    return sorted({entry["start"] for c in campaigns for entry in c.shift_pattern})


def shifts_to_place(
    session: Session,
    campaign: Campaign,
    point: ServicePoint,
    first: date,
    last: date,
    starts: list[str],
) -> list[Shift]:
    """The campaign's shifts at the point on the local days first..last starting at those times."""
    wanted = set()
    day = first
    while day <= last:
        for entry, (starts_at, _ends_at) in zip(
            campaign.shift_pattern, local_periods(day, campaign.shift_pattern), strict=True
        ):
            if entry["start"] in starts:
                wanted.add(starts_at)
        day += timedelta(days=1)
    window_start, _ = local_day_bounds(first)
    _, window_end = local_day_bounds(last)
    shifts = session.scalars(
        select(Shift)
        .where(
            Shift.campaign_id == campaign.id,
            Shift.service_point_id == point.id,
            Shift.starts_at >= window_start,
            Shift.starts_at < window_end,
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    return [s for s in shifts if s.starts_at in wanted]


def place_people(
    session: Session,
    people: list[User],
    shifts: list[Shift],
    placed_by: User,
    now: datetime | None = None,
) -> PlacementReport:
    """Confirm each person on each shift where there is room; never waitlist; report each try.

    Each placement is independent (one refused leaves the others); a placement that would go
    over capacity, overlap another shift of the person, pass the campaign's weekly limit, or
    land on a shift closed or started is reported, not made. Each person placed is told
    ("placed"). The report ends with the shifts still short of a skill the campaign asks for.
    """
    now = now or utcnow()
    people = sorted({p.id: p for p in people}.values(), key=lambda p: p.id)
    shifts = sorted({s.id: s for s in shifts}.values(), key=lambda s: (s.starts_at, s.id))
    lock_for_placement(session, people, shifts)
    report = PlacementReport()
    for person in sorted(people, key=lambda p: (sort_key(p.full_name), p.id)):
        for shift in shifts:
            report.placements.append(
                place(session, shift, person, waitlist=False, weekly_limit=True, now=now)
            )
    for placement in report.placed:
        notify(session, placement.person, "placed", shift_id=placement.shift.id)
        record(
            session,
            placed_by,
            "booking.placed",
            placement.person,
            placement.booking,
            after=_shift_facts(placement.shift),
            commune=placement.shift.service_point.commune,
        )
    session.flush()
    needs = needs_of(session, [s.id for s in shifts])
    report.skill_gaps = [
        (shift, lacking(needs[shift.id])) for shift in shifts if lacking(needs.get(shift.id, ()))
    ]
    return report


def _shift_facts(shift: Shift) -> dict[str, object]:
    """What the audit log keeps of a shift a person was put on or taken off."""
    return {
        "shift": shift.id,
        "service_point": shift.service_point.name,
        "starts_at": shift.starts_at,
    }


# --- staffing one shift -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """A booking on the staffing page with the teams of its person."""

    booking: Booking
    teams: list[str]


def staffing(session: Session, shift: Shift) -> tuple[list[StaffRow], list[StaffRow]]:
    """The shift's confirmed people by name and its waitlist in order, with their teams."""
    bookings = list(
        session.scalars(
            select(Booking)
            .options(selectinload(Booking.user))
            .where(Booking.shift_id == shift.id, Booking.status.in_(HOLDING))
            .order_by(Booking.created_at, Booking.id)
        )
    )
    names: dict[int, list[str]] = {}
    for user_id, name in session.execute(
        select(TeamMember.user_id, Team.name)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id.in_([b.user_id for b in bookings]))
        .order_by(alphabetical(Team.name))
    ):
        names.setdefault(user_id, []).append(name)
    confirmed = sorted(
        (b for b in bookings if b.status == BookingStatus.CONFIRMED),
        key=lambda b: (sort_key(b.user.full_name), b.id),
    )
    waitlist = [b for b in bookings if b.status == BookingStatus.WAITLISTED]
    return (
        [StaffRow(b, names.get(b.user_id, [])) for b in confirmed],
        [StaffRow(b, names.get(b.user_id, [])) for b in waitlist],
    )


def other_shifts(session: Session, shift: Shift, days: int = 7) -> list[Shift]:
    """Shifts of the same campaign at points in the same commune, a few days either side."""
    return list(
        session.scalars(
            select(Shift)
            .join(Shift.service_point)
            .where(
                Shift.campaign_id == shift.campaign_id,
                Shift.id != shift.id,
                Shift.status == ShiftStatus.ACTIVE,
                ServicePoint.commune_id == shift.service_point.commune_id,
                Shift.starts_at >= max(shift.starts_at - timedelta(days=days), utcnow()),
                Shift.starts_at < shift.starts_at + timedelta(days=days),
            )
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def add_person(session: Session, shift: Shift, person: User, added_by: User) -> Placement:
    """A coordinator confirms one person on the shift if there is room, or says why not."""
    return place_people(session, [person], [shift], added_by).placements[0]


def remove_person(
    session: Session, booking: Booking, now: datetime | None = None, *, by: User | None = None
) -> list[Booking]:
    """A coordinator (``by``) releases a person from a shift, even after the cancellation
    deadline.

    The person is told ("removed"), and so is whoever the freed place goes to ("promoted"); the
    audit log keeps who did it. Returns the waitlisted bookings promoted.
    """
    before = {"status": str(booking.status), **_shift_facts(booking.shift)}
    promoted = cancel_booking(session, booking, by_coordinator=True, now=now)
    record(
        session,
        by,
        "booking.removed",
        booking.user,
        booking,
        before=before,
        after={"status": str(booking.status)},
        commune=booking.shift.service_point.commune,
    )
    notify(session, booking.user, "removed", shift_id=booking.shift_id)
    return [promoted] if promoted else []


@dataclass
class Move:
    """A person moved between two shifts, and whom the freed place went to."""

    booking: Booking
    promoted: list[Booking]


def move_person(
    session: Session,
    booking: Booking,
    target: Shift,
    now: datetime | None = None,
    *,
    by: User | None = None,
) -> Move:
    """Move a person's booking to another shift of the same campaign, all or nothing.

    The person is confirmed on the target only if it has room and no overlap other than the
    shift they leave; otherwise TeamError says why (its code a placement's reason, `conflict`
    the overlapping shift) and nothing changes. The person is told ("moved"); the audit log
    keeps who moved them (``by``).
    """
    now = now or utcnow()
    lock_for_placement(session, [booking.user], [booking.shift, target])
    session.refresh(booking)
    source = booking.shift
    session.refresh(source)
    session.refresh(target)
    if booking.status not in HOLDING:
        raise TeamError("not_booked")
    if target.id == source.id:
        raise TeamError("same_shift")
    if target.campaign_id != source.campaign_id:
        raise TeamError("other_campaign")
    placement = place(
        session, target, booking.user, waitlist=False, weekly_limit=True, leaving=source, now=now
    )
    if placement.reason != Reason.CONFIRMED:
        error = TeamError(placement.reason)
        error.conflict = placement.conflict
        raise error
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    promoted = promote_waitlist(session, source, now=now) if was_confirmed else []
    assert placement.booking is not None  # a confirmed placement holds its booking
    notify(session, booking.user, "moved", shift_id=target.id, from_shift_id=source.id)
    record(
        session,
        by,
        "booking.moved",
        booking.user,
        placement.booking,
        before=_shift_facts(source),
        after=_shift_facts(target),
        commune=target.service_point.commune,
    )
    return Move(placement.booking, promoted)


# --- calling for volunteers -------------------------------------------------------------------

#: the most volunteers one call reaches: the commune's, nearest first by nothing but id
CALL_LIMIT = 200


def call_for_volunteers(session: Session, shift: Shift, now: datetime | None = None) -> int:
    """Tell the volunteers living in the shift's commune that it needs people; return how many.

    Those already on the shift, or already called for it, are not told again. A shift that has
    started or was cancelled is refused (ShiftClosed), like a booking would be."""
    now = now or utcnow()
    if shift.status != ShiftStatus.ACTIVE or shift.starts_at <= now:
        raise ShiftClosed()
    on_shift = select(Booking.user_id).where(
        Booking.shift_id == shift.id, Booking.status.in_(HOLDING)
    )
    called = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.kind == CALL_KIND,
                Notification.params["shift_id"].as_integer() == shift.id,
            )
        )
    )
    people = [
        person
        for person in session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.VOLUNTEER,
                User.active.is_(True),
                User.home_commune_id == shift.service_point.commune_id,
                User.id.not_in(on_shift),
            )
            .order_by(User.id)
            .limit(CALL_LIMIT + len(called))
        )
        if person.id not in called
    ][:CALL_LIMIT]
    for person in people:
        notify(session, person, CALL_KIND, shift_id=shift.id)
    return len(people)
