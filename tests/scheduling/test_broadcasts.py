"""A coordinator's broadcast: whom it reaches from a shift, a team and a campaign page, on which
channels, how it reads by SMS, the hourly limit, and what became of its deliveries."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.notifications.channels import CHANNELS, sms
from app.notifications.channels.models import NotificationPreference, PushSubscription
from app.notifications.channels.push import PushChannel, new_keys
from app.notifications.channels.sms import HttpSmsGateway
from app.notifications.models import Delivery, DeliveryState, Notification
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.broadcasts import services
from scheduling.broadcasts.models import Broadcast
from scheduling.models import Booking, BookingStatus
from scheduling.notices import BROADCAST_KIND
from scheduling.teams.models import Team, TeamKind, TeamMember

VIETNAMESE = "Ca sáng mai đổi sang phòng họp tầng 2, nhớ mang thẻ đoàn viên."


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def coming(make_shift):
    """A shift tomorrow."""
    return make_shift(utcnow().replace(microsecond=0) + timedelta(days=1))


def _hold(shift, person, status=BookingStatus.CONFIRMED):
    cancelled_at = utcnow() if status == BookingStatus.CANCELLED else None
    db.session.add(Booking(shift=shift, user=person, status=status, cancelled_at=cancelled_at))
    db.session.flush()


def _team(bo_de, *members):
    team = Team(name="Chi đoàn Bồ Đề", kind=TeamKind.YOUTH_BRANCH, province_id=bo_de.province_id)
    team.commune_id = bo_de.id
    db.session.add(team)
    db.session.flush()
    for member in members:
        db.session.add(TeamMember(team_id=team.id, user_id=member.id))
    db.session.flush()
    return team


def _send(client, url, message, **fields):
    return client.post(url, data={"message": message, "send": "Send", **fields})


# --- audiences ----------------------------------------------------------------------------------


def test_a_shifts_message_goes_to_whoever_holds_a_place_on_it_confirmed_or_waiting(
    coming, make_volunteer
):
    confirmed, waiting, gone, other, inactive = (make_volunteer() for _ in range(5))
    _hold(coming, confirmed)
    _hold(coming, waiting, BookingStatus.WAITLISTED)
    _hold(coming, gone, BookingStatus.CANCELLED)
    _hold(coming, inactive)
    inactive.active = False

    people = services.people_of(db.session, services.of_shift(coming))

    assert [p.id for p in people] == [confirmed.id, waiting.id]
    assert other not in people


def test_a_teams_message_goes_to_its_members(bo_de, make_volunteer):
    member, outsider = make_volunteer(), make_volunteer()
    team = _team(bo_de, member)

    assert services.people_of(db.session, services.of_team(team)) == [member]
    assert outsider.id != member.id


def test_a_campaigns_message_goes_to_the_people_of_its_coming_shifts_in_one_commune(
    campaign, bo_de, other_commune, make_shift, make_volunteer
):
    campaign.communes.append(other_commune)
    elsewhere = ServicePoint(commune=other_commune, name="Điểm khác", address="Hà Nội")
    db.session.add(elsewhere)
    now = utcnow().replace(microsecond=0)
    tomorrow = make_shift(now + timedelta(days=1))
    finished = make_shift(now - timedelta(days=1))
    there = make_shift(now + timedelta(days=1), point=elsewhere)
    twice, past, away = make_volunteer(), make_volunteer(), make_volunteer()
    _hold(tomorrow, twice)
    _hold(make_shift(now + timedelta(days=2)), twice)
    _hold(finished, past)
    _hold(there, away)

    people = services.people_of(db.session, services.of_campaign(campaign, bo_de))

    assert people == [twice]
    assert services.people_of(db.session, services.of_campaign(campaign, other_commune)) == [away]


def test_each_page_offers_a_message_to_its_people(
    english, login, coordinator, coming, bo_de, campaign
):
    team = _team(bo_de)
    db.session.commit()
    login(coordinator)

    for page, url in (
        (f"/shifts/{coming.id}/staff", f"/shifts/{coming.id}/broadcast"),
        (f"/teams/{team.id}", f"/teams/{team.id}/broadcast"),
        (f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/broadcast"),
    ):
        assert f'href="{url}"' in english.get(page).get_data(as_text=True)
        form = english.get(url)
        assert form.status_code == 200
        assert 'name="message"' in form.get_data(as_text=True)
    campaign_form = english.get(f"/campaigns/{campaign.id}/broadcast").get_data(as_text=True)
    assert "The people of 45 ngày đêm in Phường Bồ Đề" in campaign_form


# --- scope --------------------------------------------------------------------------------------


def test_another_communes_coordinator_can_neither_see_nor_send(
    client, login, other_coordinator, coming, bo_de, campaign, make_volunteer
):
    person = make_volunteer()
    _hold(coming, person)
    team = _team(bo_de, person)
    db.session.commit()
    login(other_coordinator)

    for url in (
        f"/shifts/{coming.id}/broadcast",
        f"/teams/{team.id}/broadcast",
        f"/campaigns/{campaign.id}/broadcast",
    ):
        assert client.get(url).status_code == 404
        assert _send(client, url, "Xin chào", commune=bo_de.id).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_campaign_message_goes_only_to_a_commune_the_coordinator_covers(
    english, login, coordinator, campaign, other_commune, make_shift, make_volunteer
):
    campaign.communes.append(other_commune)
    elsewhere = ServicePoint(commune=other_commune, name="Điểm khác", address="Hà Nội")
    db.session.add(elsewhere)
    away = make_volunteer()
    _hold(make_shift(utcnow() + timedelta(days=1), point=elsewhere), away)
    db.session.commit()
    login(coordinator)
    url = f"/campaigns/{campaign.id}/broadcast"

    assert f'value="{other_commune.id}"' not in english.get(url).get_data(as_text=True)
    response = _send(english, url, "Xin chào", commune=other_commune.id)

    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Broadcast)) == 0


# --- before sending: reach and the SMS preview --------------------------------------------------


def test_the_reach_counts_each_channel_from_the_peoples_choices_and_addresses(
    coming, make_volunteer, monkeypatch
):
    private, public = new_keys()
    monkeypatch.setitem(CHANNELS, "push", PushChannel(private, public, "mailto:a@example.vn"))
    monkeypatch.setitem(
        CHANNELS,
        "sms",
        HttpSmsGateway({"SMS_GATEWAY_URL": "https://sms.example.vn", "SMS_SENDER": "CAUNOI"}),
    )
    by_mail = make_volunteer(phone="0912345678")
    with_push = make_volunteer()
    no_mail = make_volunteer()
    no_address = make_volunteer()
    no_address.email = None
    for person in (by_mail, with_push, no_mail, no_address):
        _hold(coming, person)
    db.session.add(
        PushSubscription(
            user_id=with_push.id, endpoint="https://push.example/1", p256dh="k" * 87, auth="a" * 22
        )
    )
    db.session.add(NotificationPreference(user_id=no_mail.id, channels={"broadcasts": []}))
    db.session.flush()

    people = services.people_of(db.session, services.of_shift(coming))
    reach = services.reach(db.session, people)

    assert reach.people == 4
    assert reach.channels["mail"] == 2  # by_mail and with_push
    assert reach.channels["push"] == 1
    assert reach.channels["sms"] == 0  # SMS carries only reminders and shift changes
    assert reach.site_only == 2  # no_mail chose the site only; no_address has no address


def test_sms_parts_follow_the_alphabet_the_text_needs():
    assert sms.parts("a" * 160) == 1
    assert sms.parts("a" * 161) == 2
    assert sms.parts("a" * 306) == 2
    assert sms.parts("a" * 307) == 3
    assert sms.parts("đ" * 70) == 1
    assert sms.parts("đ" * 71) == 2
    assert sms.parts("đ" * 134) == 2
    assert sms.parts("đ" * 135) == 3


def test_the_preview_measures_the_message_and_its_link_as_the_sms_channel_sends_it():
    english = services.sms_preview("Bring your union card tomorrow — the room changed.")
    assert english.encoding == "GSM-7" and english.limit == 160 and english.parts == 1
    assert "-" in english.whole and "—" not in english.whole  # the channel's look-alikes
    assert not english.cut

    vietnamese = services.sms_preview(VIETNAMESE)
    assert vietnamese.encoding == "UCS-2" and vietnamese.limit == 70
    assert vietnamese.length == len(VIETNAMESE) + 1 + len(sms.link_like())
    assert vietnamese.parts == 2
    assert vietnamese.cut and vietnamese.sent == sms.one_sms(VIETNAMESE, sms.link_like())
    assert sms.fits(vietnamese.sent)


def test_the_page_previews_the_sms_and_shows_the_reach_without_sending(
    english, login, coordinator, coming, make_volunteer
):
    _hold(coming, make_volunteer())
    db.session.commit()
    login(coordinator)

    page = english.post(
        f"/shifts/{coming.id}/broadcast", data={"message": VIETNAMESE, "preview": "Preview"}
    ).get_data(as_text=True)

    length = len(VIETNAMESE) + 1 + len(sms.link_like())
    assert f"{length} of 70 characters (UCS-2), with the link." in page
    assert "Whole, it takes 2 SMS." in page
    assert "Too long for one SMS" in page
    assert "1 person, each on their notices page." in page
    assert "By mail: 1" in page
    assert db.session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_as_one_types_the_page_asks_for_the_sms_preview_alone(
    english, login, coordinator, coming, make_volunteer
):
    _hold(coming, make_volunteer())
    db.session.commit()
    login(coordinator)

    answer = english.post(
        f"/shifts/{coming.id}/broadcast",
        data={"message": "Bring your union card.", "preview": "Preview", "live": "1"},
    ).get_data(as_text=True)

    assert answer.startswith('<section id="broadcast-preview"')
    assert f"{len('Bring your union card. ' + sms.link_like())} of 160 characters (GSM-7)" in answer
    assert "Who it reaches" not in answer


# --- sending --------------------------------------------------------------------------------


def test_a_broadcast_is_recorded_and_each_person_sees_it_among_their_notices(
    english, login, client, app, coordinator, coming, make_volunteer
):
    an, binh = make_volunteer(), make_volunteer()
    _hold(coming, an)
    _hold(coming, binh, BookingStatus.WAITLISTED)
    db.session.commit()
    login(coordinator)

    response = _send(english, f"/shifts/{coming.id}/broadcast", "  Nhớ mang thẻ đoàn viên.  ")

    assert response.status_code == 302
    broadcast = db.session.scalars(select(Broadcast)).one()
    assert (broadcast.sender_id, broadcast.audience, broadcast.shift_id) == (
        coordinator.id,
        "shift",
        coming.id,
    )
    assert (broadcast.message, broadcast.people) == ("Nhớ mang thẻ đoàn viên.", 2)
    notices = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [(n.user_id, n.kind) for n in notices] == [
        (an.id, BROADCAST_KIND),
        (binh.id, BROADCAST_KIND),
    ]
    reader = login(an, on=app.test_client())
    reader.set_cookie("lang", "en")
    page = reader.get("/notifications").get_data(as_text=True)
    assert "A message from your coordinator" in page
    assert "Nhớ mang thẻ đoàn viên." in page


def test_the_message_is_shown_escaped_to_the_volunteer_and_the_coordinator(
    english, login, app, coordinator, coming, make_volunteer
):
    person = make_volunteer()
    _hold(coming, person)
    db.session.commit()
    login(coordinator)
    trick = '<script>alert("x")</script> & <b>bold</b>'

    _send(english, f"/shifts/{coming.id}/broadcast", trick)

    sent = english.get("/broadcasts").get_data(as_text=True)
    seen = login(person, on=app.test_client()).get("/notifications").get_data(as_text=True)
    for page in (sent, seen):
        assert "<script>alert" not in page and "<b>bold</b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page


def test_an_empty_audience_or_message_is_refused_and_nothing_is_recorded(
    english, login, coordinator, coming
):
    db.session.commit()
    login(coordinator)
    url = f"/shifts/{coming.id}/broadcast"

    nobody = _send(english, url, "Xin chào")
    empty = _send(english, url, "   ")

    assert nobody.status_code == 400
    assert "there is nobody to send it to" in nobody.get_data(as_text=True)
    assert empty.status_code == 400
    assert "Write a message first." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_a_coordinator_sends_at_most_the_hourly_limit(
    english, login, app, coordinator, coming, make_volunteer, monkeypatch
):
    monkeypatch.setitem(app.config, "BROADCASTS_PER_HOUR", 2)
    _hold(coming, make_volunteer())
    db.session.commit()
    login(coordinator)
    url = f"/shifts/{coming.id}/broadcast"

    assert _send(english, url, "Một").status_code == 302
    assert _send(english, url, "Hai").status_code == 302
    third = _send(english, url, "Ba")

    assert third.status_code == 429
    assert "You have already sent 2 messages in the last hour, the most allowed." in (
        third.get_data(as_text=True)
    )
    assert "Ba</textarea>" in third.get_data(as_text=True)  # the message typed is kept
    assert db.session.scalar(select(func.count()).select_from(Broadcast)) == 2


def test_broadcasts_older_than_an_hour_do_not_count_towards_the_limit(
    coordinator, coming, make_volunteer
):
    _hold(coming, make_volunteer())
    audience = services.of_shift(coming)
    now = utcnow()
    services.send_broadcast(db.session, coordinator, audience, "Cũ", 1, now - timedelta(minutes=61))

    services.send_broadcast(db.session, coordinator, audience, "Mới", 1, now)

    with pytest.raises(services.TooManyBroadcasts):
        services.send_broadcast(db.session, coordinator, audience, "Nữa", 1, now)


# --- after: the coordinator's broadcasts and their deliveries -----------------------------------


def test_a_broadcasts_deliveries_are_counted_by_channel_and_state(
    english, login, coordinator, coming, make_volunteer, make_user
):
    an, binh, cuong = make_volunteer(), make_volunteer(), make_volunteer()
    cuong.email = None
    for person in (an, binh, cuong):
        _hold(coming, person)
    db.session.commit()
    login(coordinator)
    _send(english, f"/shifts/{coming.id}/broadcast", "Xin chào")
    other = make_user(Role.COORDINATOR, commune=coming.service_point.commune)
    broadcast = db.session.scalars(select(Broadcast)).one()
    deliveries = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert [d.state for d in deliveries] == [DeliveryState.SENT] * 2  # mail, to an and binh
    deliveries[1].state = DeliveryState.GAVE_UP
    notice = db.session.scalar(select(Notification).where(Notification.user_id == an.id))
    notice.read_at = utcnow()
    db.session.flush()

    [sent] = services.broadcasts_of(db.session, coordinator)

    assert sent.broadcast.id == broadcast.id
    assert sent.deliveries == {("mail", "sent"): 1, ("mail", "gave_up"): 1}
    assert sent.read == 1
    assert services.broadcasts_of(db.session, other) == []
    page = english.get("/broadcasts").get_data(as_text=True)
    assert "3 people" in page and "1 read it on the site" in page
    assert "Mail: sent 1, given up 1" in page
