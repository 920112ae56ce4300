"""Forms of the teams, placement and staffing pages."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.auth.forms import MultiCheckboxField
from app.forms import Form
from scheduling.booking.staffing import MAX_PLACEMENT_DAYS
from scheduling.teams.models import TeamKind

KIND_LABELS = {
    TeamKind.YOUTH_BRANCH: _l("Youth-union branch"),
    TeamKind.UNIVERSITY_CLASS: _l("University class"),
    TeamKind.OTHER: _l("Other"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TeamForm(Form):
    name = StringField(
        _l("Name of the team"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: Chi đoàn phường Bồ Đề, lớp K67 CNTT Bách khoa."),
    )
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()])
    scope = SelectField(
        _l("Commune, ward or city it belongs to"),
        validators=[InputRequired()],
        description=_l("The coordinators of this place keep the team."),
    )


class AddMemberForm(Form):
    email = EmailField(
        _l("Email of the volunteer"),
        filters=[_strip],
        validators=[InputRequired(), Length(max=254)],
    )


class MemberSearchForm(Form):
    """The volunteer search of a team's page, read from the query string."""

    class Meta(Form.Meta):
        csrf = False

    q = StringField(
        _l("Find volunteers by name or email"),
        filters=[_strip],
        validators=[Length(max=100)],
        description=_l('Accents and capitals do not matter: "nguyen van an" finds Nguyễn Văn An.'),
    )


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
