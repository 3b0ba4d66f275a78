"""Folium maps of the office's areas, cached per revision of the boundary data."""

import threading
from collections.abc import Callable

import geopandas as gpd
import shapely
from sqlalchemy import select

from geo.maps import area_map, render_map_html, simplify_for_zoom
from logistics.areas.models import Area
from logistics.areas.services import _revision
from logistics.core.extensions import db

_lock = threading.Lock()
_cache: dict[tuple, object] = {}

# Above this many kelurahan the overview map uses simplified outlines (a province of 6,000 desa).
SIMPLIFY_ABOVE = 600

# The URL of a Leaflet file (by name) as pages reach it. Maps are built here, below the web layer,
# so the blueprint that serves the files tells where they are (`serve_assets_from`).
_asset_url: Callable[[str], str] | None = None


def _frame(level: str) -> gpd.GeoDataFrame:
    rows = db.session.execute(
        select(
            Area.code,
            Area.name,
            Area.kind,
            Area.parent_code,
            Area.area_km2,
            Area.geometry_wkb,
            Area.approximate,
        )
        .where(Area.level == level, Area.geometry_wkb.is_not(None), Area.retired_at.is_(None))
        .order_by(Area.code)
    ).all()
    parents = dict(db.session.execute(select(Area.code, Area.name)).all())
    return gpd.GeoDataFrame(
        {
            "code": [r.code for r in rows],
            "name": [r.name for r in rows],
            "kind": [r.kind for r in rows],
            "kecamatan_name": [parents.get(r.parent_code, "") for r in rows],
            "area_km2": [r.area_km2 for r in rows],
            "approximate": [r.approximate for r in rows],
        },
        geometry=shapely.from_wkb([r.geometry_wkb for r in rows]),
        crs="EPSG:4326",
    )


def serve_assets_from(asset_url: Callable[[str], str]) -> None:
    """Set how a map names its Leaflet files: `asset_url("leaflet.js")` is the file's URL."""
    global _asset_url
    _asset_url = asset_url


def use_local_assets(fmap) -> None:
    """Serve Leaflet from this server: an office on a bad connection still gets its map."""
    if _asset_url is None:
        raise RuntimeError("no Leaflet location: the home blueprint is not registered")
    fmap.default_js = [("leaflet", _asset_url("leaflet.js"))]
    fmap.default_css = [("leaflet_css", _asset_url("leaflet.css"))]


def overview_map():
    """The home page map: kecamatan outlines and kelurahan areas; None before any area is loaded."""
    key = _revision("kelurahan") + _revision("kecamatan")
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    rendered = session_map()
    if rendered is None:
        return None
    with _lock:
        _cache.clear()
        _cache[key] = rendered
    return rendered


def session_map():
    """The areas the session sees now, uncached (also inside a load that is about to be undone)."""
    kelurahan = _frame("kelurahan")
    if kelurahan.empty:
        return None
    kecamatan = _frame("kecamatan")
    if len(kelurahan) > SIMPLIFY_ABOVE:
        kelurahan = simplify_for_zoom(kelurahan, 0.001)
        kecamatan = simplify_for_zoom(kecamatan, 0.001)
    fmap = area_map(kelurahan, kecamatan, approximate=bool(kelurahan["approximate"].any()))
    use_local_assets(fmap)
    return render_map_html(fmap)


def preview_map(frame: gpd.GeoDataFrame):
    """The map of a boundary file before it is stored: its areas as read and checked."""
    shown = gpd.GeoDataFrame(
        {
            "code": frame["code"],
            "name": frame["name"],
            "kecamatan_name": frame["kecamatan_name"].fillna(""),
        },
        geometry=frame.geometry.values,
        crs="EPSG:4326",
    )
    if len(shown) > SIMPLIFY_ABOVE:
        shown = simplify_for_zoom(shown, 0.001)
    fmap = area_map(shown, None, approximate=False)
    use_local_assets(fmap)
    return render_map_html(fmap)
