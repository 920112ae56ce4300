"""The check-in pages' offline queue: a scan kept on the phone (its own nonce, the time it
happened) is sent later to /check-in/sync, marked offline, under the late-scan rules."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from scheduling.checkin import tokens
from scheduling.checkin.models import Attendance, Scan, ScanResult

HOUR = timedelta(hours=1)


@pytest.fixture
def poster(service_point):
    return tokens.poster_token(db.session, service_point)


@pytest.fixture
def running(make_shift, volunteer):
    """A shift at the test's point that started an hour ago, the volunteer booked on it."""
    shift = make_shift(utcnow() - HOUR, 4, booked=[volunteer])
    db.session.commit()
    return shift


def _sync_token(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'data-sync-token="([^"]+)"', page).group(1)


def _send(client, sync_token, **scan):
    return client.post("/check-in/sync", json=scan, headers={"X-Sync-Token": sync_token})


def test_a_scan_kept_offline_checks_the_volunteer_in_when_sent(
    client, login, volunteer, poster, running
):
    login(volunteer)
    sync = _sync_token(client, f"/check-in/{poster}")
    happened = utcnow() - timedelta(minutes=20)

    first = _send(
        client, sync, token=poster, nonce="phone-nonce-0001", scanned_at=happened.isoformat()
    )
    again = _send(
        client, sync, token=poster, nonce="phone-nonce-0001", scanned_at=happened.isoformat()
    )

    assert (first.status_code, first.get_json()["result"]) == (200, "ok")
    assert again.get_json()["result"] == "ok"
    (scan,) = db.session.scalars(select(Scan)).all()
    assert scan.offline and scan.nonce == "phone-nonce-0001"
    assert abs(scan.scanned_at - happened) < timedelta(seconds=1)
    assert db.session.scalar(select(Attendance)).booking.shift_id == running.id


def test_a_scan_sent_after_its_shift_ended_is_stored_and_flagged_late(
    client, login, volunteer, poster, make_shift
):
    ended = make_shift(utcnow() - 6 * HOUR, 4, booked=[volunteer])
    db.session.commit()
    login(volunteer)
    sync = _sync_token(client, f"/check-in/{poster}")

    response = _send(
        client,
        sync,
        token=poster,
        nonce="phone-nonce-0002",
        scanned_at=(ended.starts_at + HOUR).isoformat(),
    )

    assert response.get_json()["result"] == ScanResult.LATE_SYNC
    attendance = db.session.scalar(select(Attendance))
    assert attendance.late_sync and attendance.awaits_confirmation


def test_the_coordinators_scanner_sends_a_badge_kept_offline(
    client, login, coordinator, volunteer, service_point, running
):
    login(coordinator)
    sync = _sync_token(client, f"/service-points/{service_point.id}/scan")

    response = _send(
        client,
        sync,
        token=tokens.badge_code(volunteer.id),
        nonce="scanner-nonce-01",
        scanned_at=utcnow().isoformat(),
        service_point=service_point.id,
    )

    body = response.get_json()
    assert (body["result"], body["volunteer"]) == ("ok", volunteer.full_name)
    assert db.session.scalar(select(Scan)).offline


def test_without_the_pages_sync_token_nothing_is_stored(
    client, login, volunteer, make_volunteer, poster, running
):
    other = make_volunteer(email="khac@example.vn")
    db.session.commit()
    login(other)
    others_token = _sync_token(client, f"/check-in/{poster}")
    login(volunteer)
    scan = {"token": poster, "nonce": "phone-nonce-0003", "scanned_at": utcnow().isoformat()}

    assert _send(client, "forged", **scan).status_code == 403
    assert _send(client, others_token, **scan).status_code == 403
    assert db.session.scalar(select(Scan)) is None


@pytest.mark.parametrize(
    "scan",
    [
        {"nonce": "phone-nonce-0004", "scanned_at": "2030-01-08T09:00:00+07:00"},
        {"token": "x", "nonce": "bad nonce", "scanned_at": "2030-01-08T09:00:00+07:00"},
        {"token": "x", "nonce": "phone-nonce-0004", "scanned_at": "09:00"},
    ],
)
def test_a_scan_that_cannot_be_read_is_a_bad_request(client, login, volunteer, poster, scan):
    login(volunteer)
    sync = _sync_token(client, f"/check-in/{poster}")
    assert _send(client, sync, **scan).status_code == 400
    assert db.session.scalar(select(Scan)) is None
