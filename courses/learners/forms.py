"""Forms: a resident joins, a learner resumes with the code, an officer registers."""

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from app.auth.forms import PASSWORD, PASSWORD_HINT, PHONE
from app.forms import Form
from app.i18n import lazy_gettext as _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CommuneFields(Form):
    """The province select and the commune typed with or without accents, as on /register."""

    home_province = SelectField(
        _l("Province or city"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a province."))],
    )
    home_commune = StringField(
        _l("Commune or ward"),
        description=_l('Type the name, with or without accents, e.g. "Bo De".'),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter your commune or ward.")),
            Length(max=100),
        ],
    )


class JoinForm(CommuneFields):
    full_name = StringField(
        _l("Your name"),
        description=_l("As you want it on your certificates."),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
    )
    phone = TelField(
        _l("Phone (optional)"),
        filters=[_strip],
        validators=[Optional(), PHONE],
    )
    submit = SubmitField(_l("Start learning"))


class ResumeForm(Form):
    code = StringField(
        _l("Your personal code"),
        description=_l('8 letters and digits, e.g. "K7PM-3QXA".'),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your personal code.")), Length(max=20)],
        # Phones offer capitals and no spelling fixes; the field shows what the card shows.
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "class": "code-input"},
    )
    submit = SubmitField(_l("Continue learning"))


class ConfirmResumeForm(Form):
    submit = SubmitField(_l("Continue learning"))


class RenewCodeForm(Form):
    submit = SubmitField(_l("Get a new code"))


class OfficerRegistrationForm(CommuneFields):
    full_name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
    )
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"), description=PASSWORD_HINT, validators=[InputRequired(), PASSWORD]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    position = StringField(
        _l("Position"),
        description=_l('Your post at the commune, e.g. "Công chức Tư pháp – Hộ tịch".'),
        filters=[_strip],
        validators=[DataRequired(message=_l("Enter your position.")), Length(max=200)],
    )
    phone = TelField(_l("Phone (optional)"), filters=[_strip], validators=[Optional(), PHONE])
    submit = SubmitField(_l("Register"))
