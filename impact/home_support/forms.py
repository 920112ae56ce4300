"""Forms of home support: a request for a visit, the pair of volunteers, closing."""

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import Form
from app.i18n import lazy_gettext as _l
from impact.home_support.models import TimeWindow

TIME_WINDOW_LABELS = {
    TimeWindow.MORNING: _l("Morning"),
    TimeWindow.AFTERNOON: _l("Afternoon"),
    TimeWindow.EVENING: _l("Evening"),
    TimeWindow.ANY: _l("Any time"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class HomeSupportRequestForm(Form):
    province = SelectField(_l("Province or city"), choices=[], validate_choice=False)
    commune = StringField(
        _l("Commune or ward"),
        filters=[_strip],
        description=_l('For example "Bồ Đề" or "Phường Bồ Đề".'),
        validators=[DataRequired(message=_l("Enter the commune or ward."))],
    )
    address = StringField(
        _l("Address"),
        filters=[_strip],
        description=_l(
            "Only the volunteers sent to you will see it; it is erased after the visit."
        ),
        validators=[
            DataRequired(message=_l("Enter the address to visit.")),
            Length(max=300, message=_l("The address can have at most %(max)d characters.")),
        ],
    )
    preferred_on = DateField(
        _l("From which day"),
        validators=[DataRequired(message=_l("Choose the first day you can be visited."))],
    )
    time_window = SelectField(
        _l("Time of day"),
        choices=[(str(k), v) for k, v in TIME_WINDOW_LABELS.items()],
        default=str(TimeWindow.ANY),
    )
    need = TextAreaField(
        _l("What do you need help with?"),
        filters=[_strip],
        description=_l('A few words, e.g. "birth registration for my grandchild on VNeID".'),
        validators=[
            DataRequired(message=_l("Say in a few words what you need help with.")),
            Length(max=500, message=_l("Keep it under %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Ask for a visit"))


class AssignForm(Form):
    first = SelectField(_l("First volunteer"), choices=[], validate_choice=False)
    second = SelectField(_l("Second volunteer"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Assign"))


class CloseForm(Form):
    submit = SubmitField(_l("Close and erase the address"))
