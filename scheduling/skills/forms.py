"""The form on a campaign's page that asks for a skill campaign-wide, at a point or on a shift."""

from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from app.forms import Form
from app.i18n import lazy_gettext as _l


class RequirementForm(Form):
    skill = SelectField(_l("Skill"), validators=[InputRequired()])
    minimum = IntegerField(
        _l("At least this many people with it on each shift"),
        default=1,
        validators=[
            InputRequired(),
            NumberRange(min=1, max=99, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    #: "" for every shift of the campaign, else a service point's id
    point = SelectField(_l("Where"), validators=[Optional()])
    day = DateField(
        _l("Only on this day"),
        description=_l("With a service point and a shift of the day: that one shift only."),
        validators=[Optional()],
    )
    start = SelectField(_l("Shift of the day"), validators=[Optional()])

    def validate_day(self, field):
        if field.data and not self.point.data:
            raise ValidationError(_l("Choose the service point of the shift."))
        if field.data and not self.start.data:
            raise ValidationError(_l("Choose the shift of the day."))
