"""Scheduling tests' clock; campaign, service point and shifts are in tests/conftest.py."""

import pytest

from tests.harness import NOW


@pytest.fixture
def now():
    """The tests' "now" (tests.harness.NOW): a Monday morning, before every shift they make."""
    return NOW
