"""Folium map of shelters as circle markers coloured by occupancy, from plain dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.html import script_json, text
from geo.maps import (
    _BOX_STYLE,
    DEFAULT_TILES,
    LEAFLET_CSS,
    LEAFLET_JS,
    MapListing,
    _MapControl,
    _MetricScale,
)

SHELTER_LAYER = "Tempat pengungsian"

# Occupancy bands (persons / capacity). The cut-offs are a reading aid for the map, not a
# standard: below 80% there is room, from 80% to 100% the shelter is nearly full, above 100%
# it holds more people than it was registered for.
NEARLY_FULL_FROM = 80  # percent
FULL_ABOVE = 100  # percent

BAND_COLOURS = {
    "longgar": "#2e9d4f",  # green
    "hampir_penuh": "#f08c00",  # orange
    "melebihi": "#d7301f",  # red
    "tutup": "#8c8c8c",  # grey
    "tanpa_kapasitas": "#3b6fb6",  # blue: capacity not recorded, occupancy unknown
}
BAND_LABELS = {
    "longgar": f"Terisi < {NEARLY_FULL_FROM}%",
    "hampir_penuh": f"Terisi {NEARLY_FULL_FROM}–{FULL_ABOVE}%",
    "melebihi": f"Melebihi kapasitas (> {FULL_ABOVE}%)",
    "tutup": "Ditutup",
    "tanpa_kapasitas": "Kapasitas belum diisi",
}

# Whole of Indonesia, for a map without any shelter that has coordinates.
_INDONESIA_CENTER = (-2.5, 118.0)
_INDONESIA_ZOOM = 5


def occupancy_band(persons: int, capacity: int, status: str = "buka") -> str:
    """The band a shelter falls in: a key of BAND_COLOURS.

    Integer arithmetic, so exactly 80% and exactly 100% fall in "hampir_penuh".
    """
    if status != "buka":
        return "tutup"
    if capacity <= 0:
        return "tanpa_kapasitas"
    if persons * 100 < NEARLY_FULL_FROM * capacity:
        return "longgar"
    if persons * 100 <= FULL_ABOVE * capacity:
        return "hampir_penuh"
    return "melebihi"


def _thousands(value: int) -> str:
    """1234 -> '1.234' (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


def _occupancy_text(persons: int, capacity: int) -> str:
    if capacity <= 0:
        return f"{_thousands(persons)} jiwa (kapasitas belum diisi)"
    percent = round(persons * 100 / capacity)
    return f"{_thousands(persons)} dari {_thousands(capacity)} jiwa ({percent}%)"


def _marker_radius(persons: int) -> float:
    # Grows with the head count so big shelters stand out; never smaller than a finger-sized
    # target on a phone, never so big that neighbours disappear under it.
    return round(min(10 + persons**0.5 / 2, 24), 1)


def marker_data(shelter: Mapping) -> dict:
    """What the browser needs to draw one shelter; the colour follows occupancy_band.

    Texts are plain (the popup shows them as DOM text), except `tooltip`: Leaflet takes a
    tooltip string as HTML, so it is the escaped name.
    """
    persons = int(shelter.get("persons") or 0)
    capacity = int(shelter.get("capacity") or 0)
    status = shelter.get("status", "buka")
    band = occupancy_band(persons, capacity, status)
    return {
        "name": str(shelter["name"]),
        "tooltip": text(shelter["name"]),
        "lat": float(shelter["lat"]),
        "lng": float(shelter["lng"]),
        "band": band,
        "colour": BAND_COLOURS[band],
        "radius": _marker_radius(persons),
        "subtitle": str(shelter.get("subtitle") or ""),
        "occupancy": _occupancy_text(persons, capacity),
        "status": BAND_LABELS["tutup"] if status != "buka" else "",
        "warnings": [str(w) for w in shelter.get("warnings") or []],
        "url": str(shelter.get("url") or ""),
    }


class _ShelterMarkers(MacroElement):
    """Circle markers added by one script from a JSON list.

    Popups are built from DOM text nodes, never from HTML strings, so a shelter named
    "<script>" stays text; folium's own Popup would also need jQuery, which we do not load.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var shelters = {{ this.data_json }};
            function line(box, tag, text, cls) {
                var el = document.createElement(tag);
                el.textContent = text;
                if (cls) { el.className = cls; }
                box.appendChild(el);
                return el;
            }
            shelters.forEach(function (s) {
                var marker = L.circleMarker([s.lat, s.lng], {
                    radius: s.radius, color: "#1c2733", weight: 1.5,
                    fillColor: s.colour, fillOpacity: 0.85
                });
                var box = document.createElement("div");
                box.className = "posko-shelter-popup";
                var title = line(box, s.url ? "a" : "strong", s.name);
                if (s.url) { title.href = s.url; title.style.fontWeight = "700"; }
                if (s.subtitle) { line(box, "div", s.subtitle); }
                line(box, "div", s.status || s.occupancy);
                if (s.warnings.length) {
                    var list = document.createElement("ul");
                    list.style.margin = "4px 0 0"; list.style.paddingLeft = "18px";
                    s.warnings.forEach(function (w) { line(list, "li", w); });
                    box.appendChild(list);
                }
                marker.bindPopup(box);
                marker.bindTooltip(s.tooltip);
                marker.addTo(group);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markers: list[dict]):
        super().__init__()
        self._name = "ShelterMarkers"
        self.markers = markers
        self.data_json = script_json(markers)

    def listing(self) -> MapListing:
        return MapListing(
            SHELTER_LAYER,
            ("Tempat", "Keterangan", "Penghuni"),
            tuple((m["name"], m["subtitle"], m["status"] or m["occupancy"]) for m in self.markers),
        )


_OUTLINE_STYLE = {"color": "#44515e", "weight": 1.5, "fill": False, "dashArray": "5 4"}


def legend_html(bands: Sequence[str] | None = None, outlines: str | None = None) -> str:
    """The legend box: one coloured dot per occupancy band, and the outline layer if any."""
    dot = (
        "display:inline-block;width:14px;height:14px;border-radius:50%;margin-right:6px;"
        "vertical-align:middle;border:1px solid #1c2733;"
    )
    rows = "".join(
        f'<br><span style="{dot}background:{BAND_COLOURS[band]}"></span>{text(BAND_LABELS[band])}'
        for band in (bands or BAND_COLOURS)
    )
    if outlines:
        line = "display:inline-block;width:14px;margin-right:6px;vertical-align:middle;"
        rows += (
            f'<br><span style="{line}border-top:2px dashed {_OUTLINE_STYLE["color"]}"></span>'
            f"Batas {text(outlines)}"
        )
    return f'<div style="{_BOX_STYLE}"><strong>Keterangan</strong>{rows}</div>'


def shelter_map(
    shelters: Sequence[Mapping],
    *,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    tiles: str | None = DEFAULT_TILES,
    outlines: dict | None = None,
    outlines_label: str = "kecamatan",
) -> folium.Map:
    """A map of shelters as circle markers coloured by occupancy, with a legend.

    outlines, a GeoJSON FeatureCollection (e.g. kecamatan), is drawn as thin dashed lines
    under the markers so the map still reads where the background tiles cannot load.

    Each shelter is a mapping with name, lat, lng, persons, capacity and status ("buka" or
    "tutup"), and optionally subtitle (a line under the name), warnings (list of text) and url
    (its detail page). Shelters without coordinates are left out. Without center/zoom the map
    fits the markers (or shows Indonesia when there are none). Only Leaflet is linked; a caller
    serving it locally replaces `m.default_js` / `m.default_css`.
    """
    markers = [
        marker_data(s) for s in shelters if s.get("lat") is not None and s.get("lng") is not None
    ]
    if center is None:
        if markers:
            lats = [m["lat"] for m in markers]
            lngs = [m["lng"] for m in markers]
            center = ((min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2)
        else:
            center = _INDONESIA_CENTER
            zoom = _INDONESIA_ZOOM if zoom is None else zoom
    fmap = folium.Map(
        location=list(center), zoom_start=zoom if zoom is not None else 13, tiles=None
    )
    if tiles:
        folium.TileLayer(tiles, name=f"Peta dasar ({tiles})").add_to(fmap)
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    if outlines and outlines.get("features"):
        folium.GeoJson(
            outlines,
            name=f"Batas {outlines_label}",
            style_function=lambda _feature: _OUTLINE_STYLE,
            interactive=False,
            control=False,
        ).add_to(fmap)
    group = folium.FeatureGroup(name=SHELTER_LAYER)
    group.add_child(_ShelterMarkers(markers))
    group.add_to(fmap)
    fmap.add_child(_MetricScale())
    legend = legend_html(outlines=outlines_label if outlines and outlines.get("features") else None)
    fmap.add_child(_MapControl(legend, "bottomright", "posko-map-legend"))
    if markers and zoom is None:
        fmap.fit_bounds(
            [
                [min(m["lat"] for m in markers), min(m["lng"] for m in markers)],
                [max(m["lat"] for m in markers), max(m["lng"] for m in markers)],
            ],
            padding=(30, 30),
            # One shelter alone would otherwise zoom to the street level of the tile server.
            max_zoom=16,
        )
    return fmap
