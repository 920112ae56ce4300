"""The weekly report of a commune, a province or the country: the figures a commune sends upward
each week, Monday to Sunday in Asia/Ho_Chi_Minh, for the A4 page and its .xlsx sibling.

Everything comes from the dashboard's figures over the week (the roll-ups, never the log) and,
for the volunteers counted once, from scheduling's service.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from impact.dashboard.services import Figures, Scope, impact_figures
from scheduling.coverage.services import volunteers_serving

#: a week of the report: Monday to Sunday
WEEK_DAYS = 7


def week_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def last_week(today: date) -> date:
    """The Monday of the last whole week before today's: the week a report is sent for."""
    return week_of(today) - timedelta(days=WEEK_DAYS)


@dataclass
class WeeklyReport:
    """One unit's week: its figures and the number of different volunteers who served."""

    figures: Figures
    volunteers: int

    @property
    def start(self) -> date:
        return self.figures.scope.start

    @property
    def end(self) -> date:
        return self.figures.scope.end

    def lines(self) -> list[tuple[Any, int | float | None, float | None, str]]:
        """(indicator, value, target, kind) in the order communes report them; kind is "count",
        "share" (a fraction) or "hours"."""
        f = self.figures
        totals, shares, targets = f.totals, f.shares, f.targets
        residents = f.residents
        return [
            (_l("Dossiers received"), totals["submitted"], None, "count"),
            (_l("Filed online"), shares["online"], targets["online"], "share"),
            (_l("Filed fully online"), shares["fully_online"], targets["fully_online"], "share"),
            (
                _l("Result returned electronically"),
                shares["result_electronic"],
                targets["result_electronic"],
                "share",
            ),
            (_l("Residents assisted"), totals["total"], None, "count"),
            (_l("Carded residents"), residents.carded if residents else 0, None, "count"),
            (
                _l(
                    "Carded residents with at least %(num)d procedures done by themselves",
                    num=int(targets["self_done_per_resident"]),
                ),
                residents.at_target if residents else 0,
                None,
                "count",
            ),
            (_l("Volunteers who served"), self.volunteers, None, "count"),
            (_l("Shifts"), f.shifts["total"], None, "count"),
            (_l("Shifts covered"), f.shifts["covered"], None, "count"),
            (_l("Volunteer-hours"), f.attendance["attended_hours"], None, "hours"),
            (_l("Lessons completed"), f.learning["lessons_completed"], None, "count"),
            (_l("Certificates"), f.learning["courses_mastered"], None, "count"),
        ]


def weekly_report(session: Session, monday: date, **where: Any) -> WeeklyReport:
    """The report of the week starting on `monday` (any day is moved back to its Monday) for the
    communes `where` names (Scope's commune_ids, province_id, campaign_id; none: the country)."""
    start = week_of(monday)
    scope = Scope(start=start, end=start + timedelta(days=WEEK_DAYS - 1), **where)
    figures = impact_figures(session, scope, with_communes=False)
    volunteers = volunteers_serving(
        session, scope.start, scope.end, scope.communes, campaign_id=scope.campaign_id
    )
    return WeeklyReport(figures=figures, volunteers=volunteers)
