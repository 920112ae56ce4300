"""Learners: residents who join with a name and commune, officers, the personal resume code."""

from flask import Blueprint

bp = Blueprint("learners", __name__)

from courses.learners import cli, views  # noqa: E402,F401
