"""Lessons linked to what residents then do: carded residents who mastered a course (their learner
code is their card) against carded residents without it; fewer than 10 never shown exactly."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.localtime import local_today
from courses.learners.services import join_as_resident
from courses.learning.models import Certificate
from courses.models import Course
from courses.services import import_courses
from impact.cards import services as cards
from impact.dashboard import services as dashboard


@pytest.fixture(autouse=True)
def _volunteer_on_duty(volunteer, on_duty):
    on_duty(volunteer)


@pytest.fixture
def course():
    import_courses(db.session)
    return db.session.scalar(select(Course).where(Course.slug == "vneid"))


def _learner_with_card(volunteer, bo_de, n, course=None, mastered_at=None):
    """A resident learner whose learner code is their card; a certificate when `course` is given."""
    user, code = join_as_resident(db.session, full_name=f"Người học {n}", home_commune=bo_de)
    cards.card_from_learner_code(db.session, volunteer, code)
    if course is not None:
        db.session.add(
            Certificate(
                number=f"n{n}",
                user_id=user.id,
                course_id=course.id,
                name=user.full_name,
                score=90,
                issued_at=mastered_at or utcnow() - timedelta(days=1),
            )
        )
    db.session.commit()
    return code


def _log(client, headers, assist_entry, code, alone, times=2):
    for _ in range(times):
        entry = assist_entry(resident_card=code, self_service=alone)
        assert client.post("/api/v1/assists", json=entry, headers=headers).status_code == 201


def _scope(bo_de):
    return dashboard.dated_scope(local_today(), commune_ids=frozenset({bo_de.id}))


def test_residents_who_mastered_a_course_are_set_beside_those_without(
    client, volunteer, bo_de, bearer, assist_entry, course
):
    headers = bearer(volunteer)
    for n in range(10):  # mastered yesterday, then did everything by themselves
        _log(client, headers, assist_entry, _learner_with_card(volunteer, bo_de, n, course), True)
    for _ in range(12):  # plain cards, helped through every procedure
        code = client.post("/api/v1/resident-cards", json={}, headers=headers).get_json()["code"]
        _log(client, headers, assist_entry, code, False)
    # mastered only tomorrow: today's procedures are not "later"
    late = _learner_with_card(
        volunteer, bo_de, 99, course, mastered_at=utcnow() + timedelta(days=1)
    )
    _log(client, headers, assist_entry, late, True)

    (effect,) = dashboard.lesson_figures(db.session, _scope(bo_de))

    assert effect.course.slug == "vneid"
    assert (effect.residents_with, effect.procedures_with, effect.self_done_with) == (11, 20, 20)
    assert effect.share_with == 1.0
    assert (effect.residents_without, effect.procedures_without) == (12, 24)
    assert effect.share_without == 0.0


def test_fewer_than_10_residents_are_never_shown_exactly(
    client, login, coordinator, volunteer, bo_de, bearer, assist_entry, course
):
    headers = bearer(volunteer)
    for n in range(3):
        _log(client, headers, assist_entry, _learner_with_card(volunteer, bo_de, n, course), True)
    login(coordinator)
    client.set_cookie("lang", "en")

    (effect,) = dashboard.lesson_figures(db.session, _scope(bo_de))
    today = {"campaign": "", "start": local_today().isoformat(), "end": local_today().isoformat()}
    page = client.get("/impact", query_string=today).get_data(as_text=True)
    table = client.get("/impact/lessons.csv", query_string=today).get_data(as_text=True)

    assert effect.residents_with == 3 and effect.share_with is None
    assert "fewer than 10" in page
    assert "fewer than 10" in table and ",3," not in table


def test_a_card_not_taken_from_a_learner_code_links_to_no_course(
    client, volunteer, bo_de, bearer, assist_entry, course
):
    headers = bearer(volunteer)
    code = client.post("/api/v1/resident-cards", json={}, headers=headers).get_json()["code"]
    _log(client, headers, assist_entry, code, True)

    assert dashboard.lesson_figures(db.session, _scope(bo_de)) == []
