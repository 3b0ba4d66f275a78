"""Folium layer and map of Tagana deployments: one marker per place listing who is there."""

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

DEPLOYMENT_LAYER = "Pengerahan Tagana"

# A place's colour says whether anyone is there now; a gap (an open shelter with nobody on
# duty) is the one the coordinator must act on, so it is the loudest.
STATE_COLOURS = {
    "bertugas": "#1b7f3b",  # green: someone checked in and on duty now
    "direncanakan": "#2f6db5",  # blue: people planned, nobody arrived yet
    "kosong": "#c62828",  # red: open shelter with nobody on duty
    "selesai": "#7a7a7a",  # grey: everyone there has finished
}
STATE_LABELS = {
    "bertugas": "Ada yang bertugas",
    "direncanakan": "Hanya direncanakan",
    "kosong": "Pengungsian tanpa petugas",
    "selesai": "Tugas selesai",
}

_INDONESIA_CENTER = (-2.5, 118.0)
_INDONESIA_ZOOM = 5


def place_marker(place: Mapping) -> dict:
    """What the browser needs for one place: position, colour, title and the people there.

    A place is a mapping with name, lat, lng, state (a key of STATE_COLOURS), optionally kind
    (e.g. "Dapur umum") and people: mappings with name, role, state_label and optionally url.
    Texts are plain (the popup shows them as DOM text), except `tooltip`, which Leaflet takes
    as HTML and so is escaped.
    """
    state = place.get("state") or "direncanakan"
    if state not in STATE_COLOURS:
        raise ValueError(f"unknown place state {state!r}; use one of {', '.join(STATE_COLOURS)}")
    people = [
        {
            "name": str(person.get("name") or ""),
            "role": str(person.get("role") or ""),
            "state": str(person.get("state_label") or ""),
            "url": str(person.get("url") or ""),
        }
        for person in place.get("people") or []
    ]
    on_duty = sum(1 for person in place.get("people") or [] if person.get("state") == "bertugas")
    return {
        "name": str(place["name"]),
        "kind": str(place.get("kind") or ""),
        "lat": float(place["lat"]),
        "lng": float(place["lng"]),
        "colour": STATE_COLOURS[state],
        "state": STATE_LABELS[state],
        "tooltip": text(f"{place['name']} ({on_duty} bertugas)"),
        "people": people,
        # Bigger markers for busier places, within a finger-sized range.
        "radius": min(9 + 2 * len(people), 20),
    }


class _DeploymentMarkers(MacroElement):
    """Circle markers drawn by one script from a JSON list.

    Popups are built from DOM text nodes, never HTML strings: a member or place named
    "<b>" stays text. Folium's own popups would also need jQuery, which the pages do not load.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var places = {{ this.data_json }};
            function add(parent, tag, text) {
                var el = document.createElement(tag);
                if (text) { el.textContent = text; }
                parent.appendChild(el);
                return el;
            }
            places.forEach(function (p) {
                var marker = L.circleMarker([p.lat, p.lng], {
                    radius: p.radius, color: "#1c2733", weight: 1.5,
                    fillColor: p.colour, fillOpacity: 0.85
                });
                var box = document.createElement("div");
                box.className = "posko-deployment-popup";
                add(box, "strong", p.name);
                if (p.kind) { add(box, "div", p.kind); }
                add(box, "div", p.state);
                if (p.people.length) {
                    var list = add(box, "ul");
                    list.style.margin = "4px 0 0"; list.style.paddingLeft = "18px";
                    p.people.forEach(function (person) {
                        var item = add(list, "li");
                        var who = add(item, person.url ? "a" : "span", person.name);
                        if (person.url) { who.href = person.url; }
                        add(item, "span", " — " + person.role + " (" + person.state + ")");
                    });
                } else {
                    add(box, "div", "Belum ada petugas.");
                }
                // Padding keeps the opened popup clear of the zoom buttons on a narrow phone map.
                marker.bindPopup(box, {maxWidth: 260, autoPanPaddingTopLeft: [48, 12]});
                marker.bindTooltip(p.tooltip);
                marker.addTo(group);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markers: list[dict]):
        super().__init__()
        self._name = "DeploymentMarkers"
        self.markers = markers
        self.data_json = script_json(markers)

    def listing(self) -> MapListing:
        return MapListing(
            DEPLOYMENT_LAYER,
            ("Lokasi", "Jenis", "Keadaan", "Petugas"),
            tuple(
                (m["name"], m["kind"], m["state"], ", ".join(p["name"] for p in m["people"]))
                for m in self.markers
            ),
        )


def legend_html() -> str:
    """The legend: one coloured dot per place state."""
    dot = (
        "display:inline-block;width:14px;height:14px;border-radius:50%;margin-right:6px;"
        "vertical-align:middle;border:1px solid #1c2733;"
    )
    rows = "".join(
        f'<br><span style="{dot}background:{colour}"></span>{text(STATE_LABELS[state])}'
        for state, colour in STATE_COLOURS.items()
    )
    return f'<div style="{_BOX_STYLE}"><strong>Tagana</strong>{rows}</div>'


def deployment_layer(
    places: Sequence[Mapping], name: str = DEPLOYMENT_LAYER
) -> folium.FeatureGroup:
    """A toggleable layer of deployment places, to add to any folium map (e.g. an event map).

    Places without coordinates are left out.
    """
    markers = [
        place_marker(p) for p in places if p.get("lat") is not None and p.get("lng") is not None
    ]
    group = folium.FeatureGroup(name=name)
    group.add_child(_DeploymentMarkers(markers))
    return group


def deployment_map(
    places: Sequence[Mapping],
    *,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    tiles: str | None = DEFAULT_TILES,
) -> folium.Map:
    """A map of deployment places with a legend and a layer control.

    Without center/zoom the map fits the places (or shows Indonesia when none has a location).
    Only Leaflet is linked; a caller serving it locally replaces `default_js`/`default_css`.
    """
    located = [p for p in places if p.get("lat") is not None and p.get("lng") is not None]
    lats = [float(p["lat"]) for p in located]
    lngs = [float(p["lng"]) for p in located]
    if center is None:
        if located:
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
    deployment_layer(located).add_to(fmap)
    # Collapsed: an open layer list would cover most of a 360 px map.
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.add_child(_MetricScale())
    fmap.add_child(_MapControl(legend_html(), "bottomright", "posko-map-legend"))
    if located and zoom is None:
        fmap.fit_bounds(
            [[min(lats), min(lngs)], [max(lats), max(lngs)]],
            padding=(30, 30),
            # A single place would otherwise zoom in to street level.
            max_zoom=16,
        )
    return fmap
