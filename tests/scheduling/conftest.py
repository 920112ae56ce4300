"""Scheduling tests' clock and shifts; campaign and service point are in tests/conftest.py."""

from datetime import UTC, datetime, timedelta

import pytest

#: the tests' "now": a Monday morning in Hanoi (07:00 local), well before every shift they make
NOW = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)


@pytest.fixture
def make_shift(campaign, service_point, add_shift):
    """A shift starting `hours` after NOW (UTC), lasting `length` hours.

    It asks for the test's campaign and service point so they exist from the start, whatever
    the shifts are made of."""

    def make(hours=24, length=4, on=None, point=None):
        return add_shift(NOW + timedelta(hours=hours), length, on=on, point=point)

    return make


@pytest.fixture
def now():
    return NOW
