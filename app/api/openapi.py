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


def _query(name, description, format_=None):
    # no NUL: the site refuses it in any request with a 400 before the view runs
    schema = {"type": "string", **({"format": format_} if format_ else {"pattern": NO_NUL})}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


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

_SHARE = {"type": ["number", "null"], "description": "0–1; null when nothing to divide by"}
_COUNT = {"type": "integer", "minimum": 0}

SCHEMAS = {
    "Stats": {
        "type": "object",
        "required": [
            "from",
            "to",
            "totals",
            "shares",
            "targets",
            "per_day",
            "reasons",
            "communes",
            "shifts",
            "attendance",
            "learning",
        ],
        "properties": {
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "totals": {
                "type": "object",
                "description": "Counts of assisted submissions: total, submitted, "
                "submitted_online, submitted_fully_online, result_yes/no/not_yet, self_service, "
                "vulnerable, at_home, offline, reason_<code> for each reason.",
                "additionalProperties": _COUNT,
            },
            "shares": {
                "type": "object",
                "description": "online, fully_online and result_electronic of submitted "
                "dossiers; self_service of all dossiers.",
                "additionalProperties": _SHARE,
            },
            "targets": {"type": "object", "additionalProperties": {"type": "number"}},
            "per_day": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "dossiers"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "dossiers": _COUNT,
                    },
                },
            },
            "reasons": {
                "type": "array",
                "description": "Why dossiers could not be submitted, most frequent first.",
                "items": {
                    "type": "object",
                    "required": ["reason", "dossiers"],
                    "properties": {"reason": {"type": "string"}, "dossiers": _COUNT},
                },
            },
            "communes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "name", "dossiers", "submitted", "online_share"],
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "dossiers": _COUNT,
                        "submitted": _COUNT,
                        "online_share": _SHARE,
                    },
                },
            },
            "attendance": {
                "type": "object",
                "description": "Of the shifts that have ended: volunteer-hours attended "
                "(check-in to check-out within the shift), confirmed bookings, no-shows.",
                "properties": {
                    "attended_hours": {"type": "number", "minimum": 0},
                    "ended_bookings": _COUNT,
                    "no_shows": _COUNT,
                    "no_show_rate": _SHARE,
                },
            },
            "learning": {
                "type": "object",
                "description": "Lessons completed, people who completed one, and courses mastered "
                "(certificates issued) during the range by people whose home commune is in it.",
                "required": ["lessons_completed", "learners", "courses_mastered"],
                "properties": {
                    "lessons_completed": _COUNT,
                    "learners": _COUNT,
                    "courses_mastered": _COUNT,
                },
            },
            "shifts": {
                "type": "object",
                "required": ["total", "covered", "understaffed", "booked_hours"],
                "properties": {
                    "total": _COUNT,
                    "covered": _COUNT,
                    "understaffed": _COUNT,
                    "booked_hours": {"type": "number", "minimum": 0},
                },
            },
        },
    },
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
    "CourseProgress": {
        "type": "object",
        "required": ["lessons_done", "mastered", "best_score"],
        "additionalProperties": False,
        "properties": {
            "lessons_done": {"type": "integer", "minimum": 0},
            "mastered": {
                "type": "boolean",
                "description": "An attempt at the quiz reached the course's pass mark.",
            },
            "best_score": {
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": 100,
                "description": "Best finished attempt, percent; null before any.",
            },
        },
    },
    "Course": {
        "type": "object",
        "required": [
            "slug",
            "title",
            "summary",
            "audience",
            "minutes",
            "lessons_count",
            "progress",
        ],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string", "description": "In the request's language."},
            "summary": {"type": "string", "description": "In the request's language."},
            "audience": {"type": "string", "enum": ["resident", "officer", "volunteer"]},
            "minutes": {"type": "integer", "description": "Estimated time to finish."},
            "lessons_count": {"type": "integer", "minimum": 0},
            "progress": _ref("CourseProgress"),
        },
    },
    "CourseDetail": {
        "type": "object",
        "required": [
            "slug",
            "title",
            "summary",
            "audience",
            "minutes",
            "lessons_count",
            "progress",
            "lessons",
        ],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "audience": {"type": "string", "enum": ["resident", "officer", "volunteer"]},
            "minutes": {"type": "integer"},
            "lessons_count": {"type": "integer", "minimum": 0},
            "progress": _ref("CourseProgress"),
            "lessons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["slug", "title", "done"],
                    "additionalProperties": False,
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "done": {"type": "boolean", "description": "Marked done by the caller."},
                    },
                },
            },
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
    "/api/v1/courses": {
        "get": {
            "operationId": "listCourses",
            "summary": "The course catalogue, with the caller's progress in each course",
            "security": SIGNED_IN,
            "parameters": [ACCEPT_LANGUAGE],
            "responses": {
                "200": {
                    "description": "Every course, by audience then catalogue order.",
                    **_json({"type": "array", "items": _ref("Course")}),
                },
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/courses/{slug}": {
        "get": {
            "operationId": "getCourse",
            "summary": "One course: its lessons, each done or not, and the caller's progress",
            "security": SIGNED_IN,
            "parameters": [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The course's slug, e.g. vneid.",
                    "schema": {"type": "string"},
                },
                ACCEPT_LANGUAGE,
            ],
            "responses": {
                "200": {"description": "The course.", **_json(_ref("CourseDetail"))},
                "401": UNAUTHORIZED,
                "404": _error("No course has this slug."),
            },
        }
    },
    "/api/v1/stats": {
        "get": {
            "operationId": "getStats",
            "summary": "The impact dashboard's figures for a province or a commune",
            "description": "For coordinators, in their scope as on /impact (a province narrows "
            "to the communes they coordinate; without province or commune: all of them). "
            "Aggregates only: no person is named. Dates out of order are swapped and a range is "
            "cut to its last 366 days; `from` and `to` in the answer say which days it covers. "
            "Everyone's figures of a province: `GET /api/v1/provinces/{code}/stats`.",
            "security": SIGNED_IN,
            "parameters": [
                _query("province", "Official province code, e.g. 01 (Hà Nội)."),
                _query("commune", "Official commune code, e.g. 00130 (Phường Bồ Đề)."),
                _query(
                    "from", "First local day, YYYY-MM-DD (default: 29 days before `to`).", "date"
                ),
                _query("to", "Last local day, YYYY-MM-DD (default: today).", "date"),
                ACCEPT_LANGUAGE,
            ],
            "responses": {
                "200": {"description": "The figures.", **_json(_ref("Stats"))},
                "400": _error(
                    "A date not in YYYY-MM-DD form, or a query parameter not listed here."
                ),
                "401": UNAUTHORIZED,
                "403": _error(
                    "forbidden: the caller is not a coordinator or does not coordinate the commune."
                ),
                "404": _error(
                    "No province or commune has this code, or the commune is not in the province."
                ),
            },
        }
    },
    "/api/v1/provinces/{code}/stats": {
        "get": {
            "operationId": "getProvinceStats",
            "summary": "A province's public impact figures, as on its public page",
            "description": "For everyone, without a token: aggregates only, no person named. "
            "Dates out of order are swapped and a range is cut to its last 366 days.",
            "security": [],
            "parameters": [
                {
                    "name": "code",
                    "in": "path",
                    "required": True,
                    "description": "Official province code, e.g. 01 (Hà Nội).",
                    "schema": {"type": "string"},
                },
                _query(
                    "from", "First local day, YYYY-MM-DD (default: 29 days before `to`).", "date"
                ),
                _query("to", "Last local day, YYYY-MM-DD (default: today).", "date"),
                ACCEPT_LANGUAGE,
            ],
            "responses": {
                "200": {"description": "The figures.", **_json(_ref("Stats"))},
                "400": _error(
                    "A date not in YYYY-MM-DD form, or a query parameter not listed here."
                ),
                "404": _error("No province has this code."),
            },
        }
    },
}


# --- The assisted-submission log and the procedure catalogue (impact/assists/api.py) -------------

_ENTRY_PROPERTIES = {
    "id": {
        "type": "string",
        "format": "uuid",
        "description": "Made by the client (crypto.randomUUID()); sending it again is harmless.",
    },
    "service_point": {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**31 - 1,
        "description": "The service point's id.",
    },
    "procedure": {
        "type": "string",
        "minLength": 1,
        "description": "A code from GET /api/v1/procedures.",
    },
    "channel": {
        "type": "string",
        "enum": ["national_portal", "vneid", "provincial_portal", "paper"],
    },
    "level": {
        "type": "string",
        "enum": ["partly_online", "fully_online", "paper"],
        "description": "paper exactly when the channel is paper.",
    },
    "outcome": {"type": "string", "enum": ["submitted", "not_submitted"]},
    "reason": {
        "type": ["string", "null"],
        "enum": [
            "network_down",
            "system_error",
            "missing_signature",
            "missing_documents",
            "no_account",
            "other",
            None,
        ],
        "description": "Required when not_submitted; null or absent when submitted.",
    },
    "result_electronic": {"type": "string", "enum": ["yes", "no", "not_yet"]},
    "age_band": {"type": "string", "enum": ["under_18", "18_39", "40_59", "60_plus"]},
    "vulnerable": {"type": "boolean", "description": "Elderly or disabled."},
    "at_home": {"type": "boolean", "description": "Helped at home."},
    "self_service": {"type": "boolean", "description": "Did it themselves, with guidance."},
    "occurred_at": {
        "type": "string",
        "format": "date-time",
        "description": "When it happened, with an offset. Never refused for being late; at most "
        "10 minutes ahead of the server's clock.",
    },
    "offline": {
        "type": "boolean",
        "description": "It waited in the client's queue before being sent (default false).",
    },
}

SCHEMAS.update(
    {
        "AssistEntry": {
            "type": "object",
            "description": "One dossier a volunteer helped with. No name, ID number, phone or "
            "address of the resident: there is no field for them.",
            "required": [
                "id",
                "service_point",
                "procedure",
                "channel",
                "level",
                "outcome",
                "result_electronic",
                "age_band",
                "occurred_at",
            ],
            "properties": _ENTRY_PROPERTIES,
            "allOf": [
                {  # a reason exactly when the dossier was not submitted
                    "if": {"properties": {"outcome": {"const": "submitted"}}},
                    "then": {"properties": {"reason": {"type": "null"}}},
                    "else": {"required": ["reason"], "properties": {"reason": {"type": "string"}}},
                },
                {  # paper at the counter goes with the paper level and nothing else
                    "if": {"properties": {"channel": {"const": "paper"}}},
                    "then": {"properties": {"level": {"const": "paper"}}},
                    "else": {"properties": {"level": {"enum": ["partly_online", "fully_online"]}}},
                },
            ],
        },
        "Assist": {
            "type": "object",
            "required": ["id", "service_point", "commune", "procedure", "occurred_at", "late"],
            "properties": {
                **_ENTRY_PROPERTIES,
                **_PLACE,
                "procedure": _ref("ProcedureRef"),
                "occurred_at": _TIME,
                "occurred_on": {
                    "type": "string",
                    "format": "date",
                    "description": "The local day (Asia/Ho_Chi_Minh) it happened.",
                },
                "received_at": _TIME,
                "shift_id": {
                    "type": ["integer", "null"],
                    "description": "The volunteer's shift at that point at that time, if any.",
                },
                "home_request": {
                    "type": ["integer", "null"],
                    "description": "The home-support request this visit answered, if any "
                    "(set from the log screen only).",
                },
                "late": {
                    "type": "boolean",
                    "description": "Received after its shift (or, without one, its day) ended; "
                    "accepted and flagged.",
                },
                "voided_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "When its volunteer undid it, if they did.",
                },
            },
        },
        "ProcedureRef": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable ASCII, e.g. birth-registration"},
                "name": {"type": "string", "description": "In the request's language."},
            },
        },
    }
)

PATHS.update(
    {
        "/api/v1/assists": {
            "post": {
                "operationId": "createAssist",
                "summary": "Log an assisted submission",
                "description": "Idempotent on the client-made id: an id already stored answers "
                "200 with the stored entry unchanged, even if the body differs.",
                "security": SIGNED_IN,
                "parameters": [ACCEPT_LANGUAGE],
                "requestBody": {"required": True, **_json(_ref("AssistEntry"))},
                "responses": {
                    "200": {"description": "Already stored.", **_json(_ref("Assist"))},
                    "201": {"description": "Stored.", **_json(_ref("Assist"))},
                    "400": _error("Not a JSON object."),
                    "401": UNAUTHORIZED,
                    "404": _error(
                        "not_found: the entry is otherwise valid but no service point or "
                        "procedure has the id or code it gives."
                    ),
                    "403": _error(
                        "not_checked_in: the caller is not checked in at the service point (and "
                        "does not coordinate it); not_booked: an offline entry from someone with "
                        "no booking there that day."
                    ),
                    "409": _error(
                        "id_taken: another person's entry has this id; future: occurred_at is "
                        "more than 10 minutes ahead of the server's clock."
                    ),
                    "422": {
                        "description": "Errors, one per field (InvalidInput); or `outside_shift`, "
                        "`outside_day`, `outside_request` (Error): occurred_at is outside the "
                        "caller's shifts at the point that day, the point's day, or the home "
                        "visit's request.",
                        **_json({"anyOf": [_ref("InvalidInput"), _ref("Error")]}),
                    },
                    "429": _error("rate_limited: too many entries from the caller this hour."),
                },
            }
        },
        "/api/v1/procedures": {
            "get": {
                "operationId": "listProcedures",
                "summary": "The active procedures of the catalogue",
                "security": SIGNED_IN,
                "parameters": [ACCEPT_LANGUAGE],
                "responses": {
                    "200": {
                        "description": "Sorted by name in the request's language.",
                        **_json({"type": "array", "items": _ref("ProcedureRef")}),
                    },
                    "401": UNAUTHORIZED,
                },
            }
        },
    }
)


# --- check-in (scheduling/checkin/api.py) ------------------------------------------------------

_SCAN_CODES = [
    "already_checked_in",
    "no_shift_now",
    "expired_token",
    "invalid_token",
    "rotated_token",
    "shift_full",
    "late_sync",
    "scanned_before_shift",
    "scanned_in_future",
]

SCHEMAS.update(
    {
        "CheckinRequest": {
            "type": "object",
            "required": ["token", "nonce", "scanned_at"],
            "properties": {
                "token": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 2000,
                    "description": "The scanned text: a poster or live QR token (or its whole "
                    "/check-in/<token> URL) to check oneself in; with `service_point`, a "
                    "volunteer's badge token or short code scanned by a coordinator.",
                },
                "nonce": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{8,64}$",
                    "description": "Made by the client once per scan (e.g. a UUID); sending it "
                    "again answers with the first result and writes nothing.",
                },
                "scanned_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the device scanned, ISO 8601 with offset.",
                },
                "offline": {
                    "type": "boolean",
                    "default": False,
                    "description": "Sent from the offline queue: the check-in counts from "
                    "scanned_at when that is at most 12 hours old. Live QR tokens are still "
                    "judged on the server's clock.",
                },
                "service_point": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 2147483647,
                    "description": "For a coordinator scanning a volunteer's badge: the "
                    "service point where the scanner stands.",
                },
            },
        },
        "Checkin": {
            "type": "object",
            "required": [
                "id",
                "booking_id",
                "shift_id",
                "volunteer_id",
                "service_point",
                "checked_in_at",
                "checked_out_at",
                "closed_automatically",
                "walk_in",
                "hours",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "booking_id": {"type": "integer"},
                "shift_id": {"type": "integer"},
                "volunteer_id": {"type": "integer"},
                "service_point": _ref("ServicePointRef"),
                "checked_in_at": _TIME,
                "checked_out_at": {**_TIME, "type": ["string", "null"]},
                "closed_automatically": {
                    "type": "boolean",
                    "description": "Closed at the shift's end because nobody checked out.",
                },
                "walk_in": {
                    "type": "boolean",
                    "description": "The check-in made the booking (no booking before).",
                },
                "hours": {
                    "type": "number",
                    "description": "min(check-out, shift end) − max(check-in, shift start), "
                    "up to now for a running shift; rounded to 0.01.",
                },
            },
        },
        "ScanRefusal": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {
                    "type": "string",
                    # besides the scan codes: forbidden (403) and nonce_taken (409), as described
                    "enum": [*_SCAN_CODES, "forbidden", "nonce_taken"],
                },
                "message": {"type": "string", "description": "In the request's language."},
                "checkin": {
                    **_ref("Checkin"),
                    "description": "With already_checked_in: the existing check-in.",
                },
            },
        },
        "InvalidInput": {
            "type": "object",
            "required": ["error", "message", "fields"],
            "properties": {
                "error": {"const": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "One message per field sent wrong or missing, in the request's "
                    "language.",
                },
            },
        },
    }
)


def _refusal(description):
    return {"description": description, **_json(_ref("ScanRefusal"))}


PATHS.update(
    {
        "/api/v1/checkins": {
            "post": {
                "operationId": "checkIn",
                "summary": "Check in with a scanned QR token (every call is logged as a scan)",
                "description": "Checks the caller in to their confirmed booking on the shift "
                "running now at the token's service point (from 30 minutes before its start "
                "until its end), or as a walk-in when they have none and the shift has room. "
                "Idempotent on `nonce`: the same nonce answers with the first result.",
                "security": SIGNED_IN,
                "parameters": [ACCEPT_LANGUAGE],
                "requestBody": {"required": True, **_json(_ref("CheckinRequest"))},
                "responses": {
                    "200": {
                        "description": "The nonce was seen: the same check-in.",
                        **_json(_ref("Checkin")),
                    },
                    "201": {"description": "Checked in.", **_json(_ref("Checkin"))},
                    "202": _refusal(
                        "late_sync (with the check-in): an offline scan received after its "
                        "shift ended, stored and flagged; its hours count once a coordinator "
                        "of the commune confirms it."
                    ),
                    "401": UNAUTHORIZED,
                    "403": _refusal(
                        "invalid_token (forged, unreadable, of another kind or for an unknown "
                        "point); or `forbidden`: the caller may not scan badges at "
                        "`service_point`."
                    ),
                    "404": _error("No service point has the id given as `service_point`."),
                    "409": _refusal(
                        "already_checked_in (with the check-in), no_shift_now, shift_full; "
                        "or nonce_taken (the nonce belongs to another user's scan)."
                    ),
                    "410": _refusal(
                        "expired_token (live QR or badge) or rotated_token (a replaced poster)."
                    ),
                    "422": {
                        "description": "Malformed input (InvalidInput); or an offline scan "
                        "refused (ScanRefusal): scanned_before_shift (dated before its shift's "
                        "check-in opened) or scanned_in_future (dated after it was received).",
                        **_json({"anyOf": [_ref("InvalidInput"), _ref("ScanRefusal")]}),
                    },
                },
            }
        },
        "/api/v1/checkins/{checkin_id}/checkout": {
            "post": {
                "operationId": "checkOut",
                "summary": "Check out; repeating it changes nothing",
                "description": "After the shift's end the check-in is closed at the end.",
                "security": SIGNED_IN,
                "parameters": [
                    _id_parameter("checkin_id", "The check-in (its `id`)."),
                    ACCEPT_LANGUAGE,
                ],
                "responses": {
                    "200": {"description": "Checked out.", **_json(_ref("Checkin"))},
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "404": _error("No such check-in among those the caller may see."),
                },
            }
        },
    }
)

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
