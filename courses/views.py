"""Reading pages: the catalogue, a course's lessons and one lesson; the Moodle export."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app import navigation
from app.access import public, roles
from app.extensions import db
from app.roles import Role
from courses import services
from courses.moodle import moodle_xml

bp = Blueprint("courses", __name__)

navigation.register("courses.catalogue", _l("Courses"), navigation.Group.LEARNING)

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


@bp.get("/courses/<slug>/moodle.xml")
@roles(Role.COORDINATOR)
def moodle_export(slug):
    """The course's quiz bank as Moodle XML, for trainers who run Moodle."""
    course = services.get_course(db.session, slug) or abort(404)
    language = request.args.get("lang", "vi")
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return Response(
        moodle_xml(course, language),
        mimetype="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{course.slug}-{language}.moodle.xml"'
        },
    )
