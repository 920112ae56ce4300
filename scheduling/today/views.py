"""Scheduling's blocks on the home page (registered with app.parts.add_home_block)."""

from flask import render_template
from sqlalchemy.orm import Session

from app.auth.models import User
from app.roles import Role
from scheduling.models import BookingStatus
from scheduling.today import services
from scheduling.views import when


def volunteer_block(session: Session, user: User, roles: set[Role]) -> str | None:
    """The volunteer's next shift, with its check-in and its cancel deadline, and what waits."""
    if Role.VOLUNTEER not in roles:
        return None
    return render_template(
        "scheduling/today/volunteer.html",
        today=services.volunteer_today(session, user),
        when=when,
        BookingStatus=BookingStatus,
    )


def coordinator_block(session: Session, user: User, roles: set[Role]) -> str | None:
    """The coordinator's shifts to staff within 72 hours and today's arrivals, in their scope."""
    if Role.COORDINATOR not in roles:
        return None
    return render_template(
        "scheduling/today/coordinator.html",
        today=services.coordinator_today(session, user),
        shown=services.SHOWN,
    )
