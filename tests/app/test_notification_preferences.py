"""What a person controls: channels per topic, quiet hours, and who is reached outside the site."""

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.channels import CHANNELS
from app.notifications.channels.models import NotificationPreference
from app.notifications.channels.sms import HttpSmsGateway
from app.notifications.preferences import (
    TOPICS,
    PreferenceError,
    not_before,
    quiet_end,
    save_preferences,
    wants,
)
from app.notifications.services import KINDS
from app.roles import Role

NIGHT = datetime(2030, 1, 7, 16, 0, tzinfo=UTC)  # 23:00 in Hanoi, Monday
SMALL_HOURS = datetime(2030, 1, 7, 20, 0, tzinfo=UTC)  # 03:00 in Hanoi, Tuesday
NOON = datetime(2030, 1, 7, 5, 0, tzinfo=UTC)  # 12:00 in Hanoi
SEVEN_TUESDAY = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi, Tuesday


@pytest.fixture
def resident(make_user):
    """A resident who joined with a name and a commune, no email."""
    person = make_user(Role.LEARNER)
    person.email = None
    db.session.flush()
    return person


def _save(user, channels, offered=("mail", "push", "sms"), quiet=True, start=21, end=7):
    return save_preferences(db.session, user, channels, offered, quiet, time(start), time(end))


def test_every_kind_scheduling_sends_belongs_to_a_topic():
    assert {KINDS[kind].topic for kind in KINDS} <= set(TOPICS)
    assert KINDS["reminder"].topic == "reminders"
    assert KINDS["shift_cancelled"].topic == "shift_changes"
    assert KINDS["promoted"].topic == "placements"


def test_by_default_every_channel_carries_every_topic_but_sms_only_the_urgent_ones(volunteer):
    for kind in ("reminder", "shift_changed", "placed", "booking_confirmed"):
        assert wants(db.session, volunteer, kind, "mail")
        assert wants(db.session, volunteer, kind, "push")
    assert wants(db.session, volunteer, "reminder", "sms")
    assert wants(db.session, volunteer, "shift_cancelled", "sms")
    assert not wants(db.session, volunteer, "booking_confirmed", "sms")
    assert not wants(db.session, volunteer, "placed", "sms")


def test_the_person_chooses_channels_per_topic(volunteer):
    _save(volunteer, {"reminders": ["sms"], "placements": []})
    assert wants(db.session, volunteer, "reminder", "sms")
    assert not wants(db.session, volunteer, "reminder", "mail")
    assert not wants(db.session, volunteer, "placed", "mail")
    assert not wants(db.session, volunteer, "placed", "push")


def test_sms_is_never_kept_for_a_topic_it_does_not_carry_and_unknown_names_are_dropped(volunteer):
    preference = _save(volunteer, {"placements": ["sms", "mail", "fax"], "gossip": ["mail"]})
    assert preference.channels["placements"] == ["mail"]
    assert "gossip" not in preference.channels


def test_a_channel_the_form_did_not_offer_keeps_the_earlier_choice(volunteer):
    _save(volunteer, {"reminders": ["mail", "push"]}, offered=("mail", "push", "sms"))
    # later, on a site without SMS: the form offers mail and push only
    _save(volunteer, {"reminders": ["mail"]}, offered=("mail", "push"))
    assert not wants(db.session, volunteer, "reminder", "sms")  # turned off before, still off
    assert not wants(db.session, volunteer, "reminder", "push")
    _save(volunteer, {"reminders": ["sms"]}, offered=("sms",))
    assert wants(db.session, volunteer, "reminder", "mail")  # kept from the earlier choice


def test_a_resident_without_email_is_reached_only_in_the_app_until_they_add_a_phone(resident):
    for channel in ("mail", "push", "sms"):
        assert not wants(db.session, resident, "reminder", channel)
    resident.phone = "0912345678"
    assert wants(db.session, resident, "reminder", "sms")
    assert wants(db.session, resident, "reminder", "push")


def test_a_disabled_account_is_reached_nowhere(volunteer):
    volunteer.active = False
    assert not wants(db.session, volunteer, "reminder", "mail")


@pytest.mark.parametrize(
    ("now", "ends"),
    [
        (NIGHT, SEVEN_TUESDAY),
        (SMALL_HOURS, SEVEN_TUESDAY),
        (NOON, None),
        (datetime(2030, 1, 7, 14, 0, tzinfo=UTC), SEVEN_TUESDAY),  # 21:00 sharp: quiet
        (SEVEN_TUESDAY, None),  # 07:00 sharp: the morning
    ],
)
def test_quiet_hours_run_from_nine_in_the_evening_to_seven_in_the_morning(now, ends):
    assert quiet_end(now, time(21), time(7)) == ends


def test_quiet_hours_within_one_day_and_empty_ones():
    siesta_ends = datetime(2030, 1, 7, 7, 0, tzinfo=UTC)  # 14:00 in Hanoi
    assert quiet_end(NOON, time(12), time(14)) == siesta_ends
    assert quiet_end(NIGHT, time(12), time(14)) is None
    assert quiet_end(NIGHT, time(7), time(7)) is None


def test_push_and_sms_wait_for_the_morning_mail_does_not(volunteer):
    assert not_before(db.session, volunteer, "push", NIGHT) == SEVEN_TUESDAY
    assert not_before(db.session, volunteer, "sms", NIGHT) == SEVEN_TUESDAY
    assert not_before(db.session, volunteer, "mail", NIGHT) is None
    assert not_before(db.session, volunteer, "push", NOON) is None


def test_a_notice_about_a_shift_starting_before_the_morning_goes_at_once(volunteer, make_shift):
    dawn = make_shift(datetime(2030, 1, 7, 23, 30, tzinfo=UTC))  # 06:30 in Hanoi
    nine = make_shift(datetime(2030, 1, 8, 2, 0, tzinfo=UTC))
    assert not_before(db.session, volunteer, "sms", NIGHT, {"shift_id": dawn.id}) is None
    assert not_before(db.session, volunteer, "sms", NIGHT, {"shift_id": nine.id}) == SEVEN_TUESDAY
    # a shift deleted since: nothing starts early, so it waits
    assert not_before(db.session, volunteer, "sms", NIGHT, {"shift_id": 999999}) == SEVEN_TUESDAY


def test_the_person_moves_or_turns_off_their_quiet_hours(volunteer):
    _save(volunteer, {}, start=22, end=6)
    assert not_before(db.session, volunteer, "push", NIGHT) == datetime(
        2030, 1, 7, 23, 0, tzinfo=UTC
    )
    _save(volunteer, {}, quiet=False)
    assert not_before(db.session, volunteer, "push", NIGHT) is None


def test_quiet_hours_that_start_when_they_end_are_refused(volunteer):
    with pytest.raises(PreferenceError):
        _save(volunteer, {}, start=7, end=7)


def test_the_profile_shows_the_choices_and_saves_them(client, login, make_volunteer, monkeypatch):
    monkeypatch.setitem(
        CHANNELS,
        "sms",
        HttpSmsGateway({"SMS_GATEWAY_URL": "https://sms.example.vn", "SMS_SENDER": "CAUNOI"}),
    )
    person = make_volunteer(phone="0912345678")
    login(person)
    page = client.get("/profile").get_data(as_text=True)
    assert 'name="reminders" type="checkbox" value="sms"' in page
    assert 'name="placements" type="checkbox" value="sms"' not in page
    assert 'value="21:00"' in page and 'value="07:00"' in page

    response = client.post(
        "/profile/notices",
        data={
            "reminders": ["sms", "mail"],
            "shift_changes": ["sms"],
            "quiet": "y",
            "quiet_from": "22:00",
            "quiet_until": "06:30",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/profile#notices")
    preference = db.session.scalar(
        select(NotificationPreference).where(NotificationPreference.user_id == person.id)
    )
    assert preference.channels["reminders"] == ["mail", "push", "sms"]
    # mail was offered and left unticked; push, not offered on this site, keeps its default
    assert preference.channels["placements"] == ["push"]
    assert preference.quiet_until == time(6, 30)


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("25:00", "07:00", "Not a valid time value."),
        ("07:00", "07:00", "Quiet hours must start and end at different times."),
    ],
)
def test_impossible_quiet_hours_are_refused_with_a_clear_400(
    client, login, volunteer, start, end, says
):
    client.set_cookie("lang", "en")
    login(volunteer)
    response = client.post(
        "/profile/notices", data={"quiet": "y", "quiet_from": start, "quiet_until": end}
    )
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert db.session.scalar(select(NotificationPreference)) is None


def test_a_resident_without_email_or_phone_is_told_notices_stay_on_the_site(
    client, resident, monkeypatch
):
    page = _profile_as(client, resident)
    assert "reach you only on your notifications page" in page
    assert 'action="/profile/notices"' not in page


def _profile_as(client, user):
    """A learner signs in with their personal code, not a password: open the session directly."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.set_cookie("lang", "en")
    return client.get("/profile").get_data(as_text=True)
