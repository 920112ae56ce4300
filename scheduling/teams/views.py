"""Pages of teams: the teams a coordinator keeps, their members and leaders, a volunteer's teams.

Placing a team on shifts is a staffing page: scheduling.booking.views.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.database import request_int
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.roles import Role
from app.security import no_store
from scheduling.teams import services
from scheduling.teams.forms import KIND_LABELS, AddMemberForm, MemberSearchForm, TeamForm
from scheduling.teams.models import Team

bp = Blueprint("teams", __name__)

navigation.register("teams.index", _l("Teams"), navigation.Group.STAFFING)
navigation.register("teams.my_teams", _l("My teams"), navigation.Group.MY_SHIFTS)


def _team(team_id) -> Team:
    """The team, if the coordinator keeps it; another scope's team is not found (404)."""
    team = db.session.get(Team, team_id)
    if team is None or not services.can_manage_team(current_user, team):
        abort(404)
    return team


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
    user_id = request.form.get("user_id", type=request_int)
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
        flash(error.page_message, "error")
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
