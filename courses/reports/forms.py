"""The assisted session form: which resident, which course's lessons were done together."""

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.forms import MultiCheckboxField
from app.forms import Form
from app.i18n import lazy_gettext as _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AssistedSessionForm(Form):
    """Either the resident's personal code, or a new resident's name and commune."""

    resident_code = StringField(
        _l("The resident's personal code"),
        description=_l("If they already joined: 8 letters and digits, e.g. K7PM-3QXA."),
        filters=[_strip],
        validators=[Optional(), Length(max=20)],
    )
    resident_name = StringField(
        _l("Or a new resident's name"),
        description=_l("As they want it on their certificates. No ID number, no address."),
        filters=[_strip],
        validators=[Optional(), Length(max=120)],
    )
    home_province = SelectField(_l("Province or city"), choices=[], validate_choice=False)
    home_commune = StringField(
        _l("Their commune or ward"),
        description=_l('Type the name, with or without accents, e.g. "Bo De".'),
        filters=[_strip],
        validators=[Optional(), Length(max=100)],
    )
    lessons = MultiCheckboxField(_l("Lessons done together"), coerce=int, choices=[])


class RevokeCertificateForm(Form):
    """Why a certificate is revoked: kept for coordinators, never shown on verification."""

    reason = TextAreaField(
        _l("Why is it revoked?"),
        description=_l("For example: issued to the wrong person. Seen only by coordinators."),
        filters=[_strip],
        validators=[DataRequired(), Length(max=300)],
    )
