"""Read, validate and normalise administrative boundary files."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

LEVELS = ("provinsi", "kab_kota", "kecamatan", "kelurahan")

CODE_PATTERNS = {
    "provinsi": r"^\d{2}$",
    "kab_kota": r"^\d{2}\.\d{2}$",
    "kecamatan": r"^\d{2}\.\d{2}\.\d{2}$",
    "kelurahan": r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$",
}

OUTPUT_COLUMNS = (
    "code",
    "name",
    "kind",
    "parent_code",
    "kecamatan_code",
    "kecamatan_name",
    "kab_kota_code",
    "kab_kota_name",
    "provinsi_code",
    "label_lat",
    "label_lng",
    "area_km2",
    "geometry",
)

# Candidate source column names per target field, matched case-insensitively. This is the one
# place that knows how other people name things: our shared files (kode, nama, jenis, ...) and
# the BIG (Badan Informasi Geospasial) RBI attribute names (KDEPUM, WADMKD, ...).
# "code"/"name" are the generic names of a feature's own code and name at any level; they are
# tried before the level-specific names (e.g. at level kelurahan: kode, then KDEPUM).
SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("kode", "code", "kode_wilayah", "kd_wilayah", "kode_kemendagri"),
    "name": ("nama", "name", "nama_wilayah"),
    "kind": ("jenis", "TIPADM", "tipe", "kind"),
    "kelurahan_code": ("KDEPUM", "kode_kel", "kode_desa", "kode_kelurahan"),
    "kelurahan_name": ("WADMKD", "kelurahan", "desa", "nama_kel", "nama_desa", "nama_kelurahan"),
    "kecamatan_code": ("kode_kec", "KDCPUM", "kecamatan_code", "kode_kecamatan"),
    "kecamatan_name": ("kecamatan", "WADMKC", "kecamatan_name", "nama_kec", "nama_kecamatan"),
    "kab_kota_code": ("kode_kab", "KDPKAB", "kab_kota_code", "kode_kabkota", "kode_kab_kota"),
    "kab_kota_name": (
        "kab_kota",
        "WADMKK",
        "kab_kota_name",
        "kabkota",
        "kabupaten",
        "nama_kab",
        "nama_kabkota",
    ),
    "provinsi_code": ("kode_prov", "KDPPUM", "provinsi_code", "kode_provinsi"),
    "provinsi_name": ("provinsi", "WADMPR", "nama_prov", "nama_provinsi"),
    "label_lat": ("label_lat", "lat", "latitude", "lintang"),
    "label_lng": ("label_lng", "lng", "lon", "long", "longitude", "bujur"),
}

# Indonesian keys an operator may type for an explicit mapping (e.g. --map kode=KODE_DESA).
MAPPING_ALIASES = {
    "kode": "code",
    "nama": "name",
    "jenis": "kind",
    "kode_kec": "kecamatan_code",
    "kecamatan": "kecamatan_name",
    "kode_kab": "kab_kota_code",
    "kab_kota": "kab_kota_name",
    "kode_prov": "provinsi_code",
    "provinsi": "provinsi_name",
}

_LEVEL_LABELS = {
    "provinsi": "provinsi",
    "kab_kota": "kabupaten/kota",
    "kecamatan": "kecamatan",
    "kelurahan": "kelurahan/desa",
}
_CODE_FORMATS = {
    "provinsi": "PP",
    "kab_kota": "PP.KK",
    "kecamatan": "PP.KK.CC",
    "kelurahan": "PP.KK.CC.NDDD",
}
# Digit groups of a code per level; a code written without dots is split along them.
_CODE_GROUPS = {
    "provinsi": (2,),
    "kab_kota": (2, 2),
    "kecamatan": (2, 2, 2),
    "kelurahan": (2, 2, 2, 4),
}
# Length of the dotted code of each level: a child code's prefix of this length is its parent.
_CODE_LENGTHS = {"provinsi": 2, "kab_kota": 5, "kecamatan": 8, "kelurahan": 13}
_COMPILED = {level: re.compile(pattern) for level, pattern in CODE_PATTERNS.items()}

# Textual kinds of a village-level area. Anything else (e.g. BIG's numeric TIPADM, which is an
# administrative-level number, not kelurahan/desa) falls back to the code's N digit.
_DESA_WORDS = {"desa", "ds", "ds.", "gampong", "nagari", "kampung", "desa adat", "pekon"}
_KELURAHAN_WORDS = {"kelurahan", "kel", "kel."}

_EQUAL_AREA_CRS = "EPSG:6933"
_MAX_PREVIEW = 5


class BoundaryFileError(ValueError):
    """A boundary file that cannot be loaded; the message is Indonesian and shown to operators.

    `problems` lists every problem found (one Indonesian sentence each).
    """

    def __init__(self, message: str, problems: Sequence[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems is not None else [message]


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def normalize_code(value: object, level: str) -> str | None:
    """A source code as our text code: whitespace stripped; dots inserted into bare digits.

    BIG files sometimes store codes without dots ('3275011001'); when a code is all digits and
    has exactly the digit count of the level (2, 4, 6 or 10), the dots are inserted
    ('32.75.01.1001'). Integral numbers (a column read as numeric) become their digits.
    Anything else is returned as written, for the pattern check to report.
    """
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return None
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
    elif isinstance(value, int | np.integer):
        text = str(int(value))
    else:
        text = str(value).strip()
    if not text:
        return None
    groups = _CODE_GROUPS[level]
    if text.isdigit() and len(text) == sum(groups):
        parts, start = [], 0
        for size in groups:
            parts.append(text[start : start + size])
            start += size
        text = ".".join(parts)
    return text


def code_matches(code: str | None, level: str) -> bool:
    """Whether a code fits the Kemendagri format of the level."""
    return code is not None and _COMPILED[level].match(code) is not None


def kab_kota_kind(name: str | None, code: str | None = None) -> str:
    """'kota' or 'kabupaten' from the name's prefix; the code decides a bare name.

    Kemendagri numbers kota 71-99 and kabupaten 01-69 within a provinsi, which settles names
    without prefix (BIG's WADMKK writes kabupaten names bare).
    """
    text = (name or "").strip().lower()
    if text.startswith("kota"):
        return "kota"
    if text.startswith("kab"):
        return "kabupaten"
    if code and len(code) >= 5 and code[3:5].isdigit():
        return "kota" if int(code[3:5]) >= 70 else "kabupaten"
    return "kabupaten"


def _preview(items: Sequence[str], limit: int = _MAX_PREVIEW) -> str:
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f", dan {len(items) - limit} lainnya"
    return shown


def _display_candidates(field: str, level: str) -> str:
    return ", ".join(_candidates(field, level))


def _candidates(field: str, level: str) -> tuple[str, ...]:
    if field in ("code", "name"):
        return SOURCE_FIELDS[field] + SOURCE_FIELDS[f"{level}_{field}"]
    return SOURCE_FIELDS[field]


def _fields_for_level(level: str) -> list[str]:
    """Target fields read from the source at a level: own code/name plus the ancestors'."""
    fields = ["code", "name", "kind", "label_lat", "label_lng"]
    above = LEVELS[: LEVELS.index(level)]
    for parent in above:
        fields.append(f"{parent}_code")
        if parent != "provinsi":
            fields.append(f"{parent}_name")
    return fields


def _resolve_columns(
    columns: Iterable[str], level: str, mapping: dict[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """Map our fields to source columns; returns (resolved, problems)."""
    by_lower: dict[str, str] = {}
    for column in columns:
        by_lower.setdefault(column.lower(), column)
    problems: list[str] = []
    resolved: dict[str, str] = {}
    explicit: dict[str, str] = {}
    failed: set[str] = set()
    for key, source in (mapping or {}).items():
        field = MAPPING_ALIASES.get(key.strip().lower(), key.strip().lower())
        failed.add(field)
        if field not in SOURCE_FIELDS:
            known = ", ".join(sorted(SOURCE_FIELDS))
            problems.append(f"Pemetaan kolom '{key}' tidak dikenal. Yang dapat dipetakan: {known}.")
            continue
        column = by_lower.get(str(source).strip().lower())
        if column is None:
            problems.append(
                f"Kolom '{source}' (pemetaan {key}) tidak ada di berkas. "
                f"Kolom yang ada: {_preview(sorted(by_lower.values()), 20)}."
            )
            continue
        failed.discard(field)
        explicit[field] = column
    for field in _fields_for_level(level):
        if field in explicit:
            resolved[field] = explicit[field]
            continue
        for candidate in _candidates(field, level):
            column = by_lower.get(candidate.lower())
            if column is not None and column not in resolved.values():
                resolved[field] = column
                break
    available = _preview(sorted(by_lower.values()), 20) or "(tidak ada)"
    for field, label, key in (("code", "kode wilayah", "code"), ("name", "nama wilayah", "name")):
        if field not in resolved and field not in failed:
            problems.append(
                f"Berkas tidak memiliki kolom {label} (dicari: {_display_candidates(field, level)}). "
                f"Kolom yang ada: {available}. "
                f"Berikan pemetaan kolom dengan --map {key}=NAMA_KOLOM."
            )
    return resolved, problems


def _vsi_path(path: Path) -> str:
    """GDAL's virtual path: gzip and zip archives are read in place, without unpacking.

    A zip whose shapefile sits in a folder (how Windows' "Send to > Compressed folder" packs a
    folder) is opened at that folder.
    """
    name = path.name.lower()
    if name.endswith(".gz"):
        return "/vsigzip/" + str(path)
    if name.endswith(".zip"):
        return "/vsizip/" + str(path) + _zip_folder(path)
    return str(path)


def _zip_folder(path: Path) -> str:
    """'/folder' of the first shapefile inside a zip when it is not at the top, else ''."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return ""
    shapefiles = sorted(n for n in names if n.lower().endswith(".shp") and "__MACOSX" not in n)
    if not shapefiles or "/" not in shapefiles[0]:
        return ""
    return "/" + shapefiles[0].rsplit("/", 1)[0]


def _not_boundary_file(path: Path, detail: str) -> BoundaryFileError:
    return BoundaryFileError(
        f"Berkas '{path.name}' bukan berkas batas wilayah yang dapat dibaca ({detail}). "
        "Gunakan GeoJSON (.geojson, .json, .geojson.gz), GeoPackage (.gpkg) atau "
        "Shapefile (.shp, atau .zip berisi .shp, .shx, .dbf, .prj)."
    )


def _pick_layer(path: Path, layers, wanted: str | None) -> str:
    """The layer to read: the one asked for, else the only polygon layer (else the first)."""
    names = [str(name) for name, _ in layers]
    if wanted is not None:
        if wanted not in names:
            raise BoundaryFileError(
                f"Lapisan '{wanted}' tidak ada di berkas '{path.name}'. "
                f"Lapisan yang ada: {', '.join(names)}."
            )
        return wanted
    polygons = [str(n) for n, kind in layers if kind and "polygon" in str(kind).lower()]
    if len(polygons) > 1:
        raise BoundaryFileError(
            f"Berkas '{path.name}' berisi {len(polygons)} lapisan poligon: {', '.join(polygons)}. "
            "Pilih satu lapisan (--layer NAMA di baris perintah, atau pilihan lapisan di "
            "halaman Wilayah)."
        )
    return polygons[0] if polygons else names[0]


def _read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    if not path.is_file():
        raise BoundaryFileError(f"Berkas batas wilayah tidak ditemukan: {path}")
    source = _vsi_path(path)
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:  # any GDAL failure here means "not a vector file"
        raise _not_boundary_file(path, "format tidak dikenali") from exc
    if len(layers) == 0:
        raise _not_boundary_file(path, "tidak ada lapisan data vektor")
    layer = _pick_layer(path, layers, layer)
    try:
        return pyogrio.read_dataframe(source, layer=layer)
    except Exception as exc:  # corrupt or truncated content
        raise _not_boundary_file(path, f"isi tidak dapat dibaca: {exc}") from exc


def _to_wgs84(geoms: gpd.GeoSeries) -> np.ndarray:
    """Geometries in EPSG:4326; a missing CRS is accepted only for lng/lat-like coordinates."""
    if geoms.crs is None:
        minx, miny, maxx, maxy = geoms.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryFileError(
                "Berkas tidak memiliki informasi sistem koordinat (CRS) dan "
                "koordinatnya bukan bujur/lintang. Simpan ulang berkas beserta CRS-nya "
                "(untuk Shapefile sertakan berkas .prj)."
            )
        return np.asarray(geoms.values, dtype=object)
    if geoms.crs.to_epsg() != 4326:
        geoms = geoms.to_crs("EPSG:4326")
    return np.asarray(geoms.values, dtype=object)


# Indonesia lies within about 94-142 deg E and 11 deg S - 6 deg N; a little margin for outer islands.
INDONESIA_BOUNDS = (92.0, -12.0, 143.0, 7.0)


def _range(low: float, high: float) -> str:
    return f"{low:.4g} sampai {high:.4g}"


def check_coordinates(geoms: np.ndarray, crs_name: str | None) -> str | None:
    """A problem sentence when the lng/lat geometries do not lie in Indonesia, else None.

    Checked whatever the file claims: a GeoJSON without a `crs` member is read as WGS84 even
    when it holds Web-Mercator metres, and a file with latitude and longitude swapped is still
    valid GeoJSON. The sentence says what was found and what to do.
    """
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[present])
    west, south, east, north = INDONESIA_BOUNDS
    found = f"bujur {_range(minx, maxx)}, lintang {_range(miny, maxy)}"
    claimed = f" (berkas menyatakan {crs_name})" if crs_name else ""
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return (
            f"Koordinat berkas bukan derajat bujur/lintang{claimed}: ditemukan {found}. "
            "Angka sebesar ini biasanya meter (misalnya Web Mercator EPSG:3857 atau UTM). "
            "Simpan ulang berkas dengan sistem koordinatnya (GeoJSON: ubah ke EPSG:4326; "
            "Shapefile: sertakan berkas .prj), lalu muat lagi."
        )
    if west <= miny and maxy <= east and south <= minx and maxx <= north:
        return (
            f"Bujur dan lintang tampaknya tertukar: ditemukan {found}, padahal Indonesia "
            "berada di bujur 94 sampai 142 dan lintang -11 sampai 6. Simpan ulang berkas dengan "
            "urutan koordinat [bujur, lintang], lalu muat lagi."
        )
    if not (west <= minx and maxx <= east and south <= miny and maxy <= north):
        return (
            f"Wilayah dalam berkas berada di luar Indonesia{claimed}: ditemukan {found}. "
            "Periksa sistem koordinat berkas (harus EPSG:4326 atau disertai CRS yang benar)."
        )
    return None


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal content of any geometry (e.g. of make_valid's GeometryCollection)."""
    parts = [
        part
        for part in shapely.get_parts(shapely.get_parts(geom))
        if shapely.get_type_id(part) == 3 and not part.is_empty
    ]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    merged = shapely.MultiPolygon(parts)
    # Parts sharing an edge make an invalid MultiPolygon; a union fuses them.
    return merged if merged.is_valid else shapely.union_all(parts)


def _clean_geometries(geoms: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """2-D, valid, polygon-only geometries; returns them and masks of what was found."""
    geoms = shapely.force_2d(geoms)
    source_types = shapely.get_type_id(geoms)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        # 'structure' treats rings as areas, the right model for boundaries.
        geoms[invalid] = shapely.make_valid(
            geoms[invalid], method="structure", keep_collapsed=False
        )
    type_ids = shapely.get_type_id(geoms)
    polygonal = np.isin(type_ids, (3, 6)) & ~shapely.is_empty(geoms)
    for i in np.flatnonzero(~missing & ~polygonal):
        geoms[i] = _polygonal_part(geoms[i])
    has_polygon = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    return geoms, {
        "missing": missing,
        "not_polygon": ~missing & ~has_polygon,
        "repaired": invalid,
        "types": source_types,
    }


def _label_points(
    geoms: np.ndarray, lat: np.ndarray | None, lng: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Source label points where they fall inside their polygon, else point_on_surface."""
    n = len(geoms)
    out_lat = np.full(n, np.nan)
    out_lng = np.full(n, np.nan)
    usable = np.zeros(n, dtype=bool)
    if lat is not None and lng is not None:
        finite = np.isfinite(lat) & np.isfinite(lng)
        usable[finite] = shapely.contains_xy(geoms[finite], lng[finite], lat[finite])
        out_lat[usable] = lat[usable]
        out_lng[usable] = lng[usable]
    fallback = ~usable & ~shapely.is_missing(geoms)
    points = shapely.point_on_surface(geoms[fallback])
    out_lng[fallback] = shapely.get_x(points)
    out_lat[fallback] = shapely.get_y(points)
    replaced = int(fallback.sum()) if lat is not None else 0
    return out_lat, out_lng, replaced


def area_km2(geoms: np.ndarray | Sequence[shapely.Geometry]) -> np.ndarray:
    """Areas in km² of lng/lat geometries, measured in an equal-area CRS, 4 decimals."""
    series = gpd.GeoSeries(np.asarray(geoms, dtype=object), crs="EPSG:4326")
    return np.round(series.to_crs(_EQUAL_AREA_CRS).area.to_numpy() / 1e6, 4)


def _text_column(values: Iterable[object]) -> pd.Series:
    """An object column with None for missing text (pandas 3 would infer 'str' with NaN)."""
    cleaned = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            cleaned.append(None)
        else:
            text = str(value).strip()
            cleaned.append(text or None)
    return pd.Series(cleaned, dtype=object)


def _numeric(frame: pd.DataFrame, column: str | None) -> np.ndarray | None:
    if column is None:
        return None
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _kelurahan_kind(kind_text: str | None, code: str) -> str:
    if kind_text:
        word = kind_text.strip().lower()
        if word in _KELURAHAN_WORDS:
            return "kelurahan"
        if word in _DESA_WORDS:
            return "desa"
    return "kelurahan" if code[9] == "1" else "desa"


def _row_label(code: str | None, row: int) -> str:
    return code if code else f"baris {row + 1}"


def _ancestor(
    parent: str,
    codes: list[str],
    frame: pd.DataFrame,
    resolved: dict[str, str],
    report: dict,
) -> list[str | None]:
    """An ancestor's code for every row: the own code's prefix, compared with the source's.

    Kemendagri codes are hierarchical, so the prefix is the parent by definition; a source
    column that disagrees is only counted in the load report.
    """
    length = _CODE_LENGTHS[parent]
    derived = [code[:length] for code in codes]
    column = resolved.get(f"{parent}_code")
    if column is not None:
        source = [normalize_code(v, parent) for v in frame[column].tolist()]
        mismatches = sum(1 for s, d in zip(source, derived, strict=True) if s and s != d)
        report[f"{parent}_code_mismatches"] = mismatches
    return derived


def read_boundaries(
    path: str | Path,
    level: str = "kelurahan",
    mapping: dict[str, str] | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a boundary file of one level into our normalised frame (EPSG:4326).

    Reads what GDAL reads: GeoJSON (.geojson, .json, .geojson.gz), GeoPackage, Shapefile
    (.shp or a .zip holding one, also in a folder). A file with several polygon layers needs
    `layer`. Coordinates must lie in Indonesia whatever the file claims (check_coordinates).
    Source columns are recognised by name (SOURCE_FIELDS,
    case-insensitive); `mapping` (our field -> source column) overrides. The result has exactly
    OUTPUT_COLUMNS. Text columns are object dtype with None for missing values.

    Per level: `kind` is 'kelurahan'/'desa' (from jenis, else the code's N digit), 'kecamatan',
    'kota'/'kabupaten' (name prefix) or 'provinsi'; `parent_code` is the next level up.
    Ancestor columns (kecamatan_*, kab_kota_*, provinsi_code) describe the row's ancestors;
    the column of the row's own level repeats its own code and name, lower levels are None.

    Geometry is reprojected to EPSG:4326, repaired with make_valid and reduced to its
    polygonal parts. Label points come from label_lat/label_lng when they fall inside the
    polygon, else shapely's point_on_surface. area_km2 is measured in EPSG:6933.

    Raises BoundaryFileError (Indonesian, listing every problem found) and loads nothing when
    the file is unusable. A load report is left in `frame.attrs["load_report"]`.
    """
    if level not in LEVELS:
        raise BoundaryFileError(
            f"Tingkat wilayah '{level}' tidak dikenal. Pilih: {', '.join(LEVELS)}."
        )
    path = Path(path)
    raw = _read_vector(path, layer)
    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.name not in raw.columns:
        raise _not_boundary_file(path, "tidak berisi geometri wilayah")
    if len(raw) == 0:
        raise BoundaryFileError(f"Berkas '{path.name}' tidak berisi satu pun fitur wilayah.")
    raw = raw.reset_index(drop=True)

    attributes = pd.DataFrame(raw.drop(columns=raw.geometry.name))
    resolved, problems = _resolve_columns(attributes.columns, level, mapping)
    as_read, geoms, found = _geometries(path, raw, problems)
    codes: list[str | None] = [None] * len(raw)
    if "code" in resolved:
        codes = [normalize_code(v, level) for v in attributes[resolved["code"]].tolist()]
        problems += _code_problems(codes, attributes[resolved["code"]], level)
    problems += _geometry_problems(found, codes)
    names = _text_column(attributes[resolved["name"]]) if "name" in resolved else None
    if names is not None and names.isna().any():
        rows = np.flatnonzero(names.isna().to_numpy())
        shown = [_row_label(codes[i], i) for i in rows]
        problems.append(f"{len(rows)} wilayah tanpa nama: {_preview(shown)}.")
    if problems:
        raise BoundaryFileError(_compose(path, problems), problems)

    # From here on every row has a valid code, a name and a polygonal lng/lat geometry.
    report: dict = {
        "source": path.name,
        "features": len(raw),
        "columns": dict(resolved),
        "repaired_geometries": int(found["repaired"].sum()),
        "source_crs": raw.crs.to_string() if raw.crs is not None else None,
    }
    label_lat, label_lng = _report_labels(report, attributes, resolved, codes, geoms)
    report["repairs"] = _repairs(codes, as_read, geoms, found["repaired"])
    kind_text = (
        _text_column(attributes[resolved["kind"]]).tolist()
        if "kind" in resolved
        else [None] * len(raw)
    )
    columns = _assemble(level, codes, names.tolist(), kind_text, attributes, resolved, report)
    columns["label_lat"] = label_lat
    columns["label_lng"] = label_lng
    columns["area_km2"] = area_km2(geoms)
    frame = gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4326")
    frame = frame[list(OUTPUT_COLUMNS)]
    frame.attrs["load_report"] = report
    return frame


def _geometries(
    path: Path, raw: gpd.GeoDataFrame, problems: list[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(geometries as read, cleaned lng/lat geometries, what cleaning found); adds problems.

    Raises at once when nothing polygonal is left: then the file is no boundary file at all.
    """
    # Reproject first, so that repairs happen once and in the coordinates we keep.
    crs_problem = None
    try:
        geoms = _to_wgs84(raw.geometry)
    except BoundaryFileError as exc:
        crs_problem = str(exc)
        geoms = np.asarray(raw.geometry.values, dtype=object)
    as_read = shapely.force_2d(geoms)
    geoms, found = _clean_geometries(geoms)
    if not (~found["missing"] & ~found["not_polygon"]).any():
        kinds = sorted(
            {shapely.GeometryType(t).name.title() for t in set(found["types"]) if t >= 0}
        )
        detail = f" (ditemukan: {', '.join(kinds)})" if kinds else ""
        problems.append(
            f"Berkas tidak berisi geometri poligon{detail}; ini bukan berkas batas wilayah."
        )
        raise BoundaryFileError(_compose(path, problems), problems)
    if crs_problem:
        problems.append(crs_problem)
    else:
        place_problem = check_coordinates(geoms, raw.crs.to_string() if raw.crs else None)
        if place_problem:
            problems.append(place_problem)
    return as_read, geoms, found


def _code_problems(codes: list[str | None], column: pd.Series, level: str) -> list[str]:
    """Codes that do not fit the level's format, and codes that appear more than once."""
    problems = []
    bad = [i for i, code in enumerate(codes) if not code_matches(code, level)]
    if bad:
        shown = [f"baris {i + 1} ('{codes[i] or ''}')" for i in bad]
        hint = ""
        if pd.api.types.is_float_dtype(column):
            hint = " Kolom kode terbaca sebagai angka; simpan kode sebagai teks."
        elif len(bad) == len(codes):
            # Every code wrong usually means the wrong level was chosen for the file.
            for other in LEVELS:
                if other != level and all(
                    code_matches(normalize_code(codes[i], other), other) for i in bad
                ):
                    hint = (
                        f" Kode-kode ini berformat {_LEVEL_LABELS[other]}; "
                        f"muat berkas ini sebagai tingkat {other}."
                    )
                    break
        problems.append(
            f"{len(bad)} kode tidak sesuai format {_LEVEL_LABELS[level]} "
            f"({_CODE_FORMATS[level]}): {_preview(shown)}.{hint}"
        )
    rows_by_code: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        if code:
            rows_by_code.setdefault(code, []).append(i + 1)
    duplicated = {code: rows for code, rows in rows_by_code.items() if len(rows) > 1}
    if duplicated:
        shown = [f"{code} (baris {', '.join(map(str, rows))})" for code, rows in duplicated.items()]
        problems.append(f"{len(duplicated)} kode muncul lebih dari sekali: {_preview(shown)}.")
    return problems


def _geometry_problems(found: dict[str, np.ndarray], codes: list[str | None]) -> list[str]:
    """Rows with no geometry, and rows whose geometry is points or lines."""
    problems = []
    if found["missing"].any():
        rows = np.flatnonzero(found["missing"])
        shown = [_row_label(codes[i], i) for i in rows]
        problems.append(f"{len(rows)} wilayah tanpa geometri (kosong): {_preview(shown)}.")
    if found["not_polygon"].any():
        rows = np.flatnonzero(found["not_polygon"])
        shown = [_row_label(codes[i], i) for i in rows]
        problems.append(
            f"{len(rows)} wilayah dengan geometri bukan poligon (titik/garis): {_preview(shown)}."
        )
    return problems


def _report_labels(
    report: dict, attributes: pd.DataFrame, resolved: dict, codes: list, geoms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Label points (the source's where inside, else computed); the report lists the moved ones."""
    lat = _numeric(attributes, resolved.get("label_lat"))
    lng = _numeric(attributes, resolved.get("label_lng"))
    label_lat, label_lng, replaced = _label_points(geoms, lat, lng)
    report["label_points_replaced"] = replaced
    report["label_points_moved"] = []
    if lat is not None and lng is not None:
        moved = ~np.isclose(label_lat, lat, equal_nan=True) | ~np.isclose(
            label_lng, lng, equal_nan=True
        )
        report["label_points_moved"] = [codes[i] for i in np.flatnonzero(moved)]
    return label_lat, label_lng


def _repairs(
    codes: list[str], before: np.ndarray, after: np.ndarray, repaired: np.ndarray
) -> list[dict]:
    """Every repaired area with its size as read and as repaired, for the load report."""
    rows = np.flatnonzero(repaired)
    if not len(rows):
        return []
    old = area_km2(before[rows])
    new = area_km2(after[rows])
    return [
        {
            "code": codes[i],
            "area_before_km2": float(a),
            "area_after_km2": float(b),
            "change_pct": round((b - a) / a * 100, 1) if a else None,
        }
        for i, a, b in zip(rows, old, new, strict=True)
    ]


def _assemble(
    level: str,
    codes: list[str],
    names: list[str],
    kind_text: list[str | None],
    attributes: pd.DataFrame,
    resolved: dict[str, str],
    report: dict,
) -> dict[str, pd.Series]:
    """The attribute columns of the output for a level."""
    n = len(codes)
    none = [None] * n

    def source_names(field: str) -> list[str | None]:
        column = resolved.get(field)
        return _text_column(attributes[column]).tolist() if column else none

    ancestors = {
        parent: _ancestor(parent, codes, attributes, resolved, report)
        for parent in LEVELS[: LEVELS.index(level)]
    }
    if level == "kelurahan":
        kinds = [_kelurahan_kind(k, c) for k, c in zip(kind_text, codes, strict=True)]
    elif level == "kab_kota":
        kinds = [kab_kota_kind(name, code) for name, code in zip(names, codes, strict=True)]
    else:
        kinds = [level] * n
    parent_level = LEVELS[LEVELS.index(level) - 1] if level != "provinsi" else None
    columns = {
        "code": _text_column(codes),
        "name": _text_column(names),
        "kind": _text_column(kinds),
        "parent_code": _text_column(ancestors[parent_level] if parent_level else none),
    }
    for other in ("kecamatan", "kab_kota"):
        if other == level:
            columns[f"{other}_code"] = _text_column(codes)
            columns[f"{other}_name"] = _text_column(names)
        elif other in ancestors:
            columns[f"{other}_code"] = _text_column(ancestors[other])
            columns[f"{other}_name"] = _text_column(source_names(f"{other}_name"))
        else:
            columns[f"{other}_code"] = _text_column(none)
            columns[f"{other}_name"] = _text_column(none)
    columns["provinsi_code"] = _text_column(codes if level == "provinsi" else ancestors["provinsi"])
    return columns


def _compose(path: Path, problems: list[str], what: str = "Berkas batas wilayah") -> str:
    """One message for all problems: inline when there is one, else a bulleted list."""
    head = f"{what} '{path.name}' tidak dapat dimuat"
    if len(problems) == 1:
        return f"{head}: {problems[0]}"
    return head + ":\n" + "\n".join(f"- {p}" for p in problems)
