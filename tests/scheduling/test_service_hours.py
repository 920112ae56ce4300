"""A record of service hours: a volunteer's own, a coordinator's corrections, the exports."""

import io
import re
from datetime import timedelta
from html import unescape

import openpyxl
import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.csvfile import XLSX_MIMETYPE
from app.database import utcnow
from app.extensions import db
from app.qr import qr_svg
from scheduling.checkin.models import Attendance
from scheduling.models import Booking
from scheduling.service_hours import services
from scheduling.service_hours.models import AttendanceCorrection


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def _past_shift(make_shift, person, days_ago=1, hours=4):
    start = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    return make_shift(start, hours, booked=[person])


def _booking(shift, person):
    return db.session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == person.id)
    )


def _check_in(shift, person, late_minutes=0, out_after_hours=None):
    came = shift.starts_at + timedelta(minutes=late_minutes)
    attendance = Attendance(
        booking=_booking(shift, person),
        checked_in_at=came,
        received_at=came,
        checked_out_at=(
            shift.starts_at + timedelta(hours=out_after_hours) if out_after_hours else None
        ),
    )
    db.session.add(attendance)
    db.session.flush()
    return attendance


def test_my_service_shows_attended_shifts_and_hours_per_campaign(
    client, login, make_shift, volunteer
):
    attended = _past_shift(make_shift, volunteer, days_ago=2)
    _check_in(attended, volunteer, late_minutes=30)
    _past_shift(make_shift, volunteer, days_ago=1)  # booked, never came
    login(volunteer)

    page = client.get("/me/service").get_data(as_text=True)

    assert "45 ngày đêm · 3.5 hours" in page
    assert page.count("Trung tâm Phục vụ hành chính công phường Bồ Đề") == 1


def test_a_correction_replaces_the_hours_and_is_shown_as_such(
    client, login, make_shift, volunteer, coordinator
):
    shift = _past_shift(make_shift, volunteer)
    _check_in(shift, volunteer, out_after_hours=1)
    login(coordinator)

    response = client.post(
        f"/bookings/{_booking(shift, volunteer).id}/correction",
        data={"hours": "3.5", "reason": "Điện thoại hết pin, có mặt tại quầy"},
    )

    assert response.status_code == 302
    attendance = db.session.scalar(select(Attendance))
    assert attendance.checked_out_at == shift.starts_at + timedelta(hours=1)  # scans kept
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.before, entry.after["hours"]) == (
        "attendance.corrected",
        {"hours": 1.0},
        3.5,
    )
    client.post("/logout")
    login(volunteer)
    page = unescape(client.get("/me/service").get_data(as_text=True))
    assert "3.5 hours" in page
    assert f"corrected by {coordinator.full_name}: Điện thoại hết pin" in page


def test_a_no_show_can_be_corrected_into_service(make_shift, volunteer, coordinator):
    shift = _past_shift(make_shift, volunteer)
    services.correct_attendance(
        db.session, _booking(shift, volunteer), 120, "came late", coordinator
    )

    (served,) = services.service_record(db.session, volunteer)
    assert served.hours == 2.0 and served.shifts[0].attendance is None


def test_a_correction_is_refused_beyond_the_shift_or_before_it_or_out_of_scope(
    client, login, make_shift, volunteer, coordinator, other_coordinator
):
    shift = _past_shift(make_shift, volunteer, hours=4)
    upcoming = make_shift(utcnow() + timedelta(days=2), booked=[volunteer])
    login(coordinator)

    too_long = client.post(
        f"/bookings/{_booking(shift, volunteer).id}/correction",
        data={"hours": "5", "reason": "x"},
    )
    too_early = client.post(
        f"/bookings/{_booking(upcoming, volunteer).id}/correction",
        data={"hours": "1", "reason": "x"},
    )
    no_reason = client.post(
        f"/bookings/{_booking(shift, volunteer).id}/correction", data={"hours": "1"}
    )
    client.post("/logout")
    login(other_coordinator)
    elsewhere = client.get(f"/bookings/{_booking(shift, volunteer).id}/correction")

    assert too_long.status_code == 400
    assert "The hours cannot pass the shift's length." in unescape(too_long.get_data(as_text=True))
    assert too_early.status_code == 400 and no_reason.status_code == 400
    assert elsewhere.status_code == 403
    assert db.session.scalars(select(AttendanceCorrection)).all() == []


def test_the_exports_sum_hours_per_volunteer_branch_and_class(
    client, login, make_shift, make_volunteer, coordinator, campaign
):
    an = make_volunteer(full_name="An", organisation="ĐH Bách khoa", class_name="CNTT-01")
    binh = make_volunteer(full_name="Bình", organisation="ĐH Bách khoa", class_name="CNTT-02")
    for person, days in ((an, 3), (an, 2), (binh, 1)):
        _check_in(_past_shift(make_shift, person, days_ago=days), person)
    login(coordinator)

    def csv(by):
        url = f"/attendance/campaigns/{campaign.id}/hours.csv?by={by}"
        return client.get(url).get_data(as_text=True).lstrip("\ufeff").splitlines()

    assert csv("volunteer")[1:] == [
        "An,user2@example.test,ĐH Bách khoa,CNTT-01,2,8.0",
        "Bình,user3@example.test,ĐH Bách khoa,CNTT-02,1,4.0",
    ]
    assert csv("organisation")[1:] == ["ĐH Bách khoa,2,3,12.0"]
    assert csv("class")[1:] == ["ĐH Bách khoa,CNTT-01,1,2,8.0", "ĐH Bách khoa,CNTT-02,1,1,4.0"]
    assert client.get(f"/attendance/campaigns/{campaign.id}/hours.csv?by=x").status_code == 400


def test_the_hours_export_as_a_workbook_has_the_same_figures(
    client, login, make_shift, make_volunteer, coordinator, campaign
):
    an = make_volunteer(full_name="An", organisation="ĐH Bách khoa", class_name="CNTT-01")
    _check_in(_past_shift(make_shift, an, days_ago=2), an)
    login(coordinator)

    def sheet(by):
        response = client.get(f"/attendance/campaigns/{campaign.id}/hours.xlsx?by={by}")
        assert response.mimetype == XLSX_MIMETYPE
        assert f"hours-{campaign.id}-{by}.xlsx" in response.headers["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        return [list(row) for row in book.active.iter_rows(min_row=2, values_only=True)]

    assert sheet("volunteer") == [["An", "user2@example.test", "ĐH Bách khoa", "CNTT-01", 1, 4]]
    assert sheet("class") == [["ĐH Bách khoa", "CNTT-01", 1, 1, 4]]
    assert client.get(f"/attendance/campaigns/{campaign.id}/hours.xlsx?by=x").status_code == 400


def _certificate_url(client, campaign):
    html = client.get(f"/me/service/{campaign.id}/certificate").get_data(as_text=True)
    return html, re.search(r'href="(https://caunoi.example.vn/service/verify/[^"]+)"', html)[1]


def test_the_service_certificate_is_a4_with_a_qr_of_its_verification_link(
    app, client, login, make_shift, make_volunteer, campaign, coordinator
):
    an = make_volunteer(full_name="Nguyễn Văn An")
    first = _past_shift(make_shift, an, days_ago=3)
    _check_in(first, an)
    second = _past_shift(make_shift, an, days_ago=1, hours=2)
    _check_in(second, an)
    login(coordinator)
    correction = {"hours": "3", "reason": "left early"}
    client.post(f"/bookings/{_booking(first, an).id}/correction", data=correction)
    client.post("/logout")
    login(an)

    html, url = _certificate_url(client, campaign)
    recorded = services.service_record(db.session, an)[0].hours

    assert recorded == 5
    assert "Nguyễn Văn An" in html and campaign.name in html
    assert "for 5.0 hours" in html
    assert first.service_point.commune.name in html
    assert "service-certificate.css" in html
    expected = qr_svg(url, "label")
    assert expected.split('aria-label="label"', 1)[1] in html
    css = client.get("/static/css/service-certificate.css").get_data(as_text=True)
    assert "@page { size: A4" in css
    token = url.rsplit("/", 1)[1]
    assert services.verify_certificate(db.session, token, app.config["SECRET_KEY"]).hours == 5
    assert "Certificate of volunteer service (A4, to print)" in client.get("/me/service").text


def test_the_verification_page_is_public_and_shows_only_the_service(
    client, login, make_shift, make_volunteer, campaign
):
    an = make_volunteer(full_name="Nguyễn Văn An", phone="0912345678", class_name="CNTT-01")
    _check_in(_past_shift(make_shift, an, days_ago=2), an)
    login(an)
    _html, url = _certificate_url(client, campaign)
    client.post("/logout")

    path = url.removeprefix("https://caunoi.example.vn")
    response = client.get(path)
    page = unescape(response.get_data(as_text=True))
    tampered = client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB"))

    assert response.status_code == 200
    assert "Nguyễn Văn An" in page and campaign.name in page
    assert "<dt>Hours served</dt><dd>4.0</dd>" in page
    assert campaign.communes[0].name in page
    assert an.email not in page and "0912345678" not in page and "CNTT-01" not in page
    assert tampered.status_code == 404


def test_no_certificate_without_service_nor_for_someone_else(
    app, client, login, make_shift, make_volunteer, campaign
):
    an = make_volunteer(full_name="An")
    binh = make_volunteer(full_name="Bình")
    _past_shift(make_shift, an, days_ago=1)  # booked, never checked in
    login(an)
    assert client.get(f"/me/service/{campaign.id}/certificate").status_code == 404
    token = services.certificate_verification_id(binh, campaign, app.config["SECRET_KEY"])
    assert client.get(f"/service/verify/{token}").status_code == 404
