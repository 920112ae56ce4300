"""The kernel's API shapes: the bases of every part's schemas, the one error body, the token
route's credentials and token, and the place references every part answers with.

Pydantic's own validation messages are English only: an input shape never shows them. It names
what failed (`refuse`), and answers with the project's translated sentences.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from flask import jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema

from app.api import error
from app.database import MAX_INT
from app.localtime import local

#: text never holds a NUL character: every request with one is answered 400 (app/security.py)
NO_NUL = "^[^\\x00]*$"

#: ids are 32-bit integers in the database; a larger one names nothing
MAX_ID = MAX_INT

#: a day or moment a request sends lies within app.localtime's FIRST_DAY..LAST_DAY, the years
#: 1900–2999 (a later or earlier one is answered 400 date_out_of_range): the pattern says so
IN_RANGE_YEAR = "^(19|2[0-9])[0-9]{2}-"
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": IN_RANGE_YEAR}
MOMENT_SCHEMA = {"type": "string", "format": "date-time", "pattern": IN_RANGE_YEAR}

#: a moment of an answer: ISO 8601 in local time, with the +07:00 offset (app.localtime)
LocalMoment = Annotated[
    datetime,
    PlainSerializer(lambda moment: local(moment).isoformat()),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": "ISO 8601, +07:00 offset"}
    ),
]

#: the same, or null (e.g. a check-out not made yet)
MaybeLocalMoment = Annotated[
    datetime | None,
    PlainSerializer(lambda moment: local(moment).isoformat() if moment else None),
    WithJsonSchema(
        {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "ISO 8601, +07:00 offset",
        }
    ),
]

Count = Annotated[int, Field(ge=0)]


def invalid(message: str, fields: dict[str, str]):
    """The 422 answer naming each wrong field with its sentence (InvalidInput)."""
    response = jsonify(InvalidInput(error="invalid", message=message, fields=fields).dump())
    response.status_code = 422
    return response


class Shape(BaseModel):
    """An answer: exactly the fields it lists (additionalProperties false)."""

    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class Input(BaseModel):
    """A request body or query string; a failure is answered by `refuse`, never by pydantic."""

    model_config = ConfigDict(extra="ignore")

    #: the sentence per field name, in the order they are checked; "body" when the body is not
    #: a JSON object, "extra" when the input holds a name the shape does not know
    @classmethod
    def messages(cls) -> dict[str, str]:
        raise NotImplementedError

    @classmethod
    def parse(cls, data: dict) -> Any:
        """The parsed input; raises pydantic's ValidationError."""
        return cls.model_validate(data)

    @classmethod
    def refuse(cls, problems: list[str]):
        """The answer to an input whose `problems` (field names, see messages) failed."""
        raise NotImplementedError


class BadRequestInput(Input):
    """An input whose first failed field answers 400 bad_request with that field's sentence."""

    @classmethod
    def refuse(cls, problems):
        messages = cls.messages()
        first = next((name for name in messages if name in problems), next(iter(messages)))
        return error(400, "bad_request", messages[first])


class PerFieldInput(Input):
    """An input answered 422 invalid with one sentence per wrong field."""

    @classmethod
    def summary(cls) -> str:
        return _("Some of what you sent is not valid.")

    @classmethod
    def refuse(cls, problems):
        messages = cls.messages()
        return invalid(cls.summary(), {name: messages[name] for name in problems})


def problems(exc: ValidationError) -> list[str]:
    """The names of the fields that failed, each once, as Input.messages names them."""
    names = []
    for failure in exc.errors():
        if failure["type"] == "extra_forbidden":
            name = "extra"
        else:
            name = str(failure["loc"][0]) if failure["loc"] else "body"
        if name not in names:
            names.append(name)
    return names


# --- the shapes every part shares ---------------------------------------------------------------


class Error(BaseModel):
    """Every refusal of /api/v1: a stable code and a sentence in the request's language."""

    error: str = Field(
        description="A stable code, e.g. not_found, overlap, weekly_limit, shift_closed, "
        "past_deadline, unauthorized, rate_limited, bad_request, date_out_of_range (a date or "
        "time outside the years 1900–2999)."
    )
    message: str = Field(description="In the request's language.")


class InvalidInput(BaseModel):
    """A body with wrong fields: one sentence per field."""

    error: Literal["invalid"]
    message: str
    fields: dict[str, str] = Field(
        description="One message per field sent wrong or missing, in the request's language."
    )

    def dump(self) -> dict:
        return self.model_dump(mode="json")


class ServicePointRef(Shape):
    id: int
    name: str


class CommuneRef(Shape):
    code: str = Field(pattern="^[0-9]{5}$")
    name: str


def point_ref(point) -> ServicePointRef:
    return ServicePointRef(id=point.id, name=point.name)


def commune_ref(commune) -> CommuneRef:
    return CommuneRef(code=commune.code, name=commune.name)


# --- POST /api/v1/tokens ------------------------------------------------------------------------


def _text_without_nul(limit: int):
    # the limit is documented, not enforced here: a longer one is simply wrong (401), as at login
    return Annotated[
        str,
        Field(strict=True, min_length=1, pattern=NO_NUL, json_schema_extra={"maxLength": limit}),
    ]


class Credentials(BadRequestInput):
    email: _text_without_nul(254)
    password: _text_without_nul(128)

    @classmethod
    def messages(cls):
        sentence = _("Send a JSON object with an email and a password.")
        return {"body": sentence, "email": sentence, "password": sentence}


class Token(Shape):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only once.")


#: the answers every signed-in operation may give
UNAUTHORIZED = ("No valid bearer token.", Error)
FORBIDDEN = ("The token's user may not do this.", Error)
