"""The resident-card API's shapes."""

from flask_babel import gettext as _
from pydantic import ConfigDict, Field

from app.api.schemas import BadRequestInput, Shape

#: a card's code as typed (any case, spaces or dashes between characters) or its QR's link: what
#: impact.cards.services.read_code reads
CARD_PATTERN = r"^(https?://[^\s/?#]+(/[^\s?#]*)?/c/)?[ \-]*([2-9A-HJKMNP-Za-hjkmnp-z][ \-]*){8}$"


class CardRequest(BadRequestInput):
    """POST /api/v1/resident-cards: an empty object issues a new card; ``replaces`` gives a lost
    card's code to replace; ``learner_code`` registers a resident's learner code as their card."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # not both: a replacement is a new card, a learner code is not
            "not": {
                "required": ["replaces", "learner_code"],
                "properties": {
                    "replaces": {"type": "string"},
                    "learner_code": {"type": "string"},
                },
            }
        },
    )

    replaces: str | None = Field(
        None,
        pattern=CARD_PATTERN,
        description="The code of a lost card: the new card keeps its resident.",
    )
    learner_code: str | None = Field(
        None,
        pattern=CARD_PATTERN,
        description="A resident's learner code, to serve as their resident card.",
    )

    @classmethod
    def messages(cls):
        return {
            "body": _("Send a JSON object, empty to issue a new card."),
            "extra": _("Use only the fields replaces and learner_code."),
            "replaces": _('Give the lost card\'s code: 8 letters and digits, like "K7PM-3QXA".'),
            "learner_code": _('Give the learner code: 8 letters and digits, like "K7PM-3QXA".'),
        }


class Card(Shape):
    """A card issued: its code and its QR's link, answered this once and never again."""

    code: str | None = Field(
        description='The code to print, e.g. "K7PM-3QXA"; null for a learner code, which the '
        "resident already holds."
    )
    qr_url: str | None = Field(description="The link the card's QR holds; null for a learner code.")
    learner_code: bool
    replaced: bool = Field(description="It replaces a lost card, whose code no longer works.")
