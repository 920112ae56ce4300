"""Provinces and communes as published after 1 July 2025, and the service points in them."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, alphabetical, utcnow
from app.extensions import db


class Province(db.Model):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official two-digit code, e.g. "01" for Hà Nội
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: "tỉnh" or "thành phố trung ương", as the vietnam-provinces package names it
    division_type: Mapped[str] = mapped_column(String(40))
    #: the name without diacritics, lower case, for searching
    search_name: Mapped[str] = mapped_column(String(100))

    communes: Mapped[list["Commune"]] = relationship(
        back_populates="province", order_by=lambda: alphabetical(Commune.name)
    )

    def __str__(self):
        return self.name


class Commune(db.Model):
    """A commune, ward or special zone (xã, phường, đặc khu)."""

    __tablename__ = "communes"
    __table_args__ = (Index("ix_communes_province_search", "province_id", "search_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official five-digit code, e.g. "00130" for Phường Bồ Đề
    code: Mapped[str] = mapped_column(String(5), unique=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    #: "xã", "phường" or "đặc khu"
    division_type: Mapped[str] = mapped_column(String(20))
    search_name: Mapped[str] = mapped_column(String(100))

    province: Mapped[Province] = relationship(back_populates="communes")
    service_points: Mapped[list["ServicePoint"]] = relationship(
        back_populates="commune", order_by=lambda: alphabetical(ServicePoint.name)
    )

    def __str__(self):
        return self.name


class ServicePoint(db.Model):
    """A public-service centre or point where residents file dossiers and volunteers help."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    #: free text as posted at the door, e.g. "Thứ 2–Thứ 6: 7:30–11:30, 13:30–17:30"
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Commune] = relationship(back_populates="service_points")

    def __str__(self):
        return self.name
