"""Approximate kelurahan areas (Voronoi cells) from one point per kelurahan, for demo installs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import (
    OUTPUT_COLUMNS,
    BoundaryFileError,
    _compose,
    _kelurahan_kind,
    _preview,
    _text_column,
    area_km2,
    code_matches,
    normalize_code,
)

GAZETTEER_COLUMNS = (
    "code",
    "name",
    "kind",
    "kecamatan_code",
    "kecamatan_name",
    "kab_kota_code",
    "kab_kota_name",
    "lat",
    "lng",
)

# Margin around the points' convex hull when no outline is given: the outermost kelurahan get
# some area beyond their point instead of a cell that ends exactly at it.
DEFAULT_MARGIN_M = 1500.0


def points_from_csv(path: str | Path) -> gpd.GeoDataFrame:
    """Read a gazetteer CSV (GAZETTEER_COLUMNS) into point rows of our boundary schema.

    Columns are those of read_boundaries without area_km2, with Point geometry (EPSG:4326) at
    lat/lng; parent codes are the code's prefixes, kind falls back to the code's N digit.
    Raises BoundaryFileError (Indonesian) for a missing file, missing columns, bad codes,
    duplicate codes or unusable coordinates.
    """
    path = Path(path)
    if not path.is_file():
        raise BoundaryFileError(f"Berkas daftar kelurahan tidak ditemukan: {path}")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BoundaryFileError(
            f"Berkas '{path.name}' bukan CSV daftar kelurahan yang dapat dibaca ({exc})."
        ) from exc
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in GAZETTEER_COLUMNS if c not in table.columns and c != "kind"]
    if missing:
        raise BoundaryFileError(
            f"Berkas '{path.name}' tidak memiliki kolom: {', '.join(missing)}. "
            f"Kolom yang diperlukan: {', '.join(GAZETTEER_COLUMNS)}."
        )
    if table.empty:
        raise BoundaryFileError(f"Berkas '{path.name}' tidak berisi satu pun kelurahan.")

    problems = []
    codes = [normalize_code(v, "kelurahan") for v in table["code"]]
    bad = [
        f"baris {i + 2} ('{c or ''}')"
        for i, c in enumerate(codes)
        if not code_matches(c, "kelurahan")
    ]
    if bad:
        problems.append(f"{len(bad)} kode tidak sesuai format PP.KK.CC.NDDD: {_preview(bad)}.")
    counts = pd.Series([c for c in codes if c]).value_counts()
    duplicated = list(counts[counts > 1].index)
    if duplicated:
        problems.append(f"{len(duplicated)} kode muncul lebih dari sekali: {_preview(duplicated)}.")
    lat = pd.to_numeric(table["lat"].str.replace(",", ".", regex=False), errors="coerce").to_numpy()
    lng = pd.to_numeric(table["lng"].str.replace(",", ".", regex=False), errors="coerce").to_numpy()
    unusable = ~(np.isfinite(lat) & np.isfinite(lng) & (np.abs(lat) <= 90) & (np.abs(lng) <= 180))
    if unusable.any():
        rows = [f"baris {i + 2}" for i in np.flatnonzero(unusable)]
        problems.append(
            f"{len(rows)} baris tanpa koordinat lat/lng yang sah (lat -90..90, lng -180..180; "
            f"periksa apakah lat dan lng tertukar): {_preview(rows)}."
        )
    names = _text_column(table["name"])
    if names.isna().any():
        rows = [f"baris {i + 2}" for i in np.flatnonzero(names.isna().to_numpy())]
        problems.append(f"{len(rows)} baris tanpa nama: {_preview(rows)}.")
    if problems:
        raise BoundaryFileError(_compose(path, problems, "Berkas daftar kelurahan"), problems)

    kinds_in = table["kind"].tolist() if "kind" in table.columns else [None] * len(codes)
    data = {
        "code": _text_column(codes),
        "name": names,
        "kind": _text_column([_kelurahan_kind(k, c) for k, c in zip(kinds_in, codes, strict=True)]),
        "parent_code": _text_column([c[:8] for c in codes]),
        "kecamatan_code": _text_column([c[:8] for c in codes]),
        "kecamatan_name": _text_column(table["kecamatan_name"]),
        "kab_kota_code": _text_column([c[:5] for c in codes]),
        "kab_kota_name": _text_column(table["kab_kota_name"]),
        "provinsi_code": _text_column([c[:2] for c in codes]),
        "label_lat": lat,
        "label_lng": lng,
    }
    return gpd.GeoDataFrame(data, geometry=shapely.points(lng, lat), crs="EPSG:4326")


def _outline_geometry(outline: object) -> shapely.Geometry:
    """A single lng/lat geometry from a shapely geometry, GeoSeries or GeoDataFrame."""
    if isinstance(outline, gpd.GeoDataFrame | gpd.GeoSeries):
        series = outline.geometry if isinstance(outline, gpd.GeoDataFrame) else outline
        if series.crs is not None and series.crs.to_epsg() != 4326:
            series = series.to_crs("EPSG:4326")
        return shapely.union_all(np.asarray(series.values, dtype=object))
    if isinstance(outline, shapely.Geometry):
        return outline
    raise TypeError("outline must be a shapely geometry, GeoSeries or GeoDataFrame in EPSG:4326")


def voronoi_areas(
    points: gpd.GeoDataFrame, outline: object = None, margin_m: float = DEFAULT_MARGIN_M
) -> gpd.GeoDataFrame:
    """Voronoi cells of one point per kelurahan, clipped to an outline: approximate areas.

    Each output row keeps its point's attributes (same order as `points`), with the cell as
    geometry (EPSG:4326), label_lat/label_lng at the point and area_km2. The cells are built in
    the points' UTM zone so that "nearest point" means metres, not degrees. Without an outline
    the convex hull of the points buffered by margin_m metres is used.

    Raises BoundaryFileError when two kelurahan share a coordinate (they cannot both get a
    cell) or when a point lies outside the outline.
    """
    if len(points) == 0:
        raise BoundaryFileError("Tidak ada titik kelurahan untuk dibuatkan batas perkiraan.")
    if points.crs is not None and points.crs.to_epsg() != 4326:
        points = points.to_crs("EPSG:4326")
    lng = shapely.get_x(np.asarray(points.geometry.values, dtype=object))
    lat = shapely.get_y(np.asarray(points.geometry.values, dtype=object))
    labels = (
        points["code"].astype(object).tolist() if "code" in points else list(range(len(points)))
    )

    metric = gpd.GeoSeries(shapely.points(lng, lat), crs="EPSG:4326").estimate_utm_crs()
    projected = gpd.GeoSeries(shapely.points(lng, lat), crs="EPSG:4326").to_crs(metric)
    xy = shapely.get_coordinates(np.asarray(projected.values, dtype=object))
    # Points closer than a centimetre would share one Voronoi cell.
    keys = pd.Series([f"{x:.2f} {y:.2f}" for x, y in xy])
    shared = keys.duplicated(keep=False).to_numpy()
    if shared.any():
        shown = [str(labels[i]) for i in np.flatnonzero(shared)]
        raise BoundaryFileError(
            f"{int(shared.sum())} kelurahan memiliki koordinat yang sama sehingga tidak dapat "
            f"dibuatkan batas perkiraan: {_preview(shown)}. Perbaiki koordinatnya."
        )

    multipoint = shapely.multipoints(xy)
    if outline is None:
        outline_m = shapely.convex_hull(multipoint).buffer(margin_m)
    else:
        outline_ll = _outline_geometry(outline)
        outline_m = gpd.GeoSeries([outline_ll], crs="EPSG:4326").to_crs(metric).iloc[0]
        outline_m = shapely.make_valid(outline_m)

    if len(xy) == 1:
        cells_m = np.array([outline_m], dtype=object)
    else:
        diagram = shapely.voronoi_polygons(multipoint, extend_to=outline_m, ordered=True)
        cells_m = shapely.intersection(shapely.get_parts(diagram), outline_m)
    inside = shapely.contains_xy(cells_m, xy[:, 0], xy[:, 1])
    if not inside.all():
        shown = [str(labels[i]) for i in np.flatnonzero(~inside)]
        raise BoundaryFileError(
            f"{int((~inside).sum())} titik kelurahan berada di luar batas wilayah yang "
            f"diberikan: {_preview(shown)}."
        )
    cells = np.asarray(gpd.GeoSeries(cells_m, crs=metric).to_crs("EPSG:4326").values, dtype=object)

    result = pd.DataFrame(points.drop(columns=points.geometry.name)).reset_index(drop=True)
    result["label_lat"] = lat
    result["label_lng"] = lng
    result["area_km2"] = area_km2(cells)
    ordered = [c for c in OUTPUT_COLUMNS if c in result.columns]
    ordered += [c for c in result.columns if c not in ordered]
    return gpd.GeoDataFrame(result[ordered], geometry=cells, crs="EPSG:4326")
