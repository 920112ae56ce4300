"""Admin pages of the procedure catalogue: list, add, edit, deactivate."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import navigation
from app.access import roles
from app.extensions import db
from app.i18n import language
from app.i18n import lazy_gettext as _l
from app.roles import Role
from impact.assists.models import Procedure
from impact.procedures import services
from impact.procedures.forms import ProcedureForm

bp = Blueprint("procedures", __name__)

navigation.register("procedures.index", _l("Procedures"), navigation.Group.REPORTS)


@bp.get("/procedures")
@roles(Role.ADMIN)
def index():
    """Every procedure of the catalogue, active or not, searchable without diacritics."""
    query = request.args.get("q", "")[:100]
    locale = language()
    rows = (
        services.search_procedures(db.session, query, locale=locale, active_only=False)
        if query
        else services.procedures(db.session, active_only=False, locale=locale)
    )
    return render_template("impact/procedures/procedures.html", rows=rows, q=query, locale=locale)


def _save(form, procedure=None):
    try:
        saved = services.save_procedure(
            db.session,
            procedure,
            code=form.code.data,
            name_vi=form.name_vi.data,
            name_en=form.name_en.data,
            active=bool(form.active.data),
        )
    except services.CatalogueError as refusal:
        db.session.rollback()
        form.code.errors = [*form.code.errors, refusal.page_message]
        return None
    db.session.commit()
    flash(_("The procedure is saved: %(name)s.", name=saved.name_vi))
    return redirect(url_for("procedures.index"))


@bp.route("/procedures/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new():
    """Add a procedure to the catalogue."""
    form = ProcedureForm()
    if form.validate_on_submit() and (done := _save(form)) is not None:
        return done
    status = 400 if form.is_submitted() else 200
    return render_template(
        "impact/procedures/procedure_form.html", form=form, procedure=None
    ), status


@bp.route("/procedures/<int:procedure_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(procedure_id):
    """Rename a procedure, or take it off the log screen (entries already logged keep it)."""
    procedure = db.session.get(Procedure, procedure_id) or abort(404)
    form = ProcedureForm(obj=procedure)
    if form.validate_on_submit() and (done := _save(form, procedure)) is not None:
        return done
    status = 400 if form.is_submitted() else 200
    return (
        render_template("impact/procedures/procedure_form.html", form=form, procedure=procedure),
        status,
    )
