"""read_boundaries and dissolve_parents on the real files of data/boundaries and on broken copies."""

import hashlib
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import (
    CODE_PATTERNS,
    OUTPUT_COLUMNS,
    BoundaryFileError,
    dissolve_parents,
    file_sha256,
    read_boundaries,
)
from geo.boundaries import kab_kota_kind, normalize_code

# file, kelurahan, kecamatan, kab/kota (counts from the files' README and their codes).
KELURAHAN_FILES = [
    ("kota_binjai.geojson", 37, 5, 1),
    ("kota_bekasi.geojson", 56, 12, 1),
    ("kab_serang.geojson.gz", 326, 29, 1),
    ("prov_bengkulu.geojson.gz", 1513, 129, 10),
    ("prov_jawa_barat.geojson.gz", 5957, 627, 27),
]


def check_frame(frame: gpd.GeoDataFrame, level: str) -> None:
    """What every frame of read_boundaries/dissolve_parents must satisfy."""
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert frame.crs.to_epsg() == 4326
    pattern = re.compile(CODE_PATTERNS[level])
    assert all(pattern.match(code) for code in frame["code"])
    assert frame["code"].is_unique
    assert frame["name"].notna().all()
    geoms = np.asarray(frame.geometry.values, dtype=object)
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon
    minx, miny, maxx, maxy = frame.total_bounds
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    assert shapely.contains_xy(geoms, frame["label_lng"], frame["label_lat"]).all()
    assert (frame["area_km2"] > 0).all()
    assert frame["provinsi_code"].str.fullmatch(r"\d{2}").all()


@pytest.mark.parametrize(("name", "n_kel", "n_kec", "n_kab"), KELURAHAN_FILES)
def test_kelurahan_files_load_and_dissolve(boundary, parents_of, name, n_kel, n_kec, n_kab):
    frame = boundary(name)
    assert len(frame) == n_kel
    check_frame(frame, "kelurahan")
    assert set(frame["kind"]) <= {"kelurahan", "desa"}
    # kind agrees with the code's N digit (1 kelurahan, 2 desa) in these files
    assert ((frame["kind"] == "kelurahan") == (frame["code"].str[9] == "1")).all()
    assert (frame["parent_code"] == frame["code"].str[:8]).all()
    assert (frame["kecamatan_code"] == frame["parent_code"]).all()
    assert (frame["kab_kota_code"] == frame["code"].str[:5]).all()
    assert frame["kecamatan_name"].notna().all() and frame["kab_kota_name"].notna().all()

    dissolved = parents_of(name)
    kecamatan, kab_kota = dissolved["kecamatan"], dissolved["kab_kota"]
    assert len(kecamatan) == n_kec and len(kab_kota) == n_kab
    check_frame(kecamatan, "kecamatan")
    check_frame(kab_kota, "kab_kota")
    assert set(kecamatan["code"]) == set(frame["kecamatan_code"])
    assert (kecamatan["kind"] == "kecamatan").all()
    assert (kecamatan["parent_code"] == kecamatan["code"].str[:5]).all()
    assert (kab_kota["parent_code"] == kab_kota["code"].str[:2]).all()
    assert kab_kota["kecamatan_code"].isna().all()
    expected_kind = ["kota" if n.startswith("Kota") else "kabupaten" for n in kab_kota["name"]]
    assert kab_kota["kind"].tolist() == expected_kind
    # Dissolving neither loses nor invents area (overlaps and filled slivers are tiny).
    total = frame["area_km2"].sum()
    assert kecamatan["area_km2"].sum() == pytest.approx(total, rel=0.005)
    assert kab_kota["area_km2"].sum() == pytest.approx(total, rel=0.005)


def test_kecamatan_names_come_from_the_source(boundary, parents_of):
    frame = boundary("kota_bekasi.geojson")
    kecamatan = parents_of("kota_bekasi.geojson")["kecamatan"].set_index("code")
    source = frame.groupby("kecamatan_code")["kecamatan_name"].first()
    assert kecamatan.loc[source.index, "name"].tolist() == source.tolist()
    assert (kecamatan["kab_kota_name"] == "Kota Bekasi").all()
    kab = parents_of("kota_bekasi.geojson")["kab_kota"].iloc[0]
    assert (kab["code"], kab["name"], kab["kind"]) == ("32.75", "Kota Bekasi", "kota")


def test_dissolve_fills_slivers_but_keeps_enclaves(jawa_barat_parents):
    kab_kota = jawa_barat_parents["kab_kota"].set_index("code")
    assert jawa_barat_parents["kecamatan"].attrs["gaps_filled"] > 1000
    # Kota Bogor (32.71) lies inside Kabupaten Bogor (32.01): that hole must stay.
    kab_bogor = kab_kota.loc["32.01", "geometry"]
    kota_bogor = kab_kota.loc["32.71", "geometry"]
    holes = [shapely.Polygon(r) for p in shapely.get_parts(kab_bogor) for r in p.interiors]
    assert any(h.intersection(kota_bogor).area > 0.9 * kota_bogor.area for h in holes)
    assert kab_bogor.intersection(kota_bogor).area < 0.01 * kota_bogor.area


def test_jawa_barat_counts(jawa_barat, jawa_barat_parents):
    assert len(jawa_barat) == 5957
    assert jawa_barat["kind"].value_counts().to_dict() == {"desa": 5311, "kelurahan": 646}
    kinds = jawa_barat_parents["kab_kota"]["kind"].value_counts().to_dict()
    assert kinds == {"kabupaten": 18, "kota": 9}


def test_national_kab_kota_file(boundary):
    frame = boundary("indonesia_kab_kota.geojson.gz", "kab_kota")
    assert len(frame) == 514
    check_frame(frame, "kab_kota")
    assert frame["kind"].value_counts().to_dict() == {"kabupaten": 416, "kota": 98}
    assert (frame["parent_code"] == frame["provinsi_code"]).all()
    assert (frame["provinsi_code"] == frame["code"].str[:2]).all()
    assert frame["kecamatan_code"].isna().all() and frame["kecamatan_name"].isna().all()
    assert (frame["kab_kota_code"] == frame["code"]).all()
    assert frame["provinsi_code"].nunique() == 38
    # Kabupaten Sorong's source geometry is a GeometryCollection with stray lines.
    sorong = frame.set_index("code").loc["96.01", "geometry"]
    assert sorong.geom_type in ("Polygon", "MultiPolygon")


def test_label_points_outside_their_polygon_are_replaced(boundaries_dir, boundary):
    """Binjai's source label of 12.75.02.1003 lies outside its polygon."""
    frame = boundary("kota_binjai.geojson")
    assert frame.attrs["load_report"]["label_points_replaced"] == 1
    raw = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    source = {f["properties"]["kode"]: f["properties"] for f in raw["features"]}
    row = frame.set_index("code").loc["12.75.02.1003"]
    assert (row["label_lat"], row["label_lng"]) != (
        source["12.75.02.1003"]["label_lat"],
        source["12.75.02.1003"]["label_lng"],
    )
    kept = frame.set_index("code").loc["12.75.01.1001"]
    assert kept["label_lat"] == source["12.75.01.1001"]["label_lat"]


def test_reprojected_geopackage(tmp_path, boundary):
    original = boundary("kota_bekasi.geojson")
    path = tmp_path / "bekasi_utm.gpkg"
    source = original[["code", "name", "kind", "geometry"]].rename(
        columns={"code": "kode", "name": "nama", "kind": "jenis"}
    )
    source.to_crs("EPSG:32748").to_file(path, driver="GPKG")
    frame = read_boundaries(path)
    assert frame.crs.to_epsg() == 4326
    assert frame.attrs["load_report"]["source_crs"] == "EPSG:32748"
    assert frame["code"].tolist() == original["code"].tolist()
    np.testing.assert_allclose(frame["area_km2"], original["area_km2"], rtol=0.01)
    check_frame(frame, "kelurahan")


def big_copy(boundaries_dir, tmp_path, dotted: bool):
    """Binjai with the attribute names of BIG (Badan Informasi Geospasial) files."""
    raw = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    names = {
        "kode": "KDEPUM",
        "nama": "WADMKD",
        "kode_kec": "KDCPUM",
        "kecamatan": "WADMKC",
        "kode_kab": "KDPKAB",
        "kab_kota": "WADMKK",
    }
    for feature in raw["features"]:
        props = feature["properties"]
        new = {names[k]: v for k, v in props.items() if k in names}
        if not dotted:
            new["KDEPUM"] = new["KDEPUM"].replace(".", "")
        new["KDPPUM"] = "12"
        new["WADMPR"] = "Sumatera Utara"
        new["TIPADM"] = 4  # BIG's administrative-level number, not kelurahan/desa
        feature["properties"] = new
    path = tmp_path / "binjai_big.geojson"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize("dotted", [True, False])
def test_big_attribute_names(boundaries_dir, boundary, tmp_path, dotted):
    original = boundary("kota_binjai.geojson")
    frame = read_boundaries(big_copy(boundaries_dir, tmp_path, dotted))
    check_frame(frame, "kelurahan")
    assert frame["code"].tolist() == original["code"].tolist()
    assert frame["name"].tolist() == original["name"].tolist()
    assert frame["kind"].tolist() == original["kind"].tolist()
    assert frame["kecamatan_name"].tolist() == original["kecamatan_name"].tolist()
    assert (frame["kab_kota_name"] == "Kota Binjai").all()
    assert frame.attrs["load_report"]["columns"]["code"] == "KDEPUM"


def test_explicit_mapping(boundaries_dir, boundary, tmp_path):
    raw = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    for feature in raw["features"]:
        props = feature["properties"]
        feature["properties"] = {
            "ID_DESA": props["kode"],
            "NAMA_X": props["nama"],
            "KEC_X": props["kecamatan"],
            "nama": "should be ignored",
        }
    path = tmp_path / "custom.geojson"
    path.write_text(json.dumps(raw))
    original = boundary("kota_binjai.geojson")
    mapping = {"code": "ID_DESA", "name": "nama_x", "kecamatan_name": "KEC_X"}
    frame = read_boundaries(path, mapping=mapping)
    assert frame["code"].tolist() == original["code"].tolist()
    assert frame["name"].tolist() == original["name"].tolist()
    assert frame["kecamatan_name"].tolist() == original["kecamatan_name"].tolist()
    # The Indonesian keys an operator may type work too.
    frame = read_boundaries(path, mapping={"kode": "ID_DESA", "nama": "NAMA_X"})
    assert frame["name"].tolist() == original["name"].tolist()
    with pytest.raises(BoundaryFileError, match="Kolom 'TIDAK_ADA'"):
        read_boundaries(path, mapping={"code": "TIDAK_ADA"})
    with pytest.raises(BoundaryFileError, match="tidak dikenal"):
        read_boundaries(path, mapping={"warna": "ID_DESA"})


def shapefile_copy(frame: gpd.GeoDataFrame, path) -> None:
    """Write our frame with shapefile-sized (<= 10 character) column names."""
    columns = {"code": "kode", "name": "nama", "kind": "jenis", "kecamatan_name": "kecamatan"}
    frame[[*columns, "geometry"]].rename(columns=columns).to_file(path)


def test_shapefile_round_trip(tmp_path, boundary):
    original = boundary("kota_bekasi.geojson")
    shapefile_copy(original, tmp_path / "bekasi.shp")
    frame = read_boundaries(tmp_path / "bekasi.shp")
    assert frame["code"].tolist() == original["code"].tolist()
    assert frame["kecamatan_name"].tolist() == original["kecamatan_name"].tolist()
    np.testing.assert_allclose(frame["area_km2"], original["area_km2"], rtol=1e-6)

    archive = tmp_path / "bekasi_shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("bekasi.*"):
            zf.write(part, part.name)
    zipped = read_boundaries(archive)
    assert zipped["code"].tolist() == original["code"].tolist()


def write_geojson(path, features) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def square(x: float, y: float, size: float = 0.01) -> dict:
    return shapely.geometry.mapping(shapely.box(x, y, x + size, y + size))


def feature(code: str, geometry: dict | None, name: str = "Contoh") -> dict:
    return {"type": "Feature", "properties": {"kode": code, "nama": name}, "geometry": geometry}


def problem_of(path, **kwargs) -> BoundaryFileError:
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(path, **kwargs)
    return caught.value


def test_not_a_boundary_file(tmp_path):
    text = tmp_path / "catatan.txt"
    text.write_text("Ini catatan rapat, bukan peta.\n")
    assert "bukan berkas batas wilayah" in str(problem_of(text))
    table = tmp_path / "daftar.csv"
    table.write_text("kode,nama\n32.75.01.1001,Bekasijaya\n")
    assert "bukan berkas batas wilayah" in str(problem_of(table))
    garbage = tmp_path / "rusak.geojson"
    garbage.write_text('{"type": "FeatureCollection", "features": [')
    assert "bukan berkas batas wilayah" in str(problem_of(garbage))


def test_missing_file(tmp_path):
    assert "tidak ditemukan" in str(problem_of(tmp_path / "tidak_ada.geojson"))


def test_no_features(tmp_path):
    path = tmp_path / "kosong.geojson"
    write_geojson(path, [])
    assert "tidak berisi satu pun fitur" in str(problem_of(path))


def test_points_are_not_boundaries(tmp_path):
    path = tmp_path / "titik.geojson"
    point = {"type": "Point", "coordinates": [107.0, -6.2]}
    write_geojson(path, [feature("32.75.01.1001", point)])
    message = str(problem_of(path))
    assert "tidak berisi geometri poligon" in message and "Point" in message


def test_no_code_column(tmp_path):
    path = tmp_path / "tanpa_kode.geojson"
    features = [feature("32.75.01.1001", square(107, -6.2))]
    features[0]["properties"] = {"nama": "Bekasijaya", "luas": 1.2}
    write_geojson(path, features)
    message = str(problem_of(path))
    assert "tidak memiliki kolom kode wilayah" in message
    assert "KDEPUM" in message and "--map code=" in message and "luas" in message


def test_duplicate_codes(tmp_path):
    path = tmp_path / "ganda.geojson"
    codes = ["32.75.01.1001", "32.75.01.1001", "32.75.01.1002"]
    write_geojson(path, [feature(c, square(107 + i * 0.01, -6.2)) for i, c in enumerate(codes)])
    message = str(problem_of(path))
    assert "lebih dari sekali" in message and "32.75.01.1001 (baris 1, 2)" in message


def test_bad_code_format(tmp_path):
    path = tmp_path / "format.geojson"
    codes = ["32.75.01.1001", "32.75.1.1002", "32.75.01.3003", "abc"]
    write_geojson(path, [feature(c, square(107 + i * 0.01, -6.2)) for i, c in enumerate(codes)])
    error = problem_of(path)
    assert "3 kode tidak sesuai format" in str(error)
    assert "baris 2 ('32.75.1.1002')" in str(error) and "baris 4 ('abc')" in str(error)


def test_bad_codes_are_named_up_to_five(tmp_path):
    path = tmp_path / "banyak.geojson"
    write_geojson(path, [feature(f"X{i}", square(107 + i * 0.01, -6.2)) for i in range(8)])
    message = str(problem_of(path))
    assert "8 kode" in message and "baris 5 ('X4')" in message
    assert "X5" not in message and "dan 3 lainnya" in message


def test_wrong_level_is_hinted(boundaries_dir):
    message = str(problem_of(boundaries_dir / "kota_binjai.geojson", level="kab_kota"))
    assert "tingkat kelurahan" in message


def test_empty_geometry(tmp_path):
    path = tmp_path / "kosong_geom.geojson"
    write_geojson(
        path,
        [
            feature("32.75.01.1001", square(107, -6.2)),
            feature("32.75.01.1002", None),
            feature("32.75.01.1003", {"type": "Polygon", "coordinates": []}),
        ],
    )
    message = str(problem_of(path))
    assert "2 wilayah tanpa geometri" in message
    assert "32.75.01.1002" in message and "32.75.01.1003" in message


def test_all_problem_kinds_reported_together(tmp_path):
    path = tmp_path / "campur.geojson"
    write_geojson(
        path,
        [
            feature("32.75.01.1001", square(107, -6.2)),
            feature("32.75.01.1001", square(107.01, -6.2)),
            feature("32.75.1.1003", square(107.02, -6.2)),
            feature("32.75.01.1004", None),
        ],
    )
    error = problem_of(path)
    assert len(error.problems) == 3
    message = str(error)
    assert "lebih dari sekali" in message
    assert "tidak sesuai format" in message
    assert "tanpa geometri" in message


def test_projected_coordinates_without_crs(tmp_path, boundary):
    path = tmp_path / "tanpa_prj.shp"
    shapefile_copy(boundary("kota_binjai.geojson").to_crs("EPSG:32647"), path)
    path.with_suffix(".prj").unlink()
    assert "sistem koordinat" in str(problem_of(path))


def test_lnglat_without_crs_is_accepted(tmp_path, boundary):
    path = tmp_path / "tanpa_prj.shp"
    shapefile_copy(boundary("kota_binjai.geojson"), path)
    path.with_suffix(".prj").unlink()
    assert len(read_boundaries(path)) == 37


def test_invalid_geometry_is_repaired(tmp_path):
    path = tmp_path / "rusak.geojson"
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[107.0, -6.2], [107.02, -6.18], [107.02, -6.2], [107.0, -6.18], [107.0, -6.2]]
        ],
    }
    with_line = {
        "type": "GeometryCollection",
        "geometries": [
            square(107.1, -6.2),
            {"type": "LineString", "coordinates": [[1, 1], [2, 2]]},
        ],
    }
    write_geojson(path, [feature("32.75.01.1001", bow_tie), feature("32.75.01.1002", with_line)])
    frame = read_boundaries(path)
    check_frame(frame, "kelurahan")
    assert frame.attrs["load_report"]["repaired_geometries"] == 1
    assert frame.geometry.iloc[0].geom_type == "MultiPolygon"
    assert frame.geometry.iloc[1].geom_type == "Polygon"


def test_other_levels(tmp_path, parents_of):
    """A kecamatan file and a provinsi file (from dissolved Binjai) read back generically."""
    kecamatan = parents_of("kota_binjai.geojson")["kecamatan"]
    path = tmp_path / "kecamatan.gpkg"
    kecamatan[["code", "name", "kab_kota_name", "geometry"]].to_file(path)
    frame = read_boundaries(path, level="kecamatan")
    check_frame(frame, "kecamatan")
    assert (frame["kind"] == "kecamatan").all()
    assert (frame["parent_code"] == "12.75").all()
    assert (frame["kab_kota_name"] == "Kota Binjai").all()
    assert frame["kecamatan_code"].tolist() == frame["code"].tolist()

    provinsi = gpd.GeoDataFrame(
        {"KDPPUM": [12], "WADMPR": ["Sumatera Utara"]},
        geometry=[shapely.union_all(kecamatan.geometry.values)],
        crs="EPSG:4326",
    )
    path = tmp_path / "provinsi.geojson"
    provinsi.to_file(path)
    frame = read_boundaries(path, level="provinsi")
    check_frame(frame, "provinsi")
    row = frame.iloc[0]
    assert (row["code"], row["name"], row["kind"], row["parent_code"]) == (
        "12",
        "Sumatera Utara",
        "provinsi",
        None,
    )


def test_normalize_code():
    assert normalize_code(" 32.75.01.1001 ", "kelurahan") == "32.75.01.1001"
    assert normalize_code("3275011001", "kelurahan") == "32.75.01.1001"
    assert normalize_code(3275011001, "kelurahan") == "32.75.01.1001"
    assert normalize_code("3275", "kab_kota") == "32.75"
    assert normalize_code(32.0, "provinsi") == "32"
    assert normalize_code("", "kecamatan") is None
    assert normalize_code(float("nan"), "kecamatan") is None
    assert normalize_code("327501", "kelurahan") == "327501"  # left for the pattern check


def test_kab_kota_kind():
    assert kab_kota_kind("Kota Bekasi") == "kota"
    assert kab_kota_kind("Kabupaten Bogor") == "kabupaten"
    assert kab_kota_kind("Bogor", "32.01") == "kabupaten"
    assert kab_kota_kind("Bogor", "32.71") == "kota"


def test_file_sha256(boundaries_dir):
    path = boundaries_dir / "kota_binjai.geojson"
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_dissolve_of_a_single_kelurahan(tmp_path):
    path = tmp_path / "satu.geojson"
    write_geojson(path, [feature("32.75.01.1001", square(107, -6.2))])
    result = dissolve_parents(read_boundaries(path))
    assert len(result["kecamatan"]) == 1 and len(result["kab_kota"]) == 1
    assert result["kecamatan"]["name"].iloc[0] is None  # the source had no kecamatan names
    assert result["kab_kota"]["kind"].iloc[0] == "kota"  # 32.75: kota by its code


def test_web_mercator_without_crs_member_is_refused(tmp_path, boundary):
    """A GeoJSON without `crs` is read as WGS84; metres in it must not become degrees."""
    mercator = json.loads(boundary("kota_binjai.geojson").to_crs("EPSG:3857").to_json())
    path = tmp_path / "mercator.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": mercator["features"]}))
    message = str(problem_of(path))
    assert "bukan derajat bujur/lintang" in message
    assert "EPSG:3857" in message and "EPSG:4326" in message


def test_swapped_latitude_and_longitude_are_refused(tmp_path, boundary):
    frame = boundary("kota_binjai.geojson")
    swapped = frame.set_geometry(
        shapely.transform(np.asarray(frame.geometry.values), lambda xy: xy[:, ::-1])
    )
    path = tmp_path / "tertukar.geojson"
    swapped.to_file(path, driver="GeoJSON")
    message = str(problem_of(path))
    assert "tertukar" in message and "lintang 98" in message


def test_areas_outside_indonesia_are_refused(tmp_path):
    path = tmp_path / "eropa.geojson"
    write_geojson(path, [feature("32.75.01.1001", square(10.0, 50.0))])
    message = str(problem_of(path))
    assert "di luar Indonesia" in message and "bujur 10" in message


def test_shapefile_zip_with_a_folder_inside(tmp_path, boundary):
    original = boundary("kota_binjai.geojson")
    folder = tmp_path / "batas_binjai"
    folder.mkdir()
    shapefile_copy(original, folder / "binjai.shp")
    archive = tmp_path / "binjai.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob("binjai.*"):
            zf.write(part, f"batas_binjai/{part.name}")
    assert read_boundaries(archive)["code"].tolist() == original["code"].tolist()


def test_geopackage_with_several_polygon_layers_needs_a_choice(tmp_path, boundary):
    binjai = boundary("kota_binjai.geojson")
    path = tmp_path / "banyak.gpkg"
    binjai.to_file(path, layer="desa_2025", driver="GPKG")
    binjai.iloc[:5].to_file(path, layer="desa_lama", driver="GPKG")
    message = str(problem_of(path))
    assert "2 lapisan poligon" in message and "desa_2025" in message and "desa_lama" in message
    assert len(read_boundaries(path, layer="desa_lama")) == 5
    assert "Lapisan 'jalan' tidak ada" in str(problem_of(path, layer="jalan"))


def test_geopackage_without_a_polygon_layer(tmp_path, boundary):
    points = boundary("kota_binjai.geojson").copy()
    points = points.set_geometry(shapely.points(points["label_lng"], points["label_lat"]))
    path = tmp_path / "titik.gpkg"
    points.to_file(path, layer="titik", driver="GPKG")
    assert "tidak berisi geometri poligon" in str(problem_of(path))


def test_repairs_and_moved_label_points_are_listed(tmp_path):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[107.0, -6.2], [107.02, -6.18], [107.02, -6.2], [107.0, -6.18], [107.0, -6.2]]
        ],
    }
    features = [feature("32.75.01.1001", bow_tie), feature("32.75.01.1002", square(107.1, -6.2))]
    # The second area's label point lies outside it (in the first).
    features[0]["properties"].update(label_lat=-6.19, label_lng=107.0101)
    features[1]["properties"].update(label_lat=-6.19, label_lng=107.005)
    path = tmp_path / "perbaikan.geojson"
    write_geojson(path, features)
    report = read_boundaries(path).attrs["load_report"]
    (repair,) = report["repairs"]
    assert repair["code"] == "32.75.01.1001"
    assert repair["area_after_km2"] > 0
    # The bow-tie's two lobes cancel out as read; repaired, both count.
    assert repair["area_before_km2"] < repair["area_after_km2"]
    assert report["label_points_moved"] == ["32.75.01.1002"]
