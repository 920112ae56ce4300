"""Keeping content true: stale courses and statements awaiting confirmation are flagged."""

import shutil
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from courses.models import Course
from courses.services import (
    CONTENT_ROOT,
    import_courses,
    is_stale,
    render_lesson,
    stale_before,
)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT / "vneid", root / "vneid")
    return root


def _mark(root):
    """Mark one statement of the activation lesson as needing confirmation; its line."""
    path = root / "vneid" / "02-activate.en.md"
    lines = path.read_text().splitlines()
    number = next(n for n, line in enumerate(lines, 1) if "usually takes a few days" in line)
    lines[number - 1] += " [[confirm]]"
    path.write_text("\n".join(lines) + "\n")
    return number


def test_six_calendar_months_back_even_at_the_end_of_a_month():
    assert stale_before(date(2026, 8, 31)) == date(2026, 2, 28)
    assert stale_before(date(2026, 3, 15)) == date(2025, 9, 15)
    course = Course(last_checked=date(2026, 5, 31))
    assert not is_stale(course, date(2026, 11, 30))
    assert is_stale(course, date(2026, 12, 1))


def test_check_lists_stale_courses_and_marked_statements_with_file_and_line(runner, content):
    line = _mark(content)
    yaml = content / "vneid" / "course.yaml"
    yaml.write_text(
        yaml.read_text().replace("last_checked: 2026-11-01", "last_checked: 2020-01-01")
    )

    result = runner.invoke(args=["courses", "check", "--root", str(content)])

    assert result.exit_code == 1
    assert "vneid: last checked 2020-01-01, over 6 months ago" in result.output
    assert f"02-activate.en.md:{line}: " in result.output
    assert "usually takes a few days.  [needs confirmation]" in result.output


def test_learners_never_see_the_marker():
    html = render_lesson("The fee is 200,000 VND. [[confirm]]\n")
    assert "[[confirm]]" not in html and "The fee is 200,000 VND." in html


def test_a_stale_course_is_flagged_to_coordinators_only(client, login, coordinator):
    import_courses(db.session)
    course = db.session.scalar(select(Course).where(Course.slug == "vneid"))
    course.last_checked = date(2020, 1, 1)
    db.session.commit()
    client.set_cookie("lang", "en")

    assert "over six months ago" not in client.get("/courses/vneid").get_data(as_text=True)
    login(coordinator)
    assert "over six months ago" in client.get("/courses/vneid").get_data(as_text=True)
