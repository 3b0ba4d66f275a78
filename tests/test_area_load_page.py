"""The Wilayah page's load flow (upload, preview, confirm or cancel) and its versions."""

import json
import time

import geopandas as gpd
import shapely
from sqlalchemy import func, select

from logistics.areas import imports
from logistics.areas.models import Area, BoundarySet
from logistics.areas.services import load_boundary_file
from logistics.core.job_models import JobRecord
from workers import maintenance


def upload(client, path, name=None, level="kelurahan"):
    with open(path, "rb") as fh:
        return client.post(
            "/wilayah/muat",
            data={"file": (fh, name or path.name), "level": level, "version": ""},
            content_type="multipart/form-data",
        )


def staged_folders(app) -> list:
    folder = imports.imports_dir(app.config["INSTANCE_DIR"])
    return sorted(folder.iterdir()) if folder.is_dir() else []


def bow_tie_bekasi(boundaries_dir, tmp_path):
    """Bekasi with one kelurahan drawn as a bow-tie (repaired) and one label point outside."""
    data = json.loads((boundaries_dir / "kota_bekasi.geojson").read_text())
    first = data["features"][0]
    shape = shapely.geometry.shape(first["geometry"])
    minx, miny, maxx, maxy = shape.bounds
    first["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[minx, miny], [maxx, maxy], [maxx, miny], [minx, maxy], [minx, miny]]],
    }
    second = data["features"][1]["properties"]
    second["label_lat"], second["label_lng"] = -6.0, 106.0
    path = tmp_path / "bekasi_perbaikan.geojson"
    path.write_text(json.dumps(data))
    return path, first["properties"]["kode"], second["kode"]


def test_preview_shows_map_and_report_and_stores_nothing(
    app, client, db, make_user, login, boundaries_dir, tmp_path
):
    login(make_user("operator"))
    path, repaired, moved = bow_tie_bekasi(boundaries_dir, tmp_path)
    response = upload(client, path)
    assert response.status_code == 302 and "/wilayah/muat/" in response.headers["Location"]
    (folder,) = staged_folders(app)
    assert (folder / "bekasi_perbaikan.geojson").is_file()

    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "56</strong> wilayah" in text and "56 baru" in text
    assert f"Geometri {repaired} diperbaiki" in text
    assert "titik label berada di luar wilayahnya" in text and moved in text
    assert "leaflet" in text.lower() and "Simpan sebagai versi baru" in text
    assert db.session.scalar(select(func.count(Area.id))) == 0
    assert db.session.scalar(select(func.count(JobRecord.id))) == 0

    cancel = client.post(response.headers["Location"] + "/batal")
    assert cancel.status_code == 302
    assert staged_folders(app) == []
    gone = client.get(response.headers["Location"], follow_redirects=True)
    assert "kedaluwarsa" in gone.get_data(as_text=True)


def test_confirmed_preview_loads_and_the_report_shows_on_the_wilayah_page(
    app, client, db, make_user, login, run_jobs, boundaries_dir, tmp_path
):
    login(make_user("admin"))
    path, repaired, moved = bow_tie_bekasi(boundaries_dir, tmp_path)
    preview = upload(client, path).headers["Location"]
    assert client.post(preview + "/simpan").status_code == 302
    assert staged_folders(app) == []
    run_jobs()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 56
    page = client.get("/wilayah/").get_data(as_text=True)
    versions = page.split("Versi batas wilayah")[1]
    assert "bekasi_perbaikan.geojson" in versions and "terbaru" in versions
    assert f"Geometri {repaired} diperbaiki" in versions and moved in versions
    assert "Batalkan versi terakhir" in versions


def test_a_file_of_another_region_is_refused_on_the_preview(
    app, client, db, make_user, login, boundaries_dir
):
    login(make_user("operator"))
    preview = upload(client, boundaries_dir / "kota_binjai.geojson").headers["Location"]
    page = client.get(preview)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "di luar wilayah kantor (32.75)" in text and "12.75.01.1001" in text
    assert "Simpan sebagai versi baru" not in text and "Batalkan" in text


def test_a_geopackage_with_several_layers_asks_for_one(
    app, client, db, make_user, login, boundaries_dir, tmp_path
):
    bekasi = gpd.read_file(boundaries_dir / "kota_bekasi.geojson")
    path = tmp_path / "banyak.gpkg"
    bekasi.to_file(path, layer="desa_2025", driver="GPKG")
    bekasi.iloc[:5].to_file(path, layer="desa_lama", driver="GPKG")
    login(make_user("operator"))
    preview = upload(client, path).headers["Location"]
    text = client.get(preview).get_data(as_text=True)
    assert '<option value="desa_2025"' in text and '<option value="desa_lama"' in text
    assert "Simpan sebagai versi baru" not in text
    refused = client.post(preview + "/lapisan", data={"layer": "jalan"}, follow_redirects=True)
    assert "Lapisan &#39;jalan&#39; tidak ada" in refused.get_data(as_text=True)
    client.post(preview + "/lapisan", data={"layer": "desa_lama"})
    text = client.get(preview).get_data(as_text=True)
    assert "5</strong> wilayah" in text and "Simpan sebagai versi baru" in text


def test_another_user_cannot_see_an_upload_and_old_uploads_expire(
    app, client, client_for, db, make_user, login, boundaries_dir
):
    login(make_user("operator"))
    preview = upload(client, boundaries_dir / "kota_bekasi.geojson").headers["Location"]
    other = client_for(make_user("operator"))
    assert "kedaluwarsa" in other.get(preview, follow_redirects=True).get_data(as_text=True)
    assert other.post(preview + "/simpan").status_code == 302
    assert db.session.scalar(select(func.count(JobRecord.id))) == 0
    assert len(staged_folders(app)) == 1
    app.config["IMPORT_UPLOAD_RETENTION_HOURS"] = 2
    assert imports.purge_expired(app.config["INSTANCE_DIR"], now=time.time() + 3600) == 0
    # The workers' upkeep removes what nobody confirmed within the retention.
    app.config["IMPORT_UPLOAD_RETENTION_HOURS"] = 0
    assert maintenance.run_once()["boundary_uploads"] == 1
    assert staged_folders(app) == []


def test_admin_rolls_back_the_latest_version_from_the_page(
    client_for, db, make_user, boundaries_dir, tmp_path
):
    first = load_boundary_file(boundaries_dir / "kota_bekasi.geojson")
    db.session.commit()
    data = json.loads((boundaries_dir / "kota_bekasi.geojson").read_text())
    data["features"][0]["properties"]["nama"] = "Bekasijaya Baru"
    newer = tmp_path / "bekasi_2026.geojson"
    newer.write_text(json.dumps(data))
    second = load_boundary_file(newer)
    db.session.commit()

    operator = client_for(make_user("operator"))
    assert operator.get("/wilayah/versi/batalkan").status_code == 403
    assert operator.post("/wilayah/versi/batalkan").status_code == 403
    client = client_for(make_user("admin"))
    page = client.get("/wilayah/versi/batalkan").get_data(as_text=True)
    assert f"Batalkan versi {second['boundary_set_id']}" in page
    done = client.post("/wilayah/versi/batalkan", follow_redirects=True).get_data(as_text=True)
    assert f"Versi {second['boundary_set_id']} dibatalkan" in done
    db.session.expire_all()
    assert db.session.scalar(select(Area.name).where(Area.code == "32.75.01.1001")) == "Bekasijaya"
    assert db.session.get(BoundarySet, second["boundary_set_id"]).rolled_back_at is not None
    assert db.session.get(BoundarySet, first["boundary_set_id"]).rolled_back_at is None
    versions = client.get("/wilayah/").get_data(as_text=True).split("Versi batas wilayah")[1]
    assert "dibatalkan" in versions
