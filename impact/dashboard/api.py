"""The dashboard's figures as JSON, aggregates only.

GET /api/v1/stats answers in the caller's coordinator scope, as /impact does; GET
/api/v1/provinces/{code}/stats answers everyone, as a province's public impact page does.
"""

import re
from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import public, roles
from app.api import error
from app.extensions import db
from app.places.models import Commune, Province
from app.roles import Role
from impact.dashboard import services
from scheduling.services import local_today

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("impact", __name__)

#: the query parameters the document names; any other is refused rather than silently ignored
PARAMETERS = frozenset({"province", "commune", "from", "to"})


def _day(name):
    """The date given as `name`, None when absent; ValueError unless it is exactly YYYY-MM-DD."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def _by_code(model, name):
    code = request.args.get(name, "").strip()
    if not code:
        return None, False
    return db.session.scalar(select(model).where(model.code == code)), True


@bp.get("/stats")
@roles(Role.COORDINATOR)
def stats():
    """The figures of a province or a commune over a date range, within the caller's scope."""
    if set(request.args) - PARAMETERS:
        return error(
            400, "bad_request", _("Use only the parameters province, commune, from and to.")
        )
    try:
        start, end = _day("from"), _day("to")
    except ValueError:
        return error(400, "bad_request", _("Give dates as YYYY-MM-DD, e.g. 2025-07-15."))
    province, asked_province = _by_code(Province, "province")
    commune, asked_commune = _by_code(Commune, "commune")
    if (asked_province and province is None) or (asked_commune and commune is None):
        return error(404, "not_found", _("No province or commune has this code."))
    if province and commune and commune.province_id != province.id:
        return error(404, "not_found", _("This commune is not in this province."))
    try:
        scope = services.api_scope(
            db.session, current_user, local_today(), start, end, province=province, commune=commune
        )
    except services.ImpactError:
        return error(403, "forbidden", _("You do not coordinate this commune."))
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))


@bp.get("/provinces/<code>/stats")
@public
def province_stats(code):
    """A province's public figures over a date range, as on its public impact page."""
    if set(request.args) - {"from", "to"}:
        return error(400, "bad_request", _("Use only the parameters from and to."))
    try:
        start, end = _day("from"), _day("to")
    except ValueError:
        return error(400, "bad_request", _("Give dates as YYYY-MM-DD, e.g. 2025-07-15."))
    province = db.session.scalar(select(Province).where(Province.code == code))
    if province is None:
        return error(404, "not_found", _("No province has this code."))
    scope = services.public_scope(province, local_today(), start, end)
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))
