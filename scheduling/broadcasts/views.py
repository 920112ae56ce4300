"""Pages of broadcasts: write a message to a shift's, a team's or a campaign's people (seeing its
reach and its SMS length first), and the coordinator's past broadcasts with their deliveries."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext
from flask_login import current_user

from app import navigation
from app.access import roles
from app.database import request_int
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.roles import Role
from app.scope import CoordinatorScope
from app.text import sort_key
from scheduling.broadcasts import services
from scheduling.broadcasts.forms import BroadcastForm
from scheduling.broadcasts.services import Audience, BroadcastError
from scheduling.campaigns.services import can_view
from scheduling.models import Campaign, Shift
from scheduling.teams.models import Team
from scheduling.teams.services import can_manage_team

bp = Blueprint("broadcasts", __name__)

navigation.register("broadcasts.index", _l("Messages sent"), navigation.Group.STAFFING)


def _compose(audience: Audience, form: BroadcastForm, back: str, action: str):
    """Preview or send the form's message to the audience; the page again with its reach."""
    status = 200
    preview = None
    if form.validate_on_submit():
        if form.send.data:
            try:
                broadcast = services.send_broadcast(
                    db.session,
                    current_user,
                    audience,
                    form.message.data,
                    current_app.config["BROADCASTS_PER_HOUR"],
                )
            except BroadcastError as refusal:
                db.session.rollback()
                form.message.errors = [*form.message.errors, refusal.page_message]
                status = refusal.status
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "Your message was sent to %(num)d person.",
                        "Your message was sent to %(num)d people.",
                        broadcast.people,
                    )
                )
                return redirect(url_for("broadcasts.index"))
        preview = services.sms_preview(form.message.data)
    elif request.method == "POST":
        status = 400
    if request.form.get("live"):
        # the page's script, as the coordinator types: the SMS preview alone, not the reach
        return render_template("scheduling/broadcasts/_preview.html", preview=preview), status
    people = services.people_of(db.session, audience)
    return render_template(
        "scheduling/broadcasts/compose.html",
        form=form,
        audience=audience,
        reach=services.reach(db.session, people),
        preview=preview,
        back=back,
        action=action,
    ), status


def _form(commune_choices=None) -> BroadcastForm:
    form = BroadcastForm()
    if commune_choices is None:
        del form.commune
    else:
        form.commune.choices = commune_choices
    return form


@bp.route("/shifts/<int:shift_id>/broadcast", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def shift(shift_id):
    """A message to everyone holding a place on the shift, confirmed or waiting."""
    found = db.session.get(Shift, shift_id)
    if found is None or not CoordinatorScope.of(current_user).covers_point(found.service_point):
        abort(404)
    return _compose(
        services.of_shift(found),
        _form(),
        url_for("staffing.staff", shift_id=found.id),
        url_for("broadcasts.shift", shift_id=found.id),
    )


@bp.route("/teams/<int:team_id>/broadcast", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def team(team_id):
    """A message to the members of a team the coordinator keeps."""
    found = db.session.get(Team, team_id)
    if found is None or not can_manage_team(current_user, found):
        abort(404)
    return _compose(
        services.of_team(found),
        _form(),
        url_for("teams.detail", team_id=found.id),
        url_for("broadcasts.team", team_id=found.id),
    )


@bp.route("/campaigns/<int:campaign_id>/broadcast", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def campaign(campaign_id):
    """A message to the people holding a place on the campaign's coming shifts in one of its
    communes the coordinator covers."""
    scope = CoordinatorScope.of(current_user)
    found = db.session.get(Campaign, campaign_id)
    if found is None or not can_view(scope, found):
        abort(404)
    communes = sorted(
        (c for c in found.communes if scope.covers_commune(c)), key=lambda c: sort_key(c.name)
    )
    if not communes:
        abort(404)
    form = _form([(c.id, c.name) for c in communes])
    if request.method == "GET":
        wanted = request.args.get("commune", type=request_int)
        form.commune.data = next((c.id for c in communes if c.id == wanted), communes[0].id)
    # a commune not offered fails the form's validation: nothing is sent to it
    commune = next((c for c in communes if c.id == form.commune.data), communes[0])
    return _compose(
        services.of_campaign(found, commune),
        form,
        url_for("campaigns.detail", campaign_id=found.id),
        url_for("broadcasts.campaign", campaign_id=found.id),
    )


@bp.get("/broadcasts")
@roles(Role.COORDINATOR)
def index():
    """The coordinator's past broadcasts with what became of their deliveries."""
    return render_template(
        "scheduling/broadcasts/index.html",
        sent=services.broadcasts_of(db.session, current_user),
    )
