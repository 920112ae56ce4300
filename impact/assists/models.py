"""The procedure catalogue and the append-only log of dossiers volunteers helped residents with.

Residents' privacy (DESIGN.md): the log holds no name, ID number, phone or address of a resident,
only the procedure, the channel, the level of online service, the outcome and coarse attributes.
tests/impact/test_assist_privacy.py fails if a column that could hold such data appears here.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import Commune, ServicePoint


def _values(enum_class):
    return [member.value for member in enum_class]


def _enum(enum_class):
    return Enum(enum_class, native_enum=False, length=20, values_callable=_values)


class Channel(enum.StrEnum):
    NATIONAL_PORTAL = "national_portal"
    VNEID = "vneid"
    PROVINCIAL_PORTAL = "provincial_portal"
    PAPER = "paper"


class Level(enum.StrEnum):
    PARTLY_ONLINE = "partly_online"
    FULLY_ONLINE = "fully_online"
    PAPER = "paper"


class Outcome(enum.StrEnum):
    SUBMITTED = "submitted"
    NOT_SUBMITTED = "not_submitted"


class Reason(enum.StrEnum):
    """Why a dossier could not be submitted: the campaign's list of problems to escalate."""

    NETWORK_DOWN = "network_down"
    SYSTEM_ERROR = "system_error"
    MISSING_SIGNATURE = "missing_signature"
    MISSING_DOCUMENTS = "missing_documents"
    NO_ACCOUNT = "no_account"
    OTHER = "other"


class ResultElectronic(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_YET = "not_yet"


class AgeBand(enum.StrEnum):
    UNDER_18 = "under_18"
    FROM_18_TO_39 = "18_39"
    FROM_40_TO_59 = "40_59"
    FROM_60 = "60_plus"


class Procedure(db.Model):
    """An administrative procedure residents file at a commune, e.g. a birth registration."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable ASCII code, e.g. "birth-registration": the API and the seed file use it
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    #: folded Vietnamese and English names (app.text.fold), for diacritics-insensitive search
    search_text: Mapped[str] = mapped_column(String(700), default="")
    #: a deactivated procedure leaves the picker; entries already logged keep it
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    def __str__(self):
        return self.name_vi


class AssistedSubmission(db.Model):
    """One dossier a volunteer helped a resident with: a fact that happened, never rewritten.

    The id is made by the client (crypto.randomUUID in the browser, or the phone's own), so an
    entry sent twice from an offline queue is stored once. The only change a row ever sees is
    ``voided_at``, stamped once by its volunteer's "undo" within minutes of saving.
    ``commune_id``, ``province_id`` and ``occurred_on`` copy what the service point and
    ``occurred_at`` imply, so the dashboard aggregates a million rows from one index.
    """

    __tablename__ = "assisted_submissions"
    __table_args__ = (
        Index("ix_assists_commune_day", "commune_id", "occurred_on"),
        Index("ix_assists_province_day", "province_id", "occurred_on"),
        # the volunteer's recent entries, last choices and most used procedures
        Index("ix_assists_volunteer_received", "volunteer_id", "received_at"),
        CheckConstraint(
            "(outcome = 'not_submitted') = (reason IS NOT NULL)", name="reason_iff_not_submitted"
        ),
        CheckConstraint("(channel = 'paper') = (level = 'paper')", name="paper_channel_is_paper"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    #: the volunteer (or coordinator) who helped; kept as NULL if the account is ever deleted,
    #: so the campaign's counts stay true
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT"), index=True
    )
    #: the service point's commune and province, copied for the dashboard
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="RESTRICT"))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="RESTRICT"))
    #: the volunteer's booked shift at that point when it happened, if any
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shifts.id", ondelete="SET NULL"), index=True
    )
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="RESTRICT"), index=True
    )
    #: the home-support request this visit answered, if it was one
    home_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("home_support_requests.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    level: Mapped[Level] = mapped_column(_enum(Level))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    #: why it was not submitted; NULL exactly when it was
    reason: Mapped[Reason | None] = mapped_column(_enum(Reason))
    #: whether the result is returned electronically (to VNeID or by email)
    result_electronic: Mapped[ResultElectronic] = mapped_column(_enum(ResultElectronic))
    age_band: Mapped[AgeBand] = mapped_column(_enum(AgeBand))
    #: elderly or disabled
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    #: helped at home rather than at the service point
    at_home: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the resident did it themselves, with guidance
    self_service: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the carded resident helped (impact.cards), when a card was given: an opaque id, never the
    #: card's code nor anything naming the person
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    #: when it happened, by the client's clock, in UTC
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the local day (Asia/Ho_Chi_Minh) of occurred_at
    occurred_on: Mapped[date] = mapped_column(Date)
    #: when the server stored it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: it waited in the browser's (or phone's) queue before it was sent
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    #: it arrived after its shift (or, without a shift, its local day) had ended; accepted anyway
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    #: set once when the volunteer undoes the entry; a voided entry counts nowhere
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    volunteer: Mapped[User | None] = relationship()
    service_point: Mapped[ServicePoint] = relationship()
    commune: Mapped[Commune] = relationship()
    procedure: Mapped[Procedure] = relationship()

    @property
    def submitted(self) -> bool:
        return self.outcome == Outcome.SUBMITTED
