"""A person's notice settings, their browser's push subscription, SMS short links, the push
service worker."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.access import public, signed_in
from app.extensions import db
from app.notifications import preferences
from app.notifications.channels import push, sms
from app.notifications.channels.forms import (
    notice_settings,
    offered_channels,
    preferences_form,
)
from app.security import has_nul

bp = Blueprint("channels", __name__)


@bp.post("/profile/notices")
@signed_in
def save_preferences():
    """Keep which channels carry which topics, and the quiet hours."""
    form = preferences_form(db.session, current_user, formdata=request.form)
    if form.validate_on_submit():
        try:
            preferences.save_preferences(
                db.session,
                current_user,
                {topic: form[topic].data or [] for topic in preferences.TOPICS},
                offered_channels(current_user),
                form.quiet.data,
                form.quiet_from.data,
                form.quiet_until.data,
            )
        except preferences.PreferenceError as error:
            form.quiet_until.errors = [*form.quiet_until.errors, error.page_message]
        else:
            db.session.commit()
            flash(_("Your notice settings are saved."))
            return redirect(url_for("auth.profile", _anchor="notices"))
    return render_template(
        "app/notifications/preferences.html",
        **notice_settings(db.session, current_user, form),
    ), 400


def _subscription_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("endpoint"), str):
        abort(400)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    fields = (data["endpoint"], keys.get("p256dh"), keys.get("auth"))
    if has_nul(*fields):
        abort(400)
    return fields


@bp.post("/notifications/push")
@signed_in
def subscribe_push():
    """Keep the subscription this browser made (JSON, from static/js/push.js)."""
    endpoint, p256dh, auth = _subscription_json()
    if not all(isinstance(value, str) for value in (p256dh, auth)):
        return jsonify(error="subscription_invalid", message=_("Invalid input.")), 400
    try:
        push.subscribe(db.session, current_user, endpoint, p256dh, auth)
    except push.PushError as error:
        return jsonify(error=error.code, message=error.message), error.status
    db.session.commit()
    return jsonify(subscribed=True), 201


@bp.delete("/notifications/push")
@signed_in
def unsubscribe_push():
    """Forget this browser's subscription: no more push to it."""
    endpoint, _keys, _auth = _subscription_json()
    push.unsubscribe(db.session, current_user, endpoint)
    db.session.commit()
    return jsonify(subscribed=False)


@bp.get("/n/<code>")
@public
def short_link(code):
    """Where the short link of an SMS leads: a page of this site (which asks for sign-in)."""
    path = sms.path_of(db.session, code) if len(code) <= 16 else None
    if path is None:
        abort(404)
    return redirect(path)


@bp.get("/sw.js")
@public
def service_worker():
    """The push service worker, at the root so its scope is the whole site (push only: it
    answers no fetch, so it never stands between a page and the network)."""
    response = send_from_directory(
        current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
