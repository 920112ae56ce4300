"""The learning report of a scope, its CSV files, and assisted learning sessions."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.roles import Role
from courses.learners.services import join_as_resident, register_officer
from courses.learning.models import LessonProgress, QuizAnswer, QuizAttempt
from courses.learning.services import mark_lesson_done
from courses.models import Course
from courses.reports import services
from courses.reports.models import AssistedLearningSession
from courses.services import import_courses


@pytest.fixture(autouse=True)
def courses():
    import_courses(db.session)
    db.session.flush()


@pytest.fixture
def vneid():
    return db.session.scalar(select(Course).where(Course.slug == "vneid"))


@pytest.fixture
def resident(bo_de):
    user, _code = join_as_resident(db.session, full_name="Trần Thị Bình", home_commune=bo_de)
    return user


def _answers(user, course, question, results):
    """One finished attempt per answer: a question appears once in an attempt."""
    for correct in results:
        attempt = QuizAttempt(
            user_id=user.id,
            course_id=course.id,
            draw=[question.id],
            question_count=1,
            pass_mark=80,
            correct_count=int(correct),
        )
        db.session.add(attempt)
        db.session.flush()
        db.session.add(
            QuizAnswer(attempt_id=attempt.id, question_id=question.id, answer="a", correct=correct)
        )
    db.session.flush()


def test_learners_are_counted_by_audience_and_commune(resident, volunteer, vneid, bo_de):
    officer = register_officer(
        db.session,
        email="canbo@example.com",
        password="correct horse battery",
        full_name="Lê Văn Cường",
        home_commune=bo_de,
        position="Công chức Tư pháp – Hộ tịch",
    )
    for person in (resident, volunteer, officer):
        mark_lesson_done(db.session, person, vneid.lessons[0])
    mark_lesson_done(db.session, resident, vneid.lessons[1])

    report = services.learning_report(db.session, {bo_de.id})

    assert report.by_audience == {"resident": 1, "officer": 1, "volunteer": 1}
    vneid_row = next(row for row in report.courses if row.course == vneid)
    assert (vneid_row.learners, vneid_row.lessons_done) == (3, 4)


def test_another_communes_learners_are_outside_the_scope(resident, vneid, other_commune):
    mark_lesson_done(db.session, resident, vneid.lessons[0])

    report = services.learning_report(db.session, {other_commune.id})

    assert report.learners == 0
    assert all(row.lessons_done == 0 for row in report.courses)


def test_the_hardest_questions_come_first(resident, vneid, bo_de):
    easy, hard = vneid.questions[0], vneid.questions[1]
    _answers(resident, vneid, easy, [True] * 5)
    _answers(resident, vneid, hard, [True, False, False, False, False])
    _answers(resident, vneid, vneid.questions[2], [False] * 4)  # too few answers to rank

    hardest = services.learning_report(db.session, {bo_de.id}).hardest

    assert [(h.question, h.answers, h.correct_share) for h in hardest] == [
        (hard, 5, 0.2),
        (easy, 5, 1.0),
    ]


def test_an_assisted_session_counts_as_the_residents_progress(volunteer, resident, vneid):
    lessons = [vneid.lessons[0].id, vneid.lessons[1].id, 999_999]

    services.record_assisted_session(db.session, volunteer, resident, vneid, lessons)

    done = db.session.scalars(
        select(LessonProgress.lesson_id).where(LessonProgress.user_id == resident.id)
    ).all()
    assert sorted(done) == sorted(lessons[:2])
    assert services.learning_report(db.session, None).assisted_lessons == 2


def test_an_assisted_session_without_lessons_is_refused(volunteer, resident, vneid):
    with pytest.raises(services.AssistedSessionError):
        services.record_assisted_session(db.session, volunteer, resident, vneid, [])


def test_the_report_page_and_csv_show_vietnamese_names(client, login, coordinator, resident, vneid):
    mark_lesson_done(db.session, resident, vneid.lessons[0])
    db.session.commit()
    login(coordinator)

    page = client.get("/courses/reports").get_data(as_text=True)
    response = client.get("/courses/reports/communes.csv")

    assert "Phường Bồ Đề" in page
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][0] == "Phường Bồ Đề" and rows[1][2] == "1"


@pytest.mark.parametrize("name", ["communes", "courses", "hardest"])
def test_each_report_table_has_an_xlsx_sibling(client, login, coordinator, resident, vneid, name):
    mark_lesson_done(db.session, resident, vneid.lessons[0])
    db.session.commit()
    login(coordinator)

    response = client.get(f"/courses/reports/{name}.xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    with_csv = client.get(f"/courses/reports/{name}.csv").data.decode("utf-8-sig")
    assert header == next(csv.reader(io.StringIO(with_csv)))
    if name == "communes":
        assert [cell.value for cell in sheet[2]][::2] == ["Phường Bồ Đề", 1]


def test_the_report_page_links_its_xlsx_files(client, login, coordinator, resident, vneid):
    mark_lesson_done(db.session, resident, vneid.lessons[0])
    db.session.commit()
    login(coordinator)

    page = client.get("/courses/reports").get_data(as_text=True)

    assert "/courses/reports/communes.xlsx" in page and "/courses/reports/courses.xlsx" in page


def test_volunteers_and_residents_cannot_open_the_report(client, login, volunteer):
    login(volunteer)

    assert client.get("/courses/reports").status_code == 403


def test_a_volunteer_records_a_session_with_a_new_resident(client, login, volunteer, vneid):
    login(volunteer)

    response = client.post(
        "/learn/assisted/vneid",
        data={
            "lessons": [vneid.lessons[0].id],
            "resident_name": "Phạm Thị Dung",
            "home_province": "01",
            "home_commune": "bo de",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    resident = db.session.scalar(select(User).where(User.full_name == "Phạm Thị Dung"))
    assert resident.has_role(Role.LEARNER) and resident.email is None
    assert resident.home_commune.code == "00130"
    assert resident.full_name in page  # the code card to write down for them
    assert db.session.scalar(select(func.count()).select_from(AssistedLearningSession)) == 1


def test_a_wrong_resident_code_writes_nothing(client, login, volunteer, vneid):
    login(volunteer)

    response = client.post(
        "/learn/assisted/vneid",
        data={"lessons": [vneid.lessons[0].id], "resident_code": "AAAA-AAAA"},
    )

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_a_resident_cannot_run_assisted_sessions(client, resident):
    from courses.learners.services import renew_code

    code = renew_code(db.session, resident)
    db.session.commit()
    client.post("/learn/resume", data={"code": code})

    assert client.get("/learn/assisted").status_code == 403
