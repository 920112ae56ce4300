"""Fixtures for the JSON API: a shift in Bồ Đề, bearer tokens, and a client that sends them."""

from datetime import UTC, datetime

import pytest

from app.api.services import issue_token
from app.extensions import db

#: 07:00 in Hanoi on Tuesday 8 January 2030: far enough ahead for every booking and cancellation
MORNING = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def make_shift(campaign, service_point, add_shift):
    """A four-hour shift starting at `starts_at` (default: MORNING).

    It asks for the test's campaign and service point so they exist from the start."""

    def make(starts_at=MORNING, point=None, hours=4):
        return add_shift(starts_at, hours, point=point)

    return make


@pytest.fixture
def shift(make_shift):
    return make_shift()


@pytest.fixture
def bearer():
    """Issue a token for the user and return the Authorization header that carries it."""

    def headers(user, language="en"):
        return {
            "Authorization": f"Bearer {issue_token(db.session, user)}",
            "Accept-Language": language,
        }

    return headers
