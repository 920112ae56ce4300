"""Reading an uploaded spreadsheet: .xlsx or .csv as Excel saves them, and broken files."""

import io

import pytest
from openpyxl import Workbook

from app.spreadsheets import Column, SheetError, read_table, stash, unstash

COLUMNS = (Column("name", ("họ và tên",)), Column("commune", ("xã/phường",), required=False))


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(table):
    return [(r.line, r.cells) for r in table.rows]


def test_a_utf8_csv_with_a_bom_and_semicolons_is_read_by_column():
    data = "\ufeffname;commune\r\nNguyễn Văn An;Phường Bồ Đề\r\n".encode()
    table = read_table(data, "people.csv", COLUMNS)
    assert _cells(table) == [(2, {"name": "Nguyễn Văn An", "commune": "Phường Bồ Đề"})]


def test_a_csv_without_bom_with_commas_and_vietnamese_headers_in_any_case():
    data = 'HỌ VÀ TÊN,Xã/Phường,STT\n"Trần, Bình",Bồ Đề,1\n'.encode()
    table = read_table(data, "people.csv", COLUMNS)
    assert _cells(table) == [(2, {"name": "Trần, Bình", "commune": "Bồ Đề"})]
    assert table.ignored == ["STT"]


def test_an_xlsx_is_read_with_numbers_as_text_and_empty_rows_skipped():
    data = xlsx([["name", "commune"], ["An", 130], [None, None], ["Bình", "Bồ Đề"]])
    table = read_table(data, "people.xlsx", COLUMNS)
    assert _cells(table) == [
        (2, {"name": "An", "commune": "130"}),
        (4, {"name": "Bình", "commune": "Bồ Đề"}),
    ]


def test_formulas_are_flagged_by_column_in_csv_and_xlsx():
    csv_row = read_table(b"name,commune\n=HYPERLINK(1),x\n", "a.csv", COLUMNS).rows[0]
    xlsx_row = read_table(xlsx([["name"], ["=1+1"]]), "a.xlsx", COLUMNS).rows[0]
    assert csv_row.formulas == ["name"] and xlsx_row.formulas == ["name"]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"nom,commune\nAn,x\n", "a.csv", "missing_columns"),
        (b"name,commune\n\n,,\n", "a.csv", "empty"),
        (b"name\nAn\n" + "Đào\n".encode("cp1258"), "a.csv", "not_utf8"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "bad_xlsx"),
        (b"%PDF-1.4", "a.pdf", "unknown_format"),
    ],
)
def test_a_broken_file_is_refused_as_a_whole_with_its_reason(data, filename, code):
    with pytest.raises(SheetError) as refused:
        read_table(data, filename, COLUMNS)
    assert refused.value.code == code
    assert refused.value.status == 400


def test_mixed_encodings_name_the_first_line_that_is_not_utf8(app):
    data = b"name\nAn\n" + "Đào\n".encode("cp1258")
    with pytest.raises(SheetError) as refused:
        read_table(data, "a.csv", COLUMNS)
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert "line 3" in refused.value.message


def test_missing_columns_are_named(app):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        with pytest.raises(SheetError) as refused:
            read_table(b"commune\nx\n", "a.csv", COLUMNS)
        assert "name" in refused.value.message


def test_a_stashed_file_comes_back_only_to_its_owner_for_its_import(app):
    with app.test_request_context():
        token = stash(b"name\nAn\n", user_id=7, kind="volunteers", province="01")
        data, context = unstash(token, user_id=7, kind="volunteers")
        assert (data, context["province"]) == (b"name\nAn\n", "01")
        for user_id, kind in ((8, "volunteers"), (7, "service-points")):
            with pytest.raises(SheetError):
                unstash(token, user_id=user_id, kind=kind)
        with pytest.raises(SheetError):
            unstash(token + "x", user_id=7, kind="volunteers")
