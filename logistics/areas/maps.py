"""Folium maps of the office's areas, cached per revision of the boundary data."""

import json
import threading
from collections.abc import Callable, Mapping

import geopandas as gpd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from sqlalchemy import select

from geo.maps import MapListing, area_map, render_map_html, simplify_for_zoom
from geo.remote_map import layered_map
from geo.zoom_layers import TIERS
from logistics.areas.layers import MapExtent
from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope

_lock = threading.Lock()
_cache: dict[str, object] = {}
MAP_CACHE_SIZE = 64

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


def layers_map(
    extent: MapExtent,
    layer_urls: Mapping[str, str],
    *,
    script_url: str,
    affected_url: str | None = None,
    listing: MapListing | None = None,
):
    """A map page's map whose areas the browser fetches (layer_urls: level -> endpoint URL,
    already carrying the level's version): the whole grid at once for a city, kab/kota outlines
    first for a province. None before any area is loaded. Cached per everything it shows."""
    if extent.bounds is None:
        return None
    config = {
        "whole": extent.whole_grid,
        "layers": dict(layer_urls),
        "zoom": {level: TIERS[level].min_zoom for level in TIERS},
        "affected": affected_url,
    }
    key = json.dumps([config, extent.bounds, extent.approximate, script_url, listing], default=str)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    fmap = layered_map(
        config, bounds=extent.bounds, script_url=script_url, approximate=extent.approximate
    )
    use_local_assets(fmap)
    fmap.default_js.append(("posko_layers", script_url))
    if listing is not None:
        fmap.add_child(_Listing(listing))
    rendered = render_map_html(fmap)
    with _lock:
        if len(_cache) >= MAP_CACHE_SIZE:
            _cache.clear()
        _cache[key] = rendered
    return rendered


class _Listing(MacroElement):
    """The text list beside a map whose layers are fetched: what the page knows it shows."""

    _template = Template("")

    def __init__(self, listing: MapListing):
        super().__init__()
        self._name = "Listing"
        self._listing = listing

    def listing(self) -> MapListing:
        return self._listing


def listing_of(extent: MapExtent, scope: Scope = WHOLE_OFFICE) -> MapListing:
    """The kelurahan of a city-sized map, else the kab/kota of a province's."""
    if not extent.whole_grid:
        return MapListing("Kabupaten/Kota", ("Kabupaten/Kota", "Kode"), tuple(extent.kab_kota))
    kecamatan = Area.__table__.alias("kecamatan")
    kab_kota = Area.__table__.alias("kab_kota")
    rows = db.session.execute(
        scope.narrow(
            select(Area.name, kecamatan.c.name, kab_kota.c.name, Area.code)
            .outerjoin(kecamatan, kecamatan.c.code == Area.parent_code)
            .outerjoin(kab_kota, kab_kota.c.code == kecamatan.c.parent_code)
            .where(
                Area.level == "kelurahan",
                Area.geometry_wkb.is_not(None),
                Area.retired_at.is_(None),
            )
            .order_by(Area.code),
            Area.code,
        )
    ).all()
    return MapListing(
        "Kelurahan/Desa",
        ("Nama", "Kecamatan", "Kabupaten/Kota", "Kode"),
        tuple(tuple(row) for row in rows),
    )


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
