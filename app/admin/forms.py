"""Forms of the admin pages."""

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l
from app.roles import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.LEARNER: _l("Learner"),
}


class UserSearchForm(Form):
    """A GET form: searching changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])


class GrantForm(Form):
    role = SelectField(
        _l("Role"),
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired()],
    )
    province = SelectField(
        _l("Province or city"),
        description=_l("Only for a coordinator: their province, or the province of their commune."),
        choices=[],
        validate_choice=False,
    )
    commune = StringField(
        _l("Commune or ward"),
        description=_l('Only for a coordinator of one commune. Type the name, e.g. "Bo De".'),
        validators=[Optional(), Length(max=100)],
    )
    submit = SubmitField(_l("Grant the role"))


class RevokeForm(Form):
    """Only a CSRF token: the grant to remove is in the URL."""
