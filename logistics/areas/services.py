"""The administrative spine: load boundary sets, find the area containing a point, list areas."""

import json
import re
import tempfile
import threading
from pathlib import Path

import shapely
from flask import current_app
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from geo import AreaIndex, BoundaryFileError, file_sha256, read_boundaries
from geo.coverage import check_coverage, office_outline
from logistics.areas.models import LEVELS, Area, BoundarySet
from logistics.areas.search import forget as forget_search
from logistics.areas.store import (
    Progress,
    dropped_codes,
    existing_areas,
    frame_rows,
    provinsi_names,  # noqa: F401  (the NIK checks import it from here)
    store_frame,
)
from logistics.areas.versions import report_lines
from logistics.core import jobs
from logistics.core.audit import current_actor, record_action
from logistics.core.config import ROOT
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.queue import LOAD_BOUNDARIES
from logistics.core.wording import contoh_kode, istilah

OFFICE_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
NATIONAL_OUTLINE = ROOT / "data" / "boundaries" / "indonesia_kab_kota.geojson.gz"


def _no_progress(percent: int, message: str) -> None:
    pass


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
    path: Path,
    level: str,
    mapping: dict | None,
    version: str | None,
    user_id: int | None,
    layer: str | None = None,
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
            "layer": layer,
        },
        user_id,
    )


def office_area_code() -> str:
    """The Kemendagri code of the office's own area (PP for a provinsi, PP.KK otherwise)."""
    return str(current_app.config.get("OFFICE_AREA_CODE") or "").strip()


def read_checked(
    path: str | Path,
    level: str = "kelurahan",
    mapping: dict | None = None,
    layer: str | None = None,
    office_code: str | None = None,
):
    """Read a boundary file and keep the areas of the office; DomainError when unusable.

    The areas must lie inside the office's area by code and, against the national kab/kota
    outline, by geometry (geo.coverage.check_coverage). The frame's attrs["load_report"]
    says what was repaired, moved and skipped.
    """
    if level not in LEVELS:
        raise DomainError(
            f"Tingkat '{level}' tidak dikenal. Pilih: {', '.join(LEVELS)}.", field="level"
        )
    office_code = office_area_code() if office_code is None else office_code
    if office_code and not OFFICE_CODE.match(office_code):
        raise DomainError(
            f"Kode wilayah kantor '{office_code}' tidak sah: tulis PP untuk provinsi atau PP.KK "
            "untuk kabupaten/kota (POSKO_OFFICE_AREA_CODE), mis. 36.04."
        )
    try:
        frame = read_boundaries(Path(path), level=level, mapping=mapping, layer=layer)
        if office_code:
            outline = office_outline(NATIONAL_OUTLINE, office_code)
            frame = check_coverage(frame, level, office_code, outline)
    except BoundaryFileError as exc:
        raise DomainError(str(exc), field="file") from exc
    return frame


def load_boundary_file(
    path: str | Path,
    level: str = "kelurahan",
    mapping: dict | None = None,
    version: str | None = None,
    source_name: str | None = None,
    progress: Progress = _no_progress,
    layer: str | None = None,
    office_code: str | None = None,
) -> dict:
    """Load a boundary file into the spine as a new version; a re-load of the same data is a no-op.

    `layer` names the layer of a file that holds several (a GeoPackage); `office_code`
    defaults to the office's (OFFICE_AREA_CODE). A file covering part of the office's area
    updates those areas only; parents are rebuilt from all their current children.

    Raises DomainError (nothing written) for a file that is not a usable boundary file or
    that lies outside the office's area.
    """
    path = Path(path)
    progress(5, "Membaca dan memeriksa berkas")
    frame = read_checked(path, level, mapping, layer, office_code)
    progress(40, f"{len(frame)} wilayah terbaca dan valid")
    user_id, actor, _ = current_actor()
    boundary_set = BoundarySet(
        source_name=source_name or path.name,
        version=version,
        sha256=file_sha256(path),
        level=level,
        feature_count=len(frame),
        approximate=False,
        loaded_by_id=user_id,
        loaded_by=actor,
        report=_jsonable_report(frame.attrs.get("load_report", {})),
    )
    db.session.add(boundary_set)
    db.session.flush()
    return _store(frame, level, boundary_set, progress)


def preview_boundary_file(
    path: str | Path,
    level: str = "kelurahan",
    mapping: dict | None = None,
    layer: str | None = None,
    office_code: str | None = None,
) -> dict:
    """What loading the file would do, writing nothing: the checked frame (for a map), the
    counts of new, changed, unchanged and retired areas of its level, and the load report.

    Raises DomainError exactly as load_boundary_file would.
    """
    frame = read_checked(path, level, mapping, layer, office_code)
    rows = frame_rows(frame, level)
    existing = existing_areas([r["code"] for r in rows])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        found = existing.get(row["code"])
        if found is None:
            counts["created"] += 1
        elif found[1] == row["content_hash"] and found[3] is None:
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
    dropped = dropped_codes(frame, level)
    counts["retired"] = len(dropped)
    report = _jsonable_report(frame.attrs.get("load_report", {}))
    return {
        "features": len(frame),
        "level": level,
        "counts": counts,
        "retired_codes": dropped,
        "report": report,
        "report_lines": report_lines(report),
        "frame": frame,
    }


def _jsonable_report(report: dict) -> dict:
    """The load report with numpy numbers made plain, for the JSON column."""
    return json.loads(
        json.dumps(report, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    )


def _store(frame, level: str, boundary_set: BoundarySet, progress: Progress) -> dict:
    stats = store_frame(frame, level, boundary_set, progress)
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
    return {
        "boundary_set_id": boundary_set.id,
        "features": len(frame),
        "stats": stats,
        "report": boundary_set.report,
    }


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
    return _store(cells, "kelurahan", boundary_set, _no_progress)


def summarize(stats: dict) -> str:
    """One Indonesian sentence for a load's stats, for the jobs page and the CLI."""
    parts = []
    for level in LEVELS:
        if level in stats:
            s = stats[level]
            text = (
                f"{level.replace('_', '/')}: {s['created']} baru, {s['updated']} diperbarui, "
                f"{s['unchanged']} tetap"
            )
            if s.get("retired"):
                text += f", {s['retired']} dipensiunkan"
            parts.append(text)
    return "; ".join(parts)


# --- point lookup -------------------------------------------------------------------------

_index_lock = threading.Lock()
_index_cache: dict[tuple, AreaIndex] = {}


def _revision(level: str) -> tuple:
    """Changes whenever any area of the level is inserted or updated."""
    count, latest = db.session.execute(
        select(func.count(Area.id), func.max(Area.updated_at)).where(
            Area.level == level, Area.geometry_wkb.is_not(None), Area.retired_at.is_(None)
        )
    ).one()
    return (str(db.engine.url), level, count, latest)


def invalidate_index() -> None:
    with _index_lock:
        _index_cache.clear()
    forget_search()


def area_index(level: str = "kelurahan") -> tuple[AreaIndex, dict[str, int]]:
    """The spatial index of a level, built once per revision of the areas table."""
    key = _revision(level)
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is None:
            rows = db.session.execute(
                select(Area.code, Area.geometry_wkb)
                .where(
                    Area.level == level,
                    Area.geometry_wkb.is_not(None),
                    Area.retired_at.is_(None),
                )
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
        raise DomainError(f"Kode {istilah('wilayah')} wajib diisi.", field=field)
    if not KELURAHAN_CODE.match(code):
        raise DomainError(
            f"Kode {istilah('wilayah')} '{code}' salah format; tulis PP.KK.CC.NDDD, "
            f"mis. {contoh_kode()}.",
            field=field,
        )
    area = db.session.scalar(select(Area).where(Area.code == code, Area.level == "kelurahan"))
    if area is None:
        raise DomainError(
            f"Kode {istilah('wilayah')} '{code}' tidak dikenal di wilayah ini.", field=field
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
