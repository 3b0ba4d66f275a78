"""Every map's text list (what it shows, as tables) and its keyboard and label fixes."""

import pytest

from geo.deployment_map import DEPLOYMENT_LAYER, deployment_map
from geo.event_map import event_map
from geo.maps import KECAMATAN_LAYER, KELURAHAN_LAYER, area_map, render_map_html
from geo.shelter_map import SHELTER_LAYER, shelter_map
from tests.geo.test_deployment_map import PLACES
from tests.geo.test_event_map import areas
from tests.geo.test_shelter_map import SHELTERS


@pytest.fixture
def bekasi(boundary, parents_of):
    return boundary("kota_bekasi.geojson"), parents_of("kota_bekasi.geojson")["kecamatan"]


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


def test_shelter_and_deployment_maps_list_their_points():
    shelters = by_title(render_map_html(shelter_map(SHELTERS)))[SHELTER_LAYER]
    assert {row[0] for row in shelters.rows} == {
        "Balai Warga",
        "Masjid Al-Ikhlas",
        "SDN Margahayu 3",
        "Tenda",
    }
    assert ("Tenda", "", "Ditutup") in shelters.rows
    places = by_title(render_map_html(deployment_map(PLACES)))[DEPLOYMENT_LAYER]
    assert places.rows[0] == (
        PLACES[0]["name"],
        "Tempat pengungsian",
        "Ada yang bertugas",
        "Budi, Sari",
    )
    assert len(places.rows) == 2  # the place without a point is not on the map


def test_every_map_takes_shapes_out_of_the_tab_order_and_labels_zoom_in_indonesian(bekasi):
    kelurahan, kecamatan = bekasi
    for fmap in (area_map(kelurahan, kecamatan, approximate=True), shelter_map(SHELTERS)):
        script = render_map_html(fmap).script
        assert '"Perbesar"' in script and '"Perkecil"' in script
        assert 'shape.setAttribute("tabindex", "-1")' in script
        assert '"aria-label", "Peta: daftar isinya ada di bawah peta"' in script


def test_rendering_twice_adds_the_fixes_once(bekasi):
    kelurahan, kecamatan = bekasi
    fmap = area_map(kelurahan, kecamatan, approximate=False)
    render_map_html(fmap)
    assert render_map_html(fmap).script.count("Perbesar") == 1
