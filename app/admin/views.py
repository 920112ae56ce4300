"""Admin pages: who holds which role, and where; whether notices reach people."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import roles
from app.admin.forms import ROLE_LABELS, GrantForm, RevokeForm, UserSearchForm
from app.auth import services
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications import services as notifications
from app.notifications.models import DeliveryState
from app.places import services as places
from app.places.forms import resolve_commune
from app.places.models import Province
from app.roles import Role
from app.security import no_store

#: coordinators listed on the admin's home; the roles page finds the others
HOME_SHOWN = 20

bp = Blueprint("admin", __name__)


def _user(user_id):
    return db.session.get(User, user_id) or abort(404)


@bp.get("/roles", endpoint="roles")
@roles(Role.ADMIN)
def roles_page():
    """Find a user by name or email to see and change their roles."""
    form = UserSearchForm(request.args)
    query = form.q.data if form.validate() else ""
    users = services.users_matching(db.session, query or "")
    return render_template("app/admin/roles.html", form=form, users=users, role_labels=ROLE_LABELS)


def _scope(form):
    """The province or commune a grant form names, as keyword arguments, or None on an error."""
    role = Role(form.role.data)
    province_code = form.province.data or ""
    commune_name = (form.commune.data or "").strip()
    if role != Role.COORDINATOR:
        if province_code or commune_name:
            form.role.errors.append(_("Only a coordinator is given a province or a commune."))
            return None
        return {}
    province = places.get_by_code(db.session, Province, province_code)
    if province is None:
        form.province.errors.append(_("Choose the province a coordinator works in."))
        return None
    if not commune_name:
        return {"province": province}
    commune = resolve_commune(db.session, province, form.commune)
    return None if commune is None else {"commune": commune}


@bp.route("/roles/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_roles(user_id):
    """A user's grants, with a form to grant one more."""
    user = _user(user_id)
    form = GrantForm()
    form.province.choices = [("", "—")] + places.province_choices(db.session)
    status = 200
    if form.is_submitted():
        scope = _scope(form) if form.validate() else None
        if scope is not None:
            grant = services.grant_role(
                db.session, user, Role(form.role.data), by=current_user, **scope
            )
            db.session.commit()
            label = ROLE_LABELS[grant.role]
            if grant.scope is not None:
                flash(
                    _(
                        "%(name)s now holds the role %(role)s in %(scope)s.",
                        name=user.full_name,
                        role=label,
                        scope=grant.scope.name,
                    )
                )
            else:
                flash(_("%(name)s now holds the role %(role)s.", name=user.full_name, role=label))
            return redirect(url_for("admin.user_roles", user_id=user.id))
        status = 400
    return (
        render_template(
            "app/admin/user_roles.html",
            user=user,
            form=form,
            role_labels=ROLE_LABELS,
        ),
        status,
    )


@bp.post("/roles/<int:user_id>/grants/<int:grant_id>/remove")
@roles(Role.ADMIN)
def remove_grant(user_id, grant_id):
    """Take one role back from a user."""
    user = _user(user_id)
    grant = services.get_grant(db.session, user, grant_id) or abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    label = ROLE_LABELS[grant.role]
    try:
        services.revoke_grant(db.session, grant, by=current_user)
    except services.AccountError as error:
        db.session.rollback()
        flash(error.page_message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s no longer holds the role %(role)s.", name=user.full_name, role=label))
    return redirect(url_for("admin.user_roles", user_id=user.id))


@bp.get("/deliveries", endpoint="deliveries")
@roles(Role.ADMIN)
@no_store
def deliveries_page():
    """Deliveries of the last 24 hours by channel and state, and the latest errors."""
    counts = notifications.delivery_counts(db.session, utcnow() - timedelta(hours=24))
    channels = sorted({channel for channel, _state in counts})
    return render_template(
        "app/admin/deliveries.html",
        counts=counts,
        channels=channels,
        states=DeliveryState.ALL,
        errors=notifications.recent_errors(db.session),
    )


navigation.register("admin.roles", _l("Roles"), navigation.Group.STAFFING)
navigation.register("admin.deliveries", _l("Deliveries"), navigation.Group.REPORTS)


def admin_home_block(session, user, roles) -> str | None:
    """The admin's block on the home page: the coordinators, and accounts waiting for a role."""
    if Role.ADMIN not in roles:
        return None
    return render_template(
        "app/admin/home.html",
        grants=services.coordinator_grants(session),
        waiting=services.users_without_role(session),
        shown=HOME_SHOWN,
    )
