"""Scheduling: campaigns, shifts, bookings, waitlists, teams and attendance."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from scheduling import views  # noqa: E402,F401
