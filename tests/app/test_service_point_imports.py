"""Importing service points from a spreadsheet: preview, all or nothing, idempotent, in scope."""

import io
from html import unescape

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role

HEADER = "commune;name;address;opening_hours;active\n"
GOOD = HEADER + (
    "Bo De;Điểm Bồ Đề 1;Số 1 Bồ Đề;T2–T6 7:30–17:00;có\n00130;Điểm Bồ Đề 2;Số 2 Bồ Đề;;không\n"
)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def _upload(client, text, province="01", name="points.csv"):
    data = {"province": province, "spreadsheet": (io.BytesIO(text.encode()), name)}
    return client.post("/imports/service-points", data=data, content_type="multipart/form-data")


def _token(response):
    html = response.get_data(as_text=True)
    marker = 'name="token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _points():
    return db.session.scalars(select(ServicePoint).order_by(ServicePoint.name)).all()


def test_preview_writes_nothing_then_confirm_creates_every_point(client, login, coordinator):
    login(coordinator)
    preview = _upload(client, GOOD)

    assert preview.status_code == 200
    assert "Created: 2" in preview.get_data(as_text=True)
    assert _points() == []

    done = client.post("/imports/service-points/confirm", data={"token": _token(preview)})

    assert done.status_code == 302
    first, second = _points()
    assert (first.name, first.commune.code, first.active) == ("Điểm Bồ Đề 1", "00130", True)
    assert (second.opening_hours, second.active) == ("", False)
    audit = db.session.scalars(select(AuditEntry.action)).all()
    assert audit == ["import.service_point_created"] * 2


def test_the_same_file_twice_changes_nothing_and_a_change_updates(client, login, coordinator):
    login(coordinator)
    client.post("/imports/service-points/confirm", data={"token": _token(_upload(client, GOOD))})

    again = _upload(client, GOOD)
    assert "Unchanged: 2" in again.get_data(as_text=True)
    assert 'name="token"' not in again.get_data(as_text=True)

    changed = _upload(client, GOOD.replace("Số 1 Bồ Đề", "Số 10 Bồ Đề"))
    assert "Updated: 1" in changed.get_data(as_text=True)
    client.post("/imports/service-points/confirm", data={"token": _token(changed)})
    assert _points()[0].address == "Số 10 Bồ Đề"
    assert db.session.scalar(select(func.count(ServicePoint.id))) == 2


def test_one_refused_row_refuses_the_file_and_says_why(client, login, coordinator):
    login(coordinator)
    text = (
        GOOD
        + "Phường Bồ Đềe;Điểm 3;Số 3;;\n00130;Điểm Bồ Đề 1;Số 1;;có\n00004;Điểm Ba Đình;Số 4;;\n"
    )
    text += '00130;=HYPERLINK("http://x");Số 5;;\n00130;Điểm 6;Số 6;;maybe\n'

    response = _upload(client, text)

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Closest: Phường Bồ Đề" in html
    assert "The same service point is on line 2." in html
    assert "Phường Ba Đình is outside your scope." in html
    assert "A formula in name" in html
    assert 'active: write "yes" or "no".' in html
    assert 'name="token"' not in html and _points() == []


def test_a_broken_file_is_a_clear_400(client, login, coordinator):
    login(coordinator)
    response = _upload(client, "tên;địa chỉ\nA;B\n")
    assert response.status_code == 400
    assert "The file lacks the columns commune" in response.get_data(as_text=True)


def test_a_confirmation_judges_again_and_a_foreign_token_writes_nothing(
    client, login, coordinator, make_user, bo_de
):
    other = make_user(Role.COORDINATOR, commune=bo_de)
    login(coordinator)
    token = _token(_upload(client, GOOD))
    client.post("/logout")
    login(other)

    stolen = client.post("/imports/service-points/confirm", data={"token": token})

    assert stolen.status_code == 400 and _points() == []


def test_a_volunteer_cannot_import(client, login, volunteer):
    login(volunteer)
    assert client.get("/imports/service-points").status_code == 403


def test_the_template_lists_the_columns(client, login, coordinator):
    login(coordinator)
    response = client.get("/imports/service-points/template.csv")
    assert response.get_data(as_text=True).startswith("\ufeffcommune,name,address")


def test_the_command_previews_by_default_and_writes_with_commit(runner, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(GOOD, encoding="utf-8-sig")

    preview = runner.invoke(args=["imports", "service-points", str(path)])
    assert preview.exit_code == 0, preview.output
    assert "preview only" in preview.output and _points() == []

    done = runner.invoke(args=["imports", "service-points", str(path), "--commit"])
    assert done.exit_code == 0, done.output
    assert len(_points()) == 2


def test_the_command_refuses_a_file_with_a_refused_row(runner, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(HEADER + "Nowhere;A;B;;\n", encoding="utf-8")
    result = runner.invoke(args=["imports", "service-points", str(path), "--commit"])
    assert result.exit_code == 1
    assert "No commune or ward of that name" in result.output and _points() == []


def test_a_file_without_the_optional_columns_keeps_those_fields(
    client, login, coordinator, service_point
):
    service_point.active = False
    service_point.opening_hours = "T2–T6"
    login(coordinator)
    text = f"commune,name,address\n00130,{service_point.name},Số 9 Bồ Đề\n"

    preview = _upload(client, text)
    client.post("/imports/service-points/confirm", data={"token": _token(preview)})

    (point,) = _points()
    assert (point.address, point.active, point.opening_hours) == ("Số 9 Bồ Đề", False, "T2–T6")
