"""Shelter map: occupancy bands and colours, markers from plain dicts, legend, safe text."""

import json
import re

import pytest

from geo.maps import render_map_html
from geo.shelter_map import (
    BAND_COLOURS,
    BAND_LABELS,
    SHELTER_LAYER,
    marker_data,
    occupancy_band,
    shelter_map,
)


@pytest.mark.parametrize(
    ("persons", "capacity", "status", "band"),
    [
        (0, 100, "buka", "longgar"),
        (79, 100, "buka", "longgar"),
        (80, 100, "buka", "hampir_penuh"),  # exactly 80% is orange
        (100, 100, "buka", "hampir_penuh"),  # exactly full is still orange
        (101, 100, "buka", "melebihi"),
        (3, 4, "buka", "longgar"),  # 75%
        (4, 5, "buka", "hampir_penuh"),  # 80% without floats
        (0, 100, "tutup", "tutup"),
        (150, 100, "tutup", "tutup"),  # closed wins
        (5, 0, "buka", "tanpa_kapasitas"),
    ],
)
def test_occupancy_bands(persons, capacity, status, band):
    assert occupancy_band(persons, capacity, status) == band


def test_colours_are_green_orange_red_grey():
    assert BAND_COLOURS["longgar"] == "#2e9d4f"
    assert BAND_COLOURS["hampir_penuh"] == "#f08c00"
    assert BAND_COLOURS["melebihi"] == "#d7301f"
    assert BAND_COLOURS["tutup"] == "#8c8c8c"
    assert set(BAND_LABELS) == set(BAND_COLOURS)


def markers_in(script: str) -> list[dict]:
    return json.loads(re.search(r"var shelters = (\[.*?\]);\n", script).group(1))


SHELTERS = [
    {"name": "Balai Warga", "lat": -6.233, "lng": 107.013, "persons": 50, "capacity": 100},
    {"name": "Masjid Al-Ikhlas", "lat": -6.253, "lng": 107.011, "persons": 45, "capacity": 50},
    {
        "name": "SDN Margahayu 3",
        "lat": -6.240,
        "lng": 107.020,
        "persons": 1250,
        "capacity": 1000,
        "warnings": ["Melebihi kapasitas"],
        "url": "/pengungsian/3",
        "subtitle": "Gedung sekolah · Margahayu",
    },
    {"name": "Tenda", "lat": -6.25, "lng": 107.0, "persons": 0, "capacity": 30, "status": "tutup"},
    {"name": "Tanpa titik", "lat": None, "lng": None, "persons": 10, "capacity": 10},
]


def test_markers_carry_colour_text_and_link():
    parts = render_map_html(shelter_map(SHELTERS))
    markers = {m["name"]: m for m in markers_in(parts.script)}
    assert set(markers) == {"Balai Warga", "Masjid Al-Ikhlas", "SDN Margahayu 3", "Tenda"}
    assert markers["Balai Warga"]["colour"] == BAND_COLOURS["longgar"]
    assert markers["Masjid Al-Ikhlas"]["colour"] == BAND_COLOURS["hampir_penuh"]
    assert markers["SDN Margahayu 3"]["colour"] == BAND_COLOURS["melebihi"]
    assert markers["Tenda"]["colour"] == BAND_COLOURS["tutup"]
    over = markers["SDN Margahayu 3"]
    assert over["occupancy"] == "1.250 dari 1.000 jiwa (125%)"
    assert over["url"] == "/pengungsian/3" and over["warnings"] == ["Melebihi kapasitas"]
    assert markers["Tenda"]["status"] == "Ditutup"
    assert "L.circleMarker" in parts.script
    assert "fitBounds" in parts.script
    # The legend: escaped HTML ("&gt;") in a script string, where "&" is written as \u0026.
    assert "Keterangan" in parts.script and "Melebihi kapasitas (\\u0026gt; 100%)" in parts.script


def test_bigger_shelters_get_bigger_markers_within_limits():
    small = marker_data({"name": "a", "lat": 0, "lng": 0, "persons": 0, "capacity": 10})
    big = marker_data({"name": "b", "lat": 0, "lng": 0, "persons": 400, "capacity": 500})
    huge = marker_data({"name": "c", "lat": 0, "lng": 0, "persons": 90_000, "capacity": 10})
    assert small["radius"] == 10 and small["radius"] < big["radius"] <= huge["radius"] == 24


def test_names_cannot_break_out_of_the_script():
    hostile = [{"name": "</script><b>x", "lat": -6.2, "lng": 107.0, "persons": 1, "capacity": 2}]
    parts = render_map_html(shelter_map(hostile))
    assert "</script>" not in parts.script
    assert markers_in(parts.script)[0]["name"] == "</script><b>x"
    # Popups are built with textContent, never innerHTML.
    assert "textContent" in parts.script and ".innerHTML = s." not in parts.script


def test_a_map_without_points_shows_the_given_center_or_indonesia():
    empty = shelter_map([], center=(-6.25, 107.0), zoom=12)
    assert empty.location == [-6.25, 107.0]
    assert markers_in(render_map_html(empty).script) == []
    assert shelter_map([]).location == [-2.5, 118.0]


def test_only_leaflet_is_linked():
    header = render_map_html(shelter_map(SHELTERS)).header
    assert "leaflet" in header
    assert "jquery" not in header.lower() and "bootstrap" not in header.lower()


def test_shelter_map_lists_its_shelters():
    shelters = render_map_html(shelter_map(SHELTERS)).listings[0]
    assert shelters.title == SHELTER_LAYER
    assert {row[0] for row in shelters.rows} == {
        "Balai Warga",
        "Masjid Al-Ikhlas",
        "SDN Margahayu 3",
        "Tenda",
    }
    assert ("Tenda", "", "Ditutup") in shelters.rows
