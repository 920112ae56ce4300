"""Scheduling tests' clock and shifts; campaign and service point are in tests/conftest.py."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from scheduling.models import Shift

#: the tests' "now": a Monday morning in Hanoi (07:00 local), well before every shift they make
NOW = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)


@pytest.fixture
def make_shift(campaign, service_point):
    """A shift starting `hours` after NOW (UTC), lasting `length` hours."""

    def make(hours=24, length=4, on=None, point=None):
        starts_at = NOW + timedelta(hours=hours)
        shift = Shift(
            campaign=on or campaign,
            service_point=point or service_point,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=length),
        )
        db.session.add(shift)
        db.session.flush()
        return shift

    return make


@pytest.fixture
def now():
    return NOW
