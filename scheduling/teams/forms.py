"""Forms of the teams pages."""

from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms import Form
from app.i18n import lazy_gettext as _l
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
