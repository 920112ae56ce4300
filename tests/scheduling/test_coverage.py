"""The coverage board: counts per shift, the understaffed list, volunteer-hours, scope, filters."""

import re
from datetime import date, timedelta

import pytest

from app.database import begin_write
from app.extensions import db
from app.localtime import local_days_bounds, local_today
from app.places.models import ServicePoint
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.coverage import services as coverage
from scheduling.coverage.services import CellState
from scheduling.models import Shift
from tests.harness import NOW

#: make_shift()'s default shift starts at 07:00 in Hanoi on 8 January 2030
DAY = "2030-01-08"
RANGE = {"first": "2030-01-08", "last": "2030-01-14"}


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def both(make_campaign, bo_de, other_commune):
    """A campaign over Bồ Đề and another Hanoi ward (minimum 5, maximum 8 per shift)."""
    return make_campaign(communes=[bo_de, other_commune], name="Chiến dịch hai phường")


def book(shift, count, make_volunteer):
    """Book `count` new volunteers on the shift, as the booking page would."""
    bookings = []
    for _ in range(count):
        person = make_volunteer()
        begin_write(db.session)
        bookings.append(book_shift(db.session, shift, person, now=NOW).booking)
        db.session.commit()
    return bookings


def counts_of(campaign, user, first=date(2030, 1, 8), last=date(2030, 1, 14)):
    starts_from, starts_before = local_days_bounds(first, last)
    return coverage.shift_counts(
        db.session, campaign, user, starts_from=starts_from, starts_before=starts_before
    )


def test_counts_match_the_bookings_of_each_shift(make_shift, make_volunteer, admin, campaign):
    empty, half, full = (
        make_shift(NOW + timedelta(hours=24)),
        make_shift(NOW + timedelta(hours=30)),
        make_shift(NOW + timedelta(hours=48)),
    )
    book(half, 5, make_volunteer)
    book(full, 9, make_volunteer)  # 8 confirmed, 1 on the waitlist
    cancelled = book(half, 1, make_volunteer)[0]
    begin_write(db.session)
    cancel_booking(db.session, cancelled, now=NOW)
    db.session.commit()

    counts = {c.shift_id: c for c in counts_of(campaign, admin)}

    assert (counts[empty.id].confirmed, counts[empty.id].waitlisted) == (0, 0)
    assert (counts[half.id].confirmed, counts[half.id].waitlisted) == (5, 0)
    assert (counts[full.id].confirmed, counts[full.id].waitlisted) == (8, 1)
    assert counts[empty.id].state == CellState.UNDERSTAFFED
    assert counts[half.id].state == CellState.PARTLY_STAFFED
    assert counts[full.id].state == CellState.FULL


def test_a_cancelled_shift_is_left_off_the_board(make_shift, admin, campaign):
    shift = make_shift()
    make_shift(NOW + timedelta(hours=30)).status = "cancelled"
    db.session.flush()
    assert [c.shift_id for c in counts_of(campaign, admin)] == [shift.id]


def test_board_page_shows_booked_minimum_and_maximum_with_the_state_in_words(
    english, login, coordinator, make_shift, make_volunteer, campaign
):
    make_shift(NOW + timedelta(hours=24))
    book(make_shift(NOW + timedelta(hours=30)), 8, make_volunteer)
    login(coordinator, on=english)

    page = english.get("/coverage", query_string={**RANGE, "campaign": campaign.id})

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0/5/8" in html and "8/5/8" in html
    assert "⚠ Understaffed" in html and "✓ Full" in html
    assert '<th scope="row" id="h-r1"' in html and "<caption" in html


def test_understaffed_shifts_of_the_next_72_hours_are_listed_soonest_first(
    make_shift, make_volunteer, admin, campaign
):
    later = make_shift(NOW + timedelta(hours=50))
    soon = make_shift(NOW + timedelta(hours=2))
    staffed = make_shift(NOW + timedelta(hours=26))
    make_shift(NOW + timedelta(hours=80))  # beyond 72 hours
    book(staffed, 5, make_volunteer)

    listed = coverage.understaffed_soon(db.session, campaign, admin, now=NOW)

    assert [c.shift_id for c in listed] == [soon.id, later.id]


def test_the_72_hours_taken_from_the_boards_counts_are_those_read_alone(
    make_shift, make_volunteer, admin, campaign
):
    before = make_shift(NOW - timedelta(hours=1))  # in the board's week, not in the 72 hours
    soon = make_shift(NOW + timedelta(hours=2))
    make_shift(NOW + timedelta(hours=80))  # in the week, beyond 72 hours
    book(make_shift(NOW + timedelta(hours=26)), 5, make_volunteer)
    week = (NOW - timedelta(days=1), NOW + timedelta(days=6))
    counts = coverage.shift_counts(
        db.session, campaign, admin, starts_from=week[0], starts_before=week[1]
    )

    taken = coverage.understaffed_soon(
        db.session, campaign, admin, now=NOW, counted=coverage.Counted(*week, counts)
    )

    assert before.id in {c.shift_id for c in counts}
    assert taken == coverage.understaffed_soon(db.session, campaign, admin, now=NOW)
    assert [c.shift_id for c in taken] == [soon.id]


def test_the_board_page_lists_the_understaffed_shifts_of_the_next_72_hours(
    english, login, coordinator, make_shift, campaign, service_point, monkeypatch
):
    monkeypatch.setattr(coverage, "utcnow", lambda: NOW)
    make_shift(NOW + timedelta(hours=5))
    login(coordinator, on=english)

    html = english.get("/coverage", query_string={"campaign": campaign.id, **RANGE}).get_data(
        as_text=True
    )

    soon = html.split("Understaffed in the next 72 hours", 1)[1].split("</section>", 1)[0]
    assert service_point.name in soon
    assert "0 of at least 5" in soon


def test_volunteer_hours_are_confirmed_bookings_times_shift_length(
    english, login, coordinator, make_shift, make_volunteer, campaign
):
    book(make_shift(NOW + timedelta(hours=24), 4), 3, make_volunteer)
    book(
        make_shift(NOW + timedelta(hours=48), 2.5), 9, make_volunteer
    )  # the waitlisted one counts not
    board = coverage.build_board(
        counts_of(campaign, coordinator), date(2030, 1, 8), date(2030, 1, 14)
    )
    assert board.volunteer_hours == 3 * 4 + 8 * 2.5

    login(coordinator, on=english)
    html = english.get("/coverage", query_string={"campaign": campaign.id, **RANGE}).get_data(
        as_text=True
    )
    assert "Volunteer-hours booked: 32" in html


def test_volunteer_hours_are_formatted_for_the_reader(
    client, login, coordinator, make_shift, make_volunteer, campaign
):
    book(make_shift(NOW + timedelta(hours=24), 2.5), 3, make_volunteer)
    login(coordinator)
    html = client.get("/coverage", query_string={"campaign": campaign.id, **RANGE}).get_data(
        as_text=True
    )
    assert "7,5" in html  # Vietnamese decimal comma


def test_the_places_with_most_understaffed_shifts_come_first(
    admin, both, make_shift, make_volunteer, service_point, other_point
):
    for hours in (24, 30):
        book(make_shift(NOW + timedelta(hours=hours), on=both), 5, make_volunteer)
        make_shift(NOW + timedelta(hours=hours), on=both, point=other_point)

    board = coverage.build_board(counts_of(both, admin), date(2030, 1, 8), date(2030, 1, 14))

    assert [r.point_id for r in board.rows] == [other_point.id, service_point.id]
    only = coverage.build_board(
        counts_of(both, admin), date(2030, 1, 8), date(2030, 1, 14), only_understaffed=True
    )
    assert [r.point_id for r in only.rows] == [other_point.id]


def test_another_communes_coordinator_sees_nothing_of_bo_de(
    english, login, other_coordinator, both, make_shift, service_point, other_point
):
    make_shift(on=both)
    make_shift(on=both, point=other_point)

    counts = counts_of(both, other_coordinator)
    assert {c.point_id for c in counts} == {other_point.id}

    login(other_coordinator, on=english)
    html = english.get("/coverage", query_string={"campaign": both.id, **RANGE}).get_data(
        as_text=True
    )
    assert other_point.name in html
    assert service_point.name not in html


def test_a_campaign_outside_the_scope_is_neither_offered_nor_shown(
    english,
    login,
    other_coordinator,
    campaign,
    make_campaign,
    other_commune,
    make_shift,
    service_point,
):
    make_shift()  # `campaign` covers Bồ Đề only
    login(other_coordinator, on=english)
    assert "No campaign takes place" in english.get("/coverage").get_data(as_text=True)

    make_campaign(communes=[other_commune], name="Chiến dịch phường khác")
    page = english.get("/coverage")
    assert page.status_code == 200
    assert "Chiến dịch phường khác" in page.get_data(as_text=True)
    assert campaign.name not in page.get_data(as_text=True)

    forced = english.get("/coverage", query_string={"campaign": campaign.id, **RANGE})
    assert forced.status_code == 400
    assert service_point.name not in forced.get_data(as_text=True)


def test_a_province_coordinator_sees_every_hanoi_commune(
    province_coordinator, both, make_shift, service_point, other_point
):
    make_shift(on=both)
    make_shift(on=both, point=other_point)
    counts = counts_of(both, province_coordinator)
    assert {c.point_id for c in counts} == {service_point.id, other_point.id}


def test_the_commune_filter_ignores_diacritics(
    english, login, province_coordinator, both, make_shift, service_point, other_point
):
    make_shift(on=both)
    make_shift(on=both, point=other_point)
    login(province_coordinator, on=english)
    html = english.get(
        "/coverage", query_string={"campaign": both.id, "commune": "BO DE", **RANGE}
    ).get_data(as_text=True)
    assert service_point.name in html
    assert other_point.name not in html


def test_the_default_campaign_is_the_one_running_today(make_campaign):
    today = date(2030, 3, 1)
    past = make_campaign(name="Đã xong", starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 31))
    running = make_campaign(name="Đang chạy", starts_on=date(2030, 2, 20), ends_on=date(2030, 3, 5))
    coming = make_campaign(name="Sắp tới", starts_on=date(2030, 4, 1), ends_on=date(2030, 4, 30))
    assert coverage.current_campaign([past, running, coming], today) == running
    assert coverage.current_campaign([past, coming], today) == coming
    assert coverage.current_campaign([past], today) == past


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"first": "2030-01-01", "last": "2030-03-01"}, "Choose at most 31 days at a time."),
        ({"first": "2030-01-10", "last": "2030-01-08"}, "must not come before the first day"),
        ({"first": "8/1/2030"}, "Not a valid date value."),
        ({"campaign": "abc"}, "Not a valid choice"),
    ],
)
def test_bad_filters_are_refused_with_a_message(
    english, login, coordinator, campaign, make_shift, args, message
):
    make_shift()
    login(coordinator, on=english)
    page = english.get("/coverage", query_string={"campaign": campaign.id, **args})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html or "Invalid Choice" in html
    assert "0/5/8" not in html


def test_volunteers_may_not_open_the_board(english, login, volunteer):
    login(volunteer, on=english)
    assert english.get("/coverage").status_code == 403


def test_the_board_of_126_wards_is_one_aggregate_query(
    app, admin, make_campaign, hanoi, make_volunteer
):
    """Hanoi's 126 wards × 7 days × 2 shifts: a fixed number of queries, whatever the size."""
    from sqlalchemy import event, select

    from app.places.models import Commune
    from scheduling.services import generate_shifts

    communes = db.session.scalars(select(Commune).where(Commune.province_id == hanoi.id)).all()
    db.session.add_all(
        ServicePoint(commune=c, name=f"Trung tâm {c.name}", address="Hà Nội") for c in communes
    )
    hanoi_campaign = make_campaign(
        communes=communes, starts_on=date(2030, 1, 8), ends_on=date(2030, 1, 14)
    )
    generate_shifts(db.session, hanoi_campaign)
    db.session.commit()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = counts_of(hanoi_campaign, admin)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(rows) == len(communes) * 7 * 2
    assert len([s for s in statements if "shifts" in s]) == 1
    assert len(communes) == 126
    assert db.session.query(Shift).count() == len(rows)


def test_one_click_shows_tomorrow_only(english, login, coordinator, campaign):
    from datetime import timedelta

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    login(coordinator, on=english)
    html = english.get("/coverage", query_string={"campaign": campaign.id}).get_data(as_text=True)
    assert f"first={tomorrow}&amp;last={tomorrow}" in html.split(">Tomorrow<", 1)[0][-300:]

    page = english.get("/coverage", query_string={"first": tomorrow, "last": tomorrow})
    assert page.status_code == 200
    assert 'aria-current="true">Tomorrow<' in page.get_data(as_text=True)


def test_every_cell_of_the_board_names_its_headers(
    english, login, coordinator, make_shift, campaign, other_point
):
    make_shift(NOW + timedelta(hours=24))
    make_shift(NOW + timedelta(hours=54), point=other_point)
    login(coordinator, on=english)

    html = english.get("/coverage", query_string={**RANGE, "campaign": campaign.id}).get_data(
        as_text=True
    )

    ids = set(re.findall(r'<th[^>]* id="([^"]+)"', html))
    cells = re.findall(r'<td class="cell[^"]*"[^>]* headers="([^"]+)"', html)
    assert cells
    for headers in cells:
        assert set(headers.split()) <= ids, headers
    assert len(re.findall(r"<td class=\"cell", html)) == len(cells)
