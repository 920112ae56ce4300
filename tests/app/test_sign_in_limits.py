"""The sign-in limits of app/auth/limits.py, in one process: one account's budget is shared by
the login form and the API tokens, counted in failures only, per account and address, per account
with a higher ceiling, and per address; and production refuses a per-process store.
(Across two gunicorn workers on Redis: tests/app/test_rate_limits_across_workers.py.)"""

import ast

import pytest

from app import ROOT, create_app
from app.config import ConfigError
from app.extensions import db, limiter
from tests.conftest import PASSWORD


@pytest.fixture
def limited(limited_app, volunteer):
    """3 failures a minute per account and address (and per address), 6 an hour per account;
    the volunteer committed, so the limited app's requests see it."""
    limited = limited_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="6 per hour")
    db.session.commit()
    return limited


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def _login(client, email, password, address):
    return client.post("/login", data={"email": email, "password": password}, **_from(address))


def _token(client, email, password, address):
    return client.post(
        "/api/v1/tokens", json={"email": email, "password": password}, **_from(address)
    )


def test_the_login_form_and_the_api_tokens_spend_one_budget(limited, volunteer):
    client = limited.test_client()
    answers = [
        _login(client, volunteer.email, "wrong password", "10.0.4.1"),
        _token(client, volunteer.email, "wrong password", "10.0.4.1"),
        _login(client, volunteer.email, "wrong password", "10.0.4.1"),
        _token(client, volunteer.email, "wrong password", "10.0.4.1"),
        _login(client, volunteer.email, "wrong password", "10.0.4.1"),
    ]
    assert [r.status_code for r in answers] == [200, 401, 200, 429, 429]


def test_bad_guesses_from_one_place_do_not_stop_the_owner_from_another(limited, volunteer):
    client = limited.test_client()
    guesses = [_login(client, volunteer.email, "wrong password", "10.0.5.1") for _ in range(4)]
    owner = _login(client, volunteer.email, PASSWORD, "10.0.5.2")
    owners_phone = _token(client, volunteer.email, PASSWORD, "10.0.5.3")

    assert [r.status_code for r in guesses] == [200, 200, 200, 429]
    assert owner.status_code == 302
    assert owners_phone.status_code == 201


def test_the_account_ceiling_stops_a_guesser_with_many_addresses(limited, volunteer):
    client = limited.test_client()
    answers = [
        _login(client, volunteer.email, "wrong password", f"10.0.6.{n}") for n in range(1, 8)
    ]
    assert [r.status_code for r in answers] == [200] * 6 + [429]


def test_a_right_password_costs_nothing(limited, volunteer):
    client = limited.test_client()
    answers = [_login(client, volunteer.email, PASSWORD, "10.0.7.1") for _ in range(5)]
    answers += [_token(client, volunteer.email, PASSWORD, "10.0.7.1") for _ in range(5)]
    assert [r.status_code for r in answers] == [302] * 5 + [201] * 5


def test_refused_attempts_do_not_spend_the_owners_ceiling(limited, volunteer):
    """A guesser refused at one address who goes on knocking must not exhaust the account."""
    client = limited.test_client()
    knocks = [_login(client, volunteer.email, "wrong password", "10.0.8.1") for _ in range(20)]
    owner = _login(client, volunteer.email, PASSWORD, "10.0.8.2")

    assert [r.status_code for r in knocks] == [200] * 3 + [429] * 17
    assert owner.status_code == 302


def test_the_address_is_the_connections_and_x_forwarded_for_is_not_trusted(limited):
    """No proxy is trusted by default (PROXY_FIX_X_FOR=0): a client connecting directly and
    writing X-Forwarded-For itself buys no new budget."""
    client = limited.test_client()
    answers = [
        client.post(
            "/login",
            data={"email": f"u{n}@example.com", "password": "x"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
            **_from("10.0.9.1"),
        )
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]


def test_behind_one_trusted_proxy_each_visitor_has_the_address_the_proxy_saw(
    limited_app, volunteer
):
    """PROXY_FIX_X_FOR=1 (nginx in front): the last X-Forwarded-For entry, the one nginx added,
    is the visitor's; what the visitor wrote before it is ignored, and one guesser behind nginx
    does not spend another visitor's budget."""
    behind_nginx = limited_app(
        LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="6 per hour", PROXY_FIX_X_FOR=1
    )
    db.session.commit()
    client = behind_nginx.test_client()

    def through_nginx(forwarded_for, password="wrong password"):
        return client.post(
            "/login",
            data={"email": volunteer.email, "password": password},
            headers={"X-Forwarded-For": forwarded_for},
            **_from("127.0.0.1"),
        )

    guesses = [through_nginx(f"192.0.2.{n}, 198.51.100.7") for n in range(4)]
    owner = through_nginx("198.51.100.8", password=PASSWORD)

    assert [r.status_code for r in guesses] == [200, 200, 200, 429]
    assert owner.status_code == 302


def test_the_number_of_trusted_proxies_is_a_whole_number(monkeypatch):
    monkeypatch.setenv("PROXY_FIX_X_FOR", "nginx")
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})


# -- production needs a store every process shares ------------------------------------------


def _production(**config):
    return create_app(
        {
            "ENVIRONMENT": "production",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "production-test-secret",
            "RESIDENT_CARD_KEY": "production-card-key",
            "SITE_URL": "https://caunoi.example.vn",
            **config,
        }
    )


@pytest.fixture
def _no_storage_in_environment(monkeypatch):
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_ALLOW_MEMORY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"FLASK_{name}", raising=False)


@pytest.mark.usefixtures("_no_storage_in_environment")
def test_production_refuses_to_start_with_per_process_rate_limits():
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        _production(RATELIMIT_ENABLED=True)


@pytest.mark.usefixtures("_no_storage_in_environment")
def test_production_takes_per_process_rate_limits_when_told_it_runs_one_process(monkeypatch):
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")
    try:
        app = _production(RATELIMIT_ENABLED=True)
    finally:
        limiter.enabled = False  # the limiter is shared by every app: the session's stays off
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.usefixtures("_no_storage_in_environment")
def test_production_starts_with_a_shared_rate_limit_store(monkeypatch):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/5")
    app = _production(RATELIMIT_ENABLED=False)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"


# -- every route that checks a password draws on these budgets ------------------------------


def _called_names(function):
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            yield func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _decorator_names(function):
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        yield target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)


def test_every_route_that_checks_a_password_takes_the_sign_in_limits():
    checking, unlimited = [], []
    for package in ("app", "scheduling", "courses", "impact"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef):
                    continue
                decorators = set(_decorator_names(node))
                is_route = decorators & {"route", "post", "put", "patch"}
                if is_route and "authenticate" in set(_called_names(node)):
                    where = f"{path.relative_to(ROOT)}:{node.name}"
                    checking.append(where)
                    if "sign_in_limits" not in decorators:
                        unlimited.append(where)
    assert len(checking) >= 2  # the login form and the API tokens at least
    assert unlimited == [], "routes checking a password without app/auth/limits.sign_in_limits"
