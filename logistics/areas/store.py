"""Write a checked boundary frame into the spine: upsert, rebuild parents, retire dropped areas."""

import csv
import hashlib
from collections.abc import Callable

import geopandas as gpd
import shapely
from sqlalchemy import insert, select, update

from geo import dissolve_parents
from logistics.areas.models import LEVELS, Area, BoundarySet
from logistics.areas.versions import Recorder
from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.core.time import utcnow

PROVINSI_FILE = ROOT / "data" / "provinsi.csv"
PARENT_FALLBACK = {"kecamatan": "Kecamatan {code}", "kab_kota": "Kabupaten/Kota {code}"}
Progress = Callable[[int, str], None]
_CHUNK = 500


def provinsi_names() -> dict[str, str]:
    with open(PROVINSI_FILE, newline="", encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def _content_hash(row: dict) -> str:
    digest = hashlib.sha256()
    for key in ("level", "kind", "name", "parent_code", "label_lat", "label_lng"):
        digest.update(repr(row.get(key)).encode())
    digest.update(row.get("geometry_wkb") or b"")
    return digest.hexdigest()


def frame_rows(frame, level: str) -> list[dict]:
    """Turn a normalised boundary frame into area rows (geometry as WKB, bbox, hash)."""
    geoms = frame.geometry.values
    wkbs = shapely.to_wkb(geoms, hex=False, output_dimension=2)
    bounds = shapely.bounds(geoms)
    rows = []
    for i, rec in enumerate(frame.drop(columns="geometry").to_dict("records")):
        row = {
            "code": rec["code"],
            "level": level,
            "kind": rec["kind"],
            "name": rec["name"],
            "parent_code": rec.get("parent_code") or None,
            "geometry_wkb": wkbs[i],
            "area_km2": float(rec["area_km2"]) if rec.get("area_km2") is not None else None,
            "label_lat": float(rec["label_lat"]),
            "label_lng": float(rec["label_lng"]),
            "min_lng": float(bounds[i][0]),
            "min_lat": float(bounds[i][1]),
            "max_lng": float(bounds[i][2]),
            "max_lat": float(bounds[i][3]),
        }
        row["content_hash"] = _content_hash(row)
        rows.append(row)
    return rows


def existing_areas(codes: list[str]) -> dict[str, tuple]:
    """code -> (id, content hash, level of the file it came from, retired_at)."""
    found = {}
    for start in range(0, len(codes), _CHUNK):
        found.update(
            {
                code: rest
                for code, *rest in db.session.execute(
                    select(
                        Area.code, Area.id, Area.content_hash, BoundarySet.level, Area.retired_at
                    )
                    .outerjoin(BoundarySet, Area.boundary_set_id == BoundarySet.id)
                    .where(Area.code.in_(codes[start : start + _CHUNK]))
                )
            }
        )
    return found


def upsert(
    rows: list[dict], boundary_set: BoundarySet, recorder: Recorder, keep_native_geometry: bool
) -> dict:
    """Insert new areas, update changed ones in place, leave identical ones untouched.

    With keep_native_geometry, a dissolved parent never overwrites a geometry that was loaded
    from a file of the parent's own level (e.g. the national kab/kota file). A retired area
    that is in the file again comes back.
    """
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    level = rows[0]["level"]
    existing = existing_areas([r["code"] for r in rows])
    new, changed, unchanged = [], [], 0
    now = utcnow()
    for row in rows:
        row = dict(
            row,
            boundary_set_id=boundary_set.id,
            approximate=boundary_set.approximate,
            updated_at=now,
            retired_at=None,
        )
        if row["code"] not in existing:
            new.append(row)
            continue
        area_id, old_hash, native_level, retired_at = existing[row["code"]]
        if retired_at is None and (
            old_hash == row["content_hash"] or (keep_native_geometry and native_level == level)
        ):
            unchanged += 1
            continue
        changed.append(dict(row, id=area_id))
    for start in range(0, len(new), _CHUNK):
        db.session.execute(insert(Area), new[start : start + _CHUNK])
    recorder.created([r["code"] for r in new])
    if changed:
        recorder.before([r["id"] for r in changed])
        db.session.execute(update(Area), changed)
    return {"created": len(new), "updated": len(changed), "unchanged": unchanged}


def ensure_provinsi(codes: set[str], boundary_set: BoundarySet, recorder: Recorder) -> dict:
    names = provinsi_names()
    found = db.session.execute(
        select(Area.code, Area.id, Area.retired_at).where(Area.code.in_(codes))
    ).all()
    existing = {code for code, _, _ in found}
    # A provinsi a rollback retired comes back with the first area loaded into it again.
    retired = [area_id for _, area_id, retired_at in found if retired_at is not None]
    if retired:
        recorder.before(retired)
        db.session.execute(update(Area).where(Area.id.in_(retired)).values(retired_at=None))
    rows = [
        {
            "code": code,
            "level": "provinsi",
            "kind": "provinsi",
            "name": names.get(code, f"Provinsi {code}"),
            "boundary_set_id": boundary_set.id,
        }
        for code in sorted(codes - existing)
    ]
    if rows:
        db.session.execute(insert(Area), rows)
        recorder.created([r["code"] for r in rows])
    return {"created": len(rows), "updated": 0, "unchanged": len(existing)}


def _name_parents(frame, level: str):
    """A file without parent names keeps the names already known, or gets a placeholder."""
    missing = frame["name"].isna() | (frame["name"].astype(str).str.strip() == "")
    if not missing.any():
        return frame
    frame = frame.copy()
    known = dict(
        db.session.execute(
            select(Area.code, Area.name).where(Area.code.in_(list(frame.loc[missing, "code"])))
        ).all()
    )
    frame.loc[missing, "name"] = [
        known.get(code, PARENT_FALLBACK[level].format(code=code))
        for code in frame.loc[missing, "code"]
    ]
    return frame


def dropped_codes(frame, level: str) -> list[str]:
    """Current areas the file covers but no longer lists: same parent, code not in the file.

    A file covering part of the office's area says nothing about the parents it does not
    touch, so only siblings of the file's own areas count as dropped.
    """
    parents = sorted({p for p in frame["parent_code"].dropna()})
    listed = set(frame["code"])
    found = []
    for start in range(0, len(parents), _CHUNK):
        found += db.session.scalars(
            select(Area.code).where(
                Area.level == level,
                Area.parent_code.in_(parents[start : start + _CHUNK]),
                Area.retired_at.is_(None),
            )
        ).all()
    return sorted(code for code in found if code not in listed)


def _all_children(frame, dropped: list[str]) -> gpd.GeoDataFrame:
    """The file's kelurahan plus every current kelurahan of the same kab/kota it leaves as is.

    Parents are dissolved from this, never from a partial file alone.
    """
    kab_kota = sorted(set(frame["kab_kota_code"].dropna()))
    skip = set(frame["code"]) | set(dropped)
    rows = []
    for code in kab_kota:
        rows += db.session.execute(
            select(Area.code, Area.parent_code, Area.geometry_wkb).where(
                Area.level == "kelurahan",
                Area.code.startswith(code + "."),
                Area.retired_at.is_(None),
                Area.geometry_wkb.is_not(None),
            )
        ).all()
    rows = [r for r in rows if r[0] not in skip]
    if not rows:
        return frame
    others = gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "kecamatan_code": [r[1] for r in rows],
            "kecamatan_name": [None] * len(rows),
            "kab_kota_code": [r[0][:5] for r in rows],
            "kab_kota_name": [None] * len(rows),
        },
        geometry=shapely.from_wkb([r[2] for r in rows]),
        crs="EPSG:4326",
    )
    columns = list(others.columns)
    combined = gpd.GeoDataFrame(
        gpd.pd.concat([frame[columns], others], ignore_index=True), crs="EPSG:4326"
    )
    return combined.sort_values("code", kind="stable").reset_index(drop=True)


def retire(codes: list[str], recorder: Recorder) -> int:
    """Retire dropped areas and everything below them; kept for the rows that refer to them."""
    if not codes:
        return 0
    ids = []
    for code in codes:
        ids += db.session.scalars(
            select(Area.id).where(
                (Area.code == code) | Area.code.startswith(code + "."), Area.retired_at.is_(None)
            )
        ).all()
    recorder.before(ids)
    now = utcnow()
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(
            update(Area).where(Area.id.in_(ids[start : start + _CHUNK])).values(retired_at=now)
        )
    return len(ids)


def store_frame(frame, level: str, boundary_set: BoundarySet, progress: Progress) -> dict:
    """Write the frame: provinsi, dissolved parents, the areas, then retire the dropped ones."""
    if level not in LEVELS:
        raise ValueError(level)
    recorder = Recorder(boundary_set)
    dropped = dropped_codes(frame, level)
    parents = {}
    if level == "kelurahan":
        progress(45, "Menyusun kecamatan dan kabupaten/kota dari semua desa/kelurahan")
        parents = dissolve_parents(_all_children(frame, dropped))
    progress(60, "Menyimpan wilayah")
    provinsi = set(frame["provinsi_code"].dropna())
    stats = {"provinsi": ensure_provinsi(provinsi, boundary_set, recorder)}
    for parent_level in ("kab_kota", "kecamatan"):
        if parent_level in parents:
            named = _name_parents(parents[parent_level], parent_level)
            stats[parent_level] = upsert(
                frame_rows(named, parent_level), boundary_set, recorder, keep_native_geometry=True
            )
    stats[level] = upsert(
        frame_rows(frame, level), boundary_set, recorder, keep_native_geometry=False
    )
    stats[level]["retired"] = retire(dropped, recorder)
    recorder.write()
    return stats
