"""Importing volunteers from a spreadsheet: a preview row by row, then all or nothing.

A row names a person by email. An email without an account creates a volunteer's account with
no password, and the person is mailed an invitation to choose one; an email of a volunteer the
importer reaches (the rule of `volunteer_by_email`) adds them to the row's team, and nothing of
their own profile changes. The same file twice changes nothing. Every account made and every
team joined is kept in the audit log.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.auth.forms import PHONE
from app.auth.models import User
from app.auth.services import invite_volunteers, mail_invitation, normalise_email
from app.places.models import Commune, Province
from app.places.services import CommuneFinder, PlaceError
from app.scope import CoordinatorScope
from app.skills.services import SkillFinder
from app.spreadsheets import Column, Outcome, Preview, Row, RowPlan, read_table, refuse_formulas
from app.text import fold
from scheduling.teams.models import Team, TeamMember
from scheduling.teams.services import TeamError, is_volunteer

COLUMNS = (
    Column("full_name", ("họ và tên", "họ tên", "tên", "name")),
    Column("email", ("e-mail", "thư điện tử", "địa chỉ email")),
    Column("phone", ("số điện thoại", "điện thoại", "sđt", "sdt"), required=False),
    Column("organisation", ("đơn vị", "tổ chức", "chi đoàn", "trường"), required=False),
    Column("class_name", ("lớp", "class"), required=False),
    Column(
        "home_commune",
        ("xã/phường", "phường/xã", "xã phường", "nơi ở", "xã phường cư trú", "nơi cư trú"),
    ),
    Column("skills", ("kỹ năng",), required=False),
    Column("team", ("đội", "nhóm", "đội hình"), required=False),
)
#: the template's example row
EXAMPLE = (
    "Nguyễn Văn An",
    "an.nguyen@example.com",
    "0912 345 678",
    "Đại học Bách khoa Hà Nội",
    "CNTT-01",
    "Phường Bồ Đề",
    "it, elderly",
    "Lớp CNTT-01",
)
#: the longest of each text, as the account's columns allow
LIMITS = {"full_name": 120, "email": 254, "organisation": 200, "class_name": 50}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: how many emails one query looks up
CHUNK = 500


@dataclass
class _Work:
    """What one accepted row writes."""

    user: User | None
    team: Team | None
    profile: dict[str, Any] = field(default_factory=dict)


def plan(
    session: Session,
    data: bytes,
    filename: str,
    province: Province | None,
    scope: CoordinatorScope,
    actor: User | None,
) -> Preview:
    """What importing the file would do, row by row, without writing anything."""
    table = read_table(data, filename, COLUMNS)
    finder = CommuneFinder(session, province)
    emails = {normalise_email(r.get("email")) for r in table.rows if r.get("email")}
    accounts = _accounts(session, emails)
    teams = _teams(session, scope)
    members = _members(session, [u.id for u in accounts.values()])
    skills = SkillFinder(session)
    seen: dict[str, int] = {}
    rows = []
    for row in table.rows:
        email = normalise_email(row.get("email"))
        plan_row = RowPlan(row.line, email or row.get("full_name"))
        rows.append(plan_row)
        refuse_formulas(row, plan_row)
        if plan_row.outcome == Outcome.REFUSED:
            continue
        if email in seen:
            plan_row.refuse(_("The same email is on line %(line)d.", line=seen[email]))
            continue
        if email:
            seen[email] = row.line
        team = _team(teams, row.get("team"), plan_row)
        user = accounts.get(email)
        if user is not None:
            _existing(plan_row, user, team, scope, members)
        else:
            profile = _profile(row, plan_row, finder, scope, skills)
            if profile is not None and plan_row.outcome != Outcome.REFUSED:
                plan_row.outcome = Outcome.CREATED
                plan_row.notes.append(_("An invitation to choose a password will be mailed."))
                if team is not None:
                    plan_row.notes.append(_("Joins the team %(team)s.", team=team.name))
                plan_row.work = _Work(None, team, profile)
        if plan_row.outcome == Outcome.REFUSED:
            plan_row.work = None
    return Preview(rows, table.ignored)


def _accounts(session: Session, emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        stmt = (
            select(User)
            .where(User.email.in_(chunk))
            .options(selectinload(User.grants), selectinload(User.home_commune))
        )
        found.update({u.email: u for u in session.scalars(stmt) if u.email})
    return found


def _teams(session: Session, scope: CoordinatorScope) -> dict[str, list[Team]]:
    """The teams the importer keeps, by folded name."""
    stmt = select(Team).where(
        or_(scope.provinces_clause(Team.province_id), scope.communes_clause(Team.commune_id))
    )
    by_name: dict[str, list[Team]] = {}
    for team in session.scalars(stmt):
        by_name.setdefault(fold(team.name), []).append(team)
    return by_name


def _members(session: Session, user_ids: list[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        stmt = select(TeamMember.team_id, TeamMember.user_id).where(TeamMember.user_id.in_(chunk))
        pairs.update((team_id, user_id) for team_id, user_id in session.execute(stmt))
    return pairs


def _team(teams: dict[str, list[Team]], name: str, plan_row: RowPlan) -> Team | None:
    if not name:
        return None
    found = teams.get(fold(name), [])
    if len(found) == 1:
        return found[0]
    if found:
        plan_row.refuse(_('Several of your teams are named "%(team)s".', team=name))
    else:
        plan_row.refuse(_('None of your teams is named "%(team)s".', team=name))
    return None


def _existing(
    plan_row: RowPlan,
    user: User,
    team: Team | None,
    scope: CoordinatorScope,
    members: set[tuple[int, int]],
) -> None:
    """A row whose email has an account: join the team, if the importer reaches the person."""
    if not is_volunteer(user) or not scope.covers_commune(user.home_commune):
        plan_row.refuse(TeamError("unknown_volunteer").message)
        return
    plan_row.notes.append(_("Already has an account: their profile is kept."))
    if team is not None and (team.id, user.id) not in members:
        plan_row.outcome = Outcome.UPDATED
        plan_row.notes.append(_("Joins the team %(team)s.", team=team.name))
        plan_row.work = _Work(user, team)


def _profile(
    row: Row,
    plan_row: RowPlan,
    finder: CommuneFinder,
    scope: CoordinatorScope,
    skills: SkillFinder,
) -> dict[str, Any] | None:
    """A new account's fields from the row, or None with the refusals noted."""
    profile: dict[str, Any] = {
        key: row.get(key) for key in ("full_name", "email", "phone", "organisation", "class_name")
    }
    profile["email"] = normalise_email(profile["email"])
    if not profile["full_name"]:
        plan_row.refuse(_("The name is missing."))
    if not EMAIL.match(profile["email"]):
        plan_row.refuse(_("The email is missing or not valid."))
    if profile["phone"] and not PHONE.regex.match(profile["phone"]):
        plan_row.refuse(str(PHONE.message))
    for key, limit in LIMITS.items():
        if len(profile[key]) > limit:
            plan_row.refuse(_("%(column)s: at most %(max)d characters.", column=key, max=limit))
    codes = []
    for part in re.split(r"[,;]", row.get("skills")):
        if not part.strip():
            continue
        code = skills.code(part)
        if code is None:
            close = skills.closest(part)
            if close:
                plan_row.refuse(
                    _(
                        'Unknown skill "%(skill)s". The closest: %(names)s.',
                        skill=part.strip(),
                        names=", ".join(close),
                    )
                )
            else:
                plan_row.refuse(_('Unknown skill "%(skill)s".', skill=part.strip()))
        elif code not in codes:
            codes.append(code)
    profile["skills"] = codes
    commune = _home_commune(row.get("home_commune"), plan_row, finder, scope)
    profile["home_commune"] = commune
    return None if plan_row.outcome == Outcome.REFUSED else profile


def _home_commune(
    text: str, plan_row: RowPlan, finder: CommuneFinder, scope: CoordinatorScope
) -> Commune | None:
    """A new volunteer lives in a commune the importer coordinates: otherwise the importer could
    not reach the account it made (volunteer_by_email), nor would the same file import twice."""
    if not text:
        plan_row.refuse(_("The home commune is missing."))
        return None
    try:
        commune = finder.find(text)
    except PlaceError as error:
        note = _('"%(name)s": %(refusal)s', refusal=error.message, name=text)
        if getattr(error, "suggestions", None):
            note += " " + _("Closest: %(names)s.", names=", ".join(error.suggestions))
        plan_row.refuse(note)
        return None
    if not scope.covers_commune(commune):
        plan_row.refuse(_("%(commune)s is outside your scope.", commune=commune.name))
        return None
    return commune


def apply(session: Session, preview: Preview, actor: User | None) -> dict[Outcome, int]:
    """Write an acceptable preview: accounts made and invited, people added to teams, each in
    the audit log; flushes only, a few times for the whole file."""
    assert preview.acceptable  # the caller shows a preview with refusals instead
    works: list[_Work] = [row.work for row in preview.rows if row.work is not None]
    new = [work for work in works if work.user is None]
    for work, user in zip(new, invite_volunteers(session, [w.profile for w in new]), strict=True):
        work.user = user
        after = {**work.profile, "home_commune": work.profile["home_commune"].name}
        record(
            session,
            actor,
            "import.volunteer_created",
            user,
            user,
            after=after,
            commune=work.profile["home_commune"],
        )
    joining = [work for work in works if work.team is not None]
    for work in joining:
        assert work.user is not None and work.team is not None
        session.add(TeamMember(team_id=work.team.id, user_id=work.user.id))
        record(
            session,
            actor,
            "import.team_member_added",
            work.user,
            work.team,
            after={"team": work.team.name},
            commune=work.team.commune or work.user.home_commune,
            province=work.team.province if work.team.commune is None else None,
        )
    session.flush()
    invited_by = actor.full_name if actor is not None else _("The campaign's coordinators")
    for work in new:
        assert work.user is not None
        mail_invitation(session, work.user, invited_by)
    return preview.counts
