"""The administrative spine: provinsi, kab/kota, kecamatan, kelurahan/desa, boundary sets."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

LEVELS = ("provinsi", "kab_kota", "kecamatan", "kelurahan")
LEVEL_LABELS = {
    "provinsi": "Provinsi",
    "kab_kota": "Kabupaten/Kota",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan/Desa",
}


class BoundarySet(db.Model):
    """One loaded boundary file (or the demo gazetteer): where the geometry of an area came from."""

    __tablename__ = "boundary_sets"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(12))
    feature_count: Mapped[int]
    approximate: Mapped[bool] = mapped_column(default=False)
    stats: Mapped[dict] = mapped_column(db.JSON, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Area(db.Model):
    """An administrative area at any level, keyed by its Kemendagri code written exactly as issued."""

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(f"level IN {LEVELS!r}", name="level_known"),
        CheckConstraint("area_km2 IS NULL OR area_km2 >= 0", name="area_non_negative"),
        Index("ix_areas_level_parent", "level", "parent_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    level: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(160))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    boundary_set_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_sets.id"))
    approximate: Mapped[bool] = mapped_column(default=False)
    geometry_wkb: Mapped[bytes | None] = mapped_column(db.LargeBinary, deferred=True)
    area_km2: Mapped[float | None]
    label_lat: Mapped[float | None]
    label_lng: Mapped[float | None]
    min_lng: Mapped[float | None]
    min_lat: Mapped[float | None]
    max_lng: Mapped[float | None]
    max_lat: Mapped[float | None]
    # Hash of everything loaded from the file: a re-load of the same data touches no row.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped["Area | None"] = relationship(remote_side="Area.code", lazy="joined")
    boundary_set: Mapped[BoundarySet | None] = relationship()

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"
