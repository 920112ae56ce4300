"""GET /api/v1/stats: the dashboard's figures as JSON (aggregates only, as on the public page)."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from app.access import signed_in
from app.api import error
from app.api.openapi import operation
from app.api.schemas import UNAUTHORIZED, Error
from app.extensions import db
from app.localtime import local_today
from app.places.models import Commune, Province
from impact.dashboard import schemas, services

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("impact", __name__)


def _by_code(model, code):
    code = (code or "").strip()
    if not code:
        return None, False
    return db.session.scalar(select(model).where(model.code == code)), True


@bp.get("/stats")
@signed_in
@operation(
    "getStats",
    summary="The impact dashboard's figures for a province or a commune",
    description="Aggregates only, as on the public page of a province: no person is named. "
    "Dates out of order are swapped and a range is cut to its last 366 days; `from` and `to` "
    "in the answer say which days it covers. Without province or commune: the whole country.",
    query=schemas.StatsQuery,
    responses={
        200: ("The figures.", schemas.Stats),
        400: ("A date not in YYYY-MM-DD form, or a query parameter not listed here.", Error),
        401: UNAUTHORIZED,
        404: (
            "No province or commune has this code, or the commune is not in the province.",
            Error,
        ),
    },
)
def stats(query: schemas.StatsQuery):
    """The figures of a province or a commune over a date range."""
    province, asked_province = _by_code(Province, query.province)
    commune, asked_commune = _by_code(Commune, query.commune)
    if (asked_province and province is None) or (asked_commune and commune is None):
        return error(404, "not_found", _("No province or commune has this code."))
    if province and commune and commune.province_id != province.id:
        return error(404, "not_found", _("This commune is not in this province."))
    start, end = services.clamped_range(local_today(), query.start, query.end)
    scope = services.Scope(
        start=start,
        end=end,
        commune_ids=frozenset({commune.id}) if commune else None,
        province_id=province.id if province else None,
    )
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))
