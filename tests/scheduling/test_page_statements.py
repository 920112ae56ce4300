"""What the shift-finding reads ask of the database: a bounded number of statements, whatever
the number of shifts on the page (counted with SQLAlchemy's cursor events)."""

from datetime import timedelta

from sqlalchemy import select

from app.api.models import ApiToken
from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.booking.services import book_shift
from tests.harness import MORNING
from tests.scheduling.test_booking_statements import recorded, statements

#: the local day of make_shift()'s default shift
DAY = "2030-01-08"


def _a_busy_day(make_shift, volunteer):
    """Six shifts on the day, one of them booked by the volunteer (so held and overlaps show)."""
    shifts = [make_shift(starts_at=MORNING + timedelta(hours=h)) for h in range(0, 12, 2)]
    book_shift(db.session, shifts[0], volunteer)
    db.session.commit()


def test_shifts_of_one_commune_day_take_at_most_four_statements(
    client, login, volunteer, make_shift
):
    _a_busy_day(make_shift, volunteer)
    signed_in = login(volunteer)

    with recorded() as log:
        page = signed_in.get(f"/shifts?commune=bo+de&day={DAY}")

    assert page.status_code == 200
    assert len(statements(log)) <= 4, log["statements"]


def test_the_apis_shifts_of_a_day_take_two_statements(client, volunteer, make_shift, bo_de, bearer):
    _a_busy_day(make_shift, volunteer)
    headers, url = bearer(volunteer), f"/api/v1/shifts?commune={bo_de.code}&date={DAY}"
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == volunteer.id))
    token.last_used_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with recorded() as log:
        answer = client.get(url, headers=headers)

    assert answer.status_code == 200 and len(answer.get_json()) == 6
    # the token with its user and roles; the shifts with their counts and their commune's name
    assert len(statements(log)) <= 2, log["statements"]


def test_shifts_opened_from_the_menu_take_at_most_four_statements(
    client, login, volunteer, make_shift, other_commune
):
    """As the menu opens it: on the volunteer's home commune (no commune in the query), with a
    shift they cannot book because it overlaps one they hold in another commune, whose service
    point the page names."""
    elsewhere = ServicePoint(commune=other_commune, name="Điểm phục vụ khác", address="Số 2")
    db.session.add(elsewhere)
    held = make_shift(point=elsewhere, booked=[volunteer])
    make_shift(starts_at=held.starts_at + timedelta(hours=1))
    db.session.commit()
    signed_in = login(volunteer)
    db.session.remove()  # a fresh request's session, as in a server: nothing loaded yet

    with recorded() as log:
        page = signed_in.get(f"/shifts?day={DAY}")

    assert page.status_code == 200
    assert "Điểm phục vụ khác" in page.get_data(as_text=True)  # the overlap's notice
    assert len(statements(log)) <= 4, log["statements"]


def test_the_coverage_board_reads_its_shifts_once_for_the_board_and_the_next_72_hours(
    client, login, coordinator, make_shift, campaign
):
    """The board's week holds the next 72 hours: one count of the shifts serves both."""
    for hours in (2, 30, 100):
        make_shift(utcnow() + timedelta(hours=hours))
    signed_in, query = login(coordinator), {"campaign": campaign.id}

    with recorded() as log:
        page = signed_in.get("/coverage", query_string=query)

    assert page.status_code == 200
    # the user with its roles, the campaigns in scope, the shifts with their counts, the unread
    assert len(statements(log)) <= 4, log["statements"]


def test_the_impact_dashboard_takes_at_most_twelve_statements(client, login, coordinator):
    signed_in = login(coordinator)

    with recorded() as log:
        page = signed_in.get("/impact")

    assert page.status_code == 200
    assert len(statements(log)) <= 12, log["statements"]
