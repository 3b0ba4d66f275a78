"""Dissolve kecamatan and kab/kota outlines from kelurahan/desa, filling slivers between them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import OUTPUT_COLUMNS, _text_column, area_km2, kab_kota_kind


def _fill_gaps(
    geoms: np.ndarray, markers: np.ndarray, max_gap_km2: float
) -> tuple[np.ndarray, int]:
    """Fill the holes of dissolved areas that no source area occupies (digitising slivers).

    A hole holding the representative point of some source polygon is an enclave (another
    area lies there) and stays; a hole without one is a gap between neighbours that did not
    quite meet, and is filled when smaller than max_gap_km2.
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    is_shell = np.r_[True, ring_part[1:] != ring_part[:-1]]
    if is_shell.all():
        return geoms, 0
    holes = shapely.polygons(rings[~is_shell])
    hole_part = ring_part[~is_shell]
    occupied = np.zeros(len(holes), dtype=bool)
    _, hit = shapely.STRtree(holes).query(markers, predicate="within")
    occupied[hit] = True
    keep = occupied | (area_km2(holes) >= max_gap_km2)
    if keep.all():
        return geoms, 0
    kept_by_part: dict[int, list] = {}
    for ring, part, kept in zip(rings[~is_shell], hole_part, keep, strict=True):
        if kept:
            kept_by_part.setdefault(int(part), []).append(ring)
    shells = rings[is_shell]
    new_parts = np.array(
        [shapely.Polygon(shells[i], kept_by_part.get(i, [])) for i in range(len(parts))],
        dtype=object,
    )
    out = np.empty(len(geoms), dtype=object)
    # get_parts lists each geometry's parts together and in order, so split at owner changes.
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    for index, members in zip(owner[starts], np.split(new_parts, starts[1:]), strict=True):
        merged = members[0] if len(members) == 1 else shapely.MultiPolygon(list(members))
        # A filled hole may now cover another part of the same area.
        out[index] = merged if merged.is_valid else shapely.union_all(members)
    return out, int((~keep).sum())


def _dissolve(
    frame: gpd.GeoDataFrame, key: str, markers: np.ndarray, max_gap_km2: float
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray], int]:
    groups = frame.groupby(key, sort=True).indices
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keys = list(groups)
    unions = np.array([shapely.union_all(geoms[groups[k]]) for k in keys], dtype=object)
    unions, filled = _fill_gaps(unions, markers, max_gap_km2)
    return keys, unions, groups, filled


def _first_text(values: pd.Series, idx: np.ndarray) -> str | None:
    for value in values.iloc[idx]:
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            return value
    return None


def dissolve_parents(
    gdf: gpd.GeoDataFrame, max_gap_km2: float = 1.0
) -> dict[str, gpd.GeoDataFrame]:
    """Kecamatan and kab/kota areas as unions of a kelurahan-level frame from read_boundaries.

    Returns {'kecamatan': frame, 'kab_kota': frame} with OUTPUT_COLUMNS, sorted by code. Names
    come from the kelurahan rows' kecamatan_name / kab_kota_name (None when the source had
    none). Holes left by slivers between neighbouring kelurahan (no source area inside,
    smaller than max_gap_km2) are filled; enclaves stay; each frame's attrs["gaps_filled"]
    counts the filled holes. Provinsi are not dissolved.
    """
    missing = [
        c
        for c in ("kecamatan_code", "kecamatan_name", "kab_kota_code", "kab_kota_name")
        if c not in gdf.columns
    ]
    if missing:
        raise ValueError(f"dissolve_parents needs a kelurahan-level frame; missing {missing}")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    # One representative point per polygon part tells enclaves (occupied holes) from gaps.
    markers = shapely.point_on_surface(shapely.get_parts(geoms))

    kec_keys, kec_geoms, kec_groups, kec_filled = _dissolve(
        gdf, "kecamatan_code", markers, max_gap_km2
    )
    kec_rows = [kec_groups[k] for k in kec_keys]
    kec_names = [_first_text(gdf["kecamatan_name"], idx) for idx in kec_rows]
    kab_codes = [k[:5] for k in kec_keys]
    kab_names_by_code: dict[str, str | None] = {}
    for code, idx in gdf.groupby("kab_kota_code", sort=True).indices.items():
        kab_names_by_code[code] = _first_text(gdf["kab_kota_name"], idx)
    kecamatan = _parent_frame(
        {
            "code": kec_keys,
            "name": kec_names,
            "kind": ["kecamatan"] * len(kec_keys),
            "parent_code": kab_codes,
            "kecamatan_code": kec_keys,
            "kecamatan_name": kec_names,
            "kab_kota_code": kab_codes,
            "kab_kota_name": [kab_names_by_code.get(c) for c in kab_codes],
            "provinsi_code": [k[:2] for k in kec_keys],
        },
        kec_geoms,
    )

    kab_keys, kab_geoms, _, kab_filled = _dissolve(kecamatan, "kab_kota_code", markers, max_gap_km2)
    kab_names = [kab_names_by_code.get(k) for k in kab_keys]
    kab_kota = _parent_frame(
        {
            "code": kab_keys,
            "name": kab_names,
            "kind": [kab_kota_kind(n, c) for n, c in zip(kab_names, kab_keys, strict=True)],
            "parent_code": [k[:2] for k in kab_keys],
            "kecamatan_code": [None] * len(kab_keys),
            "kecamatan_name": [None] * len(kab_keys),
            "kab_kota_code": kab_keys,
            "kab_kota_name": kab_names,
            "provinsi_code": [k[:2] for k in kab_keys],
        },
        kab_geoms,
    )
    kecamatan.attrs["gaps_filled"] = kec_filled
    kab_kota.attrs["gaps_filled"] = kab_filled
    return {"kecamatan": kecamatan, "kab_kota": kab_kota}


def _parent_frame(columns: dict[str, list], geoms: np.ndarray) -> gpd.GeoDataFrame:
    labels = shapely.point_on_surface(geoms)
    data = {key: _text_column(values) for key, values in columns.items()}
    data["label_lat"] = shapely.get_y(labels)
    data["label_lng"] = shapely.get_x(labels)
    data["area_km2"] = area_km2(geoms)
    frame = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return frame[list(OUTPUT_COLUMNS)]
