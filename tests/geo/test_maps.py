"""Folium area maps: layers, legend, the approximate notice, embeddable parts."""

import json

import numpy as np
import pytest
import shapely

from geo.maps import (
    APPROXIMATE_NOTICE,
    KECAMATAN_LAYER,
    KELURAHAN_LAYER,
    MapHtml,
    area_map,
    render_map_html,
    simplify_for_zoom,
    to_geojson,
)


@pytest.fixture
def bekasi(boundary, parents_of):
    return boundary("kota_bekasi.geojson"), parents_of("kota_bekasi.geojson")["kecamatan"]


def page(fmap) -> str:
    return fmap.get_root().render()


def test_map_has_layers_and_legend(bekasi):
    kelurahan, kecamatan = bekasi
    html = page(area_map(kelurahan, kecamatan, approximate=False))
    assert "Kecamatan" in html
    assert "Kelurahan/Desa" in html
    assert "L.control.layers" in html
    assert "Keterangan" in html and "Batas kecamatan" in html
    assert "fitBounds" in html
    assert APPROXIMATE_NOTICE not in html
    assert "Batas wilayah perkiraan" not in html
    # tooltip: name, kecamatan, code
    assert "Bekasijaya" in html and "32.75.01.1001" in html and "Bekasi Timur" in html


def test_approximate_map_shows_the_notice(bekasi):
    kelurahan, kecamatan = bekasi
    html = page(area_map(kelurahan, kecamatan, approximate=True))
    assert APPROXIMATE_NOTICE in html
    assert "Batas wilayah perkiraan (sel Voronoi dari titik kelurahan)" in html
    assert "muat berkas batas resmi untuk batas sebenarnya" in html
    # Folded to its summary line on a phone (it covered the top of the map), open on a desktop.
    assert "details data-open-wide" in html and "Perhatian: batas perkiraan" in html
    assert 'matchMedia("(min-width: 768px)")' in html


def test_layer_names_are_the_overlay_names(bekasi):
    kelurahan, kecamatan = bekasi
    script = render_map_html(area_map(kelurahan, kecamatan, approximate=False)).script
    overlays = script[script.index("overlays") :]
    assert '"Kelurahan/Desa"' in overlays and '"Kecamatan"' in overlays


def test_geojson_dict_input(boundaries_dir):
    raw = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    html = page(area_map(raw, None, approximate=False))
    assert "Kelurahan/Desa" in html and "Pahlawan" in html and "12.75.01.1001" in html


def test_center_and_zoom(bekasi):
    kelurahan, kecamatan = bekasi
    html = page(area_map(kelurahan, kecamatan, approximate=False, center=(-6.3, 107.0), zoom=13))
    assert "fitBounds" not in html
    assert "-6.3" in html and '"zoom": 13' in html


def test_render_map_html_parts(bekasi):
    kelurahan, kecamatan = bekasi
    parts = render_map_html(area_map(kelurahan, kecamatan, approximate=True))
    assert isinstance(parts, MapHtml)
    assert "leaflet" in parts.header and "<link" in parts.header
    assert "bootstrap" not in parts.header  # only Leaflet, nothing restyling the host page
    assert "html, body" not in parts.header and "user-scalable" not in parts.header
    assert 'class="folium-map"' in parts.html
    assert "L.map(" in parts.script and "<script" not in parts.script
    assert APPROXIMATE_NOTICE in parts.script


def test_to_geojson(bekasi):
    kelurahan, _ = bekasi
    data = to_geojson(kelurahan, ["code", "name", "area_km2"], precision=5)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 56
    first = data["features"][0]
    assert first["id"] == "32.75.01.1001"
    assert set(first["properties"]) == {"code", "name", "area_km2"}
    coords = np.asarray(
        shapely.get_coordinates(shapely.from_geojson(json.dumps(first["geometry"])))
    )
    assert np.allclose(coords, np.round(coords, 5))
    json.dumps(data)  # serialisable as it is


def test_simplify_for_zoom(jawa_barat):
    sample = jawa_barat.iloc[:400]
    for method in ("polygon", "coverage"):
        simple = simplify_for_zoom(sample, 0.001, method=method)
        geoms = np.asarray(simple.geometry.values, dtype=object)
        assert list(simple.columns) == list(sample.columns) and len(simple) == len(sample)
        assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
        before = shapely.get_num_coordinates(np.asarray(sample.geometry.values)).sum()
        assert shapely.get_num_coordinates(geoms).sum() < 0.6 * before
    # the input is left alone
    assert sample.geometry.iloc[0].equals(jawa_barat.geometry.iloc[0])


def by_title(parts):
    return {listing.title: listing for listing in parts.listings}


def test_area_map_lists_every_kelurahan_and_kecamatan(bekasi):
    kelurahan, kecamatan = bekasi
    listings = by_title(render_map_html(area_map(kelurahan, kecamatan, approximate=False)))
    kel = listings[KELURAHAN_LAYER]
    assert kel.columns == ("Nama", "Kecamatan", "Kode")
    assert len(kel.rows) == len(kelurahan)
    assert ("Bekasijaya", "Bekasi Timur", "32.75.01.1001") in kel.rows
    assert len(listings[KECAMATAN_LAYER].rows) == len(kecamatan)


def test_every_map_takes_shapes_out_of_the_tab_order_and_labels_zoom_in_indonesian(bekasi):
    kelurahan, kecamatan = bekasi
    script = render_map_html(area_map(kelurahan, kecamatan, approximate=True)).script
    assert '"Perbesar"' in script and '"Perkecil"' in script
    assert 'shape.setAttribute("tabindex", "-1")' in script
    assert '"aria-label", "Peta: daftar isinya ada di bawah peta"' in script


def test_rendering_twice_adds_the_fixes_once(bekasi):
    kelurahan, kecamatan = bekasi
    fmap = area_map(kelurahan, kecamatan, approximate=False)
    render_map_html(fmap)
    assert render_map_html(fmap).script.count("Perbesar") == 1
