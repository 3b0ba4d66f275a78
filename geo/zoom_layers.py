"""Area outlines per map zoom: simplified as one coverage, so neighbours still meet, as GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely


@dataclass(frozen=True)
class Tier:
    """How one level is drawn: from which zoom, simplified to what tolerance (degrees, about a
    pixel at the deepest zoom it is shown before the next level takes over) and rounded to what
    precision (degrees)."""

    min_zoom: int
    tolerance: float
    precision: float


# A province fits a phone at zoom 7-8; kecamatan become readable from 10, desa from 12.
TIERS: dict[str, Tier] = {
    "kab_kota": Tier(min_zoom=0, tolerance=0.002, precision=1e-4),
    "kecamatan": Tier(min_zoom=10, tolerance=0.0007, precision=1e-4),
    "kelurahan": Tier(min_zoom=12, tolerance=0.0002, precision=1e-5),
}


def simplify_coverage(geoms: Sequence, tolerance: float) -> np.ndarray:
    """The polygons simplified together: a border two areas share is simplified once, so they
    still meet edge to edge (GEOS coverage simplification). When the areas are no clean coverage
    (overlaps GEOS refuses), or a result is broken, each falls back to shapely's
    topology-preserving simplification of that polygon alone."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = geoms.copy()
    if not present.any():
        return out
    try:
        out[present] = shapely.coverage_simplify(geoms[present], tolerance)
    except shapely.errors.GEOSException:
        out[present] = shapely.simplify(geoms[present], tolerance, preserve_topology=True)
    broken = present & (shapely.is_missing(out) | shapely.is_empty(out) | ~shapely.is_valid(out))
    if broken.any():
        out[broken] = shapely.simplify(geoms[broken], tolerance, preserve_topology=True)
    return out


def geometry_texts(geoms: Sequence, precision: float) -> list[str | None]:
    """Each geometry as GeoJSON text with coordinates rounded to `precision` degrees (the same
    rounding on both sides of a shared border keeps it shared); None for a missing one."""
    geoms = np.asarray(geoms, dtype=object)
    decimals = max(0, round(-np.log10(precision)))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    texts: list[str | None] = [None] * len(geoms)
    rounded = shapely.transform(geoms[present], lambda coords: np.round(coords, decimals))
    for i, text in zip(np.flatnonzero(present), shapely.to_geojson(rounded), strict=True):
        texts[i] = text
    return texts


def feature_text(code: str, properties: Mapping, geometry: str) -> str:
    """One GeoJSON Feature as text, its id the area code; geometry is GeoJSON text already."""
    props = json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
    return (
        f'{{"type":"Feature","id":{json.dumps(code)},"properties":{props},"geometry":{geometry}}}'
    )


def collection_text(features: Sequence[str]) -> str:
    """A FeatureCollection of feature texts."""
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
