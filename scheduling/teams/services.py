"""Teams, placing people on shifts, and a coordinator's staffing of one shift.

Placement and staffing follow scheduling.services: every person's row is locked before any
shift's row (so no deadlock with book_shift), capacity is counted under the shift's lock, and the
caller commits once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import RoleGrant, User
from app.auth.services import coordinated_commune_ids, find_by_email
from app.database import locked, utcnow
from app.places.models import Commune, Province, ServicePoint
from app.roles import Role
from app.text import fold
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
    campaign_communes,
)
from scheduling.services import (
    HOLDING,
    cancel_booking,
    confirmed_count,
    held_in_week,
    local_day_bounds,
    local_shift_times,
    promote_waitlist,
)
from scheduling.teams.models import Team, TeamKind, TeamMember

#: the longest date range placed in one action: a month of a campaign
MAX_PLACEMENT_DAYS = 31


class TeamError(Exception):
    """A team operation refused; `code` names the reason for views."""

    code = "team"

    def __init__(self, code: str | None = None):
        super().__init__(code or self.code)
        if code:
            self.code = code


# --- scope ------------------------------------------------------------------------------------


def _grants(user):
    return [g for g in user.grants if g.role == Role.COORDINATOR]


def can_manage_team(user, team: Team) -> bool:
    """A ward's coordinator keeps the ward's teams; a province's coordinator every team in it."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return any(
        (g.commune_id is not None and g.commune_id == team.commune_id)
        or (g.province_id is not None and g.province_id == team.province_id)
        for g in _grants(user)
    )


def teams_in_scope(session, user) -> list[Team]:
    """The teams a coordinator keeps, by name."""
    stmt = select(Team).options(selectinload(Team.commune)).order_by(Team.name, Team.id)
    if not user.has_role(Role.ADMIN):
        communes = {g.commune_id for g in _grants(user) if g.commune_id}
        provinces = {g.province_id for g in _grants(user) if g.province_id}
        stmt = stmt.where(or_(Team.commune_id.in_(communes), Team.province_id.in_(provinces)))
    teams = list(session.scalars(stmt))
    counts = dict(
        session.execute(
            select(TeamMember.team_id, func.count())
            .where(TeamMember.team_id.in_([t.id for t in teams]))
            .group_by(TeamMember.team_id)
        ).all()
    )
    for team in teams:
        team.member_count = counts.get(team.id, 0)
    return teams


def scope_choices(session, user) -> list[tuple[str, str]]:
    """The provinces and communes a coordinator may give a team, as ("p:<id>"|"c:<id>", name).

    An admin without a coordinator's grant chooses among the provinces.
    """
    grants = _grants(user)
    if not grants and user.has_role(Role.ADMIN):
        provinces = session.scalars(select(Province).order_by(Province.code))
        return [(f"p:{p.id}", p.name) for p in provinces]
    choices = [(f"p:{g.province_id}", g.province.name) for g in grants if g.province_id]
    choices += [(f"c:{g.commune_id}", g.commune.name) for g in grants if g.commune_id]
    province_ids = {g.province_id for g in grants if g.province_id}
    if province_ids:
        communes = session.scalars(
            select(Commune).where(Commune.province_id.in_(province_ids)).order_by(Commune.name)
        )
        choices += [(f"c:{c.id}", c.name) for c in communes]
    return list(dict(choices).items())


def resolve_scope(session, value: str):
    """The (province_id, commune_id) of a scope choice made by scope_choices."""
    kind, _, ident = value.partition(":")
    if kind == "c":
        commune = session.get(Commune, int(ident))
        return commune.province_id, commune.id
    return int(ident), None


# --- teams ------------------------------------------------------------------------------------


def save_team(
    session, team: Team | None, *, name: str, kind: TeamKind, province_id: int, commune_id
) -> Team:
    """Create a team, or change its name, kind and scope."""
    if team is None:
        team = Team()
        session.add(team)
    team.name = name
    team.kind = TeamKind(kind)
    team.province_id = province_id
    team.commune_id = commune_id
    session.flush()
    return team


def members_of(session, team: Team) -> list[User]:
    """The team's members by name."""
    return list(
        session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == team.id)
            .order_by(User.full_name, User.id)
        )
    )


def is_volunteer(user: User) -> bool:
    return any(g.role == Role.VOLUNTEER for g in user.grants)


def add_member(session, team: Team, user: User | None) -> bool:
    """Add a volunteer to the team; False when they were already a member."""
    if user is None:
        raise TeamError("unknown_person")
    if not is_volunteer(user):
        raise TeamError("not_a_volunteer")
    if session.get(TeamMember, (team.id, user.id)) is not None:
        return False
    session.add(TeamMember(team_id=team.id, user_id=user.id))
    session.flush()
    return True


def add_member_by_email(session, team: Team, email: str, coordinator: User) -> User:
    """Add the volunteer with this email to the team, if they live in the coordinator's communes.

    The same volunteers the search finds: a member's phone shows on the team's page, so an email
    typed must not make anyone in the country a member (and reveal their phone) at once. An
    unknown email and a volunteer living elsewhere get the same refusal."""
    user = find_by_email(session, email)
    if user is None:
        raise TeamError("unknown_volunteer")
    if is_volunteer(user):
        commune_ids = coordinated_commune_ids(session, coordinator)
        if commune_ids is not None and user.home_commune_id not in commune_ids:
            raise TeamError("unknown_volunteer")
    add_member(session, team, user)
    return user


def remove_member(session, team: Team, user_id: int) -> None:
    """Take a person out of the team (and from its lead, if they led it)."""
    membership = session.get(TeamMember, (team.id, user_id))
    if membership is None:
        raise TeamError("not_a_member")
    session.delete(membership)
    if team.leader_id == user_id:
        team.leader_id = None
    session.flush()


def choose_leader(session, team: Team, user_id: int) -> None:
    """Make one of the members the team's leader."""
    if session.get(TeamMember, (team.id, user_id)) is None:
        raise TeamError("not_a_member")
    team.leader_id = user_id
    session.flush()


def search_volunteers(session, coordinator, query: str, *, limit: int = 20) -> list[User]:
    """Volunteers living in the coordinator's scope whose name or email contains the query.

    Diacritics and capitals do not matter ("nguyen van an" finds "Nguyễn Văn An"); names are
    folded in Python because the users table keeps no folded name.
    """
    folded = fold(query or "")
    if len(folded) < 2:
        return []
    commune_ids = coordinated_commune_ids(session, coordinator)
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.VOLUNTEER, User.active.is_(True))
        .order_by(User.full_name, User.id)
    )
    if commune_ids is not None:
        stmt = stmt.where(User.home_commune_id.in_(commune_ids))
    found = []
    for user in session.scalars(stmt):
        if folded in fold(user.full_name) or folded in (user.email or ""):
            found.append(user)
            if len(found) >= limit:
                break
    return found


def teams_of(session, user_id: int) -> list[Team]:
    """The teams a person belongs to, by name."""
    return list(
        session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.user_id == user_id)
            .order_by(Team.name)
        )
    )


# --- placement --------------------------------------------------------------------------------


class Outcome:
    """Why a person was or was not placed on a shift (codes shared with the staffing page)."""

    PLACED = "placed"
    ALREADY = "already_booked"
    FULL = "full"
    OVERLAP = "overlap"
    WEEKLY_LIMIT = "weekly_limit"
    CLOSED = "closed"


@dataclass
class Placement:
    """One person on one shift: placed, or not and why (`conflict` is the overlapping shift)."""

    person: User
    shift: Shift
    outcome: str
    conflict: Shift | None = None

    @property
    def placed(self) -> bool:
        return self.outcome == Outcome.PLACED


@dataclass
class PlacementReport:
    """Every person × shift of one placement, in the order they were tried."""

    placements: list[Placement] = field(default_factory=list)

    @property
    def placed(self) -> list[Placement]:
        return [p for p in self.placements if p.placed]

    def by_person(self) -> list[tuple[User, list[Placement]]]:
        rows: dict[int, tuple[User, list[Placement]]] = {}
        for placement in self.placements:
            rows.setdefault(placement.person.id, (placement.person, []))[1].append(placement)
        return list(rows.values())


def points_in_scope(session, user, campaign: Campaign | None = None) -> list[ServicePoint]:
    """Active service points the coordinator coordinates, of the campaign's communes if given."""
    stmt = (
        select(ServicePoint)
        .join(ServicePoint.commune)
        .where(ServicePoint.active.is_(True))
        .order_by(Commune.search_name, ServicePoint.name)
    )
    commune_ids = coordinated_commune_ids(session, user)
    if commune_ids is not None:
        stmt = stmt.where(ServicePoint.commune_id.in_(commune_ids))
    if campaign is not None:
        stmt = stmt.where(
            ServicePoint.commune_id.in_(
                select(campaign_communes.c.commune_id).where(
                    campaign_communes.c.campaign_id == campaign.id
                )
            )
        )
    return list(session.scalars(stmt))


def pattern_starts(campaigns) -> list[str]:
    """The distinct local start times ("07:30") of the campaigns' shift patterns, in order."""
    return sorted({entry["start"] for c in campaigns for entry in c.shift_pattern})


def shifts_to_place(
    session, campaign: Campaign, point: ServicePoint, first: date, last: date, starts: list[str]
) -> list[Shift]:
    """The campaign's shifts at the point on the local days first..last starting at those times."""
    wanted = set()
    day = first
    while day <= last:
        for entry, (starts_at, _ends_at) in zip(
            campaign.shift_pattern, local_shift_times(campaign, day), strict=True
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
    session, people: list[User], shifts: list[Shift], placed_by: User, now: datetime | None = None
) -> PlacementReport:
    """Confirm each person on each shift where there is room; never waitlist; report each try.

    Each placement is independent (one refused leaves the others); a placement that would go
    over capacity, overlap another shift of the person, pass the campaign's weekly limit, or
    land on a shift closed or started is reported, not made.
    """
    now = now or utcnow()
    people = sorted({p.id: p for p in people}.values(), key=lambda p: p.id)
    shifts = sorted({s.id: s for s in shifts}.values(), key=lambda s: (s.starts_at, s.id))
    # every person, then every shift, each in id order: the order book_shift takes them in
    for person in people:
        locked(session, User, person.id)
    for shift_id in sorted(s.id for s in shifts):
        locked(session, Shift, shift_id)
    report = PlacementReport()
    confirmed: dict[int, int] = {}
    for person in sorted(people, key=lambda p: (p.full_name, p.id)):
        for shift in shifts:
            outcome, conflict = _place_one(session, person, shift, now, confirmed=confirmed)
            report.placements.append(Placement(person, shift, outcome, conflict))
    return report


def _place_one(
    session,
    person: User,
    shift: Shift,
    now: datetime,
    ignore: tuple[int, ...] = (),
    confirmed: dict[int, int] | None = None,
):
    """Confirm one person on one locked shift, or say why not: (outcome, conflicting shift)."""
    booking = session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == person.id)
    )
    if booking is not None and booking.status == BookingStatus.CONFIRMED:
        return Outcome.ALREADY, None
    if shift.status != ShiftStatus.ACTIVE or shift.starts_at <= now:
        return Outcome.CLOSED, None
    # the caller holds the shift's lock, so a count taken once stays true but for our own writes
    confirmed = {} if confirmed is None else confirmed
    if shift.id not in confirmed:
        confirmed[shift.id] = confirmed_count(session, shift.id)
    if confirmed[shift.id] >= shift.campaign.max_per_shift:
        return Outcome.FULL, None
    conflict = overlapping_shift(session, person.id, shift, ignore=ignore)
    if conflict is not None:
        return Outcome.OVERLAP, conflict
    limit = shift.campaign.weekly_limit
    if limit is not None and held_in_week(session, person.id, shift, ignore=ignore) >= limit:
        return Outcome.WEEKLY_LIMIT, None
    if booking is None:
        booking = Booking(shift_id=shift.id, user_id=person.id)
        session.add(booking)
    if booking.status != BookingStatus.WAITLISTED:
        # a waitlisted person keeps their place in time; a new or returning one starts now
        booking.created_at = now
    booking.status = BookingStatus.CONFIRMED
    booking.cancelled_at = None
    confirmed[shift.id] += 1
    session.flush()
    return Outcome.PLACED, None


def overlapping_shift(session, user_id: int, shift: Shift, ignore=()) -> Shift | None:
    """Another active shift the person holds that overlaps this one, ignoring some shift ids."""
    return session.scalar(
        select(Shift)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user_id,
            Booking.status.in_(HOLDING),
            Shift.id.not_in([shift.id, *ignore]),
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )


# --- staffing one shift -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """A booking on the staffing page with the teams of its person."""

    booking: Booking
    teams: list[str]


def staffing(session, shift: Shift) -> tuple[list[StaffRow], list[StaffRow]]:
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
        .order_by(Team.name)
    ):
        names.setdefault(user_id, []).append(name)
    confirmed = sorted(
        (b for b in bookings if b.status == BookingStatus.CONFIRMED),
        key=lambda b: (b.user.full_name, b.id),
    )
    waitlist = [b for b in bookings if b.status == BookingStatus.WAITLISTED]
    return (
        [StaffRow(b, names.get(b.user_id, [])) for b in confirmed],
        [StaffRow(b, names.get(b.user_id, [])) for b in waitlist],
    )


def other_shifts(session, shift: Shift, days: int = 7) -> list[Shift]:
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


def remove_person(session, booking: Booking, now: datetime | None = None) -> list[Booking]:
    """A coordinator releases a person from a shift, even after the cancellation deadline.

    Returns the waitlisted bookings promoted to the freed place.
    """
    promoted = cancel_booking(session, booking, by_coordinator=True, now=now)
    return [promoted] if promoted else []


@dataclass
class Move:
    """A person moved between two shifts, and whom the freed place went to."""

    booking: Booking
    promoted: list[Booking]


def move_person(session, booking: Booking, target: Shift, now: datetime | None = None) -> Move:
    """Move a person's booking to another shift of the same campaign, all or nothing.

    The person is confirmed on the target only if it has room and no overlap other than the
    shift they leave; otherwise TeamError says why and nothing changes.
    """
    now = now or utcnow()
    locked(session, User, booking.user_id)
    for shift_id in sorted({booking.shift_id, target.id}):
        locked(session, Shift, shift_id)
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
    outcome, conflict = _place_one(session, booking.user, target, now, ignore=(source.id,))
    if outcome != Outcome.PLACED:
        error = TeamError(outcome)
        error.conflict = conflict
        raise error
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    promoted = promote_waitlist(session, source, now=now) if was_confirmed else []
    moved = session.scalar(
        select(Booking).where(Booking.shift_id == target.id, Booking.user_id == booking.user_id)
    )
    return Move(moved, promoted)
