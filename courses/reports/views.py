"""The learning report of a coordinator's scope, and the assisted session page for helpers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import navigation
from app.access import roles
from app.codes import format_code
from app.csvfile import csv_response, xlsx_response
from app.extensions import db, limiter
from app.i18n import lazy_gettext as _l
from app.places import services as places
from app.places.forms import resolve_commune
from app.places.models import Province
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from courses.learners import services as learners
from courses.learning import services as learning
from courses.learning.models import Certificate
from courses.models import Course
from courses.reports import services
from courses.reports.forms import AssistedSessionForm, RevokeCertificateForm
from courses.views import localized

bp = Blueprint("course_reports", __name__)

navigation.register("course_reports.report", _l("Learning report"), navigation.Group.REPORTS)

AUDIENCES = {
    "resident": _l("Residents"),
    "officer": _l("Officers"),
    "volunteer": _l("Volunteers"),
}
#: the report's CSV files, by the name in their URL
TABLES = ("communes", "courses", "hardest", "passes", "questions")
#: the wrong pick of a true/false or scam drill question, in words
ANSWER_WORDS = {"true": _l("True"), "false": _l("False"), "scam": _l("Scam"), "safe": _l("Safe")}


def wrong_choice(row):
    """The wrong choice picked most, in the reader's language, with how often; or a dash."""
    if row.common_wrong is None:
        return "–"
    words = ANSWER_WORDS.get(row.common_wrong) if isinstance(row.common_wrong, str) else None
    label = str(words) if words else localized(row.common_wrong)
    return _(
        "%(choice)s (%(count)s times)", choice=label, count=format_number(row.common_wrong_picks)
    )


def _percent(value):
    return "–" if value is None else format_percent(value, "#,##0.#%")


def _report():
    scope = CoordinatorScope.of(current_user).covered_commune_ids(db.session)
    return services.learning_report(db.session, scope)


@bp.get("/courses/reports")
@roles(Role.COORDINATOR)
def report():
    """Who learned what in the coordinator's scope, and the questions most often missed."""
    figures = services.learning_report(
        db.session, CoordinatorScope.of(current_user).covered_commune_ids(db.session)
    )
    return render_template(
        "courses/reports/report.html",
        figures=figures,
        audiences=AUDIENCES,
        percent=_percent,
        minimum=services.HARDEST_MINIMUM_ANSWERS,
        wrong_choice=wrong_choice,
    )


def _table(figures, name):
    if name == "communes":
        return [_("Commune or ward"), _("Audience"), _("Learners")], [
            [commune.name if commune else "—", str(AUDIENCES[audience]), count]
            for commune, audience, count in figures.by_commune
        ]
    if name == "courses":
        return [
            _("Course"),
            _("Learners"),
            _("Lessons completed"),
            _("Attempted the quiz"),
            _("Mastered"),
            _("Pass rate"),
            _("Average score"),
        ], [
            [
                localized(row.course.title),
                row.learners,
                row.lessons_done,
                row.attempted,
                row.mastered,
                _percent(row.pass_rate),
                _percent(row.average_score),
            ]
            for row in figures.courses
        ]
    if name == "passes":
        return [
            _("Course"),
            _("Commune or ward"),
            _("Audience"),
            _("Started"),
            _("Completed the lessons"),
            _("Attempted the quiz"),
            _("Mastered"),
            _("Pass rate"),
        ], [
            [
                localized(row.course.title),
                row.commune.name if row.commune else "—",
                str(AUDIENCES[row.audience]),
                row.started,
                row.completed_lessons,
                row.attempted,
                row.mastered,
                _percent(row.pass_rate),
            ]
            for row in figures.passes
        ]
    if name == "questions":
        return [
            _("Course"),
            _("Question"),
            _("Answers"),
            _("Answered correctly"),
            _("Wrong choice picked most"),
        ], [
            [
                localized(row.question.course.title),
                localized(row.question.data["prompt"]),
                row.answers,
                _percent(row.correct_share),
                wrong_choice(row),
            ]
            for row in figures.questions
        ]
    return [_("Course"), _("Question"), _("Answers"), _("Answered correctly")], [
        [
            localized(hard.question.course.title),
            localized(hard.question.data["prompt"]),
            hard.answers,
            _percent(hard.correct_share),
        ]
        for hard in figures.hardest
    ]


@bp.get("/courses/reports/<name>.csv")
@roles(Role.COORDINATOR)
def report_csv(name):
    """One of the report's tables as CSV (UTF-8 with BOM, for Excel)."""
    return _report_file(name, csv_response, "csv")


@bp.get("/courses/reports/<name>.xlsx")
@roles(Role.COORDINATOR)
def report_xlsx(name):
    """One of the report's tables as a workbook."""
    return _report_file(name, xlsx_response, "xlsx")


def _report_file(name, response, suffix):
    if name not in TABLES:
        abort(404)
    figures = services.learning_report(
        db.session, CoordinatorScope.of(current_user).covered_commune_ids(db.session)
    )
    header, rows = _table(figures, name)
    return response(header, rows, f"learning-{name}.{suffix}")


@bp.get("/courses/reports/certificates")
@roles(Role.COORDINATOR)
@no_store
def certificates():
    """The latest certificates of the scope's learners, each with a way to revoke it."""
    scope = CoordinatorScope.of(current_user).covered_commune_ids(db.session)
    return render_template(
        "courses/reports/certificates.html",
        certificates=learning.certificates_in_scope(db.session, scope),
    )


def _certificate_in_scope(certificate_id) -> Certificate:
    found = db.session.get(Certificate, certificate_id)
    if found is None or not CoordinatorScope.of(current_user).covers_commune(found.commune):
        abort(404)
    return found


@bp.route("/courses/reports/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
@no_store
def revoke_certificate(certificate_id):
    """Revoke a certificate of the scope with a reason; its verification then says so."""
    certificate = _certificate_in_scope(certificate_id)
    form = RevokeCertificateForm()
    status = 200
    if form.validate_on_submit():
        try:
            learning.revoke_certificate(
                db.session,
                certificate,
                current_user,
                form.reason.data,
                CoordinatorScope.of(current_user),
            )
        except learning.CertificateError as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
            status = error.status
        else:
            db.session.commit()
            flash(_("The certificate is revoked. Its verification page now says so."))
            return redirect(url_for("course_reports.certificates"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "courses/reports/revoke.html", certificate=certificate, form=form
    ), status


def _may_help():
    """Volunteers, coordinators and officers run assisted sessions; residents do not."""
    if current_user.has_role(Role.VOLUNTEER, Role.COORDINATOR, Role.ADMIN):
        return True
    return learners.audience_of(db.session, current_user) == "officer"


def _course(slug) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug)) or abort(404)


@bp.get("/learn/assisted")
@roles(Role.VOLUNTEER, Role.COORDINATOR, Role.LEARNER)
def assisted_start():
    """Choose the course an assisted session is about; the helper's latest sessions."""
    if not _may_help():
        abort(403)
    courses = db.session.scalars(select(Course).order_by(Course.audience, Course.order)).all()
    return render_template(
        "courses/reports/assisted_start.html",
        courses=courses,
        recent=services.sessions_by(db.session, current_user),
    )


def _resident(form):
    """The resident named in the form, a new one created if asked; None with errors if not."""
    if form.resident_code.data:
        try:
            return learners.user_for_code(db.session, form.resident_code.data), None
        except learners.LearnerError:
            form.resident_code.errors.append(
                _("No resident has this code. Check it with them, or add them as new.")
            )
            return None, None
    if not form.resident_name.data:
        form.resident_code.errors.append(_("Give the resident's code, or a new resident's name."))
        return None, None
    province = places.get_by_code(db.session, Province, form.home_province.data or "")
    if province is None:
        form.home_province.errors.append(_("Choose a province."))
        return None, None
    if not form.home_commune.data:
        form.home_commune.errors.append(_("Enter their commune or ward."))
        return None, None
    commune = resolve_commune(db.session, province, form.home_commune)
    if commune is None:
        return None, None
    return learners.join_as_resident(
        db.session, full_name=form.resident_name.data, home_commune=commune
    )


@bp.route("/learn/assisted/<slug>", methods=["GET", "POST"])
@roles(Role.VOLUNTEER, Role.COORDINATOR, Role.LEARNER)
@limiter.limit("60/hour", methods=["POST"], key_func=lambda: f"assisted:{current_user.id}")
@no_store
def assisted_session(slug):
    """With the resident beside them, a helper records the lessons they went through together."""
    if not _may_help():
        abort(403)
    course = _course(slug)
    form = AssistedSessionForm()
    form.home_province.choices = [("", "—")] + places.province_choices(db.session)
    form.lessons.choices = [(lesson.id, localized(lesson.title)) for lesson in course.lessons]
    if form.validate_on_submit():
        if not form.lessons.data:
            form.lessons.errors.append(_("Tick at least one lesson you did together."))
        else:
            resident, code = _resident(form)
            if resident is not None:
                try:
                    services.record_assisted_session(
                        db.session, current_user, resident, course, form.lessons.data
                    )
                except services.AssistedSessionError:
                    db.session.rollback()
                    abort(400)
                db.session.commit()
                flash(
                    _(
                        "%(count)d lessons recorded for %(name)s.",
                        count=len(form.lessons.data),
                        name=resident.full_name,
                    )
                )
                if code:
                    return render_template(
                        "courses/reports/new_resident.html",
                        resident=resident,
                        code=format_code(code),
                    )
                return redirect(url_for("course_reports.assisted_start"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "courses/reports/assisted_session.html", form=form, course=course
    ), status
