"""Learning: lesson progress, quiz attempts and answers, certificates (issue 4)."""

from flask import Blueprint

bp = Blueprint("learning", __name__)

from courses.learning import views  # noqa: E402,F401
