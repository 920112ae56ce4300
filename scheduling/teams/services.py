"""Teams: who keeps them, their members and their leader.

Placing a team on shifts and staffing one shift are booking operations: they live in
scheduling.booking.staffing.
"""

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import RoleGrant, User
from app.auth.services import find_by_email
from app.database import alphabetical
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import Commune, Province
from app.roles import Role
from app.scope import CoordinatorScope
from app.text import fold
from scheduling.teams.models import Team, TeamKind, TeamMember

if TYPE_CHECKING:
    from scheduling.models import Shift


class TeamError(DomainError):
    """A team operation refused; `code` names the reason for views (a placement's Outcome when
    a move could not place the person: the views word those)."""

    code = "team"
    #: the overlapping shift, when a move found one (scheduling.booking.staffing.move_person)
    conflict: "Shift | None"
    sentences = {
        "unknown_person": _l("No account has this email."),
        "unknown_volunteer": _l("No volunteer of your communes has this email."),
        "not_a_volunteer": _l("This person is not a volunteer: only volunteers join teams."),
        "not_a_member": _l("This person is not a member of the team."),
        "not_booked": _l("This person no longer holds a place on the shift."),
        "same_shift": _l("Choose another shift to move to."),
        "other_campaign": _l("A person can only be moved to a shift of the same campaign."),
    }


# --- scope ------------------------------------------------------------------------------------


def can_manage_team(user: User, team: Team) -> bool:
    """A ward's coordinator keeps the ward's teams; a province's coordinator every team in it."""
    scope = CoordinatorScope.of(user)
    return scope.covers_province(team.province_id) or (
        team.commune is not None and scope.covers_commune(team.commune)
    )


def teams_in_scope(session: Session, user: User) -> list[Team]:
    """The teams a coordinator keeps, by name."""
    scope = CoordinatorScope.of(user)
    stmt = (
        select(Team).options(selectinload(Team.commune)).order_by(alphabetical(Team.name), Team.id)
    )
    stmt = stmt.where(
        or_(scope.provinces_clause(Team.province_id), scope.communes_clause(Team.commune_id))
    )
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


def scope_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """The provinces and communes a coordinator may give a team, as ("p:<id>"|"c:<id>", name).

    An admin without a coordinator's grant chooses among the provinces.
    """
    scope = CoordinatorScope.of(user)
    if scope.everything and not scope.granted:
        every_province = session.scalars(select(Province).order_by(alphabetical(Province.name)))
        return [(f"p:{p.id}", p.name) for p in every_province]
    provinces = select(Province).where(Province.id.in_(scope.province_ids))
    direct = select(Commune).where(Commune.id.in_(scope.commune_ids))
    of_provinces = select(Commune).where(Commune.province_id.in_(scope.province_ids))
    choices = [
        (f"p:{p.id}", p.name)
        for p in session.scalars(provinces.order_by(alphabetical(Province.name)))
    ]
    for communes in (direct, of_provinces):
        choices += [
            (f"c:{c.id}", c.name)
            for c in session.scalars(communes.order_by(alphabetical(Commune.name)))
        ]
    return list(dict(choices).items())


def resolve_scope(session: Session, value: str) -> tuple[int, int | None]:
    """The (province_id, commune_id) of a scope choice made by scope_choices."""
    kind, _, ident = value.partition(":")
    if kind == "c":
        commune = session.get(Commune, int(ident))
        assert commune is not None  # the choice came from scope_choices, of existing communes
        return commune.province_id, commune.id
    return int(ident), None


# --- teams ------------------------------------------------------------------------------------


def save_team(
    session: Session,
    team: Team | None,
    *,
    name: str,
    kind: TeamKind,
    province_id: int,
    commune_id: int | None,
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


def members_of(session: Session, team: Team) -> list[User]:
    """The team's members by name."""
    return list(
        session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == team.id)
            .order_by(alphabetical(User.full_name), User.id)
        )
    )


def is_volunteer(user: User) -> bool:
    return any(g.role == Role.VOLUNTEER for g in user.grants)


def add_member(session: Session, team: Team, user: User | None) -> bool:
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


def volunteer_by_email(session: Session, email: str, coordinator: User) -> User:
    """The volunteer with this email, if they live in the coordinator's communes: the volunteers
    the search finds, the only ones a coordinator reaches by typing an email.

    Adding by email makes the person a team member or puts them on a shift, and both pages show
    their phone: an email typed must not reach anyone in the country. An unknown email, a
    volunteer living elsewhere and an account that is not a volunteer's get the same refusal."""
    user = find_by_email(session, email)
    if (
        user is None
        or not is_volunteer(user)
        or not CoordinatorScope.of(coordinator).covers_commune(user.home_commune)
    ):
        raise TeamError("unknown_volunteer")
    return user


def add_member_by_email(session: Session, team: Team, email: str, coordinator: User) -> User:
    """Add the volunteer with this email to the team, if the coordinator reaches them."""
    user = volunteer_by_email(session, email, coordinator)
    add_member(session, team, user)
    return user


def remove_member(session: Session, team: Team, user_id: int) -> None:
    """Take a person out of the team (and from its lead, if they led it)."""
    membership = session.get(TeamMember, (team.id, user_id))
    if membership is None:
        raise TeamError("not_a_member")
    session.delete(membership)
    if team.leader_id == user_id:
        team.leader_id = None
    session.flush()


def choose_leader(session: Session, team: Team, user_id: int) -> None:
    """Make one of the members the team's leader."""
    if session.get(TeamMember, (team.id, user_id)) is None:
        raise TeamError("not_a_member")
    team.leader_id = user_id
    session.flush()


def search_volunteers(
    session: Session, coordinator: User, query: str, *, limit: int = 20
) -> list[User]:
    """Volunteers living in the coordinator's scope whose name or email contains the query.

    Diacritics and capitals do not matter ("nguyen van an" finds "Nguyễn Văn An"); names are
    folded in Python because the users table keeps no folded name.
    """
    folded = fold(query or "")
    if len(folded) < 2:
        return []
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.VOLUNTEER, User.active.is_(True))
        .where(CoordinatorScope.of(coordinator).communes_clause(User.home_commune_id))
        .order_by(alphabetical(User.full_name), User.id)
    )
    found = []
    for user in session.scalars(stmt):
        if folded in fold(user.full_name) or folded in (user.email or ""):
            found.append(user)
            if len(found) >= limit:
                break
    return found


def teams_of(session: Session, user_id: int) -> list[Team]:
    """The teams a person belongs to, by name."""
    return list(
        session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.user_id == user_id)
            .order_by(alphabetical(Team.name), Team.id)
        )
    )
