"""Coordinators' campaign pages: list, create, detail, edit, and generate shifts."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app import navigation
from app.access import roles
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.roles import Role
from app.scope import CoordinatorScope
from scheduling.campaigns import services
from scheduling.campaigns.forms import TARGET_FIELDS, WEEKDAYS, CampaignForm
from scheduling.models import DEFAULT_SHIFT_PATTERN, Campaign
from scheduling.services import generate_shifts
from scheduling.skills.views import requirements_section

bp = Blueprint("campaigns", __name__)

navigation.register("campaigns.index", _l("Campaigns"), navigation.Group.STAFFING)


def _campaign(campaign_id, *, edit=False) -> Campaign:
    """The campaign if the user may see it (404 otherwise, revealing nothing); 403 to edit."""
    scope = CoordinatorScope.of(current_user)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not services.can_view(scope, campaign):
        abort(404)
    if edit and not services.can_edit(scope, campaign):
        abort(403)
    return campaign


@bp.get("/campaigns")
@roles(Role.COORDINATOR)
def index():
    """The campaigns in the coordinator's scope."""
    scope = CoordinatorScope.of(current_user)
    return render_template(
        "scheduling/campaigns/index.html", campaigns=services.campaigns_in_scope(db.session, scope)
    )


def _choices(form, scope, province):
    communes = services.communes_in_scope(db.session, scope, province)
    form.communes.choices = [(c.id, c.name) for c in communes]
    return communes


def _changes(form, communes) -> dict:
    chosen = set(form.communes.data or [])
    return {
        "name": form.name.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "communes": [c for c in communes if form.all_communes.data or c.id in chosen],
        "shift_pattern": form.pattern(),
        "weekdays": sorted(set(form.weekdays.data)),
        "min_per_shift": form.min_per_shift.data,
        "max_per_shift": form.max_per_shift.data,
        "cancel_deadline_hours": form.cancel_deadline_hours.data,
        "weekly_limit": form.weekly_limit.data,
        "swaps_need_approval": bool(form.swaps_need_approval.data),
        **{name: getattr(form, name).data for name in TARGET_FIELDS},
    }


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new():
    """Create a campaign in a province of the coordinator's scope."""
    scope = CoordinatorScope.of(current_user)
    provinces = services.provinces_in_scope(db.session, scope)
    if not provinces:
        abort(403)
    code = request.args.get("province")
    province = next((p for p in provinces if p.code == code), None)
    if province is None:
        if len(provinces) > 1:
            return render_template("scheduling/campaigns/choose_province.html", provinces=provinces)
        province = provinces[0]
    form = CampaignForm()
    if request.method == "GET":
        form.fill_pattern(DEFAULT_SHIFT_PATTERN)
    communes = _choices(form, scope, province)
    if form.validate_on_submit():
        changes = _changes(form, communes)
        campaign = services.create_campaign(db.session, province, **changes)
        db.session.commit()
        flash(_("The campaign is saved. Generate its shifts when the communes are ready."))
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template(
        "scheduling/campaigns/form.html",
        form=form,
        province=province,
        campaign=None,
        communes=communes,
    )


@bp.get("/campaigns/<int:campaign_id>")
@roles(Role.COORDINATOR)
def detail(campaign_id):
    """A campaign's settings, communes, counts of shifts and bookings, and the skills it asks
    for."""
    campaign = _campaign(campaign_id)
    scope = CoordinatorScope.of(current_user)
    return render_template(
        "scheduling/campaigns/detail.html",
        campaign=campaign,
        counts=services.counts(db.session, campaign),
        may_edit=services.can_edit(scope, campaign),
        weekday_names=dict(WEEKDAYS),
        skills_section=requirements_section(campaign),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit(campaign_id):
    """Change a campaign; its shifts follow without losing bookings (reshape_campaign)."""
    campaign = _campaign(campaign_id, edit=True)
    scope = CoordinatorScope.of(current_user)
    form = CampaignForm(obj=campaign)
    if request.method == "GET":
        form.communes.data = [c.id for c in campaign.communes]
        form.fill_pattern(campaign.shift_pattern)
    communes = _choices(form, scope, campaign.province)
    if form.validate_on_submit():
        try:
            summary = services.reshape_campaign(
                db.session, campaign, _changes(form, communes), by=current_user
            )
        except services.MaxBelowConfirmed as refusal:
            db.session.rollback()
            form.max_per_shift.errors.append(refusal.page_message)
            campaign = _campaign(campaign_id, edit=True)
        else:
            db.session.commit()
            flash(_("The campaign is saved."))
            if summary.reshaped or summary.promoted:
                flash(_summary_text(summary))
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template(
        "scheduling/campaigns/form.html",
        form=form,
        province=campaign.province,
        campaign=campaign,
        communes=communes,
    )


def _summary_text(summary) -> str:
    return _(
        "Shifts: %(added)s added, %(changed)s moved to new times, %(cancelled)s cancelled, "
        "%(deleted)s removed (they had no bookings); %(promoted)s people promoted from "
        "waitlists; %(told)s people told.",
        added=summary.added,
        changed=summary.changed,
        cancelled=summary.cancelled,
        deleted=summary.deleted,
        promoted=summary.promoted,
        told=len(summary.told),
    )


@bp.post("/campaigns/<int:campaign_id>/generate")
@roles(Role.COORDINATOR)
def generate(campaign_id):
    """Generate the campaign's missing shifts; running it again adds only what is missing."""
    campaign = _campaign(campaign_id, edit=True)
    generated = generate_shifts(db.session, campaign)
    db.session.commit()
    flash(ngettext("%(num)d shift added.", "%(num)d shifts added.", generated.added))
    if generated.skipped:
        flash(
            ngettext(
                "%(num)d shift skipped: another campaign already has a shift at the same time "
                "at %(points)s.",
                "%(num)d shifts skipped: another campaign already has shifts at the same times "
                "at %(points)s.",
                generated.skipped_total,
                points="; ".join(f"{name} ({count})" for name, count in generated.skipped.items()),
            ),
            "error",
        )
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
