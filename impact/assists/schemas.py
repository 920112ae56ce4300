"""The assist part's API shapes: an entry as sent, an entry and a procedure as answered.

An entry is checked by impact.assists.entries.check_entry, the one judge shared with the log
screen and its offline queue (whose errors name fields with codes, some of which need the
database): AssistEntry describes what it accepts and hands the JSON object on unchanged.
"""

import uuid
from datetime import date, datetime

from flask_babel import gettext as _
from pydantic import ConfigDict, Field

from app.api.schemas import (
    IN_RANGE_YEAR,
    MAX_ID,
    BadRequestInput,
    CommuneRef,
    LocalMoment,
    MaybeLocalMoment,
    ServicePointRef,
    Shape,
)
from impact.assists.models import AgeBand, Channel, Level, Outcome, Reason, ResultElectronic
from impact.cards.schemas import CARD_PATTERN

_RULES = [
    {  # a reason exactly when the dossier was not submitted
        "if": {"properties": {"outcome": {"const": Outcome.SUBMITTED.value}}},
        "then": {"properties": {"reason": {"type": "null"}}},
        "else": {"required": ["reason"], "properties": {"reason": {"type": "string"}}},
    },
    {  # paper at the counter goes with the paper level and nothing else
        "if": {"properties": {"channel": {"const": Channel.PAPER.value}}},
        "then": {"properties": {"level": {"const": Level.PAPER.value}}},
        "else": {"properties": {"level": {"enum": [v.value for v in Level if v != Level.PAPER]}}},
    },
]


class AssistEntry(BadRequestInput):
    """One dossier a volunteer helped with. No name, ID number, phone or address of the
    resident: there is no field for them."""

    model_config = ConfigDict(json_schema_extra={"allOf": _RULES})

    id: uuid.UUID = Field(
        description="Made by the client (crypto.randomUUID()); sending it again is harmless."
    )
    service_point: int = Field(ge=1, le=MAX_ID, description="The service point's id.")
    procedure: str = Field(min_length=1, description="A code from GET /api/v1/procedures.")
    channel: Channel
    level: Level = Field(description="paper exactly when the channel is paper.")
    outcome: Outcome
    reason: Reason | None = Field(
        None, description="Required when not_submitted; null or absent when submitted."
    )
    result_electronic: ResultElectronic
    age_band: AgeBand
    vulnerable: bool = Field(False, description="Elderly or disabled.")
    at_home: bool = Field(False, description="Helped at home.")
    self_service: bool = Field(False, description="Did it themselves, with guidance.")
    occurred_at: datetime = Field(
        description="When it happened, with an offset. Never refused for being late; at most "
        "10 minutes ahead of the server's clock.",
        json_schema_extra={"pattern": IN_RANGE_YEAR},
    )
    offline: bool = Field(
        False, description="It waited in the client's queue before being sent (default false)."
    )
    resident_card: str | None = Field(
        None,
        pattern=CARD_PATTERN,
        description="The code on the resident's card (or their learner code registered as one), "
        'e.g. "K7PM-3QXA", or the link in its QR; optional. Only a keyed digest of it is kept: '
        "the entry is linked to a pseudonymous resident, never to the code.",
    )

    @classmethod
    def parse(cls, data: dict) -> dict:
        """The object itself: check_entry judges it (see the module's docstring)."""
        return data

    @classmethod
    def messages(cls):
        return {"body": _("Send the entry as a JSON object.")}


class ProcedureRef(Shape):
    code: str = Field(description="Stable ASCII, e.g. birth-registration")
    name: str = Field(description="In the request's language.")


class Assist(Shape):
    """An entry as stored: what was sent, where, and when it was received."""

    id: uuid.UUID
    service_point: ServicePointRef
    commune: CommuneRef
    procedure: ProcedureRef
    channel: Channel
    level: Level
    outcome: Outcome
    reason: Reason | None
    result_electronic: ResultElectronic
    age_band: AgeBand
    vulnerable: bool = Field(description="Elderly or disabled.")
    at_home: bool = Field(description="Helped at home.")
    self_service: bool = Field(description="Did it themselves, with guidance.")
    occurred_at: LocalMoment
    occurred_on: date = Field(description="The local day (Asia/Ho_Chi_Minh) it happened.")
    received_at: LocalMoment
    shift_id: int | None = Field(
        description="The volunteer's shift at that point at that time, if any."
    )
    home_request: int | None = Field(
        description="The home-support request this visit answered, if any (set from the log "
        "screen only)."
    )
    offline: bool
    late: bool = Field(
        description="Received after its shift (or, without one, its day) ended; accepted and "
        "flagged."
    )
    voided_at: MaybeLocalMoment = Field(description="When its volunteer undid it, if they did.")
    carded: bool = Field(description="A resident card was given (which one is not answered).")
