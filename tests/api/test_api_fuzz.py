"""Schemathesis fuzzes every operation of /api/v1/openapi.json with a volunteer's and a
coordinator's bearer token: no answer is a 5xx and every answer matches the documented schema.

Bounded and reproducible: at most MAX_EXAMPLES examples per operation, derandomised. A new API
route joins by declaring its @operation (app/api/openapi.py; tests/api/test_api_openapi.py
requires it). A failing example is printed with a curl command to reproduce it.

Then the malformed shapes of issue 12 (`SHAPES`: lone surrogates, 1e400, NaN, integers beyond 64
bits, days and times near year 1 and 9999, NUL and control characters, 10,000-character strings,
JSON nested 200,000 deep) go into every body field, query parameter and path parameter of every
operation, one at a time, over a request schemathesis made valid: never a 5xx, only documented
statuses with the API's error body, nothing written by a refusal, and a 4xx for each shape no
database or calendar can hold.
"""

import json
from urllib.parse import quote

import pytest
import schemathesis
from harness import build_world, headers_for, row_counts, sign_in
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app import create_app
from app.api import openapi

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # a request the schema allows is not refused as malformed, one it forbids is refused
    positive_data_acceptance,
    negative_data_rejection,
    # an undocumented method gets 405 with an Allow header
    unsupported_method,
]


def _in_own_context(app):
    """Each request in a fresh app context, as in production (see tests/conftest.py Client)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return list(app(environ, start_response))

    return wsgi


@pytest.fixture
def world(make_user, hanoi, bo_de, other_commune):
    return build_world(make_user, hanoi, bo_de, other_commune, courses=False)


# The document the app serves (GET /api/v1/openapi.json generates it the same way). Made at import,
# from an app that is never started, so pytest lists one test per operation; the calls go to the
# tests' app (`app=` below).
DOCUMENT = openapi.document(create_app({"SECRET_KEY": "fuzz"}))
schema = schemathesis.openapi.from_dict(DOCUMENT)

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(case, app, token):
    case.call_and_validate(
        # identity: the WSGI transport sends requests' default Accept-Encoding (gzip, deflate,
        # zstd) but does not decode the body; compression is tested in tests/app/test_site.py
        headers={
            "Authorization": f"Bearer {token}",
            "Accept-Language": "vi",
            "Accept-Encoding": "identity",
        },
        checks=CHECKS,
        app=_in_own_context(app),
    )


@schema.parametrize()
@FUZZ
def test_api_as_a_volunteer_never_fails_and_answers_as_documented(case, app, world):
    _call(case, app, world.tokens["volunteer"])


@schema.parametrize()
@FUZZ
def test_api_as_a_coordinator_never_fails_and_answers_as_documented(case, app, world):
    _call(case, app, world.tokens["coordinator"])


# --- the malformed shapes, in every field of every operation ----------------------------------


def _shape(raw, *, refused_in=("*",)):
    """A malformed value as raw JSON text, and the JSON Schema kinds of field that must refuse
    it with a 4xx ("*": every field)."""
    return raw, set(refused_in)


DATES = ("date", "date-time")
#: name -> (raw JSON text, kinds of field that must answer 4xx to it)
SHAPES = {
    "lone surrogate": _shape('"\\ud800"'),
    "1e400": _shape("1e400"),
    "-1e400": _shape("-1e400"),
    "NaN": _shape("NaN"),
    "beyond 64 bits": _shape("18446744073709551616", refused_in=("integer",)),
    "year 1": _shape('"0001-01-01"', refused_in=DATES),
    "year 9999": _shape('"9999-12-31"', refused_in=DATES),
    "year 1 at +14:00": _shape('"0001-01-01T00:00:00+14:00"', refused_in=DATES),
    "year 9999 at -12:00": _shape('"9999-12-31T23:59:59-12:00"', refused_in=DATES),
    "NUL": _shape('"a\\u0000b"', refused_in=()),
    "control characters": _shape('"An\\r\\nBEGIN:VEVENT\\u0007"', refused_in=()),
    "10,000 characters": _shape(json.dumps("ư" * 10_000), refused_in=()),
}
#: the same in a URL (query or path): text, so no JSON constants; a NUL is refused everywhere
URL_SHAPES = {
    "NUL": ("a\x00b", {"*"}),
    "beyond 64 bits": ("18446744073709551616", {"integer"}),
    "1e400": ("1e400", {"integer"}),
    "NaN": ("NaN", {"integer"}),
    "year 1": ("0001-01-01", {"date"}),
    "year 9999": ("9999-12-31", {"date"}),
    "control characters": ("An\r\nBEGIN:VEVENT\x07", set()),
    "10,000 characters": ("ư" * 10_000, set()),
}
DEEP = "[" * 200_000 + "]" * 200_000
#: every scan is a row of the scans log, even a refused one (issue 5; as in test_form_fuzz.py)
LOGGED_REFUSALS = "/api/v1/checkins"


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        node = DOCUMENT["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _kinds(field_schema) -> set[str]:
    """What a field is, in SHAPES' words: its type and its format."""
    field_schema = _resolve(field_schema)
    kinds = {"*"}
    for part in [field_schema, *field_schema.get("anyOf", [])]:
        part = _resolve(part)
        kinds |= {part.get("type", "enum" if "enum" in part else "any"), part.get("format", "")}
    return kinds - {""}


def _spots(operation):
    """(where, name, kinds) of every body field, query parameter and path parameter."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] in ("query", "path"):
            yield parameter["in"], parameter["name"], _kinds(parameter["schema"])
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        for name, field_schema in _resolve(body["schema"]).get("properties", {}).items():
            yield "body", name, _kinds(field_schema)
        yield "body", None, {"*"}  # the whole body: nested 200,000 deep


def _malformed_requests(case):
    """(label, path, query, raw body or None, must be refused) for each shape in each spot of
    schemathesis' valid request `case`."""
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    body = case.body if isinstance(case.body, dict) else None
    for where, name, kinds in _spots(operation):
        shapes = SHAPES if where == "body" else URL_SHAPES
        if name is None:
            shapes = {"nested 200,000 deep": (None, {"*"})}
        for shape, (value, refused_in) in shapes.items():
            path_parameters = dict(case.path_parameters or {})
            query = dict(case.query or {})
            raw = json.dumps(body) if body is not None else None
            if where == "path":
                path_parameters[name] = value
            elif where == "query":
                query[name] = value
            elif name is None:
                raw = DEEP
            else:
                raw = json.dumps({**body, name: "SHAPE"}).replace('"SHAPE"', value)
            path = case.operation.path.format(
                **{key: quote(str(v), safe="") for key, v in path_parameters.items()}
            )
            label = f"{case.method} {case.operation.path} {where} {name or ''} with {shape}"
            yield label, path, query, raw, bool(kinds & refused_in)


POSITIVE = schemathesis.openapi.from_dict(DOCUMENT)
POSITIVE.config.generation.update(modes=[GenerationMode.POSITIVE])


@POSITIVE.parametrize()
@settings(
    max_examples=1,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_field_of_every_operation_refuses_malformed_shapes_and_writes_nothing(
    case, app, world
):
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    problems = []
    for persona in ("volunteer", "coordinator"):
        client = sign_in(app, None)
        counts = row_counts()
        for label, path, query, raw, must_refuse in _malformed_requests(case):
            headers = headers_for(world, persona, path, language="vi")
            if raw is not None:
                headers["Content-Type"] = "application/json"
            response = client.open(
                path, method=case.method, query_string=query, data=raw, headers=headers
            )
            status, where = response.status_code, f"{persona} {label}"
            after = row_counts()
            if status >= 500:
                problems.append(f"{where}: {status}")
            elif must_refuse and status < 400:
                problems.append(f"{where}: accepted ({status})")
            elif str(status) not in operation["responses"]:
                problems.append(f"{where}: {status} is not documented")
            elif status >= 400:
                answer = response.get_json(silent=True) or {}
                if not isinstance(answer.get("error"), str) or not answer.get("message"):
                    problems.append(f"{where}: {status} without the error body")
                changed = {table for table in after if after[table] != counts[table]}
                if changed and not (changed == {"scans"} and path.startswith(LOGGED_REFUSALS)):
                    problems.append(f"{where}: {status} but the database changed")
            counts = after
    assert problems == [], "\n".join(problems)


# Found by the fuzzing above: an id beyond the database's integers failed in the driver (500).


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/shifts/9223372036854775808/bookings"),
        ("DELETE", "/api/v1/bookings/99999999999999999999"),
        ("POST", "/shifts/9223372036854775808/book"),
        ("GET", "/service-points/9223372036854775808/edit"),
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(app, world, method, path):
    persona = "coordinator" if "service-points" in path else "volunteer"
    client = sign_in(app, world.people[persona])
    response = client.open(path, method=method, headers=headers_for(world, persona, path))
    assert response.status_code == 404


# Found on PostgreSQL: a NUL character reached a query ("text fields cannot contain NUL").


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/api/v1/shifts?commune=0%00&date=2030-01-08", None),
        ("POST", "/api/v1/tokens", {"email": "\x00", "password": "x"}),
        ("POST", "/api/v1/tokens", {"email": "an@example.com", "password": "a\x00b"}),
    ],
)
def test_a_nul_character_in_an_api_request_is_a_400(app, world, method, path, body):
    client = sign_in(app, None)
    response = client.open(
        path, method=method, json=body, headers=headers_for(world, "volunteer", path)
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_a_nul_character_in_an_assist_is_an_unknown_procedure(app, world):
    path = "/api/v1/assists"
    body = {
        "id": "e3e70682-c209-4cac-a29f-6fbed82c07cd",
        "service_point": world.service_point.id,
        "procedure": "\x00",
        "channel": "paper",
        "level": "paper",
        "outcome": "submitted",
        "result_electronic": "no",
        "age_band": "18_39",
        "occurred_at": "2000-01-01T00:00:00Z",
    }
    client = sign_in(app, None)

    response = client.post(path, json=body, headers=headers_for(world, "volunteer", path))

    assert response.status_code == 404
