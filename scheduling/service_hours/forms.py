"""The attendance correction form."""

from decimal import Decimal

from wtforms import DecimalField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import Form
from app.i18n import lazy_gettext as _l


class CorrectionForm(Form):
    hours = DecimalField(
        _l("Hours served"),
        places=2,
        description=_l("What the person really served on this shift, e.g. 3.5."),
        validators=[InputRequired(), NumberRange(min=Decimal(0), max=Decimal(24))],
    )
    reason = StringField(
        _l("Reason"),
        description=_l('Kept with the correction, e.g. "phone without battery, seen at the desk".'),
        validators=[DataRequired(), Length(max=300)],
    )
    submit = SubmitField(_l("Correct the hours"))
