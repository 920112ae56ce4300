"""Learning reports for coordinators and trainers, and assisted learning sessions."""

from flask import Blueprint

bp = Blueprint("course_reports", __name__)

from courses.reports import views  # noqa: E402, F401
