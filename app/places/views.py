"""Pages of provinces, communes and their service points."""

from flask import abort, render_template, request

from app.access import public
from app.extensions import db
from app.places import bp, services
from app.places.models import Commune, Province


def _province(code):
    return services.get_by_code(db.session, Province, code) or abort(404)


@bp.get("/provinces")
@public
def provinces():
    """The 34 provinces and centrally-run cities."""
    return render_template("places/provinces.html", rows=services.provinces_with_counts(db.session))


@bp.get("/provinces/<code>")
@public
def province(code):
    """The communes of a province, searchable without diacritics."""
    province = _province(code)
    query = request.args.get("q", "")[:100]
    communes = services.search_communes(db.session, province, query)
    return render_template("places/province.html", province=province, communes=communes, q=query)


@bp.get("/communes/<code>")
@public
def commune(code):
    """A commune and its service points."""
    commune = services.get_by_code(db.session, Commune, code) or abort(404)
    return render_template("places/commune.html", commune=commune)
