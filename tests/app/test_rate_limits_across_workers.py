"""The sign-in limits hold across processes: two real gunicorn workers count in one Redis.

With memory:// each worker counted on its own, so one account took twice the documented guesses
with two workers, and the login form and the API tokens counted apart. This starts gunicorn
(`--workers 2`) on a free 127.0.0.1 port against a scratch SQLite file holding one account, with
RATELIMIT_STORAGE_URI on Redis (db 5, a key prefix of its own, removed afterwards), and sends
every request on a new connection, in pairs so that both workers answer (the access log says which
process answered each). Ten wrong passwords, half on /login and half on /api/v1/tokens, are
answered; the eleventh and twelfth are refused, whichever worker takes them; the right password
from another address (127.0.0.2, a second loopback address, so no proxy header is involved) still
signs in on both routes.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest
from werkzeug.security import generate_password_hash

from app import ROOT, create_app
from app.auth.models import RoleGrant, User
from app.extensions import db
from app.roles import Role

REDIS = "redis://127.0.0.1:6379/5"
HOST = "127.0.0.1"
OTHER_HOST = "127.0.0.2"
EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def redis_prefix():
    """A key prefix of this run's own in Redis db 5; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis at 127.0.0.1:6379 (CI has one)")
    prefix = f"caunoi-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def database(tmp_path):
    """A scratch SQLite file, migrated, with one volunteer whose password is PASSWORD."""
    url = "sqlite:///" + str(tmp_path / "limits.sqlite3")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        flask_migrate.upgrade()
        user = User(
            email=EMAIL, full_name="Chủ tài khoản", password_hash=generate_password_hash(PASSWORD)
        )
        user.grants.append(RoleGrant(role=Role.VOLUNTEER))
        db.session.add(user)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _post(port, path, *, form=None, json_body=None, source=HOST):
    """One POST on its own connection from `source`; returns the status."""
    if form is not None:
        body, kind = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
    else:
        import json

        body, kind = json.dumps(json_body), "application/json"
    conn = http.client.HTTPConnection(HOST, port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": kind})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _login(port, password, source=HOST):
    return _post(port, "/login", form={"email": EMAIL, "password": password}, source=source)


def _token(port, password, source=HOST):
    body = {"email": EMAIL, "password": password}
    return _post(port, "/api/v1/tokens", json_body=body, source=source)


def _start(env, port, access_log):
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            "wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: stopped with its workers below
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if _workers_answering(port, access_log) == 2:
            return server
        time.sleep(0.1)
    _stop(server)
    raise AssertionError("gunicorn did not start: " + server.stderr.read().decode()[-3000:])


def _healthz(port):
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    except OSError:
        pass


def _workers_answering(port, access_log) -> int:
    """How many workers have answered /healthz so far, after a few more asked at once: the
    first answer may come while the other worker is still loading the app (seconds on a busy
    machine), and the sign-ins below need both."""
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(_healthz, [port] * 4))
    if not access_log.exists():
        return 0
    lines = access_log.read_text().splitlines()
    return len({line.split()[0] for line in lines if " /healthz " in line})


def _stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_an_accounts_sign_in_limit_holds_across_two_gunicorn_workers(
    database, redis_prefix, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "RATELIMIT_"))}
    env.update(
        DATABASE_URL=database,
        SECRET_KEY="workers",
        CAUNOI_ENV="development",
        RATELIMIT_STORAGE_URI=REDIS,
        FLASK_RATELIMIT_KEY_PREFIX=redis_prefix,
        FLASK_WTF_CSRF_ENABLED="false",  # the limits are under test here, not the CSRF token
    )
    port = _free_port()
    access_log = tmp_path / "access.log"
    server = _start(env, port, access_log)
    try:
        wrong = [(_login, "wrong password"), (_token, "wrong password")] * 5
        with ThreadPoolExecutor(2) as pool:  # in pairs: one worker busy, the other answers
            guesses = []
            for n in range(0, len(wrong), 2):
                pair = [pool.submit(call, port, password) for call, password in wrong[n : n + 2]]
                guesses += [future.result() for future in pair]
        eleventh = _login(port, "wrong password")
        twelfth = _token(port, "wrong password")
        owner = _login(port, PASSWORD, source=OTHER_HOST)
        owners_phone = _token(port, PASSWORD, source=OTHER_HOST)
    finally:
        _stop(server)

    assert guesses == [200, 401] * 5  # the form shows its error again; the API says 401
    assert (eleventh, twelfth) == (429, 429)
    assert (owner, owners_phone) == (302, 201)
    answered_by = {
        line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line
    }
    assert len(answered_by) == 2, "both workers answered sign-ins"
