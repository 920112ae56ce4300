"""Residents known only by their cards: an opaque id, and keyed digests of the codes they carry.

Neither table holds a name, a number a person is known by elsewhere, or a card's code: only
HMAC-SHA256(RESIDENT_CARD_KEY, code) (impact/cards/services.py `card_digest`). Without the key,
which lives in configuration and never in the database, a digest cannot be tested against a code,
so the database alone links no entry of the log to a person.
tests/impact/test_assist_privacy.py checks both.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Resident(db.Model):
    """A resident who carries a card: nothing but an id the log's entries point to, so a
    replaced card keeps the resident's history."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the card is the resident's learner code: the keyed digest of their learner account
    #: (services.learner_digest), so the dashboard can set the courses they mastered beside what
    #: they then did alone; like a card's digest, nothing without RESIDENT_CARD_KEY
    learner_digest: Mapped[str | None] = mapped_column(String(64), index=True)


class ResidentCard(db.Model):
    """One card a resident carries or carried: the keyed digest of its code, never the code."""

    __tablename__ = "resident_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC-SHA256 of the code under RESIDENT_CARD_KEY, hex; unique: one code, one resident
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    #: the code is the resident's learner code (courses), not a card printed here
    learner_code: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the volunteer or coordinator who issued it; NULL once that account is deleted
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: set once when the card is replaced (lost): the code no longer logs anything
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[Resident] = relationship()
