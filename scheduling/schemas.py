"""The scheduling part's API shapes: the shifts query, shifts and bookings as answered."""

from datetime import date
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import Field, PlainValidator, WithJsonSchema

from app.api.schemas import (
    DAY_SCHEMA,
    BadRequestInput,
    CommuneRef,
    LocalMoment,
    ServicePointRef,
    Shape,
)
from app.localtime import check_day
from scheduling.models import BookingStatus


def _commune_code(value) -> str:
    code = value.strip() if isinstance(value, str) else ""
    if not code:
        raise ValueError("blank")
    return code


def _iso_day(value) -> date:
    if not isinstance(value, str):
        raise ValueError("not text")
    return check_day(date.fromisoformat(value))


class ShiftQuery(BadRequestInput):
    """GET /api/v1/shifts?commune=…&date=…"""

    commune: Annotated[
        str,
        PlainValidator(_commune_code),
        WithJsonSchema({"type": "string", "pattern": "^[^\\x00]*\\S[^\\x00]*$"}),
        Field(description="Official commune code, e.g. 00130 (Phường Bồ Đề)."),
    ]
    date: Annotated[
        date,
        PlainValidator(_iso_day),
        WithJsonSchema(DAY_SCHEMA),
        Field(description="Local day (Asia/Ho_Chi_Minh), YYYY-MM-DD."),
    ]

    @classmethod
    def messages(cls):
        return {
            "commune": _("Give the commune's official code, e.g. 00130."),
            "date": _("Give the date as YYYY-MM-DD, e.g. 2025-07-15."),
        }


class SkillNeed(Shape):
    """A skill the campaign asks for on a shift, and how far the shift is from it."""

    skill: str = Field(description="The skill's code, e.g. digital_signature.")
    name: str = Field(description="The skill's name in the request's language.")
    minimum: int = Field(ge=1, description="Confirmed people with the skill the shift needs.")
    present: int = Field(ge=0, description="Confirmed people with the skill.")
    missing: int = Field(ge=0, description="How many more it needs: minimum - present, or 0.")
    yours: bool = Field(description="Whether the caller has the skill.")


class Shift(Shape):
    id: int
    service_point: ServicePointRef
    commune: CommuneRef
    starts_at: LocalMoment
    ends_at: LocalMoment
    capacity: int = Field(
        ge=1, description="The campaign's maximum of confirmed volunteers per shift."
    )
    booked: int = Field(ge=0, description="Confirmed bookings.")
    waitlisted: int = Field(ge=0)
    skills: list[SkillNeed] = Field(
        description="The skills the campaign asks for on this shift (required), with how many "
        "more each needs (missing); empty when it asks for none."
    )
    needs_your_skill: bool = Field(
        description="The shift is missing a skill the caller has; such shifts come first."
    )


class Booking(Shape):
    id: int
    shift_id: int
    #: a booking just made is confirmed or waitlisted, never cancelled
    status: Literal[BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]


class MyBooking(Shape):
    id: int
    shift_id: int
    status: BookingStatus
    starts_at: LocalMoment
    ends_at: LocalMoment
    service_point: ServicePointRef
    commune: CommuneRef
