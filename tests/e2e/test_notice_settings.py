"""A volunteer on a phone chooses where notices reach them: the push switch appears (the browser
can show notifications), its service worker takes the whole site as scope, and the channels per
topic and the quiet hours are saved through the real form (CSRF on)."""

from datetime import time

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.notifications.channels import CHANNELS
from app.notifications.channels.models import NotificationPreference
from app.notifications.channels.push import PushChannel, new_keys
from tests.e2e.journey import PHONE, in_english, sign_in


def test_volunteer_sees_the_push_switch_and_saves_notice_settings(
    page, axe, make_volunteer, monkeypatch
):
    private, public = new_keys()
    monkeypatch.setitem(CHANNELS, "push", PushChannel(private, public, "mailto:a@example.vn"))
    an = make_volunteer(full_name="Nguyễn Văn An", email="an@example.com")
    db.session.commit()
    page.set_viewport_size(PHONE)

    in_english(page)
    sign_in(page, an)
    page.goto("/profile")
    expect(page.get_by_label("Notifications on this phone")).to_be_visible()
    expect(page.get_by_text("need a browser that can show them")).to_be_hidden()
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == page.url.split("/profile")[0] + "/"
    axe(page)

    section = page.locator("#notices")
    reminders = section.get_by_role("group", name="Reminders before my shifts")
    reminders.get_by_label("Email").uncheck()
    section.get_by_label("Quiet from").fill("22:00")
    section.get_by_role("button", name="Save my notice settings").click()
    expect(page.get_by_text("Your notice settings are saved.")).to_be_visible()

    db.session.rollback()
    preference = db.session.scalar(
        select(NotificationPreference).where(NotificationPreference.user_id == an.id)
    )
    assert preference.channels["reminders"] == ["push", "sms"]
    assert preference.quiet_from == time(22)
