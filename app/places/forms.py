"""Forms for places: a service point's details."""

from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.i18n import lazy_gettext as _l
from app.places import services


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ServicePointForm(Form):
    # Limits match the columns (name 200, address 300); opening hours is free text, kept short.
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the name of the service point.")),
            Length(max=200, message=_l("The name can have at most %(max)d characters.")),
        ],
    )
    address = StringField(
        _l("Address"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the address of the service point.")),
            Length(max=300, message=_l("The address can have at most %(max)d characters.")),
        ],
    )
    opening_hours = TextAreaField(
        _l("Opening hours"),
        description=_l('As posted at the door, e.g. "Mon–Fri: 7:30–11:30, 13:30–17:30".'),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=500, message=_l("Opening hours can have at most %(max)d characters.")),
        ],
    )
    active = BooleanField(_l("Open to residents"), default=True)
    submit = SubmitField(_l("Save"))

    def service_point_fields(self) -> dict:
        """The submitted values, as save_service_point takes them."""
        return {
            "name": self.name.data,
            "address": self.address.data,
            "opening_hours": self.opening_hours.data or "",
            "active": bool(self.active.data),
        }


def resolve_commune(session, province, field):
    """The commune typed in a form field, or None with the reason added to the field's errors."""
    try:
        return services.find_commune(session, province, field.data)
    except services.PlaceError as error:
        field.errors.append(error.page_message)
        return None
