"""From the country to a commune on a 360 px phone, without signing in: each level's figures,
its leading units and its way down, readable and accessible."""

from datetime import timedelta

from playwright.sync_api import expect

from app.database import utcnow
from app.extensions import db
from impact.assists.services import record_assist
from tests.e2e.journey import PHONE


def test_a_visitor_goes_from_the_country_down_to_a_service_point(
    page, axe, screenshots, coordinator, assist_entry, hanoi, bo_de, service_point
):
    now = utcnow()
    for _ in range(3):
        entry = assist_entry(occurred_at=(now - timedelta(minutes=5)).isoformat())
        record_assist(db.session, coordinator, entry, now=now)
    db.session.commit()
    page.set_viewport_size(PHONE)

    page.goto("/impact/national")
    page.locator("header.site-header").get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact in the whole country")
    expect(page.locator("#units + .table-wrap tbody tr")).to_have_count(34)
    _readable(page, axe, screenshots, "impact-national-360.png")

    page.get_by_role("link", name=hanoi.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(hanoi.name)
    page.get_by_text("Communes", exact=True).click()  # the communes' table, folded
    page.get_by_role("link", name=bo_de.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(bo_de.name)
    row = page.locator("#units + .table-wrap tbody tr").first
    expect(row).to_contain_text(service_point.name)
    expect(row.locator("td").first).to_have_text("3")
    _readable(page, axe, screenshots, "impact-commune-360.png")


def _readable(page, axe, screenshots, name):
    axe(page)
    page.screenshot(path=str(screenshots / name), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 360px"
