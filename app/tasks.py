"""The task queue: Huey, in `instance/` by default, on Redis when TASK_QUEUE_URL names it.

Requests only enqueue; `flask worker` consumes. Parts hand the kernel their work from their
`init_app` with `task(app, name, func)` and `periodic(app, name, schedule, func)`, so the kernel
never imports them; each function runs in an app context of its own (its own database session),
as it would in a worker process. In immediate mode (the tests, or TASK_QUEUE_IMMEDIATE) a task
runs inside the call that enqueues it, and periodic jobs only when called.

Only the worker started without `--no-periodic` runs the scheduler, so each periodic job runs
once however many workers consume the queue.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

__all__ = ["crontab", "enqueue", "init_app", "periodic", "task"]

#: the queue's name: Redis keys and the SQLite file's table are named after it
QUEUE_NAME = "caunoi"


def init_app(app: Flask) -> None:
    """Build the app's Huey from its configuration."""
    url = app.config.get("TASK_QUEUE_URL") or ""
    # results=False: a task's outcome is in the database (the delivery log), and results nobody
    # reads would pile up in the queue's storage
    options: dict[str, Any] = {
        "immediate": bool(app.config.get("TASK_QUEUE_IMMEDIATE")),
        "results": False,
    }
    # a SQLite queue is shared by the site and every worker thread: wait for it as for the
    # database rather than fail after SQLite's default 5 seconds
    sqlite = {"timeout": 30}
    huey: Huey
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(QUEUE_NAME, url=url, **options)
    elif url.startswith("sqlite:///"):
        filename = url.removeprefix("sqlite:///")
        huey = SqliteHuey(QUEUE_NAME, filename=filename, **options, **sqlite)
    elif not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        filename = str(Path(app.instance_path) / "tasks.sqlite3")
        huey = SqliteHuey(QUEUE_NAME, filename=filename, **options, **sqlite)
    else:
        from app.config import ConfigError

        raise ConfigError(f"TASK_QUEUE_URL must start with redis:// or sqlite:///, not {url!r}")
    app.extensions["huey"] = huey
    app.extensions["tasks"] = {}


def _in_app_context(app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        with app.app_context():
            return func(*args)

    run.__name__ = run.__qualname__ = func.__name__
    return run


def task(app: Flask, name: str, func: Callable[..., Any]) -> None:
    """Register a function the workers run when `enqueue(name, ...)` is called; its arguments
    are plain values (ids), never objects of a session."""
    huey: Huey = app.extensions["huey"]
    app.extensions["tasks"][name] = huey.task(name=name)(_in_app_context(app, func))


def periodic(app: Flask, name: str, schedule: crontab, func: Callable[[], Any]) -> None:
    """Register a job the scheduler runs on `schedule` (a huey `crontab`), once per tick."""
    huey: Huey = app.extensions["huey"]
    app.extensions["tasks"][name] = huey.periodic_task(schedule, name=name)(
        _in_app_context(app, func)
    )


def enqueue(name: str, *args: Any, delay: float = 0) -> None:
    """Hand a registered task to the workers, now or after `delay` seconds.

    Call it after the commit that wrote what the task reads (a worker may start at once)."""
    registered = current_app.extensions["tasks"][name]
    if delay > 0:
        registered.schedule(args, delay=delay)
    else:
        registered(*args)


def consumer(app: Flask, workers: int = 1, periodic: bool = True) -> Any:
    """A Huey consumer of this app's queue, with threads as workers."""
    huey: Huey = app.extensions["huey"]
    return huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread")
