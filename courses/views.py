"""Reading pages: the catalogue, a course's lessons and one lesson; the Moodle export."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from app import navigation
from app.access import public, roles
from app.extensions import db
from app.i18n import language
from app.i18n import lazy_gettext as _l
from app.localtime import local_today
from app.roles import Role
from courses import services, simulators
from courses.moodle import moodle_xml

bp = Blueprint("courses", __name__)
STATIC = Path(__file__).resolve().parent / "static"

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
    return text.get(language()) or text.get("vi") or ""


bp.add_app_template_global(simulators.laid_out, "sim_laid_out")
bp.add_app_template_global(simulators.placed, "sim_placed")
bp.add_app_template_global(simulators.target_row, "sim_target_row")


def _course(slug):
    return services.get_course(db.session, slug) or abort(404)


@bp.get("/courses")
@public
def catalogue():
    """Every course, grouped by who it is for."""
    return render_template(
        "courses/catalogue.html",
        groups=services.catalogue_page(db.session),
        audience_labels=AUDIENCE_LABELS,
    )


@bp.get("/courses/<slug>")
@public
def course(slug):
    """A course: what it covers, its basis and its lessons."""
    course = _course(slug)
    checker = current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)
    return render_template(
        "courses/course.html",
        course=course,
        audience_label=AUDIENCE_LABELS[course.audience],
        simulators=simulators.simulators(db.session, course),
        # what coordinators should check before a campaign: stale content, open statements
        stale=checker and services.is_stale(course, local_today()),
        unconfirmed=services.unconfirmed(course) if checker else [],
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
        simulators=simulators.for_lesson(db.session, lesson),
    )


@bp.get("/courses/static/<path:filename>")
@public
def asset(filename):
    """The simulators' stylesheet, which travels with the part that draws mock screens."""
    return send_from_directory(STATIC, filename, max_age=3600)


#: the most a course may keep on a phone for reading without data
OFFLINE_BYTES = 2_000_000


@bp.get("/courses/sw.js")
@public
def service_worker():
    """The service worker of lessons without data; at /courses/ so its scope is /courses/."""
    response = send_from_directory(STATIC, "courses-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new worker reaches phones at once
    return response


@bp.get("/courses/<slug>/offline.json")
@public
def offline_manifest(slug):
    """What a phone keeps of a course for reading without data: its pages and their assets."""
    course = _course(slug)
    urls = [url_for("courses.course", slug=slug)]
    urls += [
        url_for("courses.lesson", slug=slug, lesson_slug=lesson.slug) for lesson in course.lessons
    ]
    urls += [
        url_for("static", filename="css/site.css"),
        url_for("static", filename="js/listen.js"),
        url_for("static", filename="favicon.svg"),
        url_for("courses.asset", filename="offline.js"),
        url_for("static", filename="js/sync-queue.js"),
        url_for("courses.asset", filename="quiz-offline.js"),
    ]
    return jsonify(cache=f"caunoi-course-{slug}", urls=urls, limit=OFFLINE_BYTES)


@bp.get("/courses/<slug>/simulators")
@public
def simulator_list(slug):
    """A course's simulators, to practise outside the quiz as often as wanted."""
    course = _course(slug)
    return render_template(
        "courses/simulators/list.html",
        course=course,
        simulators=simulators.simulators(db.session, course),
    )


@bp.get("/courses/<slug>/simulators/<key>")
@public
def simulator(slug, key):
    """One practice run: the taps so far ride in the query string, so any phone can go on."""
    course = _course(slug)
    question = simulators.get_simulator(db.session, course, key) or abort(404)
    data = question.data
    run = simulators.practise(data, request.args.getlist("taps"), request.args.get("tap"))
    return render_template(
        "courses/simulators/run.html",
        course=course,
        question=question,
        data=data,
        run=run,
        current=run.current(data),
        lessons=[item for item in course.lessons if item.slug in simulators.lesson_slugs(data)],
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
