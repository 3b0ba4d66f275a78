"""The administrative spine: load boundary sets, find the area containing a point, list areas."""

import csv
import hashlib
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import shapely
from sqlalchemy import func, insert, select, update
from werkzeug.utils import secure_filename

from geo import AreaIndex, BoundaryFileError, dissolve_parents, file_sha256, read_boundaries
from logistics.areas.models import LEVELS, Area, BoundarySet
from logistics.core import jobs
from logistics.core.audit import record_action
from logistics.core.config import ROOT
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.queue import LOAD_BOUNDARIES
from logistics.core.time import utcnow
from logistics.core.wording import contoh_kode

PROVINSI_FILE = ROOT / "data" / "provinsi.csv"
Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    pass


def provinsi_names() -> dict[str, str]:
    with open(PROVINSI_FILE, newline="", encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def _content_hash(row: dict) -> str:
    digest = hashlib.sha256()
    for key in ("level", "kind", "name", "parent_code", "label_lat", "label_lng"):
        digest.update(repr(row.get(key)).encode())
    digest.update(row.get("geometry_wkb") or b"")
    return digest.hexdigest()


def _frame_rows(frame, level: str) -> list[dict]:
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


def _upsert(rows: list[dict], set_id: int, approximate: bool, keep_native_geometry: bool) -> dict:
    """Insert new areas, update changed ones in place, leave identical ones untouched.

    With keep_native_geometry, a dissolved parent never overwrites a geometry that was loaded
    from a file of the parent's own level (e.g. the national kab/kota file).
    """
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    level = rows[0]["level"]
    existing = {
        code: (area_id, content_hash, native_level)
        for code, area_id, content_hash, native_level in db.session.execute(
            select(Area.code, Area.id, Area.content_hash, BoundarySet.level)
            .outerjoin(BoundarySet, Area.boundary_set_id == BoundarySet.id)
            .where(Area.code.in_([r["code"] for r in rows]))
        )
    }
    new, changed, unchanged = [], [], 0
    for row in rows:
        row = dict(row, boundary_set_id=set_id, approximate=approximate, updated_at=utcnow())
        if row["code"] not in existing:
            new.append(row)
            continue
        area_id, old_hash, native_level = existing[row["code"]]
        if old_hash == row["content_hash"]:
            unchanged += 1
            continue
        if keep_native_geometry and native_level == level:
            unchanged += 1
            continue
        changed.append(dict(row, id=area_id))
    for start in range(0, len(new), 500):
        db.session.execute(insert(Area), new[start : start + 500])
    if changed:
        db.session.execute(update(Area), changed)
    return {"created": len(new), "updated": len(changed), "unchanged": unchanged}


def _ensure_provinsi(codes: set[str], set_id: int) -> dict:
    names = provinsi_names()
    existing = set(db.session.scalars(select(Area.code).where(Area.code.in_(codes))))
    rows = [
        {
            "code": code,
            "level": "provinsi",
            "kind": "provinsi",
            "name": names.get(code, f"Provinsi {code}"),
            "boundary_set_id": set_id,
        }
        for code in sorted(codes - existing)
    ]
    if rows:
        db.session.execute(insert(Area), rows)
    return {"created": len(rows), "updated": 0, "unchanged": len(existing)}


def parse_mapping(text: str | None) -> dict | None:
    """'code=KODE, name=NAMA' -> {'code': 'KODE', 'name': 'NAMA'}."""
    if not text or not text.strip():
        return None
    mapping = {}
    for part in text.split(","):
        if "=" not in part:
            raise DomainError(
                f"Pemetaan '{part.strip()}' harus berbentuk kolom_kita=KOLOM_BERKAS.",
                field="mapping",
            )
        ours, theirs = (s.strip() for s in part.split("=", 1))
        if not ours or not theirs:
            raise DomainError(f"Pemetaan '{part.strip()}' tidak lengkap.", field="mapping")
        mapping[ours] = theirs
    return mapping


def upload_path(instance_dir: str | Path, filename: str | None) -> Path:
    """A fresh folder of its own under the instance's uploads, and the file's safe name in it."""
    name = secure_filename(filename or "batas.geojson") or "batas.geojson"
    folder = Path(instance_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="batas-", dir=folder)) / name


def queue_boundary_load(
    path: Path, level: str, mapping: dict | None, version: str | None, user_id: int | None
) -> JobRecord:
    """Record the background load of an uploaded boundary file (sent to the queue once committed)."""
    return jobs.create_job(
        LOAD_BOUNDARIES,
        f"Muat batas wilayah: {path.name}",
        {
            "path": str(path),
            "level": level,
            "mapping": mapping,
            "version": version,
            "source_name": path.name,
        },
        user_id,
    )


def load_boundary_file(
    path: str | Path,
    level: str = "kelurahan",
    mapping: dict | None = None,
    version: str | None = None,
    source_name: str | None = None,
    progress: Progress = _no_progress,
    layer: str | None = None,
) -> dict:
    """Load a boundary file into the spine; creates parents; a re-load of the same data is a no-op.

    `layer` names the layer of a file that holds several (a GeoPackage).

    Raises DomainError (nothing written) for a file that is not a usable boundary file.
    """
    if level not in LEVELS:
        raise DomainError(
            f"Tingkat '{level}' tidak dikenal. Pilih: {', '.join(LEVELS)}.", field="level"
        )
    path = Path(path)
    progress(5, "Membaca berkas")
    try:
        frame = read_boundaries(path, level=level, mapping=mapping, layer=layer)
    except BoundaryFileError as exc:
        raise DomainError(str(exc), field="file") from exc
    progress(40, f"{len(frame)} wilayah terbaca dan valid")

    boundary_set = BoundarySet(
        source_name=source_name or path.name,
        version=version,
        sha256=file_sha256(path),
        level=level,
        feature_count=len(frame),
        approximate=False,
    )
    db.session.add(boundary_set)
    db.session.flush()
    return _store_frame(frame, level, boundary_set, progress)


PARENT_FALLBACK = {"kecamatan": "Kecamatan {code}", "kab_kota": "Kabupaten/Kota {code}"}


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


def _store_frame(frame, level: str, boundary_set: BoundarySet, progress: Progress) -> dict:
    parents = {}
    if level == "kelurahan":
        progress(45, "Menyusun kecamatan dan kabupaten/kota")
        parents = dissolve_parents(frame)
    progress(60, "Menyimpan wilayah")
    approximate = boundary_set.approximate
    stats = {"provinsi": _ensure_provinsi(set(frame["provinsi_code"].dropna()), boundary_set.id)}
    for parent_level in ("kab_kota", "kecamatan"):
        if parent_level in parents:
            named = _name_parents(parents[parent_level], parent_level)
            stats[parent_level] = _upsert(
                _frame_rows(named, parent_level),
                boundary_set.id,
                approximate,
                keep_native_geometry=True,
            )
    stats[level] = _upsert(
        _frame_rows(frame, level), boundary_set.id, approximate, keep_native_geometry=False
    )
    progress(95, "Menyelesaikan")
    boundary_set.stats = stats
    record_action(
        "boundary_load",
        "boundary_sets",
        boundary_set.id,
        {"source": boundary_set.source_name, "level": level, "stats": stats},
    )
    db.session.flush()
    invalidate_index()
    return {"boundary_set_id": boundary_set.id, "features": len(frame), "stats": stats}


def load_demo_areas(gazetteer: str | Path) -> dict:
    """Approximate kelurahan areas (Voronoi cells of one point each) for a fresh demo install."""
    from geo.demo import points_from_csv, voronoi_areas

    points = points_from_csv(gazetteer)
    cells = voronoi_areas(points)
    cells["parent_code"] = cells["kecamatan_code"]
    cells["provinsi_code"] = cells["code"].str[:2]
    cells["label_lat"] = points.geometry.y.values
    cells["label_lng"] = points.geometry.x.values
    boundary_set = BoundarySet(
        source_name=Path(gazetteer).name,
        version="perkiraan (Voronoi)",
        sha256=file_sha256(gazetteer),
        level="kelurahan",
        feature_count=len(cells),
        approximate=True,
    )
    db.session.add(boundary_set)
    db.session.flush()
    return _store_frame(cells, "kelurahan", boundary_set, _no_progress)


def summarize(stats: dict) -> str:
    """One Indonesian sentence for a load's stats, for the jobs page and the CLI."""
    parts = []
    for level in LEVELS:
        if level in stats:
            s = stats[level]
            parts.append(
                f"{level.replace('_', '/')}: {s['created']} baru, {s['updated']} diperbarui, "
                f"{s['unchanged']} tetap"
            )
    return "; ".join(parts)


# --- point lookup -------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_cache: dict[tuple, AreaIndex] = {}


def _revision(level: str) -> tuple:
    """Changes whenever any area of the level is inserted or updated."""
    count, latest = db.session.execute(
        select(func.count(Area.id), func.max(Area.updated_at)).where(
            Area.level == level, Area.geometry_wkb.is_not(None)
        )
    ).one()
    return (str(db.engine.url), level, count, latest)


def invalidate_index() -> None:
    with _index_lock:
        _index_cache.clear()


def area_index(level: str = "kelurahan") -> tuple[AreaIndex, dict[str, int]]:
    """The spatial index of a level, built once per revision of the areas table."""
    key = _revision(level)
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is None:
            rows = db.session.execute(
                select(Area.code, Area.geometry_wkb)
                .where(Area.level == level, Area.geometry_wkb.is_not(None))
                .order_by(Area.code)
            ).all()
            codes = [r[0] for r in rows]
            geoms = shapely.from_wkb([r[1] for r in rows])
            cached = AreaIndex(codes, geoms)
            _index_cache.clear()
            _index_cache[key] = cached
    return cached


def lookup_point(lat: float, lng: float, level: str = "kelurahan") -> Area:
    """The area of the level containing the point; NotFound outside every loaded area."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("Koordinat di luar jangkauan (lat -90..90, lng -180..180).")
    code = area_index(level).lookup(lng, lat)
    if code is None:
        raise NotFound("Titik ini tidak berada di wilayah mana pun yang dimuat.")
    return get_area(code)


KELURAHAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$")


def require_kelurahan(code: str | None, field: str = "kelurahan_code") -> Area:
    """The kelurahan/desa with this code, or a DomainError saying what is wrong with the code."""
    code = (code or "").strip()
    if not code:
        raise DomainError("Kode kelurahan/desa wajib diisi.", field=field)
    if not KELURAHAN_CODE.match(code):
        raise DomainError(
            f"Kode kelurahan/desa '{code}' salah format; tulis PP.KK.CC.NDDD, "
            f"mis. {contoh_kode()}.",
            field=field,
        )
    area = db.session.scalar(select(Area).where(Area.code == code, Area.level == "kelurahan"))
    if area is None:
        raise DomainError(
            f"Kode kelurahan/desa '{code}' tidak dikenal di wilayah ini.", field=field
        )
    return area


def get_area(code: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise NotFound(f"Kode wilayah '{code}' tidak dikenal.")
    return area


def area_chain(area: Area) -> dict[str, Area]:
    """The area and its ancestors keyed by level."""
    chain = {}
    node = area
    while node is not None:
        chain[node.level] = node
        node = node.parent
    return chain
