"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand next to the routes: tests/api/test_openapi.py fails when a route is missing here.
"""


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _error(description):
    return {"description": description, **_json(_ref("Error"))}


def _id_parameter(name, description):
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


#: text never holds a NUL character: every request with one is answered 400 (app/security.py)
NO_NUL = "^[^\\x00]*$"

ACCEPT_LANGUAGE = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "Language of error messages: vi (default) or en. A signed-in user's own "
    "choice of language wins.",
    "schema": {"type": "string"},
}

UNAUTHORIZED = _error("No valid bearer token.")
FORBIDDEN = _error("The token's user may not do this.")
SIGNED_IN = [{"bearerAuth": []}]

_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, +07:00 offset"}
_PLACE = {
    "service_point": _ref("ServicePointRef"),
    "commune": _ref("CommuneRef"),
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {
                "type": "string",
                "description": "A stable code, e.g. not_found, overlap, weekly_limit, "
                "shift_closed, past_deadline, unauthorized, rate_limited.",
            },
            "message": {"type": "string", "description": "In the request's language."},
        },
    },
    "Credentials": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {
            "email": {"type": "string", "minLength": 1, "maxLength": 254, "pattern": NO_NUL},
            "password": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": NO_NUL},
        },
    },
    "Token": {
        "type": "object",
        "required": ["token"],
        "additionalProperties": False,
        "properties": {
            "token": {
                "type": "string",
                "description": "Send as `Authorization: Bearer <token>`; shown only once.",
            }
        },
    },
    "ServicePointRef": {
        "type": "object",
        "required": ["id", "name"],
        "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "CommuneRef": {
        "type": "object",
        "required": ["code", "name"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "pattern": "^[0-9]{5}$"},
            "name": {"type": "string"},
        },
    },
    "Shift": {
        "type": "object",
        "required": [
            "id",
            "service_point",
            "commune",
            "starts_at",
            "ends_at",
            "capacity",
            "booked",
            "waitlisted",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            **_PLACE,
            "starts_at": _TIME,
            "ends_at": _TIME,
            "capacity": {
                "type": "integer",
                "minimum": 1,
                "description": "The campaign's maximum of confirmed volunteers per shift.",
            },
            "booked": {"type": "integer", "minimum": 0, "description": "Confirmed bookings."},
            "waitlisted": {"type": "integer", "minimum": 0},
        },
    },
    "Booking": {
        "type": "object",
        "required": ["id", "shift_id", "status"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "shift_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted"]},
        },
    },
    "MyBooking": {
        "type": "object",
        "required": [
            "id",
            "shift_id",
            "status",
            "starts_at",
            "ends_at",
            "service_point",
            "commune",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "shift_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
            "starts_at": _TIME,
            "ends_at": _TIME,
            **_PLACE,
        },
    },
}

PATHS = {
    "/api/v1/tokens": {
        "post": {
            "operationId": "createToken",
            "summary": "Exchange an email and password for a bearer token",
            "description": "Rate-limited per address and per email, like the login form.",
            "security": [],
            "parameters": [ACCEPT_LANGUAGE],
            "requestBody": {"required": True, **_json(_ref("Credentials"))},
            "responses": {
                "201": {"description": "A new token.", **_json(_ref("Token"))},
                "400": _error("Not a JSON object with an email and a password."),
                "401": _error("Wrong email or password."),
                "429": _error("Too many attempts; wait a minute."),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {
                "200": {"description": "OpenAPI 3.1", **_json({"type": "object"})},
            },
        }
    },
    "/api/v1/shifts": {
        "get": {
            "operationId": "listShifts",
            "summary": "Active shifts of one commune on one local day",
            "security": SIGNED_IN,
            "parameters": [
                {
                    "name": "commune",
                    "in": "query",
                    "required": True,
                    "description": "Official commune code, e.g. 00130 (Phường Bồ Đề).",
                    "schema": {"type": "string", "pattern": "^[^\\x00]*\\S[^\\x00]*$"},
                },
                {
                    "name": "date",
                    "in": "query",
                    "required": True,
                    "description": "Local day (Asia/Ho_Chi_Minh), YYYY-MM-DD.",
                    "schema": {"type": "string", "format": "date"},
                },
                ACCEPT_LANGUAGE,
            ],
            "responses": {
                "200": {
                    "description": "The shifts, by start time.",
                    **_json({"type": "array", "items": _ref("Shift")}),
                },
                "400": _error("Missing commune code or a date not in YYYY-MM-DD form."),
                "401": UNAUTHORIZED,
                "404": _error("No commune has this code."),
            },
        }
    },
    "/api/v1/shifts/{shift_id}/bookings": {
        "post": {
            "operationId": "bookShift",
            "summary": "Book a place on a shift, or its waitlist when it is full",
            "description": "Idempotent: booking a shift one already holds answers 200 with "
            "that booking.",
            "security": SIGNED_IN,
            "parameters": [_id_parameter("shift_id", "The shift."), ACCEPT_LANGUAGE],
            "responses": {
                "200": {"description": "Already booked.", **_json(_ref("Booking"))},
                "201": {"description": "Booked.", **_json(_ref("Booking"))},
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": _error("No such shift."),
                "409": _error("Refused: overlap, weekly_limit or shift_closed."),
            },
        }
    },
    "/api/v1/bookings/{booking_id}": {
        "delete": {
            "operationId": "cancelBooking",
            "summary": "Give up one's own booking",
            "security": SIGNED_IN,
            "parameters": [_id_parameter("booking_id", "The booking."), ACCEPT_LANGUAGE],
            "responses": {
                "204": {"description": "Cancelled (or already cancelled)."},
                "401": UNAUTHORIZED,
                "404": _error("No such booking among the caller's."),
                "409": _error("past_deadline: only a coordinator can release the place now."),
            },
        }
    },
    "/api/v1/me/bookings": {
        "get": {
            "operationId": "listMyBookings",
            "summary": "The caller's bookings, the latest shift first",
            "security": SIGNED_IN,
            "parameters": [ACCEPT_LANGUAGE],
            "responses": {
                "200": {
                    "description": "Confirmed, waitlisted and cancelled bookings.",
                    **_json({"type": "array", "items": _ref("MyBooking")}),
                },
                "401": UNAUTHORIZED,
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cầu Nối API",
        "version": "1",
        "description": "Shifts and bookings for the volunteers of the digital-transformation "
        'campaign. Errors are {"error": code, "message": text in the request\'s language}.',
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from POST /api/v1/tokens.",
            }
        },
    },
    "security": SIGNED_IN,
}
