"""Province maps: pages without geometry, layers from cached compressed endpoints, simplified per
zoom with shared borders kept, the public map's affected areas only, a scoped user's own areas."""

import gzip
import json
import re
from datetime import datetime

import brotli
import numpy as np
import pytest
import shapely
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.events.models import HazardType
from tests.support.provinces import load_bengkulu

KOTA = "17.71"  # Kota Bengkulu, 67 desa
KAB = "17.09"  # Bengkulu Tengah, its neighbour, 143 desa


@pytest.fixture
def bengkulu(app, db, tmp_path):
    load_bengkulu(tmp_path, (KOTA, KAB))
    return db


def _features(response) -> list[dict]:
    encoding = response.headers.get("Content-Encoding")
    body = response.data
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)["features"]


def _layer_urls(page: str) -> dict[str, str]:
    urls = re.findall(r"/peta/(?:lapisan|publik)/[a-z_]+\.geojson\?v=[0-9a-f]+", page)
    return {re.search(r"/([a-z_]+)\.geojson", url).group(1): url for url in urls}


def _stored(db, level: str, prefix: str) -> dict[str, shapely.Geometry]:
    rows = db.session.execute(
        select(Area.code, Area.geometry_wkb).where(
            Area.level == level, Area.code.startswith(prefix + ".") | (Area.code == prefix)
        )
    ).all()
    return {code: shapely.from_wkb(wkb) for code, wkb in rows}


def test_the_area_map_page_carries_no_geometry_and_is_compressed(bengkulu, as_role):
    client = as_role("operator")
    response = client.get("/peta-wilayah", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    page = brotli.decompress(response.data).decode()
    assert "coordinates" not in page and "Polygon" not in page
    # 210 desa is a city-sized grid: drawn whole, kelurahan and kecamatan, and listed as text.
    assert set(_layer_urls(page)) == {"kelurahan", "kecamatan"}
    assert page.count("<tr>") >= 210
    gz = client.get("/peta-wilayah", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and len(gz.data) < len(page) / 3


def test_a_layer_is_compressed_cached_and_answers_304(bengkulu, as_role):
    client = as_role("operator")
    url = _layer_urls(client.get("/peta-wilayah").get_data(as_text=True))["kecamatan"]
    br = client.get(url, headers={"Accept-Encoding": "br"})
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert br.mimetype == "application/geo+json" and "max-age" in br.headers["Cache-Control"]
    assert len(br.data) < len(plain.data) / 4 and len(gz.data) < len(plain.data) / 3
    assert _features(br) == _features(gz) == _features(plain)
    etag = br.headers["ETag"]
    assert etag == gz.headers["ETag"] == plain.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "br"})
    assert again.status_code == 304 and again.data == b""
    # One kab/kota's part of a level: only its areas, named with their kab/kota.
    part = _features(client.get(url + f"&induk={KOTA}"))
    assert part and all(f["id"].startswith(KOTA + ".") for f in part)
    assert {f["properties"]["kab_kota"] for f in part} == {"Kota Bengkulu"}


def test_coarse_levels_have_fewer_vertices_yet_neighbours_still_meet(bengkulu, as_role):
    client = as_role("operator")
    page = client.get("/peta-wilayah").get_data(as_text=True)
    version = re.search(r"kelurahan\.geojson\?v=([0-9a-f]+)", page).group(1)
    kab = _features(client.get(f"/peta/lapisan/kab_kota.geojson?v={version}"))
    desa = _features(client.get(f"/peta/lapisan/kelurahan.geojson?v={version}&induk={KOTA}"))
    stored_kab = _stored(bengkulu, "kab_kota", "17")
    stored_desa = _stored(bengkulu, "kelurahan", KOTA)
    kab_shapes = [shapely.from_geojson(json.dumps(f["geometry"])) for f in kab]
    shapes = {f["id"]: shapely.from_geojson(json.dumps(f["geometry"])) for f in desa}
    assert set(shapes) == set(stored_desa)
    vertices = shapely.get_num_coordinates
    # Kab/kota outlines (province zoom) lose far more detail than desa (zoomed in, near all).
    assert vertices(kab_shapes).sum() < 0.5 * vertices(list(stored_kab.values())).sum()
    desa_kept = vertices(list(shapes.values())).sum() / vertices(list(stored_desa.values())).sum()
    assert 0.6 < desa_kept < 1
    # No new overlaps or gaps (the file itself has a few): simplifying each polygon alone
    # here would add about 8e-6 degrees² of each, a coverage simplification adds neither.
    simplified = np.asarray(list(shapes.values()), dtype=object)
    original = np.asarray(list(stored_desa.values()), dtype=object)
    assert _overlap(simplified) < _overlap(original) + 1e-6
    assert _gaps(simplified) < _gaps(original) + 1e-6
    # Every pair of neighbours still shares a border.
    codes = sorted(stored_desa)
    tree = shapely.STRtree([stored_desa[c] for c in codes])
    pairs = [
        (codes[i], codes[j])
        for i, j in zip(*tree.query([stored_desa[c] for c in codes], "touches"), strict=True)
        if i < j
        and shapely.length(shapely.intersection(stored_desa[codes[i]], stored_desa[codes[j]]))
        > 0.002
    ]
    assert len(pairs) > 50
    for a, b in pairs:
        shared = shapely.intersection(shapes[a], shapes[b])
        before = shapely.area(shapely.intersection(stored_desa[a], stored_desa[b]))
        assert shapely.length(shared) > 0 and shapely.area(shared) < before + 1e-8, (a, b)


def _overlap(geoms) -> float:
    """Area (degrees²) covered twice: the areas' sum less their union's."""
    return shapely.area(geoms).sum() - shapely.union_all(geoms).area


def _gaps(geoms) -> float:
    """Area (degrees²) of the holes inside the union of the areas."""
    parts = shapely.get_parts(shapely.union_all(geoms))
    return sum(shapely.Polygon(ring).area for part in parts for ring in part.interiors)


def _event(db, title, codes, closed=False):
    """An event over the desa, belonging to their kab/kota."""
    from logistics.events.services import create_event

    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    event = create_event(
        hazard_type_id=hazard,
        title=title,
        started_at=datetime(2026, 11, 20, 2, 0),
        area_code=codes[0][:5],
        kelurahan_codes=codes,
    )
    if closed:
        event.closed_at = datetime(2026, 11, 25)
    db.session.commit()
    return event


def test_the_public_map_shows_only_the_areas_of_active_events(bengkulu, client):
    desa = bengkulu.session.scalars(
        select(Area.code).where(Area.level == "kelurahan").order_by(Area.code)
    ).all()
    _event(bengkulu, "Banjir Sungai Bengkulu", desa[:2])
    _event(bengkulu, "Longsor lama", desa[5:6], closed=True)
    response = client.get("/peta", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.data).decode()
    assert "coordinates" not in page
    urls = _layer_urls(page)
    assert set(urls) == {"kab_kota", "terdampak"}
    affected = _features(client.get(urls["terdampak"]))
    assert sorted(f["id"] for f in affected) == desa[:2]
    assert {f["properties"]["events"] for f in affected} == {"Banjir Sungai Bengkulu"}
    assert len(_features(client.get(urls["kab_kota"]))) == 2
    # The whole grid is for signed-in staff only.
    assert client.get("/peta/lapisan/kelurahan.geojson").status_code in (302, 401)
    assert client.get("/peta/publik/kelurahan.geojson").status_code == 404


def test_a_scoped_user_gets_only_their_own_areas(bengkulu, make_user, client_for):
    from logistics.admin.scopes import set_scope

    kota, whole = make_user("operator", "op-kota"), make_user("operator", "op-prov")
    set_scope(kota, record=KOTA, see="")
    bengkulu.session.commit()
    pages = {}
    for user in (kota, whole):
        client = client_for(user)
        pages[user.username] = page = client.get("/peta-wilayah").get_data(as_text=True)
        urls = _layer_urls(page)
        desa = {f["id"] for f in _features(client.get(urls["kelurahan"]))}
        kec = {f["id"] for f in _features(client.get(urls["kecamatan"]))}
        kab = {
            f["id"]
            for f in _features(client.get(urls["kelurahan"].replace("kelurahan", "kab_kota")))
        }
        if user is kota:
            assert desa and all(code.startswith(KOTA + ".") for code in desa | kec)
            assert kab == {KOTA} and len(desa) == 67
        else:
            assert kab == {KOTA, KAB} and len(desa) == 210
    # The scope is part of the layer URLs: a shared browser never mixes the two.
    assert set(_layer_urls(pages["op-kota"]).values()).isdisjoint(
        _layer_urls(pages["op-prov"]).values()
    )


def test_the_event_map_fetches_its_outlines_with_kab_kota_names(bengkulu, make_user, client_for):
    from logistics.admin.scopes import set_scope

    desa = bengkulu.session.scalars(
        select(Area.code).where(Area.level == "kelurahan", Area.code.startswith(KAB + "."))
    ).all()
    event = _event(bengkulu, "Banjir Bengkulu Tengah", desa[:3])
    kota = make_user("operator", "op-kota")
    set_scope(kota, record=KOTA, see="")
    bengkulu.session.commit()
    client = client_for(make_user("operator"))
    page = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert '"coordinates"' not in page
    url = re.search(rf"/kejadian/{event.id}/wilayah\.geojson\?v=[0-9a-f]+", page).group()
    outlines = _features(client.get(url, headers={"Accept-Encoding": "br"}))
    assert sorted(f["id"] for f in outlines) == sorted(desa[:3])
    assert {f["properties"]["kab_kota"] for f in outlines} == {"Kabupaten Bengkulu Tengah"}
    # A user of the other kab/kota reaches neither the event nor its outlines.
    assert client_for(kota).get(url).status_code == 404
