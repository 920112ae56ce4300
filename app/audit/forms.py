"""The audit page's filters."""

from wtforms import DateField, EmailField, SelectField
from wtforms.validators import Length, Optional

from app.audit.services import ACTIONS
from app.forms import Form
from app.i18n import lazy_gettext as _l


class AuditFilterForm(Form):
    """A GET form: filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    actor = EmailField(_l("Done by (email)"), validators=[Optional(), Length(max=254)])
    person = EmailField(_l("About the person (email)"), validators=[Optional(), Length(max=254)])
    action = SelectField(
        _l("Action"),
        choices=[("", _l("Every action"))] + list(ACTIONS.items()),
        validators=[Optional()],
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
