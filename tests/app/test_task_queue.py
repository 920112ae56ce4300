"""The task queue: Huey on a SQLite file by default or on Redis; a request only enqueues; a real
`flask worker` process delivers what the site queued."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from app import ROOT, create_app
from app.auth.models import User
from app.config import ConfigError
from app.extensions import db
from app.notifications.models import Delivery
from app.notifications.services import notify
from tests.conftest import SITE_URL
from tests.smtp import LocalSMTP, Recorder

#: how long the worker process may take to start and deliver before the test fails
WORKER_DEADLINE_SECONDS = 90


def _app(database_url, **config):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SITE_URL": SITE_URL,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "TASK_QUEUE_IMMEDIATE": False,
            **config,
        }
    )


def test_without_settings_the_queue_is_a_sqlite_file_in_instance(database_url):
    huey = _app(database_url).extensions["huey"]
    assert isinstance(huey, SqliteHuey) and not huey.immediate
    assert Path(huey.storage.filename) == ROOT / "instance" / "tasks.sqlite3"


def test_a_redis_url_puts_the_queue_on_redis(database_url):
    huey = _app(database_url, TASK_QUEUE_URL="redis://127.0.0.1:6379/7").extensions["huey"]
    assert isinstance(huey, RedisHuey)


def test_another_queue_url_is_refused_at_start(database_url):
    with pytest.raises(ConfigError, match="TASK_QUEUE_URL"):
        _app(database_url, TASK_QUEUE_URL="amqp://127.0.0.1")


def test_tests_run_tasks_immediately(app):
    assert app.extensions["huey"].immediate


@pytest.fixture
def smtp():
    recorder = Recorder()
    server = LocalSMTP(recorder)
    server.start()
    recorder.port = server.port
    yield recorder
    server.stop()


@pytest.fixture
def queue_app(database_url, tmp_path, smtp):
    """The site with a real queue (a SQLite file of the test's own) and the test's SMTP server."""
    return _app(
        database_url,
        TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
    )


def test_a_password_reset_request_only_enqueues_and_the_worker_sends(queue_app, smtp, volunteer):
    db.session.commit()
    huey = queue_app.extensions["huey"]

    response = queue_app.test_client().post("/password/forgot", data={"email": volunteer.email})

    assert response.status_code == 302
    assert smtp.messages == []  # the request did not talk to SMTP
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())  # what a worker does
    [mail] = smtp.messages
    assert mail["To"] == volunteer.email and f"{SITE_URL}/password/reset/" in mail.get_content()


def test_a_worker_process_delivers_a_notice_queued_by_the_site(
    queue_app, smtp, database_url, volunteer, make_shift
):
    shift = make_shift()
    db.session.commit()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TASK_QUEUE_IMMEDIATE", "MAIL_SERVER", "TASK_QUEUE_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        TASK_QUEUE_URL=queue_app.config["TASK_QUEUE_URL"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        SECRET_KEY=queue_app.config["SECRET_KEY"],
        SITE_URL=SITE_URL,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with queue_app.app_context():
            notify(db.session, db.session.get(User, volunteer.id), "placed", shift_id=shift.id)
            db.session.commit()
        deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
        while not smtp.messages and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        _, errors = worker.communicate(timeout=30)

    [mail] = smtp.messages
    assert mail["To"] == volunteer.email, errors.decode()
    db.session.expire_all()
    [delivery] = db.session.scalars(select(Delivery)).all()
    assert (delivery.state, delivery.attempts) == ("sent", 1)


def test_flask_worker_runs_the_scheduler_unless_told_not_to(queue_app, monkeypatch):
    started = []

    class Consumer:
        def __init__(self, app, workers, periodic):
            started.append((workers, periodic))

        def run(self):
            pass

    monkeypatch.setattr("app.tasks.consumer", Consumer)
    runner = queue_app.test_cli_runner()

    with queue_app.app_context():  # the command's app (the test's own is pushed already)
        assert runner.invoke(args=["worker"]).exit_code == 0
        assert runner.invoke(args=["worker", "--workers", "3", "--no-periodic"]).exit_code == 0
    assert started == [(1, True), (3, False)]


def test_flask_worker_refuses_a_queue_in_immediate_mode(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 2 and "TASK_QUEUE_IMMEDIATE" in result.output
