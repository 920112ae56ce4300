"""The procedure catalogue: the seed, `flask procedures import`, the admin pages, the search."""

import re

from sqlalchemy import func, select

from app.extensions import db
from impact.assists.models import Procedure
from impact.procedures import services


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Procedure))


def test_the_seed_holds_at_least_thirty_procedures_named_in_both_languages():
    items = services.load_seed()
    assert len(items) >= 30
    assert len({item["code"] for item in items}) == len(items)
    for item in items:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item["code"]), item["code"]
        assert item["vi"] != item["en"]
    codes = {item["code"] for item in items}
    assert {
        "birth-registration",
        "permanent-residence-registration",
        "temporary-residence-registration",
        "certified-copy",
        "signature-certification",
        "marriage-registration",
        "marital-status-certificate",
        "death-registration",
        "criminal-record-vneid",
        "birth-residence-health-insurance-under-6",
        "household-business-registration",
        "guardianship-registration",
        "parentage-recognition",
        "civil-status-change",
    } <= codes


def test_vietnamese_names_carry_their_diacritics():
    names = {item["code"]: item["vi"] for item in services.load_seed()}
    assert names["birth-registration"] == "Đăng ký khai sinh"
    assert names["permanent-residence-registration"] == "Đăng ký thường trú"
    assert names["marital-status-certificate"] == "Cấp Giấy xác nhận tình trạng hôn nhân"


def test_the_import_command_is_idempotent(runner):
    first = runner.invoke(args=["procedures", "import"])
    assert first.exit_code == 0, first.output
    created = _count()
    second = runner.invoke(args=["procedures", "import"])
    assert second.exit_code == 0
    assert created >= 30 and _count() == created
    assert "0 created" in second.output


def test_the_import_keeps_an_admins_edit(procedures):
    row = db.session.scalar(select(Procedure).where(Procedure.code == "stay-notification"))
    row.name_vi, row.active = "Thông báo lưu trú (sửa)", False
    db.session.commit()
    services.import_procedures(db.session)
    db.session.expire_all()
    row = db.session.scalar(select(Procedure).where(Procedure.code == "stay-notification"))
    assert (row.name_vi, row.active) == ("Thông báo lưu trú (sửa)", False)


def test_search_ignores_diacritics_and_case_in_both_languages(procedures):
    def codes(query, **kwargs):
        return {p.code for p in services.search_procedures(db.session, query, **kwargs)}

    assert "birth-registration" in codes("khai sinh")
    assert "birth-registration" in codes("ĐĂNG KÝ KHAI SINH")
    assert "birth-registration" in codes("Birth")
    assert "permanent-residence-registration" in codes("thuong tru")
    assert codes("no such thing at all") == set()


def test_an_admin_adds_edits_and_deactivates_a_procedure(client, login, admin, procedures):
    login(admin)
    response = client.post(
        "/admin/procedures/new",
        data={
            "code": "land-use-change",
            "name_vi": "Đăng ký biến động đất đai",
            "name_en": "Registration of a land change",
            "active": "y",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(select(Procedure).where(Procedure.code == "land-use-change"))
    assert row.active and row.search_text.startswith("dang ky bien dong dat dai")

    response = client.post(
        f"/admin/procedures/{row.id}/edit",
        data={
            "code": "land-use-change",
            "name_vi": "Đăng ký biến động đất đai",
            "name_en": "Registration of a change of land",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Procedure, row.id)
    assert row.name_en == "Registration of a change of land" and not row.active
    assert "land-use-change" not in {p.code for p in services.procedures(db.session)}
    assert client.get("/admin/procedures?q=bien dong").status_code == 200


def test_a_code_used_twice_or_not_ascii_is_refused(client, login, admin, procedures):
    login(admin)
    taken = client.post(
        "/admin/procedures/new",
        data={"code": "birth-registration", "name_vi": "X", "name_en": "Y"},
    )
    accented = client.post(
        "/admin/procedures/new", data={"code": "khai-sinh-mới", "name_vi": "X", "name_en": "Y"}
    )
    assert (taken.status_code, accented.status_code) == (400, 400)
    assert _count() == len(services.load_seed())


def test_only_admins_keep_the_catalogue(client, login, coordinator, procedures):
    login(coordinator)
    assert client.get("/admin/procedures").status_code == 403
    assert client.post("/admin/procedures/new", data={}).status_code == 403
