"""Learner operations: a resident joins, an officer registers, a personal code signs one in.

The personal code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
"K7PM-3QXA". Only its SHA-256 is stored. An unsalted fast hash is enough here because the code is
random (31⁸ ≈ 2³⁹·⁶) and guessing it on the site is rate-limited; someone who could brute-force
the hashes offline already holds the database, and with it everything a code would open. A code
never signs in an account holding any role but learner, so it is never a weak door to a
coordinator's or an admin's account.

The QR opens /learn/resume/<token>: an itsdangerous token (own salt) naming the user and an HMAC
of the current code's hash. It carries neither the code nor anything one could test guesses
against, can be shown again at any time (the code cannot: it is not stored), and dies when the
learner takes a new code.
"""

import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.auth.models import RoleGrant, User
from app.auth.services import end_sessions, new_account
from app.codes import new_code, normalise_code
from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import Commune
from app.roles import Role
from app.tokens import BadToken, ExpiredToken, signer
from courses.learners.models import LEARNER_AUDIENCES, LearnerProfile


class LearnerError(DomainError, ValueError):
    """A learner operation was refused; ``code`` names why."""

    status = 403
    sentences = {
        "wrong_code": _l(
            "This code is not right. Check it on your card: 8 letters and digits, "
            'like "K7PM-3QXA". If you lost it, ask a volunteer for help.'
        ),
        "token_expired": _l("This QR code is too old. Type your personal code instead."),
        "token_invalid": _l(
            "This QR code does not work: it was replaced by a new code or it is damaged. "
            "Type your personal code instead."
        ),
    }


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _issue_code(profile: LearnerProfile) -> str:
    code = new_code()
    profile.code_hash = hash_code(code)
    profile.code_issued_at = utcnow()
    return code


def join_as_resident(
    session: Session,
    *,
    full_name: str,
    home_commune: Commune | None,
    phone: str = "",
    locale: str = "vi",
) -> tuple[User, str]:
    """Create a resident learner (no email, no password); returns (user, code shown once)."""
    user = User(
        email=None,
        password_hash=None,
        full_name=full_name.strip(),
        phone=(phone or "").strip(),
        home_commune=home_commune,
        locale=locale,
    )
    user.grants.append(RoleGrant(role=Role.LEARNER))
    profile = LearnerProfile(user=user, audience="resident")
    code = _issue_code(profile)
    session.add_all([user, profile])
    session.flush()
    return user, code


def register_officer(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str,
    home_commune: Commune | None,
    position: str,
    phone: str = "",
    locale: str = "vi",
) -> User:
    """Create an officer learner with email and password; an email already used is refused
    (AccountError, after the same work as an account made: `new_account`)."""
    user = new_account(
        session,
        email=email,
        password=password,
        full_name=full_name,
        role=Role.LEARNER,
        phone=(phone or "").strip(),
        home_commune=home_commune,
        locale=locale,
    )
    session.add(LearnerProfile(user=user, audience="officer", position=position.strip()))
    session.flush()
    return user


def profile_of(session: Session, user: User) -> LearnerProfile | None:
    return session.scalar(select(LearnerProfile).where(LearnerProfile.user_id == user.id))


def audience_of(session: Session, user: User) -> str:
    """resident, officer or volunteer: the profile says, else the role (volunteer, or resident)."""
    profile = profile_of(session, user)
    if profile is not None:
        return profile.audience
    return "volunteer" if user.has_role(Role.VOLUNTEER) else "resident"


def can_use_code(user: User) -> bool:
    """A code signs in only plain learners: never a volunteer, coordinator or admin."""
    return user.active and user.roles == {Role.LEARNER}


def has_code(session: Session, user: User) -> bool:
    """Whether the learner has a code to keep: a learner who joined by email has none."""
    if not can_use_code(user):
        return False
    profile = profile_of(session, user)
    return profile is not None and profile.code_hash is not None


def renew_code(session: Session, user: User) -> str:
    """Give a resident a new code; the old code, every QR printed with it and every other
    session of the account stop working."""
    profile = profile_of(session, user)
    if profile is None or profile.audience != "resident" or not can_use_code(user):
        raise LearnerError("no_code")
    code = _issue_code(profile)
    end_sessions(user)  # a device signed in with the old code (or its QR) is signed out too
    session.flush()
    return code


def user_for_code(session: Session, typed: str) -> User:
    """The learner whose current code this is; raises LearnerError("wrong_code")."""
    code = normalise_code(typed)
    if code is None:
        raise LearnerError("wrong_code")
    profile = session.scalar(
        select(LearnerProfile).where(LearnerProfile.code_hash == hash_code(code))
    )
    if profile is None or not can_use_code(profile.user):
        raise LearnerError("wrong_code")
    return profile.user


def learner_id_for_code(session: Session, typed: str) -> int | None:
    """The user id of the learner whose current personal code this is, or None (impact asks, to
    let a resident's learner code serve as their resident card)."""
    code = normalise_code(typed)
    if code is None:
        return None
    stmt = select(LearnerProfile.user_id).where(LearnerProfile.code_hash == hash_code(code))
    return session.scalar(stmt.limit(1))


def _code_tag(secret_key: str, code_hash: str) -> str:
    # A keyed digest: the token's readable payload gives nothing to test code guesses against.
    return hmac.new(secret_key.encode(), code_hash.encode(), hashlib.sha256).hexdigest()[:16]


def resume_token(secret_key: str, user: User, profile: LearnerProfile) -> str:
    """The token in the QR: the user and a tag of their current code."""
    assert profile.code_hash is not None  # only a learner with a code has a QR
    return signer("learner-resume", secret_key).dumps(
        [user.id, _code_tag(secret_key, profile.code_hash)]
    )


def user_from_resume_token(
    session: Session, secret_key: str, token: str, max_age: int | None = None
) -> User:
    """The learner a QR names; raises LearnerError("token_expired" or "token_invalid")."""
    try:
        user_id, tag = signer("learner-resume", secret_key).loads(token, max_age=max_age)
    except ExpiredToken as error:
        raise LearnerError("token_expired") from error
    except (BadToken, ValueError, TypeError) as error:
        raise LearnerError("token_invalid") from error
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    profile = profile_of(session, user) if user is not None else None
    if (
        user is None
        or profile is None
        or not profile.code_hash
        or not hmac.compare_digest(str(tag), _code_tag(secret_key, profile.code_hash))
        or not can_use_code(user)
    ):
        raise LearnerError("token_invalid")
    return user


def learners_by_audience(
    session: Session, commune_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """How many learners and volunteers of these communes (None: all) learn as each audience.

    The profile's audience when there is one; otherwise volunteer for a holder of the volunteer
    role, resident for a plain learner. Accounts holding neither role are not counted."""
    volunteer = (
        select(RoleGrant.id)
        .where(RoleGrant.user_id == User.id, RoleGrant.role == Role.VOLUNTEER)
        .exists()
    )
    learner = (
        select(RoleGrant.id)
        .where(RoleGrant.user_id == User.id, RoleGrant.role == Role.LEARNER)
        .exists()
    )
    audience = case(
        (LearnerProfile.audience.is_not(None), LearnerProfile.audience),
        (volunteer, "volunteer"),
        (learner, "resident"),
    )
    stmt = (
        select(audience.label("audience"), func.count(User.id))
        .select_from(User)
        .outerjoin(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(audience.is_not(None))
        .group_by(audience)
    )
    if commune_ids is not None:
        stmt = stmt.where(User.home_commune_id.in_(commune_ids))
    counts = dict.fromkeys(LEARNER_AUDIENCES, 0)
    counts.update({row[0]: row[1] for row in session.execute(stmt)})
    return counts
