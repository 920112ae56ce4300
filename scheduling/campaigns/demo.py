"""The demo's "45 ngày đêm" campaign: Hanoi's 126 communes, its shifts, teams and bookings.

Bulk inserts keep `flask demo` fast (about 11,000 shifts and 15,000 bookings); every step adds
only what is missing, so a second run adds nothing.
"""

import random
from datetime import timedelta

from sqlalchemy import func, insert, select

from app.auth.models import User
from app.database import utcnow
from app.localtime import local_day_bounds, local_periods, local_today
from app.places.models import Commune, Province, ServicePoint
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.skills.models import SkillRequirement
from scheduling.teams.models import Team, TeamKind, TeamMember

CAMPAIGN = "45 ngày đêm"
DAYS = 45
#: days of bookings made from today: the first two weeks
BOOKED_DAYS = 14
TEAM_SIZE = 30
#: youth-union branches of wards (by the ward's name) and university classes of the city
WARD_BRANCHES = [
    "Phường Bồ Đề",
    "Phường Ba Đình",
    "Phường Hoàn Kiếm",
    "Phường Long Biên",
    "Phường Cầu Giấy",
    "Phường Đống Đa",
    "Phường Hai Bà Trưng",
    "Phường Hoàng Mai",
    "Phường Thanh Xuân",
    "Phường Tây Hồ",
    "Phường Hà Đông",
    "Phường Việt Hưng",
]
UNIVERSITY_CLASSES = [
    "Lớp K67-CNTT1, Đại học Bách khoa Hà Nội",
    "Lớp K68-KHMT2, Đại học Bách khoa Hà Nội",
    "Lớp D21CQCN01-B, Học viện Công nghệ Bưu chính Viễn thông",
    "Lớp D22CQAT02-B, Học viện Công nghệ Bưu chính Viễn thông",
    "Lớp QH-2022-I/CQ-C-A, Trường Đại học Công nghệ – ĐHQGHN",
    "Lớp 64HTTT1, Đại học Thủy lợi",
    "Lớp K65-CNTT, Đại học Giao thông Vận tải",
    "Lớp Luật K47, Đại học Luật Hà Nội",
]


def load_campaign_demo(session, hanoi: Province, bo_de: Commune, now=None) -> dict[str, int]:
    """Add what is missing of the demo campaign, its shifts, teams and bookings."""
    now = now or utcnow()
    campaign = session.scalar(
        select(Campaign).where(Campaign.name == CAMPAIGN, Campaign.province_id == hanoi.id)
    )
    if campaign is None:
        today = local_today(now)
        communes = session.scalars(
            select(Commune).where(Commune.province_id == hanoi.id).order_by(Commune.code)
        ).all()
        campaign = Campaign(
            name=CAMPAIGN,
            province_id=hanoi.id,
            starts_on=today,
            ends_on=today + timedelta(days=DAYS - 1),
            min_per_shift=5,
            max_per_shift=8,
            communes=list(communes),
        )
        session.add(campaign)
        session.flush()
    shifts = _add_shifts(session, campaign, now)
    teams, volunteers = _add_teams(session, hanoi)
    bookings = _add_bookings(session, campaign, bo_de, now)
    requirements = _add_skill_requirements(session, campaign, bo_de)
    return {
        "shifts": shifts,
        "teams": teams,
        "team_members": volunteers,
        "bookings": bookings,
        "skill_requirements": requirements,
    }


#: communes (by name) whose service points ask for two people who guide residents in VNeID
VNEID_COMMUNES = ("Phường Ba Đình", "Phường Hoàn Kiếm", "Phường Long Biên")


def _add_skill_requirements(session, campaign: Campaign, bo_de: Commune) -> int:
    """Once: Phường Bồ Đề's points ask for one person with a digital signature on each shift
    (its officers lack one, DESIGN.md), three central wards' points for two who guide VNeID;
    so the coverage board shows shifts short of a skill, with the reason."""
    if session.scalar(
        select(SkillRequirement.id).where(SkillRequirement.campaign_id == campaign.id).limit(1)
    ):
        return 0
    wanted = [(bo_de.id, "digital_signature", 1)]
    for name in VNEID_COMMUNES:
        commune = session.scalar(
            select(Commune).where(Commune.province_id == campaign.province_id, Commune.name == name)
        )
        if commune is not None:
            wanted.append((commune.id, "vneid", 2))
    added = 0
    for commune_id, skill, minimum in wanted:
        for point_id in session.scalars(
            select(ServicePoint.id).where(
                ServicePoint.commune_id == commune_id, ServicePoint.active.is_(True)
            )
        ):
            session.add(
                SkillRequirement(
                    campaign_id=campaign.id,
                    skill_code=skill,
                    minimum=minimum,
                    service_point_id=point_id,
                )
            )
            added += 1
    session.flush()
    return added


def _add_shifts(session, campaign: Campaign, now) -> int:
    """Insert the campaign's missing shifts in one statement (generate_shifts, in bulk)."""
    commune_ids = [c.id for c in campaign.communes]
    points = session.scalars(
        select(ServicePoint.id).where(
            ServicePoint.commune_id.in_(commune_ids), ServicePoint.active.is_(True)
        )
    ).all()
    window_start, _ = local_day_bounds(campaign.starts_on)
    _, window_end = local_day_bounds(campaign.ends_on)
    existing = {
        tuple(row)
        for row in session.execute(
            select(Shift.service_point_id, Shift.starts_at, Shift.ends_at).where(
                Shift.starts_at >= window_start, Shift.starts_at < window_end
            )
        )
    }
    rows = []
    day = campaign.starts_on
    while day <= campaign.ends_on:
        if day.weekday() in campaign.weekdays:
            for starts_at, ends_at in local_periods(day, campaign.shift_pattern):
                for point_id in points:
                    if (point_id, starts_at, ends_at) not in existing:
                        rows.append(
                            {
                                "campaign_id": campaign.id,
                                "service_point_id": point_id,
                                "starts_at": starts_at,
                                "ends_at": ends_at,
                                "status": ShiftStatus.ACTIVE,
                                "created_at": now,
                            }
                        )
        day += timedelta(days=1)
    if rows:
        session.execute(insert(Shift), rows)
    return len(rows)


def _demo_volunteers(session) -> list[User]:
    users = session.scalars(select(User).where(User.email.like("volunteer%@demo.local"))).all()
    return sorted(users, key=lambda u: int(u.email[len("volunteer") : -len("@demo.local")]))


def _add_teams(session, hanoi: Province) -> tuple[int, int]:
    """Twenty teams of thirty demo volunteers: ward youth branches and university classes."""
    names = {n for (n,) in session.execute(select(Team.name).where(Team.province_id == hanoi.id))}
    wards = {
        c.name: c
        for c in session.scalars(
            select(Commune).where(Commune.province_id == hanoi.id, Commune.name.in_(WARD_BRANCHES))
        )
    }
    specs = [
        (
            f"Chi đoàn thanh niên {ward.removeprefix('Phường ').strip()}",
            TeamKind.YOUTH_BRANCH,
            wards.get(ward),
        )
        for ward in WARD_BRANCHES
    ] + [(name, TeamKind.UNIVERSITY_CLASS, None) for name in UNIVERSITY_CLASSES]
    volunteers = _demo_volunteers(session)
    teams = members = 0
    for index, (name, kind, commune) in enumerate(specs):
        if name in names:
            continue
        people = volunteers[index * TEAM_SIZE : (index + 1) * TEAM_SIZE]
        team = Team(
            name=name,
            kind=kind,
            province_id=hanoi.id,
            commune_id=commune.id if commune else None,
            leader_id=people[0].id if people else None,
        )
        session.add(team)
        session.flush()
        session.execute(insert(TeamMember), [{"team_id": team.id, "user_id": p.id} for p in people])
        teams += 1
        members += len(people)
    return teams, members


def _targets(rng: random.Random, week: int) -> tuple[int, int]:
    """(confirmed, waitlisted) wanted on one shift: a mix of full, partial and understaffed."""
    roll = rng.random()
    full, partial = (0.12, 0.45) if week == 0 else (0.06, 0.30)
    if roll < full:
        return 8, rng.choice((0, 0, 0, 0, 0, 1, 2))
    if roll < partial:
        return rng.randint(5, 7), 0
    return rng.randint(0, 4), 0


def _add_bookings(session, campaign: Campaign, bo_de: Commune, now) -> int:
    """Bookings for the first two weeks, once: the coverage board shows every kind of shift.

    Phường Bồ Đề is well staffed by its own youth branch, but for two understaffed shifts among
    the next ones. Nobody holds two shifts of one slot, so no one has an overlap.
    """
    has_bookings = session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Shift.campaign_id == campaign.id)
    )
    if has_bookings:
        return 0
    volunteers = _demo_volunteers(session)
    if not volunteers:
        return 0
    bo_de_team = session.scalar(
        select(Team).where(Team.commune_id == bo_de.id, Team.kind == TeamKind.YOUTH_BRANCH)
    )
    locals_ = (
        set(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == bo_de_team.id)))
        if bo_de_team
        else set()
    )
    bo_de_people = [v.id for v in volunteers if v.id in locals_]
    others = [v.id for v in volunteers if v.id not in locals_]
    start, _ = local_day_bounds(campaign.starts_on)
    _, end = local_day_bounds(campaign.starts_on + timedelta(days=BOOKED_DAYS - 1))
    rows = session.execute(
        select(Shift.id, Shift.starts_at, ServicePoint.commune_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        .where(Shift.campaign_id == campaign.id, Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    slots: dict = {}
    for shift_id, starts_at, commune_id in rows:
        slots.setdefault(starts_at, []).append((shift_id, commune_id))
    rng = random.Random(45)
    bookings = []
    upcoming_bo_de = 0
    cursor = 0
    for starts_at, shifts in sorted(slots.items()):
        week = 0 if starts_at < start + timedelta(days=7) else 1
        used: set[int] = set()
        local_pool = list(bo_de_people)
        rng.shuffle(local_pool)
        for shift_id, commune_id in shifts:
            if commune_id == bo_de.id:
                wanted, waiting = rng.choice(((8, 1), (8, 0), (7, 0), (6, 0), (8, 0)))
                if starts_at > now:
                    upcoming_bo_de += 1
                    if upcoming_bo_de in (2, 5):  # two understaffed shifts in the next days
                        wanted, waiting = (3 if upcoming_bo_de == 2 else 4), 0
                pool = local_pool
            else:
                wanted, waiting = _targets(rng, week)
                pool = None
            people = []
            while len(people) < wanted + waiting:
                if pool:
                    person = pool.pop()
                else:
                    # take the next volunteers of the city in turn, skipping those busy this slot
                    person = None
                    for _ in range(len(others)):
                        candidate = others[cursor % len(others)]
                        cursor += 1
                        if candidate not in used:
                            person = candidate
                            break
                    if person is None:
                        break
                if person in used:
                    continue
                used.add(person)
                people.append(person)
            for position, person in enumerate(people):
                confirmed = position < wanted
                bookings.append(
                    {
                        "shift_id": shift_id,
                        "user_id": person,
                        "status": BookingStatus.CONFIRMED
                        if confirmed
                        else BookingStatus.WAITLISTED,
                        # booked a few days ago, the waitlist after the confirmed places
                        "created_at": now - timedelta(days=3, minutes=-position),
                        "cancelled_at": None,
                    }
                )
    if bookings:
        session.execute(insert(Booking), bookings)
    return len(bookings)
