"""Rosters of a service point's day: the printable page and the CSV for Excel."""

import csv
import io
from datetime import timedelta
from urllib.parse import unquote

import openpyxl
import pytest

from app.csvfile import csv_bytes, neutralise
from app.database import begin_write
from app.extensions import db
from scheduling.booking.services import book_shift
from tests.harness import NOW

#: make_shift()'s default shift starts at 07:00 in Hanoi on 8 January 2030
DAY = "2030-01-08"


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def booked(make_shift, make_volunteer):
    """A morning shift with two confirmed volunteers, and a full afternoon with a waitlist."""
    morning = make_shift(NOW + timedelta(hours=24))
    people = [
        make_volunteer(
            full_name="Nguyễn Thị Hương",
            phone="0912 345 678",
            organisation="Đại học Bách khoa Hà Nội",
            class_name="CNTT-01",
        ),
        make_volunteer(full_name='=HYPERLINK("http://evil")', phone="+84 98 765 4321"),
    ]
    for person in people:
        begin_write(db.session)
        book_shift(db.session, morning, person, now=NOW)
        db.session.commit()
    return morning


def _csv(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_roster_csv_starts_with_a_bom_and_shows_vietnamese_names_exactly(
    english, login, coordinator, service_point, booked
):
    login(coordinator, on=english)
    response = english.get(f"/service-points/{service_point.id}/roster.csv?date={DAY}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[0] == [
        "Shift",
        "Status",
        "No.",
        "Full name",
        "Phone",
        "Youth-union branch or university",
        "Class",
        "Signature",
    ]
    huong = next(r for r in rows if r[3] == "Nguyễn Thị Hương")
    assert huong == [
        huong[0],
        "Confirmed",
        "1",
        "Nguyễn Thị Hương",
        "0912 345 678",
        "Đại học Bách khoa Hà Nội",
        "CNTT-01",
        "",
    ]
    assert "11:00" in huong[0]


def test_roster_csv_neutralises_formulas(english, login, coordinator, service_point, booked):
    login(coordinator, on=english)
    rows = _csv(english.get(f"/service-points/{service_point.id}/roster.csv?date={DAY}"))
    attacker = rows[2]
    assert attacker[3] == '\'=HYPERLINK("http://evil")'
    assert attacker[4] == "'+84 98 765 4321"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_cells_starting_with_a_formula_sign_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Hương") == "Hương"
    assert csv_bytes(["a"], [[value]]).decode("utf-8-sig").splitlines()[1].startswith("'")


def test_roster_xlsx_keeps_phone_numbers_as_text_and_is_never_cached(
    english, login, coordinator, service_point, booked, make_volunteer
):
    begin_write(db.session)
    book_shift(db.session, booked, make_volunteer(full_name="Lê Thu", phone="0900000009"), now=NOW)
    db.session.commit()
    login(coordinator, on=english)

    response = english.get(f"/service-points/{service_point.id}/roster.xlsx?date={DAY}")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert (
        'filename="roster-phuong-bo-de-2030-01-08.xlsx"' in response.headers["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][3:5] == ["Full name", "Phone"]
    thu = next(row for row in rows if row[3] == "Lê Thu")
    assert thu[4] == "0900000009"
    as_text = [["" if value is None else str(value) for value in row] for row in rows]
    assert as_text == _csv(english.get(f"/service-points/{service_point.id}/roster.csv?date={DAY}"))


def test_roster_csv_is_named_after_the_commune_and_day(
    client, login, coordinator, service_point, booked, bo_de
):
    login(coordinator)
    disposition = client.get(f"/service-points/{service_point.id}/roster.csv?date={DAY}").headers[
        "Content-Disposition"
    ]
    assert disposition.startswith("attachment;")
    assert 'filename="roster-phuong-bo-de-2030-01-08.csv"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded).endswith(f"{bo_de.name.replace(' ', '-')}-2030-01-08.csv")


def test_roster_page_lists_people_waitlist_and_signature_column(
    english, login, coordinator, service_point, make_shift, make_volunteer
):
    shift = make_shift(NOW + timedelta(hours=30))
    shift.campaign.min_per_shift, shift.campaign.max_per_shift = 1, 1
    first, second = make_volunteer(full_name="Trần Văn Bình"), make_volunteer(full_name="Lê Thu")
    for person in (first, second):
        begin_write(db.session)
        book_shift(db.session, shift, person, now=NOW)
        db.session.commit()
    login(coordinator, on=english)

    html = english.get(f"/service-points/{service_point.id}/roster?date={DAY}").get_data(
        as_text=True
    )

    assert "Trần Văn Bình" in html and "Signature" in html
    waitlist = html.split("Waitlist", 1)[1]
    assert "Lê Thu" in waitlist


def test_another_communes_coordinator_gets_404(
    english, login, other_coordinator, service_point, booked
):
    login(other_coordinator, on=english)
    for path in ("roster", "roster.csv", "roster.xlsx"):
        response = english.get(f"/service-points/{service_point.id}/{path}?date={DAY}")
        assert response.status_code == 404
        assert "Nguyễn Thị Hương" not in response.get_data(as_text=True)


def test_a_province_coordinator_may_open_any_roster_of_the_province(
    english, login, province_coordinator, service_point, booked
):
    login(province_coordinator, on=english)
    response = english.get(f"/service-points/{service_point.id}/roster?date={DAY}")
    assert response.status_code == 200
    assert "Nguyễn Thị Hương" in response.get_data(as_text=True)


def test_volunteers_are_refused(english, login, volunteer, service_point, booked):
    login(volunteer, on=english)
    for path in ("roster", "roster.csv", "roster.xlsx"):
        assert (
            english.get(f"/service-points/{service_point.id}/{path}?date={DAY}").status_code == 403
        )


@pytest.mark.parametrize("bad", ["2030-13-01", "tomorrow", "2030-1-8", "20300108"])
def test_a_bad_date_is_a_400_with_a_clear_message(english, login, coordinator, service_point, bad):
    login(coordinator, on=english)
    for path in ("roster", "roster.csv", "roster.xlsx"):
        response = english.get(f"/service-points/{service_point.id}/{path}?date={bad}")
        assert response.status_code == 400
        assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_an_unknown_service_point_is_404(english, login, coordinator):
    login(coordinator, on=english)
    assert english.get(f"/service-points/999999/roster?date={DAY}").status_code == 404
