"""Course operations: importing the content files, reading the catalogue, rendering lessons."""

import calendar
from datetime import date
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from app.database import utcnow
from courses.content import (
    CONFIRM_MARKER,
    CourseContent,
    Unconfirmed,
    load_courses,
    unconfirmed_statements,
)
from courses.models import AUDIENCES, Course, Lesson, Question

CONTENT_ROOT = Path(__file__).resolve().parent / "content"

# Raw HTML in a lesson is shown as text, never interpreted; nh3 then keeps a safe subset anyway.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "loading"}, "ol": {"start"}}


#: a course whose content was last checked longer ago than this is flagged to coordinators
STALE_AFTER_MONTHS = 6


def render_lesson(markdown: str) -> str:
    """Markdown to HTML safe to put in a page: no script, no event handler, no javascript: URL."""
    # the confirmation marker is for the people who check the content, not for learners
    html = _markdown.render(markdown.replace(" " + CONFIRM_MARKER, "").replace(CONFIRM_MARKER, ""))
    # Images load only when scrolled to: lesson pages stay light on a congested network.
    html = html.replace("<img ", '<img loading="lazy" ')
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"})


def _course_values(content: CourseContent) -> dict:
    return {
        "audience": content.audience,
        "order": content.order,
        "minutes": content.minutes,
        "last_checked": content.last_checked,
        "pass_mark": content.pass_mark,
        "quiz_size": content.quiz_size,
        "title": content.title,
        "summary": content.summary,
        "basis": content.basis,
    }


def _apply(row: Course | Lesson | Question, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync(
    session: Session,
    course: Course,
    rows: dict[str, Any],
    wanted: dict[str, dict[str, Any]],
    counts: dict[str, dict[str, int]],
    kind: dict[str, Any],
) -> None:
    """Update rows in place by key, add new ones, delete those no longer in the files."""
    existing = {key: row for key, row in rows.items()}
    for key, values in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            session.add(kind["model"](course=course, **{kind["key"]: key}, **values))
            counts[kind["name"]]["created"] += 1
        elif _apply(row, values):
            counts[kind["name"]]["updated"] += 1
    for row in existing.values():
        # delete-orphan: leaving the collection deletes the row at flush
        getattr(course, kind["name"]).remove(row)
        counts[kind["name"]]["deleted"] += 1


def import_courses(session: Session, root: Path = CONTENT_ROOT) -> dict:
    """Check every course under root, then create or update them all; raises ContentErrors.

    Rows are matched by slug (courses, lessons) and id (questions) and updated in place, so a
    corrected lesson keeps its id and the progress recorded against it. The caller commits.
    """
    contents = load_courses(root)  # everything is checked before anything is written
    counts = {
        name: {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        for name in ("courses", "lessons", "questions")
    }
    courses = {c.slug: c for c in session.scalars(select(Course))}
    for content in contents:
        course = courses.get(content.slug)
        values = _course_values(content)
        if course is None:
            course = Course(slug=content.slug, imported_at=utcnow(), **values)
            session.add(course)
            counts["courses"]["created"] += 1
        elif _apply(course, values):
            course.imported_at = utcnow()
            counts["courses"]["updated"] += 1
        _sync(
            session,
            course,
            {lesson.slug: lesson for lesson in course.lessons},
            {
                lesson.slug: {
                    "position": lesson.position,
                    "title": lesson.title,
                    "body_markdown": lesson.body,
                }
                for lesson in content.lessons
            },
            counts,
            {"model": Lesson, "key": "slug", "name": "lessons"},
        )
        _sync(
            session,
            course,
            {question.key: question for question in course.questions},
            {
                question.key: {"position": n, "type": question.type, "data": question.data}
                for n, question in enumerate(content.questions, 1)
            },
            counts,
            {"model": Question, "key": "key", "name": "questions"},
        )
        counts["lessons"]["unchanged"] += len(content.lessons)
        counts["questions"]["unchanged"] += len(content.questions)
    counts["courses"]["unchanged"] = (
        len(contents) - counts["courses"]["created"] - counts["courses"]["updated"]
    )
    for name in ("lessons", "questions"):
        counts[name]["unchanged"] -= counts[name]["created"] + counts[name]["updated"]
    session.flush()
    return counts


def stale_before(today: date) -> date:
    """Six calendar months before today: content last checked before that day is stale."""
    months = today.year * 12 + today.month - 1 - STALE_AFTER_MONTHS
    year, month = divmod(months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def is_stale(course: Course | CourseContent, today: date) -> bool:
    """Whether the course was last checked against official sources over six months ago."""
    return course.last_checked < stale_before(today)


def unconfirmed(course: Course, root: Path = CONTENT_ROOT) -> list[Unconfirmed]:
    """The course's lesson statements still marked as needing confirmation, from its files."""
    folder = root / course.slug
    return unconfirmed_statements(folder) if folder.is_dir() else []


def catalogue(session: Session) -> list[tuple[str, list[Course]]]:
    """The courses grouped by audience, in catalogue order; audiences without courses left out."""
    # the lessons' bodies (both languages' Markdown) are left in the database: the catalogue and
    # the progress it feeds count lessons, they never show one, and decoding every body was most
    # of the catalogue's time
    stmt = (
        select(Course)
        .options(selectinload(Course.lessons).defer(Lesson.body_markdown))
        .order_by(Course.order, Course.slug)
    )
    courses = session.scalars(stmt).all()
    groups = [(audience, [c for c in courses if c.audience == audience]) for audience in AUDIENCES]
    return [(audience, items) for audience, items in groups if items]


def catalogue_page(session: Session) -> list[tuple[str, list[tuple[Course, int]]]]:
    """The catalogue as its page shows it: each course with its number of lessons, counted in
    the same statement (the page loads no lesson)."""
    rows = session.execute(_CATALOGUE_PAGE).all()
    groups = [
        (audience, [(course, lessons) for course, lessons in rows if course.audience == audience])
        for audience in AUDIENCES
    ]
    return [(audience, items) for audience, items in groups if items]


#: catalogue_page's statement, built once
_CATALOGUE_PAGE: Select[Course, int] = select(
    Course,
    select(func.count())
    .select_from(Lesson)
    .where(Lesson.course_id == Course.id)
    .correlate(Course)
    .scalar_subquery(),
).order_by(Course.order, Course.slug)


def get_course(session: Session, slug: str) -> Course | None:
    return session.scalar(select(Course).where(Course.slug == slug))


def get_lesson(session: Session, course: Course, slug: str) -> Lesson | None:
    return session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug))


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one."""
    lessons = course.lessons
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    return (
        lessons[index - 1] if index > 0 else None,
        lessons[index + 1] if index + 1 < len(lessons) else None,
    )
