"""The profile's notice settings: channels per topic, quiet hours, and the push switch."""

from sqlalchemy.orm import Session
from wtforms import BooleanField, SubmitField, TimeField
from wtforms.validators import InputRequired

from app.auth.forms import MultiCheckboxField
from app.auth.models import User
from app.forms import Form
from app.i18n import lazy_gettext as _l
from app.notifications import preferences
from app.notifications.channels import CHANNELS
from app.notifications.channels.models import QUIET_FROM, QUIET_UNTIL
from app.notifications.channels.sms import reachable_by_sms


class NoticePreferencesForm(Form):
    reminders = MultiCheckboxField(preferences.TOPICS["reminders"])
    shift_changes = MultiCheckboxField(preferences.TOPICS["shift_changes"])
    placements = MultiCheckboxField(preferences.TOPICS["placements"])
    broadcasts = MultiCheckboxField(preferences.TOPICS["broadcasts"])
    quiet = BooleanField(_l("Quiet hours: push and SMS wait until the morning"))
    quiet_from = TimeField(_l("Quiet from"), format="%H:%M", validators=[InputRequired()])
    quiet_until = TimeField(_l("Quiet until"), format="%H:%M", validators=[InputRequired()])
    submit = SubmitField(_l("Save my notice settings"))

    def topic_fields(self):
        return [self[topic] for topic in preferences.TOPICS]


def offered_channels(user: User) -> list[str]:
    """The channels the person can choose here: mail with an email, push where the site has
    VAPID keys, SMS where a gateway is configured and the person has a phone."""
    if not preferences.reachable_outside(user):
        return []
    offered = []
    if user.email:
        offered.append("mail")
    if "push" in CHANNELS:
        offered.append("push")
    if "sms" in CHANNELS and reachable_by_sms(user):
        offered.append("sms")
    return offered


def preferences_form(session: Session, user: User, formdata=None) -> NoticePreferencesForm:
    """The settings form with the channels offered to this person, filled from their choices."""
    form = NoticePreferencesForm(formdata=formdata)
    offered = offered_channels(user)
    for topic, field in zip(preferences.TOPICS, form.topic_fields(), strict=True):
        field.choices = [
            (name, preferences.CHANNEL_NAMES[name])
            for name in offered
            if preferences.carries(name, topic)
        ]
    if formdata is None:
        preference = preferences.preference_of(session, user)
        for topic, field in zip(preferences.TOPICS, form.topic_fields(), strict=True):
            field.data = [
                name
                for name, _label in field.choices
                if preferences.chosen(preference, topic, name)
            ]
        form.quiet.data = preference.quiet if preference else True
        form.quiet_from.data = preference.quiet_from if preference else QUIET_FROM
        form.quiet_until.data = preference.quiet_until if preference else QUIET_UNTIL
    return form


def notice_settings(session: Session, user: User, form: NoticePreferencesForm | None = None):
    """What the profile's notice section shows: the form, and the site's VAPID public key for
    the push switch (None: push is off on this site)."""
    channel = CHANNELS.get("push")
    return {
        "notice_form": form or preferences_form(session, user),
        "push_key": getattr(channel, "public_key", None),
        "reachable": preferences.reachable_outside(user),
    }
