"""Home support: a resident asks, a coordinator sends two volunteers, only they see the address,
the visit is logged as an assist at home, and closing the request erases the address; so does
the retention job, N days after the visit, when nobody closed it."""

import re
import uuid
from datetime import date, time, timedelta

import pytest
from sqlalchemy import String, Text, func, select

from app import create_app
from app.database import utcnow
from app.extensions import db
from app.localtime import local_date, to_utc
from impact.assists.models import AssistedSubmission, Procedure
from impact.home_support import services
from impact.home_support.models import HomeSupportRequest, RequestStatus

ADDRESS = "Số 17 ngõ 42 phố Hồng Tiến, Bồ Đề"


def _ask(client, **fields):
    data = {
        "province": "01",
        "commune": "Bồ Đề",
        "address": ADDRESS,
        "preferred_on": "2030-01-08",
        "time_window": "morning",
        "need": "Đăng ký khai sinh cho cháu trên VNeID",
        **fields,
    }
    return client.post("/home-support/request", data=data)


@pytest.fixture
def home_request(bo_de):
    return services.create_request(
        db.session,
        commune=bo_de,
        address=ADDRESS,
        need="Cấp lại căn cước",
        preferred_on=date(2030, 1, 8),
        time_window="afternoon",
    )


@pytest.fixture
def pair(make_volunteer):
    return [make_volunteer(full_name="Trần Thị Bình"), make_volunteer(full_name="Lê Văn Cường")]


def test_a_resident_asks_without_an_account(client, bo_de):
    response = _ask(client)
    assert response.status_code == 302
    found = db.session.scalar(select(HomeSupportRequest))
    assert (found.commune_id, found.address, found.status) == (bo_de.id, ADDRESS, "open")
    assert found.requested_by_id is None


def test_an_officer_asks_signed_in_and_is_recorded(client, login, make_user):
    officer = make_user()
    login(officer)
    assert _ask(client).status_code == 302
    assert db.session.scalar(select(HomeSupportRequest)).requested_by_id == officer.id


def test_an_unknown_commune_or_missing_address_stores_nothing(client):
    assert _ask(client, commune="Nowhere at all").status_code == 400
    assert _ask(client, address="").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(HomeSupportRequest)) == 0


def test_the_communes_coordinator_sees_the_request_and_its_address(
    client, login, coordinator, home_request
):
    login(coordinator)
    assert f"/home-support/{home_request.id}" in client.get("/home-support").get_data(True)
    assert ADDRESS in client.get(f"/home-support/{home_request.id}").get_data(True)


def test_another_communes_coordinator_gets_404_on_every_url(
    client, login, other_coordinator, home_request, pair
):
    login(other_coordinator)
    url = f"/home-support/{home_request.id}"
    assert f"{url}" not in client.get("/home-support").get_data(True)
    assert client.get(url).status_code == 404
    assigned = client.post(f"{url}/assign", data={"first": pair[0].id, "second": pair[1].id})
    assert assigned.status_code == 404
    assert client.post(f"{url}/close").status_code == 404
    db.session.expire_all()
    assert db.session.get(HomeSupportRequest, home_request.id).address == ADDRESS


def test_a_coordinator_sends_two_volunteers_and_only_they_see_the_address(
    client, login, coordinator, home_request, pair, make_volunteer
):
    login(coordinator)
    url = f"/home-support/{home_request.id}"
    response = client.post(f"{url}/assign", data={"first": pair[0].id, "second": pair[1].id})
    assert response.status_code == 302
    db.session.expire_all()
    found = db.session.get(HomeSupportRequest, home_request.id)
    assert found.status == RequestStatus.ASSIGNED
    assert {v.id for v in found.volunteers} == {pair[0].id, pair[1].id}

    login(pair[0])
    assert ADDRESS in client.get(url).get_data(True)
    assert url in client.get("/home-support").get_data(True)
    login(make_volunteer())
    assert client.get(url).status_code == 404


def test_one_volunteer_or_the_same_one_twice_is_refused(
    client, login, coordinator, home_request, pair
):
    login(coordinator)
    url = f"/home-support/{home_request.id}/assign"
    client.post(url, data={"first": pair[0].id, "second": pair[0].id})
    client.post(url, data={"first": pair[0].id, "second": ""})
    db.session.expire_all()
    assert db.session.get(HomeSupportRequest, home_request.id).assignments == []


def test_the_visit_is_logged_as_an_assist_at_home(
    client, login, coordinator, home_request, pair, service_point, assist_entry
):
    services.assign(db.session, home_request, pair, by=coordinator)
    login(pair[0])
    page = client.get(f"/assists/new?home_request={home_request.id}").get_data(True)
    assert f'name="home_request" type="hidden" value="{home_request.id}"' in page
    entry = assist_entry(at_home=False)
    data = {k: v for k, v in entry.items() if isinstance(v, str | int) and not isinstance(v, bool)}
    data.pop("occurred_at")
    data["home_request"] = str(home_request.id)
    response = client.post("/assists/new", data=data)
    assert response.status_code == 302
    row = db.session.scalar(select(AssistedSubmission))
    assert row.at_home and row.home_request_id == home_request.id
    assert row.procedure.name_vi in client.get(f"/home-support/{home_request.id}").get_data(True)


def test_an_unassigned_volunteer_cannot_link_a_visit(
    client, login, home_request, make_volunteer, assist_entry, on_duty
):
    outsider = make_volunteer()
    on_duty(outsider)  # on duty at the point, so the entry is stored, but not assigned
    login(outsider)
    entry = assist_entry()
    data = {k: v for k, v in entry.items() if isinstance(v, str | int) and not isinstance(v, bool)}
    data.pop("occurred_at")
    data["home_request"] = str(home_request.id)
    client.post("/assists/new", data=data)
    row = db.session.scalar(select(AssistedSubmission))
    assert row.home_request_id is None


def _tables_holding(text):
    """Every (table, column) of the database holding this text, in any string column."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(text))
                )
                if hits:
                    found.append((table.name, column.name))
    return found


def test_closing_the_request_erases_the_address_from_every_table(
    client, login, coordinator, home_request, pair
):
    services.assign(db.session, home_request, pair, by=coordinator)
    db.session.commit()
    assert _tables_holding(ADDRESS) == [("home_support_requests", "address")]
    login(pair[1])
    response = client.post(f"/home-support/{home_request.id}/close")
    assert response.status_code == 302
    db.session.expire_all()
    found = db.session.get(HomeSupportRequest, home_request.id)
    assert found.status == RequestStatus.CLOSED and found.closed_at is not None
    assert (found.address, found.need) == (None, None)
    assert _tables_holding(ADDRESS) == []
    assert _tables_holding("Hồng Tiến") == []


def test_a_closed_request_takes_no_more_volunteers(coordinator, home_request, pair):
    services.close_request(db.session, home_request)
    with pytest.raises(services.HomeSupportError):
        services.assign(db.session, home_request, pair, by=coordinator)


def test_the_public_form_is_rate_limited(limited_app):
    limited = limited_app(HOME_SUPPORT_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    answers = [_ask(client, address="").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_the_public_form_checks_its_csrf_token(app, bo_de):
    guarded = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
        }
    )
    try:
        answer = _ask(guarded.test_client())
    finally:
        with guarded.app_context():
            db.session.remove()
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(HomeSupportRequest)) == 0


def test_a_visit_logged_offline_keeps_its_link_to_the_request(
    app, client, login, coordinator, home_request, pair, assist_entry
):
    from impact.assists.services import sync_token

    services.assign(db.session, home_request, pair, by=coordinator)
    login(pair[0])
    response = client.post(
        "/assists/sync",
        json=assist_entry(at_home=True, offline=True, home_request=str(home_request.id)),
        headers={"X-Sync-Token": sync_token(app.config["SECRET_KEY"], pair[0])},
    )
    assert response.status_code == 201
    assert response.get_json()["home_request"] == home_request.id
    assert db.session.scalar(select(AssistedSubmission)).home_request_id == home_request.id


# -- retention: erased N days after the visit even when nobody closes the request -----------


def _morning(day):
    """9:00 in Hanoi on a local day, as the retention job's `now`."""
    return to_utc(day, time(9))


def _visit(found, day, service_point, volunteer, voided=False):
    """An assist at home logged for the request on a local day."""
    occurred_at = _morning(day)
    db.session.add(
        AssistedSubmission(
            id=uuid.uuid4(),
            volunteer_id=volunteer.id,
            service_point_id=service_point.id,
            commune_id=service_point.commune_id,
            province_id=service_point.commune.province_id,
            procedure_id=db.session.scalars(select(Procedure.id)).first(),
            home_request_id=found.id,
            channel="vneid",
            level="fully_online",
            outcome="submitted",
            result_electronic="yes",
            age_band="60_plus",
            at_home=True,
            occurred_at=occurred_at,
            occurred_on=local_date(occurred_at),
            voided_at=occurred_at + timedelta(minutes=2) if voided else None,
        )
    )
    db.session.flush()


def _erased(found):
    db.session.refresh(found)
    return (found.status, found.address, found.need) == (RequestStatus.CLOSED, None, None)


def test_a_request_nobody_visited_is_erased_30_days_after_its_planned_day(home_request):
    """Planned for 8 January 2030: kept on 6 February, erased on the 7th (30 days after)."""
    assert services.erase_expired_addresses(db.session, _morning(date(2030, 2, 6))) == 0
    assert not _erased(home_request)

    assert services.erase_expired_addresses(db.session, _morning(date(2030, 2, 7))) == 1

    assert _erased(home_request)
    assert home_request.closed_at == _morning(date(2030, 2, 7))
    assert _tables_holding(ADDRESS) == []


def test_a_visited_request_is_erased_30_days_after_its_last_visit_though_nobody_closed_it(
    coordinator, home_request, pair, service_point, procedures
):
    services.assign(db.session, home_request, pair, by=coordinator)
    _visit(home_request, date(2030, 1, 20), service_point, pair[0])

    assert services.erase_expired_addresses(db.session, _morning(date(2030, 2, 18))) == 0
    assert home_request.address == ADDRESS
    assert services.erase_expired_addresses(db.session, _morning(date(2030, 2, 19))) == 1
    assert _erased(home_request)


def test_an_undone_visit_does_not_keep_the_address(
    coordinator, home_request, pair, service_point, procedures
):
    _visit(home_request, date(2030, 1, 20), service_point, pair[0], voided=True)
    assert services.erase_expired_addresses(db.session, _morning(date(2030, 2, 7))) == 1
    assert _erased(home_request)


def test_a_request_made_after_the_day_it_names_is_kept_n_days_from_its_making(bo_de):
    """A past `preferred_on` does not shorten the retention: the request's own day counts."""
    found = services.create_request(
        db.session,
        commune=bo_de,
        address=ADDRESS,
        need="Cấp lại căn cước",
        preferred_on=date(2020, 1, 1),
        time_window="any",
    )
    made = utcnow()
    assert services.erase_expired_addresses(db.session, made + timedelta(days=29)) == 0
    assert services.erase_expired_addresses(db.session, made + timedelta(days=31)) == 1
    assert _erased(found)


def test_the_retention_is_configured(app, monkeypatch, home_request):
    monkeypatch.setitem(app.config, "HOME_SUPPORT_RETENTION_DAYS", 7)
    assert services.erase_expired_addresses(db.session, _morning(date(2030, 1, 14))) == 0
    assert services.erase_expired_addresses(db.session, _morning(date(2030, 1, 15))) == 1


def test_a_closed_request_is_left_as_it_was(home_request):
    services.close_request(db.session, home_request, now=_morning(date(2030, 1, 9)))
    assert services.erase_expired_addresses(db.session, _morning(date(2031, 1, 1))) == 0
    assert home_request.closed_at == _morning(date(2030, 1, 9))


def test_the_command_erases_what_the_job_erases_and_says_how_many(runner, bo_de):
    old = services.create_request(
        db.session,
        commune=bo_de,
        address=ADDRESS,
        need="Cấp lại căn cước",
        preferred_on=local_date(utcnow()) - timedelta(days=45),
        time_window="any",
    )
    old.created_at = utcnow() - timedelta(days=45)
    recent = services.create_request(
        db.session,
        commune=bo_de,
        address="Số 3 phố Nguyễn Văn Cừ",
        need="Đăng ký thường trú",
        preferred_on=local_date(utcnow()),
        time_window="any",
    )
    db.session.commit()

    result = runner.invoke(args=["impact", "erase-addresses"])

    assert result.exit_code == 0, result.output
    assert "1 home-support requests closed and their addresses erased" in result.output
    db.session.expire_all()
    assert _erased(old)
    assert recent.address == "Số 3 phố Nguyễn Văn Cừ"


def test_a_closed_request_says_closed_not_out_of_service(client, login, coordinator, home_request):
    from app.places.models import ServicePoint

    services.close_request(db.session, home_request)
    db.session.add(
        ServicePoint(
            commune=home_request.commune, name="Điểm tạm nghỉ", address="Số 3", active=False
        )
    )
    db.session.commit()
    login(coordinator)

    request_page = client.get(f"/home-support/{home_request.id}").get_data(as_text=True)
    commune_page = client.get(f"/communes/{home_request.commune.code}").get_data(as_text=True)

    assert "Đã đóng" in request_page and "Tạm ngừng hoạt động" not in request_page
    assert "Tạm ngừng hoạt động" in commune_page


def test_the_address_field_asks_for_an_address_line_an_input_can_hold(client):
    html = client.get("/home-support/request").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="address"[^>]*>', html).group(0)
    assert 'autocomplete="address-line1"' in field  # street-address belongs to a <textarea>


def test_the_worker_runs_the_retention_as_a_periodic_job(app, bo_de):
    """Nobody has to remember a cron line: the queue's scheduler erases what is past retention."""
    old = services.create_request(
        db.session,
        commune=bo_de,
        address=ADDRESS,
        need="Cấp lại căn cước",
        preferred_on=local_date(utcnow()) - timedelta(days=45),
        time_window="any",
    )
    old.created_at = utcnow() - timedelta(days=45)
    db.session.commit()

    app.extensions["tasks"]["impact.erase_home_addresses"]()  # as the scheduler does

    db.session.expire_all()
    assert _erased(old)
