"""Notifications: in-app notices with a copy by mail, in each reader's own language."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import views  # noqa: E402,F401
