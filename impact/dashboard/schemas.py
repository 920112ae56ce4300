"""The dashboard part's API shapes: the stats query and the figures as answered."""

import re
from datetime import date
from typing import Annotated

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from app.api.schemas import DAY_SCHEMA, MAX_ID, NO_NUL, BadRequestInput, Count
from app.localtime import check_day

#: a share of a whole, 0–1; null when there is nothing to divide by
Share = Annotated[
    float | None,
    WithJsonSchema(
        {"type": ["number", "null"], "description": "0–1; null when nothing to divide by"}
    ),
]


def _day(value) -> date:
    """Exactly YYYY-MM-DD (date.fromisoformat alone also takes 20250715 and week dates)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not YYYY-MM-DD")
    return check_day(date.fromisoformat(value))


#: a place's code as sent; the view strips it, and an empty one means "not asked"
Code = Annotated[str | None, WithJsonSchema({"type": "string", "pattern": NO_NUL})]


Day = Annotated[date | None, PlainValidator(_day), WithJsonSchema(DAY_SCHEMA)]


class PublicStatsQuery(BadRequestInput):
    """GET /api/v1/provinces/{code}/stats?from=…&to=…; any other parameter is refused rather
    than silently ignored."""

    model_config = ConfigDict(extra="forbid")

    start: Day = Field(
        None,
        alias="from",
        description="First local day, YYYY-MM-DD (default: 29 days before `to`).",
    )
    end: Day = Field(None, alias="to", description="Last local day, YYYY-MM-DD (default: today).")

    @classmethod
    def messages(cls):
        return {
            "extra": _("Use only the parameters from and to."),
            "from": _("Give dates as YYYY-MM-DD, e.g. 2025-07-15."),
            "to": _("Give dates as YYYY-MM-DD, e.g. 2025-07-15."),
        }


class StatsQuery(PublicStatsQuery):
    """GET /api/v1/stats?province=…&commune=…&from=…&to=…: the public query and the place."""

    province: Code = Field(None, description="Official province code, e.g. 01 (Hà Nội).")
    commune: Code = Field(None, description="Official commune code, e.g. 00130 (Phường Bồ Đề).")
    campaign: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="A campaign's id: its communes and days (within from and to), read "
        "against its own targets.",
    )

    @classmethod
    def messages(cls):
        return super().messages() | {
            "extra": _("Use only the parameters province, commune, campaign, from and to."),
            "campaign": _("Give the campaign's id as a whole number."),
        }


class _Figures(BaseModel):
    """Figures computed by impact.dashboard.services (figures_json), described here."""

    model_config = ConfigDict(extra="allow")


class DayCount(_Figures):
    date: date
    dossiers: Count


class ReasonCount(_Figures):
    reason: str
    dossiers: Count


class CommuneFigures(_Figures):
    code: str
    name: str
    dossiers: Count
    submitted: Count
    online_share: Share


class Attendance(_Figures):
    """Of the shifts that have ended: volunteer-hours attended (check-in to check-out within the
    shift), confirmed bookings, no-shows."""

    attended_hours: float = Field(None, ge=0)
    ended_bookings: Count = None
    no_shows: Count = None
    no_show_rate: Share = None


class Learning(_Figures):
    """Lessons completed, people who completed one, and courses mastered (certificates issued)
    during the range by people whose home commune is in it."""

    lessons_completed: Count
    learners: Count
    courses_mastered: Count


class Residents(_Figures):
    """Carded residents (impact/cards) with an entry in the range, by how many procedures they
    did by themselves there (submitted, with guidance only): the "≥ 2 per resident" target."""

    carded: Count
    self_done_0: Count
    self_done_1: Count
    self_done_2_plus: Count
    at_target: Count = Field(
        description="Of the carded, those at or beyond targets.self_done_per_resident."
    )


class ShiftFigures(_Figures):
    total: Count
    covered: Count
    understaffed: Annotated[
        Count,
        Field(
            description="Shifts with fewer confirmed people than the minimum, among those that "
            "have started or start within 72 hours (later ones are not staffed yet)."
        ),
    ]
    booked_hours: float = Field(ge=0)


class Stats(_Figures):
    """The impact dashboard's figures for a province, a commune or the country."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    totals: dict[str, Count] = Field(
        description="Counts of assisted submissions: total, submitted, submitted_online, "
        "submitted_fully_online, result_yes/no/not_yet, self_service, vulnerable, at_home, "
        "offline, reason_<code> for each reason."
    )
    shares: dict[str, Share] = Field(
        description="online, fully_online and result_electronic of submitted dossiers; "
        "self_service of all dossiers."
    )
    targets: dict[str, float] = Field(
        description="online, fully_online, result_electronic (0–1) and self_done_per_resident: "
        "the campaign's own when one is asked for, else Hanoi's (0.8, 0.2, 1, 2)."
    )
    residents: Residents
    per_day: list[DayCount]
    reasons: list[ReasonCount] = Field(
        description="Why dossiers could not be submitted, most frequent first."
    )
    communes: list[CommuneFigures]
    shifts: ShiftFigures
    attendance: Attendance
    learning: Learning


class UnitFigures(_Figures):
    """One province's or service point's figures, beside the level above it."""

    code: str = Field(description="The province's official code, or the service point's id.")
    name: str
    dossiers: Count
    submitted: Count
    online_share: Share
    fully_online_share: Share
    result_electronic_share: Share


class NationalStats(Stats):
    """The country's figures, and each of the 34 provinces'."""

    provinces: list[UnitFigures]


class CommuneStats(Stats):
    """A commune's figures, and each of its service points'."""

    service_points: list[UnitFigures]
