"""The production shape on one machine: two app servers behind nginx, on PostgreSQL, with the
rate limits in Redis.

    python -m bench.two_servers

Prepares the booking rush's scratch PostgreSQL database and campaigns (bench/booking_rush.py),
starts two gunicorn instances (2 workers each) on loopback ports and nginx (Debian's
`/usr/sbin/nginx`, a config of its own written to a temp directory, listening on a loopback port,
round-robin to both), with `RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0` under a key prefix
of its own. Issues the 600 tokens in-process, then rushes the contended shifts (20 in flight,
the light client of bench/client.py, 3 runs each, medians) through nginx and against one
instance alone (another day's shifts), and checks capacity in the database after each run.
Last, the per-account-and-address sign-in limit: wrong passwords for
one account sent alternately to each instance directly; with the limits in Redis the 429 comes
after LOGIN_RATE_LIMIT attempts in all, not that many per instance.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import booking_rush as rush
from bench import client

NGINX = "/usr/sbin/nginx"
REDIS = "redis://127.0.0.1:6379/0"
#: the sign-in limit per account and address during this bench (the site's default)
LOGIN_LIMIT = 10


def _nginx(workdir, port, upstreams):
    conf = Path(workdir) / "nginx.conf"
    servers = "\n".join(f"        server {rush.HOST}:{p};" for p in upstreams)
    temp = Path(workdir) / "nginx-temp"
    temp.mkdir()
    conf.write_text(
        f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream caunoi {{
{servers}
        keepalive 16;
    }}
    server {{
        listen {rush.HOST}:{port};
        location / {{
            proxy_pass http://caunoi;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""
    )
    subprocess.run([NGINX, "-c", str(conf), "-p", workdir, "-g", "daemon on;"], check=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if rush._request(port, "GET", "/healthz")[0] == 200:
                return conf
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("nginx did not answer /healthz within 10 s")


def _stop_nginx(workdir):
    pid_file = Path(workdir) / "nginx.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text()), 15)


def _login_limit(ports):
    """Wrong passwords for one account, alternately on each instance: the attempts answered
    before the first 429."""
    refused_after = None
    for attempt in range(1, 2 * LOGIN_LIMIT + 3):
        status, _answer = rush._request(
            ports[attempt % 2],
            "POST",
            "/api/v1/tokens",
            {"email": "volunteer1@demo.local", "password": "wrong password"},
        )
        if status == 429:
            refused_after = attempt - 1
            break
    return refused_after


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.two_servers", description=__doc__)
    parser.add_argument("--volunteers", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rush (medians)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not Path(NGINX).exists():
        print(f"two_servers: {NGINX} is missing (apt-get install nginx-light); skipped")
        return 0
    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="caunoi-two-")
    servers, logs = [], []
    created = nginx_started = False
    runs = [("contended", 20, True), ("contended", 20, True)]
    try:
        url = rush._create_database("postgresql", workdir)
        created = True
        env = rush._environment(url, workdir)
        env.update(
            FLASK_RATELIMIT_ENABLED="true",
            RATELIMIT_STORAGE_URI=REDIS,
            FLASK_RATELIMIT_KEY_PREFIX=f"caunoi-bench-{os.getpid()}",
            FLASK_LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
            PROXY_FIX_X_FOR="1",
        )
        for command in (("db", "upgrade"), ("places", "import"), ("demo",)):
            rush._flask(env, *command)
        app = rush._in_app(url)
        plans, _commune, _day, campaign_ids = rush._prepare(app, runs)
        ports = [rush._free_port(), rush._free_port()]
        for port in ports:
            server, log = rush._start_gunicorn(env, port, 2)
            servers.append(server)
            logs.append(log)
        front = rush._free_port()
        _nginx(workdir, front, ports)
        nginx_started = True
        print(
            f"two_servers: nginx on {front} -> gunicorn x2 (2 workers each) on {ports}, "
            f"PostgreSQL, rate limits in Redis",
            flush=True,
        )
        emails = [f"volunteer{n}@demo.local" for n in range(1, args.volunteers + 1)]
        tokens = rush.issue_tokens(rush._in_app(url), emails)
        fivexx = over_runs = 0
        for (shape, flight, _queue), (_shape, targets), (label, port) in zip(
            runs,
            plans,
            [("two servers behind nginx", front), ("one server alone", ports[0])],
            strict=True,
        ):
            healthz = client.rate_for(port, client.Request("GET", "/healthz"), 20, 2, 2000).rate
            figures = rush.repeated_rush(
                app, port, tokens, targets, flight, rush.SHAPES[shape][2], args.repeat
            )
            fivexx += figures["5xx"]
            over_runs += figures["over"]
            print(
                f"rush {shape} at {flight} in flight, {label}: {figures['rate']:.0f} bookings/s "
                f"({figures['rate'] / healthz:.3f} x its /healthz, {healthz:.0f} req/s), "
                f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, 5xx {figures['5xx']} "
                f"(median of {args.repeat}; runs "
                + ", ".join(f"{r:.0f}" for r in figures["rates"])
                + ")",
                flush=True,
            )
        over, confirmed, waitlisted = rush._over_capacity(app, campaign_ids)
        over += over_runs
        print(f"check: {confirmed} confirmed, {waitlisted} waitlisted; over capacity: {over}")
        refused_after = _login_limit(ports)
        print(
            f"sign-in limit ({LOGIN_LIMIT} a minute per account and address), wrong passwords "
            f"alternately on both instances: 429 after {refused_after} attempts in all "
            f"({'shared' if refused_after == LOGIN_LIMIT else 'NOT shared'})"
        )
        print(f"total time {time.monotonic() - began:.0f} s")
        return 0 if over == 0 and fivexx == 0 and refused_after == LOGIN_LIMIT else 1
    finally:
        if nginx_started:
            _stop_nginx(workdir)
        for server in servers:
            rush._stop(server)
        for log in logs:
            log.close()
        if created:
            rush._drop_database("postgresql")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
