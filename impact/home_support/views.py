"""Home support pages: the public request form, the coordinators' list, assigning, closing."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_pgettext
from flask_login import current_user

from app import navigation
from app.access import public, roles
from app.extensions import db, limiter
from app.i18n import lazy_gettext as _l
from app.places import services as places
from app.places.forms import resolve_commune
from app.places.models import Province
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from impact.home_support import services
from impact.home_support.forms import (
    TIME_WINDOW_LABELS,
    AssignForm,
    CloseForm,
    HomeSupportRequestForm,
)
from impact.home_support.models import RequestStatus

bp = Blueprint("home_support", __name__)

navigation.register("home_support.index", _l("Home visit requests"), navigation.Group.CHECKIN)

STATUS_LABELS = {
    RequestStatus.OPEN: _l("Waiting for volunteers"),
    RequestStatus.ASSIGNED: _l("Volunteers assigned"),
    # the context keeps it apart from a service point that is closed (not working for now)
    RequestStatus.CLOSED: lazy_pgettext("home support request", "Closed"),
}


def _request_limit():
    return current_app.config.get("HOME_SUPPORT_RATE_LIMIT", "5 per hour")


def _commune(form):
    province = places.get_by_code(db.session, Province, form.province.data or "")
    if province is None:
        form.province.errors = [*form.province.errors, _("Choose a province.")]
        return None
    return resolve_commune(db.session, province, form.commune)


@bp.route("/home-support/request", methods=["GET", "POST"])
@public
@limiter.limit(_request_limit, methods=["POST"])
@no_store
def ask():
    """A resident, or an officer for them, asks volunteers to come and help at home."""
    form = HomeSupportRequestForm()
    form.province.choices = [("", "—")] + places.province_choices(db.session)
    if request.method == "GET" and current_user.is_authenticated and current_user.home_commune:
        form.province.data = current_user.home_commune.province.code
        form.commune.data = current_user.home_commune.name
    status = 200
    if form.is_submitted():
        valid = form.validate()
        commune = _commune(form) if valid else None
        if commune is not None:
            services.create_request(
                db.session,
                commune=commune,
                address=form.address.data,
                need=form.need.data,
                preferred_on=form.preferred_on.data,
                time_window=form.time_window.data,
                requested_by=current_user if current_user.is_authenticated else None,
            )
            db.session.commit()
            flash(
                _(
                    "Your request is sent to the coordinators of %(commune)s. Two volunteers "
                    "will come in the time you chose.",
                    commune=commune.name,
                )
            )
            return redirect(url_for("home_support.ask"))
        status = 400
    return render_template("impact/home_support/ask.html", form=form), status


@bp.get("/home-support")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def index():
    """Open requests of the communes one coordinates, and the visits one is assigned to."""
    show_closed = request.args.get("closed") == "1"
    rows = services.requests_for(db.session, current_user, include_closed=show_closed)
    return render_template(
        "impact/home_support/index.html",
        rows=rows,
        show_closed=show_closed,
        windows=TIME_WINDOW_LABELS,
        statuses=STATUS_LABELS,
    )


def _visible(request_id):
    return services.request_for(db.session, current_user, request_id) or abort(404)


@bp.get("/home-support/<int:request_id>")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
@no_store
def show(request_id):
    """One request; its address only to the assigned volunteers and the commune's coordinators."""
    found = _visible(request_id)
    coordinates = CoordinatorScope.of(current_user).covers_commune(found.commune)
    form = AssignForm()
    if coordinates:
        choices = [
            (str(v.id), f"{v.full_name} ({v.organisation})" if v.organisation else v.full_name)
            for v in services.eligible_volunteers(db.session, found.commune)
        ]
        form.first.choices = form.second.choices = [("", "—"), *choices]
        assigned = [str(a.volunteer_id) for a in found.assignments]
        if len(assigned) == 2:
            form.first.data, form.second.data = assigned
    return render_template(
        "impact/home_support/show.html",
        found=found,
        coordinates=coordinates,
        assign_form=form,
        close_form=CloseForm(),
        may_log=services.may_log_visit(found, current_user),
        visits=services.visits_of(db.session, found),
        windows=TIME_WINDOW_LABELS,
        statuses=STATUS_LABELS,
    )


@bp.post("/home-support/<int:request_id>/assign")
@roles(Role.COORDINATOR)
def assign(request_id):
    """A coordinator of the request's commune sends two volunteers."""
    found = _visible(request_id)
    if not CoordinatorScope.of(current_user).covers_commune(found.commune):
        abort(403)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    eligible = {str(v.id): v for v in services.eligible_volunteers(db.session, found.commune)}
    picked = [eligible.get(form.first.data or ""), eligible.get(form.second.data or "")]
    try:
        if None in picked:
            raise services.HomeSupportError("two_volunteers")
        services.assign(db.session, found, picked, by=current_user)
    except services.HomeSupportError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(url_for("home_support.show", request_id=request_id))
    names = " & ".join(v.full_name for v in picked)
    db.session.commit()
    flash(_("Assigned: %(names)s.", names=names))
    return redirect(url_for("home_support.show", request_id=request_id))


@bp.post("/home-support/<int:request_id>/close")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def close(request_id):
    """Close the visit (a coordinator, or an assigned volunteer): the address is erased."""
    found = _visible(request_id)
    if not CloseForm().validate_on_submit():
        abort(400)
    services.close_request(db.session, found)
    db.session.commit()
    flash(_("The request is closed and its address erased."))
    return redirect(url_for("home_support.index"))
