"""JSON routes of places, for forms that pick a commune once a province is chosen."""

from flask import jsonify
from flask_babel import gettext as _

from app.access import public
from app.extensions import db
from app.places import bp, services
from app.places.models import Province


@bp.get("/provinces/<code>/communes.json")
@public
def province_communes_json(code):
    """The communes of a province as [{"code", "name"}], in alphabetical order."""
    province = services.get_by_code(db.session, Province, code)
    if province is None:
        response = jsonify(error="not_found", message=_("This province does not exist."))
        response.status_code = 404
        return response
    communes = services.search_communes(db.session, province)
    response = jsonify([{"code": c.code, "name": c.name} for c in communes])
    # The official list changes only with a new import; let phones and proxies keep it a day.
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
