"""Account forms."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.validators import (
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth import passwords
from app.forms import Form
from app.i18n import lazy_gettext as _l

PHONE = Regexp(r"^\+?[0-9 .\-]{8,20}$", message=_l("Enter a phone number of 8 to 20 digits."))


class PasswordPolicy:
    """The validator of a password a person chooses: app/auth/passwords.py says what passes."""

    messages = {
        "length": _l("A password has 10 to 128 characters."),
        "common": _l(
            "This password is one of the most common ones, which are guessed first. Choose "
            "another: a few words you will remember are a good password."
        ),
    }

    def __call__(self, form, field):
        why = passwords.problem(field.data or "")
        if why is not None:
            raise ValidationError(self.messages[why])


PASSWORD = PasswordPolicy()
#: shown under every field where a person chooses a password, so the rule is known before sending
PASSWORD_HINT = _l("At least 10 characters. A few words you will remember make a good password.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(Form):
    # No syntax check at sign-in: it is only a lookup, and the demo accounts use .local.
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileFields(Form):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    phone = TelField(_l("Phone"), validators=[Optional(), PHONE])
    organisation = StringField(
        _l("Youth-union branch or university"), validators=[Optional(), Length(max=200)]
    )
    class_name = StringField(_l("Class"), validators=[Optional(), Length(max=50)])
    home_province = SelectField(_l("Home province or city"), choices=[], validate_choice=False)
    home_commune = StringField(
        _l("Home commune or ward"),
        description=_l('Type the name, with or without accents, e.g. "Bo De".'),
        validators=[Optional(), Length(max=100)],
    )
    #: choices from the skill list admins keep (app.skills), set by the view
    skills = MultiCheckboxField(_l("Skills"), choices=[])


class RegistrationForm(ProfileFields):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), description=PASSWORD_HINT, validators=[InputRequired(), PASSWORD]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Register"))


class ProfileForm(ProfileFields):
    locale = SelectField(_l("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])
    submit = SubmitField(_l("Save"))


#: the shape of an address, and no more: accounts made by the CLI or the demo may use reserved
#: domains (.test, .local) that the Email validator refuses
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Invalid email address."))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), EMAIL_SHAPE, Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"), description=PASSWORD_HINT, validators=[InputRequired(), PASSWORD]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))


class SignOutEverywhereForm(Form):
    submit = SubmitField(_l("Sign out on every other device"))


class RevokeTokenForm(Form):
    submit = SubmitField(_l("Revoke"))
