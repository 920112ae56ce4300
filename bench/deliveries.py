"""`python -m bench.deliveries`: one national campaign morning's reminders (10,000 by default),
queued by the reminder job and delivered by two `flask worker` processes through a local SMTP
server (aiosmtpd), on a scratch SQLite database and the default SQLite queue (`--queue redis`:
Redis database 12 at 127.0.0.1).

Reports the job's time to queue them, messages per second and the time from the job's start to
the last message, and, counted at the receiving server by Message-ID (one per delivery), how
many were lost or sent twice. The goal: under 2 minutes on 2 cores, none lost, none twice.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.booking_rush import ROOT, _bin, _environment, _flask

#: each shift's places: 10,000 reminders are 1,250 shifts of 8
PER_SHIFT = 8
#: a queue that stops receiving for this long has lost what is missing
STALL_SECONDS = 60
REDIS_QUEUE = "redis://127.0.0.1:6379/12"


def _seed(app, count):
    """A province, a commune, a point, a campaign and `count` confirmed bookings on shifts
    starting 6 to 11 hours from now (inside the day-before reminder's window)."""
    from app.auth.models import RoleGrant, User
    from app.database import utcnow
    from app.extensions import db
    from app.localtime import local_today
    from app.places.models import Commune, Province, ServicePoint
    from app.roles import Role
    from scheduling.models import Booking, BookingStatus, Campaign, Shift

    with app.app_context():
        session = db.session
        province = Province(
            code="01", name="Hà Nội", division_type="thành phố", search_name="ha noi"
        )
        commune = Commune(
            code="00130", province=province, name="Phường Bồ Đề", division_type="phường",
            search_name="bo de",
        )  # fmt: skip
        point = ServicePoint(commune=commune, name="Trung tâm Bồ Đề", address="Số 1")
        today = local_today()
        campaign = Campaign(
            name="Bench: reminders", province=province, starts_on=today,
            ends_on=today + timedelta(days=1), min_per_shift=1, max_per_shift=PER_SHIFT,
            communes=[commune],
        )  # fmt: skip
        base = utcnow().replace(microsecond=0) + timedelta(hours=6)
        shifts = [
            Shift(
                campaign=campaign,
                service_point=point,
                starts_at=base + timedelta(seconds=15 * n),
                ends_at=base + timedelta(seconds=15 * n, hours=4),
            )
            for n in range(-(-count // PER_SHIFT))
        ]
        users = [
            User(email=f"v{n}@bench.example", full_name=f"Tình nguyện viên {n}")
            for n in range(count)
        ]
        for user in users:
            user.grants.append(RoleGrant(role=Role.VOLUNTEER))
        session.add_all([campaign, *shifts, *users])
        session.flush()
        session.add_all(
            Booking(shift=shifts[n // PER_SHIFT], user=user, status=BookingStatus.CONFIRMED)
            for n, user in enumerate(users)
        )
        session.commit()
        db.session.remove()


def _states(app):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.notifications.models import Delivery

    with app.app_context():
        rows = db.session.execute(
            select(Delivery.state, func.count()).group_by(Delivery.state)
        ).all()
        db.session.remove()
        return dict(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.deliveries", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads in each worker")
    parser.add_argument("--queue", choices=("sqlite", "redis"), default="sqlite")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(ROOT))
    from tests.smtp import LocalSMTP, Recorder

    workdir = tempfile.mkdtemp(prefix="caunoi-bench-deliveries-")
    recorder = Recorder()
    smtp = LocalSMTP(recorder)
    workers = []
    outer = dict(os.environ)  # the app below reads its settings from here; restored after
    try:
        smtp.start()
        url = "sqlite:///" + str(Path(workdir) / "bench.sqlite3")
        queue = REDIS_QUEUE if args.queue == "redis" else f"sqlite:///{workdir}/tasks.sqlite3"
        env = _environment(url)
        env.pop("TASK_QUEUE_IMMEDIATE", None)
        env.update(TASK_QUEUE_URL=queue, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
        _flask(env, "db", "upgrade")
        os.environ.update(env)
        from app import create_app

        app = create_app({"RATELIMIT_ENABLED": False})
        if args.queue == "redis":
            app.extensions["huey"].flush()
        step = time.monotonic()
        _seed(app, args.count)
        print(f"setup: {args.count} confirmed bookings in {time.monotonic() - step:.1f} s")
        command = [_bin("flask"), "worker", "--no-periodic", "--workers", str(args.threads)]
        for _ in range(args.workers):
            workers.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        time.sleep(3)  # the workers start (not timed)
        print(
            f"deliveries: {args.workers} worker processes x {args.threads} threads, "
            f"queue {args.queue}, SMTP on 127.0.0.1:{smtp.port}",
            flush=True,
        )

        from scheduling import jobs

        began = time.monotonic()
        with app.app_context():
            reminded = jobs.send_reminders()
        queued = time.monotonic() - began
        print(f"job: {reminded} reminders queued in {queued:.1f} s", flush=True)
        seen, last_change = 0, time.monotonic()
        while len(recorder.messages) < reminded:
            time.sleep(0.2)
            if len(recorder.messages) != seen:
                seen, last_change = len(recorder.messages), time.monotonic()
            elif time.monotonic() - last_change > STALL_SECONDS:
                break
        last = time.monotonic() - began
        ids = Counter(message["Message-ID"] for message in recorder.messages)
        twice = sum(n - 1 for n in ids.values())
        lost = reminded - len(ids)
        sending = last - queued
        print(
            f"deliveries: {len(ids)} received in {last:.1f} s from the job's start "
            f"({len(ids) / max(last, 1e-9):.0f} msg/s overall, "
            f"{len(ids) / max(sending, 1e-9):.0f} msg/s after the job)"
        )
        print(f"deliveries: lost {lost}, sent twice {twice} (both must be 0)")
        print(f"deliveries: states in the log {_states(app)}")
        return 0 if lost == 0 and twice == 0 else 1
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        # the benches after this one (make bench runs them in this process) must not find a
        # task queue in the folder just removed
        os.environ.clear()
        os.environ.update(outer)


if __name__ == "__main__":
    sys.exit(main())
