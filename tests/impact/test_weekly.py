"""The weekly report of a commune, a province and the country: figures against counts made by hand
over a few rows, the week from Monday to Sunday in Hanoi, the A4 page and the workbook."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.extensions import db
from impact.assists.services import record_assist
from impact.cards.services import issue_card
from impact.dashboard import weekly

#: a Tuesday; its week runs from Monday 1 to Sunday 7 June 2026 (in the past, so shifts ended)
TUESDAY = datetime(2026, 6, 2, 2, tzinfo=UTC)  # 09:00 in Hanoi
MONDAY = date(2026, 6, 1)
WEEK = {"week": "2026-06-03"}  # any day of the week names it


@pytest.fixture(autouse=True)
def week(admin, volunteer, make_volunteer, make_shift, on_duty, campaign, assist_entry):
    """By hand, in Bồ Đề during the week (logged by an admin, who may log at any hour):

    - dossiers: five submitted (four online, one of them fully online; three with the result
      returned electronically) and one not submitted; one of them on Sunday at 23:30 in Hanoi;
      not counted: one on the next Monday at 00:30 in Hanoi (Sunday 17:30 UTC) and one the week
      before;
    - two carded residents: one did two procedures by themselves, the other one;
    - shifts: Tuesday's (the volunteer, checked in: 4 hours), Wednesday's (the volunteer and a
      second person: covered at the campaign's minimum of 2); not counted: a third person's shift
      on the next Monday at 07:00 in Hanoi.
    """
    campaign.min_per_shift = 2
    on_duty(volunteer, at=TUESDAY)
    second, third = make_volunteer(), make_volunteer()
    make_shift(TUESDAY + timedelta(days=1), booked=[volunteer, second])
    make_shift(datetime(2026, 6, 8, 0, tzinfo=UTC), booked=[third])
    _card, twice = issue_card(db.session, volunteer)
    _card, once = issue_card(db.session, volunteer)
    sunday_late = datetime(2026, 6, 7, 16, 30, tzinfo=UTC)
    entries = [
        dict(level="fully_online", result_electronic="yes", resident_card=twice, self_service=True),
        dict(
            level="partly_online", result_electronic="yes", resident_card=twice, self_service=True
        ),
        dict(level="partly_online", result_electronic="yes", resident_card=once, self_service=True),
        dict(
            level="partly_online",
            result_electronic="no",
            occurred_at=sunday_late.isoformat(),
            offline=True,
        ),
        dict(level="paper", channel="paper", result_electronic="no"),
        dict(outcome="not_submitted", reason="network_down", result_electronic="no"),
        dict(occurred_at=datetime(2026, 6, 7, 17, 30, tzinfo=UTC).isoformat()),
        dict(occurred_at=(TUESDAY - timedelta(days=7)).isoformat()),
    ]
    for fields in entries:
        data = assist_entry(**{"occurred_at": TUESDAY.isoformat(), **fields})
        occurred = datetime.fromisoformat(data["occurred_at"])
        record_assist(db.session, admin, data, now=occurred + timedelta(minutes=1))
    db.session.commit()


def _values(report):
    return {str(label): value for label, value, _target, _kind in report.lines()}


def test_the_week_runs_from_monday_to_sunday():
    assert weekly.week_of(date(2026, 6, 7)) == MONDAY  # a Sunday
    assert weekly.week_of(MONDAY) == MONDAY
    assert weekly.last_week(date(2026, 6, 10)) == MONDAY


def test_a_communes_week_matches_the_counts_made_by_hand(app, bo_de):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        report = weekly.weekly_report(
            db.session, date(2026, 6, 5), commune_ids=frozenset({bo_de.id})
        )
        values = _values(report)

    assert (report.start, report.end) == (MONDAY, date(2026, 6, 7))
    assert values["Dossiers received"] == 5
    assert values["Filed online"] == 4 / 5
    assert values["Filed fully online"] == 1 / 5
    assert values["Result returned electronically"] == 3 / 5
    assert values["Residents assisted"] == 6
    assert values["Carded residents"] == 2
    assert values["Carded residents with at least 2 procedures done by themselves"] == 1
    assert values["Volunteers who served"] == 2
    assert values["Shifts"] == 2
    assert values["Shifts covered"] == 1
    assert values["Volunteer-hours"] == 4.0
    assert values["Lessons completed"] == values["Certificates"] == 0


def test_the_province_and_the_country_add_up_the_same_week(app, hanoi, other_commune):
    with app.test_request_context():
        province = weekly.weekly_report(db.session, MONDAY, province_id=hanoi.id)
        country = weekly.weekly_report(db.session, MONDAY)
        elsewhere = weekly.weekly_report(
            db.session, MONDAY, commune_ids=frozenset({other_commune.id})
        )

    for report in (province, country):
        assert report.figures.totals["total"] == 6
        assert report.volunteers == 2
    assert elsewhere.figures.totals["total"] == 0 and elsewhere.volunteers == 0


def test_each_level_prints_its_week_on_an_a4_page(client, hanoi, bo_de):
    client.set_cookie("lang", "en")
    pages = [
        client.get("/impact/national/weekly", query_string=WEEK),
        client.get(f"/provinces/{hanoi.code}/impact/weekly", query_string=WEEK),
        client.get(f"/communes/{bo_de.code}/impact/weekly", query_string=WEEK),
    ]
    css = client.get("/static/css/site.css").get_data(as_text=True)

    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Monday, June 1, 2026" in html and "Sunday, June 7, 2026" in html
        assert "80%" in html  # online share 4 of 5
        assert "weekly.xlsx?week=2026-06-01" in html
        assert volunteer_named(html) is False
    assert ".weekly-table" in css and "size: A4" in css
    assert bo_de.name in pages[2].get_data(as_text=True)


def volunteer_named(html):
    return "@" in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_workbook_opens_with_numbers_dates_and_text(client, bo_de):
    client.set_cookie("lang", "en")
    response = client.get(f"/communes/{bo_de.code}/impact/weekly.xlsx", query_string=WEEK)

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Report"][0] == bo_de.name
    assert rows["From"][0] == datetime(2026, 6, 1)  # a date cell, read back as a datetime
    assert rows["Dossiers received"] == (5, None)
    assert rows["Filed online (%)"] == (80.0, 80.0)
    assert rows["Volunteer-hours"][0] == 4.0
    assert sheet["B5"].data_type == "n"


@pytest.mark.parametrize("week", ["last tuesday", "1899-12-31"])
def test_a_bad_week_is_a_clear_400(client, bo_de, week):
    client.set_cookie("lang", "en")
    page = client.get(f"/communes/{bo_de.code}/impact/weekly", query_string={"week": week})
    workbook = client.get(f"/communes/{bo_de.code}/impact/weekly.xlsx", query_string={"week": week})

    assert page.status_code == 400 and "Week of" in page.get_data(as_text=True)
    assert workbook.status_code == 400


def test_unknown_places_are_404(client):
    assert client.get("/communes/99999/impact/weekly").status_code == 404
    assert client.get("/provinces/99/impact/weekly.xlsx").status_code == 404


def test_a_coordinator_reports_on_their_commune_and_not_on_another(
    client, login, coordinator, bo_de, other_commune
):
    login(coordinator)
    mine = client.get("/impact/weekly", query_string=WEEK)
    one = client.get("/impact/weekly.xlsx", query_string={**WEEK, "commune": bo_de.code})
    other = client.get("/impact/weekly", query_string={**WEEK, "commune": other_commune.code})

    assert mine.status_code == 200 and "80%" in mine.get_data(as_text=True)
    assert one.status_code == 200
    assert other.status_code == 403
