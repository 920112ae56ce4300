"""The notifications page and the header's unread count."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import signed_in
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications import services

bp = Blueprint("notifications", __name__)


def _unread_badge():
    return services.unread_count(db.session, current_user.id)


navigation.register(
    "notifications.index", _l("Notifications"), navigation.Group.ACCOUNT, badge=_unread_badge
)


@bp.get("/notifications")
@signed_in
def index():
    """The signed-in person's notices, newest first, the unread ones marked."""
    notices = services.notices_of(db.session, current_user.id)
    return render_template(
        "app/notifications/index.html",
        shown=services.render(db.session, notices),
        unread=sum(1 for n in notices if n.unread),
    )


@bp.post("/notifications/read")
@signed_in
def mark_all_read():
    """Mark every notice read."""
    services.mark_all_read(db.session, current_user.id)
    db.session.commit()
    flash(_("All notifications are marked read."))
    return redirect(url_for("notifications.index"))
