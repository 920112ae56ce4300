"""The world the route-wide harnesses share: one person per role, sample objects in Bồ Đề owned by
"the volunteer", and the facts a route needs to be called (what to put in each URL argument).

Used by tests/app/test_access_matrix.py, tests/app/test_form_fuzz.py and the security tests.
Every route of the url_map joins these harnesses by itself. When a new route takes a URL argument
nobody has declared yet, the harnesses fail and say what to add here:

- ``SAMPLES``: URL argument name -> function(world) giving the value of a sample object
  (e.g. ``"team_id": lambda w: w.team.id``). Build the object in ``build_world`` (owned by
  ``w.volunteer`` or in Bồ Đề, so the matrix can check strangers are refused).
- ``ENDPOINT_SAMPLES``: the same, for one endpoint whose argument means something else
  (``code`` is a commune's code except on the province pages).
- ``QUERIES``: a query string an endpoint needs to answer 200 (e.g. the API's shift search).
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.access import rule_for
from app.api.services import issue_token
from app.auth import services as accounts
from app.database import begin_write
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from courses.services import import_courses
from scheduling.models import Booking, BookingStatus, Campaign, Shift
from scheduling.swaps.models import ShiftOffer

#: the people of the matrix, in the order the failures are reported
PERSONAS = (
    "anonymous",
    "volunteer",
    "learner",
    "other_coordinator",
    "coordinator",
    "province_coordinator",
    "admin",
)

#: what each persona holds, to derive the expected answer from a route's declared rule
PERSONA_ROLES = {
    "anonymous": None,
    "volunteer": {Role.VOLUNTEER},
    "learner": {Role.LEARNER},
    "other_coordinator": {Role.COORDINATOR},
    "coordinator": {Role.COORDINATOR},
    "province_coordinator": {Role.COORDINATOR},
    "admin": {Role.ADMIN},
}

#: 07:00 in Hanoi on Tuesday 8 January 2030, inside the sample campaign: far enough ahead for
#: every booking and cancellation
MORNING = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)
#: the scheduling tests' "now": the Monday morning before (07:00 in Hanoi), before every shift
NOW = MORNING - timedelta(days=1)


@dataclass
class World:
    hanoi: object
    bo_de: object
    other_commune: object
    people: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    volunteer2: object = None
    service_point: object = None
    campaign: object = None
    shift: object = None
    booking: object = None
    booking2: object = None
    team: object = None
    attendance: object = None
    procedure: object = None
    assist: object = None
    home_request: object = None
    attempt: object = None
    certificate: object = None
    resident: object = None
    #: the volunteer's offer of their booking to anyone eligible (scheduling.swaps)
    offer: object = None
    #: an account an import made, still waiting for its person to choose a password
    invited: object = None

    @property
    def volunteer(self):
        return self.people["volunteer"]


def build_world(make_user, hanoi, bo_de, other_commune, courses=True) -> World:
    """One person per persona, a campaign with a shift in Bồ Đề, the volunteer's booking on it
    and a second volunteer's booking; the courses imported (unless courses=False). Committed."""
    w = World(hanoi=hanoi, bo_de=bo_de, other_commune=other_commune)
    w.people["volunteer"] = make_user(
        Role.VOLUNTEER, home_commune=bo_de, full_name="Nguyễn Văn An", email="an@example.com"
    )
    w.volunteer2 = make_user(
        Role.VOLUNTEER, home_commune=bo_de, full_name="Trần Thị Bình", email="binh@example.com"
    )
    w.people["learner"] = make_user(Role.LEARNER)
    w.people["other_coordinator"] = make_user(Role.COORDINATOR, commune=other_commune)
    w.people["coordinator"] = make_user(Role.COORDINATOR, commune=bo_de)
    w.people["province_coordinator"] = make_user(Role.COORDINATOR, province=hanoi)
    w.people["admin"] = make_user(Role.ADMIN)
    (w.invited,) = accounts.invite_volunteers(
        db.session, [{"email": "moi@example.com", "full_name": "Lê Văn Mới", "home_commune": bo_de}]
    )

    w.service_point = ServicePoint(
        commune=bo_de, name="Trung tâm Phục vụ hành chính công phường Bồ Đề", address="Số 1 Bồ Đề"
    )
    w.campaign = Campaign(
        name="45 ngày đêm",
        province=hanoi,
        starts_on=MORNING.date() - timedelta(days=1),
        ends_on=MORNING.date() + timedelta(days=40),
        communes=[bo_de],
    )
    w.shift = make_shift(w.campaign, w.service_point, MORNING)
    w.booking = Booking(shift=w.shift, user=w.volunteer, status=BookingStatus.CONFIRMED)
    w.booking2 = Booking(shift=w.shift, user=w.volunteer2, status=BookingStatus.CONFIRMED)
    db.session.add_all([w.booking, w.booking2])
    w.offer = ShiftOffer(
        booking=w.booking,
        shift=w.shift,
        offered_by=w.volunteer,
        expires_at=MORNING - timedelta(hours=12),
    )
    db.session.add(w.offer)
    from scheduling.skills.models import SkillRequirement

    w.requirement = SkillRequirement(
        campaign=w.campaign, skill_code="it", minimum=1, service_point=w.service_point
    )
    db.session.add(w.requirement)
    _build_merged_parts(w)
    _build_short_link()
    if courses:
        import_courses(db.session)
    db.session.flush()
    if courses:
        _build_learning(w)
    for name, person in w.people.items():
        w.tokens[name] = issue_token(db.session, person)
    w.tokens["volunteer2"] = issue_token(db.session, w.volunteer2)
    db.session.commit()
    return w


def _build_short_link():
    """The short link an SMS about the volunteer's shifts carries (/n/<code>)."""
    from app.notifications.channels import sms
    from app.urls import absolute_url

    sms.short_link(db.session, absolute_url("scheduling.my_shifts"))


def _build_merged_parts(w):
    """The merged parts' objects: a team of Bồ Đề with the volunteer, the volunteer's attendance
    on the shift, an assisted dossier the volunteer logged there, a home-support request."""
    from impact.assists.models import (
        AgeBand,
        AssistedSubmission,
        Channel,
        Level,
        Outcome,
        Procedure,
        ResultElectronic,
    )
    from impact.home_support.models import HomeSupportAssignment, HomeSupportRequest, TimeWindow
    from scheduling.checkin.models import Attendance
    from scheduling.teams.models import Team, TeamKind, TeamMember

    w.team = Team(name="Đội Bồ Đề", kind=list(TeamKind)[0], province=w.hanoi, commune=w.bo_de)
    w.team.memberships.append(TeamMember(user=w.volunteer))
    w.attendance = Attendance(booking=w.booking, checked_in_at=MORNING)
    w.procedure = Procedure(
        code="birth-registration", name_vi="Đăng ký khai sinh", name_en="Birth registration"
    )
    w.assist = AssistedSubmission(
        id=uuid.UUID("00000000-0000-4000-8000-000000000001"),
        volunteer=w.volunteer,
        service_point=w.service_point,
        commune=w.bo_de,
        province_id=w.hanoi.id,
        procedure=w.procedure,
        channel=Channel.PAPER,
        level=Level.PAPER,
        outcome=Outcome.SUBMITTED,
        result_electronic=list(ResultElectronic)[0],
        age_band=list(AgeBand)[0],
        occurred_at=datetime.now(UTC),
        occurred_on=datetime.now(UTC).date(),
    )
    w.home_request = HomeSupportRequest(
        commune=w.bo_de,
        address="Số 2 Bồ Đề",
        need="Khai sinh",
        preferred_on=MORNING.date(),
        time_window=list(TimeWindow)[0],
    )
    w.home_request.assignments.append(HomeSupportAssignment(volunteer=w.volunteer))
    db.session.add_all([w.team, w.attendance, w.procedure, w.assist, w.home_request])


def _build_learning(w):
    """The volunteer's quiz attempt (its first question answered) and certificate on the VNeID
    course; a resident learner who joined with a personal code (to resume by QR)."""
    from courses.learners import services as learners
    from courses.learning import services as learning
    from courses.learning.models import Certificate, QuizAnswer
    from courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == "vneid"))
    w.attempt = learning.start_attempt(db.session, w.volunteer, course)
    w.attempt.answers.append(
        QuizAnswer(question_id=w.attempt.draw[0]["id"], answer="x", correct=False)
    )
    w.resident, _code = learners.join_as_resident(
        db.session, full_name="Lê Văn Cư", home_commune=w.bo_de
    )
    w.certificate = Certificate(
        number="0123456789abcdef",
        user=w.volunteer,
        course=course,
        name="Nguyễn Văn An",
        commune=w.bo_de,
        score=100,
    )
    db.session.add(w.certificate)
    db.session.flush()


def make_shift(campaign, service_point, starts_at=MORNING, hours=4, *, booked=()) -> Shift:
    """A shift of the campaign at the service point from `starts_at`, lasting `hours`, with a
    confirmed booking for each person in `booked`; added to the session and flushed."""
    shift = Shift(
        campaign=campaign,
        service_point=service_point,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
    )
    db.session.add(shift)
    db.session.flush()
    if booked:
        db.session.add_all(
            Booking(shift=shift, user=person, status=BookingStatus.CONFIRMED) for person in booked
        )
        db.session.flush()
    return shift


# -- a scratch site for tests that start real servers ------------------------------------------


def seed_scratch_site(campaign_name: str, shifts: int, capacity: int, volunteers: int):
    """Into a freshly migrated scratch database (the caller's app context): Phường Bồ Đề with
    one service point, a campaign tomorrow with `shifts` 50-minute shifts of `capacity` places
    from 08:00 in Hanoi, and `volunteers` volunteers each holding an API token. Committed, and
    the connections closed so another process can take the file. Returns (tokens, shift ids)."""
    from datetime import time as clock

    from app.auth.models import RoleGrant, User
    from app.localtime import local_today
    from app.places.models import Commune, Province

    province = Province(code="01", name="Hà Nội", division_type="thành phố", search_name="ha noi")
    commune = Commune(
        code="00130", province=province, name="Phường Bồ Đề", division_type="phường",
        search_name="bo de",
    )  # fmt: skip
    point = ServicePoint(commune=commune, name="Trung tâm Bồ Đề", address="Số 1")
    tomorrow = local_today() + timedelta(days=1)
    campaign = Campaign(
        name=campaign_name, province=province, starts_on=tomorrow, ends_on=tomorrow,
        min_per_shift=1, max_per_shift=capacity, cancel_deadline_hours=0, communes=[commune],
    )  # fmt: skip
    base = datetime.combine(tomorrow, clock(1, 0), tzinfo=UTC)
    made = [make_shift(campaign, point, base + timedelta(hours=n), 50 / 60) for n in range(shifts)]
    users = [
        User(email=f"v{n}@example.com", full_name=f"Tình nguyện viên {n}")
        for n in range(volunteers)
    ]
    for user in users:
        user.grants.append(RoleGrant(role=Role.VOLUNTEER))
    db.session.add_all(users)
    db.session.flush()
    tokens = [issue_token(db.session, user) for user in users]
    shift_ids = [s.id for s in made]
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    return tokens, shift_ids


# -- many at once ------------------------------------------------------------------------------


def at_once(app, calls) -> list:
    """Call each function from a thread of its own, in an app context (so a database session) of
    its own, all released together; return their results in order.

    What the test's session made must be committed first, or the threads do not see it."""
    start = threading.Barrier(len(calls))

    def run(call):
        with app.app_context():
            start.wait()
            return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def in_own_transaction(app, work, workers) -> list:
    """Run work(0) ... work(workers - 1) at once, each in a thread, app context and write
    transaction of its own (as one request would: BEGIN IMMEDIATE on SQLite), committed, or rolled
    back if it raises; return the results in order."""

    def transaction(i):
        session = db.session()  # the scoped_session proxy has no in_transaction()
        try:
            begin_write(session)
            result = work(i)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise

    return at_once(app, [lambda i=i: transaction(i) for i in range(workers)])


# -- databases of their own ------------------------------------------------------------------


def new_postgresql_database(url, suffix) -> str:
    """Drop and create `<database of url>_<suffix>` on url's server; return its URL.

    The name derives from the process's own database, so pytest-xdist workers never share one."""
    url = make_url(url)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgresql_database(url):
    """Drop the database of url, from its server's `postgres` database."""
    url = make_url(url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_postgresql(url, suffix):
    """A new, empty PostgreSQL database `<database of url>_<suffix>` for the block, then dropped."""
    scratch = new_postgresql_database(url, suffix)
    try:
        yield scratch
    finally:
        drop_postgresql_database(scratch)


# -- what to put in URL arguments ------------------------------------------------------------

SAMPLES = {
    "filename": lambda w: "css/site.css",
    "code": lambda w: w.bo_de.code,
    "slug": lambda w: "vneid",
    "lesson_slug": lambda w: "what-is-vneid",
    "token": lambda w: accounts.password_reset_token(current_app.config["SECRET_KEY"], w.volunteer),
    "point_id": lambda w: w.service_point.id,
    "campaign_id": lambda w: w.campaign.id,
    "shift_id": lambda w: w.shift.id,
    "booking_id": lambda w: w.booking.id,
    "user_id": lambda w: w.volunteer.id,
    "grant_id": lambda w: w.volunteer.grants[0].id,
    "team_id": lambda w: w.team.id,
    "attendance_id": lambda w: w.attendance.id,
    "checkin_id": lambda w: w.attendance.id,
    "procedure_id": lambda w: w.procedure.id,
    "entry_id": lambda w: str(w.assist.id),
    "request_id": lambda w: w.home_request.id,
    "attempt_id": lambda w: w.attempt.id,
    "question_id": lambda w: w.attempt.draw[0]["id"],
    "certificate_id": lambda w: w.certificate.id,
    "offer_id": lambda w: w.offer.id,
    "skill_code": lambda w: "it",
    "requirement_id": lambda w: w.requirement.id,
    "verification": lambda w: _verification(w),
    "token_id": lambda w: _api_token_id(w),
}


def _api_token_id(w):
    from app.api.models import ApiToken

    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == w.volunteer.id))


def _verification(w):
    from courses.learning import services as learning

    return learning.verification_id(w.certificate, current_app.config["SECRET_KEY"])


def _service_verification(w):
    from scheduling.service_hours import services

    secret = current_app.config["SECRET_KEY"]
    return services.certificate_verification_id(w.volunteer, w.campaign, secret)


def _resume_token(w):
    from courses.learners import services as learners

    profile = learners.profile_of(db.session, w.resident)
    return learners.resume_token(current_app.config["SECRET_KEY"], w.resident, profile)


def _poster_token(w):
    from scheduling.checkin import tokens

    return tokens.poster_token(db.session, w.service_point)


def _calendar_feed_token(w):
    from scheduling.coverage import calendar  # the coverage part (merged from its branch)

    return calendar.feed_token(db.session, current_app.config["SECRET_KEY"], w.volunteer)


def _short_link_code(w):
    from app.notifications.channels.models import ShortLink

    return db.session.scalar(select(ShortLink.code).where(ShortLink.path == "/me/shifts"))


ENDPOINT_SAMPLES = {
    "channels.short_link": {"code": _short_link_code},
    "places.province": {"code": lambda w: w.hanoi.code},
    "places.province_communes_json": {"code": lambda w: w.hanoi.code},
    "coverage.feed": {"token": _calendar_feed_token},
    "auth.accept_invitation": {"token": lambda w: accounts.invitation_token(w.invited)},
    "checkin.check_in": {"token": _poster_token},
    "learners.resume_from_qr": {"token": lambda w: _resume_token(w)},
    "impact.dashboard_csv": {"name": lambda w: "days"},
    "impact.dashboard_xlsx": {"name": lambda w: "days"},
    "impact.province_impact": {"code": lambda w: w.hanoi.code},
    "impact.province_weekly": {"code": lambda w: w.hanoi.code},
    "impact.province_weekly_xlsx": {"code": lambda w: w.hanoi.code},
    "impact.province_impact_csv": {"code": lambda w: w.hanoi.code, "name": lambda w: "days"},
    "impact.province_impact_xlsx": {"code": lambda w: w.hanoi.code, "name": lambda w: "days"},
    "impact.national_impact_csv": {"name": lambda w: "provinces"},
    "impact.commune_impact_csv": {"name": lambda w: "service_points"},
    "impact.national_impact_xlsx": {"name": lambda w: "provinces"},
    "impact.commune_impact_xlsx": {"name": lambda w: "service_points"},
    "api.impact.province_stats": {"code": lambda w: w.hanoi.code},
    "course_reports.report_csv": {"name": lambda w: "communes"},
    "course_reports.report_xlsx": {"name": lambda w: "communes"},
    "courses.simulator": {"key": lambda w: "activate-walkthrough"},
    "courses.asset": {"filename": lambda w: "simulator.css"},
    "service_hours.verify": {"verification": lambda w: _service_verification(w)},
}

QUERIES = {
    "api.scheduling.shifts": lambda w: {
        "commune": w.bo_de.code,
        "date": MORNING.date().isoformat(),
    },
    "scheduling.find_shifts": lambda w: {"day": MORNING.date().isoformat()},
}

#: URL arguments naming an object that belongs to one person (the sample is the volunteer's):
#: nobody else, an admin included, reaches it through these routes, whatever the method
#: (a route meant to show it to others, e.g. to a coordinator, says so in SCOPED).
OWNED_ARGUMENTS = {"booking_id", "attempt_id", "certificate_id", "token_id"}


class MissingSample(AssertionError):
    pass


def routes(app):
    """Every rule of the url_map with the methods a client may send (HEAD and OPTIONS aside)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def url_of(rule, w, *, query=True) -> str:
    """The URL of a rule filled with the sample objects; fails saying what to declare."""
    values = {}
    for argument in sorted(rule.arguments):
        sample = ENDPOINT_SAMPLES.get(rule.endpoint, {}).get(argument) or SAMPLES.get(argument)
        if sample is None:
            raise MissingSample(
                f"route {rule.endpoint} ({rule.rule}) has URL argument `{argument}`: add a "
                f"sample object for it in SAMPLES (or ENDPOINT_SAMPLES[{rule.endpoint!r}]) "
                "in tests/harness.py, built in build_world"
            )
        values[argument] = sample(w)
    url = rule.build(values, append_unknown=False)[1]
    if query and rule.endpoint in QUERIES:
        from urllib.parse import urlencode

        url += "?" + urlencode(QUERIES[rule.endpoint](w))
    return url


def headers_for(w, persona, path, language="en"):
    """API requests carry the persona's bearer token (the API ignores cookies)."""
    headers = {"Accept-Language": language}
    if path.startswith("/api/") and persona in w.tokens:
        headers["Authorization"] = f"Bearer {w.tokens[persona]}"
    return headers


#: a Host header an attacker sends: no answer may carry it (links come from SITE_URL)
FORGED_HOST = "forged.example"
FORGED = {"base_url": f"http://{FORGED_HOST}"}


def sign_in(app, user, **request):
    """A test client with the user's session, as after the login form (without its scrypt).
    ``request`` (e.g. ``**FORGED``) names the host its session cookie belongs to."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction(**request) as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def row_counts() -> dict[str, int]:
    """The number of rows of every table: a request that must write nothing leaves it equal."""
    session = db.session
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def may_open(endpoint, persona) -> bool:
    """Whether the endpoint's declared rule lets the persona in (before any object scope)."""
    rule = rule_for(endpoint)
    held = PERSONA_ROLES[persona]
    if rule.public:
        return True
    if held is None:
        return False
    return not rule.roles or Role.ADMIN in held or bool(held & rule.roles)
