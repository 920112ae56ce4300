"""Checking an entry: the one place that decides what the assisted-submission log accepts.

The log screen, its offline queue and the API all pass their entries through check_entry, so the
three accept and refuse exactly the same things.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.localtime import DayOutOfRange, check_moment
from app.places.models import ServicePoint
from app.security import has_nul
from impact.assists.models import (
    AgeBand,
    Channel,
    Level,
    Outcome,
    Procedure,
    Reason,
    ResultElectronic,
)
from impact.cards import services as cards

#: phones' clocks drift: a time this far ahead of the server's is still accepted
CLOCK_SKEW = timedelta(minutes=10)

CHOICES = {
    "channel": Channel,
    "level": Level,
    "outcome": Outcome,
    "result_electronic": ResultElectronic,
    "age_band": AgeBand,
}
FLAGS = ("vulnerable", "at_home", "self_service", "offline")


class AssistError(DomainError, ValueError):
    """An assist operation was refused; ``code`` names why."""

    sentences = {
        "id_taken": _l("Another entry already has this id: make a new one."),
        "undo_expired": _l("It is too late to undo this entry: ask your coordinator."),
    }
    #: on the log screen the form made the id: trying again makes a new one
    page_sentences = {"id_taken": _l("This entry could not be saved: please try again.")}


class InvalidEntry(AssistError):
    """The entry has errors: ``fields`` maps each wrong field to an error code."""

    code = "invalid"
    status = 422
    sentence = _l("Some fields of the entry are not valid.")

    def __init__(self, fields: dict[str, str]):
        super().__init__("invalid")
        self.fields = fields


@dataclass(frozen=True)
class Entry:
    """A checked entry, ready to store."""

    id: uuid.UUID
    service_point: ServicePoint
    procedure: Procedure
    channel: Channel
    level: Level
    outcome: Outcome
    reason: Reason | None
    result_electronic: ResultElectronic
    age_band: AgeBand
    vulnerable: bool
    at_home: bool
    self_service: bool
    offline: bool
    occurred_at: datetime
    #: the resident whose card was given, if one was (impact.cards): never the card's code
    resident_id: int | None = None


def parse_id(value) -> uuid.UUID | None:
    """The entry's client-made UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _parse_time(value, now, errors):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            errors["occurred_at"] = "not_time"
            return None
    else:
        errors["occurred_at"] = "required"
        return None
    if moment.tzinfo is None:
        errors["occurred_at"] = "naive_time"
        return None
    try:
        moment = check_moment(moment)
    except DayOutOfRange:
        errors["occurred_at"] = "out_of_range"
        return None
    if moment > now + CLOCK_SKEW:
        errors["occurred_at"] = "future"
        return None
    return moment


def _parse_flag(value, name, errors) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "y", "yes", "on", "1", "false", "0"):
        return value.lower() not in ("false", "0")
    errors[name] = "not_boolean"
    return False


def _lookup(session, model, column, value):
    # PostgreSQL cannot even compare text holding a NUL: no code has one
    if value is None or value == "" or has_nul(value):
        return None
    try:
        return session.scalar(select(model).where(column == value))
    except (ValueError, TypeError):
        return None


def check_entry(session, data: dict, *, now: datetime | None = None) -> Entry:
    """Turn a submitted entry into an Entry, or raise InvalidEntry naming every wrong field.

    ``data`` uses the API's names (service_point is an id, procedure a code). A reason is
    required when the dossier was not submitted and refused when it was; paper at the counter
    goes with the paper level and nothing else.
    """
    now = now or utcnow()
    errors: dict[str, str] = {}
    entry_id = parse_id(data.get("id"))
    if entry_id is None:
        errors["id"] = "required" if not data.get("id") else "not_uuid"

    point = None
    raw_point = data.get("service_point")
    if raw_point in (None, ""):
        errors["service_point"] = "required"
    else:
        try:
            point_id = int(raw_point)
        except (TypeError, ValueError):
            point_id = None
        # an id beyond the database's integers cannot exist (and would fail in the driver)
        if isinstance(raw_point, bool) or point_id is None or not 1 <= point_id <= 2**31 - 1:
            errors["service_point"] = "not_found"
        else:
            point = session.get(ServicePoint, point_id)
            if point is None:
                errors["service_point"] = "not_found"

    procedure = None
    raw_procedure = data.get("procedure")
    if raw_procedure in (None, ""):
        errors["procedure"] = "required"
    elif not isinstance(raw_procedure, str):
        errors["procedure"] = "not_found"
    else:
        # a procedure deactivated while an entry waited offline is still accepted
        procedure = _lookup(session, Procedure, Procedure.code, raw_procedure.strip())
        if procedure is None:
            errors["procedure"] = "not_found"

    choices = {}
    for name, enum_class in CHOICES.items():
        value = data.get(name)
        if value in (None, ""):
            errors[name] = "required"
            continue
        try:
            choices[name] = enum_class(value)
        except ValueError:
            errors[name] = "not_a_choice"

    reason = None
    raw_reason = data.get("reason")
    outcome = choices.get("outcome")
    if raw_reason not in (None, ""):
        try:
            reason = Reason(raw_reason)
        except ValueError:
            errors["reason"] = "not_a_choice"
    if outcome == Outcome.NOT_SUBMITTED and reason is None and "reason" not in errors:
        errors["reason"] = "reason_required"
    if outcome == Outcome.SUBMITTED and raw_reason not in (None, ""):
        errors["reason"] = "reason_not_allowed"

    channel, level = choices.get("channel"), choices.get("level")
    if (
        channel is not None
        and level is not None
        and ((channel == Channel.PAPER) != (level == Level.PAPER))
    ):
        errors["level"] = "paper_mismatch"

    flags = {name: _parse_flag(data.get(name), name, errors) for name in FLAGS}
    occurred_at = _parse_time(data.get("occurred_at"), now, errors)
    resident_id = None
    try:
        resident_id = cards.resident_id_for(session, data.get("resident_card"))
    except cards.CardError as refusal:
        errors["resident_card"] = refusal.code

    if errors:
        raise InvalidEntry(errors)
    return Entry(
        id=entry_id,
        service_point=point,
        procedure=procedure,
        reason=reason if outcome == Outcome.NOT_SUBMITTED else None,
        occurred_at=occurred_at,
        resident_id=resident_id,
        **choices,
        **flags,
    )
