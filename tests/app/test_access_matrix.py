"""Every route × every method × every persona gets the answer its declared access rule promises.

The expected answer is derived from the rule each view declares (app/access.py: public,
signed_in, roles) and corrected by SCOPED, the table of object-scoped routes: a coordinator of
another commune must not reach Bồ Đề's objects. GET requests must be answered 2xx or a redirect
elsewhere than the login page when allowed, and 401/403/404 or a redirect to the login page
when refused. POST, PUT, PATCH and DELETE are sent only where they must be refused (an allowed
one would change the sample objects), and nothing may change in the database.

New routes join by themselves. What a new route may need (tests/harness.py): a sample object for
a new URL argument (SAMPLES), a query string (QUERIES); here, for a coordinator route taking an
object, what another commune's coordinator gets (SCOPED) or why scope does not apply (UNSCOPED).
"""

import pytest
from flask import current_app
from harness import (
    FORGED,
    FORGED_HOST,
    OWNED_ARGUMENTS,
    PERSONAS,
    build_world,
    headers_for,
    may_open,
    routes,
    row_counts,
    sign_in,
    url_of,
)

from app import create_app
from app.access import rule_for
from app.extensions import db
from app.roles import Role
from app.security import CSP, HSTS

ALLOWED, REFUSED = "allowed", "refused"

#: object-scoped routes: the persona's answer differs from what the role alone gives. The sample
#: objects are in Bồ Đề (Hà Nội) and belong to "the volunteer".
SCOPED = {
    "places.new_service_point": {"other_coordinator": REFUSED},
    "places.edit_service_point": {"other_coordinator": REFUSED},
    # the coverage part (merged from its branch): rosters of Bồ Đề's service point
    "coverage.roster": {"other_coordinator": REFUSED},
    "coverage.roster_csv": {"other_coordinator": REFUSED},
    "coverage.roster_xlsx": {"other_coordinator": REFUSED},
    # campaigns and teams (merged): Bồ Đề's campaign, team and shift staffing
    "campaigns.detail": {"other_coordinator": REFUSED},
    "campaigns.edit": {"other_coordinator": REFUSED},
    "campaigns.generate": {"other_coordinator": REFUSED},
    "teams.detail": {"other_coordinator": REFUSED},
    "teams.edit": {"other_coordinator": REFUSED},
    "teams.add_member": {"other_coordinator": REFUSED},
    "teams.choose_leader": {"other_coordinator": REFUSED},
    "teams.remove_member": {"other_coordinator": REFUSED},
    "staffing.place": {"other_coordinator": REFUSED},
    "staffing.staff": {"other_coordinator": REFUSED},
    "staffing.staff_add": {"other_coordinator": REFUSED},
    "staffing.staff_move": {"other_coordinator": REFUSED},
    "staffing.call": {"other_coordinator": REFUSED},
    # broadcasts (issue 14): a message to Bồ Đề's shift, team or campaign
    "broadcasts.shift": {"other_coordinator": REFUSED},
    "broadcasts.team": {"other_coordinator": REFUSED},
    "broadcasts.campaign": {"other_coordinator": REFUSED},
    # skills (issue 16): asking for a skill in Bồ Đề's campaign, at its service point
    "skill_needs.add": {"other_coordinator": REFUSED},
    "skill_needs.delete": {"other_coordinator": REFUSED},
    # swaps (issue 16): approving a swap at Bồ Đề's shift is for its coordinators
    "swaps.decide": {"other_coordinator": REFUSED},
    # releasing the volunteer's booking from Bồ Đề's shift is the staffing coordinators' job
    "staffing.staff_remove": {
        "other_coordinator": REFUSED,
        "coordinator": ALLOWED,
        "province_coordinator": ALLOWED,
        "admin": ALLOWED,
    },
    # service hours: correcting the volunteer's booking on Bồ Đề's shift is for its coordinators
    "service_hours.correct": {
        "other_coordinator": REFUSED,
        "coordinator": ALLOWED,
        "province_coordinator": ALLOWED,
        "admin": ALLOWED,
    },
    "service_hours.hours_csv": {"other_coordinator": REFUSED},
    "service_hours.hours_xlsx": {"other_coordinator": REFUSED},
    # the certificate of service and its check exist once a shift was served; the sample shift
    # is still to come, so every persona gets the 404 a certificate without service gets
    # (tests/scheduling/test_service_hours.py opens both on a served shift)
    "service_hours.certificate": dict.fromkeys(PERSONAS, REFUSED),
    "service_hours.verify": dict.fromkeys(PERSONAS, REFUSED),
    # check-in (merged): the point's desk, QRs and scanner are for its coordinators and the
    # leaders of its teams; the sample volunteer leads none
    "checkin.desk": {"other_coordinator": REFUSED, "volunteer": REFUSED},
    "checkin.live_qr": {"other_coordinator": REFUSED, "volunteer": REFUSED},
    "checkin.live_qr_svg": {"other_coordinator": REFUSED, "volunteer": REFUSED},
    "checkin.scan": {"other_coordinator": REFUSED, "volunteer": REFUSED},
    "checkin.poster": {"other_coordinator": REFUSED},
    "checkin.rotate": {"other_coordinator": REFUSED},
    "checkin.shift_attendance": {"other_coordinator": REFUSED},
    "checkin.campaign_attendance": {"other_coordinator": REFUSED},
    "checkin.attendance": {"other_coordinator": REFUSED},
    "checkin.checkout": {"other_coordinator": REFUSED},
    "checkin.confirm": {"other_coordinator": REFUSED},
    "api.checkin.checkout_checkin": {"other_coordinator": REFUSED},
    # assists and home support (merged): Bồ Đề's dossier and request
    "assists.show": {"other_coordinator": REFUSED},
    "assists.undo": {"other_coordinator": REFUSED},
    "home_support.show": {"other_coordinator": REFUSED},
    "home_support.assign": {"other_coordinator": REFUSED},
    "home_support.close": {"other_coordinator": REFUSED},
    # assisted sessions are for volunteers, coordinators and officers; the sample learner is a
    # resident
    "course_reports.assisted_start": {"learner": REFUSED},
    "course_reports.assisted_session": {"learner": REFUSED},
    # a certificate is revoked by a coordinator of the learner's home commune (Bồ Đề)
    "course_reports.revoke_certificate": {
        "other_coordinator": REFUSED,
        "coordinator": ALLOWED,
        "province_coordinator": ALLOWED,
        "admin": ALLOWED,
    },
    # resident cards are handed out by volunteers, coordinators and officers (the same rule)
    "cards.index": {"learner": REFUSED},
    "cards.issue": {"learner": REFUSED},
    "cards.learner_code": {"learner": REFUSED},
    "cards.replace": {"learner": REFUSED},
    "api.cards.create_card": {"learner": REFUSED},
}

#: coordinator routes that take an object but are not limited by the coordinator's scope
UNSCOPED = {
    "api.scheduling.book_shift": "a coordinator may volunteer on any open shift, like a volunteer",
    "checkin.check_in": "a coordinator checks in on a poster's QR like any volunteer, anywhere",
    "courses.moodle_export": "the argument is a course, the same for every commune",
    "course_reports.assisted_session": "the argument is a course, the same for every commune",
    "course_reports.report_csv": "the argument names a table; its rows are the caller's communes",
    "course_reports.report_xlsx": "the same, as a workbook",
    "impact.dashboard_csv": "the argument names a table; the filters keep to the caller's scope",
    "impact.dashboard_xlsx": "the same, as a workbook",
}

#: the headers app/security.py sets; every answer carries them
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def world(make_user, hanoi, bo_de, other_commune):
    return build_world(make_user, hanoi, bo_de, other_commune)


def expected(rule, persona):
    """What the declared rule, then ownership, then the SCOPED table promise this persona."""
    answer = ALLOWED if may_open(rule.endpoint, persona) else REFUSED
    if rule.arguments & OWNED_ARGUMENTS and persona != "volunteer":
        answer = REFUSED  # the volunteer's own object (tests/harness.py OWNED_ARGUMENTS)
    return SCOPED.get(rule.endpoint, {}).get(persona, answer)


def classify(response):
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (401, 403, 404) or (300 <= status < 400 and "/login" in location):
        return REFUSED
    if 200 <= status < 400 or status == 422:  # 422: let in, and told what the form lacks
        return ALLOWED
    return f"unexpected {status}"


def _check_headers(response, where, problems, endpoint=None):
    for name, value in SECURITY_HEADERS.items():
        if response.headers.get(name) != value:
            problems.append(f"{where}: header {name} is {response.headers.get(name)!r}")
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "no_store", False) and response.headers.get("Cache-Control") != "no-store":
        problems.append(
            f"{where}: a no_store view answered {response.headers.get('Cache-Control')}"
        )


def _check_no_forged_host(response, where, problems):
    """Every request comes with a forged Host: no link in the answer may point to it."""
    seen = [v for k, v in response.headers.items() if FORGED_HOST in v]
    if not response.is_streamed and FORGED_HOST.encode() in response.get_data():
        seen.append("the body")
    if seen:
        problems.append(f"{where}: the forged Host {FORGED_HOST} comes back in {seen}")


def test_every_coordinator_route_taking_an_object_declares_its_scope(app):
    undeclared = []
    for rule, _methods in routes(app):
        access = rule_for(rule.endpoint)
        if access is None or Role.COORDINATOR not in access.roles or not rule.arguments:
            continue
        if rule.endpoint not in SCOPED and rule.endpoint not in UNSCOPED:
            undeclared.append(
                f"coordinator route {rule.endpoint} ({rule.rule}) takes "
                f"{sorted(rule.arguments)}: declare in SCOPED what another commune's "
                "coordinator gets (REFUSED), or say in UNSCOPED why scope does not apply"
            )
    assert undeclared == [], "\n".join(undeclared)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_persona_as_its_access_rule_says(app, world, persona):
    user = world.people.get(persona)
    client = sign_in(app, user, **FORGED)
    before = row_counts()
    problems, checked = [], 0
    for rule, methods in routes(app):
        url = url_of(rule, world)
        want = expected(rule, persona)
        for method in methods:
            if method in WRITES and want == ALLOWED:
                continue  # an allowed write would change the sample objects
            response = client.open(
                url, method=method, headers=headers_for(world, persona, url), **FORGED
            )
            got = classify(response)
            where = f"{persona} {method} {url} ({rule.endpoint})"
            if got != want:
                problems.append(f"{where}: expected {want}, got {got} ({response.status_code})")
            _check_headers(response, where, problems, rule.endpoint)
            _check_no_forged_host(response, where, problems)
            checked += 1
    assert problems == [], "\n".join(problems)
    assert row_counts() == before, f"a refused request of {persona} wrote to the database"
    assert checked >= 10


def test_every_answer_in_production_carries_hsts_and_a_foreign_host_gets_400(app, world):
    """The same routes as CAUNOI_ENV=production serves them, to an anonymous visitor: each
    answer has the security headers and HSTS; with a Host that is not SITE_URL's, a 400."""
    production = create_app(
        {
            "ENVIRONMENT": "production",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "production-matrix",
            "RESIDENT_CARD_KEY": "production-card-key",
            "SITE_URL": "https://caunoi.example.vn",
            "RATELIMIT_ENABLED": False,
        }
    )
    production.test_client_class = type(app.test_client())
    client = production.test_client()
    problems, checked = [], 0
    for rule, methods in routes(app):
        if "GET" not in methods:
            continue
        url = url_of(rule, world)
        response = client.get(url, base_url="https://caunoi.example.vn")
        where = f"production GET {url} ({rule.endpoint})"
        _check_headers(response, where, problems)
        if response.headers.get("Strict-Transport-Security") != HSTS:
            problems.append(f"{where}: no HSTS")
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        foreign = client.get(url, **FORGED)
        if foreign.status_code != 400 or FORGED_HOST.encode() in foreign.get_data():
            problems.append(f"{where} with Host {FORGED_HOST}: {foreign.status_code}")
        checked += 1
    with production.app_context():
        db.session.remove()
    assert problems == [], "\n".join(problems)
    assert checked >= 10


def test_nobody_but_the_owner_reaches_an_object_by_its_id(app, world):
    """A second volunteer (and a coordinator) changing the id in the URL to the volunteer's
    booking is refused on every route that takes one, whatever the method, and nothing changes."""
    strangers = {
        "volunteer2": world.volunteer2,
        "coordinator": world.people["coordinator"],
        "learner": world.people["learner"],
    }
    before = row_counts()
    status_before = world.booking.status
    problems, checked = [], 0
    for rule, methods in routes(app):
        if not rule.arguments & OWNED_ARGUMENTS:
            continue
        url = url_of(rule, world)
        for name, user in strangers.items():
            if SCOPED.get(rule.endpoint, {}).get(name) == ALLOWED:
                continue  # a route meant to show the object to this persona says so in SCOPED
            client = sign_in(app, user)
            for method in methods:
                response = client.open(url, method=method, headers=headers_for(world, name, url))
                if response.status_code not in (401, 403, 404):
                    problems.append(f"{name} {method} {url}: {response.status_code}")
                checked += 1
    assert problems == [], "\n".join(problems)
    assert checked > 0
    assert row_counts() == before
    assert world.booking.status == status_before


def test_a_volunteers_own_lists_never_show_another_volunteers_booking(app, world):
    client = sign_in(app, world.volunteer2)
    mine = client.get("/api/v1/me/bookings", headers=headers_for(world, "volunteer2", "/api/"))
    assert mine.status_code == 200
    assert [b["id"] for b in mine.get_json()] == [world.booking2.id]
    page = client.get("/me/shifts").get_data(as_text=True)
    assert f"/bookings/{world.booking2.id}/cancel" in page
    assert f"/bookings/{world.booking.id}/cancel" not in page


def test_another_volunteer_never_reaches_the_volunteers_check_in_dossier_or_visit(app, world):
    """Objects a coordinator may also see (SCOPED) are still closed to a second volunteer."""
    client = sign_in(app, world.volunteer2)
    before = row_counts()
    problems = []
    for rule, methods in routes(app):
        if not rule.arguments & {"attendance_id", "checkin_id", "entry_id", "request_id"}:
            continue
        url = url_of(rule, world)
        for method in methods:
            response = client.open(
                url, method=method, headers=headers_for(world, "volunteer2", url)
            )
            if response.status_code not in (401, 403, 404):
                problems.append(f"volunteer2 {method} {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert row_counts() == before
