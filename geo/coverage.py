"""Whether a boundary file's areas lie inside an office's area, by code and by geometry."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo.boundaries import BoundaryFileError

# The national kab/kota outline is simplified to about 200 m; desa along the office's border
# may reach past it by that much, so the outline is widened by about 1 km before the test.
OUTLINE_TOLERANCE_DEG = 0.01
_OFFICE_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
# Levels whose files are outline references (the national kab/kota file): only the office's
# own areas are taken from them. Finer files are the office's own and must lie inside it.
_REFERENCE_LEVELS = ("provinsi", "kab_kota")
_MAX_SHOWN = 8


@lru_cache(maxsize=8)
def _outline(path: str, mtime: float, office_code: str) -> shapely.Geometry | None:
    where = f"kode = '{office_code}'" if len(office_code) == 5 else f"kode LIKE '{office_code}.%'"
    source = "/vsigzip/" + path if path.endswith(".gz") else path
    frame = pyogrio.read_dataframe(source, where=where, columns=["kode"])
    if frame.empty:
        return None
    outline = shapely.union_all(shapely.make_valid(np.asarray(frame.geometry.values)))
    outline = shapely.buffer(outline, OUTLINE_TOLERANCE_DEG)
    shapely.prepare(outline)
    return outline


def office_outline(national_file: str | Path, office_code: str) -> shapely.Geometry | None:
    """The office's outline from the national kab/kota file, widened and prepared; cached.

    A provinsi office's outline is the union of its kab/kota. None when the file has no
    area of that code (a new kabupaten the file predates).
    """
    if not _OFFICE_CODE.match(office_code or ""):
        raise ValueError(f"office code must be PP or PP.KK, got {office_code!r}")
    path = Path(national_file)
    return _outline(str(path), path.stat().st_mtime, office_code)


def _relation(code: str, office_code: str) -> str:
    """'inside' (the office or below it), 'above' (an ancestor of the office) or 'outside'."""
    if code == office_code or code.startswith(office_code + "."):
        return "inside"
    if office_code.startswith(code + "."):
        return "above"
    return "outside"


def _shown(codes: list[str]) -> str:
    text = ", ".join(codes[:_MAX_SHOWN])
    if len(codes) > _MAX_SHOWN:
        text += f", dan {len(codes) - _MAX_SHOWN} lainnya"
    return text


def _regions(codes: list[str]) -> str:
    """The kab/kota (or provinsi) prefixes of codes, for a message: '12.75 (37 wilayah)'."""
    counts: dict[str, int] = {}
    for code in codes:
        counts[code[:5]] = counts.get(code[:5], 0) + 1
    return ", ".join(f"{prefix} ({n} wilayah)" for prefix, n in sorted(counts.items()))


def check_coverage(
    frame: gpd.GeoDataFrame,
    level: str,
    office_code: str,
    outline: shapely.Geometry | None,
) -> gpd.GeoDataFrame:
    """The frame's areas that belong to the office; raises BoundaryFileError for the rest.

    By code: an area belongs when its code is the office's or starts with it (an ancestor
    of the office, such as its provinsi, is kept too). A file with no area of the office is
    of another region and refused with the codes found. Areas of other regions in a
    provinsi or kab/kota file (the national outline file) are skipped and counted in the
    load report; in a kecamatan or kelurahan file they are refused.

    By geometry (when `outline` is given): every kept area below the office must have its
    label point inside the outline and its bounding box within the outline's, else the
    file is refused (coordinates of another place under the office's codes).
    """
    codes = frame["code"].tolist()
    relation = np.array([_relation(code, office_code) for code in codes])
    outside = [c for c, r in zip(codes, relation, strict=True) if r == "outside"]
    report = dict(frame.attrs.get("load_report", {}))
    if len(outside) == len(codes):
        raise BoundaryFileError(
            f"Berkas berisi wilayah di luar wilayah kantor ({office_code}): ditemukan kode "
            f"{_shown(outside)}, yaitu {_regions(outside)}. Muat berkas batas wilayah kantor "
            f"ini, atau periksa kode wilayah kantor (sekarang {office_code})."
        )
    if outside and level not in _REFERENCE_LEVELS:
        raise BoundaryFileError(
            f"{len(outside)} wilayah dalam berkas berada di luar wilayah kantor "
            f"({office_code}): {_shown(outside)}. Hapus wilayah itu dari berkas (atau "
            "perbaiki kodenya), lalu muat lagi."
        )
    kept = frame[relation != "outside"].reset_index(drop=True)
    report["skipped_outside"] = len(outside)
    report["skipped_outside_codes"] = outside[:_MAX_SHOWN]
    report["outline_checked"] = outline is not None
    if outline is not None:
        _check_geometry(kept, relation[relation != "outside"], office_code, outline)
    kept.attrs["load_report"] = report
    return kept


def _check_geometry(
    frame: gpd.GeoDataFrame, relation: np.ndarray, office_code: str, outline: shapely.Geometry
) -> None:
    below = relation == "inside"
    geoms = np.asarray(frame.geometry.values, dtype=object)[below]
    lng = frame["label_lng"].to_numpy(dtype=float)[below]
    lat = frame["label_lat"].to_numpy(dtype=float)[below]
    minx, miny, maxx, maxy = shapely.bounds(outline)
    bounds = shapely.bounds(geoms)
    in_box = (
        (bounds[:, 0] >= minx)
        & (bounds[:, 1] >= miny)
        & (bounds[:, 2] <= maxx)
        & (bounds[:, 3] <= maxy)
    )
    # The bounding-box test is free; the point test runs on the prepared outline.
    inside = in_box.copy()
    inside[in_box] = shapely.contains_xy(outline, lng[in_box], lat[in_box])
    if inside.all():
        return
    wrong = list(np.asarray(frame["code"].tolist(), dtype=object)[below][~inside])
    raise BoundaryFileError(
        f"{len(wrong)} wilayah berkode {office_code} letaknya di luar garis batas "
        f"{office_code} pada peta kabupaten/kota nasional: {_shown(wrong)}. Periksa "
        "koordinat berkas (mungkin berkas wilayah lain dengan kode yang salah), lalu muat lagi."
    )
