"""Data on maps stays text: escaping helpers, folium parts, every map builder, CSP nonces."""

import json
import re
from urllib.parse import urlsplit

import folium
import pytest

from geo.deployment_map import deployment_map
from geo.event_map import event_map
from geo.html import add_script_nonce, escape_map, escape_properties, script_json, text
from geo.maps import area_map, render_map_html, tile_origins
from geo.shelter_map import marker_data, shelter_map

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
TEMPLATE = "${window.__xss=1}`;window.__xss=1;`"
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[107.0, -6.3], [107.01, -6.3], [107.01, -6.29], [107.0, -6.29], [107.0, -6.3]]
    ],
}


def everything(parts) -> str:
    return parts.header + parts.html + parts.script


def geojson_payloads(script: str) -> list[dict]:
    """The GeoJSON collections folium embeds (`..._add({...});`), decoded."""
    return [json.loads(m) for m in re.findall(r"_add\((\{.*?\})\);\n", script)]


def test_text_escapes_html_and_template_literal_characters():
    assert text(IMG) == "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;"
    assert text(TEMPLATE) == "&#36;{window.__xss=1}&#96;;window.__xss=1;&#96;"
    assert text("a\\u0041") == "a&#92;u0041"
    assert text(None) == "" and text(12) == "12"
    assert text("Kelurahan Jatiasih — Bekasi") == "Kelurahan Jatiasih — Bekasi"


def test_script_json_cannot_close_the_script_element():
    value = {"name": SCRIPT + "<!-- & '", "sep": "\u2028\u2029", "kota": "Bekasi"}
    dumped = script_json(value)
    assert not set("<>&'\u2028\u2029") & set(dumped)
    assert json.loads(dumped) == value


def test_escape_properties_makes_every_value_text():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nama": IMG, "n": 3, "ok": True, "none": None, "tags": [SCRIPT]},
                "geometry": SQUARE,
            }
        ],
    }
    props = escape_properties(collection)["features"][0]["properties"]
    assert props["nama"] == text(IMG)
    assert props["n"] == 3 and props["ok"] is True and props["none"] is None
    assert "<" not in props["tags"]
    assert collection["features"][0]["properties"]["nama"] == IMG  # the caller's copy stays


def test_escape_map_covers_folium_tooltips_popups_and_layer_names():
    fmap = folium.Map(tiles=None)
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"nama": IMG}, "geometry": SQUARE}],
    }
    folium.GeoJson(
        data,
        name=SCRIPT,
        tooltip=folium.GeoJsonTooltip(fields=["nama"], aliases=[IMG]),
        popup=folium.GeoJsonPopup(fields=["nama"]),
    ).add_to(fmap)
    folium.CircleMarker([-6.3, 107.0], tooltip=TEMPLATE, popup=IMG).add_to(fmap)
    folium.LayerControl().add_to(fmap)

    parts = render_map_html(fmap)
    page = everything(parts)
    for payload in (IMG, SCRIPT, TEMPLATE):
        assert payload not in page
    (collection,) = geojson_payloads(parts.script)
    assert collection["features"][0]["properties"]["nama"] == text(IMG)
    assert json.dumps(text(IMG)) in page.replace("\\u0026", "&")  # the alias, once escaped
    assert text(TEMPLATE) in page  # the tooltip text
    assert text(SCRIPT) in page.replace("\\u0026", "&")  # the layer name in the control
    assert data["features"][0]["properties"]["nama"] == IMG  # the caller's data stays

    # Rendering again escapes nothing twice.
    escape_map(fmap)
    assert geojson_payloads(render_map_html(fmap).script)[0]["features"][0]["properties"][
        "nama"
    ] == text(IMG)


def test_area_map_tooltips_show_escaped_names():
    kelurahan = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kode": "32.75.01.1001", "nama": IMG, "kecamatan": SCRIPT},
                "geometry": SQUARE,
            }
        ],
    }
    kecamatan = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kode": "32.75.01", "nama": TEMPLATE},
                "geometry": SQUARE,
            }
        ],
    }
    parts = render_map_html(area_map(kelurahan, kecamatan, approximate=True))
    page = everything(parts)
    assert IMG not in page and SCRIPT not in page
    kel, kec = geojson_payloads(parts.script)
    assert kel["features"][0]["properties"] == {
        "nama": text(IMG),
        "kecamatan": text(SCRIPT),
        "kode": "32.75.01.1001",
    }
    assert kec["features"][0]["properties"]["nama"] == text(TEMPLATE)


def test_marker_maps_give_leaflet_escaped_tooltips_and_plain_popup_text():
    shelter = {"name": IMG, "lat": -6.3, "lng": 107.0, "persons": 5, "capacity": 10}
    marker = marker_data(shelter | {"subtitle": SCRIPT, "warnings": [TEMPLATE]})
    assert marker["tooltip"] == text(IMG)
    assert marker["name"] == IMG and marker["subtitle"] == SCRIPT  # shown as DOM text
    shelters = render_map_html(shelter_map([shelter | {"subtitle": SCRIPT}]))
    assert "bindTooltip(s.tooltip)" in shelters.script
    assert "innerHTML" not in shelters.script.split("posko-shelter-popup")[1].split("})();")[0]

    place = {
        "name": IMG,
        "lat": -6.3,
        "lng": 107.0,
        "state": "bertugas",
        "people": [{"name": SCRIPT, "role": TEMPLATE, "state": "bertugas"}],
    }
    deployments = render_map_html(deployment_map([place]))
    assert "bindTooltip(p.tooltip)" in deployments.script
    assert script_json(text(IMG) + " (1 bertugas)") in deployments.script

    for parts in (shelters, deployments):
        page = everything(parts)
        assert IMG not in page and SCRIPT not in page


def test_event_map_keeps_names_out_of_html():
    areas = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "1", "name": IMG, "kecamatan": SCRIPT, "jiwa": 4},
                "geometry": SQUARE,
            }
        ],
    }
    shelter = {"name": SCRIPT, "lat": -6.295, "lng": 107.005, "persons": 1, "capacity": 2}
    parts = render_map_html(event_map(areas, [shelter], point=(-6.295, 107.005)))
    page = everything(parts)
    assert IMG not in page and SCRIPT not in page
    assert "textContent" in parts.script  # area tooltips are DOM text


def test_add_script_nonce_marks_every_script_once():
    fragment = '<script src="/a.js"></script><SCRIPT>x()</SCRIPT><script nonce="n1">y()</script>'
    marked = add_script_nonce(fragment, "abc")
    assert marked.count('nonce="abc"') == 2 and marked.count("nonce=") == 3
    assert add_script_nonce(marked, "abc") == marked
    assert 'nonce="&quot;' in add_script_nonce("<script>", '"')


@pytest.mark.parametrize("tiles", ["OpenStreetMap", "OpenTopoMap"])
def test_tile_origins_are_where_the_map_loads_tiles_from(tiles):
    origins = tile_origins(tiles)
    script = render_map_html(shelter_map([], tiles=tiles)).script
    (template,) = re.findall(r'L\.tileLayer\(\s*"([^"]+)"', script)
    subdomains = "abc" if "{s}" in template else "x"
    for sub in subdomains:
        url = template.replace("{s}", sub)
        assert f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" in origins
    assert tile_origins() == ("https://tile.openstreetmap.org",)
