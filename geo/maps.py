"""Folium maps of kelurahan and kecamatan areas, rendered as parts a page template can place."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.html import escape_map, script_json, text, walk_elements

APPROXIMATE_NOTICE = (
    "Batas wilayah perkiraan (sel Voronoi dari titik kelurahan) — "
    "muat berkas batas resmi untuk batas sebenarnya."
)
KELURAHAN_LAYER = "Kelurahan/Desa"
KECAMATAN_LAYER = "Kecamatan"

# Only Leaflet itself: folium's other defaults (jQuery, Bootstrap, Font Awesome) are for
# popups and markers we do not use, and Bootstrap's CSS would restyle the host page.
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
# The background tiles every map builder uses unless told otherwise.
DEFAULT_TILES = "OpenStreetMap"

# Whole of Indonesia, for a map without any area.
_INDONESIA_CENTER = (-2.5, 118.0)
_INDONESIA_ZOOM = 5

_KELURAHAN_STYLE = {"color": "#1d5f8a", "weight": 1, "fillColor": "#3b8fc4", "fillOpacity": 0.3}
_KECAMATAN_STYLE = {"color": "#222222", "weight": 2.5, "fill": False}
_HIGHLIGHT_STYLE = {"weight": 2.5, "fillColor": "#1d5f8a", "fillOpacity": 0.5}

# Property names tried for each tooltip item: ours first, then the shared files' names.
_NAME_KEYS = ("name", "nama")
_KECAMATAN_KEYS = ("kecamatan_name", "kecamatan")
_CODE_KEYS = ("code", "kode")


@dataclass(frozen=True)
class MapListing:
    """One layer of a map as a table (what its tooltips say), for a person who cannot use the
    map: a screen reader, a keyboard, a phone that could not load it."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class MapHtml:
    """A rendered map in three parts: `header` (CSS/JS links, styles) for <head>, `html` (the
    map element) for the page body, `script` (plain JavaScript, no <script> tag) for the end
    of the body; and `listings`, the text list of what it shows, for the page to place beside it."""

    header: str
    html: str
    script: str
    listings: tuple[MapListing, ...] = ()


def _json_value(value: Any) -> Any:
    """A JSON-serialisable copy of a cell value (numpy scalars, NaN -> None)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def to_geojson(
    gdf: gpd.GeoDataFrame, properties: Sequence[str] | None = None, precision: int = 6
) -> dict:
    """A GeoJSON FeatureCollection dict (EPSG:4326) of a frame, with the given properties.

    properties defaults to every non-geometry column. Coordinates are rounded to `precision`
    decimals (6 is about 0.1 m), which keeps a province's map a fraction of its raw size.
    Rows without geometry are left out. A 'code' column, when present, becomes the feature id.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    geom_name = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geom_name] if properties is None else list(properties)
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise KeyError(f"columns not in frame: {', '.join(missing)}")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rounded = shapely.transform(geoms[present], lambda coords: np.round(coords, precision))
    texts = shapely.to_geojson(rounded)
    records = gdf.loc[present, columns].to_dict("records")
    codes = gdf.loc[present, "code"].tolist() if "code" in gdf.columns else None
    features = []
    for i, (geometry_json, record) in enumerate(zip(texts, records, strict=True)):
        feature = {
            "type": "Feature",
            "properties": {key: _json_value(value) for key, value in record.items()},
            "geometry": json.loads(geometry_json),
        }
        if codes is not None and codes[i] is not None:
            feature["id"] = str(codes[i])
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def simplify_for_zoom(
    gdf: gpd.GeoDataFrame, tolerance_deg: float, method: str = "polygon"
) -> gpd.GeoDataFrame:
    """A copy with simplified outlines for overview maps of large areas.

    method "polygon" (default): shapely's topology-preserving simplification per polygon (no
    self-intersections, no collapsed rings). At overview zooms the small mismatches it makes
    along shared borders are far below a pixel, and it keeps about half the vertices that
    "coverage" keeps (Jawa Barat at 0.001°: 127,000 vs 263,000 of 661,000).
    method "coverage": GEOS coverage simplification, which simplifies a shared border once so
    neighbours stay edge to edge, for maps viewed closer. Rows it leaves invalid or empty fall
    back to the per-polygon method.
    """
    if method not in ("polygon", "coverage"):
        raise ValueError(f"unknown simplify method {method!r}; use 'polygon' or 'coverage'")
    out = gdf.copy()
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    simplified = geoms.copy()
    if method == "coverage":
        try:
            simplified[present] = shapely.coverage_simplify(geoms[present], tolerance_deg)
        except shapely.errors.GEOSException:
            method = "polygon"
    if method == "polygon":
        simplified[present] = shapely.simplify(
            geoms[present], tolerance_deg, preserve_topology=True
        )
    broken = present & (~shapely.is_valid(simplified) | shapely.is_empty(simplified))
    if broken.any():
        simplified[broken] = shapely.simplify(geoms[broken], tolerance_deg, preserve_topology=True)
    out[gdf.geometry.name] = gpd.GeoSeries(simplified, index=gdf.index, crs=gdf.crs)
    return out


@lru_cache
def tile_origins(tiles: str = DEFAULT_TILES) -> tuple[str, ...]:
    """The origins a map's background tiles load from, e.g. for a policy's img-src.

    Resolved through folium's own provider names, so it follows the URL the maps really use;
    a "{s}" subdomain placeholder gives one origin per subdomain.
    """
    layer = folium.TileLayer(tiles)
    subdomains = layer.options.get("subdomains") or "abc"
    urls = (
        [layer.tiles.replace("{s}", s) for s in subdomains]
        if "{s}" in layer.tiles
        else [layer.tiles]
    )
    origins = {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in urls}
    return tuple(sorted(origins))


def _pick(keys: Sequence[str], candidates: Sequence[str]) -> str | None:
    for candidate in candidates:
        if candidate in keys:
            return candidate
    return None


def _layer_data(layer: gpd.GeoDataFrame | dict | None, wanted: Sequence[Sequence[str]]) -> dict:
    """GeoJSON for a layer with the first available property of each wanted group.

    Every feature gets every chosen property (None when absent), because folium's tooltip
    requires the fields on every feature.
    """
    if layer is None:
        return {"type": "FeatureCollection", "features": []}
    if isinstance(layer, gpd.GeoDataFrame):
        chosen = [k for k in (_pick(list(layer.columns), group) for group in wanted) if k]
        return to_geojson(layer, chosen)
    features = list(layer.get("features", []))
    keys: list[str] = []
    for feature in features:
        for key in feature.get("properties") or {}:
            if key not in keys:
                keys.append(key)
    chosen = [k for k in (_pick(keys, group) for group in wanted) if k]
    cleaned = []
    for feature in features:
        props = feature.get("properties") or {}
        if not feature.get("geometry"):
            continue
        item = {
            "type": "Feature",
            "properties": {k: _json_value(props.get(k)) for k in chosen},
            "geometry": feature["geometry"],
        }
        if "id" in feature:
            item["id"] = feature["id"]
        cleaned.append(item)
    return {"type": "FeatureCollection", "features": cleaned}


def _bounds(*collections: dict) -> tuple[float, float, float, float] | None:
    geoms = [
        shapely.from_geojson(json.dumps(f["geometry"]))
        for collection in collections
        for f in collection["features"]
    ]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return float(minx), float(miny), float(maxx), float(maxy)


class _MapControl(MacroElement):
    """A fixed HTML box on the map (a Leaflet control), e.g. the legend or a notice.

    The html is trusted markup: any data in it must have gone through geo.html.text.

    Added by script into the map's own control corners, so it stays inside the map element
    however the page lays the map out.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.setAttribute("role", "note");
                div.innerHTML = {{ this.html_literal }};
                // A folded notice opens by itself where the map has room for it (not on a phone).
                var folded = div.querySelector("details[data-open-wide]");
                if (folded && window.matchMedia("(min-width: 768px)").matches) {
                    folded.open = true;
                }
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str, css_class: str):
        super().__init__()
        self._name = "MapControl"
        self.position = position
        self.css_class = css_class
        self.html_literal = script_json(html)


class _MetricScale(MacroElement):
    """A kilometre-only scale bar (folium's control_scale also shows miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


_BOX_STYLE = (
    "background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:6px;"
    "box-shadow:0 1px 4px rgba(0,0,0,0.3);font:13px/1.4 sans-serif;color:#222;"
)


def _legend_html(approximate: bool) -> str:
    fill = _KELURAHAN_STYLE
    area_border = "dashed" if approximate else "solid"
    area_label = "Kelurahan/Desa (perkiraan)" if approximate else "Kelurahan/Desa"
    swatch = "display:inline-block;width:18px;height:12px;margin-right:6px;vertical-align:middle;"
    return (
        f'<div style="{_BOX_STYLE}"><strong>Keterangan</strong><br>'
        f'<span style="{swatch}background:{fill["fillColor"]};opacity:0.7;'
        f'border:1px {area_border} {fill["color"]}"></span>{area_label}<br>'
        f'<span style="{swatch}height:0;border-top:3px solid {_KECAMATAN_STYLE["color"]}">'
        "</span>Batas kecamatan</div>"
    )


def notice_html() -> str:
    """The approximate-boundaries notice, folded to one line on a phone so it does not cover the
    top of the map; a tap on its summary opens it."""
    summary = "display:flex;align-items:center;min-height:44px;cursor:pointer"
    return (
        f'<details data-open-wide style="{_BOX_STYLE}background:#fff3cd;'
        'border:1px solid #e0a800;max-width:340px">'
        f'<summary style="{summary}"><strong>Perhatian: batas perkiraan</strong></summary>'
        f"{text(APPROXIMATE_NOTICE)}</details>"
    )


def add_approximate_notice(fmap: folium.Map) -> None:
    """Tell, on the map itself, that its areas are approximate (every map drawing such areas)."""
    fmap.add_child(_MapControl(notice_html(), "topright", "posko-map-notice"))


def area_map(
    kelurahan: gpd.GeoDataFrame | dict,
    kecamatan: gpd.GeoDataFrame | dict | None,
    *,
    approximate: bool,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    tiles: str | None = DEFAULT_TILES,
) -> folium.Map:
    """A map with toggleable "Kecamatan" outlines and "Kelurahan/Desa" areas, a legend and,
    for approximate (Voronoi) areas, a visible notice saying so.

    Layers accept our frames (code, name, kecamatan_name) or GeoJSON dicts with either our
    property names or the shared files' (kode, nama, kecamatan). The areas are vector layers,
    so they show even when the background tiles cannot load. Without center/zoom the map fits
    the areas' bounds. Only Leaflet is linked (LEAFLET_JS/LEAFLET_CSS); a caller serving it
    locally replaces `m.default_js` / `m.default_css`.
    """
    kel_data = _layer_data(kelurahan, (_NAME_KEYS, _KECAMATAN_KEYS, _CODE_KEYS))
    kec_data = _layer_data(kecamatan, (_NAME_KEYS, _CODE_KEYS))
    bounds = _bounds(kel_data, kec_data)
    if center is None:
        center = (
            ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
            if bounds
            else _INDONESIA_CENTER
        )
    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom if zoom is not None else (12 if bounds else _INDONESIA_ZOOM),
        tiles=None,
    )
    if tiles:
        folium.TileLayer(tiles, name=f"Peta dasar ({tiles})").add_to(fmap)
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]

    kel_style = dict(_KELURAHAN_STYLE, dashArray="4 3") if approximate else _KELURAHAN_STYLE
    if kel_data["features"]:
        fields = list(kel_data["features"][0]["properties"])
        aliases = [
            {"name": "Nama", "nama": "Nama", "code": "Kode", "kode": "Kode"}.get(f, "Kecamatan")
            for f in fields
        ]
        folium.GeoJson(
            kel_data,
            name=KELURAHAN_LAYER,
            style_function=lambda _feature: kel_style,
            highlight_function=lambda _feature: _HIGHLIGHT_STYLE,
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        ).add_to(fmap)
    if kec_data["features"]:
        name_field = list(kec_data["features"][0]["properties"])[:1]
        # Outlines only (no fill), drawn above the kelurahan: the kelurahan tooltips keep
        # working inside, the kecamatan tooltip shows on its border line.
        folium.GeoJson(
            kec_data,
            name=KECAMATAN_LAYER,
            style_function=lambda _feature: _KECAMATAN_STYLE,
            tooltip=folium.GeoJsonTooltip(fields=name_field, aliases=["Kecamatan"], sticky=True)
            if name_field
            else None,
        ).add_to(fmap)
    # Collapsed: on a 360 px phone an open layer list would cover most of the map.
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.add_child(_MetricScale())
    fmap.add_child(_MapControl(_legend_html(approximate), "bottomright", "posko-map-legend"))
    if approximate:
        add_approximate_notice(fmap)
    if bounds and zoom is None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


# folium's full-page settings: they reset the host page's html/body, would position any
# element with id="map" absolutely and set the page's viewport; a fragment embedded in our
# pages must not carry them.
_PAGE_STYLES = (
    re.compile(r"<style>\s*html,\s*body\s*\{[^}]*\}\s*</style>", re.S),
    re.compile(r"<style>\s*#map\s*\{[^}]*\}\s*</style>", re.S),
    # user-scalable=no would stop pinch-zoom on the whole host page.
    re.compile(r"<meta name=\"viewport\"[^>]*>", re.S),
)


class _KeyboardAndLabels(MacroElement):
    """What a keyboard or screen-reader user meets on every map: the shapes are no tab stops
    (Leaflet's SVG paths take focus without a name; the text list beside the map says the same
    things), the zoom buttons speak Indonesian, and the map element is a named region."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", {{ this.label_json }});
            [["in", "Perbesar"], ["out", "Perkecil"]].forEach(function (pair) {
                var button = box.querySelector(".leaflet-control-zoom-" + pair[0]);
                if (button) { button.title = pair[1]; button.setAttribute("aria-label", pair[1]); }
            });
            function quiet() {
                box.querySelectorAll(".leaflet-overlay-pane svg, .leaflet-pane > svg").forEach(function (svg) {
                    svg.setAttribute("aria-hidden", "true");
                    svg.querySelectorAll(".leaflet-interactive").forEach(function (shape) {
                        shape.setAttribute("tabindex", "-1");
                    });
                });
            }
            map.on("layeradd", function () { window.setTimeout(quiet, 0); });
            map.whenReady(quiet);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, label: str):
        super().__init__()
        self._name = "KeyboardAndLabels"
        self.label_json = script_json(label)


def _tooltip_listing(layer: folium.GeoJson) -> MapListing | None:
    """A GeoJson layer with a detail tooltip as a table: its fields are what a person sees."""
    tooltip = next(
        (c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip)), None
    )
    if tooltip is None or not isinstance(layer.data, dict):
        return None
    fields = list(tooltip.fields)
    aliases = list(tooltip.aliases) if tooltip.aliases else fields
    rows = tuple(
        tuple((feature.get("properties") or {}).get(field) for field in fields)
        for feature in layer.data.get("features") or []
    )
    return MapListing(str(layer.layer_name or ""), tuple(str(a) for a in aliases), rows)


def map_listings(m: folium.Map) -> tuple[MapListing, ...]:
    """The text list of a map: every GeoJson layer with a detail tooltip, and every element of
    ours that says what it draws (a `listing()` method), in the order they were added."""
    listings = []
    for element in walk_elements(m):
        if isinstance(element, folium.GeoJson):
            listing = _tooltip_listing(element)
        elif callable(getattr(element, "listing", None)):
            listing = element.listing()
        else:
            continue
        if listing is not None and listing.rows:
            listings.append(listing)
    return tuple(listings)


def render_map_html(m: folium.Map) -> MapHtml:
    """Render a map into header/html/script parts for a page template (no iframe), with the
    text list of what it shows (map_listings).

    Every map goes through here, so here its folium parts get escaped text (geo.html.escape_map)
    and the keyboard and screen-reader fixes (_KeyboardAndLabels). The parts carry no CSP
    nonce: the page adds its own (geo.html.add_script_nonce).
    """
    # Read before escaping: the list is placed by Jinja, which escapes it itself.
    listings = map_listings(m)
    if not any(isinstance(c, _KeyboardAndLabels) for c in m._children.values()):
        label = "Peta" + (": daftar isinya ada di bawah peta" if listings else "")
        m.add_child(_KeyboardAndLabels(label))
    escape_map(m)
    root = m.get_root()
    # Rendering the figure makes every element add its parts to the figure's header, html
    # and script sections; those sections are what we return.
    root.render()
    header = root.header.render()
    for pattern in _PAGE_STYLES:
        header = pattern.sub("", header)
    return MapHtml(
        header=header, html=root.html.render(), script=root.script.render(), listings=listings
    )
