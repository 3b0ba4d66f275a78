"""Affected areas of an event: picked kelurahan, a drawn area and the spatial join."""

import json
from collections.abc import Iterable

import shapely
from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.areas.services import KELURAHAN_CODE
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.core.scope import within
from logistics.core.wording import contoh_kode, istilah
from logistics.events.models import (
    Event,
    EventArea,
    ImpactFigure,
)


def valid_kelurahan_codes(codes: Iterable[str] | None, field: str = "kelurahan_codes") -> list[str]:
    """Distinct kelurahan codes in the given order; an Indonesian error names every bad one."""
    if codes is None or isinstance(codes, str | bytes) or not isinstance(codes, Iterable):
        raise DomainError(f"Daftar kode {istilah('wilayah')} harus berupa daftar.", field=field)
    cleaned: list[str] = []
    for code in codes:
        if not isinstance(code, str):
            raise DomainError(f"Kode {istilah('wilayah')} '{code}' harus berupa teks.", field=field)
        code = code.strip()
        if code and code not in cleaned:
            cleaned.append(code)
    malformed = [c for c in cleaned if not KELURAHAN_CODE.match(c)]
    if malformed:
        raise DomainError(
            f"Kode {istilah('wilayah')} salah format: {', '.join(malformed[:10])}; tulis PP.KK.CC.NDDD, "
            f"mis. {contoh_kode()}.",
            field=field,
        )
    known: set[str] = set()
    for start in range(0, len(cleaned), 900):
        chunk = cleaned[start : start + 900]
        known.update(
            db.session.scalars(
                select(Area.code).where(Area.code.in_(chunk), Area.level == "kelurahan")
            )
        )
    unknown = [c for c in cleaned if c not in known]
    if unknown:
        raise DomainError(
            f"Kode {istilah('wilayah')} tidak dikenal di wilayah ini: {', '.join(unknown[:10])}.",
            field=field,
        )
    return cleaned


def _area_codes(event: Event) -> set[str]:
    return set(
        db.session.scalars(select(EventArea.kelurahan_code).where(EventArea.event_id == event.id))
    )


def add_areas(event: Event, codes: Iterable[str], how: str) -> list[str]:
    codes = list(codes)
    outside = [c for c in codes if event.area_code and not within(c, (event.area_code,))]
    if outside:
        raise DomainError(
            f"{len(outside)} wilayah terdampak ({', '.join(outside[:5])}) berada di luar wilayah "
            f"kejadian {event.area_code}. Pilih wilayah di dalamnya.",
            field="kelurahan_codes",
        )
    present = _area_codes(event) if event.id else set()
    added = [c for c in codes if c not in present]
    db.session.add_all(EventArea(event_id=event.id, kelurahan_code=code, how=how) for code in added)
    return added


def _codes_with_figures(event: Event) -> set[str]:
    return set(
        db.session.scalars(
            select(ImpactFigure.kelurahan_code).where(ImpactFigure.event_id == event.id).distinct()
        )
    )


def set_affected_areas(
    event: Event, codes: Iterable[str], *, codes_with_victims: Iterable[str]
) -> dict:
    """Make the picked list the event's affected kelurahan: new ones are added, unticked ones
    removed, except those that already have impact figures or victims (refused, named). The
    caller finds the kelurahan with victims in the registry (victims.figures)."""
    wanted = valid_kelurahan_codes(codes)
    current = _area_codes(event)
    removing = current - set(wanted)
    blocked = sorted(removing & (_codes_with_figures(event) | set(codes_with_victims)))
    if blocked:
        names = dict(
            db.session.execute(select(Area.code, Area.name).where(Area.code.in_(blocked))).all()
        )
        listed = ", ".join(f"{names.get(c, c)} ({c})" for c in blocked[:10])
        raise Conflict(
            f"{istilah('wilayah').capitalize()} ini sudah memiliki angka dampak atau korban dan tidak dapat dilepas: "
            f"{listed}. Hapus angkanya lebih dulu.",
            field="kelurahan_codes",
        )
    if removing:
        for area in db.session.scalars(
            select(EventArea).where(
                EventArea.event_id == event.id, EventArea.kelurahan_code.in_(removing)
            )
        ):
            db.session.delete(area)
    added = add_areas(event, wanted, "dipilih")
    db.session.flush()
    db.session.refresh(event, ["areas"])
    return {"added": added, "removed": sorted(removing)}


def parse_geometry(value) -> shapely.Geometry:
    """A drawn area from GeoJSON (geometry, Feature or FeatureCollection; dict or text) as one
    valid (multi)polygon in lng/lat, or a DomainError saying what is wrong."""
    field_name = "geometry"
    if isinstance(value, str):
        if not value.strip():
            raise DomainError("Gambar area di peta atau tempel GeoJSON-nya.", field=field_name)
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise DomainError(
                "Teks area bukan GeoJSON yang sah; tempel geometri poligon GeoJSON.",
                field=field_name,
            ) from exc
    if not isinstance(value, dict):
        raise DomainError("Area harus berupa objek GeoJSON.", field=field_name)
    if value.get("type") == "FeatureCollection":
        geometries = [f.get("geometry") for f in value.get("features") or [] if isinstance(f, dict)]
    elif value.get("type") == "Feature":
        geometries = [value.get("geometry")]
    else:
        geometries = [value]
    shapes = []
    for geometry in geometries:
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            kind = geometry.get("type") if isinstance(geometry, dict) else "kosong"
            raise DomainError(
                f"Area harus berupa poligon (Polygon/MultiPolygon), bukan {kind}. "
                "Tutup garis yang digambar menjadi bidang.",
                field=field_name,
            )
        try:
            shapes.append(shapely.from_geojson(json.dumps(geometry)))
        except (shapely.errors.GEOSException, ValueError) as exc:
            raise DomainError(
                "Koordinat poligon tidak sah: setiap cincin perlu minimal 4 titik "
                "[bujur, lintang] dengan titik akhir sama dengan titik awal.",
                field=field_name,
            ) from exc
    if not shapes:
        raise DomainError("Tidak ada poligon di dalam GeoJSON.", field=field_name)
    shape = shapely.union_all(shapes) if len(shapes) > 1 else shapes[0]
    minx, miny, maxx, maxy = shape.bounds if not shape.is_empty else (0, 0, 0, 0)
    if shape.is_empty or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise DomainError(
            "Koordinat area di luar jangkauan; urutannya [bujur, lintang] dalam derajat.",
            field=field_name,
        )
    if not shape.is_valid:
        # A ring drawn across itself (a figure eight) is repaired, not refused.
        shape = shapely.make_valid(shape)
        parts = [g for g in shapely.get_parts(shape) if g.geom_type in ("Polygon", "MultiPolygon")]
        shape = shapely.union_all(parts) if parts else shapely.Polygon()
    if shape.is_empty or shape.area == 0:
        raise DomainError("Area yang digambar tidak memiliki luas.", field=field_name)
    return shape


def kelurahan_in_area(shape: shapely.Geometry) -> list[str]:
    """Codes of every kelurahan/desa whose polygon shares some area with the shape (ones that
    only touch its edge are left out)."""
    minx, miny, maxx, maxy = shape.bounds
    rows = db.session.execute(
        select(Area.code, Area.geometry_wkb).where(
            Area.level == "kelurahan",
            Area.geometry_wkb.is_not(None),
            Area.retired_at.is_(None),
            Area.min_lng <= maxx,
            Area.max_lng >= minx,
            Area.min_lat <= maxy,
            Area.max_lat >= miny,
        )
    ).all()
    if not rows:
        return []
    geoms = shapely.from_wkb([r[1] for r in rows])
    shapely.prepare(shape)
    hit = shapely.intersects(shape, geoms) & ~shapely.touches(shape, geoms)
    return sorted(code for (code, _), keep in zip(rows, hit, strict=True) if keep)


def derive_areas_from_drawing(event: Event, geometry) -> list[str]:
    """Store the drawn area and add every kelurahan it covers (spatial join); returns all the
    kelurahan the drawing covers, in code order."""
    shape = parse_geometry(geometry)
    codes = kelurahan_in_area(shape)
    if not codes:
        raise DomainError(
            f"Area yang digambar tidak mengenai {istilah('wilayah')} mana pun yang dimuat.",
            field="geometry",
        )
    event.area_geojson = shapely.to_geojson(shapely.set_precision(shape, 1e-6))
    add_areas(event, codes, "digambar")
    db.session.flush()
    db.session.refresh(event, ["areas"])
    return codes


def kelurahan_choices() -> list[tuple[str, str, str, str]]:
    """(kecamatan code, kecamatan name, kelurahan code, kelurahan name) of every kelurahan, in
    kecamatan then kelurahan order, for the pick list."""
    parent = Area.__table__.alias("parent_area")
    return [
        (kec_code or "", kec_name or "", code, name)
        for kec_code, kec_name, code, name in db.session.execute(
            select(Area.parent_code, parent.c.name, Area.code, Area.name)
            .outerjoin(parent, parent.c.code == Area.parent_code)
            .where(Area.level == "kelurahan", Area.retired_at.is_(None))
            .order_by(parent.c.name, Area.name)
        )
    ]


def kelurahan_count() -> int:
    return db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) or 0
