"""Vietnamese alphabetical order (app.text sort_key, the "vi" collation in SQL): a ă â b c d đ e ê
… u ư v x y, then tones, then case; the same order in Python, on SQLite and on PostgreSQL."""

import ast
import re
import unicodedata
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from app.database import alphabetical
from app.extensions import db
from app.places import services
from app.places.models import Commune, Province
from app.text import sort_key

#: the 34 provinces as a Vietnamese reader orders them, written out by hand
PROVINCES = [
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Tĩnh",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thành phố Cần Thơ",
    "Thành phố Đà Nẵng",
    "Thành phố Hà Nội",
    "Thành phố Hải Phòng",
    "Thành phố Hồ Chí Minh",
    "Thành phố Huế",
    "Tuyên Quang",
    "Vĩnh Long",
]

#: Hà Nội's 126 communes and wards in the same order, written out by hand
HANOI_COMMUNES = [
    "Phường Ba Đình",
    "Phường Bạch Mai",
    "Phường Bồ Đề",
    "Phường Cầu Giấy",
    "Phường Chương Mỹ",
    "Phường Cửa Nam",
    "Phường Dương Nội",
    "Phường Đại Mỗ",
    "Phường Định Công",
    "Phường Đống Đa",
    "Phường Đông Ngạc",
    "Phường Giảng Võ",
    "Phường Hà Đông",
    "Phường Hai Bà Trưng",
    "Phường Hoàn Kiếm",
    "Phường Hoàng Liệt",
    "Phường Hoàng Mai",
    "Phường Hồng Hà",
    "Phường Khương Đình",
    "Phường Kiến Hưng",
    "Phường Kim Liên",
    "Phường Láng",
    "Phường Lĩnh Nam",
    "Phường Long Biên",
    "Phường Nghĩa Đô",
    "Phường Ngọc Hà",
    "Phường Ô Chợ Dừa",
    "Phường Phú Diễn",
    "Phường Phú Lương",
    "Phường Phú Thượng",
    "Phường Phúc Lợi",
    "Phường Phương Liệt",
    "Phường Sơn Tây",
    "Phường Tây Hồ",
    "Phường Tây Mỗ",
    "Phường Tây Tựu",
    "Phường Thanh Liệt",
    "Phường Thanh Xuân",
    "Phường Thượng Cát",
    "Phường Tùng Thiện",
    "Phường Từ Liêm",
    "Phường Tương Mai",
    "Phường Văn Miếu - Quốc Tử Giám",
    "Phường Việt Hưng",
    "Phường Vĩnh Hưng",
    "Phường Vĩnh Tuy",
    "Phường Xuân Đỉnh",
    "Phường Xuân Phương",
    "Phường Yên Hòa",
    "Phường Yên Nghĩa",
    "Phường Yên Sở",
    "Xã An Khánh",
    "Xã Ba Vì",
    "Xã Bát Tràng",
    "Xã Bất Bạt",
    "Xã Bình Minh",
    "Xã Chuyên Mỹ",
    "Xã Chương Dương",
    "Xã Cổ Đô",
    "Xã Dân Hòa",
    "Xã Dương Hòa",
    "Xã Đa Phúc",
    "Xã Đại Thanh",
    "Xã Đại Xuyên",
    "Xã Đan Phượng",
    "Xã Đoài Phương",
    "Xã Đông Anh",
    "Xã Gia Lâm",
    "Xã Hạ Bằng",
    "Xã Hát Môn",
    "Xã Hòa Lạc",
    "Xã Hòa Phú",
    "Xã Hòa Xá",
    "Xã Hoài Đức",
    "Xã Hồng Sơn",
    "Xã Hồng Vân",
    "Xã Hưng Đạo",
    "Xã Hương Sơn",
    "Xã Kiều Phú",
    "Xã Kim Anh",
    "Xã Liên Minh",
    "Xã Mê Linh",
    "Xã Minh Châu",
    "Xã Mỹ Đức",
    "Xã Nam Phù",
    "Xã Ngọc Hồi",
    "Xã Nội Bài",
    "Xã Ô Diên",
    "Xã Phú Cát",
    "Xã Phù Đổng",
    "Xã Phú Nghĩa",
    "Xã Phú Xuyên",
    "Xã Phúc Lộc",
    "Xã Phúc Sơn",
    "Xã Phúc Thịnh",
    "Xã Phúc Thọ",
    "Xã Phượng Dực",
    "Xã Quảng Bị",
    "Xã Quang Minh",
    "Xã Quảng Oai",
    "Xã Quốc Oai",
    "Xã Sóc Sơn",
    "Xã Sơn Đồng",
    "Xã Suối Hai",
    "Xã Tam Hưng",
    "Xã Tây Phương",
    "Xã Thạch Thất",
    "Xã Thanh Oai",
    "Xã Thanh Trì",
    "Xã Thiên Lộc",
    "Xã Thuận An",
    "Xã Thư Lâm",
    "Xã Thượng Phúc",
    "Xã Thường Tín",
    "Xã Tiến Thắng",
    "Xã Trần Phú",
    "Xã Trung Giã",
    "Xã Ứng Hòa",
    "Xã Ứng Thiên",
    "Xã Vân Đình",
    "Xã Vật Lại",
    "Xã Vĩnh Thanh",
    "Xã Xuân Mai",
    "Xã Yên Bài",
    "Xã Yên Lãng",
    "Xã Yên Xuân",
]


def _ordered(*words):
    return sorted(words, key=sort_key)


# --- the key ----------------------------------------------------------------------------------


def test_the_alphabet_puts_each_vietnamese_letter_after_its_base():
    alphabet = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert _ordered(*reversed(alphabet)) == alphabet


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("Đống Đa", "Xuân Phương"),  # đ right after d, not after z
        ("Dương", "Đa"),
        ("Hưng Yên", "Khánh Hòa"),
        ("Hoàn Kiếm", "Hoàng Mai"),  # shorter word first
        ("Tùng", "Từ"),  # u before ư, whatever the tones
        ("Sóc Sơn", "Sơn Đồng"),  # o before ơ
        ("Quảng Bị", "Quang Minh"),  # the letters decide before the tones
        ("Phú Cát", "Phù Đổng"),
        ("Hà Nội", "Hai"),  # a space comes before any letter
        ("A 2", "A1"),
        ("2", "a"),  # digits before letters
    ],
)
def test_letters_decide_before_tones(first, then):
    assert _ordered(then, first) == [first, then]


def test_tones_in_dictionary_order_level_huyen_hoi_nga_sac_nang():
    assert _ordered("mạ", "má", "mã", "mả", "mà", "ma") == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert _ordered("Lệ", "Lế", "Lễ", "Lể", "Lề", "Lê", "Le") == [
        "Le",
        "Lê",
        "Lề",
        "Lể",
        "Lễ",
        "Lế",
        "Lệ",
    ]


def test_the_first_tone_that_differs_decides():
    assert _ordered("Hà Nam", "Ha Nam") == ["Ha Nam", "Hà Nam"]
    assert _ordered("Hà Nam", "Ha Nám") == ["Ha Nám", "Hà Nam"]


def test_case_only_breaks_ties_lower_first():
    assert _ordered("an", "An", "Ăn", "ăn", "ba", "Ba") == ["an", "An", "ăn", "Ăn", "ba", "Ba"]
    assert _ordered("Đà", "đà", "đá", "Đa") == ["Đa", "đà", "Đà", "đá"]


def test_composed_and_decomposed_text_sort_alike():
    composed = "Phường Bồ Đề"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert sort_key(composed)[:3] == sort_key(decomposed)[:3]


def test_equal_keys_only_for_equal_text():
    assert sort_key("Nguyễn Văn An") != sort_key("Nguyen Van An")
    assert sort_key("Nguyễn Văn An") == sort_key("Nguyễn Văn An")


# --- the places, in Python and in SQL -------------------------------------------------------------


def test_the_34_provinces_in_vietnamese_order(client):
    assert [name for _code, name in services.province_choices(db.session)] == PROVINCES
    assert [p.name for p, _count in services.provinces_with_counts(db.session)] == PROVINCES
    page = client.get("/provinces").get_data(as_text=True)
    assert _links(page, "provinces") == PROVINCES


def test_hanoi_communes_in_vietnamese_order(client, hanoi):
    assert len(HANOI_COMMUNES) == 126
    assert [c.name for c in services.search_communes(db.session, hanoi)] == HANOI_COMMUNES
    db.session.expire(hanoi)
    assert [c.name for c in hanoi.communes] == HANOI_COMMUNES
    page = client.get(f"/provinces/{hanoi.code}").get_data(as_text=True)
    assert _links(page, "communes") == HANOI_COMMUNES


def test_sql_and_python_agree_on_every_place_name():
    """The "vi" collation (ICU's on PostgreSQL, app.text's on SQLite) and sort_key agree."""
    for column in (Province.name, Commune.name):
        in_sql = db.session.scalars(select(column).order_by(alphabetical(column))).all()
        assert len(in_sql) in (34, 3321)
        assert in_sql == sorted(in_sql, key=sort_key)


def _links(page, kind):
    return [unescape(name) for name in re.findall(rf'href="/{kind}/\d+">([^<]+)</a>', page)]


# --- one rule everywhere ------------------------------------------------------------------------

#: the attributes that hold a name a person reads in a list
NAMES = {"name", "full_name", "search_name", "commune_name", "point_name"}
ROOT = Path(__file__).resolve().parents[2]


def _code_point_orders(path):
    """(line, text) of each ORDER BY or Python sort in the file that orders by a name without the
    Vietnamese rule: a name attribute in order_by(...) outside alphabetical(...), or in a
    sort key outside sort_key(...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called == "order_by":
            ordered = list(call.args)
        elif called in ("sorted", "sort", "relationship"):
            ordered = [k.value for k in call.keywords if k.arg in ("key", "order_by")]
        else:
            continue
        for expression in ordered:
            if _bare_name(expression):
                yield call.lineno, ast.unparse(call)[:80]


def _bare_name(node) -> bool:
    """Whether the expression reads a name attribute not wrapped in alphabetical/sort_key."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("alphabetical", "sort_key"):
        return False
    if isinstance(node, ast.Attribute) and node.attr in NAMES:
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1] in NAMES  # relationship(order_by="Commune.name")
    return any(_bare_name(child) for child in ast.iter_child_nodes(node))


def test_no_list_is_ordered_by_code_point():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for package in ("app", "scheduling", "courses", "impact")
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in _code_point_orders(path)
    ]
    assert found == [], "order names with app.database.alphabetical or app.text.sort_key"
