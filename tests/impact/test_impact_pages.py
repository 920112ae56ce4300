"""The dashboard pages, their CSV files, the public province page and GET /api/v1/stats."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from app.api.services import issue_token
from app.extensions import db
from impact.assists.services import record_assist

DAY = date(2030, 1, 8)
MORNING = datetime(2030, 1, 8, 2, tzinfo=UTC)
RANGE = {"start": "2030-01-08", "end": "2030-01-08"}


@pytest.fixture(autouse=True)
def logged(volunteer, assist_entry, on_duty):
    """Four dossiers at Bồ Đề: three submitted online, one refused for a missing signature."""
    on_duty(volunteer, at=MORNING)
    for n in range(4):
        data = assist_entry(
            outcome="submitted" if n < 3 else "not_submitted",
            reason=None if n < 3 else "missing_signature",
            occurred_at=MORNING.isoformat(),
        )
        record_assist(db.session, volunteer, data, now=MORNING + timedelta(minutes=1))
    db.session.commit()


def test_the_coordinator_sees_their_commune_against_the_targets(client, login, coordinator):
    login(coordinator)

    page = client.get("/impact", query_string=RANGE).get_data(as_text=True)

    assert "Phường Bồ Đề" in page
    assert "100%" in page  # filed online, of the 3 submitted
    assert "Cán bộ chưa có chữ ký số" in page or "Officer without a digital signature" in page


def test_a_commune_outside_the_coordinators_scope_is_refused(
    client, login, other_coordinator, bo_de
):
    login(other_coordinator)

    response = client.get("/impact", query_string={**RANGE, "commune": bo_de.code})

    assert response.status_code == 403


def test_the_other_coordinator_sees_none_of_bo_de(client, login, other_coordinator):
    login(other_coordinator)

    page = client.get("/impact", query_string=RANGE).get_data(as_text=True)

    assert "Phường Bồ Đề" not in page


def test_an_end_before_the_start_is_a_clear_error(client, login, coordinator):
    login(coordinator)

    response = client.get("/impact", query_string={"start": "2030-01-08", "end": "2030-01-01"})

    assert response.status_code == 400
    assert "Ngày kết thúc trước ngày bắt đầu" in response.get_data(as_text=True)


def test_csv_files_open_in_excel_with_vietnamese_names(client, login, province_coordinator):
    login(province_coordinator)

    response = client.get("/impact/communes.csv", query_string=RANGE)

    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][:4] == ["Phường Bồ Đề", "00130", "4", "3"]


@pytest.mark.parametrize(
    "name", ["days", "targets", "reasons", "communes", "volunteers", "learning"]
)
def test_every_table_of_the_dashboard_has_its_csv(client, login, coordinator, name):
    login(coordinator)

    page = client.get("/impact", query_string=RANGE).get_data(as_text=True)
    response = client.get(f"/impact/{name}.csv", query_string=RANGE)

    assert f"/impact/{name}.csv" in page
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) >= 2


@pytest.mark.parametrize(
    "name", ["days", "targets", "reasons", "communes", "volunteers", "learning"]
)
def test_every_table_of_the_dashboard_has_its_xlsx(client, login, coordinator, name):
    login(coordinator)

    page = client.get("/impact", query_string=RANGE).get_data(as_text=True)
    response = client.get(f"/impact/{name}.xlsx", query_string=RANGE)

    assert f"/impact/{name}.xlsx" in page
    assert response.status_code == 200
    rows = _xlsx_rows(response.data)
    with_csv = client.get(f"/impact/{name}.csv", query_string=RANGE).data.decode("utf-8-sig")
    assert rows[0] == next(csv.reader(io.StringIO(with_csv)))
    assert len(rows) >= 2


def test_the_xlsx_files_keep_codes_as_text_and_days_as_dates(client, login, coordinator):
    login(coordinator)

    communes = _xlsx_rows(client.get("/impact/communes.xlsx", query_string=RANGE).data)
    days = _xlsx_rows(client.get("/impact/days.xlsx", query_string=RANGE).data)

    assert communes[1][:4] == ["Phường Bồ Đề", "00130", 4, 3]
    assert days[1] == [datetime(2030, 1, 8), 4]


def test_the_public_province_tables_have_xlsx_files_too(client):
    page = client.get("/provinces/01/impact", query_string=RANGE).get_data(as_text=True)
    response = client.get("/provinces/01/impact/communes.xlsx", query_string=RANGE)

    assert "/provinces/01/impact/communes.xlsx" in page
    assert _xlsx_rows(response.data)[1][:2] == ["Phường Bồ Đề", "00130"]
    assert client.get("/provinces/01/impact/nothing.xlsx").status_code == 404


def _xlsx_rows(body):
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_public_province_page_names_no_person(client, volunteer):
    response = client.get("/provinces/01/impact", query_string=RANGE)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Phường Bồ Đề" in page
    assert volunteer.full_name not in page
    assert volunteer.email not in page


def test_the_api_gives_the_same_figures(client, coordinator):
    token = issue_token(db.session, coordinator)
    db.session.commit()

    response = client.get(
        "/api/v1/stats",
        query_string={"province": "01", "from": "2030-01-08", "to": "2030-01-08"},
        headers={"Authorization": f"Bearer {token}"},
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["totals"]["total"] == 4
    assert body["shares"]["online"] == 1.0
    assert body["reasons"] == [{"reason": "missing_signature", "dossiers": 1}]
    assert body["communes"][0]["code"] == "00130"
    assert body["learning"] == {"lessons_completed": 0, "learners": 0, "courses_mastered": 0}
    assert body["attendance"]["ended_bookings"] == 0  # a number, not "0", on every database
    # the volunteer's shift that morning (they logged while checked in on it): short of its
    # minimum, but in 2030, years from the real clock: not staffed yet rather than understaffed
    assert body["shifts"] == {"total": 1, "covered": 0, "understaffed": 0, "booked_hours": 4.0}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"from": "8/1/2030"}, 400, "bad_request"),
        ({"province": "99"}, 404, "not_found"),
        ({"province": "79", "commune": "00130"}, 404, "not_found"),
    ],
)
def test_the_api_refuses_bad_filters_clearly(client, coordinator, query, status, code):
    token = issue_token(db.session, coordinator)
    db.session.commit()

    response = client.get(
        "/api/v1/stats", query_string=query, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == status
    assert response.get_json()["error"] == code


def test_the_api_puts_a_range_in_order_and_cuts_it_to_a_year(client, coordinator):
    token = issue_token(db.session, coordinator)
    db.session.commit()

    body = client.get(
        "/api/v1/stats",
        query_string={"from": "2031-01-08", "to": "2029-01-01"},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()

    assert (body["from"], body["to"]) == ("2030-01-08", "2031-01-08")  # 366 days


def test_the_stats_api_keeps_to_the_scope_of_the_dashboard(
    client, volunteer, other_coordinator, coordinator
):
    def get(user, **query):
        token = issue_token(db.session, user)
        db.session.commit()
        return client.get(
            "/api/v1/stats", query_string=query, headers={"Authorization": f"Bearer {token}"}
        )

    # a resident or volunteer reads no commune's figures through it, as on /impact
    assert get(volunteer, commune="00130").status_code == 403
    # another commune's coordinator neither reads Bồ Đề nor sees it in the province's figures
    assert get(other_coordinator, commune="00130").status_code == 403
    body = get(other_coordinator, province="01", **{"from": "2030-01-08", "to": "2030-01-08"})
    assert body.status_code == 200 and body.get_json()["totals"]["total"] == 0
    mine = get(coordinator, province="01", **{"from": "2030-01-08", "to": "2030-01-08"})
    assert mine.get_json()["totals"]["total"] == 4


def test_the_public_province_stats_give_the_figures_of_the_public_page(client):
    response = client.get(
        "/api/v1/provinces/01/stats", query_string={"from": "2030-01-08", "to": "2030-01-08"}
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["totals"]["total"] == 4 and body["communes"][0]["code"] == "00130"
    assert client.get("/api/v1/provinces/99/stats").status_code == 404
    assert client.get("/api/v1/provinces/01/stats?commune=00130").status_code == 400
