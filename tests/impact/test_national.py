"""From commune to nation: the country's public page with its 34 provinces, a province's communes,
a commune's service points and days; the same figures in the API and as CSV files."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.places.models import Province, ServicePoint
from impact.assists.services import record_assist
from impact.dashboard import services

DAY = date(2030, 1, 8)
MORNING = datetime(2030, 1, 8, 2, tzinfo=UTC)
RANGE = {"start": "2030-01-08", "end": "2030-01-08"}


@pytest.fixture(autouse=True)
def logged(volunteer, assist_entry, on_duty, service_point):
    """Twelve dossiers at Bồ Đề's service point: ten submitted (eight online, of which three
    fully online, and nine with the result returned electronically), two not submitted."""
    on_duty(volunteer, at=MORNING)
    for n in range(12):
        submitted = n < 10
        paper = n >= 8
        data = assist_entry(
            outcome="submitted" if submitted else "not_submitted",
            reason=None if submitted else "network_down",
            channel="paper" if paper else "vneid",
            level="paper" if paper else ("fully_online" if n < 3 else "partly_online"),
            result_electronic="yes" if n < 9 else "no",
            occurred_at=MORNING.isoformat(),
        )
        record_assist(db.session, volunteer, data, now=MORNING + timedelta(minutes=1))
    db.session.commit()


def _scope():
    return services.dated_scope(DAY, DAY, DAY)


def test_the_country_has_its_34_provinces_with_figures_from_the_roll_up(hanoi):
    figures = services.country_figures(db.session, _scope())

    assert len(figures.units) == db.session.scalar(select(func.count()).select_from(Province))
    hanoi_row = next(u for u in figures.units if u.code == hanoi.code)
    assert (hanoi_row.total, hanoi_row.submitted, hanoi_row.submitted_online) == (12, 10, 8)
    assert hanoi_row.online_share == 0.8
    assert hanoi_row.fully_online_share == 0.3
    assert hanoi_row.result_electronic_share == 0.9
    assert sum(u.total for u in figures.units) == figures.totals["total"] == 12
    assert [u.code for u in figures.leading_units] == [hanoi.code]


def test_the_national_page_lists_the_provinces_and_links_each_to_its_page(client, hanoi):
    page = client.get("/impact/national", query_string=RANGE)
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert f'href="/provinces/{hanoi.code}/impact?start=2030-01-08&amp;end=2030-01-08"' in html
    assert "80%" in html
    assert 'id="communes"' not in html  # 3,321 communes are for the provinces' pages


def test_each_share_says_in_words_whether_it_meets_its_target(client, hanoi):
    """A lone ✓ or ↓ is no text for a screen reader, and checkers cannot judge its contrast: the
    sign is drawn by the stylesheet, the words are in the page."""
    client.set_cookie("lang", "en")
    html = client.get("/impact/national", query_string=RANGE).get_data(as_text=True)
    row = html[html.index(f'href="/provinces/{hanoi.code}/impact') :].split("</tr>")[0]

    # 80 % online and 30 % fully online meet 80 % and 20 %; 90 % returned electronically is below
    assert row.count('<span class="visually-hidden">target met</span>') == 2
    assert row.count('<span class="visually-hidden">below target</span>') == 1
    assert "✓" not in row and "↓" not in row


def test_the_province_page_links_its_communes_to_their_pages(client, hanoi, bo_de):
    html = client.get(f"/provinces/{hanoi.code}/impact", query_string=RANGE).get_data(as_text=True)
    assert f'href="/communes/{bo_de.code}/impact?start=2030-01-08&amp;end=2030-01-08"' in html


def test_the_commune_page_shows_its_service_points_and_days(client, bo_de, service_point):
    page = client.get(f"/communes/{bo_de.code}/impact", query_string=RANGE)
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert service_point.name in html
    assert bo_de.province.name in html  # the way back up


def test_a_commune_shows_its_points_even_without_dossiers(bo_de, service_point):
    quiet = ServicePoint(commune=bo_de, name="Điểm phụ", address="—")
    db.session.add(quiet)
    db.session.flush()
    scope = services.dated_scope(DAY, DAY, DAY, commune_ids=frozenset({bo_de.id}))

    points = {u.name: u for u in services.point_figures(db.session, scope)}

    assert points[service_point.name].total == 12
    assert points["Điểm phụ"].total == 0 and points["Điểm phụ"].online_share is None


def test_the_api_answers_every_level(client, hanoi, bo_de, service_point):
    country = client.get("/api/v1/national/stats", query_string={"from": "2030-01-08"}).get_json()
    province = client.get(f"/api/v1/provinces/{hanoi.code}/stats?from=2030-01-08").get_json()
    commune = client.get(f"/api/v1/communes/{bo_de.code}/stats?from=2030-01-08").get_json()

    hanoi_row = next(p for p in country["provinces"] if p["code"] == hanoi.code)
    assert hanoi_row["dossiers"] == 12 and hanoi_row["online_share"] == 0.8
    assert country["totals"]["total"] == province["totals"]["total"] == 12
    assert commune["service_points"][0]["code"] == str(service_point.id)
    assert commune["service_points"][0]["submitted"] == 10
    assert client.get("/api/v1/communes/99999/stats").status_code == 404


def test_the_levels_download_as_csv(client, hanoi, bo_de):
    national = client.get("/impact/national/provinces.csv", query_string=RANGE)
    commune = client.get(f"/communes/{bo_de.code}/impact/service_points.csv", query_string=RANGE)
    wrong_level = client.get(f"/communes/{bo_de.code}/impact/provinces.csv")

    rows = list(csv.reader(io.StringIO(national.get_data(as_text=True).lstrip("\ufeff"))))
    assert national.status_code == 200 and len(rows) == 1 + 34
    assert [r for r in rows if r[1] == hanoi.code][0][2:4] == ["12", "10"]
    assert commune.status_code == 200
    assert wrong_level.status_code == 404


def test_the_rebuilt_roll_up_gives_the_same_service_point_figures(bo_de):
    scope = services.dated_scope(DAY, DAY, DAY, commune_ids=frozenset({bo_de.id}))
    before = [u.json() for u in services.point_figures(db.session, scope)]
    services.rebuild_counts(db.session)
    assert [u.json() for u in services.point_figures(db.session, scope)] == before
