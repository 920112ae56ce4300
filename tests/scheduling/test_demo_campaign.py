"""`flask demo`'s "45 ngày đêm" campaign: idempotent, and a coverage board worth looking at."""

from datetime import timedelta

from sqlalchemy import func, select

from app.database import utcnow
from app.demo import load_demo
from app.extensions import db
from app.localtime import local_today
from app.places.models import Commune, ServicePoint
from scheduling.models import Booking, BookingStatus, Campaign, Shift
from scheduling.teams.models import Team, TeamMember


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _confirmed_per_shift(extra=None):
    confirmed = func.sum(
        func.coalesce((Booking.status == BookingStatus.CONFIRMED).cast(db.Integer), 0)
    )
    stmt = (
        select(Shift.id, confirmed)
        .outerjoin(Booking, Booking.shift_id == Shift.id)
        .group_by(Shift.id)
    )
    if extra is not None:
        stmt = extra(stmt)
    return dict(db.session.execute(stmt).all())


def test_demo_campaign_is_idempotent_and_shows_full_partial_and_understaffed_shifts(app, bo_de):
    first = load_demo(db.session)
    db.session.commit()
    campaign = db.session.scalar(select(Campaign))
    assert campaign.name == "45 ngày đêm"
    assert campaign.starts_on == local_today()
    assert campaign.ends_on == local_today() + timedelta(days=44)
    assert len(campaign.communes) == 126
    assert first["shifts"] == _count(Shift) == 126 * 45 * 2
    assert first["teams"] == _count(Team) == 20
    assert _count(TeamMember) == 600

    counts = (_count(Shift), _count(Team), _count(TeamMember), _count(Booking))
    again = load_demo(db.session)
    db.session.commit()
    assert (again["shifts"], again["teams"], again["bookings"]) == (0, 0, 0)
    assert (_count(Shift), _count(Team), _count(TeamMember), _count(Booking)) == counts

    confirmed = _confirmed_per_shift()
    assert max(confirmed.values()) == 8  # never over capacity
    assert any(n == 8 for n in confirmed.values())
    assert any(5 <= n <= 7 for n in confirmed.values())
    assert any(0 < n < 5 for n in confirmed.values())
    assert _count_status(BookingStatus.WAITLISTED) > 0
    # nobody holds two shifts at the same time
    overlapping = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .group_by(Booking.user_id, Shift.starts_at)
        .having(func.count() > 1)
        .limit(1)
    )
    assert overlapping is None

    # Phường Bồ Đề: well staffed, a couple of understaffed shifts in the next 72 hours
    now = utcnow()
    bo_de_next = _confirmed_per_shift(
        lambda stmt: (
            stmt.join(ServicePoint, ServicePoint.id == Shift.service_point_id)
            .join(Commune, Commune.id == ServicePoint.commune_id)
            .where(
                Commune.id == bo_de.id,
                Shift.starts_at > now,
                Shift.starts_at < now + timedelta(hours=72),
            )
        )
    )
    assert 1 <= sum(n < 5 for n in bo_de_next.values()) <= 2
    assert sum(n >= 5 for n in bo_de_next.values()) >= 3


def _count_status(status):
    return db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status == status)
    )


def test_demo_assists_are_dated_within_shifts_their_volunteers_booked(app, bo_de):
    from sqlalchemy import select

    from impact.assists.models import AssistedSubmission
    from impact.dashboard.demo import load_demo_assists
    from scheduling.models import Booking, BookingStatus, Shift

    load_demo(db.session)
    # the demo campaign starts today: ten days on, its booked shifts have run
    hanoi = bo_de.province
    db.session.execute(db.delete(AssistedSubmission))
    later = min(db.session.scalars(select(Shift.starts_at)).all()) + timedelta(days=10)
    assert load_demo_assists(db.session, hanoi.id, now=later) > 0
    rows = db.session.execute(
        select(AssistedSubmission, Shift, Booking)
        .join(Shift, Shift.id == AssistedSubmission.shift_id)
        .join(
            Booking,
            (Booking.shift_id == Shift.id)
            & (Booking.user_id == AssistedSubmission.volunteer_id)
            & (Booking.status == BookingStatus.CONFIRMED),
        )
    ).all()
    stored = db.session.scalar(select(db.func.count()).select_from(AssistedSubmission))
    assert len(rows) == stored
    for entry, shift, _booking in rows:
        assert shift.starts_at <= entry.occurred_at <= shift.ends_at
        assert entry.occurred_at <= entry.received_at <= later


def test_demo_assists_are_never_dated_after_now_even_in_a_running_shift(app, bo_de):
    from sqlalchemy import select

    from impact.assists.models import AssistedSubmission
    from impact.dashboard.demo import load_demo_assists
    from scheduling.models import Shift

    load_demo(db.session)
    db.session.execute(db.delete(AssistedSubmission))
    # one hour into the campaign's first shifts: they have started, none has ended
    now = min(db.session.scalars(select(Shift.starts_at)).all()) + timedelta(hours=1)

    assert load_demo_assists(db.session, bo_de.province.id, now=now) > 0
    latest = db.session.execute(
        select(func.max(AssistedSubmission.occurred_at), func.max(AssistedSubmission.received_at))
    ).one()
    assert latest[0] <= now and latest[1] <= now


def test_demo_campaign_asks_for_skills_so_the_board_shows_shifts_short_of_one(
    app, bo_de, coordinator
):
    from scheduling.coverage.services import CellState, shift_counts
    from scheduling.skills.models import SkillRequirement

    first = load_demo(db.session)
    db.session.commit()
    again = load_demo(db.session)
    campaign = db.session.scalar(select(Campaign))
    assert first["skill_requirements"] >= 2 and again["skill_requirements"] == 0
    assert _count(SkillRequirement) == first["skill_requirements"]

    start = utcnow()
    counts = [
        c
        for c in shift_counts(
            db.session,
            campaign,
            coordinator,
            starts_from=start,
            starts_before=start + timedelta(days=13),
        )
        if c.confirmed > 0
    ]
    short = [c for c in counts if not c.short_of_people and c.lacking]
    assert short and all(c.state == CellState.UNDERSTAFFED for c in short)
    assert {n.code for c in short for n in c.lacking} <= {"digital_signature", "vneid"}
    assert any(c.skills and not c.lacking for c in counts)  # some have what is asked
