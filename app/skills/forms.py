"""Forms of the skill list's admin page."""

from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l


class SkillNamesForm(Form):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[InputRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[InputRequired(), Length(max=100)])
    submit = SubmitField(_l("Save"))


class NewSkillForm(SkillNamesForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "Lower-case letters, digits and underscores, e.g. digital_signature; imports and "
            "the API use it. Left empty, it is made from the English name. It never changes."
        ),
        validators=[Optional(), Length(max=40)],
    )
    submit = SubmitField(_l("Add the skill"))
