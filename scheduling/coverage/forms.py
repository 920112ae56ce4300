"""The coverage board's filter, read from the query string."""

from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.forms import Form
from app.i18n import lazy_gettext as _l
from scheduling.coverage.services import MAX_DAYS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CoverageFilterForm(Form):
    """Campaign, commune search and date range of /coverage (a GET form: no CSRF token)."""

    class Meta(Form.Meta):
        csrf = False

    campaign = SelectField(_l("Campaign"), coerce=int, validators=[Optional()])
    commune = StringField(
        _l("Commune or ward"),
        description=_l('Accents and capitals do not matter: "bo de" finds Phường Bồ Đề.'),
        filters=[_strip],
        validators=[Optional(), Length(max=100, message=_l("Write at most %(max)d characters."))],
    )
    first = DateField(_l("From"), validators=[Optional()])
    last = DateField(_l("To"), validators=[Optional()])
    only_understaffed = BooleanField(_l("Only places with understaffed shifts"))

    def validate_last(self, field):
        if self.first.data and field.data and not self.first.errors:
            if field.data < self.first.data:
                raise ValidationError(_l("The last day must not come before the first day."))
            if (field.data - self.first.data).days + 1 > MAX_DAYS:
                raise ValidationError(_l("Choose at most %(num)d days at a time.", num=MAX_DAYS))
