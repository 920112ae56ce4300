"""The campaign's impact: assisted submissions against the city's targets, for coordinators and
for the public."""

from flask import Blueprint

bp = Blueprint("impact", __name__)

from app.impact import api, views  # noqa: E402, F401
