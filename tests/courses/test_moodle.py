"""Moodle XML export of a course's quiz bank: valid XML, one question per bank entry (one per
step for a walkthrough), right answers at fraction 100, Vietnamese text intact."""

import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from courses.models import Course
from courses.moodle import moodle_xml
from courses.services import import_courses
from courses.simulators import tappable_ids


@pytest.fixture
def courses():
    import_courses(db.session)
    db.session.commit()
    return db.session.scalars(select(Course).order_by(Course.slug)).all()


def _questions(xml):
    root = ET.fromstring(xml)
    assert root.tag == "quiz"
    return [q for q in root.findall("question") if q.get("type") != "category"]


def _expected_count(course):
    return sum(len(q.data["steps"]) if q.type == "walkthrough" else 1 for q in course.questions)


def _fractions(question):
    return [float(a.get("fraction")) for a in question.findall("answer")]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_course_exports_one_question_per_bank_entry_or_step(courses, language):
    assert len(courses) >= 9
    for course in courses:
        questions = _questions(moodle_xml(course, language))
        assert len(questions) == _expected_count(course), course.slug
        names = [q.find("idnumber").text for q in questions]
        assert len(set(names)) == len(names)
        for question in questions:
            assert question.find("questiontext/text").text
            assert question.find("generalfeedback/text").text


def test_right_answers_carry_fraction_100(courses):
    for course in courses:
        by_id = {q.find("idnumber").text: q for q in _questions(moodle_xml(course, "vi"))}
        for bank in course.questions:
            idnumber = f"{course.slug}-{bank.key}"
            if bank.type == "single":
                question = by_id[idnumber]
                texts = [a.find("text").text for a in question.findall("answer")]
                right = next(c for c in bank.data["choices"] if c["id"] == bank.data["answer"])
                assert (
                    _fractions(question)[texts.index(f"<p>{escape(right['text']['vi'])}</p>")]
                    == 100
                )
                assert sorted(_fractions(question))[-2] == 0
            elif bank.type == "multiple":
                fractions = _fractions(by_id[idnumber])
                right = [f for f in fractions if f > 0]
                assert len(right) == len(bank.data["answer"])
                assert sum(right) == pytest.approx(100, abs=0.01)
                assert all(f < 0 for f in fractions if f <= 0) or len(right) == len(fractions)
            elif bank.type == "true_false":
                question = by_id[idnumber]
                assert question.get("type") == "truefalse"
                answers = {
                    a.find("text").text: a.get("fraction") for a in question.findall("answer")
                }
                assert answers[str(bank.data["answer"]).lower()] == "100"
            elif bank.type == "scam_drill":
                question = by_id[idnumber]
                fractions = _fractions(question)
                assert sorted(fractions) == [0, 100]
                labels = [a.find("text").text for a in question.findall("answer")]
                with force_locale("vi"):  # the labels as the catalogue translates them
                    expected = (
                        f"<p>{gettext('Scam' if bank.data['answer'] == 'scam' else 'Safe')}</p>"
                    )
                assert labels[fractions.index(100)] == expected
            elif bank.type == "walkthrough":
                for number, step in enumerate(bank.data["steps"], start=1):
                    question = by_id[f"{idnumber}-step-{number}"]
                    fractions = _fractions(question)
                    assert fractions.count(100) == 1
                    labels = tappable_ids(step)  # a screen's bars and texts are no choices
                    assert labels[fractions.index(100)] == step["answer"]
            elif bank.type == "ordering":
                question = by_id[idnumber]
                assert question.get("type") == "ordering"
                texts = [a.find("text").text for a in question.findall("answer")]
                choices = {c["id"]: c["text"]["vi"] for c in bank.data["choices"]}
                assert texts == [f"<p>{escape(choices[i])}</p>" for i in bank.data["answer"]]
                assert _fractions(question) == list(range(1, len(texts) + 1))


def test_vietnamese_text_survives_the_export(courses):
    course = next(c for c in courses if c.slug == "vneid")
    xml = moodle_xml(course, "vi")

    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(xml)
    first = course.questions[0].data
    texts = [t.text for t in root.iter("text")]
    assert f"<p>{escape(first['prompt']['vi'])}</p>" in texts
    assert any("ư" in t or "ệ" in t for t in texts if t)
    assert root.find("question[@type='category']/category/text").text.endswith(course.title["vi"])


def test_english_export_is_in_english(courses):
    course = next(c for c in courses if c.slug == "scams-and-personal-data")
    root = ET.fromstring(moodle_xml(course, "en"))
    texts = [t.text for t in root.iter("text")]
    prompt = f"<p>{escape(course.questions[0].data['prompt']['en'])}</p>"
    assert any(t.startswith(prompt) for t in texts if t)
    assert "<p>Scam</p>" in texts and "<p>Safe</p>" in texts


def test_cli_writes_the_xml_to_standard_output(runner, courses):
    result = runner.invoke(args=["courses", "export-moodle", "vneid", "--lang", "vi"])

    assert result.exit_code == 0, result.output
    course = next(c for c in courses if c.slug == "vneid")
    assert len(_questions(result.stdout_bytes)) == _expected_count(course)


def test_cli_names_an_unknown_course(runner, courses):
    result = runner.invoke(args=["courses", "export-moodle", "no-such-course"])
    assert result.exit_code == 1
    assert "no course 'no-such-course'" in result.stderr


def test_coordinators_download_the_xml(client, login, coordinator, courses):
    login(coordinator)
    response = client.get("/courses/vneid/moodle.xml?lang=en")

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert 'filename="vneid-en.moodle.xml"' in response.headers["Content-Disposition"]
    assert _questions(response.data)


@pytest.mark.parametrize("roles", [(Role.VOLUNTEER,), (Role.LEARNER,)])
def test_volunteers_and_learners_may_not_download_it(client, login, make_user, courses, roles):
    login(make_user(*roles))
    assert client.get("/courses/vneid/moodle.xml").status_code == 403


def test_an_unknown_course_or_language_is_not_found(client, login, admin, courses):
    login(admin)
    assert client.get("/courses/nope/moodle.xml").status_code == 404
    assert client.get("/courses/vneid/moodle.xml?lang=fr").status_code == 404


def test_the_course_page_links_the_export_for_coordinators_only(
    client, login, coordinator, courses
):
    link = 'href="/courses/vneid/moodle.xml?lang=vi"'
    assert link not in client.get("/courses/vneid").get_data(as_text=True)
    login(coordinator)
    assert link in client.get("/courses/vneid").get_data(as_text=True)
