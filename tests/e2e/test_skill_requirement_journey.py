"""A coordinator asks for a skill at their service point on the campaign's page, then sees on
the coverage board a shift with its count but nobody with the skill shown as understaffed, with
the reason; a volunteer with the skill finds that shift first and marked."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import begin_write
from app.extensions import db
from app.localtime import local_date, local_today
from scheduling.booking.services import book_shift
from scheduling.models import Shift
from scheduling.services import generate_shifts
from tests.e2e.journey import in_english, sign_in


def test_coordinator_asks_for_a_skill_and_the_board_says_what_a_shift_lacks(
    page, axe, coordinator, make_campaign, service_point, make_volunteer
):
    today = local_today()
    campaign = make_campaign(
        starts_on=today, ends_on=today + timedelta(days=6), min_per_shift=2, max_per_shift=4
    )
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
    signer = make_volunteer(full_name="Đỗ Thị Ký", skills=["digital_signature"])
    db.session.commit()
    for name in ("Nguyễn Văn Một", "Trần Thị Hai"):
        begin_write(db.session)
        book_shift(db.session, morning, make_volunteer(full_name=name))
        db.session.commit()

    in_english(page)
    sign_in(page, coordinator)
    page.goto(f"/coverage?first={tomorrow.isoformat()}&last={tomorrow.isoformat()}")
    cell = page.locator(f"#shift-{morning.id}")
    expect(cell).to_contain_text("2/2/4")
    expect(cell).to_contain_text("Partly staffed")

    page.goto(f"/campaigns/{campaign.id}")
    section = page.locator("section.skill-requirements")
    section.get_by_label("Skill", exact=True).select_option("digital_signature")
    section.get_by_label("At least this many people with it on each shift").fill("1")
    section.get_by_label("Where").select_option(str(service_point.id))
    section.get_by_role("button", name="Ask for it").click()
    expect(page.locator("section.skill-requirements")).to_contain_text(
        "At least 1 person with Digital signature on every shift at " + service_point.name
    )
    axe(page)

    page.goto(f"/coverage?first={tomorrow.isoformat()}&last={tomorrow.isoformat()}")
    expect(cell).to_contain_text("Understaffed")
    expect(cell).to_contain_text("lacks 1 with Digital signature")
    axe(page)

    page.context.clear_cookies()
    in_english(page)
    sign_in(page, signer)
    page.goto(f"/shifts?commune=&day={tomorrow.isoformat()}")
    first = page.locator("ul.shifts > li").first
    expect(first).to_contain_text("Needs your skill: Digital signature")
    expect(first).to_contain_text(morning.service_point.name)
    axe(page)
