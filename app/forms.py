"""The base of every form: WTForms' own messages go through our catalogues.

WTForms ships no Vietnamese translation, so its built-in validator messages are listed here for
extraction and translated in app/translations like every other string.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired, Length

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
