"""Boundary loads that are checked against the office's area, partial, versioned and reversible."""

import gzip
import json

import pytest
import shapely
from sqlalchemy import func, select

from logistics.areas import store
from logistics.areas.models import Area, AreaSnapshot, BoundarySet
from logistics.areas.services import area_index, load_boundary_file
from logistics.areas.versions import rollback
from logistics.core.database import transaction
from logistics.core.errors import DomainError

SERANG = "36.04"


def serang(boundaries_dir) -> dict:
    with gzip.open(boundaries_dir / "kab_serang.geojson.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def write(tmp_path, name: str, data: dict):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def areas_table(db) -> list[tuple]:
    """Every column of every area, WKB as hex, in id order."""
    rows = db.session.execute(select(Area.__table__).order_by(Area.id)).all()
    return [tuple(v.hex() if isinstance(v, bytes) else v for v in row) for row in rows]


def load_serang(db, boundaries_dir):
    result = load_boundary_file(boundaries_dir / "kab_serang.geojson.gz", office_code=SERANG)
    db.session.commit()
    return result


def geometry(db, code: str):
    return shapely.from_wkb(db.session.scalar(select(Area.geometry_wkb).where(Area.code == code)))


def current(db, level: str) -> list[Area]:
    return list(
        db.session.scalars(select(Area).where(Area.level == level, Area.retired_at.is_(None)))
    )


def test_a_file_of_another_region_is_refused_with_its_codes(db, boundaries_dir):
    with pytest.raises(DomainError) as refused:
        load_boundary_file(boundaries_dir / "kota_binjai.geojson", office_code=SERANG)
    db.session.rollback()
    message = refused.value.message
    assert "12.75.01.1001" in message and "12.75 (37 wilayah)" in message and SERANG in message
    assert db.session.scalar(select(func.count(Area.id))) == 0
    assert db.session.scalar(select(func.count(BoundarySet.id))) == 0


def test_office_codes_on_another_place_are_refused_by_geometry(db, boundaries_dir, tmp_path):
    """Binjai's outlines under Serang's codes: the codes fit, the national outline does not."""
    data = json.loads((boundaries_dir / "kota_binjai.geojson").read_text())
    for feature in data["features"]:
        props = feature["properties"]
        for key in ("kode", "kode_kec", "kode_kab"):
            props[key] = SERANG + props[key][5:]
    path = write(tmp_path, "serang_palsu.geojson", data)
    with pytest.raises(DomainError) as refused:
        load_boundary_file(path, office_code=SERANG)
    db.session.rollback()
    assert "di luar garis batas 36.04" in refused.value.message
    assert "36.04.01.1001" in refused.value.message
    assert db.session.scalar(select(func.count(Area.id))) == 0


def test_the_office_own_file_loads_the_office_code_from_the_config(app, db, boundaries_dir):
    app.config["OFFICE_AREA_CODE"] = SERANG
    result = load_boundary_file(boundaries_dir / "kab_serang.geojson.gz")
    assert result["features"] == 326
    app.config["OFFICE_AREA_CODE"] = "32.75"
    with pytest.raises(DomainError, match="wilayah kantor"):
        load_boundary_file(boundaries_dir / "kab_serang.geojson.gz")
    app.config["OFFICE_AREA_CODE"] = "3604"
    with pytest.raises(DomainError, match="PP.KK"):
        load_boundary_file(boundaries_dir / "kab_serang.geojson.gz")


def test_a_partial_file_updates_its_areas_and_parents_come_from_all_children(
    db, boundaries_dir, tmp_path
):
    load_serang(db, boundaries_dir)
    kab_before = db.session.scalar(select(Area.area_km2).where(Area.code == SERANG))
    untouched = {
        a.code: (a.content_hash, a.updated_at)
        for a in current(db, "kelurahan")
        if not a.code.startswith("36.04.05.")
    }
    data = serang(boundaries_dir)
    kramatwatu = [f for f in data["features"] if f["properties"]["kode_kec"] == "36.04.05"]
    kramatwatu[0]["properties"]["nama"] = "Kramatwatu Baru"
    dropped = kramatwatu.pop()["properties"]["kode"]
    path = write(
        tmp_path, "kramatwatu.geojson", {"type": "FeatureCollection", "features": kramatwatu}
    )

    result = load_boundary_file(path, office_code=SERANG)
    db.session.commit()

    assert result["stats"]["kelurahan"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 13,
        "retired": 1,
    }
    assert db.session.scalar(select(Area.retired_at).where(Area.code == dropped)) is not None
    assert {
        a.code: (a.content_hash, a.updated_at)
        for a in current(db, "kelurahan")
        if not a.code.startswith("36.04.05.")
    } == untouched
    desa = current(db, "kelurahan")
    assert len(desa) == 325
    # The kecamatan is its current desa (the dropped one is no longer part of it) ...
    kecamatan = geometry(db, "36.04.05")
    own = shapely.union_all([geometry(db, a.code) for a in desa if a.parent_code == "36.04.05"])
    assert kecamatan.symmetric_difference(own).area < 1e-3 * own.area
    assert not kecamatan.contains(geometry(db, dropped).representative_point())
    # ... and the kabupaten all of its kecamatan, not the partial file's one.
    everything = shapely.union_all([geometry(db, a.code) for a in current(db, "kecamatan")])
    kabupaten = geometry(db, SERANG)
    assert kabupaten.symmetric_difference(everything).area < 1e-3 * everything.area
    kab_after = db.session.scalar(select(Area.area_km2).where(Area.code == SERANG))
    assert kab_before * 0.97 < kab_after <= kab_before


def newer_serang(boundaries_dir, tmp_path):
    """Serang with one desa reshaped, one renamed and one renumbered (old code dropped)."""
    data = serang(boundaries_dir)
    features = data["features"]
    reshaped = features[0]
    shape = shapely.geometry.shape(reshaped["geometry"])
    reshaped["geometry"] = shapely.geometry.mapping(shape.buffer(-0.001))
    features[1]["properties"]["nama"] = "Nama Baru"
    renumbered = features[2]["properties"]
    old_code = renumbered["kode"]
    renumbered["kode"] = old_code[:9] + "2999"
    path = write(tmp_path, "serang_2026.geojson", data)
    return path, old_code, renumbered["kode"]


def test_load_then_rollback_leaves_the_areas_byte_for_byte(app, db, boundaries_dir, tmp_path):
    first = load_serang(db, boundaries_dir)
    before = areas_table(db)
    path, old_code, new_code = newer_serang(boundaries_dir, tmp_path)
    second = load_boundary_file(path, version="2026", office_code=SERANG)
    db.session.commit()
    assert second["stats"]["kelurahan"] == {
        "created": 1,
        "updated": 2,
        "unchanged": 323,
        "retired": 1,
    }
    assert areas_table(db) != before

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["geo", "versions"])
    assert listed.exit_code == 0, listed.output
    assert "serang_2026.geojson" in listed.output and "kab_serang.geojson.gz" in listed.output
    undone = runner.invoke(args=["geo", "rollback"])
    assert undone.exit_code == 0, undone.output
    assert f"versi {second['boundary_set_id']} dibatalkan" in undone.output

    db.session.expire_all()
    assert areas_table(db) == before
    assert db.session.get(BoundarySet, second["boundary_set_id"]).rolled_back_at is not None
    assert db.session.get(BoundarySet, first["boundary_set_id"]).rolled_back_at is None
    old = db.session.scalar(select(Area).where(Area.code == old_code))
    assert area_index().lookup(old.label_lng, old.label_lat) == old_code
    assert db.session.scalar(select(Area.id).where(Area.code == new_code)) is None
    listed = runner.invoke(args=["geo", "versions"])
    assert "dibatalkan" in listed.output


def test_rollback_to_a_version_and_to_nothing(db, boundaries_dir, tmp_path):
    first = load_serang(db, boundaries_dir)
    path, _, _ = newer_serang(boundaries_dir, tmp_path)
    load_boundary_file(path, office_code=SERANG)
    db.session.commit()
    load_boundary_file(boundaries_dir / "kab_serang.geojson.gz", office_code=SERANG)
    db.session.commit()
    with pytest.raises(DomainError, match="Versi 999 tidak ada"):
        rollback(to=999)
    with transaction():
        undone = rollback(to=first["boundary_set_id"])
    assert len(undone) == 2
    assert len(current(db, "kelurahan")) == 326
    with transaction():
        rollback()
    # Nothing refers to the first load's areas: rolled back past their creation, they go.
    assert db.session.scalar(select(func.count(Area.id))) == 0
    with pytest.raises(DomainError, match="Tidak ada versi"):
        rollback()


def test_rollback_retires_areas_that_events_refer_to(
    db, bekasi, make_event, boundaries_dir, tmp_path
):
    from logistics.events.models import EventArea

    data = json.loads((boundaries_dir / "kota_bekasi.geojson").read_text())
    props = data["features"][0]["properties"]
    old_code, new_code = props["kode"], props["kode"][:9] + "1099"
    event = make_event()
    db.session.add(EventArea(event_id=event.id, kelurahan_code=old_code))
    db.session.commit()
    props["kode"] = new_code
    load_boundary_file(write(tmp_path, "bekasi_baru.geojson", data))
    db.session.commit()
    # The newer file dropped the old code: events refer to it, so it is retired, not deleted.
    old = db.session.scalar(select(Area).where(Area.code == old_code))
    assert old is not None and old.retired_at is not None
    label = (old.label_lng, old.label_lat)
    assert area_index().lookup(*label) == new_code

    db.session.add(EventArea(event_id=event.id, kelurahan_code=new_code))
    db.session.commit()
    with transaction():
        (undone,) = rollback()
    assert undone["retired"] == 1 and undone["deleted"] == 0
    db.session.expire_all()
    newer = db.session.scalar(select(Area).where(Area.code == new_code))
    assert newer is not None and newer.retired_at is not None
    assert db.session.scalar(select(Area.retired_at).where(Area.code == old_code)) is None
    assert area_index().lookup(*label) == old_code
    assert db.session.scalar(select(func.count(EventArea.id))) == 2
    # Retired areas stay out of the pick lists.
    from logistics.events.areas import kelurahan_choices

    picked = {code for _, _, code, _ in kelurahan_choices()}
    assert old_code in picked and new_code not in picked
    from logistics.areas.browse import areas_of_level

    listed = {area.code for area in areas_of_level("kelurahan")}
    assert old_code in listed and new_code not in listed and len(listed) == 56


def test_a_load_interrupted_halfway_leaves_the_previous_version(
    db, boundaries_dir, tmp_path, monkeypatch
):
    load_serang(db, boundaries_dir)
    before = areas_table(db)
    sets = db.session.scalar(select(func.count(BoundarySet.id)))
    path, _, _ = newer_serang(boundaries_dir, tmp_path)

    def power_cut(codes, recorder):
        # Parents and desa are written by now; the retirement and snapshots are not.
        assert db.session.scalar(select(func.count(Area.id)).where(Area.name == "Nama Baru"))
        raise RuntimeError("listrik padam")

    monkeypatch.setattr(store, "retire", power_cut)
    with pytest.raises(RuntimeError, match="listrik padam"), transaction():
        load_boundary_file(path, office_code=SERANG)
    db.session.expire_all()
    assert areas_table(db) == before
    assert db.session.scalar(select(func.count(BoundarySet.id))) == sets
    assert db.session.scalar(select(func.count(AreaSnapshot.id))) == 326 + 29 + 1 + 1


def test_a_load_from_before_versioning_cannot_be_rolled_back(db, boundaries_dir):
    result = load_serang(db, boundaries_dir)
    db.session.get(BoundarySet, result["boundary_set_id"]).reversible = False
    db.session.commit()
    with pytest.raises(DomainError, match="sebelum riwayat versi"):
        rollback()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Area.id))) == 326 + 29 + 1 + 1


def test_cli_load_lists_repairs_and_moved_label_points(app, db, boundaries_dir, tmp_path):
    data = json.loads((boundaries_dir / "kota_bekasi.geojson").read_text())
    first = data["features"][0]
    minx, miny, maxx, maxy = shapely.geometry.shape(first["geometry"]).bounds
    first["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[minx, miny], [maxx, maxy], [maxx, miny], [minx, maxy], [minx, miny]]],
    }
    moved = data["features"][1]["properties"]
    moved["label_lat"], moved["label_lng"] = -6.0, 106.0
    path = write(tmp_path, "bekasi_perbaikan.geojson", data)
    result = app.test_cli_runner().invoke(args=["geo", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        f"Geometri {first['properties']['kode']} diperbaiki (dibuat valid): luas" in result.output
    )
    assert f"titik label berada di luar wilayahnya dan dipindah ke dalam: {moved['kode']}" in (
        result.output
    )


def test_rollback_keeps_the_parents_of_a_referenced_area_and_a_reload_brings_all_back(
    db, bekasi, make_event, boundaries_dir
):
    from logistics.events.models import EventArea

    binjai = boundaries_dir / "kota_binjai.geojson"
    load_boundary_file(binjai, office_code="12.75")
    db.session.commit()
    event = make_event()
    db.session.add(EventArea(event_id=event.id, kelurahan_code="12.75.01.1001"))
    db.session.commit()
    with transaction():
        (undone,) = rollback()
    # The referenced desa and its kecamatan, kota and provinsi stay, retired; the rest go.
    assert undone["retired"] == 4 and undone["deleted"] == 36 + 4
    kept = dict(
        db.session.execute(
            select(Area.code, Area.retired_at).where(Area.code.startswith("12"))
        ).all()
    )
    assert set(kept) == {"12", "12.75", "12.75.01", "12.75.01.1001"}
    assert all(kept.values())

    load_boundary_file(binjai, office_code="12.75")
    db.session.commit()
    back = db.session.execute(select(Area.retired_at).where(Area.code.startswith("12"))).all()
    assert len(back) == 1 + 1 + 5 + 37 and not any(r for (r,) in back)
