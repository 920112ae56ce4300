"""The log screen, its offline queue's sync endpoint, undo, and the lists of entries.

The offline queue (app/static/js/assist-queue.js) may hold entries for hours before the network
returns, longer than the 1-hour life of a CSRF token. It therefore posts to ``/assists/sync``,
which is exempt from the CSRF token check and asks instead for two things together:

- the session cookie of the signed-in volunteer (SameSite=Lax: a browser never sends it with
  another site's POST made by script), and
- an ``X-Sync-Token`` header: a token signed with its own salt, naming that same volunteer and
  valid for SYNC_TOKEN_MAX_AGE (72 hours), printed in the log screen for its script to read.

Another site can read neither, and a JSON body with a custom header cannot be sent across
origins without a CORS preflight, which this site never grants. The trade-off: a token copied
from the page (by someone holding the phone, or a script injected into the site) stays usable for
up to three days, but only together with that volunteer's live session, and only to add or resend
that volunteer's own entries, which are append-only and hold no resident's data.
"""

import json
import uuid
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.api import error
from app.database import request_int, utcnow
from app.extensions import csrf, db
from app.i18n import language
from app.i18n import lazy_gettext as _l
from app.localtime import local_today
from app.roles import Role
from impact.assists import answers, services
from impact.assists.forms import (
    AGE_LABELS,
    CHANNEL_LABELS,
    LEVEL_LABELS,
    OUTCOME_LABELS,
    REASON_LABELS,
    RESULT_LABELS,
    AssistForm,
    UndoForm,
)
from impact.assists.messages import refusal_message, refusal_status
from impact.assists.models import Outcome
from impact.home_support import services as home_support
from impact.procedures import services as catalogue

bp = Blueprint("assists", __name__)

#: entries on one page of /assists
PAGE_SIZE = 50
SYNC_HEADER = "X-Sync-Token"
#: where the queue's script finds an entry's undo address: this id is replaced by the entry's
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"

#: open home-support requests listed on a coordinator's home; their page lists them all
HOME_SHOWN = 8

navigation.register("assists.new", _l("Log an assist"), navigation.Group.CHECKIN)
navigation.register("assists.index", _l("Past assists"), navigation.Group.CHECKIN)

LABELS = {
    "channel": CHANNEL_LABELS,
    "level": LEVEL_LABELS,
    "outcome": OUTCOME_LABELS,
    "reason": REASON_LABELS,
    "result_electronic": RESULT_LABELS,
    "age_band": AGE_LABELS,
}


def _home_request(value):
    """The open home-support request the current user may log a visit for, or None."""
    try:
        request_id = int(value)
    except (TypeError, ValueError):
        return None
    found = home_support.request_for(db.session, current_user, request_id)
    if found is None or not home_support.may_log_visit(found, current_user):
        return None
    return found


def _fill_choices(form, home_request=None):
    """Offer the user's service points and the catalogue, their recent procedures first."""
    points = services.service_points_for(db.session, current_user)
    if home_request is not None:
        points = [p for p in points if p.commune_id == home_request.commune_id] or list(
            home_request.commune.service_points
        )
    form.service_point.choices = [(str(p.id), f"{p.name} — {p.commune.name}") for p in points]
    locale = language()
    recent, others = catalogue.procedures_for_picker(db.session, current_user.id, locale)
    if recent:
        form.procedure.choices = {
            _("Recently used"): [(p.code, p.name(locale)) for p in recent],
            _("All procedures"): [(p.code, p.name(locale)) for p in others],
        }
    else:
        # a first entry: nothing is chosen for the volunteer, so nothing is logged by mistake
        form.procedure.choices = [("", _("Choose a procedure"))] + [
            (p.code, p.name(locale)) for p in others
        ]
    # both names, folded, so "khai sinh" finds a birth registration on an English page too
    form.procedure.render_kw = {
        "data-search": json.dumps({p.code: p.search_text for p in recent + others})
    }


def _set_defaults(form, last, home_request=None):
    """Preselect the point of the current or next shift and the last entry's choices."""
    point_id = services.current_service_point_id(db.session, current_user)
    if point_id is None and last is not None:
        point_id = last.service_point_id
    offered = [value for value, _label in form.service_point.choices]
    if point_id is not None and str(point_id) in offered:
        form.service_point.data = str(point_id)
    if last is not None:
        form.procedure.data = last.procedure.code
        for name in ("channel", "level", "outcome", "result_electronic", "age_band"):
            getattr(form, name).data = str(getattr(last, name))
        form.reason.data = str(last.reason) if last.reason is not None else None
        form.vulnerable.data = last.vulnerable
        form.self_service.data = last.self_service
    else:
        form.channel.data = "national_portal"
        form.level.data = "partly_online"
        form.outcome.data = "submitted"
        form.result_electronic.data = "yes"
    form.at_home.data = home_request is not None
    if home_request is not None:
        form.home_request.data = str(home_request.id)


def _render(form, status=200, home_request=None):
    now = utcnow()
    recent = services.recent_entries(db.session, current_user.id)
    last = services.last_entry(db.session, current_user.id)
    return (
        render_template(
            "impact/assists/new.html",
            form=form,
            recent=recent,
            may_undo={row.id: services.may_undo(row, current_user, now) for row in recent},
            labels=LABELS,
            locale=language(),
            home_request=home_request,
            last_at=last.received_at.isoformat() if last is not None else "",
            sync_token=services.sync_token(current_app.config["SECRET_KEY"], current_user),
            undo_url=url_for("assists.undo", entry_id=PLACEHOLDER_ID),
            show_url=url_for("assists.show", entry_id=PLACEHOLDER_ID),
            Outcome=Outcome,
        ),
        status,
    )


@bp.route("/assists/new", methods=["GET", "POST"])
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def new():
    """The log screen: one dossier helped with, in a few taps; without script, a plain form."""
    form = AssistForm()
    home_request = _home_request(request.values.get("home_request"))
    _fill_choices(form, home_request)
    if request.method == "GET":
        _set_defaults(form, services.last_entry(db.session, current_user.id), home_request)
        form.id.data = str(uuid.uuid4())
        # a resident card's QR opens this screen with its code (impact.cards.views.scan)
        form.resident_card.data = request.args.get("resident_card", "")
        return _render(form, home_request=home_request)
    if not form.validate_on_submit():
        return _render(form, 400, home_request)
    entry = form.entry()
    entry["occurred_at"] = utcnow()
    try:
        row, _created = services.record_assist(
            db.session, current_user, entry, home_request=home_request
        )
    except services.InvalidEntry as refusal:
        db.session.rollback()
        form.show_errors(refusal.fields)
        return _render(form, 400, home_request)
    except services.AssistError as refusal:
        db.session.rollback()
        if refusal.code == "id_taken":
            flash(_("This entry could not be saved: please try again."), "error")
            return redirect(url_for("assists.new"))
        flash(refusal_message(refusal.code), "error")
        return _render(form, refusal_status(refusal.code), home_request)
    name = row.procedure.name(language())
    db.session.commit()
    flash(_("Saved: %(procedure)s.", procedure=name))
    if home_request is not None:
        return redirect(url_for("home_support.show", request_id=home_request.id))
    return redirect(url_for("assists.new"))


@bp.post("/assists/sync")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@csrf.exempt
def sync():
    """Receive one entry from the log screen's offline queue (JSON, like POST /api/v1/assists).

    Authenticated by the session cookie and the page's sync token together: see the module's
    docstring for why a CSRF token would not do after hours offline.
    """
    token = request.headers.get(SYNC_HEADER, "")
    user_id = services.sync_token_user_id(current_app.config["SECRET_KEY"], token)
    if user_id is None or user_id != current_user.id:
        return error(403, "forbidden", _("Open the log screen again to send waiting entries."))
    body = request.get_json(silent=True)
    # a home visit logged offline keeps its link if the sender is still assigned to the request
    home_request = _home_request(body.get("home_request")) if isinstance(body, dict) else None
    return answers.record(body, home_request)


@bp.post("/assists/<entry_id>/undo")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def undo(entry_id):
    """Undo one's own entry within five minutes of saving it; the row stays, marked voided."""
    row = services.entry_for(db.session, current_user, entry_id)
    if row is None or row.volunteer_id != current_user.id:
        abort(404)
    if not UndoForm().validate_on_submit():
        abort(400)
    try:
        services.undo_assist(db.session, row, current_user)
    except services.AssistError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(url_for("assists.new"))
    name = row.procedure.name(language())
    db.session.commit()
    flash(_("Undone: %(procedure)s.", procedure=name))
    return redirect(url_for("assists.new"))


@bp.get("/assists")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def index():
    """The entries one may see: a volunteer's own, a coordinator's communes' as well."""
    page = max(request.args.get("page", 1, type=request_int), 1)
    rows = services.entries_for(
        db.session, current_user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "impact/assists/index.html",
        rows=rows[:PAGE_SIZE],
        page=page,
        has_more=len(rows) > PAGE_SIZE,
        labels=LABELS,
        locale=language(),
    )


@bp.get("/assists/<entry_id>")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def show(entry_id):
    """One entry, to its volunteer and the coordinators of its commune; 404 to anyone else."""
    row = services.entry_for(db.session, current_user, entry_id) or abort(404)
    return render_template("impact/assists/show.html", row=row, labels=LABELS, locale=language())


def coordinator_block(session, user, roles) -> str | None:
    """The coordinator's assists today against the same hours a week ago, and the open requests
    for help at home, in their scope."""
    if Role.COORDINATOR not in roles:
        return None
    now = utcnow()
    today = local_today(now)
    week = timedelta(days=7)
    return render_template(
        "impact/assists/today.html",
        today_count=services.assists_in_scope_on(session, user, today, now),
        last_week_count=services.assists_in_scope_on(session, user, today - week, now - week),
        requests=home_support.open_requests_in_scope(session, user),
        shown=HOME_SHOWN,
    )
