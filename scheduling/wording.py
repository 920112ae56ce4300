"""How scheduling words a shift for people: one description, used by pages, flashes and notices.

Registered as the Jinja filter ``describe`` by scheduling's init_app: ``{{ shift|describe }}``.
"""

from flask_babel import format_date, format_time
from flask_babel import gettext as _

from scheduling.models import Shift


def describe(shift: Shift, *, commune: bool = False) -> str:
    """The service point (and its commune), day and times of a shift, in the reader's language
    and Hanoi's time: "Điểm số 1, Thứ Hai, 7 tháng 7, 2025, 07:30–11:30"."""
    times = {
        "point": shift.service_point.name,
        "day": format_date(shift.starts_at, "full"),
        "start": format_time(shift.starts_at, "short"),
        "end": format_time(shift.ends_at, "short"),
    }
    if commune:
        return _(
            "%(point)s (%(commune)s), %(day)s, %(start)s–%(end)s",
            commune=shift.service_point.commune.name,
            **times,
        )
    return _("%(point)s, %(day)s, %(start)s–%(end)s", **times)
