"""Fixtures for the JSON API: a shift in Bồ Đề, bearer tokens, and a client that sends them."""

from datetime import UTC, datetime, timedelta

import pytest

from app.api.services import issue_token
from app.extensions import db
from scheduling.models import Shift

#: 07:00 in Hanoi on Tuesday 8 January 2030: far enough ahead for every booking and cancellation
MORNING = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def make_shift(campaign, service_point):
    """A four-hour shift starting at `starts_at` (default: MORNING)."""

    def make(starts_at=MORNING, point=None, hours=4):
        shift = Shift(
            campaign=campaign,
            service_point=point or service_point,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
        )
        db.session.add(shift)
        db.session.flush()
        return shift

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
