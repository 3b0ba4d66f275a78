"""Folium map of one disaster event: affected kelurahan as a switchable choropleth, shelters."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.html import script_json, text
from geo.maps import (
    _BOX_STYLE,
    DEFAULT_TILES,
    LEAFLET_CSS,
    LEAFLET_JS,
    MapListing,
    _MetricScale,
    add_approximate_notice,
)
from geo.shelter_map import BAND_COLOURS, BAND_LABELS, SHELTER_LAYER, _ShelterMarkers, marker_data

# The two views of the choropleth a person can switch between (base layers of the control).
MEASURES = {"jiwa": "Jiwa terdampak", "mengungsi": "Mengungsi"}
# ColorBrewer sequential schemes (5 classes): reds for everyone affected, purples for the
# displaced, so a glance tells which view is on.
PALETTES = {
    "jiwa": ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"),
    "mengungsi": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
}
ZERO_COLOUR = "#ffffff"
NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10)
DRAWN_LAYER = "Area yang digambar"
POINT_LAYER = "Titik kejadian"

_INDONESIA_CENTER = (-2.5, 118.0)
_INDONESIA_ZOOM = 5


def _nice_ceiling(value: float) -> int:
    """Round up to a readable step times a power of ten (NICE_STEPS): legend numbers a person
    can read, fine enough that quantile classes rarely merge."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        candidate = step * power
        if candidate >= value:
            return int(math.ceil(candidate))
    return int(10 * power)


def class_breaks(values: Sequence[int | float], classes: int = 5) -> list[int]:
    """Upper bounds of up to `classes` classes of the positive values (quantiles, rounded to
    readable numbers); the last bound is at least the largest value. Empty when all are 0."""
    positive = np.sort(np.asarray([v for v in values if v and v > 0], dtype=float))
    if positive.size == 0:
        return []
    breaks: list[int] = []
    for i in range(1, classes + 1):
        bound = _nice_ceiling(float(np.quantile(positive, i / classes)))
        if not breaks or bound > breaks[-1]:
            breaks.append(bound)
    if breaks[-1] < positive[-1]:
        breaks.append(_nice_ceiling(float(positive[-1])))
    return breaks


def colour_for(value: int | float | None, breaks: Sequence[int], palette: Sequence[str]) -> str:
    """The fill of a value: white for none, else the palette colour of its class."""
    if not value or value <= 0 or not breaks:
        return ZERO_COLOUR
    # Fewer classes than colours use the darker end, so the top class always looks severe.
    offset = len(palette) - len(breaks)
    for i, bound in enumerate(breaks):
        if value <= bound:
            return palette[max(offset, 0) + i]
    return palette[-1]


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def legend_html(
    breaks: Mapping[str, Sequence[int]], source_note: str, shelter_bands: Sequence[str]
) -> str:
    """One legend section per measure (only the visible one is shown) plus the shelters."""
    swatch = (
        "display:inline-block;width:18px;height:12px;margin-right:6px;vertical-align:middle;"
        "border:1px solid #777;"
    )
    sections = []
    for measure, label in MEASURES.items():
        rows = [f'<span style="{swatch}background:{ZERO_COLOUR}"></span>0 / belum ada angka']
        bounds = list(breaks.get(measure) or [])
        palette = PALETTES[measure]
        offset = max(len(palette) - len(bounds), 0)
        lower = 1
        for i, bound in enumerate(bounds):
            span = (
                _thousands(lower) if lower == bound else f"{_thousands(lower)}–{_thousands(bound)}"
            )
            rows.append(
                f'<span style="{swatch}background:{palette[offset + i]}"></span>{span} jiwa'
            )
            lower = bound + 1
        hidden = "" if measure == "jiwa" else "display:none;"
        sections.append(
            f'<div data-measure="{measure}" style="{hidden}"><strong>{text(label)}'
            f"</strong><br>{'<br>'.join(rows)}</div>"
        )
    dot = (
        "display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:6px;"
        "vertical-align:middle;border:1px solid #1c2733;"
    )
    shelters = "".join(
        f'<br><span style="{dot}background:{BAND_COLOURS[band]}"></span>{text(BAND_LABELS[band])}'
        for band in shelter_bands
    )
    shelter_block = (
        f'<div style="margin-top:6px"><strong>{text(SHELTER_LAYER)}</strong>{shelters}</div>'
        if shelter_bands
        else ""
    )
    note = f'<div style="margin-top:6px;max-width:220px;font-size:12px">{text(source_note)}</div>'
    # A <details> box: on a 360 px phone the legend can be folded away to see the map.
    return (
        f'<details open style="{_BOX_STYLE}font-size:12px"><summary style="cursor:pointer">'
        f"<strong>Keterangan</strong></summary>{''.join(sections)}{shelter_block}{note}</details>"
    )


class _Choropleth(MacroElement):
    """The affected kelurahan drawn once per measure from one embedded GeoJSON, a layer
    control to switch measure and toggle shelters, and a legend that follows the measure.

    The polygons sit in their own pane below the overlay pane, so shelter markers stay on top
    and clickable whatever order the layers were added in. Tooltips are built from DOM text
    nodes, never from HTML strings.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var data = {{ this.data_json }};
            var areasUrl = {{ this.url_json }};
            var labels = {{ this.labels_json }};
            var approximate = {{ this.approximate_json }};
            var pane = map.createPane("poskoKelurahan");
            pane.style.zIndex = 350;
            function fmt(n) { return Number(n || 0).toLocaleString("id-ID"); }
            function tip(feature) {
                var p = feature.properties, box = document.createElement("div");
                function line(text, bold) {
                    var el = document.createElement(bold ? "strong" : "div");
                    el.textContent = text; box.appendChild(el);
                }
                line(p.name, true);
                if (p.kecamatan) { line("Kec. " + p.kecamatan); }
                if (p.kab_kota) { line(p.kab_kota); }
                line("Jiwa terdampak: " + fmt(p.jiwa));
                line("Mengungsi: " + fmt(p.mengungsi));
                line("Sumber: " + p.source);
                return box;
            }
            var base = {}, layers = {};
            Object.keys(labels).forEach(function (measure) {
                layers[measure] = L.geoJSON(null, {
                    pane: "poskoKelurahan",
                    style: function (f) {
                        return {color: "#4d4d4d", weight: 1, fillOpacity: 0.8,
                                dashArray: approximate ? "4 3" : null,
                                fillColor: f.properties["fill_" + measure]};
                    },
                    onEachFeature: function (f, layer) {
                        layer.bindTooltip(function () { return tip(f); }, {sticky: true});
                    }
                });
                base[labels[measure]] = layers[measure];
            });
            function fill(collection) {
                // Geometry from the server, figures from the page: joined by kelurahan code.
                var features = [];
                collection.features.forEach(function (f) {
                    var own = data[f.id];
                    if (!own) { return; }
                    features.push({type: "Feature", id: f.id, geometry: f.geometry,
                                   properties: Object.assign({}, f.properties, own)});
                });
                Object.keys(layers).forEach(function (measure) { layers[measure].addData(features); });
                map.getContainer().setAttribute("data-areas-drawn", String(features.length));
            }
            if (data.type === "FeatureCollection") {
                Object.keys(layers).forEach(function (measure) { layers[measure].addData(data); });
            } else if (areasUrl) {
                fetch(areasUrl, {credentials: "same-origin"}).then(function (response) {
                    if (!response.ok) { throw new Error("HTTP " + response.status); }
                    return response.json();
                }).then(fill, function () {
                    map.getContainer().setAttribute("data-areas-failed", "true");
                });
            }
            layers[{{ this.default_json }}].addTo(map);
            var overlays = {};
            {% for name, var in this.overlays %}
            overlays[{{ name }}] = {{ var }};
            {% endfor %}
            L.control.layers(base, overlays, {collapsed: true}).addTo(map);
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "posko-map-legend");
                div.setAttribute("role", "note");
                div.innerHTML = {{ this.legend_literal }};
                // Folded on a phone-sized map: one tap opens it, the map stays visible.
                var box = div.querySelector("details");
                if (box && map.getSize().x < 480) { box.removeAttribute("open"); }
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo(map);
            map.on("baselayerchange", function (e) {
                var container = legend.getContainer();
                Object.keys(labels).forEach(function (measure) {
                    var section = container.querySelector('[data-measure="' + measure + '"]');
                    if (section) { section.style.display = labels[measure] === e.name ? "" : "none"; }
                });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict,
        legend: str,
        overlays: Sequence[tuple[str, str]],
        approximate: bool,
        areas_url: str | None = None,
    ):
        super().__init__()
        self._name = "EventChoropleth"
        self.features = [f["properties"] for f in data["features"]]
        # With an areas URL the page carries the figures only (by code) and the browser fetches
        # the outlines; without one, whole features (a small map, or tests).
        self.data_json = script_json(
            {f["id"]: f["properties"] for f in data["features"]}
            if areas_url
            else {
                "type": "FeatureCollection",
                "features": [f for f in data["features"] if f.get("geometry")],
            }
        )
        self.url_json = script_json(areas_url)
        # Layer names are HTML to Leaflet's layer control.
        self.labels_json = script_json({key: text(label) for key, label in MEASURES.items()})
        self.default_json = script_json(next(iter(MEASURES)))
        self.approximate_json = "true" if approximate else "false"
        self.legend_literal = script_json(legend)
        self.overlays = [(script_json(text(name)), var) for name, var in overlays]

    def listing(self) -> MapListing:
        return MapListing(
            "Wilayah terdampak",
            ("Kelurahan/Desa", "Kecamatan", *MEASURES.values(), "Sumber"),
            tuple(
                (p["name"], p["kecamatan"], *(p[m] for m in MEASURES), p["source"])
                for p in self.features
            ),
        )


def _bounds(areas: dict, markers: Sequence[dict], drawn: dict | None, area_bounds=None):
    geoms = [
        shapely.from_geojson(json.dumps(f["geometry"]))
        for f in areas["features"]
        if f.get("geometry")
    ]
    if area_bounds:
        geoms.append(shapely.box(*area_bounds))
    if drawn:
        geoms.append(shapely.from_geojson(json.dumps(drawn)))
    geoms += [shapely.Point(m["lng"], m["lat"]) for m in markers]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def event_map(
    areas: dict,
    shelters: Sequence[Mapping] = (),
    *,
    drawn_area: dict | None = None,
    point: Sequence[float] | None = None,
    approximate: bool = False,
    source_note: str = (
        "Angka per kelurahan: terdata (registri korban) bila sudah ada, selain itu kaji cepat."
    ),
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    tiles: str | None = DEFAULT_TILES,
    areas_url: str | None = None,
    area_bounds: Sequence[float] | None = None,
) -> folium.Map:
    """A map of one event.

    areas: a GeoJSON FeatureCollection of the affected kelurahan whose properties hold name,
    kecamatan, jiwa (persons affected, all statuses), mengungsi (displaced) and source (which
    figures the numbers come from). They are coloured by jiwa or mengungsi, switchable in the
    layer control, with a legend that follows the switch. shelters: mappings as
    geo.shelter_map.marker_data takes them (name, lat, lng, persons, capacity, status, optional
    subtitle, warnings, url), drawn as circle markers coloured by occupancy. drawn_area: the
    GeoJSON geometry the operator drew, outlined. point: the event's (lat, lng), if recorded.
    Only Leaflet is linked; a caller serving it locally replaces default_js / default_css.
    areas_url: where the browser fetches the areas' outlines (GeoJSON, feature id = code); then
    `areas` need no geometry (the page carries the figures only) and area_bounds (min lng, min
    lat, max lng, max lat) say where they are.
    """
    data, breaks = _coloured_areas(areas, keep_without_geometry=bool(areas_url))
    markers = [
        marker_data(s) for s in shelters if s.get("lat") is not None and s.get("lng") is not None
    ]

    bounds = _bounds(data, markers, drawn_area, area_bounds)
    if center is None:
        if bounds:
            center = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
        elif point:
            center = tuple(point)
        else:
            center = _INDONESIA_CENTER
            zoom = _INDONESIA_ZOOM if zoom is None else zoom
    fmap = folium.Map(
        location=list(center), zoom_start=zoom if zoom is not None else 13, tiles=None
    )
    if tiles:
        folium.TileLayer(tiles, name=f"Peta dasar ({tiles})", control=False).add_to(fmap)
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]

    overlays = _overlays(fmap, markers, drawn_area, point)
    bands = sorted({m["band"] for m in markers}, key=list(BAND_COLOURS).index)
    fmap.add_child(
        _Choropleth(data, legend_html(breaks, source_note, bands), overlays, approximate, areas_url)
    )
    fmap.add_child(_MetricScale())
    if approximate:
        add_approximate_notice(fmap)
    if bounds and zoom is None:
        fmap.fit_bounds(bounds, padding=(20, 20), max_zoom=16)
    return fmap


def _coloured_areas(areas: dict, keep_without_geometry: bool = False) -> tuple[dict, dict]:
    """The affected areas with clean properties and a fill colour per measure; the class breaks."""
    features = []
    values: dict[str, list[int]] = {measure: [] for measure in MEASURES}
    for feature in areas.get("features", []):
        if not feature.get("geometry") and not keep_without_geometry:
            continue
        props = dict(feature.get("properties") or {})
        for measure in MEASURES:
            props[measure] = int(props.get(measure) or 0)
            values[measure].append(props[measure])
        props["name"] = str(props.get("name") or props.get("code") or "")
        props["kecamatan"] = str(props.get("kecamatan") or "")
        props["source"] = str(props.get("source") or "")
        features.append(
            {
                "type": "Feature",
                "id": str(feature.get("id") or props.get("code") or ""),
                "properties": props,
                "geometry": feature.get("geometry"),
            }
        )
    breaks = {measure: class_breaks(values[measure]) for measure in MEASURES}
    for feature in features:
        props = feature["properties"]
        for measure in MEASURES:
            props[f"fill_{measure}"] = colour_for(
                props[measure], breaks[measure], PALETTES[measure]
            )
    return {"type": "FeatureCollection", "features": features}, breaks


def _overlays(fmap, markers: list, drawn_area: dict | None, point) -> list[tuple[str, str]]:
    """Shelters, the drawn area and the event's point as layers; (label, layer name) of each."""
    overlays = []
    group = folium.FeatureGroup(name=SHELTER_LAYER, control=False)
    group.add_child(_ShelterMarkers(markers))
    group.add_to(fmap)
    overlays.append((SHELTER_LAYER, group.get_name()))
    if drawn_area:
        drawn = folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": drawn_area},
            name=DRAWN_LAYER,
            control=False,
            style_function=lambda _f: {
                "color": "#0b5d8c",
                "weight": 3,
                "dashArray": "8 4",
                "fill": False,
            },
            interactive=False,
        )
        drawn.add_to(fmap)
        overlays.append((DRAWN_LAYER, drawn.get_name()))
    if point:
        spot = folium.FeatureGroup(name=POINT_LAYER, control=False)
        folium.CircleMarker(
            location=list(point),
            radius=7,
            color="#000000",
            weight=2,
            fill=True,
            fill_color="#ffd43b",
            fill_opacity=1,
            tooltip=POINT_LAYER,
        ).add_to(spot)
        spot.add_to(fmap)
        overlays.append((POINT_LAYER, spot.get_name()))

    return overlays
