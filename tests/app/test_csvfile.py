"""CSV and .xlsx writing (app.csvfile): the one place every table download of the site is made."""

import io
from datetime import date
from urllib.parse import unquote

import openpyxl

from app.csvfile import (
    XLSX_MIMETYPE,
    content_disposition,
    csv_bytes,
    csv_response,
    xlsx_bytes,
    xlsx_response,
)


def test_csv_starts_with_a_bom_and_disarms_formulas_in_header_and_cells():
    body = csv_bytes(["=Tên"], [["Hương", "=1+1", 42, None]])
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").splitlines() == ["'=Tên", "Hương,'=1+1,42,"]


def test_a_vietnamese_file_name_comes_in_utf8_with_an_ascii_fallback():
    disposition = content_disposition("danh-sách-Bồ-Đề.csv")
    assert disposition.startswith('attachment; filename="danh-s_ch-B_-__.csv"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "danh-sách-Bồ-Đề.csv"


def test_the_ascii_name_may_be_given_and_never_breaks_the_header(app):
    with app.test_request_context():
        response = csv_response(["a"], [], "lịch.csv", fallback='roster-"x".csv')
    assert 'filename="roster-x.csv"' in response.headers["Content-Disposition"]
    assert response.mimetype == "text/csv"


# --- the .xlsx sibling ---------------------------------------------------------------------------


def _sheet(body):
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_a_workbook_keeps_phone_numbers_and_codes_as_text_and_dates_as_dates():
    sheet = _sheet(
        xlsx_bytes(
            ["Ngày", "Điện thoại", "Mã", "Số hồ sơ"],
            [[date(2026, 12, 5), "0900000009", "00130", 42]],
        )
    )
    day, phone, code, count = sheet[2]
    assert phone.value == "0900000009" and phone.data_type == "s"
    assert code.value == "00130" and code.data_type == "s"
    assert day.is_date and day.value.date() == date(2026, 12, 5)
    assert day.number_format == "yyyy-mm-dd"
    assert count.value == 42 and count.data_type == "n"


def test_a_workbook_freezes_its_header_and_sets_column_widths():
    sheet = _sheet(xlsx_bytes(["Họ và tên", "Lớp"], [["Nguyễn Thị Minh Khai Hương", "A"]]))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["A"].width >= len("Nguyễn Thị Minh Khai Hương")
    assert sheet.column_dimensions["B"].width >= len("Lớp")


def test_a_workbook_has_the_csv_formula_guard_and_no_error_or_control_cells():
    sheet = _sheet(xlsx_bytes(["=Tên"], [["=1+1"], ["#N/A"], ["a\x01b"]]))
    cells = [row[0] for row in sheet.iter_rows()]
    assert [c.value for c in cells] == ["'=Tên", "'=1+1", "#N/A", "ab"]
    assert {c.data_type for c in cells} == {"s"}


def test_the_xlsx_download_is_named_like_its_csv(app):
    with app.test_request_context():
        response = xlsx_response(["a"], [], "danh-sách.xlsx", fallback="roster.xlsx")
    assert response.mimetype == XLSX_MIMETYPE
    assert 'filename="roster.xlsx"' in response.headers["Content-Disposition"]
    assert _sheet(response.get_data()).title == "danh-sách"
