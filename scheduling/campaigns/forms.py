"""The campaign form: settings, communes, the daily shift pattern and the weekdays."""

from wtforms import BooleanField, DateField, IntegerField, StringField, SubmitField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.auth.forms import MultiCheckboxField
from app.forms import Form
from app.i18n import lazy_gettext as _l

#: rows of the shift pattern a coordinator may fill
PATTERN_ROWS = 4
WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _time_field(label):
    return TimeField(label, format="%H:%M", validators=[Optional()])


def _percentage(label, default):
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=100, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )


#: the campaign's targets, read by the impact dashboard
TARGET_FIELDS = (
    "target_online",
    "target_fully_online",
    "target_result_electronic",
    "target_self_done",
)


class CampaignForm(Form):
    name = StringField(
        _l("Name of the campaign"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the name of the campaign.")),
            Length(max=200, message=_l("The name can have at most %(max)d characters.")),
        ],
    )
    starts_on = DateField(
        _l("First day"), validators=[InputRequired(message=_l("Enter the first day."))]
    )
    ends_on = DateField(
        _l("Last day"), validators=[InputRequired(message=_l("Enter the last day."))]
    )
    all_communes = BooleanField(_l("All communes and wards of my scope in this province"))
    communes = MultiCheckboxField(
        _l("Communes and wards taking part"),
        coerce=int,
        choices=[],
        invalid_choice_message=_l("Choose only communes and wards from the list."),
    )
    start_1 = _time_field(_l("Shift 1 starts"))
    end_1 = _time_field(_l("Shift 1 ends"))
    start_2 = _time_field(_l("Shift 2 starts"))
    end_2 = _time_field(_l("Shift 2 ends"))
    start_3 = _time_field(_l("Shift 3 starts"))
    end_3 = _time_field(_l("Shift 3 ends"))
    start_4 = _time_field(_l("Shift 4 starts"))
    end_4 = _time_field(_l("Shift 4 ends"))
    weekdays = MultiCheckboxField(
        _l("Days of the week with shifts"),
        coerce=int,
        choices=WEEKDAYS,
        invalid_choice_message=_l("Choose days from the list."),
        default=[day for day, _ in WEEKDAYS],
    )
    min_per_shift = IntegerField(
        _l("Minimum volunteers per shift"),
        default=5,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=500, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    max_per_shift = IntegerField(
        _l("Maximum volunteers per shift"),
        default=8,
        description=_l("Further bookings go to the waitlist."),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=500, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    cancel_deadline_hours = IntegerField(
        _l("Cancellation deadline (hours before the shift)"),
        default=12,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=720, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    weekly_limit = IntegerField(
        _l("Shifts per volunteer per week (optional)"),
        description=_l("Leave empty for no limit."),
        validators=[
            Optional(),
            NumberRange(min=1, max=50, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    swaps_need_approval = BooleanField(
        _l("A coordinator approves each swap of shifts between volunteers"),
        description=_l("Unticked, a volunteer takes an offered shift at once."),
    )
    target_online = _percentage(_l("Target: dossiers submitted online (%)"), 80)
    target_fully_online = _percentage(_l("Target: dossiers submitted fully online (%)"), 20)
    target_result_electronic = _percentage(_l("Target: results returned electronically (%)"), 100)
    target_self_done = IntegerField(
        _l("Target: procedures each resident does online by themselves"),
        default=2,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=50, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )
    submit = SubmitField(_l("Save"))

    def pattern_fields(self):
        return [
            (getattr(self, f"start_{n}"), getattr(self, f"end_{n}"))
            for n in range(1, PATTERN_ROWS + 1)
        ]

    def fill_pattern(self, pattern):
        """Put a stored pattern (list of {"start", "end"}) into the rows."""
        from datetime import time

        for (start, end), entry in zip(self.pattern_fields(), pattern, strict=False):
            start.data = time.fromisoformat(entry["start"])
            end.data = time.fromisoformat(entry["end"])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.starts_on.data and self.ends_on.data and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors.append(_l("The last day cannot be before the first day."))
            valid = False
        if (
            self.min_per_shift.data is not None
            and self.max_per_shift.data is not None
            and not self.min_per_shift.errors
            and self.max_per_shift.data < self.min_per_shift.data
        ):
            self.max_per_shift.errors.append(
                _l("The maximum cannot be below the minimum volunteers per shift.")
            )
            valid = False
        if not self.weekdays.data:
            self.weekdays.errors.append(_l("Choose at least one day of the week."))
            valid = False
        if not self.all_communes.data and not self.communes.data:
            self.communes.errors.append(_l("Choose at least one commune or ward."))
            valid = False
        return self._validate_pattern() and valid

    def _validate_pattern(self) -> bool:
        valid = True
        rows = []
        for start, end in self.pattern_fields():
            if start.errors or end.errors:
                valid = False
                continue
            if start.data is None and end.data is None:
                continue
            if start.data is None or end.data is None:
                (start if start.data is None else end).errors.append(
                    _l("Give both the start and the end of this shift, or neither.")
                )
                valid = False
            elif end.data <= start.data:
                end.errors.append(_l("A shift must end after it starts."))
                valid = False
            else:
                rows.append((start.data, end.data, end))
        if valid and not rows:
            self.start_1.errors.append(_l("Give the times of at least one shift."))
            return False
        rows.sort(key=lambda row: (row[0], row[1]))
        for (_, prev_end, _), (start, _, end_field) in zip(rows, rows[1:], strict=False):
            if start < prev_end:
                end_field.errors.append(_l("This shift overlaps another shift of the day."))
                valid = False
        return valid

    def pattern(self) -> list[dict[str, str]]:
        times = sorted(
            (start.data, end.data)
            for start, end in self.pattern_fields()
            if start.data is not None and end.data is not None
        )
        return [{"start": a.strftime("%H:%M"), "end": b.strftime("%H:%M")} for a, b in times]
