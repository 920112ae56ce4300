"""Forms of the staffing pages: place a team on shifts, move or add a person on a shift."""

from wtforms import DateField, EmailField, SelectField
from wtforms.validators import InputRequired, Length, ValidationError

from app.auth.forms import MultiCheckboxField
from app.forms import Form
from app.i18n import lazy_gettext as _l
from scheduling.booking.staffing import MAX_PLACEMENT_DAYS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PlacementForm(Form):
    campaign = SelectField(_l("Campaign"), coerce=int, validators=[InputRequired()])
    point = SelectField(_l("Service point"), coerce=int, validators=[InputRequired()])
    first_day = DateField(_l("From"), validators=[InputRequired()])
    last_day = DateField(
        _l("To (included)"),
        validators=[InputRequired()],
        description=_l("The same day for one day; at most 31 days."),
    )
    starts = MultiCheckboxField(
        _l("Shifts of the day"),
        validators=[InputRequired(message=_l("Choose at least one shift of the day."))],
    )
    people = MultiCheckboxField(
        _l("People"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose at least one person."))],
    )

    def validate_last_day(self, field):
        if self.first_day.data and field.data:
            if field.data < self.first_day.data:
                raise ValidationError(_l("The last day comes before the first."))
            if (field.data - self.first_day.data).days >= MAX_PLACEMENT_DAYS:
                raise ValidationError(_l("Place at most 31 days at once."))


class MoveForm(Form):
    booking = SelectField(_l("Person"), coerce=int, validators=[InputRequired()])
    target = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])


class AddToShiftForm(Form):
    email = EmailField(
        _l("Email of the volunteer to add"),
        filters=[_strip],
        validators=[InputRequired(), Length(max=254)],
    )
