"""Resident cards: issued, taken from a learner code, replaced; given when logging an assist, and
counted on the dashboard as residents who did 0, 1, 2+ procedures by themselves."""

import re

import pytest
from sqlalchemy import select

from app.codes import CODE_ALPHABET
from app.extensions import db
from app.localtime import local_today
from courses.learners.services import join_as_resident
from impact.assists.models import AssistedSubmission
from impact.cards import services as cards
from impact.cards.models import ResidentCard
from impact.dashboard import services as dashboard
from tests.conftest import PASSWORD

CODE = re.compile(r"[" + CODE_ALPHABET + r"]{4}-[" + CODE_ALPHABET + r"]{4}")


@pytest.fixture(autouse=True)
def _volunteer_on_duty(volunteer, on_duty):
    on_duty(volunteer)


def _issue(client, headers, **body):
    return client.post("/api/v1/resident-cards", json=body, headers=headers)


def _log(client, headers, assist_entry, **fields):
    return client.post("/api/v1/assists", json=assist_entry(**fields), headers=headers)


def test_a_volunteer_issues_a_card_with_a_code_and_a_qr_link_and_no_name(client, volunteer, bearer):
    response = _issue(client, bearer(volunteer))

    assert response.status_code == 201
    body = response.get_json()
    assert CODE.fullmatch(body["code"])
    assert body["qr_url"] == f"https://caunoi.example.vn/c/{body['code']}"
    assert response.headers["Cache-Control"] == "no-store"
    card = db.session.scalar(select(ResidentCard))
    assert card.digest == cards.card_digest(body["code"].replace("-", ""))
    assert card.issued_by_id == volunteer.id and card.revoked_at is None


def test_the_card_page_prints_the_code_and_its_qr(client, login, volunteer):
    login(volunteer)
    page = client.post("/cards/issue")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = CODE.search(html).group(0)
    assert 'class="qr"' in html
    assert volunteer.full_name not in html
    assert page.headers["Cache-Control"] == "no-store"
    card = db.session.scalar(select(ResidentCard))
    assert card.digest == cards.card_digest(code.replace("-", ""))


def test_a_resident_cannot_issue_cards(client, learner, bearer):
    assert _issue(client, bearer(learner)).status_code == 403


def test_the_menu_offers_the_card_page_only_to_those_it_admits(client, login, learner, volunteer):
    login(learner)
    assert 'href="/cards"' not in client.get("/").get_data(as_text=True)
    assert client.get("/cards").status_code == 403
    login(volunteer)
    assert 'href="/cards"' in client.get("/").get_data(as_text=True)


def test_an_officer_issues_cards(client, login, bo_de):
    from courses.learners.services import register_officer

    officer = register_officer(
        db.session,
        email="canbo@example.vn",
        password=PASSWORD,
        full_name="Cán bộ Hùng",
        home_commune=bo_de,
        position="Công chức một cửa",
    )
    db.session.commit()
    login(officer)

    assert 'href="/cards"' in client.get("/").get_data(as_text=True)
    assert client.get("/cards").status_code == 200
    assert client.post("/cards/issue").status_code == 200
    assert db.session.scalar(select(ResidentCard)).issued_by_id == officer.id


def test_an_assist_with_a_card_names_the_resident_and_stores_no_code(
    client, volunteer, bearer, assist_entry
):
    headers = bearer(volunteer)
    code = _issue(client, headers).get_json()["code"]

    typed = _log(client, headers, assist_entry, resident_card=code.lower().replace("-", " "))
    scanned = _log(
        client, headers, assist_entry, resident_card=f"https://caunoi.example.vn/c/{code}"
    )
    without = _log(client, headers, assist_entry)

    assert (typed.status_code, scanned.status_code, without.status_code) == (201, 201, 201)
    assert (typed.get_json()["carded"], without.get_json()["carded"]) == (True, False)
    rows = db.session.scalars(select(AssistedSubmission)).all()
    resident = db.session.scalar(select(ResidentCard)).resident_id
    assert sorted((r.resident_id or 0) for r in rows) == sorted([resident, resident, 0])


@pytest.mark.parametrize("card", ["K7PM", "K7PM-3QXA-9", 12345678, "K0PM-3QXA"])
def test_a_card_that_cannot_be_a_code_is_refused_per_field(
    client, volunteer, bearer, assist_entry, card
):
    response = _log(client, bearer(volunteer), assist_entry, resident_card=card)

    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == ["resident_card"]
    assert db.session.scalar(select(AssistedSubmission)) is None


def test_a_card_nobody_was_given_is_a_conflict_and_stores_nothing(
    client, volunteer, bearer, assist_entry
):
    response = _log(client, bearer(volunteer), assist_entry, resident_card="K7PM-3QXA")

    assert response.status_code == 409
    assert response.get_json()["error"] == "unknown_card"
    assert db.session.scalar(select(AssistedSubmission)) is None


def test_a_replaced_card_stops_working_and_the_new_one_keeps_the_resident(
    client, volunteer, bearer, assist_entry
):
    headers = bearer(volunteer)
    old = _issue(client, headers).get_json()["code"]
    _log(client, headers, assist_entry, resident_card=old, self_service=True)

    new = _issue(client, headers, replaces=old)
    after = _log(client, headers, assist_entry, resident_card=new.get_json()["code"])
    lost = _log(client, headers, assist_entry, resident_card=old)

    assert new.status_code == 201 and new.get_json()["replaced"] is True
    assert after.status_code == 201
    assert lost.status_code == 409
    assert lost.get_json() == {
        "error": "card_replaced",
        "message": "This card was replaced by a new one: use the new card.",
    }
    residents = {r.resident_id for r in db.session.scalars(select(AssistedSubmission))}
    assert len(residents) == 1


def test_replacing_an_unknown_card_is_refused(client, volunteer, bearer):
    response = _issue(client, bearer(volunteer), replaces="K7PM-3QXA")
    assert (response.status_code, response.get_json()["error"]) == (409, "unknown_card")


def test_a_learner_code_serves_as_the_residents_card(
    client, volunteer, bo_de, bearer, assist_entry
):
    _user, learner_code = join_as_resident(db.session, full_name="Bà Lan", home_commune=bo_de)
    db.session.commit()
    headers = bearer(volunteer)

    registered = _issue(client, headers, learner_code=learner_code)
    twice = _issue(client, headers, learner_code=learner_code)
    made_up = _issue(client, headers, learner_code="K7PM-3QXA")
    logged = _log(client, headers, assist_entry, resident_card=learner_code)

    assert registered.status_code == 201
    assert registered.get_json() == {
        "code": None,
        "qr_url": None,
        "learner_code": True,
        "replaced": False,
    }
    assert twice.get_json()["error"] == "already_a_card"
    assert made_up.get_json()["error"] == "not_a_learner_code"
    assert logged.status_code == 201 and logged.get_json()["carded"] is True
    card = db.session.scalar(select(ResidentCard))
    assert card.learner_code and card.digest == cards.card_digest(learner_code)


def test_the_qr_opens_the_log_screen_with_the_card_for_a_volunteer_and_explains_it_to_others(
    client, login, volunteer
):
    client.set_cookie("lang", "en")
    anonymous = client.get("/c/K7PM-3QXA")
    login(volunteer)
    volunteer_scan = client.get("/c/K7PM-3QXA")
    log_screen = client.get(volunteer_scan.headers["Location"])

    assert anonymous.status_code == 200
    assert "resident card" in anonymous.get_data(as_text=True).lower()
    assert volunteer_scan.status_code == 302
    assert 'value="K7PM-3QXA"' in log_screen.get_data(as_text=True)


def test_the_log_screen_takes_the_card_and_refuses_an_unknown_one(
    client, login, volunteer, service_point, procedures, bearer
):
    code = _issue(client, bearer(volunteer)).get_json()["code"]
    login(volunteer)
    client.set_cookie("lang", "en")
    form = {
        "id": "6f1c8a52-2f7e-4a8e-9a43-0d4d7a0c9b11",
        "service_point": str(service_point.id),
        "procedure": "birth-registration",
        "channel": "vneid",
        "level": "fully_online",
        "outcome": "submitted",
        "result_electronic": "yes",
        "age_band": "60_plus",
    }
    wrong = client.post("/assists/new", data={**form, "resident_card": "K7PM-3QXA"})
    right = client.post("/assists/new", data={**form, "resident_card": code})

    assert wrong.status_code == 400
    assert "No resident card has this code" in wrong.get_data(as_text=True)
    assert right.status_code == 302
    assert db.session.scalar(select(AssistedSubmission)).resident_id is not None


def test_residents_are_counted_by_procedures_done_by_themselves(
    client, volunteer, bearer, assist_entry, bo_de
):
    headers = bearer(volunteer)
    codes = [_issue(client, headers).get_json()["code"] for _ in range(4)]
    # none alone; one alone; two alone; three alone, one of them undone below
    for index, code in enumerate(codes):
        for _ in range(index):
            _log(client, headers, assist_entry, resident_card=code, self_service=True)
        _log(client, headers, assist_entry, resident_card=code, self_service=False)
    # not submitted: not a procedure done
    _log(
        client,
        headers,
        assist_entry,
        resident_card=codes[1],
        self_service=True,
        outcome="not_submitted",
        reason="network_down",
    )

    scope = dashboard.dated_scope(local_today(), commune_ids=frozenset({bo_de.id}))
    figures = dashboard.resident_figures(db.session, scope)

    assert figures.json() == {
        "carded": 4,
        "self_done_0": 1,
        "self_done_1": 1,
        "self_done_2_plus": 2,
        "at_target": 2,
    }
    assert [(c.code, carded, reached) for c, carded, reached in figures.communes] == [
        ("00130", 4, 2)
    ]
    assert figures.per_day[-1][1:] == (4, 2)
    # the roll-up is the log's: rebuilding it gives the same figures
    dashboard.rebuild_counts(db.session)
    assert dashboard.resident_figures(db.session, scope).json() == figures.json()


def test_an_undone_entry_no_longer_counts_for_its_resident(
    client, login, volunteer, bearer, assist_entry, bo_de
):
    headers = bearer(volunteer)
    code = _issue(client, headers).get_json()["code"]
    _log(client, headers, assist_entry, resident_card=code, self_service=True)
    second = _log(client, headers, assist_entry, resident_card=code, self_service=True)
    login(volunteer)
    client.post(f"/assists/{second.get_json()['id']}/undo")

    scope = dashboard.dated_scope(local_today(), commune_ids=frozenset({bo_de.id}))
    assert dashboard.resident_figures(db.session, scope).json()["self_done_1"] == 1


def test_stats_carry_the_residents_figures(client, volunteer, coordinator, bearer, assist_entry):
    headers = bearer(volunteer)
    code = _issue(client, headers).get_json()["code"]
    _log(client, headers, assist_entry, resident_card=code, self_service=True)
    _log(client, headers, assist_entry, resident_card=code, self_service=True)

    body = client.get("/api/v1/stats", headers=bearer(coordinator)).get_json()

    assert body["residents"] == {
        "carded": 1,
        "self_done_0": 0,
        "self_done_1": 0,
        "self_done_2_plus": 1,
        "at_target": 1,
    }
    assert body["targets"]["self_done_per_resident"] == 2


def test_production_needs_a_resident_card_key(app):
    from app import create_app
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="RESIDENT_CARD_KEY"):
        create_app(
            {
                "ENVIRONMENT": "production",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "production-test-secret",
                "SITE_URL": "https://caunoi.example.vn",
                "RATELIMIT_ALLOW_MEMORY": "1",
            }
        )
    assert app.config["RESIDENT_CARD_KEY"] not in ("", app.config["SECRET_KEY"])
