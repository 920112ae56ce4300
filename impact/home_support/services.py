"""Home support: ask for a visit, assign two volunteers, close the visit and erase the address;
erase it anyway once the visit is long past (retention)."""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.models import RoleGrant, User
from app.database import alphabetical, erased_personal_data, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.localtime import local_day_bounds, local_today
from app.places.models import Commune, ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from impact.assists.models import AssistedSubmission
from impact.home_support.models import (
    HomeSupportAssignment,
    HomeSupportRequest,
    RequestStatus,
    TimeWindow,
)
from scheduling.models import Booking, BookingStatus, Shift

#: volunteers who go to a resident's home go in pairs
VOLUNTEERS_PER_VISIT = 2


class HomeSupportError(DomainError, ValueError):
    """A home-support operation was refused; ``code`` names why."""

    sentences = {
        "closed": _l("This request is closed."),
        "two_volunteers": _l("Choose two different volunteers."),
        "not_a_volunteer": _l("Only active volunteers can be sent."),
    }


def create_request(
    session: Session,
    *,
    commune: Commune,
    address: str,
    need: str,
    preferred_on: date,
    time_window: TimeWindow,
    requested_by: User | None = None,
) -> HomeSupportRequest:
    """Record a request for a visit at home, from an officer (signed in) or the resident."""
    found = HomeSupportRequest(
        commune=commune,
        address=address.strip(),
        need=need.strip(),
        preferred_on=preferred_on,
        time_window=TimeWindow(time_window),
        requested_by_id=requested_by.id if requested_by is not None else None,
    )
    session.add(found)
    session.flush()
    return found


def is_assigned(found: HomeSupportRequest, user: User) -> bool:
    return any(a.volunteer_id == user.id for a in found.assignments)


def may_see(found: HomeSupportRequest, user: User) -> bool:
    """The commune's coordinators (and admins) and the assigned volunteers: no one else."""
    return CoordinatorScope.of(user).covers_commune(found.commune) or is_assigned(found, user)


def may_log_visit(found: HomeSupportRequest, user: User) -> bool:
    return found.status != RequestStatus.CLOSED and may_see(found, user)


def request_for(session: Session, user: User, request_id: int) -> HomeSupportRequest | None:
    """The request if the user may see it; None otherwise, as for a request that does not exist."""
    found = session.get(HomeSupportRequest, request_id)
    return found if found is not None and may_see(found, user) else None


def requests_for(
    session: Session, user: User, *, include_closed: bool = False, limit: int = 200
) -> list[HomeSupportRequest]:
    """The requests of the communes the user coordinates and those they are assigned to."""
    assigned = select(HomeSupportAssignment.request_id).where(
        HomeSupportAssignment.volunteer_id == user.id
    )
    condition = or_(
        HomeSupportRequest.id.in_(assigned),
        CoordinatorScope.of(user).communes_clause(HomeSupportRequest.commune_id),
    )
    stmt = select(HomeSupportRequest).where(condition)
    if not include_closed:
        stmt = stmt.where(HomeSupportRequest.status != RequestStatus.CLOSED)
    stmt = stmt.order_by(HomeSupportRequest.preferred_on, HomeSupportRequest.id).limit(limit)
    return list(session.scalars(stmt))


def eligible_volunteers(session: Session, commune: Commune, limit: int = 200) -> list[User]:
    """Volunteers living in the commune or holding a shift at one of its service points."""
    booked = (
        select(Booking.user_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        .where(ServicePoint.commune_id == commune.id, Booking.status == BookingStatus.CONFIRMED)
    )
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.VOLUNTEER,
            User.active.is_(True),
            or_(User.home_commune_id == commune.id, User.id.in_(booked)),
        )
        .order_by(alphabetical(User.full_name), User.id)
        .limit(limit)
    )
    return list(session.scalars(stmt).unique())


def assign(
    session: Session, found: HomeSupportRequest, volunteers: list[User], *, by: User
) -> HomeSupportRequest:
    """Send two different volunteers; assigning again replaces the pair."""
    if found.status == RequestStatus.CLOSED:
        raise HomeSupportError("closed")
    if len({v.id for v in volunteers}) != VOLUNTEERS_PER_VISIT:
        raise HomeSupportError("two_volunteers")
    if not all(v.has_role(Role.VOLUNTEER) and v.is_active for v in volunteers):
        raise HomeSupportError("not_a_volunteer")
    keep = {v.id for v in volunteers}
    for assignment in list(found.assignments):
        if assignment.volunteer_id not in keep:
            found.assignments.remove(assignment)
    present = {a.volunteer_id for a in found.assignments}
    for volunteer in volunteers:
        if volunteer.id not in present:
            found.assignments.append(
                HomeSupportAssignment(volunteer_id=volunteer.id, assigned_by_id=by.id)
            )
    found.status = RequestStatus.ASSIGNED
    session.flush()
    for volunteer in volunteers:
        if volunteer.id not in present:
            # the request's number only: the resident's address and need stay out of the log
            record(
                session,
                by,
                "home_support.assigned",
                volunteer,
                found,
                after={"request": found.id},
                commune=found.commune,
            )
    return found


def close_request(
    session: Session, found: HomeSupportRequest, now: datetime | None = None
) -> HomeSupportRequest:
    """Close the visit and erase what the resident told us: the address and the need (the one
    place they are erased; once the transaction commits they leave the database's files too)."""
    if found.status == RequestStatus.CLOSED:
        return found
    found.status = RequestStatus.CLOSED
    found.closed_at = now or utcnow()
    found.address = None
    found.need = None
    erased_personal_data(session)
    session.flush()
    return found


def erase_expired_addresses(session: Session, now: datetime) -> int:
    """Close, and so erase, every request whose visit is `HOME_SUPPORT_RETENTION_DAYS` (30) local
    days past, though nobody closed it; returns how many.

    A request's last day is the latest of its planned day (`preferred_on`), the day it was made
    and the day of its last visit logged (an undone entry does not count). A request never visited
    is thus erased N days after its planned day (or after it was made, for a request made later
    than the day it names): a visit that did not happen in a month is not coming, and the
    resident asks again. A visit logged later keeps the address N days from that visit.
    """
    days = int(current_app.config["HOME_SUPPORT_RETENTION_DAYS"])
    last_day = local_today(now) - timedelta(days=days)
    visited_since = exists().where(
        AssistedSubmission.home_request_id == HomeSupportRequest.id,
        AssistedSubmission.voided_at.is_(None),
        AssistedSubmission.occurred_on > last_day,
    )
    expired = session.scalars(
        select(HomeSupportRequest).where(
            HomeSupportRequest.status != RequestStatus.CLOSED,
            HomeSupportRequest.preferred_on <= last_day,
            HomeSupportRequest.created_at < local_day_bounds(last_day)[1],
            ~visited_since,
        )
    ).all()
    for found in expired:
        close_request(session, found, now)
    return len(expired)


def visits_of(session: Session, found: HomeSupportRequest) -> list[AssistedSubmission]:
    """The assists logged for this request's visit."""
    stmt = select(AssistedSubmission).where(AssistedSubmission.home_request_id == found.id)
    return list(session.scalars(stmt.order_by(AssistedSubmission.occurred_at)))


def open_requests_in_scope(session: Session, user: User) -> list[HomeSupportRequest]:
    """Requests not yet closed in the communes the user coordinates, the earliest wished first."""
    stmt = (
        select(HomeSupportRequest)
        .where(
            HomeSupportRequest.status != RequestStatus.CLOSED,
            CoordinatorScope.of(user).communes_clause(HomeSupportRequest.commune_id),
        )
        .order_by(HomeSupportRequest.preferred_on, HomeSupportRequest.id)
    )
    return list(session.scalars(stmt))
