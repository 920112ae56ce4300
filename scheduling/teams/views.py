"""Pages of teams, placing people on shifts, and a coordinator's staffing of one shift."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import navigation
from app.access import roles
from app.auth.services import can_coordinate, find_by_email
from app.database import utcnow
from app.extensions import db
from app.notifications.services import notify
from app.places.models import ServicePoint
from app.roles import Role
from app.security import no_store
from scheduling.coverage.services import campaigns_in_scope
from scheduling.models import Booking, BookingStatus, Shift
from scheduling.services import local_today
from scheduling.teams import services
from scheduling.teams.forms import (
    KIND_LABELS,
    AddMemberForm,
    AddToShiftForm,
    MemberSearchForm,
    MoveForm,
    PlacementForm,
    TeamForm,
)
from scheduling.teams.models import Team
from scheduling.teams.services import Outcome
from scheduling.views import describe

bp = Blueprint("teams", __name__)

navigation.register("teams.index", _l("Teams"))

#: why a person was not placed, moved or added, in the reader's language
REASONS = {
    Outcome.PLACED: _l("Placed."),
    Outcome.ALREADY: _l("Already booked on this shift."),
    Outcome.FULL: _l("The shift is full."),
    Outcome.WEEKLY_LIMIT: _l("They have reached the campaign's weekly limit of shifts."),
    Outcome.CLOSED: _l("The shift has started or was cancelled."),
}
TEAM_ERRORS = {
    "unknown_person": _l("No account has this email."),
    "unknown_volunteer": _l("No volunteer of your communes has this email."),
    "not_a_volunteer": _l("This person is not a volunteer: only volunteers join teams."),
    "not_a_member": _l("This person is not a member of the team."),
    "not_booked": _l("This person no longer holds a place on the shift."),
    "same_shift": _l("Choose another shift to move to."),
    "other_campaign": _l("A person can only be moved to a shift of the same campaign."),
}


def _tell(events) -> None:
    """Tell each person what a coordinator did to their shifts.

    `events` is a list of (user, kind, params) with kind "placed", "removed", "moved" or
    "promoted" and params shift=<Shift> (and from_shift= for a move). Promotions are told by
    `promote_waitlist` itself, so they are skipped here."""
    for user, kind, params in events:
        if kind == "promoted":
            continue
        ids = {f"{name}_id": shift.id for name, shift in params.items()}
        notify(db.session, user, kind, **ids)


def reason(code: str, conflict: Shift | None = None) -> str:
    """Why a placement or a move was refused, in the reader's language."""
    if code == Outcome.OVERLAP:
        return _(
            "It overlaps another shift they hold: %(shift)s.",
            shift=describe(conflict) if conflict else "",
        )
    text = REASONS.get(code) or TEAM_ERRORS.get(code)
    return str(text) if text else _("This cannot be done.")


def _team(team_id) -> Team:
    """The team, if the coordinator keeps it; another scope's team is not found (404)."""
    team = db.session.get(Team, team_id)
    if team is None or not services.can_manage_team(current_user, team):
        abort(404)
    return team


def _shift(shift_id) -> Shift:
    """The shift, if the coordinator coordinates its commune; otherwise 404."""
    shift = db.session.get(Shift, shift_id)
    if shift is None or not can_coordinate(current_user, shift.service_point.commune):
        abort(404)
    return shift


# --- teams ------------------------------------------------------------------------------------


@bp.get("/teams")
@roles(Role.COORDINATOR)
def index():
    """The teams the coordinator keeps."""
    return render_template(
        "scheduling/teams/index.html",
        teams=services.teams_in_scope(db.session, current_user),
        kinds=KIND_LABELS,
    )


def _team_form(team=None):
    form = TeamForm(obj=team)
    form.scope.choices = services.scope_choices(db.session, current_user)
    if team is not None and request.method == "GET":
        form.scope.data = f"c:{team.commune_id}" if team.commune_id else f"p:{team.province_id}"
        form.kind.data = team.kind.value
    return form


def _save(form, team):
    province_id, commune_id = services.resolve_scope(db.session, form.scope.data)
    return services.save_team(
        db.session,
        team,
        name=form.name.data,
        kind=form.kind.data,
        province_id=province_id,
        commune_id=commune_id,
    )


@bp.route("/teams/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new():
    """Create a team in the coordinator's scope."""
    form = _team_form()
    if form.validate_on_submit():
        team = _save(form, None)
        db.session.commit()
        flash(_("The team %(name)s is created. Add its members.", name=team.name))
        return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("scheduling/teams/form.html", form=form, team=None)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit(team_id):
    """Change a team's name, kind or place."""
    team = _team(team_id)
    form = _team_form(team)
    if form.validate_on_submit():
        _save(form, team)
        db.session.commit()
        flash(_("The team is saved."))
        return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("scheduling/teams/form.html", form=form, team=team)


@bp.get("/teams/<int:team_id>")
@roles(Role.COORDINATOR)
@no_store
def detail(team_id):
    """A team's members, its leader, and a search of volunteers to add."""
    team = _team(team_id)
    search = MemberSearchForm(request.args)
    search.validate()
    members = services.members_of(db.session, team)
    found = []
    if search.q.data and not search.q.errors:
        member_ids = {m.id for m in members}
        found = [
            u
            for u in services.search_volunteers(db.session, current_user, search.q.data)
            if u.id not in member_ids
        ]
    return render_template(
        "scheduling/teams/detail.html",
        team=team,
        members=members,
        add_form=AddMemberForm(),
        search=search,
        found=found,
        kinds=KIND_LABELS,
    )


@bp.post("/teams/<int:team_id>/members")
@roles(Role.COORDINATOR)
def add_member(team_id):
    """Add a volunteer to the team, by email or from the search's results."""
    team = _team(team_id)
    user_id = request.form.get("user_id", type=int)
    form = AddMemberForm()
    try:
        if user_id:
            person = next(
                (
                    u
                    for u in services.search_volunteers(
                        db.session, current_user, request.form.get("q", "")
                    )
                    if u.id == user_id
                ),
                None,
            )
            services.add_member(db.session, team, person)
        elif form.validate_on_submit():
            person = services.add_member_by_email(db.session, team, form.email.data, current_user)
        else:
            flash(" ".join(str(e) for e in form.email.errors), "error")
            return redirect(url_for("teams.detail", team_id=team.id))
    except services.TeamError as error:
        db.session.rollback()
        flash(str(TEAM_ERRORS.get(error.code, _("This cannot be done."))), "error")
        return redirect(url_for("teams.detail", team_id=team.id))
    db.session.commit()
    flash(_("%(name)s is a member of the team.", name=person.full_name))
    return redirect(url_for("teams.detail", team_id=team.id))


@bp.post("/teams/<int:team_id>/members/<int:user_id>/remove")
@roles(Role.COORDINATOR)
def remove_member(team_id, user_id):
    """Take a person out of the team."""
    team = _team(team_id)
    try:
        services.remove_member(db.session, team, user_id)
    except services.TeamError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("The person is no longer a member of the team."))
    return redirect(url_for("teams.detail", team_id=team.id))


@bp.post("/teams/<int:team_id>/members/<int:user_id>/lead")
@roles(Role.COORDINATOR)
def choose_leader(team_id, user_id):
    """Make a member the team's leader."""
    team = _team(team_id)
    try:
        services.choose_leader(db.session, team, user_id)
    except services.TeamError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("%(name)s leads the team.", name=team.leader.full_name))
    return redirect(url_for("teams.detail", team_id=team.id))


@bp.get("/me/teams")
@roles(Role.VOLUNTEER)
def my_teams():
    """The teams the volunteer belongs to, with their leaders."""
    return render_template(
        "scheduling/teams/mine.html",
        teams=services.teams_of(db.session, current_user.id),
        kinds=KIND_LABELS,
    )


# --- placement --------------------------------------------------------------------------------


@bp.route("/teams/<int:team_id>/place", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def place(team_id):
    """Place the whole team or chosen members on a campaign's shifts over a range of days."""
    team = _team(team_id)
    campaigns = campaigns_in_scope(db.session, current_user)
    members = services.members_of(db.session, team)
    if not campaigns or not members:
        return render_template(
            "scheduling/teams/place.html",
            team=team,
            form=None,
            campaigns=campaigns,
            members=members,
            report=None,
        )
    form = PlacementForm()
    by_id = {c.id: c for c in campaigns}
    chosen_id = (
        form.campaign.data if request.method == "POST" else request.args.get("campaign", type=int)
    )
    campaign = by_id.get(chosen_id) or campaigns[0]
    points = services.points_in_scope(db.session, current_user, campaign)
    form.campaign.choices = [(c.id, c.name) for c in campaigns]
    form.point.choices = [(p.id, f"{p.commune.name} — {p.name}") for p in points]
    form.starts.choices = [(s, s) for s in services.pattern_starts([campaign])]
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
        shifts = services.shifts_to_place(
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
            report = services.place_people(db.session, people, shifts, current_user)
            _tell([(p.person, "placed", {"shift": p.shift}) for p in report.placed])
            db.session.commit()
    return render_template(
        "scheduling/teams/place.html",
        team=team,
        form=form,
        campaigns=campaigns,
        campaign=campaign,
        members=members,
        report=report,
        point=point,
        reason=reason,
        describe=describe,
    )


# --- staffing one shift -----------------------------------------------------------------------


@bp.get("/shifts/<int:shift_id>/staff")
@roles(Role.COORDINATOR)
@no_store
def staff(shift_id):
    """Who is confirmed and waiting on a shift; remove, move or add people."""
    shift = _shift(shift_id)
    confirmed, waitlist = services.staffing(db.session, shift)
    move_form = MoveForm()
    move_form.booking.choices = [
        (row.booking.id, row.booking.user.full_name) for row in confirmed + waitlist
    ]
    targets = services.other_shifts(db.session, shift)
    move_form.target.choices = [(s.id, describe(s)) for s in targets]
    return render_template(
        "scheduling/teams/staff.html",
        shift=shift,
        confirmed=confirmed,
        waitlist=waitlist,
        move_form=move_form,
        add_form=AddToShiftForm(),
        describe=describe,
        started=shift.starts_at <= utcnow(),
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
        return redirect(url_for("teams.staff", shift_id=shift.id))
    promoted = services.remove_person(db.session, booking)
    _tell(
        [(booking.user, "removed", {"shift": shift})]
        + [(b.user, "promoted", {"shift": shift}) for b in promoted]
    )
    db.session.commit()
    flash(_("%(name)s is released from the shift.", name=name))
    for b in promoted:
        flash(_("%(name)s moves up from the waitlist.", name=b.user.full_name))
    return redirect(url_for("teams.staff", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/staff/move")
@roles(Role.COORDINATOR)
def staff_move(shift_id):
    """Move a person to another shift of the campaign, or change nothing and say why."""
    shift = _shift(shift_id)
    back = redirect(url_for("teams.staff", shift_id=shift.id))
    booking_id = request.form.get("booking", type=int)
    target_id = request.form.get("target", type=int)
    if not booking_id or not target_id:
        flash(_("Choose a person and a shift to move them to."), "error")
        return back
    booking = _booking_on(shift, booking_id)
    target = db.session.get(Shift, target_id)
    if target is None or not can_coordinate(current_user, target.service_point.commune):
        abort(404)
    try:
        move = services.move_person(db.session, booking, target)
    except services.TeamError as error:
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
    _tell(
        [(person, "moved", {"shift": target, "from_shift": shift})]
        + [(b.user, "promoted", {"shift": shift}) for b in move.promoted]
    )
    db.session.commit()
    flash(_("%(name)s is moved to %(shift)s.", name=person.full_name, shift=describe(target)))
    for b in move.promoted:
        flash(_("%(name)s moves up from the waitlist.", name=b.user.full_name))
    return back


@bp.post("/shifts/<int:shift_id>/staff/add")
@roles(Role.COORDINATOR)
def staff_add(shift_id):
    """Confirm one volunteer, found by email, on the shift if there is room."""
    shift = _shift(shift_id)
    form = AddToShiftForm()
    back = redirect(url_for("teams.staff", shift_id=shift.id))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.email.errors), "error")
        return back
    person = find_by_email(db.session, form.email.data)
    if person is None or not services.is_volunteer(person):
        code = "unknown_person" if person is None else "not_a_volunteer"
        flash(str(TEAM_ERRORS[code]), "error")
        return back
    report = services.place_people(db.session, [person], [shift], current_user)
    placement = report.placements[0]
    if not placement.placed:
        db.session.rollback()
        flash(
            _(
                "%(name)s was not added: %(reason)s",
                name=person.full_name,
                reason=reason(placement.outcome, placement.conflict),
            ),
            "error",
        )
        return back
    _tell([(person, "placed", {"shift": shift})])
    db.session.commit()
    flash(_("%(name)s is added to the shift.", name=person.full_name))
    return back
