"""Coordinators' campaign pages: list, create, edit (reshaping the shifts), generate shifts."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)

from scheduling.campaigns import views  # noqa: E402,F401
