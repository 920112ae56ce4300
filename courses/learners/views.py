"""Joining as a resident, resuming with the personal code or its QR, and officers."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app import navigation
from app.access import public, roles
from app.auth.limits import failed, registration_limits
from app.auth.services import AccountError, mail_registration_attempt, normalise_email
from app.auth.sessions import stay_signed_in_here
from app.codes import format_code
from app.extensions import db, limiter
from app.i18n import LANGUAGE_COOKIE, remember_preference
from app.i18n import lazy_gettext as _l
from app.notifications.services import queue_mail
from app.places import services as places
from app.places.forms import resolve_commune
from app.places.models import Province
from app.qr import qr_svg
from app.roles import Role
from app.security import no_store
from app.urls import absolute_url, safe_next
from courses.learners import services
from courses.learners.forms import (
    ConfirmResumeForm,
    JoinForm,
    OfficerRegistrationForm,
    RenewCodeForm,
    ResumeForm,
)

bp = Blueprint("learners", __name__)

navigation.register(
    "learners.my_code",
    _l("My code"),
    navigation.Group.LEARNING,
    shown=lambda: services.has_code(db.session, current_user),
)

#: the code shown once after joining or renewing, kept in the session until the next page shows it
_FRESH_CODE = "learner_fresh_code"


def _resume_limit():
    # Guessing codes is guessing passwords: the same budget per address as the login form.
    return current_app.config["LOGIN_RATE_LIMIT"]


def _code_limit():
    return current_app.config["LEARNER_CODE_RATE_LIMIT"]


def _code_global_limit():
    return current_app.config["LEARNER_CODE_GLOBAL_RATE_LIMIT"]


def _code_global_message():
    return _(
        "Too many wrong codes were typed on this site in the last hour, so codes are paused for "
        "a while. Please try again later, or ask a volunteer for help."
    )


def _locale():
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in current_app.config["LANGUAGES"] else "vi"


def _commune(form):
    """The commune typed in the form, or None with an error on the field."""
    province = places.get_by_code(db.session, Province, form.home_province.data or "")
    if province is None:
        if not form.home_province.errors:
            form.home_province.errors.append(_("Choose a province."))
        return None
    return resolve_commune(db.session, province, form.home_commune)


def _with_provinces(form):
    form.home_province.choices = [("", "—")] + places.province_choices(db.session)
    return form


@bp.route("/learn/join", methods=["GET", "POST"])
@public
def join():
    """A resident joins in one step: a name and a commune, the phone if they like."""
    form = _with_provinces(JoinForm())
    if form.validate_on_submit():
        commune = _commune(form)
        if commune is not None:
            user, code = services.join_as_resident(
                db.session,
                full_name=form.full_name.data,
                home_commune=commune,
                phone=form.phone.data,
                locale=_locale(),
            )
            db.session.commit()
            # A cheap phone shared by nobody else should stay signed in: remember me.
            login_user(user, remember=True)
            session[_FRESH_CODE] = code
            flash(_("Welcome, %(name)s! Keep your personal code.", name=user.full_name))
            return redirect(url_for("learners.my_code"))
    return render_template("courses/learners/join.html", form=form)


@bp.get("/learn/code")
@roles(Role.LEARNER)
@no_store
def my_code():
    """The learner's QR to resume on another device, and the code itself once after it is made."""
    profile = services.profile_of(db.session, current_user)
    fresh = session.pop(_FRESH_CODE, None)
    if profile is None or not profile.code_hash or not services.can_use_code(current_user):
        return render_template("courses/learners/my_code.html", profile=profile, code=None, qr=None)
    token = services.resume_token(current_app.config["SECRET_KEY"], current_user, profile)
    url = absolute_url("learners.resume_from_qr", token=token)
    return render_template(
        "courses/learners/my_code.html",
        profile=profile,
        code=format_code(fresh) if fresh else None,
        qr=qr_svg(url, _("QR code to continue learning on another device")),
        resume_url=url,
        renew_form=RenewCodeForm(),
    )


@bp.post("/learn/code/new")
@roles(Role.LEARNER)
def renew_code():
    """Replace the code: the old code and its printed QR stop working."""
    form = RenewCodeForm()
    if form.validate_on_submit():
        try:
            code = services.renew_code(db.session, current_user)
        except services.LearnerError:
            abort(403)
        db.session.commit()
        stay_signed_in_here(current_user)
        session[_FRESH_CODE] = code
        flash(_("Here is your new code. The old code and its QR no longer work."))
    return redirect(url_for("learners.my_code"))


@bp.route("/learn/resume", methods=["GET", "POST"])
@public
# Wrong codes only: a service point signing many residents in from one address is not stopped.
@limiter.limit(_code_limit, methods=["POST"], deduct_when=failed)
# Every code is a guess at every learner's, so wrong codes also count from all addresses at once.
@limiter.limit(
    _code_global_limit,
    methods=["POST"],
    key_func=lambda: "every-address",
    deduct_when=failed,
    error_message=_code_global_message,
)
def resume():
    """Type the personal code to be signed in on this device."""
    form = ResumeForm()
    if form.validate_on_submit():
        try:
            user = services.user_for_code(db.session, form.code.data)
        except services.LearnerError as error:
            form.code.errors.append(error.page_message)
        else:
            return _signed_in(user)
    return render_template("courses/learners/resume.html", form=form)


@bp.route("/learn/resume/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_resume_limit, methods=["POST"])
def resume_from_qr(token):
    """The QR's page: whose learning it is, and one button to continue (a POST, not a link)."""
    try:
        user = services.user_from_resume_token(
            db.session,
            current_app.config["SECRET_KEY"],
            token,
        )
    except services.LearnerError as error:
        return render_template(
            "courses/learners/resume.html", form=ResumeForm(), message=error.page_message
        ), 400
    form = ConfirmResumeForm()
    if form.validate_on_submit():
        return _signed_in(user)
    return render_template("courses/learners/resume_confirm.html", form=form, learner=user)


def _signed_in(user):
    login_user(user, remember=True)
    flash(_("Welcome back, %(name)s!", name=user.full_name))
    response = redirect(safe_next(request.args.get("next"), "courses.catalogue"))
    remember_preference(response, LANGUAGE_COOKIE, user.locale)
    return response


def _mail_officer_ready(user):
    """A new officer's mail: the learner account is ready, log in here to open the courses."""
    with force_locale(user.locale or "vi"):
        queue_mail(
            db.session,
            user.email,
            _("Your Cầu Nối learner account is ready"),
            _(
                "Hello %(name)s,\n\nYour learner account for the courses is ready. Log in with "
                "your email and the password you chose:\n\n%(link)s",
                name=user.full_name,
                link=absolute_url("auth.login", next=url_for("courses.catalogue")),
            ),
        )


@bp.route("/register/officer", methods=["GET", "POST"])
@public
@registration_limits
def register_officer():
    """A commune officer registers to take the courses: email, password, commune, position.
    The answer is the same whether the email has an account, as on /register: the news goes to
    the address, by mail (the new account's welcome, or an attempt's warning)."""
    form = _with_provinces(OfficerRegistrationForm())
    if form.validate_on_submit():
        commune = _commune(form)
        if commune is not None:
            try:
                user = services.register_officer(
                    db.session,
                    email=form.email.data,
                    password=form.password.data,
                    full_name=form.full_name.data,
                    home_commune=commune,
                    position=form.position.data,
                    phone=form.phone.data,
                    locale=_locale(),
                )
            except AccountError:
                mail_registration_attempt(db.session, form.email.data)
            else:
                _mail_officer_ready(user)
            # only queued: a request never waits on SMTP (the task queue delivers)
            db.session.commit()
            flash(
                _(
                    "Thank you. A message is on its way to %(email)s: open it to continue.",
                    email=normalise_email(form.email.data),
                )
            )
            return redirect(url_for("auth.login"))
    return render_template("courses/learners/register_officer.html", form=form)
