"""The courses part of the JSON API: the catalogue and one course, with the caller's progress."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.api import error
from app.api.openapi import operation
from app.api.schemas import UNAUTHORIZED, Error
from app.extensions import db
from app.i18n import language
from courses import services as course_services
from courses.learning import schemas, services

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("learning", __name__)


def _text(value: dict) -> str:
    return value.get(language()) or value.get("vi") or ""


def _course(course, progress, shape=schemas.Course, **more):
    return shape(
        slug=course.slug,
        title=_text(course.title),
        summary=_text(course.summary),
        audience=course.audience,
        minutes=course.minutes,
        lessons_count=len(course.lessons),
        progress=schemas.CourseProgress(
            lessons_done=progress.lessons_done,
            mastered=progress.mastered,
            best_score=progress.best_score,
        ),
        **more,
    )


@bp.get("/courses")
@signed_in
@operation(
    "listCourses",
    summary="The course catalogue, with the caller's progress in each course",
    responses={
        200: ("Every course, by audience then catalogue order.", [schemas.Course]),
        401: UNAUTHORIZED,
    },
)
def list_courses():
    """The catalogue in the request's language, with the caller's progress in each course."""
    courses = [c for _audience, group in course_services.catalogue(db.session) for c in group]
    progress = services.progress_by_course(db.session, current_user, courses)
    return jsonify([_course(c, progress[c.id]).dump() for c in courses])


@bp.get("/courses/<slug>")
@signed_in
@operation(
    "getCourse",
    summary="One course: its lessons, each done or not, and the caller's progress",
    path={"slug": "The course's slug, e.g. vneid."},
    responses={
        200: ("The course.", schemas.CourseDetail),
        401: UNAUTHORIZED,
        404: ("No course has this slug.", Error),
    },
)
def get_course(slug):
    """One course: its lessons, each done or not by the caller, and the caller's progress."""
    course = course_services.get_course(db.session, slug)
    if course is None:
        return error(404, "not_found", _("No course has this name."))
    progress = services.progress_by_course(db.session, current_user, [course])[course.id]
    done = services.done_lesson_ids(db.session, current_user, course)
    lessons = [
        schemas.Lesson(slug=lesson.slug, title=_text(lesson.title), done=lesson.id in done)
        for lesson in course.lessons
    ]
    return jsonify(_course(course, progress, schemas.CourseDetail, lessons=lessons).dump())
