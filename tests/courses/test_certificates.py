"""Certificates: issued once on mastery, printable for the owner, checkable by anyone."""

import re

import pytest
from learning_helpers import right_answer
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from courses.learning import services
from courses.learning.models import Certificate
from courses.services import get_course, import_courses


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


@pytest.fixture
def resident(make_user, bo_de):
    return make_user(
        Role.LEARNER, full_name="Trần Thị Bình", home_commune=bo_de, phone="0912345678"
    )


def master(user, course):
    attempt = services.start_attempt(db.session, user, course)
    for step in services.questions_of(db.session, attempt):
        services.answer_question(db.session, attempt, step.question, right_answer(step.question))
    db.session.commit()
    return attempt


def _verify_path(html):
    return re.search(r'href="https://caunoi.example.vn(/certificates/verify/[^"]+)"', html).group(1)


def test_mastering_issues_one_certificate_however_often(course, resident, bo_de):
    master(resident, course)
    master(resident, course)
    certificates = db.session.scalars(select(Certificate)).all()
    assert len(certificates) == 1
    certificate = certificates[0]
    assert certificate.name == "Trần Thị Bình"
    assert certificate.commune_id == bo_de.id
    assert certificate.score == 100


def test_owner_sees_a_printable_a5_certificate_with_a_qr(client, login, course, resident):
    master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    login(resident)
    response = client.get(f"/me/certificates/{certificate.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trần Thị Bình" in html and "Phường Bồ Đề" in html
    assert "<svg" in html and "certificate.css" in html
    assert _verify_path(html)
    css = client.get("/static/css/certificate.css").get_data(as_text=True)
    assert "@page { size: A5" in css


def test_another_user_cannot_open_the_certificate(client, login, course, resident, make_user):
    master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    login(make_user(Role.VOLUNTEER))
    assert client.get(f"/me/certificates/{certificate.id}").status_code == 404


def test_the_verification_page_is_public_and_shows_no_private_data(client, login, course, resident):
    master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    login(resident)
    path = _verify_path(client.get(f"/me/certificates/{certificate.id}").get_data(as_text=True))
    client.post("/logout")

    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trần Thị Bình" in html
    assert "Kích hoạt và dùng VNeID an toàn" in html
    assert "Phường Bồ Đề" in html
    for private in (resident.email, "0912345678", certificate.number):
        assert private not in html


@pytest.mark.parametrize("change", ["tamper", "unknown"])
def test_a_tampered_or_unknown_id_is_not_valid(client, login, course, resident, change):
    master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    token = services.verification_id(certificate, "test-secret")
    if change == "tamper":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        db.session.delete(certificate)
        db.session.commit()
    response = client.get(f"/certificates/verify/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Trần Thị Bình" not in html
    assert "Not valid" in html or "Không hợp lệ" in html


def test_a_certificate_signed_with_another_key_is_not_valid(client, course, resident):
    master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    forged = services.verification_id(certificate, "not-our-secret")
    assert client.get(f"/certificates/verify/{forged}").status_code == 404


def test_failing_issues_no_certificate(course, resident):
    attempt = services.start_attempt(db.session, resident, course)
    for step in services.questions_of(db.session, attempt):
        services.answer_question(db.session, attempt, step.question, "nope")
    assert attempt.passed is False
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_coordinator_cannot_open_a_residents_certificate_or_attempt(
    client, login, course, resident, coordinator
):
    attempt = master(resident, course)
    certificate = db.session.scalar(select(Certificate))
    login(coordinator)  # even the coordinator of the resident's own commune
    assert client.get(f"/me/certificates/{certificate.id}").status_code == 404
    assert client.get(f"/courses/vneid/quiz/{attempt.id}").status_code == 404
