"""A campaign's skill requirements, kept from the campaign's page by its coordinators: a
campaign-wide one by those who may edit the campaign, one at a point or on a shift by those who
coordinate the point."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.access import roles
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from app.skills import services as skill_list
from scheduling.booking.staffing import pattern_starts, points_in_scope, shifts_to_place
from scheduling.campaigns.services import can_edit, can_view
from scheduling.models import Campaign
from scheduling.skills import services
from scheduling.skills.forms import RequirementForm
from scheduling.skills.models import SkillRequirement

bp = Blueprint("skill_needs", __name__)


def requirement_form(campaign: Campaign, formdata=None) -> RequirementForm:
    """The form with the active skills, the campaign's points the reader coordinates (and the
    whole campaign when they may edit it) and the starts of the campaign's shifts."""
    scope = CoordinatorScope.of(current_user)
    form = RequirementForm(formdata=formdata)
    form.skill.choices = skill_list.choices(db.session)
    points = points_in_scope(db.session, current_user, campaign)
    whole = [("", _("Every shift of the campaign"))] if can_edit(scope, campaign) else []
    form.point.choices = whole + [(str(p.id), f"{p.commune.name} — {p.name}") for p in points]
    form.start.choices = [("", "—")] + [(s, s) for s in pattern_starts([campaign])]
    return form


def _campaign(campaign_id) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not can_view(CoordinatorScope.of(current_user), campaign):
        abort(404)
    return campaign


def _may_change(campaign: Campaign, point: ServicePoint | None) -> bool:
    scope = CoordinatorScope.of(current_user)
    return can_edit(scope, campaign) if point is None else scope.covers_point(point)


@bp.post("/campaigns/<int:campaign_id>/skills")
@roles(Role.COORDINATOR)
def add(campaign_id):
    """Ask for at least N people with a skill on the campaign's shifts, at a point, or on one."""
    campaign = _campaign(campaign_id)
    form = requirement_form(campaign, request.form)
    point = shift = None
    if form.validate():
        if form.point.data:
            point = db.session.get(ServicePoint, int(form.point.data))
        if not _may_change(campaign, point):
            abort(403)
        if form.day.data:
            found = shifts_to_place(
                db.session, campaign, point, form.day.data, form.day.data, [form.start.data]
            )
            if not found:
                form.day.errors = [_("The campaign has no such shift at this service point.")]
            else:
                shift, point = found[0], None
    if form.errors:
        return _detail_again(campaign, form)
    try:
        services.require_skill(
            db.session,
            campaign,
            form.skill.data,
            form.minimum.data,
            current_user,
            point=point,
            shift=shift,
        )
    except services.RequirementError as refusal:
        db.session.rollback()
        form.skill.errors = [refusal.page_message]
        return _detail_again(campaign, form)
    db.session.commit()
    flash(_("The skill requirement is saved; the coverage board counts it now."))
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id, _anchor="skills"))


def _detail_again(campaign: Campaign, form: RequirementForm):
    """Back to the campaign's page, saying what to correct (the form is one line of it)."""
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id, _anchor="skills"))


@bp.post("/campaigns/<int:campaign_id>/skills/<int:requirement_id>/delete")
@roles(Role.COORDINATOR)
def delete(campaign_id, requirement_id):
    """Stop asking for a skill there."""
    campaign = _campaign(campaign_id)
    requirement = db.session.get(SkillRequirement, requirement_id)
    if requirement is None or requirement.campaign_id != campaign.id:
        abort(404)
    place = requirement.shift.service_point if requirement.shift else requirement.service_point
    if not _may_change(campaign, place):
        abort(403)
    services.drop_requirement(db.session, requirement, current_user)
    db.session.commit()
    flash(_("The skill is no longer asked for there."))
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id, _anchor="skills"))


def requirements_section(campaign: Campaign) -> Markup:
    """The campaign page's section of skill requirements, with the form to add one (HTML the
    template escaped already)."""
    form = requirement_form(campaign)
    requirements = services.requirements_of(db.session, campaign)
    return Markup(
        render_template(
            "scheduling/skills/requirements.html",
            campaign=campaign,
            requirements=requirements,
            may_change={
                r.id: _may_change(campaign, r.shift.service_point if r.shift else r.service_point)
                for r in requirements
            },
            form=form,
            may_add=bool(form.point.choices) and bool(form.skill.choices),
        )
    )
