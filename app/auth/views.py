"""Sign-in, registration, password reset and the profile."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import navigation
from app.access import public, signed_in
from app.api import services as api_tokens
from app.audit import services as audit
from app.auth import services
from app.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    RevokeTokenForm,
    SignOutEverywhereForm,
)
from app.auth.limits import registration_limits, sign_in_limits
from app.auth.sessions import stay_signed_in_here
from app.extensions import db, limiter, login_manager
from app.i18n import LANGUAGE_COOKIE, remember_preference
from app.i18n import lazy_gettext as _l
from app.notifications.channels.forms import notice_settings
from app.notifications.services import queue_mail
from app.places import services as places
from app.places.forms import resolve_commune
from app.places.models import Province
from app.security import no_store
from app.skills import services as skills
from app.urls import absolute_url, safe_next

bp = Blueprint("auth", __name__)

navigation.register("auth.profile", _l("My profile"), navigation.Group.ACCOUNT)
navigation.register(
    "auth.login",
    _l("Log in"),
    navigation.Group.ACCOUNT,
    shown=lambda: not current_user.is_authenticated,
)
navigation.register(
    "auth.register",
    _l("Register"),
    navigation.Group.ACCOUNT,
    shown=lambda: not current_user.is_authenticated,
)

login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(alternative_id):
    """The user of a session or remember cookie, unless their session version has changed."""
    return services.user_for_session(db.session, alternative_id)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@sign_in_limits
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            login_user(user, remember=form.remember.data)
            response = redirect(safe_next(request.args.get("next")))
            # The latest explicit choice wins: one made before signing in updates the profile.
            chosen = request.cookies.get(LANGUAGE_COOKIE)
            if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
                user.locale = chosen
                db.session.commit()
            remember_preference(response, LANGUAGE_COOKIE, user.locale)
            return response
    return render_template("app/auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    """Sign out (a POST, so another site cannot sign a user out)."""
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("main.home"))


def _home_commune(form):
    """Resolve the province and commune typed in a profile form, or add an error to the form."""
    if not form.home_commune.data:
        return None
    province = places.get_by_code(db.session, Province, form.home_province.data or "")
    if province is None:
        form.home_province.errors.append(_("Choose a province."))
        return False
    commune = resolve_commune(db.session, province, form.home_commune)
    return False if commune is None else commune


def _profile_fields(form, commune):
    return {
        "full_name": form.full_name.data.strip(),
        "phone": (form.phone.data or "").strip(),
        "organisation": (form.organisation.data or "").strip(),
        "class_name": (form.class_name.data or "").strip(),
        "home_commune": commune,
        "skills": list(form.skills.data or []),
    }


def _mail_account_ready(user):
    """A new volunteer's mail: the account is ready, log in here."""
    with force_locale(user.locale or "vi"):
        queue_mail(
            db.session,
            user.email,
            _("Your Cầu Nối volunteer account is ready"),
            _(
                "Hello %(name)s,\n\nYour volunteer account is ready. Log in with your email and "
                "the password you chose:\n\n%(link)s",
                name=user.full_name,
                link=absolute_url("auth.login"),
            ),
            user_id=user.id,
        )


@bp.route("/register", methods=["GET", "POST"])
@public
@registration_limits
def register():
    """Register as a volunteer. The answer is the same whether the email has an account: the
    news goes to the address, by mail (a new account's welcome, or an attempt's warning)."""
    form = RegistrationForm()
    form.skills.choices = skills.choices(db.session)
    form.home_province.choices = [("", "—")] + places.province_choices(db.session)
    if form.validate_on_submit():
        commune = _home_commune(form)
        if commune is not False:
            try:
                user = services.register_volunteer(
                    db.session,
                    email=form.email.data,
                    password=form.password.data,
                    locale=request.cookies.get(LANGUAGE_COOKIE, "vi"),
                    **_profile_fields(form, commune),
                )
            except services.AccountError:
                services.mail_registration_attempt(db.session, form.email.data)
            else:
                _mail_account_ready(user)
            # only queued: a request never waits on SMTP (the task queue delivers, issue 14)
            db.session.commit()
            flash(
                _(
                    "Thank you. A message is on its way to %(email)s: open it to continue.",
                    email=services.normalise_email(form.email.data),
                )
            )
            return redirect(url_for("auth.login"))
    return render_template("app/auth/register.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
@no_store
def profile():
    """Edit one's own profile."""
    user = current_user
    form = ProfileForm(obj=user)
    form.skills.choices = skills.choices(db.session, keep=user.skills)
    form.home_province.choices = [("", "—")] + places.province_choices(db.session)
    if request.method == "GET" and user.home_commune:
        form.home_province.data = user.home_commune.province.code
        form.home_commune.data = user.home_commune.name
    if form.validate_on_submit():
        commune = _home_commune(form)
        if commune is not False:
            for key, value in _profile_fields(form, commune).items():
                setattr(user, key, value)
            user.locale = form.locale.data
            db.session.commit()
            flash(_("Your profile is saved."))
            response = redirect(url_for("auth.profile"))
            remember_preference(response, LANGUAGE_COOKIE, user.locale)
            return response
    about = audit.entries_about(db.session, user.id)
    return render_template(
        "app/auth/profile.html",
        form=form,
        entries=about,
        names=audit.names_of(db.session, about),
        actions=audit.ACTIONS,
        sign_out_form=SignOutEverywhereForm(formdata=None),
        tokens=api_tokens.tokens_of(db.session, user),
        expires_at=api_tokens.expires_at,
        revoke_form=RevokeTokenForm(formdata=None),
        **notice_settings(db.session, user),
    )


@bp.post("/profile/sign-out-everywhere")
@signed_in
def sign_out_everywhere():
    """End every other session and remember cookie of the account; this one stays."""
    if SignOutEverywhereForm().validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
        stay_signed_in_here(current_user)
        flash(_("You are signed out on every other device."))
    return redirect(url_for("auth.profile"))


@bp.post("/profile/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id):
    """Revoke one of one's own API tokens: it answers 401 from now on."""
    if RevokeTokenForm().validate_on_submit():
        if not api_tokens.revoke_token(db.session, current_user, token_id):
            abort(404)
        db.session.commit()
        flash(_("The token is revoked."))
    return redirect(url_for("auth.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Send a signed, expiring reset link; the answer is the same whether the email exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_by_email(db.session, form.email.data)
        if user is not None and user.password_hash:
            token = services.password_reset_token(current_app.config["SECRET_KEY"], user)
            link = absolute_url("auth.reset_password", token=token)
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            queue_mail(
                db.session,
                user.email,
                _("Reset your Cầu Nối password"),
                _(
                    "Open this link within %(minutes)d minutes to choose a new password:\n\n"
                    "%(link)s\n\nIf you did not ask for it, ignore this message.",
                    minutes=minutes,
                    link=link,
                ),
                user_id=user.id,
            )
            db.session.commit()
        flash(_("If an account uses that email, a link to reset its password is on its way."))
        return redirect(url_for("auth.login"))
    return render_template("app/auth/forgot.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    """Choose the first password of an account someone else made (an import's invitation)."""
    try:
        user = services.user_from_invitation(db.session, token)
    except services.AccountError as error:
        return render_template("app/auth/reset_invalid.html", message=error.page_message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(db.session, user, form.password.data)
        db.session.commit()
        flash(_("Your password is chosen. You can log in now."))
        return redirect(url_for("auth.login"))
    return render_template("app/auth/reset.html", form=form, heading=_("Choose your password"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    """Choose a new password from a reset link."""
    try:
        user = services.user_from_reset_token(
            db.session,
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["PASSWORD_RESET_MAX_AGE"],
        )
    except services.AccountError as error:
        return render_template("app/auth/reset_invalid.html", message=error.page_message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(db.session, user, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. You can log in now."))
        return redirect(url_for("auth.login"))
    return render_template("app/auth/reset.html", form=form)
