"""Coverage: the coordinators' board and rosters, and the volunteers' calendar feeds."""

from flask import Blueprint

bp = Blueprint("coverage", __name__)

from scheduling.coverage import views  # noqa: E402,F401
