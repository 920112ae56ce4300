"""Forms of the volunteer's scheduling pages."""

from wtforms import BooleanField, DateField, StringField
from wtforms.validators import Length, Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FindShiftsForm(Form):
    """The search of /shifts, read from the query string (a GET form carries no CSRF token)."""

    class Meta(Form.Meta):
        csrf = False

    commune = StringField(
        _l("Commune or ward"),
        description=_l(
            'Accents and capitals do not matter: "bo de" finds Phường Bồ Đề. '
            "Its official code works too."
        ),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=100, message=_l("Write at most %(max)d characters.")),
        ],
    )
    day = DateField(_l("Day"), validators=[Optional()])
    free_only = BooleanField(_l("Only shifts with free places"))
