from sqlalchemy import func, select

from app.extensions import db
from app.places.models import Commune, Province
from app.places.services import import_places, search_communes


def test_import_loads_every_province_and_commune_once(runner):
    result = runner.invoke(args=["places", "import"])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output
    assert db.session.scalar(select(func.count(Province.id))) == 34
    assert db.session.scalar(select(func.count(Commune.id))) == 3321


def test_import_restores_an_edited_name():
    commune = db.session.scalar(select(Commune).where(Commune.code == "00130"))
    commune.name = "Wrong"
    db.session.flush()
    assert import_places(db.session) == {"created": 0, "updated": 1}
    assert commune.name == "Phường Bồ Đề"
    db.session.rollback()


def test_official_codes_and_types(hanoi, bo_de):
    assert (hanoi.code, hanoi.name) == ("01", "Thành phố Hà Nội")
    assert (bo_de.code, bo_de.division_type) == ("00130", "phường")
    assert len(hanoi.communes) == 126


def test_search_ignores_diacritics_and_case(hanoi):
    for query in ("bo de", "BỒ ĐỀ", "  Bồ   đề "):
        names = [c.name for c in search_communes(db.session, hanoi, query)]
        assert names == ["Phường Bồ Đề"], query
