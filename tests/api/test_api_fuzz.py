"""Schemathesis fuzzes every operation of /api/v1/openapi.json with a volunteer's and a
coordinator's bearer token: no answer is a 5xx and every answer matches the documented schema.

Bounded and reproducible: at most MAX_EXAMPLES examples per operation, derandomised. A new API
route joins by declaring its @operation (app/api/openapi.py; tests/api/test_api_openapi.py
requires it). A failing example is printed with a curl command to reproduce it.
"""

import pytest
import schemathesis
from harness import build_world, headers_for, sign_in
from hypothesis import HealthCheck, settings
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
schema = schemathesis.openapi.from_dict(openapi.document(create_app({"SECRET_KEY": "fuzz"})))

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
