"""The volunteer's pages: find shifts, book them, see and cancel one's own bookings."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.database import request_int, utcnow, writes_late
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.localtime import local_today
from app.roles import Role
from app.urls import safe_next
from scheduling import services
from scheduling.booking import services as booking_services
from scheduling.forms import FindShiftsForm
from scheduling.models import Booking, BookingStatus
from scheduling.swaps import services as swaps
from scheduling.swaps.forms import OfferForm
from scheduling.wording import describe

bp = Blueprint("scheduling", __name__)

#: shifts listed on one page of /shifts: enough for a day of a ward, light on a phone
PAGE_SIZE = 50

navigation.register("scheduling.find_shifts", _l("Find a shift"), navigation.Group.MY_SHIFTS)
navigation.register("scheduling.my_shifts", _l("Shifts I booked"), navigation.Group.MY_SHIFTS)


def when(moment) -> str:
    """A moment as "19:00, 7 Jan 2030" in the reader's language and Hanoi's time."""
    return f"{format_time(moment, 'short')}, {format_date(moment, 'medium')}"


@bp.get("/shifts")
@roles(Role.VOLUNTEER)
def find_shifts():
    """Upcoming shifts of one day, searchable by commune, the volunteer's home commune first."""
    today = local_today()
    form = FindShiftsForm(request.args)
    if "commune" not in request.args:
        # opened from the menu: the volunteer's own commune, not every ward's shifts
        usual = services.usual_commune(db.session, current_user)
        form.commune.data = usual.name if usual is not None else ""
    form.validate()
    day = form.day.data if form.day.data and not form.day.errors else today
    form.day.data = day
    page = max(request.args.get("page", 1, type=request_int), 1)
    rows = services.find_shifts(
        db.session,
        commune_query="" if form.commune.errors else form.commune.data or "",
        day=day,
        free_only=bool(form.free_only.data),
        home_commune_id=current_user.home_commune_id,
        reader_id=current_user.id,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    held, overlaps = services.held_and_overlaps(
        db.session, current_user.id, [r.shift for r in rows]
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    args.setdefault("commune", form.commune.data or "")
    now = utcnow()
    return render_template(
        "scheduling/find_shifts.html",
        form=form,
        rows=rows,
        held=held,
        day=day,
        today=today,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        page=page,
        has_more=has_more,
        args=args,
        overlaps=overlaps,
        past_deadline={r.shift.id for r in rows if now >= services.cancel_deadline(r.shift)},
        when=when,
        deadline_of=services.cancel_deadline,
        BookingStatus=BookingStatus,
    )


@bp.post("/shifts/<int:shift_id>/book")
@writes_late
@roles(Role.VOLUNTEER)
def book(shift_id):
    """Book a place on a shift, or join its waitlist when it is full."""
    back = safe_next(request.form.get("next"), "scheduling.find_shifts")
    try:
        placement = booking_services.book(db.session, shift_id, current_user)
    except services.SchedulingError as error:
        db.session.rollback()
        flash(error.page_message, "error")
        return redirect(back)
    if placement is None:
        abort(404)
    held = placement.booking
    position = (
        services.waitlist_position(db.session, held)
        if held.status == BookingStatus.WAITLISTED
        else None
    )
    text = describe(held.shift)
    db.session.commit()
    if position is None:
        flash(_("Booked: %(shift)s.", shift=text))
    else:
        flash(
            _(
                "The shift is full: you are number %(num)d on the waitlist for %(shift)s. "
                "You will be told if a place frees.",
                num=position,
                shift=text,
            )
        )
    return redirect(back)


@bp.get("/me/shifts")
@roles(Role.VOLUNTEER)
def my_shifts():
    """The volunteer's upcoming and past bookings, with a cancel button before the deadline."""
    now = utcnow()
    bookings = services.bookings_of(db.session, current_user.id)
    upcoming = [b for b in bookings if b.shift.ends_at > now]
    upcoming.reverse()  # the soonest first
    past = [b for b in bookings if b.shift.ends_at <= now]
    return render_template(
        "scheduling/my_shifts.html",
        upcoming=upcoming,
        past=past,
        may_cancel={b.id: services.may_cancel(b, now) for b in upcoming},
        offers=swaps.live_offers_of(db.session, current_user.id),
        offer_form=OfferForm(),
        deadline=services.cancel_deadline,
        when=when,
        BookingStatus=BookingStatus,
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@roles(Role.VOLUNTEER)
def cancel(booking_id):
    """Give up one's own booking before the deadline; the first on the waitlist moves up."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    try:
        booking_services.cancel_booking(db.session, booking)
    except services.PastDeadline:
        db.session.rollback()
        flash(
            _(
                "The deadline to cancel was %(deadline)s. Only a coordinator can release you now.",
                deadline=when(services.cancel_deadline(booking.shift)),
            ),
            "error",
        )
        return redirect(url_for("scheduling.my_shifts"))
    text = describe(booking.shift)
    db.session.commit()
    flash(_("Cancelled: %(shift)s.", shift=text))
    return redirect(url_for("scheduling.my_shifts"))
