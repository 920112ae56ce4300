"""generate_shifts: every active service point of the campaign's communes, local times, once."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.places.models import ServicePoint
from scheduling.models import Shift
from scheduling.services import generate_shifts


def _shifts(campaign):
    return db.session.scalars(
        select(Shift).where(Shift.campaign_id == campaign.id).order_by(Shift.starts_at)
    ).all()


def test_default_pattern_makes_two_shifts_a_day_in_hanoi_time(make_campaign, service_point):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 9))

    assert generate_shifts(db.session, campaign).added == 6

    first, second = _shifts(campaign)[:2]
    # 07:30–11:30 and 13:30–17:30 in Asia/Ho_Chi_Minh (UTC+7)
    assert (first.starts_at, first.ends_at) == (
        datetime(2030, 1, 7, 0, 30, tzinfo=UTC),
        datetime(2030, 1, 7, 4, 30, tzinfo=UTC),
    )
    assert (second.starts_at, second.ends_at) == (
        datetime(2030, 1, 7, 6, 30, tzinfo=UTC),
        datetime(2030, 1, 7, 10, 30, tzinfo=UTC),
    )
    assert {s.service_point_id for s in _shifts(campaign)} == {service_point.id}


def test_running_it_again_adds_nothing(make_campaign, service_point):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 13))
    assert generate_shifts(db.session, campaign).added == 14
    assert generate_shifts(db.session, campaign).added == 0
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 14


def test_extending_the_campaign_adds_only_the_new_days(make_campaign, service_point):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 8))
    generate_shifts(db.session, campaign)
    campaign.ends_on = date(2030, 1, 10)
    assert generate_shifts(db.session, campaign).added == 4
    assert len(_shifts(campaign)) == 8


def test_only_the_chosen_weekdays_and_pattern(make_campaign, service_point):
    campaign = make_campaign(
        starts_on=date(2030, 1, 7),  # a Monday
        ends_on=date(2030, 1, 13),
        weekdays=[0, 2, 4],
        shift_pattern=[{"start": "18:00", "end": "21:00"}],
    )
    assert generate_shifts(db.session, campaign).added == 3
    assert [s.starts_at for s in _shifts(campaign)] == [
        datetime(2030, 1, 7, 11, 0, tzinfo=UTC),
        datetime(2030, 1, 9, 11, 0, tzinfo=UTC),
        datetime(2030, 1, 11, 11, 0, tzinfo=UTC),
    ]


def test_an_early_morning_shift_starts_the_previous_day_in_utc(make_campaign, service_point):
    campaign = make_campaign(
        starts_on=date(2030, 1, 7),
        ends_on=date(2030, 1, 7),
        shift_pattern=[{"start": "06:00", "end": "08:00"}],
    )
    generate_shifts(db.session, campaign)
    (shift,) = _shifts(campaign)
    assert shift.starts_at == datetime(2030, 1, 6, 23, 0, tzinfo=UTC)


def test_inactive_points_and_other_communes_get_no_shifts(
    make_campaign, service_point, bo_de, other_commune
):
    closed = ServicePoint(commune=bo_de, name="Điểm đã đóng", address="-", active=False)
    elsewhere = ServicePoint(commune=other_commune, name="Điểm phường khác", address="-")
    db.session.add_all([closed, elsewhere])
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 7))

    assert generate_shifts(db.session, campaign).added == 2
    assert {s.service_point_id for s in _shifts(campaign)} == {service_point.id}


def test_every_point_of_every_commune_taking_part(
    make_campaign, service_point, bo_de, other_commune
):
    second = ServicePoint(commune=bo_de, name="Điểm hỗ trợ tổ dân phố 5", address="-")
    elsewhere = ServicePoint(commune=other_commune, name="Điểm phường khác", address="-")
    db.session.add_all([second, elsewhere])
    campaign = make_campaign(
        communes=[bo_de, other_commune], starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 8)
    )
    assert generate_shifts(db.session, campaign).added == 3 * 2 * 2


def test_a_campaign_without_service_points_makes_nothing(make_campaign):
    assert generate_shifts(db.session, make_campaign()).added == 0


def test_slots_taken_by_another_campaign_are_reported_by_service_point(
    make_campaign, service_point
):
    first = make_campaign(name="Đợt 1", starts_on=date(2030, 1, 7), ends_on=date(2030, 1, 8))
    generate_shifts(db.session, first)
    second = make_campaign(name="Đợt 2", starts_on=date(2030, 1, 8), ends_on=date(2030, 1, 9))

    generated = generate_shifts(db.session, second)

    assert generated.added == 2  # 9 January only: 8 January's two slots belong to Đợt 1
    assert generated.skipped == {service_point.name: 2}
    assert generate_shifts(db.session, second).skipped == {service_point.name: 2}
    assert generate_shifts(db.session, first).skipped == {}  # its own shifts are not skips
