"""A volunteer hands a resident a card on a 360 px phone: printed with its QR and no name; the
QR, scanned by the volunteer's phone, opens the log screen with the card filled in."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from impact.cards.models import ResidentCard
from tests.e2e.journey import PHONE, in_english, in_menu, sign_in


def test_a_volunteer_issues_a_card_and_its_qr_opens_the_log_screen(
    page, axe, screenshots, base_url, volunteer
):
    db.session.commit()
    page.set_viewport_size(PHONE)
    in_english(page)
    sign_in(page, volunteer)

    in_menu(page, "link", "Resident cards").click()
    axe(page)
    page.get_by_role("button", name="Issue a new card").click()
    code = page.locator("#card-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    expect(page.locator(".code-card svg.qr")).to_be_visible()
    expect(page.locator(".code-card")).not_to_contain_text(volunteer.full_name)
    axe(page)
    page.screenshot(path=str(screenshots / "resident-card-360.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the card scrolls sideways by {overflow}px at 360px"

    page.goto(f"{base_url}/c/{code}")  # what the phone's camera opens
    expect(page).to_have_url(re.compile(r"/assists/new\?resident_card="))
    expect(page.get_by_label("Resident card (optional)")).to_have_value(code)

    db.session.rollback()  # see what the live server wrote
    card = db.session.scalar(select(ResidentCard))
    assert card.issued_by_id == volunteer.id and code.replace("-", "") not in card.digest
