"""Accounts and the roles they hold, each role with its scope."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, with_expression
from sqlalchemy.orm.interfaces import LoaderOption

from app.database import UTCDateTime, joined_strings, utcnow
from app.extensions import db
from app.places.models import Commune, Province
from app.roles import Role
from app.skills.models import UserSkill


def new_session_version() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; None for a learner who joined with a name and commune only
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), default="")
    #: youth-union branch, or university, as the volunteer writes it
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: class at the university, if any
    class_name: Mapped[str] = mapped_column(String(50), default="")
    home_commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="SET NULL"), index=True
    )
    #: the language chosen in the header, remembered across devices
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: random, in every session and remember cookie (get_id); a new value ends them all
    session_version: Mapped[str] = mapped_column(String(32), default=new_session_version)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home_commune: Mapped[Commune | None] = relationship()
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )
    #: the values of the roles held, joined by commas: read only by a statement that asks for
    #: them with `with_role_values()` (the API's token lookup). Every API request's access rule
    #: needs the roles; loading the grants as objects cost more than the request's own answer
    role_values: Mapped[str | None] = query_expression()
    #: the skills the person has (app.skills), one row each
    skill_links: Mapped[list[UserSkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=UserSkill.skill_code
    )

    @property
    def skills(self) -> list[str]:
        """The codes of the person's skills, e.g. ["elderly", "it"]."""
        return [link.skill_code for link in self.skill_links]

    @skills.setter
    def skills(self, codes) -> None:
        """Keep the rows of the skills still named, add the new ones, drop the others."""
        wanted = list(dict.fromkeys(codes or ()))
        kept = [link for link in self.skill_links if link.skill_code in wanted]
        held = {link.skill_code for link in kept}
        self.skill_links = kept + [UserSkill(skill_code=c) for c in wanted if c not in held]

    @property
    def is_active(self):
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id: the session version makes a cookie die with it."""
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> set[Role]:
        """The roles held: from the grants once they are loaded (a change goes through them),
        else from `role_values` when the statement that loaded the person read them."""
        if self.role_values is not None and "grants" not in self.__dict__:
            return {Role(value) for value in self.role_values.split(",") if value}
        return {Role(g.role) for g in self.grants}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def __str__(self):
        return self.full_name


class RoleGrant(db.Model):
    """One role held by one user; a coordinator's grant names a commune or a whole province."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "province_id", "commune_id"),
        CheckConstraint(
            "(role = 'coordinator') = (province_id IS NOT NULL OR commune_id IS NOT NULL)",
            name="scope_only_for_coordinators",
        ),
        CheckConstraint("province_id IS NULL OR commune_id IS NULL", name="one_scope_per_grant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"))
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    province: Mapped[Province | None] = relationship()
    commune: Mapped[Commune | None] = relationship()

    @property
    def scope(self):
        return self.commune or self.province


def with_role_values() -> LoaderOption:
    """The option that fills `User.role_values` in the statement loading the person: one
    correlated subquery, "" for a person without a role."""
    return with_expression(
        User.role_values,
        select(func.coalesce(joined_strings(RoleGrant.role, ","), ""))
        .where(RoleGrant.user_id == User.id)
        .scalar_subquery(),
    )
