"""The product's day (app.localtime): Asia/Ho_Chi_Minh, UTC+7, whatever the server's zone."""

from datetime import UTC, date, datetime, time

import pytest

from app.localtime import (
    LOCAL_ZONE,
    local,
    local_date,
    local_day_bounds,
    local_days_bounds,
    local_periods,
    local_today,
    to_utc,
)


def test_a_hanoi_day_starts_at_17_utc_the_day_before():
    start, end = local_day_bounds(date(2025, 7, 15))
    assert start == datetime(2025, 7, 14, 17, 0, tzinfo=UTC)
    assert end == datetime(2025, 7, 15, 17, 0, tzinfo=UTC)


def test_local_date_turns_at_hanoi_midnight_not_utc_midnight():
    assert local_date(datetime(2025, 7, 14, 16, 59, 59, tzinfo=UTC)) == date(2025, 7, 14)
    assert local_date(datetime(2025, 7, 14, 17, 0, tzinfo=UTC)) == date(2025, 7, 15)
    # 23:30 UTC on the 14th is already the morning of the 15th in Hanoi
    assert local_today(datetime(2025, 7, 14, 23, 30, tzinfo=UTC)) == date(2025, 7, 15)


def test_an_instant_is_inside_the_bounds_of_its_local_day():
    for moment in (
        datetime(2025, 12, 31, 16, 59, tzinfo=UTC),
        datetime(2025, 12, 31, 17, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 5, 0, tzinfo=UTC),
    ):
        start, end = local_day_bounds(local_date(moment))
        assert start <= moment < end


def test_bounds_of_several_days_run_from_the_first_start_to_the_last_end():
    first, last = date(2025, 12, 31), date(2026, 1, 2)
    assert local_days_bounds(first, last) == (
        local_day_bounds(first)[0],
        local_day_bounds(last)[1],
    )


def test_a_local_date_and_clock_time_become_utc():
    assert to_utc(date(2025, 7, 15), time(7, 30)) == datetime(2025, 7, 15, 0, 30, tzinfo=UTC)
    assert to_utc(date(2025, 7, 15), time(3, 0)) == datetime(2025, 7, 14, 20, 0, tzinfo=UTC)
    assert local(datetime(2025, 7, 15, 0, 30, tzinfo=UTC)).time() == time(7, 30)
    assert local(datetime(2025, 7, 15, 0, 30, tzinfo=UTC)).tzinfo == LOCAL_ZONE


def test_a_day_pattern_gives_each_period_in_utc():
    pattern = [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:30"}]
    assert local_periods(date(2025, 7, 15), pattern) == [
        (datetime(2025, 7, 15, 0, 30, tzinfo=UTC), datetime(2025, 7, 15, 4, 30, tzinfo=UTC)),
        (datetime(2025, 7, 15, 6, 30, tzinfo=UTC), datetime(2025, 7, 15, 10, 30, tzinfo=UTC)),
    ]


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        local_periods(date(2025, 7, 15), [{"start": "22:00", "end": "06:00"}])
