"""The skills a shift needs and lacks — the one place of that rule — and the requirements a
campaign sets.

A requirement asks for "at least N confirmed people with skill S" on the shifts of a campaign,
of one of its service points, or on one shift; several applying to one shift and skill ask for
the largest N. A shift *lacks* S when fewer of its confirmed people have S than that.

Pages read the needs with the shifts they already select, never with a query per shift:
`needs_column()` is one correlated subquery in the shifts' own SELECT (the needs as a short
text, turned into `SkillNeed`s by `parse`), and `lacks_reader_skill()` orders a volunteer's list
by it. Services flush; the caller commits once.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, joinedload

from app.audit.services import record
from app.auth.models import User
from app.database import joined_strings
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import ServicePoint
from app.skills.models import Skill, UserSkill, localized
from app.text import sort_key
from scheduling.models import Booking, BookingStatus, Campaign, Shift
from scheduling.skills.models import SkillRequirement

#: between the fields of one need, and between needs, in `needs_column`'s text: control
#: characters no name holds (every form refuses them, app/forms.py)
FIELD, RECORD = "\x1f", "\x1e"


@dataclass(frozen=True)
class SkillNeed:
    """One skill a shift asks for: how many confirmed people must have it, and how many do."""

    code: str
    name_vi: str
    name_en: str
    minimum: int
    present: int
    #: the reader has this skill (False when the needs were read for no one)
    yours: bool = False

    @property
    def name(self) -> str:
        return localized(self.name_vi, self.name_en)

    @property
    def lacking(self) -> int:
        return max(self.minimum - self.present, 0)


# --- the rule, in SQL ----------------------------------------------------------------------------


def _applies(requirement=SkillRequirement) -> ColumnElement[bool]:
    """The requirement applies to the shift of the enclosing query."""
    return and_(
        requirement.campaign_id == Shift.campaign_id,
        or_(
            requirement.service_point_id.is_(None),
            requirement.service_point_id == Shift.service_point_id,
        ),
        or_(requirement.shift_id.is_(None), requirement.shift_id == Shift.id),
    )


def _minimum(skill_code) -> ScalarSelect:
    """The largest minimum the shift's requirements ask of the skill (NULL: none asks)."""
    return (
        select(func.max(SkillRequirement.minimum))
        .where(_applies(), SkillRequirement.skill_code == skill_code)
        .correlate_except(SkillRequirement)
        .scalar_subquery()
    )


def _present(skill_code) -> ScalarSelect:
    """How many confirmed people of the shift have the skill."""
    held = aliased(UserSkill)
    return (
        select(func.count())
        .select_from(Booking)
        .join(held, held.user_id == Booking.user_id)
        .where(
            Booking.shift_id == Shift.id,
            Booking.status == BookingStatus.CONFIRMED,
            held.skill_code == skill_code,
        )
        .correlate_except(Booking, held)
        .scalar_subquery()
    )


def needs_column(reader_id: int | ColumnElement[int] | None = None) -> ScalarSelect[str | None]:
    """For a SELECT of shifts: the skills the shift asks for, with the minimum and the count
    present (and whether the reader has it), as one text `parse` reads; NULL when none."""
    mine = aliased(UserSkill)
    yours = (
        case(
            (
                exists()
                .where(mine.user_id == reader_id, mine.skill_code == Skill.code)
                .correlate_except(mine),
                "1",
            ),
            else_="0",
        )
        if reader_id is not None
        else literal("0")
    )
    minimum = _minimum(Skill.code)
    entry = (
        Skill.code
        + FIELD
        + cast(minimum, String)
        + FIELD
        + cast(_present(Skill.code), String)
        + FIELD
        + yours
        + FIELD
        + Skill.name_vi
        + FIELD
        + Skill.name_en
    )
    return (
        select(joined_strings(entry, RECORD))
        .where(
            Skill.code.in_(
                select(SkillRequirement.skill_code)
                .where(SkillRequirement.campaign_id == Shift.campaign_id)
                .correlate_except(SkillRequirement)
            ),
            minimum.is_not(None),
        )
        .correlate_except(Skill)
        .scalar_subquery()
    )


def lacks_reader_skill(reader_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """For a SELECT of shifts: the shift lacks a skill the reader has."""
    mine = aliased(UserSkill)
    return (
        exists()
        .where(
            mine.user_id == reader_id,
            _minimum(mine.skill_code) > _present(mine.skill_code),
        )
        .correlate_except(mine)
    )


def parse(text: str | None) -> tuple[SkillNeed, ...]:
    """The needs `needs_column` wrote, in the reader's alphabetical order of their names."""
    if not text:
        return ()
    needs = []
    for entry in text.split(RECORD):
        code, minimum, present, yours, name_vi, name_en = entry.split(FIELD)
        needs.append(SkillNeed(code, name_vi, name_en, int(minimum), int(present), yours == "1"))
    return tuple(sorted(needs, key=lambda n: (sort_key(n.name), n.code)))


def needs_of(
    session: Session, shift_ids: Iterable[int], reader_id: int | None = None
) -> dict[int, tuple[SkillNeed, ...]]:
    """The needs of these shifts, in one statement (a shift that asks for nothing is absent)."""
    ids = sorted(set(shift_ids))
    if not ids:
        return {}
    rows = session.execute(select(Shift.id, needs_column(reader_id)).where(Shift.id.in_(ids)))
    return {int(shift_id): parse(str(text)) for shift_id, text in rows if text}


def lacking(needs: Sequence[SkillNeed]) -> list[SkillNeed]:
    """The needs not met."""
    return [n for n in needs if n.lacking]


# --- swaps ----------------------------------------------------------------------------------------


def gap_left(
    needs: Iterable[SkillNeed], given: Iterable[str], brought: Iterable[str]
) -> SkillNeed | None:
    """The skill a shift would be short of if a person with the skills `brought` held the
    place of one with the skills `given`: one of the giver's that the shift has no more of than
    it needs (so it would lack it, or lack more of it), and that the taker does not have. A
    swap never leaves a shift shorter of a skill than it is; one that changes nothing passes."""
    given, brought = set(given), set(brought)
    for need in needs:
        if need.code in given and need.code not in brought and need.present <= need.minimum:
            return need
    return None


def gap_left_by(session: Session, shift: Shift, giver: User, taker: User) -> SkillNeed | None:
    """`gap_left` for the taker taking the giver's confirmed place on the shift, read now."""
    needs = needs_of(session, [shift.id]).get(shift.id, ())
    return gap_left(needs, giver.skills, taker.skills)


# --- requirements --------------------------------------------------------------------------------


class RequirementError(DomainError):
    """A requirement refused; `code` says why."""

    code = "requirement"
    sentences = {
        "unknown_skill": _l("Choose a skill from the list."),
        "not_in_campaign": _l("This service point or shift is not part of the campaign."),
        "out_of_scope": _l("You do not coordinate this service point."),
    }


def requirements_of(session: Session, campaign: Campaign) -> list[SkillRequirement]:
    """The campaign's requirements: campaign-wide first, then by place and start, then skill."""
    found = session.scalars(
        select(SkillRequirement)
        .options(
            joinedload(SkillRequirement.skill),
            joinedload(SkillRequirement.service_point),
            joinedload(SkillRequirement.shift).joinedload(Shift.service_point),
        )
        .where(SkillRequirement.campaign_id == campaign.id)
    ).all()

    def order(r: SkillRequirement):
        point = r.service_point or (r.shift.service_point if r.shift else None)
        return (
            r.shift is not None,
            point is not None,
            sort_key(point.name) if point else (),
            r.shift.starts_at.isoformat() if r.shift else "",
            sort_key(r.skill.name),
        )

    return sorted(found, key=order)


def _facts(requirement: SkillRequirement) -> dict[str, object]:
    """What the audit log keeps of a requirement."""
    return {
        "skill": requirement.skill_code,
        "minimum": requirement.minimum,
        "service_point": requirement.service_point.name if requirement.service_point else None,
        "shift": requirement.shift_id,
    }


def require_skill(
    session: Session,
    campaign: Campaign,
    skill_code: str,
    minimum: int,
    by: User,
    *,
    point: ServicePoint | None = None,
    shift: Shift | None = None,
) -> SkillRequirement:
    """Ask for at least `minimum` people with the skill on the campaign's shifts (at the point,
    or on the shift): a requirement for the same skill and place gets the new minimum. Kept in
    the audit log as a change of the campaign."""
    skill = session.get(Skill, skill_code)
    if skill is None or not skill.active:
        raise RequirementError("unknown_skill")
    if shift is not None and shift.campaign_id != campaign.id:
        raise RequirementError("not_in_campaign")
    if point is not None and point.commune_id not in {c.id for c in campaign.communes}:
        raise RequirementError("not_in_campaign")
    requirement = session.scalar(
        select(SkillRequirement).where(
            SkillRequirement.campaign_id == campaign.id,
            SkillRequirement.skill_code == skill.code,
            SkillRequirement.service_point_id.is_(None)
            if point is None
            else SkillRequirement.service_point_id == point.id,
            SkillRequirement.shift_id.is_(None)
            if shift is None
            else SkillRequirement.shift_id == shift.id,
        )
    )
    before = None
    if requirement is None:
        requirement = SkillRequirement(
            campaign=campaign, skill=skill, service_point=point, shift=shift, minimum=minimum
        )
        session.add(requirement)
    else:
        before = {"requirement": _facts(requirement)}
        requirement.minimum = minimum
    session.flush()
    place = shift.service_point if shift is not None else point
    record(
        session,
        by,
        "campaign.reshaped",
        target=campaign,
        before=before,
        after={"requirement": _facts(requirement)},
        commune=place.commune if place is not None else None,
        province=campaign.province if place is None else None,
    )
    return requirement


def drop_requirement(session: Session, requirement: SkillRequirement, by: User) -> None:
    """Stop asking for the skill there; kept in the audit log as a change of the campaign."""
    campaign = requirement.campaign
    place = requirement.shift.service_point if requirement.shift else requirement.service_point
    record(
        session,
        by,
        "campaign.reshaped",
        target=campaign,
        before={"requirement": _facts(requirement)},
        after=None,
        commune=place.commune if place is not None else None,
        province=campaign.province if place is None else None,
    )
    session.delete(requirement)
    session.flush()
