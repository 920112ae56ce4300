"""What the browser journeys share: a cheap phone's screen, English, signing in."""

import re
import time

from playwright.sync_api import expect

from tests.conftest import PASSWORD

PHONE = {"width": 360, "height": 740}


def in_english(page):
    """Switch the site to English with the header's button, as a reader would."""
    page.goto("/")
    page.locator("header.site-header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def fill_login(page, user):
    """Fill and send the English login form on the page (it may be a redirect to /login?next=)."""
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()


def signed_in(page):
    """Wait for the page of a signed-in reader: the header's menu holds a log-out form."""
    expect(page.locator('header.site-header form[action="/logout"]')).to_be_attached()


def sign_in(page, user):
    """Sign in through /login (in English) and wait for the header's log-out form."""
    page.goto("/login")
    fill_login(page, user)
    signed_in(page)


def in_menu(page, role, name, **options):
    """The header menu's entry (a link or a button), its menu opened first as a reader would:
    on a phone the one menu button, on a wide screen the entry's task group.

    It waits for the page's load first: which of the two is shown is the stylesheet's choice,
    and a page whose DOM is there but whose stylesheet is not yet applied shows the phone's
    button at any width, which the stylesheet then hides while the click waits for it."""
    page.wait_for_load_state("load")
    header = page.locator("header.site-header")
    entry = header.get_by_role(role, name=name, **options)
    if not entry.is_visible():
        button = header.locator(".menu > summary")
        if button.is_visible():
            button.click()
        else:
            inside = page.get_by_role(role, name=name, include_hidden=True, **options)
            group = header.locator(".menu-group").filter(has=inside)
            group.locator("summary").click()
    expect(entry).to_be_visible()
    return entry


def choose(page, text):
    """Tap the big choice button labelled exactly `text` (the log screen's radio buttons)."""
    page.locator("label.choice", has_text=re.compile(f"^{re.escape(text)}$")).click()


def eventually(page, expression, timeout=15.0):
    """Evaluate the JavaScript expression (it may give a promise) until it is truthy.

    Not `page.wait_for_function`: it takes a promise itself as truthy, so a check such as
    "this page is in the cache" would pass before the answer came."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(200)
