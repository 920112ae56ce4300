"""Malformed input an outside red team sent (issue 12, "Bad input still crashes"): each answered
500 before, each must be a 4xx with a sentence in the reader's language and write nothing.

The shapes also run through every form (tests/app/test_form_fuzz.py) and every API operation
(tests/api/test_api_fuzz.py); these tests pin the reproductions, one route each.
"""

import json
from datetime import UTC, date, datetime

import pytest
from harness import row_counts
from icalendar import Calendar

from app.auth.models import User
from app.extensions import db
from app.localtime import LAST_DAY, DayOutOfRange, local, local_day_bounds, to_utc
from scheduling.checkin import tokens

OUT_OF_RANGE = "Choose a date between the years 1900 and 2999."
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English (signing in keeps the language chosen before); the Vietnamese sentence
    is checked once, below."""
    client.set_cookie("lang", "en")


#: the calendar's ends, and ranges crossing them
FAR_DAYS = [
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31"),
    ("0001-01-01", "9999-12-31"),
    ("9999-12-31", "0001-01-01"),
]


# --- app.localtime: the one place days become UTC instants ---------------------------------------


@pytest.mark.parametrize("day", [date.min, date(1899, 12, 31), date(3000, 1, 1), date.max])
def test_a_day_outside_1900_to_2999_is_refused_before_it_overflows(day):
    with pytest.raises(DayOutOfRange) as refused:
        local_day_bounds(day)
    assert refused.value.status == 400 and refused.value.code == "date_out_of_range"
    with pytest.raises(DayOutOfRange):
        to_utc(day, datetime.min.time())


def test_the_last_day_accepted_still_has_a_next_day():
    start, end = local_day_bounds(LAST_DAY)
    assert end.year == 2999 and (end - start).days == 1


def test_a_moment_at_the_calendars_end_is_refused_not_overflowed():
    with pytest.raises(DayOutOfRange):
        local(datetime.max.replace(tzinfo=UTC))


# --- dates near year 1 and 9999 on every date filter ---------------------------------------------


@pytest.mark.parametrize("first, last", FAR_DAYS)
@pytest.mark.parametrize(
    "url",
    [
        "/impact?start={first}&end={last}",
        "/provinces/01/impact?start={first}&end={last}",
        "/coverage?first={first}&last={last}",
        "/coverage?last={last}",
        "/service-points/{point}/roster?date={first}",
        "/service-points/{point}/roster.csv?date={last}",
    ],
)
def test_a_date_filter_near_year_1_or_9999_is_a_400_saying_which_dates(
    client, login, coordinator, campaign, service_point, url, first, last
):
    login(coordinator)
    response = client.get(
        url.format(first=first, last=last, point=service_point.id), headers=ENGLISH
    )
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.get_data(as_text=True)


@pytest.mark.parametrize("first, last", FAR_DAYS)
def test_a_dashboard_table_near_year_1_or_9999_is_a_400(
    client, login, coordinator, campaign, first, last
):
    login(coordinator)
    response = client.get(f"/impact/days.csv?start={first}&end={last}", headers=ENGLISH)
    assert response.status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_finding_shifts_on_a_day_near_year_1_or_9999_says_so_and_shows_today(
    client, login, volunteer, day
):
    login(volunteer)
    response = client.get(f"/shifts?day={day}", headers=ENGLISH)
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.get_data(as_text=True)


@pytest.mark.parametrize("first, last", FAR_DAYS)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/shifts?commune=00130&date={first}",
        "/api/v1/stats?from={first}&to={last}",
        "/api/v1/provinces/01/stats?from={first}&to={last}",
    ],
)
def test_an_api_date_near_year_1_or_9999_is_a_400_date_out_of_range(
    client, bearer, coordinator, bo_de, url, first, last
):
    response = client.get(url.format(first=first, last=last), headers=bearer(coordinator))
    assert response.status_code == 400
    assert response.get_json() == {"error": "date_out_of_range", "message": OUT_OF_RANGE}


def test_the_out_of_range_sentence_is_in_vietnamese_by_default(client, bearer, coordinator):
    client.delete_cookie("lang")
    response = client.get(
        "/api/v1/stats?from=0001-01-01", headers=bearer(coordinator, language="vi")
    )
    assert response.get_json()["message"] == (
        "Hãy chọn một ngày trong khoảng từ năm 1900 đến năm 2999."
    )


# --- times near year 1 and 9999 in JSON bodies -------------------------------------------------

FAR_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


@pytest.mark.parametrize("moment", FAR_MOMENTS)
@pytest.mark.parametrize("offline", [False, True])
def test_a_scan_dated_near_year_1_or_9999_is_refused_and_nothing_is_written(
    client, bearer, volunteer, service_point, moment, offline
):
    poster = tokens.poster_token(db.session, service_point)
    headers = bearer(volunteer)
    before = row_counts()
    body = {"token": poster, "nonce": "nonce-000001", "scanned_at": moment, "offline": offline}

    response = client.post("/api/v1/checkins", json=body, headers=headers)

    assert response.status_code == 400
    assert response.get_json() == {"error": "date_out_of_range", "message": OUT_OF_RANGE}
    assert row_counts() == before


@pytest.mark.parametrize("moment", FAR_MOMENTS)
def test_the_check_in_page_refuses_a_scan_dated_near_year_1_or_9999(
    client, login, volunteer, service_point, moment
):
    poster = tokens.poster_token(db.session, service_point)
    login(volunteer)
    before = row_counts()

    response = client.post(
        f"/check-in/{poster}", data={"nonce": "nonce-000001", "scanned_at": moment}
    )

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.get_data(as_text=True)
    assert row_counts() == before


@pytest.mark.parametrize("moment", FAR_MOMENTS)
def test_an_assist_dated_near_year_1_or_9999_names_the_field_and_writes_nothing(
    client, bearer, volunteer, on_duty, assist_entry, moment
):
    on_duty(volunteer)
    headers = bearer(volunteer)
    before = row_counts()

    response = client.post(
        "/api/v1/assists", json=assist_entry(occurred_at=moment), headers=headers
    )

    assert response.status_code == 422
    assert response.get_json()["fields"] == {"occurred_at": OUT_OF_RANGE}
    assert row_counts() == before


def test_a_campaign_dated_year_9999_is_refused_on_its_form(client, login, coordinator, hanoi):
    login(coordinator)
    before = row_counts()
    response = client.post(
        "/campaigns/new",
        data={"name": "Năm 9999", "starts_on": "9999-12-01", "ends_on": "9999-12-31"},
        headers=ENGLISH,
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.get_data(as_text=True)
    assert row_counts() == before


# --- JSON Python reads but nothing here can mean -----------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"email": ' + DEEP + ', "password": "x"}', id="nested 200,000 deep"),
        pytest.param('{"a": ' + "[" * 40 + "]" * 40 + "}", id="nested 40 deep"),
        pytest.param('{"email": "\\ud800@example.com", "password": "x"}', id="lone surrogate"),
        pytest.param('{"\\udfff": 1, "email": "a@example.com"}', id="lone surrogate in a key"),
        pytest.param('{"service_point": 1e400}', id="1e400"),
        pytest.param('{"service_point": -1e400}', id="-1e400"),
        pytest.param('{"service_point": NaN}', id="NaN"),
        pytest.param('{"service_point": Infinity}', id="Infinity"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/tokens", "/api/v1/checkins", "/api/v1/assists"])
def test_json_python_reads_but_nothing_can_mean_is_a_400_with_the_error_body(
    client, bearer, volunteer, path, body
):
    headers = {**bearer(volunteer), "Content-Type": "application/json"}
    before = row_counts()

    response = client.post(path, data=body, headers=headers)

    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"
    assert set(response.get_json()) == {"error", "message"}
    assert row_counts() == before


def test_a_lone_surrogate_in_the_offline_assist_queue_is_a_400(
    client, login, volunteer, on_duty, assist_entry
):
    on_duty(volunteer)
    login(volunteer)
    before = row_counts()
    body = json.dumps(assist_entry(procedure="\ud800"))

    response = client.post(
        "/assists/sync", data=body, headers={"Content-Type": "application/json", **ENGLISH}
    )

    assert response.status_code == 400
    assert row_counts() == before


# --- control characters in one's own name, and the calendar feed --------------------------------


@pytest.mark.parametrize("name", ["An\r\nBEGIN:VEVENT", "An\nX-INJECTED:1", "An\x07", "An\x85"])
def test_a_name_with_a_line_break_or_control_character_is_refused_on_the_profile(
    client, login, volunteer, name
):
    login(volunteer)
    before = volunteer.full_name

    response = client.post("/profile", data={"full_name": name, "locale": "en"}, headers=ENGLISH)

    assert response.status_code == 200
    assert "Write this on one line, without special characters." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).full_name == before


def test_a_name_stored_with_a_line_break_keeps_the_calendar_feed_whole(
    client, volunteer, service_point, make_shift, app
):
    from scheduling.coverage import calendar

    volunteer.full_name = "An\r\nBEGIN:VEVENT\nSUMMARY:forged\x07"
    db.session.flush()
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)

    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    parsed = Calendar.from_ical(response.get_data())
    assert parsed.walk("VEVENT") == []
    name = str(parsed["X-WR-CALNAME"])
    assert "BEGIN:VEVENT SUMMARY:forged" in name and not any(c in name for c in "\r\n\x07")


# --- integers beyond what the database holds, in a query or a form ------------------------------

BEYOND_64_BITS = "99999999999999999999"


@pytest.mark.parametrize(
    "persona, url",
    [
        ("volunteer", "/shifts?page={n}"),
        ("coordinator", "/coverage?page={n}"),
        ("volunteer", "/assists?page={n}"),
    ],
)
def test_a_page_number_beyond_64_bits_shows_the_first_page(
    client, login, volunteer, coordinator, campaign, persona, url
):
    login(volunteer if persona == "volunteer" else coordinator)
    response = client.get(url.format(n=BEYOND_64_BITS), headers=ENGLISH)
    assert response.status_code == 200


def test_integers_read_from_a_request_go_through_request_int():
    """A new `request.args.get(..., type=int)` would reach a query with 2**64 (a 500)."""

    from app import ROOT

    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for part in ("app", "scheduling", "courses", "impact")
        for path in (ROOT / part).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "type=int" in line
    ]
    assert offenders == [], "use app.database.request_int: " + ", ".join(offenders)


# --- NUL in multipart form data -----------------------------------------------------------------


def test_a_nul_character_in_a_multipart_form_is_a_400(client):
    before = row_counts()
    response = client.post(
        "/login",
        data={"email": "an@example.com\x00", "password": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert row_counts() == before


# --- the first and last days accepted make a page, not a 400 ------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/coverage?last=1900-01-01",
        "/coverage?first=2999-12-31",
        "/impact?end=1900-01-01",
        "/provinces/01/impact?end=1900-01-01",
    ],
)
def test_a_filter_at_the_first_or_last_day_accepted_shows_its_page(
    client, login, coordinator, campaign, url
):
    login(coordinator)
    assert client.get(url, headers=ENGLISH).status_code == 200


@pytest.mark.parametrize("query", ["to=1900-01-01", "from=2999-12-31", "from=1900-01-01"])
def test_stats_at_the_first_or_last_day_accepted_are_answered(client, bearer, coordinator, query):
    assert client.get(f"/api/v1/stats?{query}", headers=bearer(coordinator)).status_code == 200
