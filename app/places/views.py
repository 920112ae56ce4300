"""Pages of provinces, communes and their service points."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import public, roles
from app.csvfile import csv_response
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.import_pages import ImportPage
from app.places import imports, services
from app.places.forms import ServicePointForm
from app.places.models import Commune, Province
from app.roles import Role
from app.scope import CoordinatorScope

bp = Blueprint("places", __name__)

navigation.register("places.provinces", _l("Places"), navigation.Group.REPORTS)
navigation.register(
    "places.import_service_points", _l("Import service points"), navigation.Group.STAFFING
)


def _province(code):
    return services.get_by_code(db.session, Province, code) or abort(404)


def _commune(code):
    return services.get_by_code(db.session, Commune, code) or abort(404)


@bp.get("/provinces")
@public
def provinces():
    """The 34 provinces and centrally-run cities."""
    return render_template(
        "app/places/provinces.html", rows=services.provinces_with_counts(db.session)
    )


@bp.get("/provinces/<code>")
@public
def province(code):
    """The communes of a province, searchable without diacritics."""
    province = _province(code)
    query = request.args.get("q", "")[:100]
    communes = services.search_communes(db.session, province, query)
    return render_template(
        "app/places/province.html", province=province, communes=communes, q=query
    )


@bp.get("/communes/<code>")
@public
def commune(code):
    """A commune and its service points."""
    commune = _commune(code)
    return render_template(
        "app/places/commune.html",
        commune=commune,
        may_edit=CoordinatorScope.of(current_user).covers_commune(commune),
    )


@bp.route("/communes/<code>/service-points/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new_service_point(code):
    """A coordinator adds a service point to a commune in their scope."""
    commune = _commune(code)
    if not CoordinatorScope.of(current_user).covers_commune(commune):
        abort(403)
    form = ServicePointForm()
    if form.validate_on_submit():
        services.save_service_point(db.session, commune, **form.service_point_fields())
        db.session.commit()
        flash(_("The service point is saved."))
        return redirect(url_for("places.commune", code=commune.code))
    return render_template(
        "app/places/service_point_form.html", form=form, commune=commune, point=None
    )


@bp.route("/service-points/<int:point_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit_service_point(point_id):
    """A coordinator edits a service point of a commune in their scope."""
    point = services.get_service_point(db.session, point_id) or abort(404)
    commune = point.commune
    if not CoordinatorScope.of(current_user).covers_commune(commune):
        abort(403)
    form = ServicePointForm(obj=point)
    if form.validate_on_submit():
        services.save_service_point(db.session, commune, point, **form.service_point_fields())
        db.session.commit()
        flash(_("The service point is saved."))
        return redirect(url_for("places.commune", code=commune.code))
    return render_template(
        "app/places/service_point_form.html", form=form, commune=commune, point=point
    )


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


service_point_import = ImportPage(
    kind="service-points",
    template="app/places/import.html",
    plan=lambda session, data, filename, province, scope, actor: imports.plan(
        session, data, filename, province, scope
    ),
    apply=imports.apply,
    endpoint="places.import_service_points",
    confirm_endpoint="places.confirm_service_points",
)


@bp.route("/imports/service-points", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def import_service_points():
    """Upload a spreadsheet of service points and see, row by row, what it would do."""
    return service_point_import.upload()


@bp.post("/imports/service-points/confirm")
@roles(Role.COORDINATOR)
def confirm_service_points():
    """Write the previewed service points, all or nothing."""
    return service_point_import.confirm()


@bp.get("/imports/service-points/template.csv")
@roles(Role.COORDINATOR)
def service_points_template():
    """The columns to fill, with one example row."""
    return csv_response(
        [c.name for c in imports.COLUMNS], [imports.EXAMPLE], "service-points-template.csv"
    )
