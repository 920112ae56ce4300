import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.places.models import ServicePoint
from app.places.services import save_service_point

VALID = {
    "name": "Điểm phục vụ số 2",
    "address": "Số 10 Phố Nguyễn Văn Cừ",
    "opening_hours": "Thứ 2–Thứ 7: 7:30–11:30",
    "active": "y",
}


def _count():
    return db.session.scalar(select(func.count(ServicePoint.id)))


@pytest.fixture
def point(bo_de):
    return save_service_point(db.session, bo_de, name="Điểm cũ", address="Phố cũ")


def test_ward_coordinator_adds_a_service_point(client, login, coordinator, bo_de):
    login(coordinator)
    assert client.get("/communes/00130/service-points/new").status_code == 200
    response = client.post("/communes/00130/service-points/new", data=VALID)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/communes/00130")
    point = db.session.scalar(select(ServicePoint))
    assert (point.commune_id, point.name, point.active) == (bo_de.id, VALID["name"], True)
    assert point.opening_hours == VALID["opening_hours"]


def test_ward_coordinator_edits_a_service_point(client, login, coordinator, point):
    login(coordinator)
    page = client.get(f"/service-points/{point.id}/edit").get_data(as_text=True)
    assert "Điểm cũ" in page
    data = {"name": "Điểm mới", "address": "Phố mới", "opening_hours": ""}  # unticked: closed
    response = client.post(f"/service-points/{point.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(point)
    assert (point.name, point.address, point.active) == ("Điểm mới", "Phố mới", False)


def test_commune_page_offers_links_to_its_coordinator(client, login, coordinator, point):
    login(coordinator)
    html = client.get("/communes/00130").get_data(as_text=True)
    assert "/communes/00130/service-points/new" in html
    assert f"/service-points/{point.id}/edit" in html


def test_coordinator_of_another_commune_is_refused(client, login, other_coordinator, point):
    login(other_coordinator)
    assert "/service-points/new" not in client.get("/communes/00130").get_data(as_text=True)
    assert client.get("/communes/00130/service-points/new").status_code == 403
    assert client.post("/communes/00130/service-points/new", data=VALID).status_code == 403
    assert client.post(f"/service-points/{point.id}/edit", data=VALID).status_code == 403
    assert _count() == 1
    db.session.refresh(point)
    assert point.name == "Điểm cũ"


def test_province_coordinator_adds_and_edits_in_any_commune(
    client, login, province_coordinator, point
):
    login(province_coordinator)
    assert client.post("/communes/00130/service-points/new", data=VALID).status_code == 302
    edited = dict(VALID, name="Điểm sửa bởi thành phố")
    assert client.post(f"/service-points/{point.id}/edit", data=edited).status_code == 302
    db.session.refresh(point)
    assert point.name == "Điểm sửa bởi thành phố"
    assert _count() == 2


def test_admin_adds_a_service_point(client, login, admin, bo_de):
    login(admin)
    assert client.post("/communes/00130/service-points/new", data=VALID).status_code == 302
    assert _count() == 1


def test_volunteer_is_refused(client, login, volunteer, point):
    login(volunteer)
    assert client.post("/communes/00130/service-points/new", data=VALID).status_code == 403
    assert client.get(f"/service-points/{point.id}/edit").status_code == 403
    assert _count() == 1


def test_anonymous_visitor_is_sent_to_log_in(client, point):
    for path in ("/communes/00130/service-points/new", f"/service-points/{point.id}/edit"):
        response = client.post(path, data=VALID)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert _count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": "   "},
        {"address": ""},
        {"name": "x" * 10_000},
        {"address": "x" * 10_000},
        {"opening_hours": "x" * 10_000},
    ],
)
def test_invalid_form_is_shown_again_and_writes_nothing(client, login, coordinator, point, change):
    login(coordinator)
    for path in ("/communes/00130/service-points/new", f"/service-points/{point.id}/edit"):
        response = client.post(path, data=dict(VALID, **change))
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'class="error"' in html
        assert 'aria-invalid="true"' in html or "opening_hours-error" in html
    assert _count() == 1
    db.session.refresh(point)
    assert point.name == "Điểm cũ"


def test_unknown_commune_or_service_point_is_404(client, login, admin):
    login(admin)
    assert client.get("/communes/99999/service-points/new").status_code == 404
    assert client.get("/service-points/999999/edit").status_code == 404
