"""The procedure catalogue: its seed, its admin pages and the picker of the log screen."""

from flask import Blueprint

bp = Blueprint("procedures", __name__)

from app.assists.procedures import views  # noqa: E402,F401
