"""A coordinator watches the coverage board change as volunteers book, then takes the roster."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import begin_write
from app.extensions import db
from app.localtime import local_date, local_today
from scheduling.booking.services import book_shift
from scheduling.models import Shift
from scheduling.services import generate_shifts
from tests.e2e.journey import PHONE, in_english, in_menu, sign_in

DESKTOP = {"width": 1280, "height": 900}


def test_coordinator_sees_the_board_change_and_downloads_the_roster(
    page, axe, screenshots, coordinator, make_campaign, service_point, make_volunteer, tmp_path
):
    today = local_today()
    campaign = make_campaign(starts_on=today, ends_on=today + timedelta(days=13))
    generate_shifts(db.session, campaign)
    tomorrow = today + timedelta(days=1)
    morning = min(
        (
            s
            for s in db.session.scalars(select(Shift).where(Shift.campaign_id == campaign.id))
            if local_date(s.starts_at) == tomorrow
        ),
        key=lambda s: s.starts_at,
    )
    db.session.commit()

    in_english(page)
    sign_in(page, coordinator)
    in_menu(page, "link", "Coverage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage")
    cell = page.locator(f"#shift-{morning.id}")
    expect(cell).to_contain_text("0/5/8")
    expect(cell).to_contain_text("Understaffed")
    soon = page.locator("section.coverage-soon")
    expect(soon).to_contain_text(service_point.name)
    axe(page)

    names = ["Nguyễn Thị Hương", "Trần Văn Bình", "Lê Minh Châu", "Phạm Thu Hà", "Hoàng Đức Anh"]
    db.session.commit()  # end the read the lines above began: the live server wrote since
    for name in names:
        begin_write(db.session)
        person = make_volunteer(full_name=name, phone="0912 000 111", organisation="Đoàn phường")
        book_shift(db.session, morning, person)
        db.session.commit()

    page.reload()
    expect(cell).to_contain_text("5/5/8")
    expect(cell).to_contain_text("Partly staffed")
    axe(page)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshots / "coverage-board-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots / "coverage-board-360.png"), full_page=True)
    page.locator(".coverage-wrap").screenshot(path=str(screenshots / "coverage-grid-360.png"))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360px"

    cell.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(service_point.name)
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hương")
    axe(page)
    page.screenshot(path=str(screenshots / "roster-360.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV (Excel)").click()
    download = info.value
    assert download.suggested_filename == f"roster-Phường-Bồ-Đề-{tomorrow.isoformat()}.csv"
    path = tmp_path / "roster.csv"
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Shift,Status,No.,Full name,Phone")
    for name in names:
        assert name in text


def test_volunteer_finds_the_calendar_link_from_my_shifts(
    page, axe, screenshots, volunteer, make_campaign, service_point
):
    today = local_today()
    campaign = make_campaign(starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=1))
    generate_shifts(db.session, campaign)
    shift = db.session.scalars(select(Shift).where(Shift.campaign_id == campaign.id)).first()
    db.session.commit()
    begin_write(db.session)
    booking = book_shift(db.session, shift, volunteer).booking
    db.session.commit()

    page.set_viewport_size(PHONE)
    in_english(page)
    sign_in(page, volunteer)
    in_menu(page, "link", "Shifts I booked").click()
    expect(page.locator(f'a[href="/bookings/{booking.id}.ics"]')).to_be_visible()
    page.get_by_role("link", name="Add my shifts to my phone's calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My calendar")
    feed_url = page.get_by_label("Your calendar link (keep it private)").input_value()
    assert "/calendar/" in feed_url and feed_url.endswith(".ics")
    webcal = page.get_by_role("link", name="Subscribe on this device")
    expect(webcal).to_have_attribute("href", "webcal://" + feed_url.split("://", 1)[1])
    axe(page)
    page.screenshot(path=str(screenshots / "my-calendar-360.png"), full_page=True)

    page.get_by_role("button", name="Reset the link").click()
    expect(page.get_by_role("status")).to_contain_text("the old one no longer works")
    assert page.get_by_label("Your calendar link (keep it private)").input_value() != feed_url
    assert page.request.get(feed_url).status == 404
