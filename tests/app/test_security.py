"""The protections docs/SECURITY.md lists: rate limits per account and per address, password
hashing, cookie flags in production, no secret in the repository, signed tokens with their own
salt and expiry. (Security headers on every route: tests/app/test_access_matrix.py.)"""

import ast
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

from app import ROOT, create_app
from app.auth import services as accounts
from app.extensions import db
from app.roles import Role


@pytest.fixture
def limited(limited_app):
    """An app whose login and token endpoints allow 3 failures a minute per address (and per
    account and address) and 3 an hour per account."""
    limited = limited_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
    db.session.commit()
    return limited


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


ADDRESS = _from("10.0.2.1")


def test_login_attempts_on_one_account_from_many_addresses_are_limited(limited, volunteer):
    db.session.commit()
    client = limited.test_client()
    form = {"email": volunteer.email, "password": "wrong password"}
    answers = [client.post("/login", data=form, **_from(f"10.0.1.{n}")) for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]


def test_login_attempts_from_one_address_on_many_accounts_are_limited(limited):
    client = limited.test_client()
    answers = [
        client.post("/login", data={"email": f"u{n}@example.com", "password": "x"}, **ADDRESS)
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]


def test_token_requests_on_one_account_from_many_addresses_are_limited(limited, volunteer):
    db.session.commit()
    client = limited.test_client()
    body = {"email": volunteer.email, "password": "wrong password"}
    answers = [client.post("/api/v1/tokens", json=body, **_from(f"10.0.3.{n}")) for n in range(4)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    assert answers[3].get_json()["error"] == "rate_limited"


def test_token_requests_from_one_address_on_many_accounts_are_limited(limited):
    client = limited.test_client()
    answers = [
        client.post(
            "/api/v1/tokens", json={"email": f"u{n}@example.com", "password": "x"}, **ADDRESS
        )
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]


def _registration(email):
    return {
        "full_name": "Lê Văn Cường",
        "email": email,
        "password": "correct horse battery",
        "confirm": "correct horse battery",
    }


def test_registrations_from_one_address_are_limited(limited):
    client = limited.test_client()
    answers = [
        client.post("/register", data=_registration(f"r{n}@example.com"), **ADDRESS)
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [302, 302, 302, 429]


def test_registrations_of_one_email_from_many_addresses_are_limited(limited):
    """Probing one address again and again, from many machines, is limited too."""
    client = limited.test_client()
    answers = [
        client.post("/register", data=_registration("probe@example.com"), **_from(f"10.0.4.{n}"))
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [302, 302, 302, 429]


def test_both_registration_forms_spend_one_budget_per_address_and_per_email(limited):
    """/register and /register/officer answer alike whether an email has an account; probing
    through both forms in turn buys no second budget."""
    client = limited.test_client()
    officer = {"position": "Công chức Tư pháp", "home_province": "01", "home_commune": "bo de"}
    by_address = [
        client.post(path, data=_registration(f"a{n}@example.com") | officer, **ADDRESS)
        for n, path in enumerate(["/register", "/register/officer"] * 2)
    ]
    by_email = [
        client.post(
            path, data=_registration("probe2@example.com") | officer, **_from(f"10.0.5.{n}")
        )
        for n, path in enumerate(["/register/officer", "/register"] * 2)
    ]
    assert [r.status_code for r in by_address] == [302, 302, 302, 429]
    assert [r.status_code for r in by_email] == [302, 302, 302, 429]


def test_passwords_are_stored_with_scrypt_salted_and_never_in_clear(bo_de):
    user = accounts.register_volunteer(
        db.session,
        email="hash@example.com",
        password="correct horse battery",
        full_name="Phạm Thị Dung",
    )
    db.session.flush()
    assert user.password_hash.startswith("scrypt:")  # werkzeug's current default method
    assert "correct horse battery" not in user.password_hash
    assert check_password_hash(user.password_hash, "correct horse battery")
    again = accounts.register_volunteer(
        db.session, email="hash2@example.com", password="correct horse battery", full_name="X"
    )
    assert again.password_hash != user.password_hash  # salted


def _production(app, **config):
    """The app as CAUNOI_ENV=production runs it, on the tests' database, served at localhost."""
    return create_app(
        {
            "ENVIRONMENT": "production",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "production-test-secret",
            "RESIDENT_CARD_KEY": "production-card-key",
            "SITE_URL": "https://localhost",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


HTTPS = {"base_url": "https://localhost"}


def test_production_cookies_are_secure_httponly_and_samesite(app, make_user):
    user = make_user(Role.VOLUNTEER, email="cookie@example.com")
    accounts.set_password(user, "correct horse battery staple")
    db.session.commit()
    production = _production(app)
    config = production.config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    client = production.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery staple", "remember": "y"},
        **HTTPS,
    )
    with production.app_context():
        db.session.remove()
    assert response.status_code == 302
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    for name in ("session=", "remember_token=", "lang="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from app.config import ConfigError

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            {
                "ENVIRONMENT": "production",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SITE_URL": "https://caunoi.example.vn",
                "RATELIMIT_ENABLED": False,
            }
        )


# -- no secret in the repository --------------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "SECRET_KEY literal": re.compile(r"""SECRET_KEY(?:["']\])?\s*=\s*(?:[rbf]?["'])[^"'\s]{8,}"""),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "password in a URL": re.compile(r"://[^/\s:@]+:[^/\s@]{6,}@"),
}
SKIPPED_DIRECTORIES = {".git", ".venv", "instance", "node_modules", "__pycache__"}


def _repository_files():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout.decode()
        files = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        files = [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and not SKIPPED_DIRECTORIES & set(p.relative_to(ROOT).parts)
        ]
    return [f for f in files if f.is_file() and f.suffix not in {".mo", ".png", ".ico", ".woff2"}]


def test_no_secret_is_committed_to_the_repository():
    found = []
    for path in _repository_files():
        if path.name in {".env", "secret_key"} or path.suffix in {".pem", ".key"}:
            found.append(f"{path.relative_to(ROOT)}: a secrets file")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == [], "\n".join(found)


# -- signed tokens: each kind its own salt, and an expiry --------------------------------------

SERIALIZERS = {"URLSafeTimedSerializer", "TimedSerializer", "URLSafeSerializer", "Serializer"}
SOURCE_PACKAGES = ("app", "scheduling", "courses")
#: the one module that makes serializers; every other signs through its signer(purpose)
TOKENS_MODULE = "app/tokens.py"


def _python_sources():
    for package in SOURCE_PACKAGES:
        root = ROOT / package
        if root.is_dir():
            yield from sorted(root.rglob("*.py"))
    for extra in sorted(ROOT.glob("*/")):
        if extra.name in SKIPPED_DIRECTORIES or extra.name in SOURCE_PACKAGES:
            continue
        if (extra / "__init__.py").exists() and extra.name not in {"tests", "bench", "migrations"}:
            yield from sorted(extra.rglob("*.py"))


def _name(node):
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _imports_itsdangerous(node):
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "itsdangerous"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "itsdangerous" for alias in node.names)
    return False


def _purposes_named(node):
    """Purpose names given to signer("...") or paired in a literal ("purpose", ...) tuple."""
    if isinstance(node, ast.Call) and _name(node.func) == "signer" and node.args:
        first = node.args[0]
    elif isinstance(node, ast.Tuple) and node.elts:
        first = node.elts[0]
    else:
        return []
    return [first.value] if isinstance(first, ast.Constant) else []


def test_only_the_tokens_module_makes_serializers_and_every_signer_names_a_purpose():
    from app.tokens import PURPOSES

    problems, serializers, used = [], 0, set()
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if _imports_itsdangerous(node) and where != TOKENS_MODULE:
                problems.append(f"{where}:{node.lineno}: itsdangerous outside {TOKENS_MODULE}")
            if isinstance(node, ast.Call) and _name(node.func) in SERIALIZERS:
                serializers += 1
                if where != TOKENS_MODULE:
                    problems.append(f"{where}:{node.lineno}: a serializer outside {TOKENS_MODULE}")
                elif not any(k.arg == "salt" for k in node.keywords):
                    problems.append(f"{where}:{node.lineno}: a serializer without its salt")
            if isinstance(node, ast.Call) and _name(node.func) == "signer":
                for purpose in _purposes_named(node):
                    if purpose not in PURPOSES:
                        problems.append(f"{where}:{node.lineno}: unknown purpose {purpose!r}")
            used.update(p for p in _purposes_named(node) if p in PURPOSES)
    assert serializers >= 1  # the password reset link at least
    assert problems == [], "\n".join(problems)
    assert set(PURPOSES) <= used, f"purposes nobody signs with: {set(PURPOSES) - used}"


def test_every_signed_token_has_its_own_salt_and_timed_ones_an_expiry():
    from app.tokens import PURPOSES

    salts = [purpose.salt for purpose in PURPOSES.values()]
    assert len(salts) == len(set(salts)), "a salt used by two purposes"
    for name, purpose in PURPOSES.items():
        assert purpose.salt, name
        assert purpose.lifetime, f"{name}: say how long its tokens live and what ends them"
        assert purpose.max_age is None or purpose.max_age > 0, name
    tree = ast.parse((ROOT / TOKENS_MODULE).read_text(encoding="utf-8"))
    timed_reads = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) == "loads"
        and any(k.arg == "max_age" for k in node.keywords)
    ]
    assert timed_reads, "a timed token read without max_age"


def test_a_reset_link_expires(volunteer):
    token = accounts.password_reset_token("secret", volunteer)
    with pytest.raises(accounts.AccountError, match="token_expired"):
        accounts.user_from_reset_token(db.session, "secret", token, max_age=-1)


def test_a_reset_link_signed_for_another_purpose_is_refused(volunteer):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("secret", salt="another-purpose").dumps(
        [volunteer.id, volunteer.password_hash[-12:]]
    )
    with pytest.raises(accounts.AccountError):
        accounts.user_from_reset_token(db.session, "secret", forged, max_age=3600)


@pytest.mark.parametrize(
    "path, content_type",
    [("/login", "application/x-www-form-urlencoded"), ("/api/v1/tokens", "application/json")],
)
def test_a_request_body_over_2_mb_is_refused(client, path, content_type):
    body = b"x" * (2 * 1024 * 1024 + 1)
    response = client.post(path, data=body, content_type=content_type)
    assert response.status_code == 413


# -- HSTS, no-store, preference cookies, the server banner -------------------------------------


def _set_cookies(response):
    return {
        value.split("=", 1)[0]: value
        for key, value in response.headers.items()
        if key == "Set-Cookie"
    }


def test_production_sends_hsts_and_development_does_not(app, client):
    production = _production(app)
    for path in ("/", "/login", "/healthz", "/no-such-page", "/api/v1/openapi.json"):
        response = production.test_client().get(path, **HTTPS)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), path
    assert "Strict-Transport-Security" not in client.get("/").headers


#: the views whose answer shows a phone, an address, a personal code or a secret link, and what
PRIVATE_VIEWS = {
    "auth.profile": "the person's own phone and home commune",
    "teams.detail": "members' phones and emails",
    "staffing.staff": "the phones of the people on a shift",
    "coverage.roster": "the phones of the people on a day's shifts",
    "coverage.roster_csv": "the same, as a file",
    "coverage.roster_xlsx": "the same, as a workbook",
    "coverage.my_calendar": "the secret calendar feed URL",
    "home_support.show": "a resident's address",
    "home_support.ask": "the address typed, shown again when the form has an error",
    "learners.my_code": "the learner's personal code and its QR",
    "course_reports.assisted_session": "a new resident's personal code",
    "checkin.badge": "the volunteer's personal QR and short code",
    "api.create_token": "a bearer token",
}


def test_views_showing_phones_addresses_or_codes_are_marked_no_store(app):
    unmarked = [
        endpoint
        for endpoint in PRIVATE_VIEWS
        if not getattr(app.view_functions.get(endpoint), "no_store", False)
    ]
    assert unmarked == [], "mark them @no_store (app/security.py)"


def test_a_private_answer_is_no_store_and_a_public_page_is_not(client, login, volunteer):
    login(volunteer)
    assert client.get("/profile").headers["Cache-Control"] == "no-store"
    assert client.get("/me/badge").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    token = client.post(
        "/api/v1/tokens", json={"email": volunteer.email, "password": "correct horse battery"}
    )
    assert token.status_code == 201
    assert token.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path, form, cookie",
    [
        ("/language", {"language": "en"}, "lang"),
        ("/text-size", {"size": "large"}, "text_size"),
    ],
)
def test_preference_cookies_are_lax_httponly_and_secure_in_production(
    app, client, path, form, cookie
):
    development = _set_cookies(client.post(path, data=form))[cookie]
    production = _set_cookies(_production(app).test_client().post(path, data=form, **HTTPS))
    assert "HttpOnly" in development and "SameSite=Lax" in development
    assert "Secure" not in development
    assert "HttpOnly" in production[cookie] and "SameSite=Lax" in production[cookie]
    assert "Secure" in production[cookie]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw_headers(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        conn.close()


def test_gunicorn_run_as_the_readme_says_sends_no_server_banner(tmp_path):
    """README's production command: `gunicorn --config gunicorn.conf.py … wsgi:app`."""
    port = _free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL="sqlite:///" + str(tmp_path / "banner.sqlite3"),
        SECRET_KEY="x" * 32,
        CAUNOI_ENV="development",
        FLASK_RATELIMIT_ENABLED="false",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--config", "gunicorn.conf.py", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                answer = _raw_headers(port, "/healthz")
            except OSError:
                time.sleep(0.2)
        assert answer is not None, "gunicorn did not answer /healthz within 30 s"
        status, headers = answer
        assert status == 200
        assert [value for name, value in headers if name.lower() == "server"] == []
        assert ("X-Content-Type-Options", "nosniff") in headers  # the app's own headers stay
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_security_txt_names_the_deployments_contact(app, client):
    text = client.get("/.well-known/security.txt", headers={"Host": "evil.test"})
    assert text.status_code == 200 and text.mimetype == "text/plain"
    lines = text.get_data(as_text=True).splitlines()
    assert f"Contact: {app.config['SECURITY_CONTACT']}" in lines
    assert "Canonical: https://caunoi.example.vn/.well-known/security.txt" in lines
    assert any(line.startswith("Expires: ") for line in lines)
    configured = _production(app, SECURITY_CONTACT="mailto:an-ninh@ubnd.example.vn")
    answer = configured.test_client().get("/.well-known/security.txt", **HTTPS)
    assert "Contact: mailto:an-ninh@ubnd.example.vn" in answer.get_data(as_text=True)
