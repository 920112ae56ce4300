"""Reading pages: the catalogue, a course's lessons and one lesson."""

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.access import public
from app.extensions import db
from courses import services

bp = Blueprint("courses", __name__)

AUDIENCE_LABELS = {
    "resident": _l("For residents"),
    "officer": _l("For commune officers"),
    "volunteer": _l("For volunteers"),
}


@bp.app_template_filter("localized")
def localized(text):
    """A {vi, en} text in the reader's language, Vietnamese when that one is missing."""
    if not isinstance(text, dict):
        return text
    return text.get(str(get_locale())) or text.get("vi") or ""


def _course(slug):
    return services.get_course(db.session, slug) or abort(404)


@bp.get("/courses")
@public
def catalogue():
    """Every course, grouped by who it is for."""
    return render_template(
        "courses/catalogue.html",
        groups=services.catalogue(db.session),
        audience_labels=AUDIENCE_LABELS,
    )


@bp.get("/courses/<slug>")
@public
def course(slug):
    """A course: what it covers, its basis and its lessons."""
    course = _course(slug)
    return render_template(
        "courses/course.html", course=course, audience_label=AUDIENCE_LABELS[course.audience]
    )


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@public
def lesson(slug, lesson_slug):
    """One lesson, rendered from its Markdown, with the previous and next lessons."""
    course = _course(slug)
    lesson = services.get_lesson(db.session, course, lesson_slug) or abort(404)
    previous, following = services.neighbours(course, lesson)
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        body=services.render_lesson(localized(lesson.body_markdown)),
        previous=previous,
        following=following,
    )
