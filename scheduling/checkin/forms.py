"""Forms of the check-in pages: the volunteer's one button, and the coordinator's scanner."""

from datetime import datetime

from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from app.forms import Form
from app.i18n import lazy_gettext as _l
from app.localtime import check_moment
from scheduling.checkin.services import NONCE_PATTERN


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_moment(text) -> datetime | None:
    """An ISO 8601 time with its offset, in UTC, or None (a time without a zone means nothing
    here); DayOutOfRange (a 400) when its day is not one the site accepts."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().upper())  # RFC 3339 allows 't' and 'z'
    except ValueError:
        return None
    return check_moment(moment) if moment.tzinfo is not None else None


def _moment(form, field):
    if field.data and parse_moment(field.data) is None:
        raise ValidationError(_l("Give the time as ISO 8601 with its offset."))


class CheckinForm(Form):
    """The hidden fields behind the big button: made by the server when the page is drawn."""

    nonce = HiddenField(
        validators=[
            DataRequired(),
            Regexp(NONCE_PATTERN, message=_l("This page is out of date: open it again.")),
        ]
    )
    scanned_at = HiddenField(validators=[_moment])


class ScanForm(CheckinForm):
    """The scanner's form: the camera fills the code, or the coordinator types the short code."""

    code = StringField(
        _l("Badge code"),
        description=_l("The code under the volunteer's QR, e.g. 42-K7M2QX."),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Scan the badge or type its code.")),
            Length(max=2000, message=_l("Write at most %(max)d characters.")),
        ],
    )


class ConfirmForm(Form):
    """The coordinator's confirm button on a late or offline scan: its CSRF token only."""
