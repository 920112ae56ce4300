"""CSV writing (app.csvfile): the one place every CSV download of the site is made."""

from urllib.parse import unquote

from app.csvfile import content_disposition, csv_bytes, csv_response


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
