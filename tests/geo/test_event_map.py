"""The event map: choropleth classes and colours, switchable measures, shelters, legend."""

import json
import re

import shapely

from geo import render_map_html, to_geojson
from geo.event_map import (
    NICE_STEPS,
    PALETTES,
    ZERO_COLOUR,
    class_breaks,
    colour_for,
    event_map,
    legend_html,
)
from geo.shelter_map import BAND_COLOURS, SHELTER_LAYER


def square(x, y, size=0.01):
    return json.loads(shapely.to_geojson(shapely.box(x, y, x + size, y + size)))


def areas(*rows):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "kecamatan": "Bekasi Timur",
                    "jiwa": jiwa,
                    "mengungsi": mengungsi,
                    "source": "Kaji cepat",
                },
                "geometry": square(107.0 + i * 0.01, -6.25),
            }
            for i, (code, name, jiwa, mengungsi) in enumerate(rows)
        ],
    }


def embedded_data(script: str) -> dict:
    match = re.search(r"var data = (\{.*?\});\n", script)
    assert match, "choropleth data not found in the map script"
    return json.loads(match.group(1))


def test_class_breaks_are_readable_and_cover_the_maximum():
    assert class_breaks([]) == [] and class_breaks([0, 0]) == []
    breaks = class_breaks([3, 10, 25, 120, 999])
    assert breaks == sorted(set(breaks)) and breaks[-1] >= 999
    assert all(any(b == step * 10**k for step in NICE_STEPS for k in range(4)) for b in breaks)
    assert class_breaks([7, 7, 7]) == [8]


def test_colour_for_uses_the_dark_end_when_there_are_few_classes():
    palette = PALETTES["jiwa"]
    assert colour_for(0, [10, 20], palette) == ZERO_COLOUR
    assert colour_for(None, [10, 20], palette) == ZERO_COLOUR
    assert colour_for(5, [10, 20], palette) == palette[3]
    assert colour_for(15, [10, 20], palette) == palette[4]
    assert colour_for(15, [10, 20, 50, 100, 200], palette) == palette[1]


def test_map_colours_each_measure_and_embeds_the_areas_once():
    fmap = event_map(
        areas(
            ("32.75.01.1001", "Bekasijaya", 500, 0),
            ("32.75.01.1002", "Margahayu", 20, 20),
            ("32.75.01.1003", "Durenjaya", 0, 0),
        )
    )
    parts = render_map_html(fmap)
    data = embedded_data(parts.script)
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert props["32.75.01.1001"]["fill_jiwa"] == PALETTES["jiwa"][-1]
    assert props["32.75.01.1001"]["fill_mengungsi"] == ZERO_COLOUR
    assert props["32.75.01.1002"]["fill_mengungsi"] == PALETTES["mengungsi"][-1]
    assert props["32.75.01.1003"]["fill_jiwa"] == ZERO_COLOUR
    # One copy of the geometry feeds both layers of the switch.
    assert parts.script.count('"Bekasijaya"') == 1
    assert "L.control.layers(base, overlays" in parts.script
    assert "baselayerchange" in parts.script and "poskoKelurahan" in parts.script


def test_shelters_and_drawn_area_layers():
    shelters = [
        {"name": "SDN 1", "lat": -6.245, "lng": 107.005, "persons": 90, "capacity": 100},
        {"name": "GOR", "lat": -6.246, "lng": 107.015, "persons": 130, "capacity": 100},
        {"name": "Balai", "lat": -6.247, "lng": 107.012, "persons": 0, "capacity": 40},
        {
            "name": "Tenda",
            "lat": -6.247,
            "lng": 107.011,
            "persons": 0,
            "capacity": 9,
            "status": "tutup",
        },
        {"name": "Tanpa titik", "lat": None, "lng": None, "persons": 5, "capacity": 9},
    ]
    drawn = square(107.0, -6.25, 0.02)
    parts = render_map_html(
        event_map(areas(("a", "A", 1, 1)), shelters, drawn_area=drawn, point=(-6.24, 107.01))
    )
    for colour in (
        BAND_COLOURS["hampir_penuh"],
        BAND_COLOURS["melebihi"],
        BAND_COLOURS["longgar"],
        BAND_COLOURS["tutup"],
    ):
        assert colour in parts.script
    assert "Tanpa titik" not in parts.script
    assert '"Area yang digambar"' in parts.script and '"Titik kejadian"' in parts.script


def test_legend_follows_the_measure_and_names_the_source():
    legend = legend_html({"jiwa": [10, 50], "mengungsi": []}, "Sumber: terdata", ["melebihi"])
    assert 'data-measure="jiwa" style=""' in legend
    assert 'data-measure="mengungsi" style="display:none;"' in legend
    assert "1–10 jiwa" in legend and "11–50 jiwa" in legend
    assert "Sumber: terdata" in legend and "Melebihi kapasitas" in legend


def test_names_cannot_break_out_of_the_script():
    parts = render_map_html(event_map(areas(("x", "</script><b>Kel</b>", 3, 1))))
    assert "</script><b>" not in parts.script
    assert "textContent" in parts.script  # tooltips are text nodes, not HTML


def test_a_province_event_of_500_desa(jawa_barat):
    frame = jawa_barat.iloc[:500].copy()
    frame["jiwa"] = range(500)
    frame["mengungsi"] = [i // 3 for i in range(500)]
    frame["kecamatan"] = frame["kecamatan_name"]
    frame["source"] = "Kaji cepat"
    collection = to_geojson(frame, ["code", "name", "jiwa", "mengungsi", "source"])
    parts = render_map_html(event_map(collection))
    data = embedded_data(parts.script)
    assert len(data["features"]) == 500
    assert {f["properties"]["fill_jiwa"] for f in data["features"]} >= set(PALETTES["jiwa"])


def by_title(parts):
    return {listing.title: listing for listing in parts.listings}


def test_event_map_lists_the_figures_of_each_area_and_the_shelters():
    fmap = event_map(
        areas(("32.75.01.1001", "Bekasijaya", 500, 40), ("32.75.01.1002", "Margahayu", 20, 0)),
        shelters=[
            {"name": "GOR <Bekasi>", "lat": -6.25, "lng": 107.0, "persons": 40, "capacity": 100}
        ],
    )
    listings = by_title(render_map_html(fmap))
    affected = listings["Wilayah terdampak"]
    assert affected.columns == (
        "Kelurahan/Desa",
        "Kecamatan",
        "Jiwa terdampak",
        "Mengungsi",
        "Sumber",
    )
    assert ("Bekasijaya", "Bekasi Timur", 500, 40, "Kaji cepat") in affected.rows
    # Plain text: the page's template escapes it, not the map builder.
    assert listings[SHELTER_LAYER].rows == (("GOR <Bekasi>", "", "40 dari 100 jiwa (40%)"),)
