"""Resident cards: issue one, accept a learner code as one, replace a lost one, read one back.

A card's code comes from the kernel's generator (`app.codes`, the learner codes' alphabet and
length), is shown once to be printed and is never stored: the database keeps only its keyed
digest, HMAC-SHA256 under RESIDENT_CARD_KEY (app/config.py). An unkeyed hash would not do: the
code space (31⁸) is small enough to hash every code in a day, and a table of digests would then
read back as a table of codes. With the key outside the database, a copy of the database links no
entry to a card.

A replaced card's resident keeps their id, so their procedures before and after count together.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.codes import format_code, new_code, normalise_code
from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.roles import Role
from app.urls import absolute_url
from courses.learners import services as learners
from impact.cards.models import Resident, ResidentCard


class CardError(DomainError, ValueError):
    """A card operation was refused; ``code`` names why (also a field error of an assist)."""

    status = 409
    sentences = {
        "not_a_code": _l('A card code has 8 letters and digits, like "K7PM-3QXA".'),
        "unknown_card": _l(
            "No resident card has this code: check it, or issue the resident a card first."
        ),
        "card_replaced": _l("This card was replaced by a new one: use the new card."),
        "not_a_learner_code": _l("No learner has this personal code: check it."),
        "already_a_card": _l("This code is already a resident's card."),
    }


def may_issue(session: Session, user: User) -> bool:
    """Volunteers, coordinators and officers hand residents their cards; residents do not."""
    if user.has_role(Role.VOLUNTEER, Role.COORDINATOR, Role.ADMIN):
        return True
    return learners.audience_of(session, user) == "officer"


def card_digest(code: str, key: str | None = None) -> str:
    """The keyed digest of a normalised code, the only trace of it the database keeps."""
    key = key if key is not None else current_app.config["RESIDENT_CARD_KEY"]
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def learner_digest(user_id: int, key: str | None = None) -> str:
    """The keyed digest of a learner account that a resident's card was taken from: the only
    link between a resident and their learning, unreadable without RESIDENT_CARD_KEY."""
    return card_digest(f"learner:{user_id}", key)


def read_code(typed: str | None) -> str | None:
    """The code in what a volunteer typed or scanned (the card's QR is a link ending in it),
    normalised; None when it holds no code."""
    text = (typed or "").strip()
    if "/" in text:
        text = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1]
    return normalise_code(text)


def card_url(code: str) -> str:
    """The link in a card's QR: a volunteer's camera opens the log screen with the card filled."""
    return absolute_url("cards.scan", code=format_code(code))


def _active_card(session: Session, code: str) -> ResidentCard | None:
    return session.scalar(select(ResidentCard).where(ResidentCard.digest == card_digest(code)))


def _new_card(session: Session, resident: Resident, issuer: User) -> tuple[ResidentCard, str]:
    # A fresh code colliding with a stored digest is a one-in-10¹¹ event; draw again.
    while True:
        code = new_code()
        if _active_card(session, code) is None:
            break
    card = ResidentCard(
        digest=card_digest(code), resident=resident, issued_by_id=issuer.id, issued_at=utcnow()
    )
    session.add(card)
    session.flush()
    return card, code


def issue_card(session: Session, issuer: User) -> tuple[ResidentCard, str]:
    """A new resident and their first card: (the card, its code, to print once)."""
    resident = Resident()
    session.add(resident)
    return _new_card(session, resident, issuer)


def card_from_learner_code(session: Session, issuer: User, typed: str) -> ResidentCard:
    """Let a resident's learner code serve as their card: a new resident whose card digest is the
    learner code's. Refused when no learner has that code or it is already a card."""
    code = read_code(typed)
    if code is None:
        raise CardError("not_a_code")
    learner_id = learners.learner_id_for_code(session, code)
    if learner_id is None:
        raise CardError("not_a_learner_code")
    if _active_card(session, code) is not None:
        raise CardError("already_a_card")
    resident = Resident(learner_digest=learner_digest(learner_id))
    card = ResidentCard(
        digest=card_digest(code),
        resident=resident,
        learner_code=True,
        issued_by_id=issuer.id,
        issued_at=utcnow(),
    )
    session.add_all([resident, card])
    session.flush()
    return card


def replace_card(session: Session, issuer: User, typed_old: str) -> tuple[ResidentCard, str]:
    """A new card for the resident of a lost one (its code read from a photo, a note or the
    issuing volunteer's printout): the old code stops working, the resident's history stays."""
    old = card_of(session, typed_old)
    old.revoked_at = utcnow()
    return _new_card(session, old.resident, issuer)


def card_of(session: Session, typed: str | None) -> ResidentCard:
    """The card in force with this code; CardError naming why there is none."""
    code = read_code(typed)
    if code is None:
        raise CardError("not_a_code")
    card = _active_card(session, code)
    if card is None:
        raise CardError("unknown_card")
    if card.revoked_at is not None:
        raise CardError("card_replaced")
    return card


def resident_id_for(session: Session, typed: str | None) -> int | None:
    """The resident an assist's card names (None when no card was given); CardError if the card
    is not one in force."""
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        return None
    if not isinstance(typed, str):
        raise CardError("not_a_code")
    return card_of(session, typed).resident_id
