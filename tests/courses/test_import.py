"""Importing course files: idempotent, updates in place, refuses broken content whole."""

import shutil

import pytest
from sqlalchemy import func, select

from app.extensions import db
from courses.content import ContentErrors
from courses.models import Course, Lesson, Question
from courses.services import CONTENT_ROOT, import_courses, render_lesson


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _line_of(path, text):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def content(tmp_path):
    """A copy of two real courses that a test may change."""
    root = tmp_path / "content"
    for slug in ("vneid", "volunteer-handbook"):
        shutil.copytree(CONTENT_ROOT / slug, root / slug)
    return root


def test_importing_twice_changes_nothing_the_second_time():
    first = import_courses(db.session)
    db.session.commit()
    rows = (_count(Course), _count(Lesson), _count(Question))
    ids = db.session.scalars(select(Lesson.id).order_by(Lesson.id)).all()

    second = import_courses(db.session)
    db.session.commit()

    assert first["courses"]["created"] == rows[0] >= 9
    assert second["courses"] == {"created": 0, "updated": 0, "unchanged": rows[0], "deleted": 0}
    assert second["lessons"]["unchanged"] == rows[1]
    assert second["questions"]["unchanged"] == rows[2]
    assert (_count(Course), _count(Lesson), _count(Question)) == rows
    assert db.session.scalars(select(Lesson.id).order_by(Lesson.id)).all() == ids


def test_a_changed_lesson_is_updated_in_place_and_keeps_its_id(content):
    import_courses(db.session, content)
    db.session.commit()
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "activate"))
    lesson_id = lesson.id
    path = content / "vneid" / "02-activate.en.md"
    path.write_text(path.read_text() + "\nA sentence added after a check.\n")

    counts = import_courses(db.session, content)
    db.session.commit()

    db.session.expire_all()
    lesson = db.session.get(Lesson, lesson_id)
    assert counts["lessons"]["updated"] == 1
    assert "A sentence added after a check." in lesson.body_markdown["en"]
    assert "A sentence added after a check." not in lesson.body_markdown["vi"]


def test_a_removed_question_is_deleted_and_the_others_kept(content):
    import_courses(db.session, content)
    db.session.commit()
    quiz = content / "vneid" / "quiz.yaml"
    kept = db.session.scalar(select(Question).where(Question.key == "level1-on-phone"))
    kept_id = kept.id
    text = quiz.read_text()
    start = text.index("  - id: level2-where")
    end = text.index("  - id: level1-on-phone")
    quiz.write_text(text[:start] + text[end:])

    counts = import_courses(db.session, content)
    db.session.commit()

    assert counts["questions"]["deleted"] == 1
    assert db.session.scalar(select(Question).where(Question.key == "level2-where")) is None
    assert (
        db.session.scalar(select(Question.id).where(Question.key == "level1-on-phone")) == kept_id
    )


def test_a_wrong_answer_key_names_the_file_and_line_and_imports_nothing(content):
    quiz = content / "volunteer-handbook" / "quiz.yaml"
    text = quiz.read_text()
    first_single = text.index("    answer: ", text.index("type: single"))
    end = text.index("\n", first_single)
    quiz.write_text(text[:first_single] + "    answer: zz" + text[end:])
    line = _line_of(quiz, "answer: zz")

    with pytest.raises(ContentErrors) as caught:
        import_courses(db.session, content)

    (error,) = caught.value.errors
    assert error.path == quiz and error.line == line
    assert f"quiz.yaml:{line}:" in str(error) and "'zz'" in str(error)
    assert _count(Course) == 0 and _count(Lesson) == 0 and _count(Question) == 0


def test_a_missing_explanation_names_the_line_of_its_question(content):
    quiz = content / "vneid" / "quiz.yaml"
    lines = quiz.read_text().splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if "id: level1-on-phone" in line)
    explanation = next(n for n in range(start, len(lines)) if "explanation:" in lines[n])
    del lines[explanation : explanation + 3]  # the key and its vi and en lines
    quiz.write_text("".join(lines))

    with pytest.raises(ContentErrors) as caught:
        import_courses(db.session, content)

    (error,) = caught.value.errors
    assert error.line == start + 1
    assert "'level1-on-phone'" in error.message and "explanation" in error.message


def test_a_yaml_syntax_error_and_a_missing_translation_are_both_reported(content):
    course_yaml = content / "vneid" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("order: 1", "order: [1"))
    lesson = content / "volunteer-handbook" / "01-the-shift.vi.md"
    if not lesson.exists():
        lesson = sorted((content / "volunteer-handbook").glob("01-*.vi.md"))[0]
    lesson.unlink()

    with pytest.raises(ContentErrors) as caught:
        import_courses(db.session, content)

    messages = [str(e) for e in caught.value.errors]
    assert any("course.yaml:" in m and "YAML error" in m for m in messages), messages
    assert any(lesson.name in m and "missing" in m for m in messages), messages
    assert _count(Course) == 0


def test_cli_prints_counts_or_errors_with_a_failing_exit(runner, content):
    result = runner.invoke(args=["courses", "import", "--root", str(content)])
    assert result.exit_code == 0, result.output
    assert "courses: 2 created" in result.output
    assert _count(Course) == 2

    quiz = content / "vneid" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("type: ordering", "type: sorting", 1))
    line = _line_of(quiz, "type: sorting")
    result = runner.invoke(args=["courses", "import", "--root", str(content)])
    assert result.exit_code != 0
    assert f"quiz.yaml:{line}: " in result.output
    assert "nothing imported" in result.output


def test_rendering_a_lesson_strips_scripts_and_javascript_links():
    html = render_lesson(
        "Hello **there**\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">\n\n![map](images/map.webp)\n'
    )
    assert "<strong>there</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html
    assert "<img src=x" not in html  # the raw tag with its onerror handler is escaped
    assert '<img loading="lazy" src="images/map.webp" alt="map">' in html
    link = render_lesson("[portal](https://dichvucong.gov.vn)")
    assert '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">portal</a>' in link
