"""Home support: residents who cannot come are visited at home by two volunteers."""

from flask import Blueprint

bp = Blueprint("home_support", __name__)

from app.home_support import views  # noqa: E402,F401
