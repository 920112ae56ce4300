import re

from app.extensions import db
from app.places.services import save_service_point


def _commune_links(html):
    return re.findall(r'<a href="/communes/\d{5}">([^<]+)</a>', html)


def test_provinces_page_lists_34_provinces(client):
    html = client.get("/provinces").get_data(as_text=True)
    assert len(re.findall(r'href="/provinces/\d\d"', html)) == 34
    assert "Thành phố Hà Nội" in html


def test_hanoi_page_lists_its_126_communes(client):
    html = client.get("/provinces/01").get_data(as_text=True)
    assert len(_commune_links(html)) == 126


def test_province_search_ignores_accents_and_capitals(client):
    for query in ("bo de", "BỒ ĐỀ"):
        response = client.get("/provinces/01", query_string={"q": query})
        assert response.status_code == 200
        assert _commune_links(response.get_data(as_text=True)) == ["Phường Bồ Đề"], query


def test_commune_page_shows_its_service_points(client, bo_de):
    save_service_point(
        db.session,
        bo_de,
        name="Trung tâm Phục vụ hành chính công phường Bồ Đề",
        address="Số 1 Phố Bồ Đề",
        opening_hours="Thứ 2–Thứ 6: 7:30–17:00",
    )
    html = client.get("/communes/00130").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Bồ Đề" in html
    assert "Số 1 Phố Bồ Đề" in html
    assert "Thứ 2–Thứ 6: 7:30–17:00" in html


def test_visitor_sees_no_editing_links(client, bo_de):
    save_service_point(db.session, bo_de, name="Điểm A", address="Phố A")
    html = client.get("/communes/00130").get_data(as_text=True)
    assert "/service-points/new" not in html
    assert "/edit" not in html


def test_unknown_codes_answer_with_the_404_page(client):
    for path in ("/provinces/99", "/communes/99999", "/provinces/01/communes.json/x"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<html" in response.get_data(as_text=True)


def test_communes_json_lists_a_province_s_communes(client):
    response = client.get("/provinces/01/communes.json")
    assert response.status_code == 200
    communes = response.get_json()
    assert len(communes) == 126
    assert {"code": "00130", "name": "Phường Bồ Đề"} in communes
    assert all(set(c) == {"code", "name"} for c in communes)


def test_communes_json_of_an_unknown_province_is_a_json_404(client):
    response = client.get("/provinces/99/communes.json")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_the_public_impact_page_is_linked_from_places_and_the_footer(client, bo_de):
    province_page = client.get(f"/provinces/{bo_de.province.code}").get_data(as_text=True)
    commune_page = client.get(f"/communes/{bo_de.code}").get_data(as_text=True)
    list_page = client.get("/provinces").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)

    link = f'href="/provinces/{bo_de.province.code}/impact"'
    assert link in province_page and link in commune_page and link in list_page
    footer = home[home.index('<footer class="site-footer">') :]
    assert 'href="/provinces"' in footer
    assert client.get(f"/provinces/{bo_de.province.code}/impact").status_code == 200
