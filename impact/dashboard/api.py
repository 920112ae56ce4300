"""The dashboard's figures as JSON, aggregates only.

GET /api/v1/stats answers in the caller's coordinator scope, as /impact does; GET
/api/v1/provinces/{code}/stats answers everyone, as a province's public impact page does.
"""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import public, roles
from app.api import error
from app.api.openapi import operation
from app.api.schemas import UNAUTHORIZED, Error
from app.extensions import db
from app.localtime import local_today
from app.places.models import Commune, Province
from app.roles import Role
from impact.dashboard import schemas, services

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("impact", __name__)


def _by_code(model, code):
    code = (code or "").strip()
    if not code:
        return None, False
    return db.session.scalar(select(model).where(model.code == code)), True


@bp.get("/stats")
@roles(Role.COORDINATOR)
@operation(
    "getStats",
    summary="The impact dashboard's figures for a province or a commune of the caller's scope",
    description="Aggregates only, as on the coordinator's /impact page, and within the same "
    "scope: a commune or province the caller does not coordinate is refused. Dates out of order "
    "are swapped and a range is cut to its last 366 days; `from` and `to` in the answer say "
    "which days it covers. Without province or commune: the whole of the caller's scope. "
    "Public figures of a province: GET /api/v1/provinces/{code}/stats.",
    query=schemas.StatsQuery,
    responses={
        200: ("The figures.", schemas.Stats),
        400: ("A date not in YYYY-MM-DD form, or a query parameter not listed here.", Error),
        401: UNAUTHORIZED,
        403: ("Not a coordinator, or a place outside the caller's scope.", Error),
        404: (
            "No province or commune has this code, the commune is not in the province, or no "
            "campaign of the caller's scope has this id.",
            Error,
        ),
    },
)
def stats(query: schemas.StatsQuery):
    """The figures of a province or a commune over a date range, within the caller's scope."""
    province, asked_province = _by_code(Province, query.province)
    commune, asked_commune = _by_code(Commune, query.commune)
    if (asked_province and province is None) or (asked_commune and commune is None):
        return error(404, "not_found", _("No province or commune has this code."))
    if province and commune and commune.province_id != province.id:
        return error(404, "not_found", _("This commune is not in this province."))
    campaign = None
    if query.campaign is not None:
        campaign = services.campaign_for(db.session, current_user, query.campaign)
        if campaign is None:
            return error(404, "not_found", _("No campaign of your scope has this id."))
    try:
        scope = services.api_scope(
            db.session,
            current_user,
            local_today(),
            query.start,
            query.end,
            province=province,
            commune=commune,
            campaign=campaign,
        )
    except services.ImpactError:
        return error(403, "forbidden", _("You do not coordinate this commune."))
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))


@bp.get("/provinces/<code>/stats")
@public
@operation(
    "getProvinceStats",
    summary="A province's public impact figures",
    description="The same aggregates as the province's public impact page: no person is named. "
    "Dates as for /api/v1/stats.",
    path={"code": "Official province code, e.g. 01 (Hà Nội)."},
    query=schemas.PublicStatsQuery,
    responses={
        200: ("The figures.", schemas.Stats),
        400: ("A date not in YYYY-MM-DD form, or a query parameter not listed here.", Error),
        404: ("No province has this code.", Error),
    },
)
def province_stats(code: str, query: schemas.PublicStatsQuery):
    """A province's public figures over a date range, as on its public impact page."""
    province = db.session.scalar(select(Province).where(Province.code == code))
    if province is None:
        return error(404, "not_found", _("No province has this code."))
    scope = services.public_scope(local_today(), query.start, query.end, province=province)
    return jsonify(services.figures_json(services.impact_figures(db.session, scope)))


@bp.get("/national/stats")
@public
@operation(
    "getNationalStats",
    summary="The whole country's public impact figures, with each province's",
    description="The same aggregates as /impact/national: the country's figures and, in "
    "`provinces`, each of the 34 provinces' (zeros for a province without a dossier); "
    "`communes` is empty (a province's are in its own stats). Read from the daily roll-up. "
    "Dates as for /api/v1/stats.",
    query=schemas.PublicStatsQuery,
    responses={
        200: ("The figures.", schemas.NationalStats),
        400: ("A date not in YYYY-MM-DD form, or a query parameter not listed here.", Error),
    },
)
def national_stats(query: schemas.PublicStatsQuery):
    """The country's public figures over a date range, with each province's."""
    scope = services.public_scope(local_today(), query.start, query.end)
    return jsonify(services.figures_json(services.country_figures(db.session, scope)))


@bp.get("/communes/<code>/stats")
@public
@operation(
    "getCommuneStats",
    summary="A commune's public impact figures, with each of its service points'",
    description="The same aggregates as the commune's public impact page: the commune's "
    "figures, day by day in `per_day`, and each service point's in `service_points` (`code` is "
    "the point's id). Dates as for /api/v1/stats.",
    path={"code": "Official commune code, e.g. 00130 (Phường Bồ Đề)."},
    query=schemas.PublicStatsQuery,
    responses={
        200: ("The figures.", schemas.CommuneStats),
        400: ("A date not in YYYY-MM-DD form, or a query parameter not listed here.", Error),
        404: ("No commune has this code.", Error),
    },
)
def commune_stats(code: str, query: schemas.PublicStatsQuery):
    """A commune's public figures over a date range, with each service point's."""
    commune = db.session.scalar(select(Commune).where(Commune.code == code))
    if commune is None:
        return error(404, "not_found", _("No commune has this code."))
    scope = services.public_scope(local_today(), query.start, query.end, commune=commune)
    return jsonify(services.figures_json(services.commune_figures(db.session, scope)))
