"""The dashboard's tables, named and translated once for the page and for its CSV files."""

from flask_babel import format_number, format_percent
from flask_babel import gettext as _

from app.i18n import language
from app.i18n import lazy_gettext as _l
from impact.dashboard.services import SMALL_COUNT, Figures

REASON_LABELS = {
    "network_down": _l("Network down or congested"),
    "system_error": _l("System error"),
    "missing_signature": _l("Officer without a digital signature"),
    "missing_documents": _l("Missing documents"),
    "no_account": _l("Resident has no account"),
    "other": _l("Other"),
}
INDICATOR_LABELS = {
    "online": _l("Filed online"),
    "fully_online": _l("Filed fully online"),
    "result_electronic": _l("Result returned electronically"),
    "self_service": _l("Residents who did it themselves"),
}
#: the CSV files a dashboard offers, by the name in their URL
TABLE_TITLES = {
    "days": _l("Dossiers assisted per day"),
    "targets": _l("Against the targets"),
    "reasons": _l("Why dossiers could not be submitted"),
    "communes": _l("Communes"),
    "volunteers": _l("Volunteers and shifts"),
    "learning": _l("Lessons and courses"),
    "residents": _l("Carded residents who did their procedures themselves"),
    "lessons": _l("Courses and what residents then did by themselves"),
}


#: the table of the level below, by the name in its CSV's URL (Figures.unit_level)
UNIT_TITLES = {
    "provinces": _l("Provinces and cities"),
    "service_points": _l("Service points"),
}


def residents_count(count: int) -> str:
    """A count of residents, or "fewer than 10" below SMALL_COUNT: never a handful exactly."""
    if count < SMALL_COUNT:
        return _("fewer than %(n)d", n=SMALL_COUNT)
    return format_number(count)


def course_title(course) -> str:
    """A course's title in the reader's language, Vietnamese when that one is missing."""
    title = course.title if isinstance(course.title, dict) else {"vi": str(course.title)}
    return title.get(language()) or title.get("vi") or course.slug


def percent(value) -> str:
    return "–" if value is None else format_percent(value, "#,##0.#%")


def table(figures: Figures, name: str) -> tuple[list[str], list[list]]:
    """The header and rows of one of the dashboard's tables."""
    if name == "days":
        return [str(_l("Day")), str(_l("Dossiers"))], [
            [day, count] for day, count in figures.per_day
        ]
    if name == "targets":
        rows = []
        for key, label in INDICATOR_LABELS.items():
            target = figures.targets.get(key)
            rows.append(
                [str(label), percent(figures.shares[key]), percent(target) if target else "–"]
            )
        return [str(_l("Indicator")), str(_l("Share")), str(_l("Target"))], rows
    if name == "reasons":
        return [str(_l("Reason")), str(_l("Dossiers"))], [
            [str(REASON_LABELS[reason]), count] for reason, count in figures.reasons
        ]
    if name == "communes":
        return [
            str(_l("Commune or ward")),
            str(_l("Code")),
            str(_l("Dossiers")),
            str(_l("Submitted")),
            str(_l("Filed online")),
        ], [
            [c.commune.name, c.commune.code, c.total, c.submitted, percent(c.online_share)]
            for c in figures.communes
        ]
    if name == "volunteers":
        return [str(_l("Indicator")), str(_l("Value"))], [
            [str(label), value] for label, value in volunteer_rows(figures)
        ]
    if name == "learning":
        return [str(_l("Indicator")), str(_l("Value"))], [
            [str(label), value] for label, value in learning_rows(figures)
        ]
    if name in UNIT_TITLES and name == figures.unit_level:
        return [
            str(_l("Name")),
            str(_l("Code")),
            str(_l("Dossiers")),
            str(_l("Submitted")),
            str(_l("Filed online")),
            str(_l("Filed fully online")),
            str(_l("Result returned electronically")),
        ], [
            [
                u.name,
                u.code,
                u.total,
                u.submitted,
                percent(u.online_share),
                percent(u.fully_online_share),
                percent(u.result_electronic_share),
            ]
            for u in figures.units
        ]
    if name == "lessons":
        return [
            str(_l("Course")),
            str(_l("Carded residents who mastered it")),
            str(_l("Their later procedures done by themselves")),
            str(_l("Carded residents without it")),
            str(_l("Their procedures done by themselves")),
        ], [
            [
                course_title(e.course),
                residents_count(e.residents_with),
                percent(e.share_with),
                residents_count(e.residents_without),
                percent(e.share_without),
            ]
            for e in figures.lessons
        ]
    if name == "residents":
        return [
            str(_l("Commune or ward")),
            str(_l("Code")),
            str(_l("Carded residents")),
            str(_l("At the target")),
        ], [[c.name, c.code, carded, reached] for c, carded, reached in _resident_communes(figures)]
    raise KeyError(name)


def _resident_communes(figures: Figures) -> list:
    return figures.residents.communes if figures.residents else []


def resident_rows(figures: Figures) -> list[tuple]:
    """The carded residents by procedures done by themselves, and the share at the target."""
    residents = figures.residents
    if residents is None:
        return []
    counts = residents.json()
    return [
        (_l("Carded residents helped"), counts["carded"]),
        (_l("Did none by themselves"), counts["self_done_0"]),
        (_l("Did one by themselves"), counts["self_done_1"]),
        (_l("Did two or more by themselves"), counts["self_done_2_plus"]),
        (_l("At the campaign's target"), counts["at_target"]),
        (_l("Share at the target"), percent(residents.at_target_share)),
    ]


def volunteer_rows(figures: Figures) -> list[tuple]:
    shifts, attendance = figures.shifts, figures.attendance
    return [
        (_l("Shifts"), shifts["total"]),
        (_l("With at least the minimum of volunteers"), shifts["covered"]),
        (_l("Understaffed"), shifts["understaffed"]),
        (_l("Volunteer-hours booked"), shifts["booked_hours"]),
        (_l("Volunteer-hours attended (checked in)"), attendance["attended_hours"]),
        (_l("Bookings of shifts that have ended"), attendance["ended_bookings"]),
        (_l("No-shows"), attendance["no_shows"]),
        (_l("No-show rate"), percent(attendance["no_show_rate"])),
    ]


def learning_rows(figures: Figures) -> list[tuple]:
    learning = figures.learning
    return [
        (_l("Lessons completed"), learning["lessons_completed"]),
        (_l("People who completed a lesson"), learning["learners"]),
        (_l("Courses mastered (certificates issued)"), learning["courses_mastered"]),
    ]
