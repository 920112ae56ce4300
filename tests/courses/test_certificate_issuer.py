"""Certificates in the commune's name: issuer and helper on verification; revocation in scope."""

import re

import pytest
from learning_helpers import right_answer
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from courses.learning import services
from courses.learning.models import Certificate
from courses.reports.services import record_assisted_session
from courses.services import get_course, import_courses


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


@pytest.fixture
def resident(make_user, bo_de):
    return make_user(Role.LEARNER, full_name="Trần Thị Bình", home_commune=bo_de)


def master(user, course):
    attempt = services.start_attempt(db.session, user, course)
    for step in services.questions_of(db.session, attempt):
        services.answer_question(db.session, attempt, step.question, right_answer(step.question))
    db.session.commit()
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def _verify_path(client, login, owner, certificate):
    login(owner)
    html = client.get(f"/me/certificates/{certificate.id}").get_data(as_text=True)
    client.post("/logout")
    return re.search(r'href="https://caunoi.example.vn(/certificates/verify/[^"]+)"', html).group(1)


def test_verification_names_the_commune_the_helper_and_the_date(
    client, login, course, resident, volunteer
):
    record_assisted_session(db.session, volunteer, resident, course, [course.lessons[0].id])
    certificate = master(resident, course)
    assert certificate.helper_name == volunteer.full_name
    path = _verify_path(client, login, resident, certificate)

    client.set_cookie("lang", "en")
    html = client.get(path).get_data(as_text=True)

    assert "This certificate is valid" in html
    assert "Issued in the name of" in html and "Phường Bồ Đề" in html
    assert f"{volunteer.full_name} (assisted learning session)" in html
    assert "Date of issue" in html


def test_a_coordinator_revokes_with_a_reason_and_verification_says_when(
    client, login, course, resident, coordinator
):
    certificate = master(resident, course)
    path = _verify_path(client, login, resident, certificate)
    login(coordinator)
    client.set_cookie("lang", "en")

    listing = client.get("/courses/reports/certificates").get_data(as_text=True)
    assert "Trần Thị Bình" in listing
    empty = client.post(f"/courses/reports/certificates/{certificate.id}/revoke", data={})
    assert empty.status_code == 422
    response = client.post(
        f"/courses/reports/certificates/{certificate.id}/revoke",
        data={"reason": "Issued to the wrong person"},
    )
    assert response.status_code == 302

    db.session.expire_all()
    revoked = db.session.get(Certificate, certificate.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id == coordinator.id
    client.post("/logout")
    html = client.get(path).get_data(as_text=True)
    assert "This certificate was revoked" in html and "Revoked on" in html
    assert "This certificate is valid" not in html
    assert "wrong person" not in html  # the reason stays with coordinators


def test_a_certificate_outside_the_scope_cannot_be_revoked(
    client, login, course, resident, other_coordinator
):
    certificate = master(resident, course)
    login(other_coordinator)

    response = client.post(
        f"/courses/reports/certificates/{certificate.id}/revoke", data={"reason": "No"}
    )

    assert response.status_code == 404
    assert "Trần Thị Bình" not in client.get("/courses/reports/certificates").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_revoking_twice_is_refused(course, resident, coordinator):
    from app.scope import CoordinatorScope

    certificate = master(resident, course)
    scope = CoordinatorScope.of(coordinator)
    services.revoke_certificate(db.session, certificate, coordinator, "Wrong person", scope)

    with pytest.raises(services.CertificateError) as refused:
        services.revoke_certificate(db.session, certificate, coordinator, "Again", scope)

    assert refused.value.code == "already_revoked"
