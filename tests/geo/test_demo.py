"""Approximate (Voronoi) kelurahan areas from one point per kelurahan."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import BoundaryFileError, dissolve_parents
from geo.demo import GAZETTEER_COLUMNS, points_from_csv, voronoi_areas


@pytest.fixture
def bekasi_points(boundary):
    """Kota Bekasi's 56 kelurahan as label points with their attributes."""
    frame = boundary("kota_bekasi.geojson").drop(columns=["area_km2"])
    return gpd.GeoDataFrame(
        frame.drop(columns="geometry"),
        geometry=shapely.points(frame["label_lng"], frame["label_lat"]),
        crs="EPSG:4326",
    )


@pytest.fixture
def gazetteer_csv(tmp_path, bekasi_points):
    table = bekasi_points.rename(columns={"label_lat": "lat", "label_lng": "lng"})
    path = tmp_path / "gazetteer.csv"
    table[list(GAZETTEER_COLUMNS)].to_csv(path, index=False)
    return path


def test_voronoi_cells_for_bekasi(bekasi_points):
    cells = voronoi_areas(bekasi_points)
    assert len(cells) == 56
    assert cells["code"].tolist() == bekasi_points["code"].tolist()  # same rows, same order
    assert cells["name"].tolist() == bekasi_points["name"].tolist()
    geoms = np.asarray(cells.geometry.values, dtype=object)
    assert shapely.is_valid(geoms).all()
    assert shapely.contains_xy(geoms, bekasi_points.geometry.x, bekasi_points.geometry.y).all()
    assert cells.crs.to_epsg() == 4326
    assert (cells["area_km2"] > 0).all()

    # The union is the points' convex hull grown by 1.5 km, without overlaps.
    metric = bekasi_points.estimate_utm_crs()
    hull = shapely.convex_hull(shapely.union_all(bekasi_points.to_crs(metric).geometry.values))
    outline_km2 = hull.buffer(1500).area / 1e6
    union = shapely.union_all(geoms)
    union_km2 = gpd.GeoSeries([union], crs="EPSG:4326").to_crs(metric).area.iloc[0] / 1e6
    assert union_km2 == pytest.approx(outline_km2, rel=0.005)
    assert cells["area_km2"].sum() == pytest.approx(outline_km2, rel=0.005)


def test_voronoi_cells_clipped_to_an_outline(bekasi_points, boundary, parents_of):
    outline = parents_of("kota_bekasi.geojson")["kab_kota"]
    cells = voronoi_areas(bekasi_points, outline=outline)
    real_km2 = boundary("kota_bekasi.geojson")["area_km2"].sum()
    assert cells["area_km2"].sum() == pytest.approx(real_km2, rel=0.005)
    # Cells dissolve like real kelurahan.
    dissolved = dissolve_parents(cells)
    assert len(dissolved["kecamatan"]) == 12 and len(dissolved["kab_kota"]) == 1


def test_points_from_csv(gazetteer_csv, bekasi_points):
    points = points_from_csv(gazetteer_csv)
    assert len(points) == 56
    assert points["code"].tolist() == bekasi_points["code"].tolist()
    assert (points["parent_code"] == points["code"].str[:8]).all()
    assert (points["provinsi_code"] == "32").all()
    assert set(points["kind"]) == {"kelurahan"}
    assert points.geometry.x.tolist() == pytest.approx(bekasi_points.geometry.x.tolist())
    cells = voronoi_areas(points)
    assert len(cells) == 56 and cells["kecamatan_name"].notna().all()


def test_gazetteer_errors(tmp_path):
    header = ",".join(GAZETTEER_COLUMNS)
    bad = tmp_path / "salah.csv"
    bad.write_text(
        f"{header}\n"
        "32.75.01.1001,A,kelurahan,32.75.01,X,32.75,Kota Bekasi,-6.2,107.0\n"
        "32.75.01.1001,B,kelurahan,32.75.01,X,32.75,Kota Bekasi,-6.21,107.0\n"
        "32.75.1.1003,C,kelurahan,32.75.01,X,32.75,Kota Bekasi,107.0,-6.2\n"
    )
    with pytest.raises(BoundaryFileError) as caught:
        points_from_csv(bad)
    message = str(caught.value)
    assert "lebih dari sekali" in message
    assert "tidak sesuai format" in message
    assert "tertukar" in message
    missing = tmp_path / "kurang.csv"
    missing.write_text("code,name\n32.75.01.1001,A\n")
    with pytest.raises(BoundaryFileError, match="tidak memiliki kolom"):
        points_from_csv(missing)


def test_shared_coordinates_are_refused(bekasi_points):
    points = bekasi_points.copy()
    points.loc[1, "geometry"] = points.geometry.iloc[0]
    with pytest.raises(BoundaryFileError, match="koordinat yang sama") as caught:
        voronoi_areas(points)
    assert "32.75.01.1001" in str(caught.value)


def test_point_outside_outline_is_refused(bekasi_points):
    outline = shapely.box(106.9, -6.4, 107.0, -6.2)
    with pytest.raises(BoundaryFileError, match="di luar batas"):
        voronoi_areas(bekasi_points, outline=outline)


def test_single_point_gets_the_whole_outline(bekasi_points):
    cells = voronoi_areas(bekasi_points.iloc[:1])
    assert len(cells) == 1
    assert cells["area_km2"].iloc[0] == pytest.approx(np.pi * 1.5**2, rel=0.01)
