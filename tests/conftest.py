"""Fixtures: one app for the session, a schema built by the migrations, a clean slate per test.

Tests run on SQLite unless TEST_DATABASE_URL names another database (CI sets PostgreSQL).
The provinces and communes are imported once, for real, and kept between tests.
`make test` runs the suite in pytest-xdist workers, each with a database of its own
(`database_url`); each worker is a process, so the limiter, the environment and the live
servers (port 0) are its own too.
"""

import os
from datetime import date, timedelta

import flask_migrate
import pytest
from flask.testing import FlaskClient
from huey.signals import SIGNAL_ERROR
from sqlalchemy import create_engine, select, text
from werkzeug.security import generate_password_hash

from app import create_app
from app.api.services import issue_token
from app.auth.models import RoleGrant, User
from app.extensions import db, limiter
from app.places.models import Commune, Province, ServicePoint
from app.places.services import import_places
from app.roles import Role
from app.skills.models import Skill
from app.skills.services import STARTING_SKILLS
from scheduling.models import Booking, Campaign
from tests import harness

KEPT_TABLES = {"provinces", "communes"}
#: the tests' configured site: every link that leaves the site starts with it, whatever the Host
SITE_URL = "https://caunoi.example.vn"
PASSWORD = "correct horse battery"
PASSWORD_HASH = generate_password_hash(PASSWORD)
# Every app a test builds runs its tasks inside the call that enqueues them (Huey's immediate
# mode, in memory); tests/app/test_task_queue.py starts a real worker on a queue of its own.
os.environ["TASK_QUEUE_IMMEDIATE"] = "1"
#: (task name, exception) of each task that raised during the current test
TASK_ERRORS: list = []
#: this process under pytest-xdist ("gw0", "gw1"...), "main" in a run without workers
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


class Client(FlaskClient):
    """Each request runs in its own app context, as in production, so nothing cached in `g`
    or in the request's session leaks between requests. The test's own session is committed
    before the request (so the view sees what the test made) and expired after it."""

    def open(self, *args, **kwargs):
        outer = db.session()
        outer.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        outer.expire_all()
        return response


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """This pytest process's own database, empty: a SQLite file of its own, or, when
    TEST_DATABASE_URL names PostgreSQL, that database (under pytest-xdist, a database per worker
    beside it, `<database>_gw0`, `<database>_gw1`..., dropped and made anew)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"test_{WORKER}.sqlite3")
    if not given.startswith("postgresql"):
        return given
    if WORKER != "main":
        return harness.new_postgresql_database(given, WORKER)
    engine = create_engine(given)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return given


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SITE_URL": SITE_URL,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.test_client_class = Client
    # Huey logs a task's exception and carries on; a test must not: see _context_and_clean_slate
    app.extensions["huey"].signal(SIGNAL_ERROR)(
        lambda _signal, task, exc=None: TASK_ERRORS.append((task.name, exc))
    )
    with app.app_context():
        flask_migrate.upgrade()
        import_places(db.session)
        db.session.commit()
    return app


@pytest.fixture(autouse=True)
def _context_and_clean_slate(app):
    """Push an app context for the test, then delete everything it wrote; fail a test in which a
    task raised (in immediate mode Huey would only log it)."""
    TASK_ERRORS.clear()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t for t in db.metadata.sorted_tables if t.name not in KEPT_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # DELETE, not TRUNCATE: TRUNCATE gives every table and index a new file and
                # syncs it to disk, half a second a test on a busy disk; deleting a test's few
                # rows takes milliseconds. Triggers are off for it (the audit log's refuses a
                # DELETE), and the ids start again at 1 as after TRUNCATE … RESTART IDENTITY.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    conn.execute(table.delete())
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(name, 'id'), 1, false)"
                        " FROM unnest(CAST(:names AS text[])) AS name"
                    ),
                    {"names": [t.name for t in tables if "id" in t.c and t.c.id.autoincrement]},
                )
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
            # the skill list the migration seeds, as every site starts with it
            conn.execute(
                Skill.__table__.insert(),
                [
                    {
                        "code": code,
                        "name_vi": vi,
                        "name_en": en,
                        "active": True,
                        "created_at": harness.NOW,
                    }
                    for code, vi, en in STARTING_SKILLS
                ],
            )
    assert not TASK_ERRORS, f"a task raised: {TASK_ERRORS}"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def hanoi():
    return db.session.scalar(select(Province).where(Province.code == "01"))


@pytest.fixture
def bo_de():
    return db.session.scalar(select(Commune).where(Commune.code == "00130"))


@pytest.fixture
def other_commune(hanoi):
    """A Hanoi ward that is not Bồ Đề."""
    return db.session.scalar(
        select(Commune).where(Commune.province_id == hanoi.id, Commune.code != "00130").limit(1)
    )


@pytest.fixture
def other_point(other_commune):
    """A service point in that other ward."""
    point = ServicePoint(commune=other_commune, name="Điểm phục vụ khác", address="Hà Nội")
    db.session.add(point)
    db.session.flush()
    return point


@pytest.fixture
def make_user():
    """Create a user with roles; coordinator scopes as commune=/province=."""
    count = 0

    def make(*roles, commune=None, province=None, email=None, **fields):
        nonlocal count
        count += 1
        user = User(
            email=email or f"user{count}@example.test",
            full_name=fields.pop("full_name", f"Người dùng {count}"),
            password_hash=PASSWORD_HASH,
            **fields,
        )
        for role in roles:
            scoped = role == Role.COORDINATOR
            user.grants.append(
                RoleGrant(
                    role=role,
                    commune=commune if scoped else None,
                    province=province if scoped and commune is None else None,
                )
            )
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def volunteer(make_user, bo_de):
    return make_user(Role.VOLUNTEER, home_commune=bo_de, full_name="Nguyễn Văn An")


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def coordinator(make_user, bo_de):
    """The coordinator of Phường Bồ Đề."""
    return make_user(Role.COORDINATOR, commune=bo_de)


@pytest.fixture
def other_coordinator(make_user, other_commune):
    return make_user(Role.COORDINATOR, commune=other_commune)


@pytest.fixture
def province_coordinator(make_user, hanoi):
    return make_user(Role.COORDINATOR, province=hanoi)


@pytest.fixture
def login(client):
    """Sign a user in on the test client, as the login form would."""

    def sign_in(user, on=None):
        target = on or client
        response = target.post(
            "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target

    return sign_in


# Scheduling factories, shared by the scheduling, API and page tests.


@pytest.fixture
def service_point(bo_de):
    point = ServicePoint(
        commune=bo_de,
        name="Trung tâm Phục vụ hành chính công phường Bồ Đề",
        address="Số 1 Bồ Đề, Hà Nội",
    )
    db.session.add(point)
    db.session.flush()
    return point


@pytest.fixture
def make_campaign(hanoi, bo_de):
    def make(communes=None, **fields):
        campaign = Campaign(
            name=fields.pop("name", "45 ngày đêm"),
            province=hanoi,
            starts_on=fields.pop("starts_on", date(2030, 1, 7)),
            ends_on=fields.pop("ends_on", date(2030, 2, 20)),
            communes=communes if communes is not None else [bo_de],
            **fields,
        )
        db.session.add(campaign)
        db.session.flush()
        return campaign

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def make_shift(request):
    """A shift from `starts_at` (default: MORNING, 07:00 in Hanoi on 8 January 2030) lasting
    `hours`, of campaign `on` at service point `point` (the test's `campaign` and `service_point`
    unless given), with a confirmed booking for each person in `booked`.

    The test's campaign and service point are made only when a shift needs them, so a test that
    names its own gets no extra campaign or point."""

    def make(starts_at=harness.MORNING, hours=4, *, point=None, on=None, booked=()):
        return harness.make_shift(
            on or request.getfixturevalue("campaign"),
            point or request.getfixturevalue("service_point"),
            starts_at,
            hours,
            booked=booked,
        )

    return make


@pytest.fixture
def shift(make_shift):
    """A four-hour shift at MORNING of the test's campaign and service point."""
    return make_shift()


@pytest.fixture
def on_duty(make_shift):
    """Check `person` in at `point` (the test's service point unless given) on a shift running
    at `at` (the real clock unless given): an hour in, three to go. Returns the shift."""
    from app.database import utcnow
    from scheduling.checkin.models import Attendance

    def check_in(person, point=None, at=None):
        at = at or utcnow().replace(microsecond=0)
        shift = make_shift(at - timedelta(hours=1), point=point, booked=[person])
        booking = db.session.scalar(
            select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == person.id)
        )
        db.session.add(
            Attendance(booking=booking, checked_in_at=shift.starts_at, received_at=shift.starts_at)
        )
        db.session.flush()
        return shift

    return check_in


@pytest.fixture
def make_volunteer(make_user, bo_de):
    def make(**fields):
        return make_user(Role.VOLUNTEER, home_commune=bo_de, **fields)

    return make


@pytest.fixture
def bearer():
    """Issue a token for the user and return the Authorization header that carries it."""

    def headers(user, language="en"):
        return {
            "Authorization": f"Bearer {issue_token(db.session, user)}",
            "Accept-Language": language,
        }

    return headers


# Assisted-submission factories, shared by the assist, home-support and API tests.


@pytest.fixture
def procedures():
    """The seeded procedure catalogue (impact/procedures/procedures.yaml)."""
    from impact.procedures.services import import_procedures

    import_procedures(db.session)
    return db.session


@pytest.fixture
def assist_entry(service_point, procedures):
    """A valid entry as the API takes it; keyword arguments replace fields."""
    import uuid

    from app.database import utcnow

    def make(**fields):
        entry = {
            "id": str(uuid.uuid4()),
            "service_point": service_point.id,
            "procedure": "birth-registration",
            "channel": "vneid",
            "level": "fully_online",
            "outcome": "submitted",
            "reason": None,
            "result_electronic": "yes",
            "age_band": "60_plus",
            "vulnerable": True,
            "at_home": False,
            "self_service": False,
            "occurred_at": utcnow().isoformat(),
        }
        entry.update(fields)
        return entry

    return make


@pytest.fixture
def limited_app(app):
    """Build a second app on the tests' database with the rate limits on, `config` on top.

    The limiter object is shared by every app: the session app gets its state back after."""
    built = []

    def build(**config):
        limited = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "test-secret",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": True,
                **config,
            }
        )
        built.append(limited)
        return limited

    yield build
    limiter.enabled = False
    for limited in built:
        with limited.app_context():
            db.session.remove()
