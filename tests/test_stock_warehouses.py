"""Warehouses: every tier, generated codes, kelurahan checked or taken from the point, posko store
at a shelter, list filters, CSV export, pages and roles."""

import csv
import io

import pytest

from tests.support.areas import BEKASIJAYA, MARGAHAYU, label_point
from tests.support.shelters import shelter_factory


def make(**values):
    from logistics.stock.warehouses import create_warehouse

    data = {"name": "Gudang Dinsos", "tier": "kab_kota", "kelurahan_code": BEKASIJAYA}
    return create_warehouse(**(data | values))


def test_each_tier_with_generated_codes(db, bekasi):
    from logistics.stock.models.catalogue import WAREHOUSE_TIERS

    made = [make(name=f"Gudang {tier}", tier=tier) for tier in WAREHOUSE_TIERS]
    db.session.commit()
    assert [w.tier for w in made] == list(WAREHOUSE_TIERS)
    assert [w.code for w in made] == [f"GDG-3275-{n:02d}" for n in range(1, 6)]
    assert all(w.active for w in made)


def test_given_code_is_kept_and_must_be_unique(db, bekasi):
    from logistics.core.errors import DomainError

    assert make(code="gdg-kemensos-1").code == "GDG-KEMENSOS-1"
    with pytest.raises(DomainError) as caught:
        make(code="GDG-KEMENSOS-1")
    assert caught.value.status == 409 and caught.value.field == "code"
    assert make().code == "GDG-3275-01"  # a given code does not take a generated number


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kelurahan_code": "3275011001"}, "kelurahan_code", "salah format"),
        ({"kelurahan_code": "32.75.99.1999"}, "kelurahan_code", "tidak dikenal"),
        ({"kelurahan_code": ""}, "kelurahan_code", "koordinat"),
        ({"kelurahan_code": "", "lat": 1.0, "lng": 100.0}, "kelurahan_code", "tidak berada"),
        ({"lat": -6.2}, "lng", "bersama-sama"),
        ({"tier": "gudang_rahasia"}, "tier", "Tingkat gudang"),
        ({"name": " "}, "name", "wajib"),
        ({"pic_phone": "telepon saya"}, "pic_phone", "tidak valid"),
        ({"shelter_id": 999}, "shelter_id", "tidak ditemukan"),
    ],
)
def test_invalid_warehouse_is_refused_with_field(db, bekasi, values, field, message):
    from logistics.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        make(**values)
    assert caught.value.status == 422
    assert caught.value.field == field
    assert message in caught.value.message


def test_kelurahan_is_taken_from_the_point(db, bekasi):
    lat, lng = label_point(MARGAHAYU)
    warehouse = make(kelurahan_code=None, lat=lat, lng=lng, tier="lumbung_sosial")
    assert warehouse.kelurahan_code == MARGAHAYU


def test_posko_store_at_a_shelter(db, bekasi):
    from logistics.core.errors import DomainError
    from logistics.stock.warehouses import update_warehouse

    shelter = shelter_factory(db)()
    store = make(name="Gudang posko GOR", tier="posko", shelter_id=shelter.id)
    assert store.shelter_id == shelter.id
    with pytest.raises(DomainError) as caught:
        make(tier="provinsi", shelter_id=shelter.id)
    assert caught.value.field == "shelter_id"
    update_warehouse(store, pic_name="Bu Sri", pic_phone="081234567890", active=False)
    assert store.pic_name == "Bu Sri" and store.active is False


def test_list_filters(db, bekasi):
    from logistics.stock.warehouses import deactivate_warehouse, list_warehouses

    a = make(name="A", tier="kab_kota")
    b = make(name="B", tier="lumbung_sosial", kelurahan_code=MARGAHAYU)
    c = make(name="C", tier="lumbung_sosial")
    deactivate_warehouse(c)
    names = lambda **kw: [w.name for w, _ in list_warehouses(**kw)]  # noqa: E731
    assert names() == ["A", "B", "C"]
    assert names(tier="lumbung_sosial") == ["B", "C"]
    assert names(kelurahan_code=MARGAHAYU) == ["B"]
    assert names(active=True) == ["A", "B"]
    assert list_warehouses(tier="kab_kota")[0] == (a, "Bekasijaya")
    assert b.code != a.code


def test_warehouse_api(as_role, db, bekasi):
    operator = as_role("operator")
    lat, lng = label_point(BEKASIJAYA)
    response = operator.post(
        "/api/v1/warehouses", json={"name": "Lumbung KSB Bekasijaya", "tier": "lumbung_sosial",
                                    "lat": lat, "lng": lng, "pic_name": "Pak Udin"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kelurahan_code"] == BEKASIJAYA and body["kelurahan_name"] == "Bekasijaya"
    assert body["code"] == "GDG-3275-01"
    bad = operator.post(
        "/api/v1/warehouses", json={"name": "X", "tier": "provinsi", "kelurahan_code": "1"}
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "kelurahan_code"
    changed = operator.patch(
        f"/api/v1/warehouses/{body['id']}", json={"kelurahan_code": MARGAHAYU}
    ).get_json()
    assert changed["kelurahan_code"] == MARGAHAYU
    listed = operator.get("/api/v1/warehouses?tier=lumbung_sosial").get_json()
    assert listed["count"] == 1
    assert operator.get("/api/v1/warehouses?tier=provinsi").get_json()["count"] == 0
    assert operator.get("/api/v1/warehouses?tier=x").status_code == 422
    assert operator.get("/api/v1/warehouses/99999").status_code == 404


def test_warehouse_roles(as_role, client, db, bekasi):
    warehouse = make()
    db.session.commit()
    assert client.get("/api/v1/warehouses").status_code == 401
    assert client.post("/api/v1/warehouses", json={}).status_code == 401
    assert client.get("/logistik/").status_code == 302
    assert client.get("/logistik/gudang").status_code == 302
    for role in ("pimpinan", "tagana"):
        reader = as_role(role)
        assert reader.get("/api/v1/warehouses").status_code == 200
        assert reader.get(f"/logistik/gudang/{warehouse.id}").status_code == 200
        assert reader.post("/api/v1/warehouses", json={"name": "X"}).status_code == 403
        assert (
            reader.patch(f"/api/v1/warehouses/{warehouse.id}", json={"name": "Y"}).status_code
            == 403
        )
        assert reader.get("/logistik/gudang/baru").status_code == 403
        assert reader.post(f"/logistik/gudang/{warehouse.id}/ubah", data={}).status_code == 403


def test_warehouse_pages_and_export(as_role, db, bekasi):
    make(name="Gudang Dinsos Kota Bekasi", pic_name="Pak Harun")
    make(name="Lumbung KSB Margahayu", tier="lumbung_sosial", kelurahan_code=MARGAHAYU)
    db.session.commit()
    operator = as_role("operator")
    landing = operator.get("/logistik/").get_data(as_text=True)
    assert "Gudang Dinsos Kota Bekasi" in landing and "/logistik/barang" in landing
    page = operator.get("/logistik/gudang?tingkat=lumbung_sosial").get_data(as_text=True)
    assert "Lumbung KSB Margahayu" in page and "Gudang Dinsos Kota Bekasi" not in page
    response = operator.get("/logistik/gudang?format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["ID", "Kode", "Nama", "Tingkat"]
    assert [(r[2], r[3], r[5]) for r in rows[1:]] == [
        ("Gudang Dinsos Kota Bekasi", "Gudang Dinas Sosial kabupaten/kota", "Bekasijaya"),
        ("Lumbung KSB Margahayu", "Lumbung sosial (KSB)", "Margahayu"),
    ]
    assert operator.get("/logistik/gudang?format=xlsx").data[:2] == b"PK"


def test_warehouse_forms(as_role, db, bekasi):
    from logistics.stock.models import Warehouse

    operator = as_role("operator")
    assert operator.get("/logistik/gudang/baru").status_code == 200
    lat, lng = label_point(MARGAHAYU)
    bad = operator.post(
        "/logistik/gudang/baru",
        data={"name": "Gudang posko", "tier": "posko", "kelurahan_code": "32.75"},
    )
    assert bad.status_code == 422 and "salah format" in bad.get_data(as_text=True)
    response = operator.post(
        "/logistik/gudang/baru",
        data={"name": "Gudang posko", "tier": "posko", "lat": str(lat), "lng": str(lng)},
    )
    assert response.status_code == 302
    warehouse = db.session.query(Warehouse).one()
    assert warehouse.kelurahan_code == MARGAHAYU and warehouse.active
    assert warehouse.code == "GDG-3275-01"
    edit = operator.get(f"/logistik/gudang/{warehouse.id}/ubah").get_data(as_text=True)
    assert "GDG-3275-01" in edit
    response = operator.post(
        f"/logistik/gudang/{warehouse.id}/ubah",
        data={"name": "Gudang posko RW 3", "tier": "posko", "code": "GDG-3275-01",
              "kelurahan_code": MARGAHAYU, "pic_name": "Bu Ani", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert warehouse.name == "Gudang posko RW 3" and warehouse.pic_name == "Bu Ani"
    detail = operator.get(f"/logistik/gudang/{warehouse.id}").get_data(as_text=True)
    assert "Margahayu" in detail and "Bu Ani" in detail
