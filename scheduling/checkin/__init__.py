"""Attendance: QR check-in and check-out at service points, every scan logged (as pretix does)."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)

from scheduling.checkin import views  # noqa: E402,F401
