"""Shift swaps: offer a confirmed place, withdraw the offer, list what one may take, take it.

Taking is one placement (`placement.place` with `releasing`): the taker is judged by the booking
rules (closed, overlap, weekly limit, capacity) under the same locks, and the giver's place is
given up in the same flush, so the shift never goes below or above its counts. An offer expires
at the shift's cancellation deadline; after it only a coordinator moves people
(scheduling.booking.staffing). Services flush; the caller commits once.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session, joinedload

from app.audit.services import record
from app.auth.models import User
from app.auth.services import find_by_email
from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.notifications.services import notify
from app.places.models import Commune, ServicePoint
from app.scope import CoordinatorScope
from scheduling.booking.placement import Reason, judge, lock_for_placement, place
from scheduling.booking.services import REFUSALS
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.notices import coordinators_of
from scheduling.services import PastDeadline, cancel_deadline
from scheduling.skills.services import SkillNeed, gap_left, gap_left_by, needs_of
from scheduling.swaps.models import LIVE, OfferStatus, ShiftOffer
from scheduling.teams.services import is_volunteer

#: offers to anyone read when listing what a person may take: the soonest shifts first
CANDIDATES = 200


class SwapError(DomainError):
    """An offer refused or not takeable; `code` says why (the API's 409 reason code)."""

    code = "swap"
    sentences = {
        "not_offerable": _l("Only a confirmed place you hold can be offered."),
        "offer_taken": _l("Someone else has already taken this shift."),
        "offer_pending": _l("Someone has asked to take this shift; a coordinator is deciding."),
        "offer_expired": _l(
            "This offer expired at the cancellation deadline. Only a coordinator can move "
            "people now."
        ),
        "offer_withdrawn": _l("This offer was withdrawn."),
        "own_offer": _l("This is your own offer."),
        "already_booked": _l("You already hold a place on this shift."),
        "id_taken": _l("Another offer already has this id."),
    }


class UnknownVolunteer(SwapError):
    """The email typed names no active volunteer: the same refusal whatever the reason, so the
    form tells nothing about who has an account."""

    code = "unknown_volunteer"
    status = 404
    sentence = _l("No volunteer has this email.")


class OfferNotFound(SwapError):
    """No offer the person may see: another's named offer is answered as if it did not exist."""

    code = "not_found"
    status = 404
    sentence = _l("This offer does not exist.")


class MissingSkill(SwapError):
    """The shift needs a skill the giver has and the taker does not: without it the shift
    would be short of it (the API's 409 `missing_skill`)."""

    code = "missing_skill"

    def __init__(self, need: SkillNeed):
        super().__init__(None, need.code)
        self.need = need

    @property
    def message(self) -> str:
        return _(
            "This shift needs someone with %(skill)s: the person offering it has it and you do "
            "not, so the shift would be short of it.",
            skill=self.need.name,
        )


class NeedsCoordinator(SwapError):
    code = "not_pending"
    sentence = _l("This offer is not waiting for approval.")


def offer_shift(
    session: Session,
    booking: Booking,
    by: User,
    *,
    to_email: str | None = None,
    client_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[ShiftOffer, bool]:
    """Offer one's confirmed place to the volunteer with this email, or to anyone eligible.

    Any active volunteer can be named (a swap between friends crosses communes and teams; the
    giver learns nothing of them but that the offer was made). Returns the offer and whether it
    was made now: the same `client_id` again, or a booking already offered, answers the live
    offer unchanged. The named volunteer is told ("offer_to_you"); an offer to anyone is told
    to the shift's waitlist ("offer_open"), who may take it first.
    """
    now = now or utcnow()
    if client_id is not None:
        existing = session.scalar(select(ShiftOffer).where(ShiftOffer.client_id == client_id))
        if existing is not None:
            if existing.offered_by_id != by.id:
                raise SwapError("id_taken")
            return existing, False
    if booking.user_id != by.id or booking.status != BookingStatus.CONFIRMED:
        raise SwapError("not_offerable")
    shift = booking.shift
    if shift.status != ShiftStatus.ACTIVE or now >= cancel_deadline(shift):
        raise PastDeadline()
    live = session.scalar(
        select(ShiftOffer).where(ShiftOffer.booking_id == booking.id, ShiftOffer.status.in_(LIVE))
    )
    if live is not None and not _stale(live):
        return live, False
    if live is not None:
        live.status, live.taken_by_id, live.closed_at = OfferStatus.WITHDRAWN, None, now
        session.flush()
    to = None
    if to_email:
        to = find_by_email(session, to_email)
        if to is None or not to.active or to.id == by.id or not is_volunteer(to):
            raise UnknownVolunteer()
    offer = ShiftOffer(
        client_id=client_id or uuid.uuid4(),
        booking_id=booking.id,
        shift_id=shift.id,
        offered_by_id=by.id,
        offered_to_id=to.id if to else None,
        status=OfferStatus.OPEN,
        created_at=now,
        expires_at=cancel_deadline(shift),
    )
    session.add(offer)
    session.flush()
    if to is not None:
        notify(session, to, "offer_to_you", shift_id=shift.id, offer_id=offer.id)
    else:
        for waiting in session.scalars(
            select(User)
            .join(Booking, Booking.user_id == User.id)
            .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.created_at, Booking.id)
        ):
            notify(session, waiting, "offer_open", shift_id=shift.id, offer_id=offer.id)
    return offer, True


def _stale(offer: ShiftOffer) -> bool:
    """Whether the place offered was given up since (cancelled, moved, or booked again after
    a cancellation, which restarts the booking's time): such an offer hands nothing over."""
    booking = offer.booking
    return booking.status != BookingStatus.CONFIRMED or booking.created_at > offer.created_at


def withdraw_offer(session: Session, offer: ShiftOffer, by: User, now: datetime | None = None):
    """The giver takes back an open offer (a pending one too, before the coordinator decides).
    The volunteer it named, or who asked to take it, is told ("offer_withdrawn")."""
    if offer.offered_by_id != by.id:
        raise OfferNotFound()
    if offer.status not in LIVE:
        raise SwapError("offer_taken" if offer.status == OfferStatus.TAKEN else "offer_withdrawn")
    waiting = offer.taken_by if offer.status == OfferStatus.PENDING else None
    offer.status = OfferStatus.WITHDRAWN
    offer.taken_by_id = None
    offer.closed_at = now or utcnow()
    session.flush()
    for person in {p.id: p for p in (offer.offered_to, waiting) if p is not None}.values():
        notify(session, person, "offer_withdrawn", shift_id=offer.shift_id)


def live_offers_of(session: Session, user_id: int) -> dict[int, ShiftOffer]:
    """The person's own live offers, by the booking they offer."""
    return {
        offer.booking_id: offer
        for offer in session.scalars(
            select(ShiftOffer).where(
                ShiftOffer.offered_by_id == user_id, ShiftOffer.status.in_(LIVE)
            )
        )
        if not _stale(offer)
    }


@dataclass(frozen=True)
class Takeable:
    """An offer the person may see, and what taking it would do (`confirmed` when they may)."""

    offer: ShiftOffer
    reason: Reason
    #: the skill the shift would be short of if the person took it (scheduling.skills)
    missing_skill: SkillNeed | None = None

    @property
    def eligible(self) -> bool:
        return self.refusal is None

    @property
    def refusal(self) -> DomainError | None:
        """What taking it now would answer instead of the place (as `take_offer` checks: the
        skill first, then the booking rules); None when the person may take it."""
        if self.missing_skill is not None:
            return MissingSkill(self.missing_skill)
        return refusal_for(self.reason)


def offers_for(session: Session, person: User, now: datetime | None = None) -> list[Takeable]:
    """The open offers the person may take, soonest first: every offer naming them (with why
    not, when they may not), and offers to anyone that the booking rules let them take and
    that leave the shift short of no skill, those in their home commune first. A preview:
    taking judges again under the locks."""
    now = now or utcnow()
    home_first = case((ServicePoint.commune_id == person.home_commune_id, 0), else_=1)
    offers = session.scalars(
        select(ShiftOffer)
        .join(Shift, Shift.id == ShiftOffer.shift_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        .join(Booking, Booking.id == ShiftOffer.booking_id)
        .options(
            joinedload(ShiftOffer.shift).joinedload(Shift.service_point),
            joinedload(ShiftOffer.offered_by).selectinload(User.skill_links),
        )
        .where(
            ShiftOffer.status == OfferStatus.OPEN,
            ShiftOffer.expires_at > now,
            ShiftOffer.offered_by_id != person.id,
            or_(ShiftOffer.offered_to_id == person.id, ShiftOffer.offered_to_id.is_(None)),
            Booking.status == BookingStatus.CONFIRMED,
            Booking.created_at <= ShiftOffer.created_at,
            Shift.status == ShiftStatus.ACTIVE,
        )
        .order_by(ShiftOffer.offered_to_id.is_(None), home_first, Shift.starts_at, ShiftOffer.id)
        .limit(CANDIDATES)
    ).all()
    needs = needs_of(session, [offer.shift_id for offer in offers])
    rows = []
    for offer in offers:
        reason = _judge(session, offer, person, now).reason
        gap = gap_left(needs.get(offer.shift_id, ()), offer.offered_by.skills, person.skills)
        row = Takeable(offer, reason, gap)
        if offer.offered_to_id == person.id or row.eligible:
            rows.append(row)
    rows.sort(key=lambda row: (row.offer.shift.starts_at, row.offer.id))
    return rows


def _judge(session: Session, offer: ShiftOffer, person: User, now: datetime, closes=True):
    return judge(
        session,
        offer.shift,
        person,
        waitlist=False,
        weekly_limit=True,
        closes_at=offer.expires_at if closes else None,
        releasing=offer.booking,
        now=now,
    )


def visible_offer(session: Session, offer_id: int, person: User) -> ShiftOffer:
    """The offer, if the person may see it (theirs, to them, or to anyone); else OfferNotFound."""
    offer = session.get(ShiftOffer, offer_id)
    if offer is None or person.id not in (offer.offered_to_id or person.id, offer.offered_by_id):
        raise OfferNotFound()
    return offer


@dataclass
class Taken:
    """What taking an offer did: the taker's booking (None while a coordinator decides) and
    whether this call did it (False: the same person asked again)."""

    offer: ShiftOffer
    booking: Booking | None
    created: bool


def take_offer(
    session: Session, offer: ShiftOffer, taker: User, now: datetime | None = None
) -> Taken:
    """Take an open offer: the place moves from the giver to the taker in this transaction, or,
    when the campaign asks for approval, the offer waits for a coordinator (`booking` None).

    Refused with a SwapError code (offer_taken, offer_pending, offer_expired, offer_withdrawn,
    own_offer, already_booked, missing_skill) or a booking refusal (overlap, weekly_limit,
    shift_closed).
    Taking again what one took answers the same booking.
    """
    now = now or utcnow()
    lock_for_placement(session, [offer.offered_by, taker], [offer.shift])
    session.refresh(offer)
    session.refresh(offer.booking)
    if offer.taken_by_id == taker.id and offer.status == OfferStatus.PENDING:
        return Taken(offer, None, False)
    mine = _taker_booking(session, offer) if offer.taken_by_id == taker.id else None
    if mine is not None and mine.status == BookingStatus.CONFIRMED:
        return Taken(offer, mine, False)
    _check_open(offer, taker, now)
    gap = gap_left_by(session, offer.shift, offer.offered_by, taker)
    if gap is not None:
        raise MissingSkill(gap)
    if offer.shift.campaign.swaps_need_approval:
        verdict = _judge(session, offer, taker, now)
        _refuse_unless_confirmed(verdict.reason)
        offer.status = OfferStatus.PENDING
        offer.taken_by_id = taker.id
        offer.closed_at = now
        session.flush()
        notify(session, offer.offered_by, "offer_pending", shift_id=offer.shift_id)
        for coordinator in coordinators_of(session, offer.shift):
            notify(session, coordinator, "swap_to_approve", shift_id=offer.shift_id)
        return Taken(offer, None, True)
    booking = _hand_over(session, offer, taker, by=taker, closes_at=offer.expires_at, now=now)
    return Taken(offer, booking, True)


def decide_offer(
    session: Session, offer: ShiftOffer, coordinator: User, approve: bool, now=None
) -> Booking | None:
    """A coordinator approves (the place moves now, until the shift starts) or refuses a swap
    waiting for approval; both volunteers are told."""
    now = now or utcnow()
    if offer.status != OfferStatus.PENDING or offer.taken_by is None:
        raise NeedsCoordinator()
    taker = offer.taken_by
    lock_for_placement(session, [offer.offered_by, taker], [offer.shift])
    session.refresh(offer)
    session.refresh(offer.booking)
    if offer.status != OfferStatus.PENDING:
        raise NeedsCoordinator()
    if not approve:
        offer.status = OfferStatus.REFUSED
        offer.taken_by_id = None
        offer.closed_at = now
        session.flush()
        for person in (offer.offered_by, taker):
            notify(session, person, "offer_refused", shift_id=offer.shift_id)
        return None
    if _stale(offer):
        raise SwapError("offer_withdrawn")
    return _hand_over(session, offer, taker, by=coordinator, closes_at=None, now=now)


def _check_open(offer: ShiftOffer, taker: User, now: datetime) -> None:
    if offer.offered_by_id == taker.id:
        raise SwapError("own_offer")
    if offer.offered_to_id not in (None, taker.id):
        raise OfferNotFound()
    if offer.status == OfferStatus.TAKEN:
        raise SwapError("offer_taken")
    if offer.status == OfferStatus.PENDING:
        raise SwapError("offer_pending")
    if offer.status != OfferStatus.OPEN or _stale(offer):
        raise SwapError("offer_withdrawn")
    if offer.expired(now):
        raise SwapError("offer_expired")


def refusal_for(reason: Reason) -> DomainError | None:
    """The refusal of taking an offer, for the booking rules' verdict on the taker; None when
    the verdict is a confirmed place."""
    if reason in REFUSALS:
        return REFUSALS[reason]()
    if reason == Reason.ALREADY_BOOKED:
        return SwapError("already_booked")
    if reason != Reason.CONFIRMED:  # full: the shift is over its count already
        return SwapError("offer_taken")
    return None


def _refuse_unless_confirmed(reason: Reason) -> None:
    refusal = refusal_for(reason)
    if refusal is not None:
        raise refusal


def _hand_over(
    session: Session,
    offer: ShiftOffer,
    taker: User,
    *,
    by: User,
    closes_at: datetime | None,
    now: datetime,
) -> Booking:
    """Place the taker on the shift in the giver's place (one placement), close the offer, tell
    both, and keep it in the audit log."""
    giver = offer.offered_by
    placement = place(
        session,
        offer.shift,
        taker,
        waitlist=False,
        weekly_limit=True,
        closes_at=closes_at,
        releasing=offer.booking,
        now=now,
    )
    _refuse_unless_confirmed(placement.reason)
    assert placement.booking is not None  # a confirmed placement holds its booking
    offer.status = OfferStatus.TAKEN
    offer.taken_by_id = taker.id
    offer.closed_at = now
    session.flush()
    notify(session, giver, "offer_taken", shift_id=offer.shift_id)
    notify(session, taker, "offer_received", shift_id=offer.shift_id)
    record(
        session,
        by,
        "booking.swapped",
        giver,
        offer.booking,
        before={"holder": giver.id, "booking": offer.booking.id},
        after={"holder": taker.id, "booking": placement.booking.id, "offer": offer.id},
        commune=offer.shift.service_point.commune,
    )
    return placement.booking


def _taker_booking(session: Session, offer: ShiftOffer) -> Booking | None:
    if offer.status != OfferStatus.TAKEN:
        return None
    return session.scalar(
        select(Booking).where(
            Booking.shift_id == offer.shift_id, Booking.user_id == offer.taken_by_id
        )
    )


def pending_in_scope(session: Session, coordinator: User) -> list[ShiftOffer]:
    """Swaps waiting for the coordinator's approval at the service points they coordinate."""
    return list(
        session.scalars(
            select(ShiftOffer)
            .join(Shift, Shift.id == ShiftOffer.shift_id)
            .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
            .join(Commune, Commune.id == ServicePoint.commune_id)
            .where(
                ShiftOffer.status == OfferStatus.PENDING,
                Shift.starts_at > utcnow(),
                CoordinatorScope.of(coordinator).communes_clause(Commune.id, Commune.province_id),
            )
            .order_by(Shift.starts_at, ShiftOffer.id)
        )
    )
