"""The administrative spine: provinsi, kab/kota, kecamatan, kelurahan/desa, boundary sets."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false
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
    # Who loaded it as the audit trail names them (a user, "cli", "demo").
    loaded_by: Mapped[str | None] = mapped_column(String(120))
    # The load report (repairs, moved label points, skipped areas), shown with the version.
    report: Mapped[dict | None] = mapped_column(db.JSON)
    # Loads from before versioning kept no snapshots of the areas they changed.
    reversible: Mapped[bool] = mapped_column(default=False, server_default=false())
    rolled_back_at: Mapped[datetime | None]
    rolled_back_by: Mapped[str | None] = mapped_column(String(120))


class AreaSnapshot(db.Model):
    """An area as it was before a boundary load changed it, so that a rollback restores it.

    `before` holds every column of the row (WKB as hex, times as ISO text); it is None for an
    area the load created.
    """

    __tablename__ = "area_snapshots"
    __table_args__ = (Index("ix_area_snapshots_set", "boundary_set_id", "area_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary_set_id: Mapped[int] = mapped_column(ForeignKey("boundary_sets.id", ondelete="CASCADE"))
    # No foreign key: a rollback deletes the areas its load created.
    area_id: Mapped[int]
    code: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(db.JSON)


class Area(db.Model):
    """An administrative area at any level, keyed by its Kemendagri code written exactly as issued."""

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(f"level IN {LEVELS!r}", name="level_known"),
        CheckConstraint("area_km2 IS NULL OR area_km2 >= 0", name="area_non_negative"),
        Index("ix_areas_level_parent", "level", "parent_code"),
        # Covers the map pages' queries (revision, bounds, counts per scope), so they never read
        # the rows, whose outlines (stored before these columns) make every row read long.
        Index(
            "ix_areas_map",
            "level",
            "retired_at",
            "code",
            "updated_at",
            "approximate",
            "min_lng",
            "min_lat",
            "max_lng",
            "max_lat",
        ),
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
    # Set when a newer load dropped the area, or a rollback went past its creation, while rows
    # elsewhere still refer to it: kept for history, hidden from pickers and maps.
    retired_at: Mapped[datetime | None]

    parent: Mapped["Area | None"] = relationship(remote_side="Area.code", lazy="joined")
    boundary_set: Mapped[BoundarySet | None] = relationship()

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"
