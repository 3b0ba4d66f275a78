"""AreaIndex: every area's label point finds its own area; outside points find nothing."""

import numpy as np
import pyogrio
import pytest
import shapely

from geo import AreaIndex

# file, number of source label points that are not inside their own polygon
FILES = [
    ("kota_bekasi.geojson", 0),
    ("kota_binjai.geojson", 1),
    ("prov_jawa_barat.geojson.gz", 188),
]


def source_labels(path):
    """The label_lat/label_lng written in the source file, by code (not our repaired ones)."""
    source = str(path)
    if source.endswith(".gz"):
        source = "/vsigzip/" + source
    table = pyogrio.read_dataframe(source, columns=["kode", "label_lat", "label_lng"])
    return table.set_index("kode")


@pytest.mark.parametrize(("name", "outside_expected"), FILES)
def test_label_points_find_their_own_area(boundaries_dir, boundary, name, outside_expected):
    frame = boundary(name)
    index = AreaIndex(frame["code"], frame.geometry.values)
    assert len(index) == len(frame)

    source = source_labels(boundaries_dir / name).loc[frame["code"]]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    inside = shapely.contains_xy(geoms, source["label_lng"], source["label_lat"])
    # Where the source's label point is outside its own polygon, test point_on_surface.
    surface = shapely.point_on_surface(geoms)
    lng = np.where(inside, source["label_lng"], shapely.get_x(surface))
    lat = np.where(inside, source["label_lat"], shapely.get_y(surface))
    assert int((~inside).sum()) == outside_expected

    found = index.lookup_many(lng, lat)
    wrong = [(c, f) for c, f in zip(frame["code"], found, strict=True) if c != f]
    assert not wrong, f"{len(wrong)} label points found another area: {wrong[:5]}"
    # The frame's own label points (repaired by read_boundaries) agree.
    assert (index.lookup_many(frame["label_lng"], frame["label_lat"]) == frame["code"]).all()


@pytest.mark.parametrize("name", [f for f, _ in FILES])
def test_points_outside_find_nothing(boundary, name):
    frame = boundary(name)
    index = AreaIndex(frame["code"], frame.geometry.values)
    outside = [(0.0, 0.0), (107.5, -5.3), (106.0, -9.0), (98.0, 4.5), (-70.0, 40.0)]
    for lng, lat in outside:
        assert index.lookup(lng, lat) is None
    result = index.lookup_many([p[0] for p in outside], [p[1] for p in outside])
    assert result.dtype == object and all(r is None for r in result)
    assert index.lookup(float("nan"), -6.2) is None


def test_lookup_many_equals_lookup(jawa_barat):
    index = AreaIndex(jawa_barat["code"], jawa_barat.geometry.values)
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = jawa_barat.total_bounds
    lng = rng.uniform(minx - 0.1, maxx + 0.1, 3000)
    lat = rng.uniform(miny - 0.1, maxy + 0.1, 3000)
    lng[:3] = np.nan
    many = index.lookup_many(lng, lat)
    single = np.array([index.lookup(x, y) for x, y in zip(lng, lat, strict=True)], dtype=object)
    assert (many == single).all()
    assert sum(code is not None for code in many) > 1000  # the sample does hit areas


def test_shared_border_gives_lowest_index():
    left = shapely.box(0, 0, 1, 1)
    right = shapely.box(1, 0, 2, 1)
    index = AreaIndex(["A", "B"], [left, right])
    assert index.lookup(1.0, 0.5) == "A"
    assert index.lookup(1.0, 1.0) == "A"  # a shared corner
    assert index.lookup_many([1.0, 1.5], [0.5, 0.5]).tolist() == ["A", "B"]
    reversed_index = AreaIndex(["B", "A"], [right, left])
    assert reversed_index.lookup(1.0, 0.5) == "B"
    assert reversed_index.lookup_many([1.0], [0.5]).tolist() == ["B"]


def test_overlap_gives_lowest_index():
    index = AreaIndex(["A", "B"], [shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)])
    assert index.lookup(1.5, 1.5) == "A"
    assert index.lookup(2.5, 2.5) == "B"


def test_missing_geometries_and_empty_index():
    index = AreaIndex(["A", "B"], [None, shapely.box(0, 0, 1, 1)])
    assert index.lookup(0.5, 0.5) == "B"
    empty = AreaIndex([], [])
    assert len(empty) == 0
    assert empty.lookup(0.5, 0.5) is None
    assert empty.lookup_many([0.5], [0.5]).tolist() == [None]


def test_mismatched_inputs():
    with pytest.raises(ValueError):
        AreaIndex(["A"], [])
    index = AreaIndex(["A"], [shapely.box(0, 0, 1, 1)])
    with pytest.raises(ValueError):
        index.lookup_many([0.5, 0.6], [0.5])
