"""Courses: lessons, quizzes, attempts, progress and certificates."""

from flask import Blueprint

bp = Blueprint("courses", __name__)

from courses import views  # noqa: E402,F401
