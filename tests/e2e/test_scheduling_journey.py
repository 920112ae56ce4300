"""Scheduling on a phone: a volunteer books, cancels, waits and is promoted; a coordinator places
a team on a week of shifts and reads the report person by person."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.database import begin_write
from app.extensions import db
from app.localtime import LOCAL_ZONE, local_today
from app.roles import Role
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import Booking, Shift
from scheduling.teams.models import Team, TeamKind, TeamMember
from tests.e2e.journey import PHONE, in_english, in_menu, sign_in


def _at(day, start):
    return datetime.combine(day, time.fromisoformat(start), tzinfo=LOCAL_ZONE)


@pytest.fixture
def second_point(bo_de):
    from app.places.models import ServicePoint

    point = ServicePoint(commune=bo_de, name="Điểm tiếp dân khu dân cư số 5", address="Bồ Đề")
    db.session.add(point)
    db.session.flush()
    return point


def test_volunteer_books_cancels_waits_and_is_promoted(
    page, axe, screenshots, make_campaign, make_volunteer, service_point, second_point, make_shift
):
    page.set_viewport_size(PHONE)
    day = local_today() + timedelta(days=2)  # well before the 12-hour cancellation deadline
    open_campaign = make_campaign(starts_on=day, ends_on=day + timedelta(days=6))
    tight = make_campaign(
        starts_on=day, ends_on=day + timedelta(days=6), min_per_shift=1, max_per_shift=1
    )
    make_shift(_at(day, "07:30"), point=service_point, on=open_campaign)
    full = make_shift(_at(day, "13:30"), point=second_point, on=tight)
    an = make_volunteer(full_name="Nguyễn Văn An", email="an@example.com")
    binh = make_volunteer(full_name="Trần Thị Bình", email="binh@example.com")
    begin_write(db.session)
    book_shift(db.session, full, binh)
    db.session.commit()

    in_english(page)
    sign_in(page, an)
    page.goto(f"/shifts?day={day.isoformat()}")
    axe(page)
    page.get_by_role("button", name=re.compile(r"^Book Trung tâm")).click()
    expect(page.get_by_role("status")).to_contain_text("Booked:")

    in_menu(page, "link", "Shifts I booked").click()
    page.get_by_role("button", name=re.compile(r"^Cancel")).click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled:")

    page.goto(f"/shifts?day={day.isoformat()}")
    page.get_by_role("button", name=re.compile(r"^Join the waitlist")).click()
    expect(page.get_by_role("status")).to_contain_text("number 1 on the waitlist")
    in_menu(page, "link", "Shifts I booked").click()
    item = page.locator("li", has_text="Điểm tiếp dân khu dân cư số 5")
    expect(item).to_contain_text("On the waitlist")
    page.screenshot(path=str(screenshots / "my-shifts-waitlisted-360.png"), full_page=True)

    # Bình gives up her place: the first on the waitlist moves up. (End the test's read
    # transaction first: the live server wrote since it began.)
    db.session.rollback()
    begin_write(db.session)
    binh_booking = db.session.scalar(
        select(Booking).where(Booking.shift_id == full.id, Booking.user_id == binh.id)
    )
    promoted = cancel_booking(db.session, binh_booking)
    db.session.commit()
    assert promoted.user_id == an.id

    page.reload()
    expect(item).to_contain_text("Booked")
    expect(item).not_to_contain_text("On the waitlist")
    axe(page)
    page.screenshot(path=str(screenshots / "my-shifts-promoted-360.png"), full_page=True)


def test_coordinator_places_a_team_on_a_week_and_reads_the_report(
    page,
    axe,
    screenshots,
    make_campaign,
    make_volunteer,
    make_user,
    bo_de,
    service_point,
    second_point,
    make_shift,
):
    page.set_viewport_size(PHONE)
    start = local_today() + timedelta(days=1)
    campaign = make_campaign(
        starts_on=start, ends_on=start + timedelta(days=13), min_per_shift=2, max_per_shift=3
    )
    from scheduling.services import generate_shifts

    generate_shifts(db.session, campaign)
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]
    people = [make_volunteer(full_name=n) for n in names]
    team = Team(
        name="Chi đoàn phường Bồ Đề",
        kind=TeamKind.YOUTH_BRANCH,
        province_id=bo_de.province_id,
        commune_id=bo_de.id,
    )
    db.session.add(team)
    db.session.flush()
    db.session.add_all(TeamMember(team_id=team.id, user_id=p.id) for p in people)
    # An already holds a shift at another point on the first morning
    other = make_campaign(starts_on=start, ends_on=start, name="Hỗ trợ tại nhà")
    elsewhere = make_shift(_at(start, "08:00"), 2, point=second_point, on=other)
    begin_write(db.session)
    book_shift(db.session, elsewhere, people[0])
    coordinator = make_user(Role.COORDINATOR, commune=bo_de, email="bode@example.com")
    db.session.commit()

    in_english(page)
    sign_in(page, coordinator)
    in_menu(page, "link", "Teams").click()
    axe(page)
    page.get_by_role("link", name="Chi đoàn phường Bồ Đề").click()
    axe(page)
    page.screenshot(path=str(screenshots / "team-360.png"), full_page=True)
    page.get_by_role("link", name="Place on shifts").click()
    axe(page)
    page.get_by_label("Choose the campaign").select_option(label="45 ngày đêm")
    page.get_by_role("button", name="Show its service points").click()
    expect(page.get_by_label("From")).to_have_value(start.isoformat())
    expect(page.get_by_label("To (included)")).to_have_value(
        (start + timedelta(days=6)).isoformat()
    )
    page.get_by_role("button", name="Place them").click()

    report = page.locator(".placement-report")
    # 4 people × 14 shifts: the fourth of each shift finds it full, An's first morning overlaps
    expect(report.get_by_role("status")).to_contain_text("42 of 56 placements made.")
    for name in names:
        expect(report).to_contain_text(name)
    expect(report.locator("li", has_text="Nguyễn Văn An").first).to_contain_text(
        "It overlaps another shift they hold"
    )
    expect(report).to_contain_text("The shift is full.")
    axe(page)
    page.screenshot(path=str(screenshots / "placement-report-360.png"), full_page=True)
    report.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "placement-report-top-360.png"))

    # the staffing page of the first morning lists the three confirmed people; the placement
    # took the first point listed, "Điểm …" before "Trung tâm …" in Vietnamese order
    first_shift = db.session.scalar(
        select(Shift)
        .where(Shift.campaign_id == campaign.id, Shift.service_point_id == second_point.id)
        .order_by(Shift.starts_at)
    )
    page.goto(f"/shifts/{first_shift.id}/staff")
    expect(page.locator("main")).to_contain_text("3 of 3 booked")
    axe(page)
    page.screenshot(path=str(screenshots / "staff-shift-360.png"), full_page=True)
