"""A demo site for the page benchmarks: a scratch SQLite database with the places, courses and
demo accounts, served by gunicorn on 127.0.0.1, and signed-in sessions of the demo people.

    with demo_site() as site:
        cookie = site.sign_in("volunteer1@demo.local")
        status, body, headers = site.get("/shifts", cookie=cookie)
"""

import contextlib
import http.client
import json
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.booking_rush import (
    HOST,
    PASSWORD,
    _environment,
    _flask,
    _free_port,
    _start_gunicorn,
    _stop,
)

#: demo people (app/demo.py): a volunteer of Bồ Đề and a learner
VOLUNTEER = "volunteer1@demo.local"
LEARNER = "learner@demo.local"


@dataclass
class Site:
    port: int
    #: the scratch database's SQLAlchemy URL
    database: str = ""
    #: the gunicorn master's process id (its workers' CPU: bench.load.server_cpu_seconds)
    pid: int = 0

    @property
    def base(self):
        return f"http://{HOST}:{self.port}"

    def request(self, method, path, body=None, headers=None, cookie=None):
        """(status, body bytes, headers dict with lower-case names), on its own connection."""
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = cookie
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            answer = {}
            for name, value in response.getheaders():
                key = name.lower()
                answer[key] = f"{answer[key]}, {value}" if key in answer else value
            answer["set-cookie-list"] = [
                v for n, v in response.getheaders() if n.lower() == "set-cookie"
            ]
            return response.status, data, answer
        finally:
            conn.close()

    def get(self, path, cookie=None, headers=None):
        return self.request("GET", path, headers=headers, cookie=cookie)

    def sign_in(self, email, password=PASSWORD) -> str:
        """Sign in through the login form (CSRF token included); return the Cookie header."""
        _status, page, headers = self.get("/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        cookie = _cookies(headers)
        form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
        status, _body, headers = self.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            cookie=cookie,
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {email}: HTTP {status}")
        return _cookies(headers, cookie)

    def bearer(self, email, password=PASSWORD) -> str:
        """A bearer token of the JSON API for this demo person (POST /api/v1/tokens)."""
        body = json.dumps({"email": email, "password": password}).encode()
        status, answer, _headers = self.request(
            "POST", "/api/v1/tokens", body=body, headers={"Content-Type": "application/json"}
        )
        if status != 201:
            raise RuntimeError(f"token of {email}: HTTP {status}")
        return json.loads(answer)["token"]


def _cookies(headers, previous=""):
    jar = dict(part.split("=", 1) for part in previous.split("; ") if "=" in part)
    for line in headers.get("set-cookie-list", []):
        name, _sep, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@contextlib.contextmanager
def demo_site(workers=2):
    """A scratch SQLite demo site under gunicorn; removed on exit."""
    workdir = tempfile.mkdtemp(prefix="caunoi-bench-site-")
    server = log = None
    try:
        url = "sqlite:///" + str(Path(workdir) / "site.sqlite3")
        env = _environment(url)
        for command in (("db", "upgrade"), ("places", "import"), ("courses", "import"), ("demo",)):
            _flask(env, *command)
        port = _free_port()
        server, log = _start_gunicorn(env, port, workers)
        yield Site(port, url, server.pid)
    finally:
        if server is not None:
            _stop(server)
        if log is not None:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)
