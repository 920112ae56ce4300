"""The swap API's shapes: an offer as asked for, and an offer as answered."""

import uuid
from typing import Annotated

from flask_babel import gettext as _
from pydantic import Field

from app.api.schemas import (
    NO_NUL,
    BadRequestInput,
    CommuneRef,
    Error,
    LocalMoment,
    ServicePointRef,
    Shape,
)
from scheduling.swaps.models import OfferStatus


class OfferRequest(BadRequestInput):
    """POST /api/v1/bookings/{id}/offers"""

    id: uuid.UUID | None = Field(
        None,
        description="Made by the client (crypto.randomUUID()); sending it again answers the same "
        "offer. Without it, offering a booking already offered answers that offer.",
    )
    to: Annotated[str, Field(max_length=254, pattern=NO_NUL)] | None = Field(
        None,
        description="The email of the one volunteer who may take it; absent or null: anyone "
        "eligible (not on a shift at that time, under the weekly limit).",
    )

    @classmethod
    def messages(cls):
        return {
            "body": _("Send the offer as a JSON object."),
            "id": _("Give the offer's id as a UUID, or leave it out."),
            "to": _("Give the volunteer's email, or leave it out to offer the shift to anyone."),
        }


class Offer(Shape):
    id: int
    client_id: uuid.UUID = Field(description="The client-made id it was offered with.")
    booking_id: int = Field(description="The giver's booking that taking it hands over.")
    shift_id: int
    status: OfferStatus = Field(
        description="open; pending (taken, waiting for a coordinator's approval); taken; "
        "withdrawn; refused (by the coordinator)."
    )
    to_you: bool = Field(description="Offered to the caller by name, not to anyone eligible.")
    expires_at: LocalMoment = Field(
        description="The shift's cancellation deadline: after it, only a coordinator moves people."
    )
    starts_at: LocalMoment
    ends_at: LocalMoment
    service_point: ServicePointRef
    commune: CommuneRef
    can_take: bool | None = Field(
        None,
        description="In the list of offers: whether the caller may take it now (a preview: "
        "taking judges again, and another may take it first). Null in the answers of offering, "
        "taking and withdrawing.",
    )
    why_not: Error | None = Field(
        None,
        description="When can_take is false: the refusal taking it would answer now, e.g. "
        "overlap, weekly_limit, missing_skill, with its sentence in the request's language. "
        "Only an offer naming the caller is listed while they may not take it.",
    )
