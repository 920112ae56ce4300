"""Factories for scheduling tests: a campaign in Bồ Đề, its service point, shifts and volunteers."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.models import Campaign, Shift

#: the tests' "now": a Monday morning in Hanoi (07:00 local), well before every shift they make
NOW = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)


@pytest.fixture
def service_point(bo_de):
    point = ServicePoint(
        commune=bo_de,
        name="Trung tâm Phục vụ hành chính công phường Bồ Đề",
        address="Số 1 Bồ Đề, Hà Nội",
    )
    db.session.add(point)
    db.session.flush()
    return point


@pytest.fixture
def make_campaign(hanoi, bo_de):
    def make(communes=None, **fields):
        campaign = Campaign(
            name=fields.pop("name", "45 ngày đêm"),
            province=hanoi,
            starts_on=fields.pop("starts_on", date(2030, 1, 7)),
            ends_on=fields.pop("ends_on", date(2030, 2, 20)),
            communes=communes if communes is not None else [bo_de],
            **fields,
        )
        db.session.add(campaign)
        db.session.flush()
        return campaign

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


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
def make_volunteer(make_user, bo_de):
    def make(**fields):
        return make_user(Role.VOLUNTEER, home_commune=bo_de, **fields)

    return make


@pytest.fixture
def now():
    return NOW
