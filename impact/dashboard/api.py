"""GET /api/v1/stats: the dashboard's figures as JSON (aggregates only, as on the public page)."""

import re
from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.access import signed_in
from app.api import error
from app.extensions import db
from app.localtime import local_today
from app.places.models import Commune, Province
from impact.dashboard import services

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
@signed_in
def stats():
    """The figures of a province or a commune over a date range."""
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
    start, end = services.clamped_range(local_today(), start, end)
    scope = services.Scope(
        start=start,
        end=end,
        commune_ids=frozenset({commune.id}) if commune else None,
        province_id=province.id if province else None,
    )
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))
