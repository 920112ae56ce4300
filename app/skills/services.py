"""The skill list admins keep: read it in the reader's language and Vietnamese order, add,
rename, deactivate, and delete a skill nobody uses. Services flush; the caller commits once."""

import difflib
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.skills.models import Skill
from app.text import fold, sort_key

#: the list a new site starts with (the migration that made the table seeds the same)
STARTING_SKILLS = (
    ("it", "Công nghệ thông tin", "Information technology"),
    ("telecom", "Viễn thông", "Telecommunications"),
    ("elderly", "Hỗ trợ người cao tuổi", "Supporting elderly residents"),
    ("disability", "Hỗ trợ người khuyết tật", "Supporting people with disabilities"),
    ("legal", "Thủ tục hành chính và pháp luật", "Administrative procedures and law"),
    ("sign_language", "Ngôn ngữ ký hiệu", "Sign language"),
    ("vneid", "Hướng dẫn dùng VNeID", "VNeID help"),
    ("digital_signature", "Chữ ký số", "Digital signature"),
)

#: a skill's code: lower-case letters, digits and underscores, starting with a letter
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class SkillError(DomainError):
    """A change of the skill list refused; `code` says why."""

    code = "skill"
    sentences = {
        "code_taken": _l("Another skill already has this code."),
        "name_taken": _l("Another skill already has this name."),
        "bad_code": _l(
            "A code has 2 to 40 lower-case letters, digits or underscores and starts with a "
            "letter, e.g. digital_signature."
        ),
        "in_use": _l(
            "This skill is held by volunteers or asked for by a campaign: deactivate it instead."
        ),
    }


def in_order(skills: Iterable[Skill]) -> list[Skill]:
    """Skills by their name in the reader's language, in Vietnamese alphabetical order."""
    return sorted(skills, key=lambda s: (sort_key(s.name), s.code))


def all_skills(session: Session, *, active_only: bool = False) -> list[Skill]:
    """Every skill (or the active ones), in the reader's language's alphabetical order."""
    stmt = select(Skill)
    if active_only:
        stmt = stmt.where(Skill.active.is_(True))
    return in_order(session.scalars(stmt))


def choices(session: Session, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, name) of the active skills, and of the inactive ones in `keep` (those a person
    already has, so saving a profile does not drop them), for a form's choices."""
    kept = set(keep)
    return [(s.code, s.name) for s in all_skills(session) if s.active or s.code in kept]


def names(session: Session, codes: Iterable[str]) -> list[str]:
    """The names of these skills in the reader's language, in alphabetical order."""
    wanted = set(codes)
    if not wanted:
        return []
    return [s.name for s in in_order(session.scalars(select(Skill).where(Skill.code.in_(wanted))))]


class SkillFinder:
    """The active skills as a spreadsheet may name them: by code ("digital_signature", "digital
    signature") or by name in either language, with or without accents ("chu ky so", "Digital
    signature"); for a name it does not know, the closest skills' names to suggest."""

    def __init__(self, session: Session):
        self.by_text: dict[str, Skill] = {}
        for skill in session.scalars(select(Skill).where(Skill.active.is_(True))):
            for text in (skill.code, skill.code.replace("_", " "), skill.name_vi, skill.name_en):
                self.by_text[fold(text)] = skill

    def code(self, text: str) -> str | None:
        found = self.by_text.get(fold(text))
        return found.code if found else None

    def closest(self, text: str) -> list[str]:
        """The names (in the reader's language) of up to three skills spelt most like `text`."""
        close = difflib.get_close_matches(fold(text), list(self.by_text), n=6, cutoff=0.5)
        return list(dict.fromkeys(self.by_text[c].name for c in close))[:3]


def _check_names(session: Session, name_vi: str, name_en: str, but: str | None = None) -> None:
    wanted = {fold(name_vi), fold(name_en)}
    for skill in session.scalars(select(Skill).where(Skill.code != (but or ""))):
        if wanted & {fold(skill.name_vi), fold(skill.name_en)}:
            raise SkillError("name_taken")


def add_skill(session: Session, code: str, name_vi: str, name_en: str) -> Skill:
    """Add a skill to the list, active; its code never changes afterwards."""
    code = code.strip().lower()
    if not CODE.match(code):
        raise SkillError("bad_code")
    if session.get(Skill, code) is not None:
        raise SkillError("code_taken")
    name_vi, name_en = name_vi.strip(), name_en.strip()
    _check_names(session, name_vi, name_en)
    skill = Skill(code=code, name_vi=name_vi, name_en=name_en, active=True)
    session.add(skill)
    session.flush()
    return skill


def rename_skill(session: Session, skill: Skill, name_vi: str, name_en: str) -> None:
    """Give a skill new names; who has it and who asks for it stay as they are."""
    name_vi, name_en = name_vi.strip(), name_en.strip()
    _check_names(session, name_vi, name_en, but=skill.code)
    skill.name_vi, skill.name_en = name_vi, name_en
    session.flush()


def set_active(session: Session, skill: Skill, active: bool) -> None:
    """Offer the skill again, or stop offering it (people and campaigns keep it)."""
    skill.active = active
    session.flush()


def delete_skill(session: Session, skill: Skill) -> None:
    """Delete a skill nobody has and no campaign asks for (a typo); else SkillError("in_use").

    Whatever table names a skill refers to it with ON DELETE RESTRICT, so the database says
    whether it is in use, for tables the kernel does not know too."""
    try:
        with session.begin_nested():
            session.delete(skill)
            session.flush()
    except IntegrityError:
        raise SkillError("in_use") from None
