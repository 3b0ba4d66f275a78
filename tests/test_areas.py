"""Loading boundary files into the spine, reloading, lookups and the wilayah pages."""

import json

import numpy as np
import pytest
from sqlalchemy import func, select

from logistics.areas.models import Area, BoundarySet
from logistics.areas.services import area_index, load_boundary_file
from logistics.core.errors import DomainError
from logistics.core.models import AuditEntry

# The office each shared file belongs to (the default test office is Kota Bekasi, 32.75).
OFFICES = {"kota_binjai.geojson": "12.75", "kota_bekasi.geojson": "32.75"}


def counts(db) -> dict[str, int]:
    return dict(db.session.execute(select(Area.level, func.count()).group_by(Area.level)).all())


@pytest.mark.parametrize(
    ("name", "kab", "kec", "kel"),
    [("kota_binjai.geojson", 1, 5, 37), ("kota_bekasi.geojson", 1, 12, 56)],
)
def test_load_city(db, boundaries_dir, name, kab, kec, kel):
    result = load_boundary_file(boundaries_dir / name, office_code=OFFICES[name])
    db.session.commit()
    assert counts(db) == {"provinsi": 1, "kab_kota": kab, "kecamatan": kec, "kelurahan": kel}
    assert result["stats"]["kelurahan"]["created"] == kel
    bekasijaya = db.session.scalar(select(Area).where(Area.name == "Bekasijaya"))
    if name == "kota_bekasi.geojson":
        assert bekasijaya.code == "32.75.01.1001" and bekasijaya.kind == "kelurahan"
        assert (
            bekasijaya.parent.name == "Bekasi Timur"
            and bekasijaya.parent.parent.name == "Kota Bekasi"
        )
        assert bekasijaya.parent.parent.parent.name == "Jawa Barat"
        assert 0.5 < bekasijaya.area_km2 < 10
        assert bekasijaya.boundary_set.source_name == name


@pytest.mark.parametrize(
    ("name", "level", "office", "expected"),
    [
        ("kab_serang.geojson.gz", "kelurahan", "36.04", {"kab_kota": 1, "kelurahan": 326}),
        (
            "prov_bengkulu.geojson.gz",
            "kelurahan",
            "17",
            {"kab_kota": 10, "kecamatan": 129, "kelurahan": 1513},
        ),
        # The national outline file gives a provinsi office its own kab/kota only.
        ("indonesia_kab_kota.geojson.gz", "kab_kota", "32", {"provinsi": 1, "kab_kota": 27}),
        # An instance without an office code (none configured) takes the whole country.
        ("indonesia_kab_kota.geojson.gz", "kab_kota", "", {"provinsi": 38, "kab_kota": 514}),
    ],
)
def test_load_other_shared_files(db, boundaries_dir, name, level, office, expected):
    load_boundary_file(boundaries_dir / name, level=level, office_code=office)
    db.session.commit()
    found = counts(db)
    assert {key: found.get(key) for key in expected} == expected


def test_reload_same_file_changes_nothing(db, boundaries_dir):
    load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code="12.75")
    db.session.commit()
    before = {a.code: a.updated_at for a in db.session.scalars(select(Area))}
    result = load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code="12.75")
    db.session.commit()
    assert result["stats"]["kelurahan"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 37,
        "retired": 0,
    }
    assert result["stats"]["kecamatan"] == {"created": 0, "updated": 0, "unchanged": 5}
    assert {a.code: a.updated_at for a in db.session.scalars(select(Area))} == before


def test_newer_file_updates_in_place(db, boundaries_dir, tmp_path):
    load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code="12.75")
    db.session.commit()
    data = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    renamed = data["features"][0]["properties"]
    renamed["nama"] = renamed["nama"] + " Baru"
    newer = tmp_path / "binjai_2026.geojson"
    newer.write_text(json.dumps(data))
    ids = dict(db.session.execute(select(Area.code, Area.id)).all())
    result = load_boundary_file(newer, version="2026", office_code="12.75")
    db.session.commit()
    assert result["stats"]["kelurahan"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 36,
        "retired": 0,
    }
    area = db.session.scalar(select(Area).where(Area.code == renamed["kode"]))
    assert area.name.endswith(" Baru") and area.id == ids[area.code]
    assert area.boundary_set.version == "2026"
    assert dict(db.session.execute(select(Area.code, Area.id)).all()) == ids


def test_province_load_and_lookup_of_every_label_point(db, boundaries_dir):
    from geo import read_boundaries

    result = load_boundary_file(boundaries_dir / "prov_jawa_barat.geojson.gz", office_code="32")
    db.session.commit()
    assert result["features"] == 5957
    assert counts(db)["kelurahan"] == 5957 and counts(db)["kab_kota"] == 27
    source = read_boundaries(boundaries_dir / "prov_jawa_barat.geojson.gz")
    index = area_index()
    found = index.lookup_many(source["label_lng"].to_numpy(), source["label_lat"].to_numpy())
    # Every feature's label point must land in its own desa/kelurahan.
    assert list(found) == list(source["code"])


def test_lookup_api_for_every_bekasi_and_binjai_label_point(client, db, boundaries_dir):
    for name in ("kota_bekasi.geojson", "kota_binjai.geojson"):
        load_boundary_file(boundaries_dir / name, office_code=OFFICES[name])
    db.session.commit()
    checked = 0
    for name in ("kota_bekasi.geojson", "kota_binjai.geojson"):
        for feature in json.loads((boundaries_dir / name).read_text())["features"]:
            p = feature["properties"]
            # The stored label point: the source's, or a point inside the area where the source's
            # lies outside its own polygon (one Binjai kelurahan).
            area = db.session.scalar(select(Area).where(Area.code == p["kode"]))
            body = client.get(f"/api/v1/wilayah/lookup?lat={area.label_lat}&lng={area.label_lng}")
            assert body.status_code == 200, p
            body = body.get_json()
            assert body["code"] == p["kode"]
            assert body["kecamatan"] == {"code": p["kode_kec"], "name": p["kecamatan"]}
            assert body["kab_kota"]["code"] == p["kode_kab"]
            checked += 1
    assert checked == 56 + 37


def test_lookup_outside_and_bad_input(client, db, boundaries_dir):
    load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code="12.75")
    db.session.commit()
    outside = client.get("/api/v1/wilayah/lookup?lat=-6.2&lng=106.8")
    assert outside.status_code == 404 and "tidak berada" in outside.get_json()["message"]
    assert client.get("/api/v1/wilayah/lookup?lat=abc&lng=1").status_code == 422
    assert client.get("/api/v1/wilayah/lookup?lng=1").get_json()["field"] == "lat"
    assert client.get("/api/v1/wilayah/lookup?lat=95&lng=1").status_code == 422


def test_area_api_list_and_detail(client, db, boundaries_dir):
    load_boundary_file(boundaries_dir / "kota_bekasi.geojson")
    db.session.commit()
    body = client.get("/api/v1/wilayah?level=kecamatan").get_json()
    assert body["count"] == 12
    detail = client.get("/api/v1/wilayah/32.75.01.1001?geometry=1").get_json()
    assert detail["name"] == "Bekasijaya" and detail["geometry"]["type"] in (
        "Polygon",
        "MultiPolygon",
    )
    assert client.get("/api/v1/wilayah/99.99.99.9999").status_code == 404


def test_new_boundaries_replace_approximate_areas(db, boundaries_dir):
    from logistics.areas.services import load_demo_areas
    from tests.conftest import ROOT

    load_demo_areas(ROOT / "data" / "bekasi_gazetteer.csv")
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Area.approximate.is_(True))) == 56 + 12 + 1
    load_boundary_file(boundaries_dir / "kota_bekasi.geojson")
    db.session.commit()
    assert counts(db) == {"provinsi": 1, "kab_kota": 1, "kecamatan": 12, "kelurahan": 56}
    assert (
        db.session.scalar(
            select(func.count()).where(Area.approximate.is_(True), Area.level != "provinsi")
        )
        == 0
    )


def test_demo_areas_cover_every_kelurahan_point(db):
    from logistics.demo.seed import seed_demo
    from tests.conftest import ROOT

    gazetteer = ROOT / "data" / "bekasi_gazetteer.csv"

    seed_demo()
    db.session.commit()
    import csv

    with open(gazetteer, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    found = area_index().lookup_many(
        np.array([float(r["lng"]) for r in rows]), np.array([float(r["lat"]) for r in rows])
    )
    assert list(found) == [r["code"] for r in rows]


def write(tmp_path, name, features):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def square(code, x=107.0, y=-6.2, **props):
    return {
        "type": "Feature",
        "properties": {"kode": code, "nama": f"Desa {code}", **props},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]],
        },
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not_boundary", "bukan"),
        ("no_code", "kode"),
        ("duplicate", "lebih dari sekali"),
        ("bad_code", "32.75.1"),
        ("empty_geometry", "geometri"),
    ],
)
def test_bad_files_load_nothing(db, tmp_path, case, message):
    if case == "not_boundary":
        path = tmp_path / "catatan.geojson"
        path.write_text("ini bukan berkas peta")
    elif case == "no_code":
        feature = square("x")
        feature["properties"] = {"nama": "Tanpa kode"}
        path = write(tmp_path, "no_code.geojson", [feature])
    elif case == "duplicate":
        path = write(
            tmp_path, "dup.geojson", [square("32.75.01.1001"), square("32.75.01.1001", x=107.1)]
        )
    elif case == "bad_code":
        path = write(tmp_path, "bad.geojson", [square("32.75.01.1001"), square("32.75.1", x=107.1)])
    else:
        empty = square("32.75.01.1002", x=107.1)
        empty["geometry"] = None
        path = write(tmp_path, "empty.geojson", [square("32.75.01.1001"), empty])
    with pytest.raises(DomainError) as excinfo:
        load_boundary_file(path)
    db.session.rollback()
    assert message.lower() in excinfo.value.message.lower()
    assert db.session.scalar(select(func.count(Area.id))) == 0
    assert db.session.scalar(select(func.count(BoundarySet.id))) == 0


def test_cli_load_and_bad_file(app, db, boundaries_dir, tmp_path):
    app.config["OFFICE_AREA_CODE"] = "12.75"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geo", "load", str(boundaries_dir / "kota_binjai.geojson")])
    assert result.exit_code == 0, result.output
    assert "37 areas loaded" in result.output
    again = runner.invoke(args=["geo", "load", str(boundaries_dir / "kota_binjai.geojson")])
    assert "0 baru, 0 diperbarui, 37 tetap" in again.output
    bad = write(tmp_path, "bad.geojson", [square("3275011001x")])
    result = runner.invoke(args=["geo", "load", str(bad)])
    assert result.exit_code != 0 and "kode" in result.output.lower()
    assert counts(db)["kelurahan"] == 37
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "boundary_load"))
    assert audit.actor == "cli"


def test_cli_explicit_mapping(app, db, tmp_path):
    feature = square("x")
    feature["properties"] = {"KODE_DESA": "32.75.01.1001", "NAMA_DESA": "Bekasijaya"}
    path = write(tmp_path, "lain.geojson", [feature])
    result = app.test_cli_runner().invoke(
        args=["geo", "load", str(path), "--map", "code=KODE_DESA", "--map", "name=NAMA_DESA"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Area.name).where(Area.code == "32.75.01.1001")) == "Bekasijaya"


def test_wilayah_page_filters_and_exports(client, db, make_user, login, boundaries_dir):
    load_boundary_file(boundaries_dir / "kota_bekasi.geojson")
    db.session.commit()
    login(make_user("pimpinan"))
    page = client.get("/wilayah/?tingkat=kelurahan&induk=32.75.01").get_data(as_text=True)
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert table.count("<tr>") == 4  # Kecamatan Bekasi Timur has four kelurahan
    assert "Bekasijaya" in table and "Jatiasih" not in table
    csv_text = client.get("/wilayah/?tingkat=kecamatan&format=csv").get_data(as_text=True)
    assert csv_text.count("\n") == 13 and "Bantargebang" in csv_text
    xlsx = client.get("/wilayah/?tingkat=kelurahan&format=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.data)).active
    assert sheet.max_row == 57 and sheet["A1"].value == "Kode"


def test_cli_loads_the_named_layer_of_a_geopackage(app, db, boundaries_dir, tmp_path):
    import geopandas as gpd

    binjai = gpd.read_file(boundaries_dir / "kota_binjai.geojson")
    path = tmp_path / "banyak.gpkg"
    binjai.to_file(path, layer="desa_2025", driver="GPKG")
    binjai.iloc[:5].to_file(path, layer="desa_lama", driver="GPKG")
    app.config["OFFICE_AREA_CODE"] = "12.75"
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["geo", "load", str(path)])
    assert refused.exit_code != 0 and "desa_2025" in refused.output and "--layer" in refused.output
    assert counts(db).get("kelurahan", 0) == 0
    loaded = runner.invoke(args=["geo", "load", str(path), "--layer", "desa_2025"])
    assert loaded.exit_code == 0, loaded.output
    assert counts(db)["kelurahan"] == 37
