"""Simulators: screens described in quiz.yaml, checked on import, practised without JavaScript."""

import re
import shutil

import pytest
from sqlalchemy import select

from app.extensions import db
from courses.content import TAPPABLE_KINDS, ContentErrors, load_courses
from courses.models import Question
from courses.services import CONTENT_ROOT, import_courses
from courses.simulators import lesson_slugs, placed, practise, tappable_ids

#: the procedures the issue asks a simulator for, found by the simulator that practises each
COVERED = {
    "vneid": ["activate-walkthrough", "judicial-record-walkthrough"],
    "commune-procedures": ["temp-residence-walkthrough", "linked-walkthrough"],
    "public-service-portal": ["login-walkthrough", "submit-walkthrough", "lookup-walkthrough"],
    "online-payments": ["portal-payment-walkthrough", "receipt-walkthrough"],
    "dossiers-after-reorganisation": ["online-dossier-walkthrough", "return-result-walkthrough"],
    "digital-signatures": ["remote-sign-walkthrough"],
}


@pytest.fixture
def courses():
    import_courses(db.session)
    db.session.commit()


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT / "vneid", root / "vneid")
    return root


def _errors(root):
    with pytest.raises(ContentErrors) as caught:
        load_courses(root)
    return [str(error) for error in caught.value.errors]


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if new.strip() in line)


def test_twelve_laid_out_simulators_cover_the_resident_and_officer_procedures():
    by_course = {c.slug: c for c in load_courses(CONTENT_ROOT)}
    found = 0
    for slug, keys in COVERED.items():
        course = by_course[slug]
        assert course.audience in ("resident", "officer")
        questions = {q.key: q for q in course.questions}
        for key in keys:
            data = questions[key].data
            assert set(lesson_slugs(data)) <= {lesson.slug for lesson in course.lessons}
            assert lesson_slugs(data)
            for step in data["steps"]:
                assert all("kind" in element for element in step["elements"]), key
                assert step["hint"]["vi"] and step["hint"]["en"]
                # realistic decoys: the target is never alone on the screen
                assert len(tappable_ids(step)) >= 2
            # where the real screens differ by version or region, the simulator says so
            assert any("varies" in step for step in data["steps"]), key
            found += 1
    assert found >= 12


def test_an_unknown_kind_is_refused_with_its_file_and_line(content):
    quiz = content / "vneid" / "quiz.yaml"
    line = _edit(quiz, "{id: logo, kind: image,", "{id: logo, kind: picture,")
    errors = _errors(content)
    assert any(
        e.endswith(
            f"quiz.yaml:{line}: question 'activate-walkthrough': step 1: "
            "element 'logo': kind must be one of bar, text, image, tile, list, "
            "field, button, link, tab"
        )
        for e in errors
    ), errors


def test_two_elements_in_one_cell_are_refused(content):
    quiz = content / "vneid" / "quiz.yaml"
    line = _edit(
        quiz,
        "{id: activate, kind: link, row: 7, col: 2,",
        "{id: activate, kind: link, row: 7, col: 1,",
    )
    errors = _errors(content)
    assert any(
        f"quiz.yaml:{line}:" in e and "row 7, column 1 is already taken by 'register'" in e
        for e in errors
    ), errors


def test_a_column_outside_the_grid_is_refused(content):
    quiz = content / "vneid" / "quiz.yaml"
    line = _edit(
        quiz, "{id: report, kind: tile, row: 3, col: 4,", "{id: report, kind: tile, row: 3, col: 5,"
    )
    errors = _errors(content)
    assert any(f"quiz.yaml:{line}:" in e and "col 5 is outside the 4 columns" in e for e in errors)


def test_the_answer_must_be_something_one_can_tap(content):
    quiz = content / "vneid" / "quiz.yaml"
    line = _edit(quiz, "{id: send, kind: button, row: 5,", "{id: send, kind: text, row: 5,")
    errors = _errors(content)
    assert any(
        f"quiz.yaml:{line}:" in e and "the answer must be tappable, not a text" in e for e in errors
    ), errors


def test_a_screen_needs_a_hint(content):
    quiz = content / "vneid" / "quiz.yaml"
    text = quiz.read_text()
    start = text.index("  - id: judicial-record-walkthrough")
    hint = text.index("        hint:", start)
    quiz.write_text(text[:hint] + text[text.index("\n", hint) + 1 :])
    errors = _errors(content)
    assert any("judicial-record-walkthrough': step 1 has no 'hint'" in e for e in errors), errors


def test_a_simulator_names_a_lesson_of_its_course(content):
    quiz = content / "vneid" / "quiz.yaml"
    _edit(quiz, "    lesson: activate\n", "    lesson: no-such-lesson\n")
    errors = _errors(content)
    assert any("lesson 'no-such-lesson' is not a lesson of this course" in e for e in errors)


def test_layout_places_each_element_in_its_row_and_column():
    by_course = {c.slug: c for c in load_courses(CONTENT_ROOT)}
    step = next(
        q for q in by_course["vneid"].questions if q.key == "judicial-record-walkthrough"
    ).data["steps"][0]
    items = {item.element["id"]: item for item in placed(step)}
    assert (items["bar"].row, items["bar"].col, items["bar"].span) == (1, 1, 4)  # a full bar
    assert (items["procedures"].row, items["procedures"].col, items["procedures"].span) == (3, 2, 1)
    assert not items["card"].tappable and items["procedures"].tappable
    assert set(tappable_ids(step)) == {
        e["id"] for e in step["elements"] if e["kind"] in TAPPABLE_KINDS
    }


def test_practice_moves_on_only_with_the_right_tap():
    data = {
        "steps": [
            {"answer": "a", "elements": [{"id": "a"}, {"id": "b"}, {"id": "t", "kind": "text"}]},
            {"answer": "c", "elements": [{"id": "c"}, {"id": "d"}]},
        ]
    }
    assert practise(data, [], "b").missed == "b" and practise(data, [], "b").taps == []
    assert practise(data, [], "t").missed is None  # a text is not a tap
    moved = practise(data, [], "a")
    assert moved.taps == ["a"] and moved.finished_step is data["steps"][0]
    assert practise(data, ["a"], "c").current(data) is None  # done
    assert practise(data, ["b"], None).taps == []  # a doctored link starts again


def test_the_simulator_list_links_every_simulator_of_the_course(client, courses):
    html = client.get("/courses/public-service-portal/simulators").get_data(as_text=True)
    for key in COVERED["public-service-portal"]:
        assert f'href="/courses/public-service-portal/simulators/{key}"' in html


def test_a_wrong_tap_keeps_the_step_and_points_to_the_region(client, courses):
    client.set_cookie("lang", "en")
    url = "/courses/vneid/simulators/activate-walkthrough"
    first = client.get(url).get_data(as_text=True)
    assert "Step 1 of 5" in first and "Practice copy" in first
    assert 'method="get"' in first and "<script" not in first.split("</main>")[0]
    wrong = client.get(url, query_string={"tap": "register"}).get_data(as_text=True)
    assert "Step 1 of 5" in wrong and "Not that one." in wrong
    assert "look for the “activate” link in the bottom row" in wrong
    outlined = re.findall(r'class="sim-el [^"]*sim-look[^"]*" name="tap" value="([^"]+)"', wrong)
    assert outlined == ["register", "activate"]  # the row of the target, not the target alone


def test_the_right_taps_go_through_every_screen_with_explanations(client, courses):
    client.set_cookie("lang", "en")
    question = db.session.scalar(select(Question).where(Question.key == "login-walkthrough"))
    steps = question.data["steps"]
    url = "/courses/public-service-portal/simulators/login-walkthrough"
    taps: list[str] = []
    for number, step in enumerate(steps, 1):
        page = client.get(url, query_string={"taps": taps, "tap": step["answer"]})
        html = page.get_data(as_text=True)
        taps.append(step["answer"])
        assert page.status_code == 200
        assert step["explanation"]["en"].split(";")[0] in html
        if number < len(steps):
            assert f"Step {number + 1} of {len(steps)}" in html
    assert "Done: you went through all 5 steps." in html
    assert 'href="/courses/public-service-portal/lessons/login"' in html


def test_every_element_is_labelled_and_every_tap_is_a_button(client, courses):
    client.set_cookie("lang", "en")
    html = client.get("/courses/vneid/simulators/judicial-record-walkthrough").get_data(
        as_text=True
    )
    assert 'aria-label="Practice copy of the screen: VNeID — Home"' in html
    assert html.count('name="tap"') == 11  # 7 tiles and 4 tabs; the bar and the card are not
    assert "(tab at the bottom)" in html  # what kind of control, for a screen reader
    assert 'role="img" aria-label="Picture (placeholder): Electronic ID card (sample)"' in html


def test_a_lesson_that_teaches_a_procedure_links_its_simulator(client, courses):
    html = client.get("/courses/vneid/lessons/judicial-record").get_data(as_text=True)
    assert 'href="/courses/vneid/simulators/judicial-record-walkthrough"' in html
    course = client.get("/courses/vneid").get_data(as_text=True)
    assert 'href="/courses/vneid/simulators"' in course


def test_unknown_simulator_or_a_question_that_is_no_simulator_is_not_found(client, courses):
    assert client.get("/courses/vneid/simulators/no-such").status_code == 404
    assert client.get("/courses/vneid/simulators/fake-police-call").status_code == 404
    assert client.get("/courses/nowhere/simulators").status_code == 404


def test_the_stylesheet_is_served_to_anyone(client):
    response = client.get("/courses/static/simulator.css")
    assert response.status_code == 200 and b".sim-phone" in response.data


def test_a_simulator_may_practise_several_lessons(client, courses):
    for lesson in ("find-procedure", "fill-attach"):
        html = client.get(f"/courses/public-service-portal/lessons/{lesson}").get_data(as_text=True)
        assert 'href="/courses/public-service-portal/simulators/submit-walkthrough"' in html
