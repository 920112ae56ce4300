"""The dashboard's filters, read from the query string."""

from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l


class ImpactFilterForm(Form):
    """Campaign, province, commune and date range of the dashboard (a GET form: no CSRF)."""

    class Meta(Form.Meta):
        csrf = False

    campaign = SelectField(_l("Campaign"), choices=[], validate_choice=False)
    province = SelectField(_l("Province or city"), choices=[], validate_choice=False)
    commune = SelectField(_l("Commune or ward"), choices=[], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


class WeekForm(Form):
    """The week of a weekly report: any of its days (a GET form: no CSRF)."""

    class Meta(Form.Meta):
        csrf = False

    week = DateField(_l("Week of"), validators=[Optional()])
