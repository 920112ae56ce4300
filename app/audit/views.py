"""The audit log's page: admins read every entry, coordinators those of their scope."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.audit import services
from app.audit.forms import AuditFilterForm
from app.auth.services import find_by_email
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store

bp = Blueprint("audit", __name__)

navigation.register("audit.index", _l("Audit log"), navigation.Group.REPORTS)


def _person_id(field) -> int | None:
    """The id of the account a filter's email names; an unknown email is the form's error."""
    if not field.data:
        return None
    person = find_by_email(db.session, field.data)
    if person is None:
        field.errors = [*field.errors, _("No account uses this email.")]
        return None
    return person.id


@bp.get("/admin/audit", endpoint="index")
@roles(Role.ADMIN, Role.COORDINATOR)
@no_store
def index():
    """The newest entries the reader may see, narrowed by the filters."""
    form = AuditFilterForm(request.args)
    found: list = []
    status = 200
    if form.validate():
        filters = services.Filters(
            actor_id=_person_id(form.actor),
            subject_user_id=_person_id(form.person),
            action=form.action.data or None,
            since=form.since.data,
            until=form.until.data,
        )
        if form.actor.errors or form.person.errors:
            status = 400
        else:
            found = list(services.entries(db.session, CoordinatorScope.of(current_user), filters))
    else:
        status = 400
    return (
        render_template(
            "app/audit/index.html",
            form=form,
            entries=found,
            names=services.names_of(db.session, found),
            actions=services.ACTIONS,
        ),
        status,
    )
