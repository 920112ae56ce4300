"""Accounts: registration, sign-in, password reset and roles (a coordinator's scope: app.scope)."""

import hmac
from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from app.api.services import revoke_all_tokens
from app.audit.services import record
from app.auth.models import RoleGrant, User, new_session_version
from app.database import alphabetical
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.notifications.services import queue_mail
from app.places.models import Commune, Province
from app.roles import Role
from app.tokens import BadToken, ExpiredToken, signer
from app.urls import absolute_url


class AccountError(DomainError, ValueError):
    """An account operation was refused; ``code`` names why."""

    sentences = {
        "email_taken": _l("An account with this email already exists."),
        "token_expired": _l("This link has expired. Ask for a new one."),
        "token_invalid": _l("This link is not valid. Ask for a new one."),
        "own_last_admin": _l(
            "You cannot remove your own last administrator role: ask another admin."
        ),
    }


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def new_account(
    session: Session, *, email: str, password: str, full_name: str, role: Role, **profile: Any
) -> User:
    """Create an account with its first role; an email already registered is refused.

    The password is hashed first: a refusal then takes as long as an account made, and tells no
    one by its time. The views answer alike either way (`mail_registration_attempt`)."""
    password_hash = generate_password_hash(password)
    if find_by_email(session, email) is not None:
        raise AccountError("email_taken")
    user = User(
        email=normalise_email(email),
        password_hash=password_hash,
        full_name=full_name.strip(),
        **profile,
    )
    user.grants.append(RoleGrant(role=role))
    session.add(user)
    session.flush()
    return user


def register_volunteer(
    session: Session, *, email: str, password: str, full_name: str, **profile: Any
) -> User:
    """Create a volunteer account; an email already registered is refused."""
    return new_account(
        session, email=email, password=password, full_name=full_name, role=Role.VOLUNTEER, **profile
    )


def mail_registration_attempt(session: Session, email: str) -> None:
    """Tell the owner of an email someone tried to register again: nothing changed, and the way
    back in if it was them. A registration form answers alike whether the email had an account,
    so this mail is the only place the difference shows, and only its owner reads it."""
    user = find_by_email(session, email)
    assert user is not None and user.email  # called when the email was refused as taken
    with force_locale(user.locale or "vi"):
        queue_mail(
            session,
            user.email,
            _("Someone tried to register with your email"),
            _(
                "Hello %(name)s,\n\nSomeone tried to register a Cầu Nối account with this email "
                "address, which already has one. Nothing was changed.\n\nIf it was you and you "
                "forgot your password, choose a new one here:\n\n%(link)s\n\n"
                "If it was not you, ignore this message.",
                name=user.full_name,
                link=absolute_url("auth.forgot_password"),
            ),
            user_id=user.id,
        )


def invite_volunteers(session: Session, people: list[dict[str, Any]]) -> list[User]:
    """Create the volunteer accounts of people someone else named (an import), without a
    password: each chooses one from their invitation (`mail_invitation`). The caller has checked
    that no email is taken; the unique email refuses one that is, and the whole batch with it.
    One flush for the batch: an import makes thousands."""
    users = []
    for fields in people:
        fields = dict(fields)
        email = normalise_email(fields.pop("email"))
        full_name = fields.pop("full_name").strip()
        user = User(email=email, full_name=full_name, **fields)
        user.grants.append(RoleGrant(role=Role.VOLUNTEER))
        users.append(user)
    session.add_all(users)
    session.flush()
    return users


def invitation_token(user: User) -> str:
    """A signed token naming the account and its session version: choosing the password ends
    that version (`reset_password`), so the link works once."""
    return signer("account-invitation").dumps([user.id, user.session_version])


def mail_invitation(session: Session, user: User, invited_by: str) -> None:
    """Invite the person to choose a password, in their language, through the delivery log."""
    assert user.email is not None  # an invited account always has an email
    max_age = signer("account-invitation").max_age
    assert max_age is not None  # a timed purpose
    days = max_age // 86400
    with force_locale(user.locale or "vi"):
        queue_mail(
            session,
            user.email,
            _("You are invited to Cầu Nối"),
            _(
                "Hello %(name)s,\n\n%(by)s added you as a volunteer on Cầu Nối, where the "
                "campaign's shifts are planned. Open this link within %(days)d days to choose "
                "your password:\n\n%(link)s\n\nIf you did not expect this, ignore this message.",
                name=user.full_name,
                by=invited_by,
                days=days,
                link=absolute_url("auth.accept_invitation", token=invitation_token(user)),
            ),
            user_id=user.id,
        )


def user_from_invitation(session: Session, token: str) -> User:
    """The invited account, while it has no password and the token is its own and fresh."""
    try:
        user_id, version = signer("account-invitation").loads(token)
    except ExpiredToken as error:
        raise AccountError("token_expired") from error
    except (BadToken, ValueError, TypeError) as error:
        raise AccountError("token_invalid") from error
    user = session.get(User, user_id)
    if user is None or user.password_hash or user.session_version != version:
        raise AccountError("token_invalid")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never says which was wrong)."""
    user = find_by_email(session, email)
    if user is None or not user.password_hash or not user.active:
        # Spend the same time as a real check so response time does not reveal accounts.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash("not-a-password")


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)


def user_for_session(session: Session, alternative_id: str) -> User | None:
    """The user a session or remember cookie names ("<id>:<session version>"), if still valid.

    A cookie made before the account's session version changed names the old version: refused.
    The user's roles and home commune come in the same statement: every page's access rule and
    menu read the roles, and /shifts opens on the home commune.
    """
    user_id, _sep, version = str(alternative_id).partition(":")
    if not user_id.isdigit() or not version:
        return None
    user = session.execute(_SESSION_USER, {"user_id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not hmac.compare_digest(user.session_version, version):
        return None
    return user


#: user_for_session's statement, built once: every signed-in request runs it
_SESSION_USER = (
    select(User)
    .options(joinedload(User.grants), joinedload(User.home_commune))
    .where(User.id == bindparam("user_id"))
)


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session and remember cookie names the old version."""
    user.session_version = new_session_version()


def reset_password(session: Session, user: User, password: str) -> None:
    """Choose a new password after a reset link: every session and every API token ends."""
    set_password(user, password)
    end_sessions(user)
    revoke_all_tokens(session, user)
    session.flush()


def password_reset_token(secret_key: str | None, user: User) -> str:
    """A signed token naming the user and a fragment of the current hash, so it works once."""
    assert user.password_hash is not None  # the caller resets only a password there is
    return signer("password-reset", secret_key).dumps([user.id, user.password_hash[-12:]])


def user_from_reset_token(
    session: Session, secret_key: str | None, token: str, max_age: int | None = None
) -> User:
    try:
        user_id, fragment = signer("password-reset", secret_key).loads(token, max_age=max_age)
    except ExpiredToken as error:
        raise AccountError("token_expired") from error
    except (BadToken, ValueError, TypeError) as error:
        raise AccountError("token_invalid") from error
    user = session.get(User, user_id)
    if user is None or not user.password_hash or user.password_hash[-12:] != fragment:
        raise AccountError("token_invalid")
    return user


def grant_role(
    session: Session,
    user: User,
    role: Role,
    *,
    province: Province | None = None,
    commune: Commune | None = None,
    by: User | None = None,
) -> RoleGrant:
    """Give a role; a coordinator's needs exactly one scope, other roles none. Idempotent.

    A new grant is recorded in the audit log as made by ``by`` (None: a command)."""
    if (role == Role.COORDINATOR) != bool(province or commune) or (province and commune):
        raise AccountError("scope_mismatch")
    for grant in user.grants:
        if (grant.role, grant.province_id, grant.commune_id) == (
            role,
            province.id if province else None,
            commune.id if commune else None,
        ):
            return grant
    grant = RoleGrant(role=role, province=province, commune=commune)
    user.grants.append(grant)
    session.flush()
    record(
        session,
        by,
        "role.granted",
        user,
        grant,
        after=_grant_facts(grant),
        commune=commune,
        province=province,
    )
    return grant


def _grant_facts(grant: RoleGrant) -> dict[str, Any]:
    """What the audit log keeps of a grant: its role and where it applies."""
    scope = grant.scope
    return {"role": str(grant.role), "scope": scope.name if scope is not None else None}


def revoke_grant(session: Session, grant: RoleGrant, *, by: User | None = None) -> None:
    """Take a role back; an admin may not remove their own last admin grant (``by`` acts)."""
    if by is not None and grant.user_id == by.id and grant.role == Role.ADMIN:
        admin_grants = [g for g in grant.user.grants if g.role == Role.ADMIN]
        if len(admin_grants) <= 1:
            raise AccountError("own_last_admin")
    record(
        session,
        by,
        "role.revoked",
        grant.user,
        grant,
        before=_grant_facts(grant),
        commune=grant.commune,
        province=grant.province,
    )
    grant.user.grants.remove(grant)
    session.delete(grant)
    session.flush()


def get_grant(session: Session, user: User, grant_id: int) -> RoleGrant | None:
    """The grant with this id if it belongs to this user, else None."""
    grant = session.get(RoleGrant, grant_id)
    return grant if grant is not None and grant.user_id == user.id else None


def users_matching(session: Session, query: str, limit: int = 50) -> Sequence[User]:
    """Users whose name or email contains the query, for the admin's role page."""
    stmt = select(User).order_by(alphabetical(User.full_name), User.id).limit(limit)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), User.email.like(like)))
    return session.scalars(stmt).all()


def coordinator_grants(session: Session) -> Sequence[RoleGrant]:
    """Every coordinator's grant with its person and scope, for the admin's home."""
    return session.scalars(
        select(RoleGrant)
        .join(RoleGrant.user)
        .where(RoleGrant.role == Role.COORDINATOR, User.active.is_(True))
        .options(
            selectinload(RoleGrant.province),
            selectinload(RoleGrant.commune),
            contains_eager(RoleGrant.user),
        )
        .order_by(alphabetical(User.full_name), RoleGrant.id)
    ).all()


def users_without_role(session: Session, limit: int = 20) -> Sequence[User]:
    """Active accounts holding no role at all, the newest first: they wait for an admin."""
    return session.scalars(
        select(User)
        .where(User.active.is_(True), ~User.grants.any())
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(limit)
    ).all()
