"""The HTML rules the Nu checker and pa11y hold the signed-in pages to, checked cheaply in Python
(docs/ACCESSIBILITY.md runs the real tools): ids once per page, every reference to an id
(`for`, `headers`, `aria-*`) resolving, and a required list starting on an empty choice."""

from html.parser import HTMLParser

import pytest

from app.roles import Role

REFERENCES = ("for", "headers", "aria-describedby", "aria-labelledby", "aria-controls")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str]] = []
        self.selects: list[dict] = []  # required single lists and their first option
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        for name in REFERENCES:
            for target in (attributes.get(name) or "").split():
                self.references.append((name, target))
        if tag == "select":
            single = "multiple" not in attributes and int(attributes.get("size") or 1) <= 1
            self._select = attributes if single and "required" in attributes else None
        elif tag == "option" and self._select is not None and "first" not in self._select:
            self._select["first"] = attributes.get("value")

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.selects.append(self._select)
            self._select = None


def problems(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    found = [f"duplicate id {i!r}" for i in sorted({i for i in page.ids if page.ids.count(i) > 1})]
    ids = set(page.ids)
    found += [f"{name} points at missing id {t!r}" for name, t in page.references if t not in ids]
    found += [
        f"required list {s.get('id')!r} starts on a real choice"
        for s in page.selects
        if s.get("first") not in ("", None)
    ]
    return found


def _check(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert problems(response.get_data(as_text=True)) == [], url


def test_the_checker_finds_what_it_looks_for():
    html = (
        '<form><input id="csrf_token"><input id="csrf_token"></form><label for="gone">x</label>'
        '<select id="role" required><option value="admin">Admin</option></select>'
    )
    assert problems(html) == [
        "duplicate id 'csrf_token'",
        "for points at missing id 'gone'",
        "required list 'role' starts on a real choice",
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_volunteers_pages_are_valid(client, login, make_user, bo_de, language):
    login(make_user(Role.VOLUNTEER, home_commune=bo_de))
    client.set_cookie("lang", language)
    for url in ["/", "/profile", "/cards", "/me/shifts", "/shifts", "/assists/new", "/assists"]:
        _check(client, url)


def test_a_coordinators_pages_are_valid(client, login, coordinator, volunteer, make_shift):
    shift = make_shift(booked=[volunteer])
    login(coordinator)
    for url in [
        "/",
        "/profile",
        "/cards",
        f"/shifts/{shift.id}/staff",
        "/imports/volunteers",
        "/imports/service-points",
        "/coverage",
        "/teams",
        "/broadcasts",
        "/home-support",
    ]:
        _check(client, url)


def test_an_admins_and_a_learners_pages_are_valid(client, login, admin, learner):
    login(learner)
    for url in ["/", "/profile", "/me/learning", "/courses"]:
        _check(client, url)
    login(admin)
    for url in ["/", "/admin/roles", f"/admin/roles/{learner.id}", "/admin/audit", "/profile"]:
        _check(client, url)
