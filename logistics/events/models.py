"""Disaster events: hazard types, status decrees, chronology, affected kelurahan and their impact."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

HAZARD_CLASSES = {
    "alam": "Bencana alam",
    "non_alam": "Bencana non-alam",
    "sosial": "Bencana sosial",
}

# Status decrees in the order they may follow each other (DOMAIN.md section 3).
DECREE_STATUSES = {
    "siaga_darurat": "Siaga darurat",
    "tanggap_darurat": "Tanggap darurat",
    "transisi_darurat": "Transisi darurat ke pemulihan",
}
DECREE_ORDER = tuple(DECREE_STATUSES)
ISSUER_LEVELS = {
    "bupati_walikota": "Bupati/Wali Kota",
    "gubernur": "Gubernur",
    "presiden": "Presiden",
}
# Phase shown for an event; pasca_bencana once it is closed.
PHASE_LABELS = {
    "belum_ditetapkan": "Belum ada status",
    **DECREE_STATUSES,
    "pasca_bencana": "Pasca bencana",
}

# The national disaster database's impact matrix, one measure name per cell.
PEOPLE_STATUSES = {
    "meninggal": "Meninggal",
    "hilang": "Hilang",
    "terluka": "Terluka",
    "menderita": "Menderita (terdampak)",
    "mengungsi": "Mengungsi",
}
AGE_GROUPS = {"anak": "Anak", "dewasa": "Dewasa", "lansia": "Lansia"}
SEXES = {"L": "Laki-laki", "P": "Perempuan"}
FACILITIES = {
    "rumah": "Rumah",
    "pendidikan": "Fasilitas pendidikan",
    "kesehatan": "Fasilitas kesehatan",
    "peribadatan": "Rumah ibadah",
    "fasum": "Fasilitas umum",
    "kantor": "Kantor",
}
DAMAGE_LEVELS = {
    "rusak_berat": "Rusak berat",
    "rusak_sedang": "Rusak sedang",
    "rusak_ringan": "Rusak ringan",
    "terendam": "Terendam",
}
PEOPLE_MEASURES = [
    f"{status}.{age}.{sex}" for status in PEOPLE_STATUSES for age in AGE_GROUPS for sex in SEXES
]
KK_MEASURES = [f"kk.{status}" for status in ("menderita", "mengungsi")]
OTHER_MEASURES = ["ibu_hamil"]
DAMAGE_MEASURES = [f"{facility}.{damage}" for facility in FACILITIES for damage in DAMAGE_LEVELS]
IMPACT_MEASURES = PEOPLE_MEASURES + KK_MEASURES + OTHER_MEASURES + DAMAGE_MEASURES
IMPACT_SOURCES = {"kaji_cepat": "Kaji cepat", "terdata": "Terdata (registri korban)"}


class HazardType(db.Model):
    """A kind of disaster; the list is the office's own (seeded from data/hazards.csv)."""

    __tablename__ = "hazard_types"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"hazard_class IN {tuple(HAZARD_CLASSES)!r}", name="class_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    hazard_class: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    @property
    def class_label(self) -> str:
        return HAZARD_CLASSES[self.hazard_class]


class Event(db.Model):
    """One disaster event (kejadian bencana), with a short human code like BJR-3604-2026-004."""

    __tablename__ = "events"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("office_code", "year", "seq", name="uq_events_office_year_seq"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="end_after_start"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lng IS NULL OR (lng BETWEEN -180 AND 180)", name="lng_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    office_code: Mapped[str] = mapped_column(String(8))
    # The wilayah the event belongs to (a kab/kota, or the whole province for a provincial
    # event); scopes decide who sees and changes it. None: the whole office area.
    area_code: Mapped[str | None] = mapped_column(String(20), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    hazard_type_id: Mapped[int] = mapped_column(ForeignKey("hazard_types.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    # A drawn area as GeoJSON geometry text (EPSG:4326); affected kelurahan can be derived from it.
    area_geojson: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), default="")
    reporter: Mapped[str] = mapped_column(String(160), default="")
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    hazard_type: Mapped[HazardType] = relationship(lazy="joined")
    decrees: Mapped[list["EventDecree"]] = relationship(
        back_populates="event", order_by="EventDecree.starts_on", cascade="all, delete-orphan"
    )
    chronology: Mapped[list["ChronologyEntry"]] = relationship(
        order_by="ChronologyEntry.occurred_at", cascade="all, delete-orphan"
    )
    areas: Mapped[list["EventArea"]] = relationship(cascade="all, delete-orphan")

    def phase_on(self, day: date) -> str:
        """The event's phase on a day: the decree in force, pasca_bencana once closed."""
        if self.closed_at is not None and self.closed_at.date() <= day:
            return "pasca_bencana"
        for decree in self.decrees:
            if decree.starts_on <= day and (decree.ends_on is None or day <= decree.ends_on):
                return decree.status
        return "belum_ditetapkan"

    def aid_phase_on(self, day: date) -> str:
        """The SPM phase of aid given on a day: 'saat' up to the end of tanggap darurat (or while
        no decree has ended yet), 'setelah' under transisi, once tanggap darurat ended without a
        following decree, and once the event is closed."""
        phase = self.phase_on(day)
        if phase in ("siaga_darurat", "tanggap_darurat"):
            return "saat"
        if phase in ("transisi_darurat", "pasca_bencana"):
            return "setelah"
        ended = any(
            d.status == "tanggap_darurat" and d.ends_on is not None and d.ends_on < day
            for d in self.decrees
        )
        return "setelah" if ended else "saat"


class EventDecree(db.Model):
    """A status decree (SK status keadaan darurat) with its number, issuer and period."""

    __tablename__ = "event_decrees"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"status IN {DECREE_ORDER!r}", name="status_known"),
        CheckConstraint(f"issuer_level IN {tuple(ISSUER_LEVELS)!r}", name="issuer_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    decree_number: Mapped[str] = mapped_column(String(120))
    issuer_level: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="decrees")


class ChronologyEntry(db.Model):
    """One line of the event's chronology (kronologi)."""

    __tablename__ = "event_chronology"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EventArea(db.Model):
    """A kelurahan/desa affected by an event, picked by hand or derived from the drawn area."""

    __tablename__ = "event_areas"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("event_id", "kelurahan_code", name="uq_event_areas_event_kel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    how: Mapped[str] = mapped_column(String(12), default="dipilih")  # dipilih | digambar
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImpactFigure(db.Model):
    """One cell of the impact matrix for one kelurahan of an event, from rapid assessment."""

    __tablename__ = "impact_figures"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("event_id", "kelurahan_code", "source", "measure", name="uq_impact_cell"),
        CheckConstraint("value >= 0", name="value_non_negative"),
        Index("ix_impact_figures_event_source", "event_id", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    source: Mapped[str] = mapped_column(String(12), default="kaji_cepat")
    measure: Mapped[str] = mapped_column(String(40))
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
