"""Campaigns as coordinators keep them: who may see and edit which, and reshaping the shifts.

Scope (app.scope.CoordinatorScope): a coordinator *sees* a campaign that includes one of the
communes they cover, but *edits* (and generates shifts of) only a campaign whose communes they
all cover, so no coordinator changes another commune's shifts. An admin covers every campaign; a
province coordinator every campaign of their province, since its communes are all of it.
"""

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from flask_babel import ngettext
from sqlalchemy import ColumnElement, Select, exists, func, inspect, or_, select, true
from sqlalchemy.orm import Session, object_session

from app.audit.services import record
from app.auth.models import User
from app.database import alphabetical, locked, utcnow
from app.errors import DomainError
from app.localtime import local_date, local_periods
from app.notifications.services import notify
from app.places.models import Commune, Province, ServicePoint
from app.scope import CoordinatorScope
from scheduling.booking.services import promote_waitlist
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
    campaign_communes,
)
from scheduling.services import HOLDING, generate_shifts

#: fields a coordinator may change, as the form gives them
FIELDS = (
    "name",
    "starts_on",
    "ends_on",
    "shift_pattern",
    "weekdays",
    "communes",
    "min_per_shift",
    "max_per_shift",
    "cancel_deadline_hours",
    "weekly_limit",
    "swaps_need_approval",
    "target_online",
    "target_fully_online",
    "target_result_electronic",
    "target_self_done",
)
#: changes that move, add or remove shifts
SHAPE_FIELDS = ("starts_on", "ends_on", "shift_pattern", "weekdays", "communes")


class CampaignError(DomainError):
    """A campaign change refused; `code` names the reason for the view."""

    code = "campaign"


class MaxBelowConfirmed(CampaignError):
    """Lowering the maximum below the confirmed count of an upcoming shift is refused."""

    code = "max_below_confirmed"

    def __init__(self, shifts: int, highest: int):
        super().__init__(None, shifts, highest)
        self.shifts = shifts
        self.highest = highest

    @property
    def message(self) -> str:
        return ngettext(
            "%(num)d upcoming shift already has %(highest)d confirmed volunteers: the "
            "maximum cannot be below that. Take people off the shift first.",
            "%(num)d upcoming shifts already have up to %(highest)d confirmed "
            "volunteers: the maximum cannot be below that. Take people off those "
            "shifts first.",
            self.shifts,
            highest=self.highest,
        )


# --- scope -------------------------------------------------------------------------------------


def provinces_in_scope(session: Session, scope: CoordinatorScope) -> list[Province]:
    """Provinces in which the user may make a campaign: whole, or for some of their communes."""
    with_communes = select(Commune.province_id).where(scope.communes_clause(Commune.id))
    stmt = select(Province).where(
        or_(scope.provinces_clause(Province.id), Province.id.in_(with_communes))
    )
    return list(session.scalars(stmt.order_by(alphabetical(Province.name))))


def communes_in_scope(
    session: Session, scope: CoordinatorScope, province: Province
) -> list[Commune]:
    """The province's communes the user may put in a campaign, by name."""
    stmt = select(Commune).where(
        Commune.province_id == province.id,
        scope.communes_clause(Commune.id, Commune.province_id),
    )
    return list(session.scalars(stmt.order_by(alphabetical(Commune.name))))


def in_scope(scope: CoordinatorScope) -> ColumnElement[bool]:
    """A condition on Campaign: at least one of its communes is in the scope."""
    if scope.everything:
        return true()
    return Campaign.id.in_(
        select(campaign_communes.c.campaign_id).where(
            scope.communes_clause(campaign_communes.c.commune_id)
        )
    )


def commune_ids(campaign: Campaign) -> frozenset[int]:
    """The ids of the campaign's communes: from its communes when loaded, else read alone (the
    relationship loads every commune, in Vietnamese order, to give 126 ids to the dashboard)."""
    session = object_session(campaign)
    if session is None or "communes" not in inspect(campaign).unloaded:
        return frozenset(c.id for c in campaign.communes)
    return frozenset(
        session.scalars(
            select(campaign_communes.c.commune_id).where(
                campaign_communes.c.campaign_id == campaign.id
            )
        )
    )


@functools.cache
def _campaigns_in_scope(scope_shape: str) -> Select:
    """campaigns_in_scope's statement, built once per scope shape (`in_scope`, the scope's ids
    bound at execution)."""
    where: ColumnElement[bool] = true()
    if scope_shape != "everything":
        covered = select(Commune.id).where(
            CoordinatorScope.bound_communes_clause(scope_shape, Commune.id, Commune.province_id)
        )
        where = Campaign.id.in_(
            select(campaign_communes.c.campaign_id).where(
                campaign_communes.c.commune_id.in_(covered)
            )
        )
    return select(Campaign).where(where).order_by(Campaign.starts_on.desc(), Campaign.id.desc())


def campaigns_in_scope(session: Session, scope: CoordinatorScope) -> list[Campaign]:
    """Campaigns with at least one commune in the scope, the latest first."""
    return list(session.scalars(_campaigns_in_scope(scope.shape), scope.bound_values()))


def can_view(scope: CoordinatorScope, campaign: Campaign) -> bool:
    """Whether the campaign shows to this scope: one of its communes is in it."""
    return scope.covers_any(campaign.communes)


def can_edit(scope: CoordinatorScope, campaign: Campaign) -> bool:
    """Whether every commune of the campaign is in this scope."""
    return scope.covers_all(campaign.communes)


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignCounts:
    active_shifts: int
    cancelled_shifts: int
    confirmed: int
    waitlisted: int


def counts(session: Session, campaign: Campaign) -> CampaignCounts:
    """The campaign's shifts and bookings, counted by the database."""
    shifts = dict(
        session.execute(
            select(Shift.status, func.count())
            .where(Shift.campaign_id == campaign.id)
            .group_by(Shift.status)
        ).all()
    )
    bookings = dict(
        session.execute(
            select(Booking.status, func.count())
            .join(Shift, Shift.id == Booking.shift_id)
            .where(Shift.campaign_id == campaign.id, Shift.status == ShiftStatus.ACTIVE)
            .group_by(Booking.status)
        ).all()
    )
    return CampaignCounts(
        active_shifts=shifts.get(ShiftStatus.ACTIVE, 0),
        cancelled_shifts=shifts.get(ShiftStatus.CANCELLED, 0),
        confirmed=bookings.get(BookingStatus.CONFIRMED, 0),
        waitlisted=bookings.get(BookingStatus.WAITLISTED, 0),
    )


# --- writing -----------------------------------------------------------------------------------


def create_campaign(session: Session, province: Province, **fields: Any) -> Campaign:
    """Make a campaign (no shifts yet: generate_shifts adds them)."""
    campaign = Campaign(province=province, **fields)
    session.add(campaign)
    session.flush()
    return campaign


@dataclass
class ReshapeSummary:
    """What an edit did to the shifts, shown to the coordinator."""

    #: whether the dates, pattern, weekdays or communes changed (so the shifts were looked at)
    reshaped: bool = False
    added: int = 0
    changed: int = 0
    cancelled: int = 0
    deleted: int = 0
    promoted: int = 0
    #: the people told (one per person however many of their shifts changed)
    told: set[int] = field(default_factory=set)


def reshape_campaign(
    session: Session,
    campaign: Campaign,
    changes: dict[str, Any],
    now: datetime | None = None,
    *,
    by: User | None = None,
) -> ReshapeSummary:
    """Change the campaign's settings and bring its shifts in line, without losing bookings.

    - Shifts that still fit the new dates, pattern, weekdays and communes are kept, with their
      bookings. Shifts that have started are history and are never touched.
    - An upcoming shift that no longer fits, at a service point and local day where the new
      pattern has a free slot, is *moved* to that slot (paired in order of start time): its
      bookings follow and their holders are told "shift_changed". (Their other bookings are
      not re-checked for overlap with the new times: the move stays within the same day and
      point, and the people told can cancel.)
    - Any other upcoming shift that no longer fits is deleted when it never had a booking, and
      otherwise cancelled (status cancelled, kept), its confirmed and waitlisted bookings
      cancelled, and their holders told "shift_cancelled".
    - A cancelled upcoming shift of this campaign that fits again is reopened (its bookings stay
      cancelled: those people were told); the missing shifts are generated.
    - min/max apply to every shift (they are the campaign's). Raising the maximum promotes each
      upcoming shift's waitlist (promote_waitlist, which tells the people promoted).
    - Lowering the maximum below the confirmed count of an upcoming shift is **refused**
      (MaxBelowConfirmed, nothing changed): nobody is evicted silently; the coordinator first
      takes people off those shifts on the shift's staffing page.

    What changed is kept in the audit log as done by ``by``.
    """
    now = now or utcnow()
    summary = ReshapeSummary()
    old_max = campaign.max_per_shift
    reshaping = any(
        key in changes and _differs(getattr(campaign, key), changes[key]) for key in SHAPE_FIELDS
    )
    new_max = changes.get("max_per_shift", old_max)
    if new_max < old_max:
        _refuse_if_over(session, campaign, new_max, now)

    changed = [k for k in FIELDS if k in changes and _differs(getattr(campaign, k), changes[k])]
    before = {k: _copied(getattr(campaign, k)) for k in changed}
    for key in FIELDS:
        if key in changes:
            setattr(campaign, key, changes[key])
    session.flush()
    if changed:
        record(
            session,
            by,
            "campaign.reshaped",
            target=campaign,
            before=before,
            after={k: getattr(campaign, k) for k in changed},
            province=campaign.province,
        )

    summary.reshaped = reshaping
    if reshaping:
        _reshape_shifts(session, campaign, now, summary)
        summary.added += generate_shifts(session, campaign).added
    if new_max > old_max:
        # only shifts with someone waiting can promote: one query, then a lock per such shift
        waiting = session.scalars(
            select(Shift.id)
            .where(
                Shift.campaign_id == campaign.id,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.starts_at > now,
                exists().where(
                    Booking.shift_id == Shift.id, Booking.status == BookingStatus.WAITLISTED
                ),
            )
            .order_by(Shift.starts_at, Shift.id)
        ).all()
        for shift_id in waiting:
            shift = locked(session, Shift, shift_id)
            session.refresh(shift)
            for booking in promote_waitlist(session, shift, now=now):
                summary.promoted += 1
                summary.told.add(booking.user_id)
    session.flush()
    return summary


def _copied(value: Any) -> Any:
    """A list setting as it is now, kept apart from the collection the edit replaces."""
    return list(value) if isinstance(value, list) else value


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, list) and current and isinstance(current[0], Commune):
        return {c.id for c in current} != {c.id for c in new}
    return current != new


def _refuse_if_over(session: Session, campaign: Campaign, new_max: int, now: datetime) -> None:
    confirmed = (
        select(Booking.shift_id, func.count().label("n"))
        .join(Shift, Shift.id == Booking.shift_id)
        .where(
            Shift.campaign_id == campaign.id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at > now,
            Booking.status == BookingStatus.CONFIRMED,
        )
        .group_by(Booking.shift_id)
        .subquery()
    )
    found = session.execute(
        select(func.count(), func.max(confirmed.c.n)).where(confirmed.c.n > new_max)
    ).one()
    shifts, highest = cast(tuple[int, int], found)  # the subquery's column is untyped
    if shifts:
        raise MaxBelowConfirmed(shifts, highest)


def _wanted_slots(session: Session, campaign: Campaign) -> set[tuple[int, datetime, datetime]]:
    """(service point, start, end) of every shift the campaign's settings call for."""
    points = session.scalars(
        select(ServicePoint.id)
        .join(campaign_communes, campaign_communes.c.commune_id == ServicePoint.commune_id)
        .where(campaign_communes.c.campaign_id == campaign.id, ServicePoint.active.is_(True))
    ).all()
    weekdays = set(campaign.weekdays)
    slots: set[tuple[int, datetime, datetime]] = set()
    day = campaign.starts_on
    while day <= campaign.ends_on:
        if day.weekday() in weekdays:
            for starts_at, ends_at in local_periods(day, campaign.shift_pattern):
                slots.update((point, starts_at, ends_at) for point in points)
        day += timedelta(days=1)
    return slots


def _reshape_shifts(
    session: Session, campaign: Campaign, now: datetime, summary: ReshapeSummary
) -> None:
    wanted = _wanted_slots(session, campaign)
    shifts = session.scalars(
        select(Shift)
        .where(Shift.campaign_id == campaign.id, Shift.starts_at > now)
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    # every (point, start, end) taken by any shift, whatever its campaign: the unique constraint
    points = {point for point, _, _ in wanted}
    taken = {
        tuple(row)
        for row in session.execute(
            select(Shift.service_point_id, Shift.starts_at, Shift.ends_at).where(
                Shift.service_point_id.in_(points), Shift.starts_at > now
            )
        )
    }
    kept = set()
    misfits = []
    for shift in shifts:
        key = (shift.service_point_id, shift.starts_at, shift.ends_at)
        if key in wanted:
            kept.add(key)
            if shift.status == ShiftStatus.CANCELLED:
                shift.status = ShiftStatus.ACTIVE
                summary.added += 1
        elif shift.status == ShiftStatus.ACTIVE:
            misfits.append(shift)

    # free slots (not yet held by any shift) by point and local day, in time order
    free: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
    for point, starts_at, ends_at in sorted(wanted - taken, key=lambda s: (s[0], s[1])):
        if starts_at > now:
            free.setdefault((point, local_date(starts_at)), []).append((starts_at, ends_at))

    for shift in misfits:
        holders = _holders(session, shift)
        slots = free.get((shift.service_point_id, local_date(shift.starts_at)))
        if holders and slots:
            starts_at, ends_at = slots.pop(0)
            old_start, old_end = shift.starts_at, shift.ends_at
            shift.starts_at, shift.ends_at = starts_at, ends_at
            session.flush()
            summary.changed += 1
            for booking in holders:
                notify(
                    session,
                    booking.user,
                    "shift_changed",
                    shift_id=shift.id,
                    old_starts_at=old_start.astimezone(UTC).isoformat(),
                    old_ends_at=old_end.astimezone(UTC).isoformat(),
                )
                summary.told.add(booking.user_id)
            continue
        if not _has_any_booking(session, shift):
            session.delete(shift)
            summary.deleted += 1
            continue
        shift.status = ShiftStatus.CANCELLED
        for booking in holders:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
        session.flush()
        summary.cancelled += 1
        for booking in holders:
            notify(session, booking.user, "shift_cancelled", shift_id=shift.id)
            summary.told.add(booking.user_id)
    session.flush()


def _holders(session: Session, shift: Shift) -> list[Booking]:
    """The shift's confirmed and waitlisted bookings, its row locked against new bookings."""
    locked(session, Shift, shift.id)
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.shift_id == shift.id, Booking.status.in_(HOLDING))
            .order_by(Booking.created_at, Booking.id)
        )
    )


def _has_any_booking(session: Session, shift: Shift) -> bool:
    first = session.scalar(select(Booking.id).where(Booking.shift_id == shift.id).limit(1))
    return first is not None
