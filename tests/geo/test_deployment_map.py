"""Folium map of Tagana deployments: markers from plain dicts, safe popups, legend, layer."""

import json
import re

import folium
import pytest

from geo.deployment_map import (
    DEPLOYMENT_LAYER,
    STATE_COLOURS,
    STATE_LABELS,
    deployment_layer,
    deployment_map,
    place_marker,
)
from geo.maps import render_map_html

PLACES = [
    {
        "name": "Tempat pengungsian: SDN Margahayu 1",
        "kind": "Tempat pengungsian",
        "lat": -6.2456,
        "lng": 107.0123,
        "state": "bertugas",
        "people": [
            {
                "name": "Budi",
                "role": "Petugas shelter",
                "state": "bertugas",
                "state_label": "Bertugas",
                "url": "/tagana/pengerahan/1",
            },
            {
                "name": "Sari",
                "role": "Pendamping psikososial",
                "state": "direncanakan",
                "state_label": "Direncanakan",
            },
        ],
    },
    {
        "name": "Tempat pengungsian: Masjid Al-Ikhlas",
        "lat": -6.26,
        "lng": 106.99,
        "state": "kosong",
        "people": [],
    },
    {"name": "Gudang tanpa titik", "lat": None, "lng": None, "state": "direncanakan"},
]


def markers_in(html: str) -> list[dict]:
    match = re.search(r"var places = (\[.*?\]);", html, re.S)
    assert match, "marker data not found"
    return json.loads(match.group(1))


def test_marker_data():
    marker = place_marker(PLACES[0])
    assert marker["colour"] == STATE_COLOURS["bertugas"]
    assert marker["state"] == STATE_LABELS["bertugas"]
    assert marker["tooltip"] == "Tempat pengungsian: SDN Margahayu 1 (1 bertugas)"
    assert [p["name"] for p in marker["people"]] == ["Budi", "Sari"]
    assert marker["people"][0]["url"] == "/tagana/pengerahan/1"
    assert 9 <= place_marker(PLACES[1])["radius"] < marker["radius"] <= 20


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="unknown place state"):
        place_marker({"name": "x", "lat": 0, "lng": 0, "state": "hilang"})


def test_map_has_layer_legend_and_only_located_places():
    fmap = deployment_map(PLACES)
    html = fmap.get_root().render()
    markers = markers_in(html)
    assert [m["name"] for m in markers] == [PLACES[0]["name"], PLACES[1]["name"]]
    assert DEPLOYMENT_LAYER in html
    assert "L.control.layers" in html
    for label in STATE_LABELS.values():
        assert label in html
    assert "fitBounds" in html


def test_names_stay_text():
    place = dict(
        PLACES[1],
        name="</script><b>Pos</b>",
        people=[{"name": "<img src=x onerror=alert(1)>", "role": "r", "state_label": "s"}],
    )
    html = deployment_map([place]).get_root().render()
    # Only "</" can end a script element early; it is escaped in the marker data.
    assert "</script><b>" not in html
    # Popups are built with textContent, so the JSON carries the text as data.
    assert markers_in(html)[0]["people"][0]["name"] == "<img src=x onerror=alert(1)>"


def test_empty_map_shows_indonesia():
    fmap = deployment_map([])
    assert fmap.location == [-2.5, 118.0]
    assert markers_in(fmap.get_root().render()) == []


def test_layer_can_join_another_map_and_render_as_parts():
    fmap = folium.Map(location=[-6.25, 107.0], zoom_start=12, tiles=None)
    deployment_layer(PLACES).add_to(fmap)
    parts = render_map_html(fmap)
    assert len(markers_in(parts.script)) == 2
    assert "L.circleMarker" in parts.script


def test_deployment_map_lists_its_places():
    places = render_map_html(deployment_map(PLACES)).listings[0]
    assert places.title == DEPLOYMENT_LAYER
    assert places.rows[0] == (
        PLACES[0]["name"],
        "Tempat pengungsian",
        "Ada yang bertugas",
        "Budi, Sari",
    )
    assert len(places.rows) == 2  # the place without a point is not on the map
