"""The check-in part's API shapes: a scan as sent, a check-in and a refusal as answered."""

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import Field, PlainValidator, WithJsonSchema

from app.api.schemas import (
    MAX_ID,
    MOMENT_SCHEMA,
    LocalMoment,
    MaybeLocalMoment,
    PerFieldInput,
    ServicePointRef,
    Shape,
)
from scheduling.checkin import services
from scheduling.checkin.forms import parse_moment
from scheduling.checkin.models import ScanResult

#: the codes of a refused scan, and of the two refusals made before any scan is logged
REFUSAL_CODES = (
    *(str(result) for result in ScanResult if result != ScanResult.OK),
    services.NotAllowed.code,
    services.NonceTaken.code,
)


def _token(value) -> str:
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise ValueError("no token")
    return value


def _nonce(value) -> str:
    if not services.valid_nonce(value):
        raise ValueError("no nonce")
    return value


def _moment(value) -> datetime:
    moment = parse_moment(value)
    if moment is None:
        raise ValueError("no moment")
    return moment


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _point_id(value) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type: 190.0 is the integer 190
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise ValueError("no id")
    return value


class CheckinRequest(PerFieldInput):
    """POST /api/v1/checkins"""

    token: Annotated[
        str,
        PlainValidator(_token),
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 2000}),
        Field(
            description="The scanned text: a poster or live QR token (or its whole "
            "/check-in/<token> URL) to check oneself in; with `service_point`, a volunteer's "
            "badge token or short code scanned by a coordinator."
        ),
    ]
    nonce: Annotated[
        str,
        PlainValidator(_nonce),
        WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}),
        Field(
            description="Made by the client once per scan (e.g. a UUID); sending it again "
            "answers with the first result and writes nothing."
        ),
    ]
    scanned_at: Annotated[
        datetime,
        PlainValidator(_moment),
        WithJsonSchema(MOMENT_SCHEMA),
        Field(description="When the device scanned, ISO 8601 with offset."),
    ]
    offline: Annotated[
        bool,
        PlainValidator(_flag),
        WithJsonSchema({"type": "boolean"}),
        Field(
            description="Sent from the offline queue: the check-in counts from scanned_at when "
            "that is at most 12 hours old. Live QR tokens are still judged on the server's "
            "clock."
        ),
    ] = False
    service_point: Annotated[
        int | None,
        PlainValidator(_point_id),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
        Field(
            description="For a coordinator scanning a volunteer's badge: the service point "
            "where the scanner stands."
        ),
    ] = None

    @classmethod
    def messages(cls):
        return {
            "body": _("Send a JSON object."),
            "token": _("Give the scanned token (the text of the QR code)."),
            "nonce": _("Give a nonce of 8 to 64 letters, digits, - or _ (e.g. a UUID)."),
            "scanned_at": _("Give the time of the scan in ISO 8601 with its offset."),
            "offline": _("Give true or false."),
            "service_point": _("Give the service point's id."),
        }


class Checkin(Shape):
    id: int
    booking_id: int
    shift_id: int
    volunteer_id: int
    service_point: ServicePointRef
    checked_in_at: LocalMoment
    checked_out_at: MaybeLocalMoment
    closed_automatically: bool = Field(
        description="Closed at the shift's end because nobody checked out."
    )
    walk_in: bool = Field(description="The check-in made the booking (no booking before).")
    hours: float = Field(
        description="min(check-out, shift end) − max(check-in, shift start), up to now for a "
        "running shift; rounded to 0.01."
    )


class ScanRefusal(Shape):
    """A refused scan (or a scan refused before it is logged: forbidden, nonce_taken)."""

    model_config = Shape.model_config | {"extra": "ignore"}

    error: Literal[REFUSAL_CODES]
    message: str = Field(description="In the request's language.")
    checkin: Checkin | None = Field(
        None, description="With already_checked_in: the existing check-in."
    )
