"""Shelters (tempat penampungan pengungsi) and their daily head counts."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

SHELTER_KINDS = {
    "tenda": "Tenda",
    "barak": "Barak",
    "gedung_sekolah": "Gedung sekolah",
    "masjid": "Masjid/musala",
    "gereja": "Gereja/rumah ibadah lain",
    "balai_warga": "Balai warga",
    "gor": "GOR",
    "kantor_pemerintah": "Kantor pemerintah",
    "rumah_warga": "Rumah warga",
    "lainnya": "Lainnya",
}
COUNT_GROUPS = {
    "balita": "Balita",
    "anak": "Anak",
    "lansia": "Lansia",
    "ibu_hamil": "Ibu hamil",
    "ibu_menyusui": "Ibu menyusui",
    "disabilitas": "Penyandang disabilitas",
    "laki_laki": "Laki-laki",
    "perempuan": "Perempuan",
}


class Shelter(db.Model):
    """A shelter or posko where displaced people stay."""

    __tablename__ = "shelters"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 >= 0", name="area_non_negative"),
        CheckConstraint("toilets >= 0", name="toilets_non_negative"),
        CheckConstraint("water_points >= 0", name="water_non_negative"),
        CheckConstraint("status IN ('buka', 'tutup')", name="status_known"),
        CheckConstraint(f"kind IN {tuple(SHELTER_KINDS)!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    capacity: Mapped[int] = mapped_column(default=0)
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    toilets: Mapped[int] = mapped_column(default=0)
    water_points: Mapped[int] = mapped_column(default=0)
    has_dapur_umum: Mapped[bool] = mapped_column(default=False)
    pic_name: Mapped[str] = mapped_column(String(160), default="")
    pic_phone: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(8), default="buka")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    counts: Mapped[list["ShelterCount"]] = relationship(
        back_populates="shelter", order_by="ShelterCount.counted_on", cascade="all, delete-orphan"
    )


class ShelterCount(db.Model):
    """The head count of one shelter on one day; a later count on the same day replaces it."""

    __tablename__ = "shelter_counts"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("shelter_id", "counted_on", name="uq_shelter_counts_day"),
        CheckConstraint("persons >= 0 AND households >= 0", name="counts_non_negative"),
        CheckConstraint(
            " AND ".join(f"{g} >= 0" for g in COUNT_GROUPS), name="groups_non_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id", ondelete="CASCADE"))
    counted_on: Mapped[date]
    persons: Mapped[int]
    households: Mapped[int] = mapped_column(default=0)
    balita: Mapped[int] = mapped_column(default=0)
    anak: Mapped[int] = mapped_column(default=0)
    lansia: Mapped[int] = mapped_column(default=0)
    ibu_hamil: Mapped[int] = mapped_column(default=0)
    ibu_menyusui: Mapped[int] = mapped_column(default=0)
    disabilitas: Mapped[int] = mapped_column(default=0)
    laki_laki: Mapped[int] = mapped_column(default=0)
    perempuan: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shelter: Mapped[Shelter] = relationship(back_populates="counts")
