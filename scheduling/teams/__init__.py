"""Teams (đội hình) of volunteers, placing them on shifts, and staffing one shift."""

from flask import Blueprint

bp = Blueprint("teams", __name__)

from scheduling.teams import views  # noqa: E402,F401
