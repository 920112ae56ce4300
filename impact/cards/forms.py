"""The resident-card page's three forms: issue a card, take a learner code, replace a lost card."""

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

from app.forms import Form
from app.i18n import lazy_gettext as _l


class IssueForm(Form):
    submit = SubmitField(_l("Issue a new card"))


class LearnerCodeForm(Form):
    learner_code = StringField(
        _l("The resident's learner code"),
        description=_l(
            "Their personal code from the learning card: it becomes their resident card."
        ),
        validators=[DataRequired(message=_l("Enter the code."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Use it as the resident card"))


class ReplaceForm(Form):
    old_code = StringField(
        _l("The lost card's code"),
        description=_l("From a photo or a note of the card: the old card stops working."),
        validators=[DataRequired(message=_l("Enter the code."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Replace the card"))
