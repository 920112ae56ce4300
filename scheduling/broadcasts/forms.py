"""The broadcast form: a short message, and for a campaign the commune it goes to."""

from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import Form
from app.i18n import lazy_gettext as _l
from scheduling.broadcasts.services import MAX_MESSAGE


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BroadcastForm(Form):
    commune = SelectField(_l("Commune"), coerce=int, validators=[InputRequired()])
    message = TextAreaField(
        _l("Message"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Write a message first.")),
            Length(max=MAX_MESSAGE, message=_l("The message is too long: 500 characters at most.")),
        ],
        description=_l("A few sentences; it is shown as you write it, to each person."),
    )
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))
