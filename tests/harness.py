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

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.access import rule_for
from app.api.services import issue_token
from app.auth import services as accounts
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from courses.services import import_courses
from scheduling.models import Booking, BookingStatus, Campaign, Shift

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

#: 07:00 in Hanoi on Tuesday 8 January 2030, inside the sample campaign
MORNING = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)


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
    w.shift = Shift(
        campaign=w.campaign,
        service_point=w.service_point,
        starts_at=MORNING,
        ends_at=MORNING + timedelta(hours=4),
    )
    w.booking = Booking(shift=w.shift, user=w.volunteer, status=BookingStatus.CONFIRMED)
    w.booking2 = Booking(shift=w.shift, user=w.volunteer2, status=BookingStatus.CONFIRMED)
    db.session.add_all([w.service_point, w.campaign, w.shift, w.booking, w.booking2])
    if courses:
        import_courses(db.session)
    db.session.flush()
    for name, person in w.people.items():
        w.tokens[name] = issue_token(db.session, person)
    w.tokens["volunteer2"] = issue_token(db.session, w.volunteer2)
    db.session.commit()
    return w


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
}


def _calendar_feed_token(w):
    from scheduling.coverage import calendar  # the coverage part (merged from its branch)

    return calendar.feed_token(db.session, current_app.config["SECRET_KEY"], w.volunteer)


ENDPOINT_SAMPLES = {
    "places.province": {"code": lambda w: w.hanoi.code},
    "places.province_communes_json": {"code": lambda w: w.hanoi.code},
    "coverage.feed": {"token": _calendar_feed_token},
}

QUERIES = {
    "api.shifts": lambda w: {"commune": w.bo_de.code, "date": MORNING.date().isoformat()},
    "scheduling.find_shifts": lambda w: {"day": MORNING.date().isoformat()},
}

#: URL arguments naming an object that belongs to one person (the sample is the volunteer's):
#: nobody else, an admin included, reaches it through these routes, whatever the method
#: (a route meant to show it to others, e.g. to a coordinator, says so in SCOPED).
OWNED_ARGUMENTS = {"booking_id"}


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


def sign_in(app, user):
    """A test client with the user's session, as after the login form (without its scrypt)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
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
