"""Every HTML form of the site, posted with missing fields, wrong types, 10,000-character strings,
Vietnamese and other Unicode (emoji, right-to-left, NUL), control characters and line breaks,
dates near year 1 and 9999, numbers beyond 64 bits, HTML and SQL fragments.

The forms are found, not listed: every GET route is opened as each persona its access rule lets
in (sample objects from tests/harness.py), and each `<form>` of the page is parsed with
html.parser. A form on a new page joins by itself.

Expected: never a 5xx. A post the form's own constraints forbid (a `required` field empty, or
missing where the page had not filled it in, longer than `maxlength`, not an email in an email
field, not a number/date, a choice not offered), or the rules app/forms.py gives every field of
its kind forbid (a date outside 1900–2999, a number beyond the database's integers, a control
character in a one-line field, any but a line break or tab in a text area), is refused: a 4xx,
or the form again with an error, and not one row more or less in any table. Any answer other
than a redirect (the form again, a 4xx) has written nothing. HTML posted back is escaped.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from harness import (
    PERSONAS,
    build_world,
    headers_for,
    may_open,
    routes,
    row_counts,
    sign_in,
    url_of,
)

from app import create_app
from app.database import MAX_INT
from app.localtime import FIRST_DAY, LAST_DAY
from app.text import CONTROL, CONTROL_IN_TEXT

SCRIPT = "<script>alert('xss')</script>"

#: one value put in every field the user fills in; hidden fields keep the page's values
PAYLOADS = {
    "empty": "",
    "long": "ư" * 10_000,
    "vietnamese": "Nguyễn Thị Ánh Tuyết, phường Bồ Đề, quận Long Biên — Hà Nội",
    "unicode": "👩🏽‍💻 مرحبا בעולם \u202egnp.exe\u202c 中文 \u200b\ufeff end",
    "nul": "trước\x00sau",
    "newline": "dòng một\r\nSet-Cookie: stolen=1\ndòng hai",
    "control": "Nguyễn\x07Văn\x1b[31mAn\x85",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "beyond 64 bits": "99999999999999999999",
    "html": SCRIPT + '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">x</a>',
    "sql": "' OR 1=1; DROP TABLE users; -- \" UNION SELECT password_hash FROM users",
}

#: a value of the wrong type for each kind of input
WRONG_TYPES = {
    "email": "not-an-email",
    "number": "mười",
    "date": "2025-02-31x",
    "time": "25:61",
    "datetime-local": "hôm qua",
    "checkbox": "có lẽ",
    "radio": "no-such-option",
    "select": "no-such-option",
    "text": ["two", "values"],
    "textarea": ["two", "values"],
    "password": ["two", "values"],
    "search": ["two", "values"],
    "tel": "☎" * 30,
    "url": "javascript:alert(1)",
}

NOT_FILLED = {"hidden", "submit", "button", "reset", "image", "file"}
#: inputs holding one line of text (a browser's <input> cannot hold a line break)
ONE_LINE = {"text", "email", "search", "tel", "url", "password"}


class Forms(HTMLParser):
    """The forms of a page: method, action and fields (name, kind, value, constraints)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action")}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "text").lower() if tag == "input" else tag
            field = {
                "name": a["name"],
                "kind": kind,
                "value": a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                "required": "required" in a,
                "maxlength": int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None,
                "options": [],
                "checked": "checked" in a,
            }
            self._form["fields"].append(field)
            self._select = field if tag == "select" else None
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms_of(html):
    parser = Forms()
    parser.feed(html)
    return parser.forms


def _filled(field):
    return field["kind"] not in NOT_FILLED


def _violates(field, value) -> bool:
    """Whether the value breaks a constraint the form itself declares for the field."""
    if isinstance(value, list):
        value = value[0] if field["kind"] in ("checkbox",) else None
        if value is None:
            return False  # two values for one field: the server may take the first
    if value is None or value == "":
        return field["required"]
    if field["maxlength"] is not None and len(value) > field["maxlength"]:
        return True
    kind = field["kind"]
    if kind in ONE_LINE and CONTROL.search(value):
        return True
    if kind == "textarea" and CONTROL_IN_TEXT.search(value):
        return True
    if kind == "email":
        return "@" not in value or any(c.isspace() for c in value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return True
        return not -MAX_INT <= number <= MAX_INT
    if kind == "date":
        from datetime import date

        try:
            return not FIRST_DAY <= date.fromisoformat(value) <= LAST_DAY
        except ValueError:
            return True
    if kind == "select":
        return value not in field["options"]
    return False


def _post_data(form, payload_for):
    """The form's hidden values, and payload_for(field) in every field a user fills in.
    payload_for returns None to leave a field out."""
    data, violated = {}, False
    for field in form["fields"]:
        if not _filled(field):
            data.setdefault(field["name"], field["value"])
            continue
        value = payload_for(field)
        if value is None:
            # WTForms keeps the stored value of a field left out of an edit form (a partial
            # update): only a required field the page left empty must be refused when missing.
            violated = violated or (field["required"] and not field["value"])
            continue
        violated = violated or _violates(field, value)
        data[field["name"]] = value
    return data, violated


def _cases(form):
    """(name, data, violates its own constraints) for each fuzzing case of one form."""
    # An empty body is "no form data" to Flask-WTF, which then keeps an edit form's stored values
    # (a harmless no-op save): one unknown key makes it a form with every field missing.
    name, (data, violates) = "missing fields", _post_data(form, lambda f: None)
    yield name, {"unknown_field": "x", **data}, violates
    for name, value in PAYLOADS.items():
        yield (name,) + _post_data(form, lambda f, v=value: v)
    yield ("wrong types",) + _post_data(form, lambda f: WRONG_TYPES.get(f["kind"], "x"))


@pytest.fixture
def world(make_user, hanoi, bo_de, other_commune):
    return build_world(make_user, hanoi, bo_de, other_commune)


def discover_forms(app, world):
    """{(method, endpoint, field names): (persona, page url, form)}, one per distinct form."""
    found, problems = {}, []
    adapter = app.url_map.bind("localhost")
    for persona in PERSONAS:
        client = sign_in(app, world.people.get(persona))
        for rule, methods in routes(app):
            if "GET" not in methods or rule.endpoint == "static":
                continue
            if rule.endpoint.startswith("api."):
                continue
            if not may_open(rule.endpoint, persona):
                continue
            url = url_of(rule, world)
            response = client.get(url, headers=headers_for(world, persona, url))
            if response.status_code >= 500:
                problems.append(f"{persona} GET {url}: {response.status_code}")
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in _forms_of(response.get_data(as_text=True)):
                action = urlsplit(urljoin(url, form["action"] or url))._replace(fragment="")
                if form["method"] == "get":  # a browser replaces the query with the fields
                    action = action._replace(query="")
                form["url"] = action.geturl()
                names = tuple(sorted(f["name"] for f in form["fields"]))
                try:  # one entry per route, whatever its URL's token or id
                    target = adapter.match(action.path, method=form["method"].upper())[0]
                except Exception:
                    target = action.path
                found.setdefault((form["method"], target, names), (persona, url, form))
    return found, problems


def test_every_form_survives_malformed_input_and_invalid_posts_write_nothing(app, world):
    forms, problems = discover_forms(app, world)
    posts = [f for (method, _a, _n), f in forms.items() if method == "post"]
    assert len(posts) >= 8, sorted(forms)  # login, register, forgot, profile, … at least
    checked = 0
    for (method, _action, _names), (persona, page, form) in sorted(forms.items()):
        for case, data, violates in _cases(form):
            # a fresh client per post: a valid post may sign the persona out or in
            client = sign_in(app, world.people.get(persona))
            before = row_counts()
            headers = headers_for(world, persona, form["url"], language="vi")
            if method == "post":
                response = client.post(form["url"], data=data, headers=headers)
            else:
                response = client.get(form["url"], query_string=data, headers=headers)
            checked += 1
            status = response.status_code
            where = f"{persona} {method.upper()} {form['url']} (form of {page}) with {case}"
            html = response.get_data(as_text=True)
            if status >= 500:
                problems.append(f"{where}: {status}")
                continue
            if SCRIPT in html:
                problems.append(f"{where}: the posted HTML came back unescaped")
            redirected = 300 <= status < 400
            # a small action form may refuse by redirecting back with an error message
            # (post/redirect/get); then it must have written nothing
            refused_back = redirected and _flashed_error(client) and row_counts() == before
            if violates and method == "post" and redirected and not refused_back:
                problems.append(f"{where}: accepted ({status} to {response.location})")
            elif violates and method == "post" and status == 200 and not _shows_error(html):
                problems.append(f"{where}: answered 200 without an error message")
            after = row_counts()
            changed = {name for name in after if after[name] != before[name]}
            if not redirected and changed and not _logged_refusal(form["url"], status, changed):
                problems.append(f"{where}: {status} but the database changed")
    assert problems == [], "\n".join(problems)
    assert checked >= 8 * len(posts)


#: refusals that are facts to keep: every scan, even of a forged or wrong code, is a row of the
#: scans log (issue 5: "a forged, expired or rotated token is refused ... and logged")
LOGGED_REFUSALS = ("/scan", "/check-in/")


def _logged_refusal(url, status, changed):
    logged_only = changed == {"scans"}
    return logged_only and 400 <= status < 500 and any(part in url for part in LOGGED_REFUSALS)


def _flashed_error(client):
    with client.session_transaction() as session:
        return any(category == "error" for category, _message in session.get("_flashes", []))


def _shows_error(html):
    return 'aria-invalid="true"' in html or 'role="alert"' in html or 'class="flash error"' in html


def test_a_form_posted_without_its_csrf_token_is_refused_when_csrf_is_on(app):
    guarded = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "csrf-test",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = guarded.test_client()
    page = client.get("/register").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    before = row_counts()
    response = client.post(
        "/register",
        data={
            "email": "csrf@example.com",
            "full_name": "Lê Văn Cường",
            "password": "correct horse battery",
            "confirm": "correct horse battery",
        },
    )
    assert response.status_code == 400
    assert row_counts() == before


# Found by the fuzzing above: "not-an-email" was told a reset link was on its way.


def test_forgot_password_with_a_malformed_address_says_so_and_queues_no_mail(client):
    before = row_counts()
    response = client.post("/password/forgot", data={"email": "an.example.com"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert row_counts() == before


# Found on PostgreSQL: a NUL character in a form or a URL reached a query (a 500 there).


@pytest.mark.parametrize(
    "path, data",
    [
        ("/login", {"email": "an@example.com\x00", "password": "x"}),
        ("/password/forgot", {"email": "\x00@example.com"}),
        ("/communes/0\x00", None),
    ],
)
def test_a_nul_character_in_a_form_or_url_is_refused_with_a_400(client, path, data):
    before = row_counts()
    response = client.post(path, data=data) if data else client.get(path)
    assert response.status_code == 400
    assert row_counts() == before
