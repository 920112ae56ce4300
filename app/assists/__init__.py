"""The assisted-submission log and the procedure catalogue: dossiers volunteers helped with."""

from flask import Blueprint

bp = Blueprint("assists", __name__)

from app.assists import views  # noqa: E402,F401
