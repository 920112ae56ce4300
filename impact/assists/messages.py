"""What each refusal of an assisted submission tells the reader, and its HTTP status."""

from app.i18n import lazy_gettext as _l
from impact.cards.services import CardError

#: the status and the sentence of each refusal code (entries.AssistError), pages and API alike
REFUSALS = {
    "id_taken": (409, _l("Another entry already has this id: make a new one.")),
    "not_checked_in": (
        403,
        _l("Check in at this service point first: assists are logged during your shift there."),
    ),
    "not_booked": (
        403,
        _l("You had no booked shift at this service point that day, so this entry is not saved."),
    ),
    "outside_shift": (
        409,
        _l("The time it happened is outside your shifts at this service point that day."),
    ),
    "outside_day": (
        409,
        _l("The time it happened is not within this service point's day: log today's dossiers."),
    ),
    "outside_request": (
        409,
        _l(
            "A home visit is logged at a service point of the request's commune, after the "
            "request was made."
        ),
    ),
    "rate_limited": (
        429,
        _l("You have logged too many entries in the last hour. Wait a little and try again."),
    ),
    "undo_expired": (409, _l("It is too late to undo this entry: ask your coordinator.")),
    "unknown_card": (409, CardError.sentences["unknown_card"]),
    "card_replaced": (409, CardError.sentences["card_replaced"]),
}


def refusal_status(code: str) -> int:
    return REFUSALS.get(code, (409, None))[0]


def refusal_message(code: str) -> str:
    """The sentence for a refusal code, in the reader's language."""
    sentence = REFUSALS.get(code, REFUSALS["id_taken"])[1]
    return str(sentence)
