"""The base of every form: WTForms' own messages go through our catalogues, and the rules every
field of its kind obeys, whichever form it is on.

WTForms ships no Vietnamese translation, so its built-in validator messages are listed here for
extraction and translated in app/translations like every other string.

Rules no form can forget (`Form.validate` adds them to every field of the kind):
- a date (or date and time) lies within the days the site accepts (app/localtime.py): year 1
  or 9999 cannot be turned into UTC or moved by a day;
- a whole number fits the database's integer columns (app/database.py MAX_INT): PostgreSQL
  refuses a larger one, and SQLite one beyond 64 bits;
- a one-line field holds no control character: a browser's `<input>` cannot hold a line break,
  so one is forged, and it would break whatever prints the text on one line (a calendar feed's
  lines, a mail header, a CSV cell); a text area keeps its line breaks and tabs only.
"""

from datetime import date, datetime

from flask_babel import gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import Select

from app.database import MAX_INT
from app.i18n import lazy_gettext as _l
from app.localtime import FIRST_DAY, LAST_DAY, DayOutOfRange
from app.text import CONTROL, CONTROL_IN_TEXT

WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid datetime value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be at least %(min)d character long."),
    _l("Field must be at least %(min)d characters long."),
    _l("Field cannot be longer than %(max)d character."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("Field must be exactly %(max)d character long."),
    _l("Field must be exactly %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid UUID."),
)


class _CatalogueTranslations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        # WTForms' singular and plural messages are separate entries of our catalogues.
        return gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()

        def render_field(self, field, render_kw):
            """Render the CSRF token and the submit button without an id: nothing points at
            them, and a page holding several forms would otherwise repeat `csrf_token` and
            `submit` (invalid HTML, and assistive technology loses its way)."""
            if isinstance(field, CSRFTokenField | SubmitField):
                render_kw = {"id": False, **render_kw}
            elif _is_single_select(field) and not _first_choice_is_placeholder(field):
                # A list that starts on a real choice always has a value: `required` adds
                # nothing there, and HTML forbids it without an empty first option.
                render_kw = {"required": False, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators=None):
        """WTForms' validation, with each field's kind rule (dates, control characters) after
        the field's own validators."""
        extra = {name: list(rules) for name, rules in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            rule = _kind_rule(field)
            if rule is not None:
                extra.setdefault(name, []).append(rule)
        return super().validate(extra_validators=extra)


def _is_single_select(field):
    return isinstance(field.widget, Select) and not field.widget.multiple


def _first_choice_is_placeholder(field):
    first = next(iter(field.iter_choices()), None)
    return first is None or first[0] in ("", None)


def _day_in_range(form, field):
    day = field.data.date() if isinstance(field.data, datetime) else field.data
    if isinstance(day, date) and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(str(DayOutOfRange.sentence))


def _int_in_range(form, field):
    if isinstance(field.data, int) and not -MAX_INT <= field.data <= MAX_INT:
        raise ValidationError(_l("This number is too large."))


def _one_line(form, field):
    if isinstance(field.data, str) and CONTROL.search(field.data):
        raise ValidationError(_l("Write this on one line, without special characters."))


def _plain_text(form, field):
    if isinstance(field.data, str) and CONTROL_IN_TEXT.search(field.data):
        raise ValidationError(_l("Remove the special characters from this text."))


def _kind_rule(field):
    """The rule every field of this kind obeys (see the module's docstring), or None."""
    if isinstance(field, DateField | DateTimeField):
        return _day_in_range
    if isinstance(field, IntegerField):
        return _int_in_range
    if isinstance(field, TextAreaField):
        return _plain_text
    if isinstance(field, StringField):
        return _one_line
    return None


class SpreadsheetForm(Form):
    """Upload a spreadsheet to import, and the province whose communes it names."""

    province = SelectField(
        _l("Province or city"),
        description=_l("Communes named in the file are looked for here; codes anywhere."),
        validators=[InputRequired()],
    )
    spreadsheet = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[FileRequired(message=_l("Choose the file to import."))],
    )
    submit = SubmitField(_l("Preview"))


class ConfirmImportForm(Form):
    """Confirm a preview: the token names the uploaded file the server kept."""

    token = HiddenField(validators=[InputRequired(), Length(max=2000)])
    submit = SubmitField(_l("Import"))
