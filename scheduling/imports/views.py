"""The volunteers' import page: upload, preview, confirm; and its template file."""

from flask import Blueprint

from app import navigation
from app.access import roles
from app.csvfile import csv_response
from app.i18n import lazy_gettext as _l
from app.import_pages import ImportPage
from app.roles import Role
from scheduling.imports import services

bp = Blueprint("volunteer_imports", __name__)

navigation.register("volunteer_imports.upload", _l("Import volunteers"), navigation.Group.STAFFING)

page = ImportPage(
    kind="volunteers",
    template="scheduling/imports/volunteers.html",
    plan=services.plan,
    apply=services.apply,
    endpoint="volunteer_imports.upload",
    confirm_endpoint="volunteer_imports.confirm",
)


@bp.route("/imports/volunteers", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def upload():
    """Upload a spreadsheet of volunteers and see, row by row, what it would do."""
    return page.upload()


@bp.post("/imports/volunteers/confirm")
@roles(Role.COORDINATOR)
def confirm():
    """Make the previewed accounts and team memberships, all or nothing."""
    return page.confirm()


@bp.get("/imports/volunteers/template.csv")
@roles(Role.COORDINATOR)
def template():
    """The columns to fill, with one example row."""
    return csv_response(
        [c.name for c in services.COLUMNS], [services.EXAMPLE], "volunteers-template.csv"
    )
