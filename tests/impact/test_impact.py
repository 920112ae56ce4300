"""The impact figures: they equal counts made directly in the log, and each scope sees its own."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.places.models import Commune, ServicePoint
from impact.assists.models import AssistedSubmission
from impact.assists.services import record_assist, undo_assist
from impact.dashboard import services
from impact.dashboard.models import COUNTERS, AssistDailyCount, ProvinceDailyCount
from impact.procedures.services import import_procedures

DAY = date(2030, 1, 8)
#: 09:00 in Hanoi on DAY
MORNING = datetime(2030, 1, 8, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def procedures():
    import_procedures(db.session)


@pytest.fixture
def log(admin, service_point, assist_entry, app, monkeypatch):
    """Log an assisted submission as it is sent at the counter (by an admin, who may log at
    any point on its day: who may log what is tested in tests/app/test_assist_admission.py)."""
    monkeypatch.setitem(app.config, "ASSIST_HOURLY_LIMIT", 100_000)

    def entry(point=None, at=MORNING, **fields):
        data = assist_entry(
            **{
                "service_point": (point or service_point).id,
                "channel": "national_portal",
                "level": "partly_online",
                "age_band": "40_59",
                "vulnerable": False,
                "occurred_at": at.isoformat(),
                **fields,
            }
        )
        row, created = record_assist(db.session, admin, data, now=at + timedelta(minutes=1))
        assert created
        return row

    return entry


@pytest.fixture
def far_point(hanoi):
    """A service point in a commune of another province than Hanoi."""
    commune = db.session.scalars(
        select(Commune).where(Commune.province_id != hanoi.id).order_by(Commune.id).limit(1)
    ).one()
    point = ServicePoint(commune=commune, name="Trung tâm tỉnh khác", address="—")
    db.session.add(point)
    db.session.flush()
    return point


def _random_fields(rng):
    level = rng.choice(("partly_online", "fully_online", "paper"))
    submitted = rng.random() < 0.8
    return {
        "level": level,
        "channel": "paper" if level == "paper" else rng.choice(("national_portal", "vneid")),
        "outcome": "submitted" if submitted else "not_submitted",
        "reason": None if submitted else rng.choice(("network_down", "system_error", "other")),
        "result_electronic": rng.choice(("yes", "no", "not_yet")),
        "self_service": rng.random() < 0.3,
        "vulnerable": rng.random() < 0.2,
        "at_home": rng.random() < 0.1,
    }


def _direct_counts(rows):
    """The figures counted one row at a time, without SQL: the reference."""
    counts = Counter()
    for row in rows:
        if row.voided_at is not None:
            continue
        counts["total"] += 1
        submitted = row.outcome == "submitted"
        if submitted:
            counts["submitted"] += 1
            counts["submitted_online"] += row.level != "paper"
            counts["submitted_fully_online"] += row.level == "fully_online"
            counts[f"result_{row.result_electronic}"] += 1
        else:
            counts[f"reason_{row.reason}"] += 1
        for flag in ("self_service", "vulnerable", "at_home", "offline"):
            counts[flag] += bool(getattr(row, flag))
    return {name: counts[name] for name in COUNTERS}


def _rollup():
    return {
        (r.commune_id, r.day): tuple(getattr(r, n) for n in COUNTERS)
        for r in db.session.scalars(select(AssistDailyCount))
    }


def test_figures_equal_counts_made_directly_in_the_log(
    log, volunteer, service_point, other_point, hanoi
):
    rng = random.Random(7)
    rows = [
        log(
            point=rng.choice((service_point, other_point)),
            at=MORNING + timedelta(days=rng.randrange(3), minutes=rng.randrange(300)),
            **_random_fields(rng),
        )
        for _ in range(120)
    ]
    for row in rows[:5]:
        undo_assist(db.session, row, row.volunteer, now=row.received_at)
    scope = services.Scope(start=DAY, end=DAY + timedelta(days=2), province_id=hanoi.id)

    figures = services.impact_figures(db.session, scope)

    assert figures.totals == _direct_counts(db.session.scalars(select(AssistedSubmission)))
    assert figures.totals["total"] == 115
    by_day = Counter(r.occurred_on for r in rows[5:])
    assert figures.per_day == [(day, by_day[day]) for day in scope.days]
    kept = _rollup()
    assert services.rebuild_counts(db.session) == len(kept)
    assert _rollup() == kept


def _province_rollup():
    return {
        (r.province_id, r.day): tuple(getattr(r, n) for n in COUNTERS)
        for r in db.session.scalars(select(ProvinceDailyCount))
    }


def _communes_summed_by_province():
    """The communes' roll-up summed per province and day, in Python: the reference."""
    province_of = dict(db.session.execute(select(Commune.id, Commune.province_id)).all())
    sums: dict[tuple, list[int]] = {}
    for (commune_id, day), counts in _rollup().items():
        row = sums.setdefault((province_of[commune_id], day), [0] * len(COUNTERS))
        for n, count in enumerate(counts):
            row[n] += count
    return {key: tuple(row) for key, row in sums.items()}


def test_the_provinces_roll_up_is_the_sum_of_the_communes_after_logging_undoing_rebuilding(
    log, service_point, other_point, far_point
):
    rng = random.Random(17)
    rows = [
        log(
            point=rng.choice((service_point, other_point, far_point)),
            at=MORNING + timedelta(days=rng.randrange(3), minutes=rng.randrange(300)),
            **_random_fields(rng),
        )
        for _ in range(90)
    ]
    logged = _province_rollup()
    assert logged == _communes_summed_by_province()
    assert len({province for province, _day in logged}) == 2

    for row in rows[:9]:
        undo_assist(db.session, row, row.volunteer, now=row.received_at)
    undone = _province_rollup()
    assert undone == _communes_summed_by_province()
    assert sum(counts[0] for counts in undone.values()) == 81

    services.rebuild_counts(db.session)
    assert _province_rollup() == _communes_summed_by_province()
    assert _province_rollup() == {k: v for k, v in undone.items() if any(v)}
    country = services.country_figures(
        db.session, services.Scope(start=DAY, end=DAY + timedelta(2))
    )
    assert country.totals == _direct_counts(db.session.scalars(select(AssistedSubmission)))


def test_shares_are_measured_against_the_city_targets(log, bo_de):
    for _ in range(6):
        log(level="partly_online")
    for _ in range(2):
        log(level="fully_online", result_electronic="no")
    for _ in range(2):
        log(level="paper", channel="paper", self_service=True)
    log(outcome="not_submitted", reason="missing_signature")

    figures = services.impact_figures(
        db.session, services.Scope(start=DAY, end=DAY, commune_ids=frozenset({bo_de.id}))
    )

    assert figures.shares == {
        "online": 0.8,
        "fully_online": 0.2,
        "result_electronic": 0.8,
        "self_service": 2 / 11,
    }
    assert figures.reasons == [("missing_signature", 1)]


def test_reasons_are_ranked_most_frequent_first(log):
    for reason, times in (("system_error", 1), ("network_down", 3), ("no_account", 2)):
        for _ in range(times):
            log(outcome="not_submitted", reason=reason)

    figures = services.impact_figures(db.session, services.Scope(start=DAY, end=DAY))

    assert figures.reasons == [("network_down", 3), ("no_account", 2), ("system_error", 1)]


def test_a_scope_counts_only_its_communes_and_days(log, bo_de, other_point):
    log()
    log(point=other_point)
    log(at=MORNING + timedelta(days=1))

    figures = services.impact_figures(
        db.session, services.Scope(start=DAY, end=DAY, commune_ids=frozenset({bo_de.id}))
    )

    assert figures.totals["total"] == 1
    assert [c.commune for c in figures.communes] == [bo_de]


def test_communes_are_ranked_only_with_enough_dossiers(log, other_point, bo_de):
    for _ in range(services.RANKING_MINIMUM):
        log(level="paper", channel="paper")
    for _ in range(services.RANKING_MINIMUM - 1):
        log(point=other_point)

    figures = services.impact_figures(db.session, services.Scope(start=DAY, end=DAY))

    assert [c.commune for c in figures.leading] == [bo_de]
    assert figures.leading[0].online_share == 0


def test_shift_coverage_counts_shifts_at_their_minimum(campaign, make_shift, make_volunteer, bo_de):
    start = datetime(2030, 1, 8, 0, 30, tzinfo=UTC)  # 07:30 in Hanoi
    people = [make_volunteer() for _ in range(campaign.min_per_shift)]
    make_shift(start, booked=people)
    make_shift(start + timedelta(hours=6), booked=people[:1])

    coverage, _attendance = services.shift_figures(
        db.session, services.campaign_scope(campaign, DAY, DAY), now=MORNING
    )

    assert coverage == {
        "total": 2,
        "covered": 1,
        "understaffed": 1,
        "booked_hours": 4.0 * (campaign.min_per_shift + 1),
    }


def test_a_range_longer_than_a_year_is_refused():
    with pytest.raises(services.ImpactError):
        services.Scope(start=DAY, end=DAY + timedelta(days=services.MAX_DAYS))
    with pytest.raises(services.ImpactError):
        services.Scope(start=DAY, end=DAY - timedelta(days=1))


def test_the_roll_up_holds_one_row_per_commune_and_day(log):
    for _ in range(3):
        log()

    assert db.session.scalar(select(func.count()).select_from(AssistDailyCount)) == 1


def test_the_demo_gives_the_dashboard_a_story(runner, hanoi):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert "3000 assisted submissions created" in first.output, first.output
    assert "0 assisted submissions created" in second.output
    today = local_today()
    figures = services.impact_figures(
        db.session, services.dated_scope(today, today - timedelta(days=13), province_id=hanoi.id)
    )
    assert figures.totals["total"] == 3000
    assert 0.5 < figures.shares["online"] < 1
    assert len(figures.reasons) == 6
    assert len(figures.leading) == len(figures.lagging) == 5


def test_hours_attended_and_no_shows_count_ended_shifts(campaign, make_shift, make_volunteer):
    from scheduling.checkin.models import Attendance

    start = datetime(2030, 1, 8, 0, 30, tzinfo=UTC)
    came, stayed_away = make_volunteer(), make_volunteer()
    shift = make_shift(start, booked=[came, stayed_away])
    (came_booking,) = [booking for booking in shift.bookings if booking.user is came]
    # checked in 30 minutes late, never checked out: counted until the shift's end
    db.session.add(
        Attendance(booking_id=came_booking.id, checked_in_at=start + timedelta(minutes=30))
    )
    db.session.flush()

    shifts, figures = services.shift_figures(
        db.session, services.campaign_scope(campaign, DAY, DAY), now=start + timedelta(days=1)
    )

    assert figures == {
        "attended_hours": 3.5,
        "ended_bookings": 2,
        "no_shows": 1,
        "no_show_rate": 0.5,
    }
    assert shifts["booked_hours"] == 8.0  # two confirmed places of four hours


def test_lessons_and_mastery_count_in_the_learners_home_commune_and_day(bo_de, other_commune):
    from courses.learners.services import join_as_resident
    from courses.learning.models import Certificate, LessonProgress
    from courses.models import Course
    from courses.services import import_courses

    import_courses(db.session)
    course = db.session.scalar(select(Course).where(Course.slug == "vneid"))
    here, _code = join_as_resident(db.session, full_name="Trần Thị Bình", home_commune=bo_de)
    there, _code = join_as_resident(db.session, full_name="Lê Văn An", home_commune=other_commune)
    late_evening = datetime(2030, 1, 8, 16, 30, tzinfo=UTC)  # 23:30 in Hanoi, still DAY
    next_morning = datetime(2030, 1, 8, 17, 30, tzinfo=UTC)  # 00:30 on the next day in Hanoi
    for lesson, at in zip(course.lessons[:3], (MORNING, late_evening, next_morning), strict=True):
        db.session.add(LessonProgress(user_id=here.id, lesson_id=lesson.id, completed_at=at))
    db.session.add(
        LessonProgress(user_id=there.id, lesson_id=course.lessons[0].id, completed_at=MORNING)
    )
    db.session.add_all(
        Certificate(
            number=number,
            user_id=user.id,
            course_id=course.id,
            name=user.full_name,
            commune_id=user.home_commune_id,
            score=90,
            issued_at=MORNING,
        )
        for number, user in (("a1", here), ("b2", there))
    )
    db.session.flush()

    in_bo_de = services.Scope(start=DAY, end=DAY, commune_ids=frozenset({bo_de.id}))
    everywhere = services.Scope(start=DAY, end=DAY)

    assert services.learning(db.session, in_bo_de) == {
        "lessons_completed": 2,
        "learners": 1,
        "courses_mastered": 1,
    }
    assert services.impact_figures(db.session, everywhere).learning == {
        "lessons_completed": 3,
        "learners": 2,
        "courses_mastered": 2,
    }


def test_only_shifts_started_or_within_72_hours_count_as_understaffed(
    campaign, make_shift, make_volunteer
):
    start = datetime(2030, 1, 8, 0, 30, tzinfo=UTC)
    make_shift(start)  # started, nobody booked
    make_shift(start + timedelta(days=2))  # within 72 hours
    make_shift(start + timedelta(days=10))  # weeks away: not staffed yet

    coverage, _attendance = services.shift_figures(
        db.session, services.campaign_scope(campaign), now=start + timedelta(hours=1)
    )

    assert (coverage["total"], coverage["covered"], coverage["understaffed"]) == (3, 0, 2)


def test_a_campaign_by_default_covers_its_days_so_far(make_campaign):
    campaign = make_campaign(starts_on=date(2030, 1, 7), ends_on=date(2030, 2, 20))

    so_far = services.campaign_scope(campaign, today=date(2030, 1, 20))
    before = services.campaign_scope(campaign, today=date(2029, 12, 1))
    after = services.campaign_scope(campaign, today=date(2030, 3, 1))
    asked = services.campaign_scope(campaign, end=date(2030, 2, 1), today=date(2030, 1, 20))

    assert (so_far.start, so_far.end) == (date(2030, 1, 7), date(2030, 1, 20))
    assert (before.start, before.end) == (date(2030, 1, 7), date(2030, 1, 7))
    assert after.end == date(2030, 2, 20)
    assert asked.end == date(2030, 2, 1)
