"""The home page, the language and text-size switches and the health check."""

from datetime import timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.access import public
from app.database import utcnow
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, forget_preference, remember_preference
from app.notifications import services as notifications
from app.parts import home_blocks
from app.urls import absolute_url, safe_next

bp = Blueprint("main", __name__)

#: the large-text switch, read by base.html before any account is known
TEXT_SIZE_COOKIE = "text_size"


@bp.get("/")
@public
def home():
    """For a visitor, what the site is for; for a signed-in person, their today: one block per
    role they hold, each worded by the part that owns its data."""
    if not current_user.is_authenticated:
        return render_template("app/main/home.html")
    roles = current_user.roles
    blocks = [
        Markup(html) for block in home_blocks() if (html := block(db.session, current_user, roles))
    ]
    return render_template(
        "app/main/today.html",
        blocks=blocks,
        unread=notifications.unread_count(db.session, current_user.id),
    )


@bp.post("/language")
@public
def switch_language():
    """Remember the chosen language in a cookie and, when signed in, in the profile."""
    language = request.form.get("language", "")
    response = redirect(safe_next(request.form.get("next")))
    if language not in current_app.config["LANGUAGES"]:
        return response
    remember_preference(response, LANGUAGE_COOKIE, language)
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    return response


@bp.get("/healthz")
@public
def health():
    """A trivial answer: the ceiling of this stack, for benchmarks and load balancers."""
    return {"status": "ok"}


@bp.get("/.well-known/security.txt")
@public
def security_txt():
    """Where to report a vulnerability (RFC 9116), from SECURITY_CONTACT and SITE_URL."""
    config = current_app.config
    expires = (utcnow() + timedelta(days=365)).replace(microsecond=0)
    body = "\n".join(
        [
            f"Contact: {config['SECURITY_CONTACT']}",
            f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            "Preferred-Languages: vi, en",
            f"Canonical: {absolute_url('main.security_txt')}",
            "",
        ]
    )
    return Response(body, mimetype="text/plain")


@bp.post("/text-size")
@public
def text_size():
    """The large-text switch: remembered in a cookie on this device (no account needed)."""
    size = request.form.get("size", "")
    response = redirect(safe_next(request.form.get("next")))
    if size == "large":
        remember_preference(response, TEXT_SIZE_COOKIE, "large")
    elif size == "normal":
        forget_preference(response, TEXT_SIZE_COOKIE)
    return response
