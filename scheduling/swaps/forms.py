"""The form of an offer on "My shifts": to a named volunteer, or to anyone eligible."""

from wtforms import EmailField
from wtforms.validators import Email, Length, Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OfferForm(Form):
    email = EmailField(
        _l("Offer it to (email, optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=254), Email(message=_l("Give a valid email."))],
        description=_l("Leave it empty to offer the shift to anyone who may take it."),
    )
