"""Each role's home on a 360 px phone and a 1280 px screen: a one-line header, a menu that opens
without script, the assist screen's choices on one line, in Vietnamese and in English."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.database import utcnow
from app.extensions import db
from app.localtime import local_today
from app.roles import Role
from tests.e2e.journey import PHONE, sign_in

WIDE = {"width": 1280, "height": 800}
#: a header of one line: a 44 px tap target and the bar's padding, with room for rounding
ONE_LINE = 60
TAP = 44


@pytest.fixture
def people(make_user, bo_de, make_campaign, make_shift, service_point):
    """A volunteer with a shift tomorrow, Bồ Đề's coordinator, a learner and an admin."""
    today = local_today()
    campaign = make_campaign(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30)
    )
    volunteer = make_user(Role.VOLUNTEER, email="tnv.home@example.com", home_commune=bo_de)
    make_shift(utcnow().replace(microsecond=0) + timedelta(days=1), on=campaign, booked=[volunteer])
    found = {
        "volunteer": volunteer,
        "coordinator": make_user(Role.COORDINATOR, email="dp.home@example.com", commune=bo_de),
        "learner": make_user(Role.LEARNER, email="hv.home@example.com"),
        "admin": make_user(Role.ADMIN, email="qt.home@example.com"),
    }
    db.session.commit()
    return found


def _header_height(page):
    return page.locator("header.site-header").bounding_box()["height"]


def _tap_targets_too_small(page, selector):
    """The visible elements matching `selector` shorter than a 44 px tap target."""
    return page.eval_on_selector_all(
        selector,
        """(els, tap) => els.filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < tap - 0.5)
            .map(e => e.textContent.trim())""",
        TAP,
    )


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "learner", "admin"])
def test_each_roles_home_has_a_one_line_header_and_a_menu_that_opens(
    page, axe, screenshots, base_url, people, role
):
    person = people[role]
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    sign_in(page, person)
    page.goto("/")
    header = page.locator("header.site-header")
    expect(page.locator(".today-block").first).to_be_visible()

    assert _header_height(page) <= ONE_LINE
    menu = header.locator(".menu > summary")
    expect(menu).to_be_visible()
    expect(header.locator(".menu-groups")).to_be_hidden()
    axe(page)
    page.screenshot(path=str(screenshots / f"home-{role}-en-360.png"), full_page=True)

    menu.click()  # a <details>: no script involved
    expect(header.locator(".menu-groups")).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    assert (
        _tap_targets_too_small(page, ".menu-entries a, .menu-entries button, .menu > summary") == []
    )
    assert header.locator(".menu-group").count() <= 6
    axe(page)
    page.screenshot(path=str(screenshots / f"home-{role}-en-360-menu.png"))

    # Vietnamese: the same single line, though the words are longer
    header.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert _header_height(page) <= ONE_LINE
    page.screenshot(path=str(screenshots / f"home-{role}-vi-360.png"), full_page=True)

    # A wide screen: no menu button, the task groups on one line, each opening on a tap
    page.set_viewport_size(WIDE)
    assert _header_height(page) <= ONE_LINE
    expect(menu).to_be_hidden()
    groups = header.locator(".menu-group > summary")
    tops = {round(groups.nth(i).bounding_box()["y"]) for i in range(groups.count())}
    assert len(tops) == 1
    page.screenshot(path=str(screenshots / f"home-{role}-vi-1280.png"), full_page=True)
    groups.first.click()
    expect(header.locator(".menu-group[open] .menu-entries a").first).to_be_visible()
    axe(page)
    header.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert _header_height(page) <= ONE_LINE
    page.screenshot(path=str(screenshots / f"home-{role}-en-1280.png"), full_page=True)


def test_the_assist_screen_puts_each_choice_on_one_line(
    page, axe, screenshots, base_url, people, on_duty
):
    volunteer = people["volunteer"]
    on_duty(volunteer)
    db.session.commit()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    sign_in(page, volunteer)
    for language, width in (("en", PHONE), ("vi", PHONE), ("vi", WIDE), ("en", WIDE)):
        page.set_viewport_size(width)
        page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
        page.goto("/assists/new")
        expect(page.locator("#assist-form")).to_be_visible()
        wrapped = page.eval_on_selector_all(
            ".choice-group .choice span",
            """spans => spans.filter(span => {
                 const range = document.createRange();
                 range.selectNodeContents(span);
                 const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                 return lines.size > 1;
               }).map(span => span.textContent.trim())""",
        )
        assert wrapped == [], f"{language} {width['width']}px: {wrapped}"
        assert _tap_targets_too_small(page, ".choice-group .choice span") == []
        expect(page.locator("#queue-status")).to_be_hidden()  # nothing waits: no counter
        axe(page)
        page.screenshot(
            path=str(screenshots / f"assist-choices-{language}-{width['width']}.png"),
            full_page=True,
        )


def test_hidden_buttons_stay_hidden_and_the_roster_prints_without_its_toolbar(
    page, base_url, people, service_point
):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    sign_in(page, people["coordinator"])

    page.goto(f"/service-points/{service_point.id}/scan")
    expect(page.locator("#scanner-stop")).to_be_hidden()  # until the camera runs

    page.goto(f"/service-points/{service_point.id}/roster?date={local_today().isoformat()}")
    expect(page.locator(".roster-nav")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".roster-nav")).to_be_hidden()
    page.emulate_media(media="screen")

    # a multiple-choice question: one column of answers at 360 px
    columns = page.evaluate(
        """() => {
             const list = document.createElement("ul");
             list.className = "checks choices";
             const item = "<li><label class='check choice-check'>" +
               "<input type='checkbox'> a</label></li>";
             list.innerHTML = item + item;
             document.querySelector("main").appendChild(list);
             return getComputedStyle(list).gridTemplateColumns.split(" ").length;
           }"""
    )
    assert columns == 1
