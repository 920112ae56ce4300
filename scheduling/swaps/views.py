"""The swap pages: offer a shift from "My shifts", withdraw it, see and take offers; a
coordinator approves or refuses swaps in campaigns that ask for it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.roles import Role
from scheduling.models import Booking
from scheduling.swaps import services
from scheduling.swaps.forms import OfferForm
from scheduling.swaps.models import ShiftOffer
from scheduling.wording import describe

bp = Blueprint("swaps", __name__)

navigation.register("swaps.offers", _l("Shifts offered to me"), navigation.Group.MY_SHIFTS)


def _back():
    return redirect(url_for("scheduling.my_shifts"))


@bp.post("/bookings/<int:booking_id>/offer")
@roles(Role.VOLUNTEER)
def offer(booking_id):
    """Offer one's confirmed place to the volunteer with the email typed, or to anyone."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    form = OfferForm()
    if not form.validate():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return _back()
    try:
        _offer, created = services.offer_shift(
            db.session, booking, current_user, to_email=form.email.data or None
        )
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return _back()
    text = describe(booking.shift)
    db.session.commit()
    if not created:
        flash(_("You already offered this shift: %(shift)s.", shift=text))
    elif form.email.data:
        flash(_("Offered to %(email)s: %(shift)s.", email=form.email.data, shift=text))
    else:
        flash(_("Offered to anyone who may take it: %(shift)s.", shift=text))
    return _back()


@bp.post("/offers/<int:offer_id>/withdraw")
@roles(Role.VOLUNTEER)
def withdraw(offer_id):
    """Take back one's own offer: the place stays one's own."""
    offer = db.session.get(ShiftOffer, offer_id)
    if offer is None or offer.offered_by_id != current_user.id:
        abort(404)
    try:
        services.withdraw_offer(db.session, offer, current_user)
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return _back()
    db.session.commit()
    flash(_("Offer withdrawn: the shift is still yours."))
    return _back()


@bp.get("/me/offers")
@roles(Role.VOLUNTEER)
def offers():
    """The offers the volunteer may take: those naming them, then those to anyone."""
    return render_template(
        "scheduling/swaps/offers.html",
        rows=services.offers_for(db.session, current_user),
    )


@bp.post("/offers/<int:offer_id>/take")
@roles(Role.VOLUNTEER)
def take(offer_id):
    """Take an offered place: it becomes one's own booking (or waits for a coordinator)."""
    try:
        offer = services.visible_offer(db.session, offer_id, current_user)
        taken = services.take_offer(db.session, offer, current_user)
    except services.OfferNotFound:
        db.session.rollback()
        abort(404)
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(url_for("swaps.offers"))
    text = describe(taken.offer.shift)
    db.session.commit()
    if taken.booking is None:
        flash(_("Asked: a coordinator will approve the swap of %(shift)s.", shift=text))
    else:
        flash(_("The shift is yours: %(shift)s.", shift=text))
    return _back()


@bp.get("/swaps/pending")
@roles(Role.COORDINATOR)
def pending():
    """Swaps waiting for approval at the coordinator's service points."""
    return render_template(
        "scheduling/swaps/pending.html", offers=services.pending_in_scope(db.session, current_user)
    )


@bp.post("/swaps/<int:offer_id>/decision")
@roles(Role.COORDINATOR)
def decide(offer_id):
    """Approve (the place moves now) or refuse a swap waiting at one's service points."""
    offer = next(
        (o for o in services.pending_in_scope(db.session, current_user) if o.id == offer_id), None
    )
    if offer is None:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    try:
        services.decide_offer(db.session, offer, current_user, approve=decision == "approve")
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(url_for("swaps.pending"))
    text = describe(offer.shift)
    db.session.commit()
    if decision == "approve":
        flash(_("Swap approved: %(shift)s.", shift=text))
    else:
        flash(_("Swap refused: %(shift)s.", shift=text))
    return redirect(url_for("swaps.pending"))
