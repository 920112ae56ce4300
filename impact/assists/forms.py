"""The log screen's form, the labels of every choice, and the messages of every entry error."""

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField

from app.forms import Form
from app.i18n import lazy_gettext as _l
from app.localtime import DayOutOfRange
from impact.assists.models import AgeBand, Channel, Level, Outcome, Reason, ResultElectronic
from impact.cards.services import CardError

CHANNEL_LABELS = {
    Channel.NATIONAL_PORTAL: _l("National Public Service Portal"),
    Channel.VNEID: _l("VNeID"),
    Channel.PROVINCIAL_PORTAL: _l("Provincial portal"),
    Channel.PAPER: _l("Paper at the counter"),
}
LEVEL_LABELS = {
    Level.PARTLY_ONLINE: _l("Partly online"),
    Level.FULLY_ONLINE: _l("Fully online"),
    Level.PAPER: _l("Paper"),
}
OUTCOME_LABELS = {
    Outcome.SUBMITTED: _l("Submitted"),
    Outcome.NOT_SUBMITTED: _l("Not submitted"),
}
REASON_LABELS = {
    Reason.NETWORK_DOWN: _l("Network down"),
    Reason.SYSTEM_ERROR: _l("System error"),
    Reason.MISSING_SIGNATURE: _l("No digital signature"),
    Reason.MISSING_DOCUMENTS: _l("Missing documents"),
    Reason.NO_ACCOUNT: _l("Resident has no account"),
    Reason.OTHER: _l("Other"),
}
RESULT_LABELS = {
    ResultElectronic.YES: _l("Yes"),
    ResultElectronic.NO: _l("No"),
    ResultElectronic.NOT_YET: _l("Not yet"),
}
AGE_LABELS = {
    AgeBand.UNDER_18: _l("Under 18"),
    AgeBand.FROM_18_TO_39: _l("18–39"),
    AgeBand.FROM_40_TO_59: _l("40–59"),
    AgeBand.FROM_60: _l("60 and over"),
}

#: the message of each error code, whatever the field
ERRORS = {
    "required": _l("This field is required."),
    "not_a_choice": _l("Not a valid choice."),
    "not_uuid": _l("Give a UUID made by the client, e.g. from crypto.randomUUID()."),
    "not_boolean": _l("Give true or false."),
    "not_time": _l("Give the time as ISO 8601, e.g. 2025-07-15T09:30:00+07:00."),
    "naive_time": _l("Give the time with its offset, e.g. +07:00 or Z."),
    "future": _l("This time is in the future."),
    "out_of_range": DayOutOfRange.sentence,
    "reason_required": _l("Choose why the dossier could not be submitted."),
    "reason_not_allowed": _l("A submitted dossier has no reason for failure."),
    "paper_mismatch": _l("Paper at the counter goes with the paper level, and only with it."),
    **CardError.sentences,
}
#: messages that depend on the field
NOT_FOUND = {
    "service_point": _l("This service point does not exist."),
    "procedure": _l("No procedure has this code."),
}


def error_message(field: str, code: str) -> str:
    """The message, in the reader's language, for one field's error code."""
    if code == "not_found":
        return str(NOT_FOUND.get(field, ERRORS["not_a_choice"]))
    return str(ERRORS.get(code, ERRORS["not_a_choice"]))


def _choices(labels):
    return [(str(value), label) for value, label in labels.items()]


class AssistForm(Form):
    """One dossier helped with. Choices are checked by the service (impact.assists.services
    .check_entry), the same for this form, its offline queue and the API; the form itself only
    renders the fields and checks the CSRF token."""

    id = HiddenField()
    home_request = HiddenField()
    service_point = SelectField(_l("Service point"), choices=[], validate_choice=False)
    procedure = SelectField(_l("Procedure"), choices=[], validate_choice=False)
    channel = RadioField(_l("Channel"), choices=_choices(CHANNEL_LABELS), validate_choice=False)
    level = RadioField(
        _l("Level of online service"), choices=_choices(LEVEL_LABELS), validate_choice=False
    )
    outcome = RadioField(_l("Outcome"), choices=_choices(OUTCOME_LABELS), validate_choice=False)
    reason = RadioField(
        _l("Why not submitted"),
        choices=_choices(REASON_LABELS),
        validate_choice=False,
        description=_l("Only when the dossier was not submitted."),
    )
    result_electronic = RadioField(
        _l("Result returned electronically"),
        choices=_choices(RESULT_LABELS),
        validate_choice=False,
    )
    age_band = RadioField(_l("Resident's age"), choices=_choices(AGE_LABELS), validate_choice=False)
    vulnerable = BooleanField(_l("Elderly or disabled"))
    at_home = BooleanField(_l("Helped at home"))
    self_service = BooleanField(_l("Did it themselves, with guidance"))
    resident_card = StringField(
        _l("Resident card (optional)"),
        description=_l("Scan or type the code on the resident's card; leave empty if none."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Save"))

    def entry(self) -> dict:
        """The submitted values under the API's names, for impact.assists.services.record_assist."""
        return {
            "id": self.id.data,
            "service_point": self.service_point.data,
            "procedure": self.procedure.data,
            "channel": self.channel.data,
            "level": self.level.data,
            "outcome": self.outcome.data,
            "reason": self.reason.data if self.outcome.data == Outcome.NOT_SUBMITTED else None,
            "result_electronic": self.result_electronic.data,
            "age_band": self.age_band.data,
            "vulnerable": bool(self.vulnerable.data),
            "at_home": bool(self.at_home.data),
            "self_service": bool(self.self_service.data),
            "resident_card": self.resident_card.data or None,
        }

    def show_errors(self, fields: dict[str, str]):
        """Put the service's error codes on the fields, as messages in the reader's language."""
        for name, code in fields.items():
            target = getattr(self, name if name != "occurred_at" else "id", None)
            if target is not None:
                target.errors = [error_message(name, code)]


class UndoForm(Form):
    submit = SubmitField(_l("Undo"))
