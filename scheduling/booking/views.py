"""A coordinator's staffing pages: place a team on shifts, and staff one shift (remove, move,
add people). The operations are scheduling.booking.staffing; they tell the people concerned."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.access import roles
from app.database import request_int, utcnow
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.localtime import local_today
from app.places.models import ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from app.urls import safe_next
from scheduling.booking import staffing
from scheduling.booking.forms import AddToShiftForm, MoveForm, PlacementForm
from scheduling.booking.placement import Reason
from scheduling.campaigns.services import campaigns_in_scope
from scheduling.models import Booking, BookingStatus, Shift
from scheduling.reminders.services import reminders_delivered
from scheduling.services import SchedulingError
from scheduling.skills.services import needs_of
from scheduling.teams import services as teams
from scheduling.teams.models import Team
from scheduling.teams.services import TeamError
from scheduling.wording import describe

bp = Blueprint("staffing", __name__)

#: why a person was not placed, moved or added, in the reader's language
REASONS = {
    Reason.CONFIRMED: _l("Placed."),
    Reason.ALREADY_BOOKED: _l("Already booked on this shift."),
    Reason.FULL: _l("The shift is full."),
    Reason.WEEKLY_LIMIT: _l("They have reached the campaign's weekly limit of shifts."),
    Reason.SHIFT_CLOSED: _l("The shift has started or was cancelled."),
}


def reason(code: str, conflict: Shift | None = None) -> str:
    """Why a placement or a move was refused, in the reader's language."""
    if code == Reason.OVERLAP:
        return _(
            "It overlaps another shift they hold: %(shift)s.",
            shift=describe(conflict) if conflict else "",
        )
    text = REASONS.get(code) or TeamError.sentences.get(code)
    return str(text) if text else _("This cannot be done.")


def _team(team_id) -> Team:
    """The team, if the coordinator keeps it; another scope's team is not found (404)."""
    team = db.session.get(Team, team_id)
    if team is None or not teams.can_manage_team(current_user, team):
        abort(404)
    return team


def _shift(shift_id) -> Shift:
    """The shift, if the coordinator coordinates its commune; otherwise 404."""
    shift = db.session.get(Shift, shift_id)
    if shift is None or not CoordinatorScope.of(current_user).covers_point(shift.service_point):
        abort(404)
    return shift


# --- placement --------------------------------------------------------------------------------


@bp.route("/teams/<int:team_id>/place", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def place(team_id):
    """Place the whole team or chosen members on a campaign's shifts over a range of days."""
    team = _team(team_id)
    campaigns = campaigns_in_scope(db.session, CoordinatorScope.of(current_user))
    members = teams.members_of(db.session, team)
    if not campaigns or not members:
        return render_template(
            "scheduling/booking/place.html",
            team=team,
            form=None,
            campaigns=campaigns,
            members=members,
            report=None,
        )
    form = PlacementForm()
    by_id = {c.id: c for c in campaigns}
    chosen_id = (
        form.campaign.data
        if request.method == "POST"
        else request.args.get("campaign", type=request_int)
    )
    campaign = by_id.get(chosen_id) or campaigns[0]
    points = staffing.points_in_scope(db.session, current_user, campaign)
    form.campaign.choices = [(c.id, c.name) for c in campaigns]
    form.point.choices = [(p.id, f"{p.commune.name} — {p.name}") for p in points]
    form.starts.choices = [(s, s) for s in staffing.pattern_starts([campaign])]
    form.people.choices = [(m.id, m.full_name) for m in members]
    if request.method == "GET":
        first = max(campaign.starts_on, local_today())
        form.campaign.data = campaign.id
        form.first_day.data = first
        form.last_day.data = min(first + timedelta(days=6), campaign.ends_on)
        form.starts.data = [s for s, _label in form.starts.choices]
        form.people.data = [m.id for m in members]
    report = point = None
    if form.validate_on_submit():
        point = db.session.get(ServicePoint, form.point.data)
        shifts = staffing.shifts_to_place(
            db.session,
            campaign,
            point,
            form.first_day.data,
            form.last_day.data,
            form.starts.data,
        )
        if not shifts:
            form.point.errors.append(_("This service point has no shift of the campaign then."))
        else:
            people = [m for m in members if m.id in set(form.people.data)]
            report = staffing.place_people(db.session, people, shifts, current_user)
            db.session.commit()
    return render_template(
        "scheduling/booking/place.html",
        team=team,
        form=form,
        campaigns=campaigns,
        campaign=campaign,
        members=members,
        report=report,
        point=point,
        reason=reason,
    )


# --- staffing one shift -----------------------------------------------------------------------


@bp.get("/shifts/<int:shift_id>/staff")
@roles(Role.COORDINATOR)
@no_store
def staff(shift_id):
    """Who is confirmed and waiting on a shift; remove, move or add people."""
    shift = _shift(shift_id)
    confirmed, waitlist = staffing.staffing(db.session, shift)
    move_form = MoveForm()
    move_form.booking.choices = [
        (row.booking.id, row.booking.user.full_name) for row in confirmed + waitlist
    ]
    targets = staffing.other_shifts(db.session, shift)
    move_form.target.choices = [(s.id, describe(s)) for s in targets]
    reminders = reminders_delivered(db.session, shift, [row.booking.user_id for row in confirmed])
    return render_template(
        "scheduling/booking/staff.html",
        shift=shift,
        confirmed=confirmed,
        waitlist=waitlist,
        reminders=reminders,
        move_form=move_form,
        add_form=AddToShiftForm(),
        started=shift.starts_at <= utcnow(),
        skill_needs=needs_of(db.session, [shift.id]).get(shift.id, ()),
    )


def _booking_on(shift, booking_id) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.shift_id != shift.id:
        abort(404)
    return booking


@bp.post("/shifts/<int:shift_id>/staff/<int:booking_id>/remove")
@roles(Role.COORDINATOR)
def staff_remove(shift_id, booking_id):
    """Release a person from the shift, even after the deadline; the waitlist moves up."""
    shift = _shift(shift_id)
    booking = _booking_on(shift, booking_id)
    name = booking.user.full_name
    if booking.status == BookingStatus.CANCELLED:
        flash(_("%(name)s no longer holds a place on this shift.", name=name), "error")
        return redirect(url_for("staffing.staff", shift_id=shift.id))
    promoted = staffing.remove_person(db.session, booking, by=current_user)
    db.session.commit()
    flash(_("%(name)s is released from the shift.", name=name))
    for b in promoted:
        flash(_("%(name)s moves up from the waitlist.", name=b.user.full_name))
    return redirect(url_for("staffing.staff", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/staff/move")
@roles(Role.COORDINATOR)
def staff_move(shift_id):
    """Move a person to another shift of the campaign, or change nothing and say why."""
    shift = _shift(shift_id)
    back = redirect(url_for("staffing.staff", shift_id=shift.id))
    booking_id = request.form.get("booking", type=request_int)
    target_id = request.form.get("target", type=request_int)
    if not booking_id or not target_id:
        flash(_("Choose a person and a shift to move them to."), "error")
        return back
    booking = _booking_on(shift, booking_id)
    target = db.session.get(Shift, target_id)
    if target is None or not CoordinatorScope.of(current_user).covers_point(target.service_point):
        abort(404)
    try:
        move = staffing.move_person(db.session, booking, target, by=current_user)
    except teams.TeamError as error:
        db.session.rollback()
        flash(
            _(
                "%(name)s was not moved: %(reason)s",
                name=booking.user.full_name,
                reason=reason(error.code, getattr(error, "conflict", None)),
            ),
            "error",
        )
        return back
    person = booking.user
    db.session.commit()
    flash(_("%(name)s is moved to %(shift)s.", name=person.full_name, shift=describe(target)))
    for b in move.promoted:
        flash(_("%(name)s moves up from the waitlist.", name=b.user.full_name))
    return back


@bp.post("/shifts/<int:shift_id>/staff/add")
@roles(Role.COORDINATOR)
def staff_add(shift_id):
    """Confirm one volunteer of the coordinator's communes, found by email, on the shift if there
    is room (their phone shows on the page once they are on it)."""
    shift = _shift(shift_id)
    form = AddToShiftForm()
    back = redirect(url_for("staffing.staff", shift_id=shift.id))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.email.errors), "error")
        return back
    try:
        person = teams.volunteer_by_email(db.session, form.email.data, current_user)
    except TeamError as refusal:
        flash(refusal.page_message, "error")
        return back
    placement = staffing.add_person(db.session, shift, person, current_user)
    if not placement.placed:
        db.session.rollback()
        flash(
            _(
                "%(name)s was not added: %(reason)s",
                name=person.full_name,
                reason=reason(placement.reason, placement.conflict),
            ),
            "error",
        )
        return back
    db.session.commit()
    flash(_("%(name)s is added to the shift.", name=person.full_name))
    return back


@bp.post("/shifts/<int:shift_id>/call")
@roles(Role.COORDINATOR)
def call(shift_id):
    """Tell the volunteers of the shift's commune that it needs people (a notice and a mail)."""
    shift = _shift(shift_id)
    back = safe_next(request.form.get("next"), "main.home")
    try:
        told = staffing.call_for_volunteers(db.session, shift)
    except SchedulingError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(back)
    db.session.commit()
    commune = shift.service_point.commune.name
    if told:
        flash(
            ngettext(
                "%(num)d volunteer of %(commune)s was told that %(shift)s needs people.",
                "%(num)d volunteers of %(commune)s were told that %(shift)s needs people.",
                told,
                commune=commune,
                shift=describe(shift),
            )
        )
    else:
        flash(_("Every volunteer living in %(commune)s has already been told.", commune=commune))
    return redirect(back)
