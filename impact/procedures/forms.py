"""The admin's form for one procedure of the catalogue."""

from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from app.forms import Form
from app.i18n import lazy_gettext as _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ProcedureForm(Form):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        description=_l(
            'Lower-case ASCII words joined by hyphens, e.g. "birth-registration". '
            "Phones send it: do not change it once used."
        ),
        validators=[
            DataRequired(message=_l("Enter a code.")),
            Length(max=80, message=_l("The code can have at most %(max)d characters.")),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l(
                    'Use lower-case letters, digits and hyphens, e.g. "birth-registration".'
                ),
            ),
        ],
    )
    name_vi = StringField(
        _l("Name in Vietnamese"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the Vietnamese name.")),
            Length(max=300, message=_l("The name can have at most %(max)d characters.")),
        ],
    )
    name_en = StringField(
        _l("Name in English"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the English name.")),
            Length(max=300, message=_l("The name can have at most %(max)d characters.")),
        ],
    )
    active = BooleanField(_l("Offered on the log screen"), default=True)
    submit = SubmitField(_l("Save"))
