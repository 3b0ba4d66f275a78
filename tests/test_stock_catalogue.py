"""Item catalogue: the seeded DOMAIN items, add and edit, kit contents and their rules; roles."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from logistics.stock.models import Item


def item(db, code: str) -> Item:
    return db.session.scalar(select(Item).where(Item.code == code))


def test_seeded_catalogue_has_the_domain_items(db):
    beras = item(db, "beras")
    assert beras.unit == "kg" and beras.whole_units is False and beras.expires is True
    assert beras.kcal_per_unit == 3600
    for code, unit in [
        ("mi_instan", "dus"),
        ("selimut", "lembar"),
        ("velbed", "unit"),
        ("tenda_gulung", "lembar"),
        ("dapur_umum_lapangan", "unit"),
    ]:
        assert item(db, code).unit == unit, code
        assert item(db, code).whole_units is True
    family = item(db, "family_kit")
    assert family.is_kit
    contents = {c.component.code: c.quantity for c in family.components}
    assert contents["sabun_mandi"] == 4 and contents["handuk"] == 2
    assert len(contents) == 6


def test_create_and_edit_item(db):
    from logistics.stock.catalogue import create_item, update_item

    new = create_item(
        code="Beras_Premium", name="Beras premium", category="pangan", unit="kg",
        whole_units="0", expires="ya", kcal_per_unit="3600",
    )  # fmt: skip
    assert new.code == "beras_premium" and new.whole_units is False and new.expires is True
    update_item(new, unit="karung", kcal_per_unit=None, note="karung 25 kg")
    assert new.unit == "karung" and new.kcal_per_unit is None


@pytest.mark.parametrize(
    ("values", "field", "status"),
    [
        ({"code": "beras", "name": "Beras lain"}, "code", 409),
        ({"code": "beras_lain", "name": "beras"}, "name", 409),
        ({"code": "beras lain", "name": "Beras lain"}, "code", 422),
        ({"code": "x", "name": "X", "category": "senjata"}, "category", 422),
        ({"code": "x", "name": "X", "unit": ""}, "unit", 422),
        ({"code": "x", "name": "X", "kcal_per_unit": "-5"}, "kcal_per_unit", 422),
        ({"code": "x", "name": "X", "warna": "merah"}, "warna", 422),
    ],
)
def test_invalid_item_is_refused_with_field(db, values, field, status):
    from logistics.core.errors import DomainError
    from logistics.stock.catalogue import create_item

    data = {"category": "pangan", "unit": "paket"} | values
    with pytest.raises(DomainError) as caught:
        create_item(**data)
    assert caught.value.field == field
    assert caught.value.status == status


def test_set_kit_contents_replaces_lines(db):
    from logistics.stock.catalogue import set_components

    kit = item(db, "kids_ware")
    set_components(
        kit,
        [
            {"component_id": item(db, "sikat_gigi").id, "quantity": "2"},
            {"code": "sabun_mandi", "quantity": 1},
        ],
    )
    db.session.commit()
    assert {c.component.code: c.quantity for c in kit.components} == {
        "sikat_gigi": Decimal("2"),
        "sabun_mandi": Decimal("1"),
    }
    set_components(kit, [{"code": "sabun_mandi", "quantity": 3}])
    db.session.commit()
    db.session.refresh(kit)
    assert {c.component.code: c.quantity for c in kit.components} == {"sabun_mandi": 3}


def test_fractional_quantity_allowed_for_divisible_items(db):
    from logistics.stock.catalogue import set_components

    kit = item(db, "peralatan_dapur_keluarga")
    set_components(kit, [{"code": "beras", "quantity": "2,5"}])
    assert kit.components[0].quantity == Decimal("2.5")


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"component_id": 999999, "quantity": 1}, "components[0].component_id", "tidak ada"),
        ({"code": "family_kit", "quantity": 1}, "components[0].component_id", "dirinya sendiri"),
        ({"code": "sabun_mandi", "quantity": 0}, "components[0].quantity", "lebih dari nol"),
        ({"code": "sabun_mandi", "quantity": -2}, "components[0].quantity", "lebih dari nol"),
        ({"code": "sabun_mandi", "quantity": "1,5"}, "components[0].quantity", "pecahan"),
        ({"code": "sabun_mandi", "quantity": "dua"}, "components[0].quantity", "angka"),
        ({"code": "sabun_mandi"}, "components[0].quantity", "wajib"),
    ],
)
def test_invalid_kit_line_is_refused(db, line, field, message):
    from logistics.core.errors import DomainError
    from logistics.stock.catalogue import set_components

    with pytest.raises(DomainError) as caught:
        set_components(item(db, "family_kit"), [line])
    assert caught.value.status == 422
    assert caught.value.field == field
    assert message in caught.value.message


def test_kits_cannot_hold_each_other(db):
    from logistics.core.errors import DomainError
    from logistics.stock.catalogue import set_components

    set_components(item(db, "kids_ware"), [{"code": "family_kit", "quantity": 1}])
    set_components(item(db, "food_ware"), [{"code": "kids_ware", "quantity": 1}])
    with pytest.raises(DomainError) as caught:  # family kit -> food ware -> kids ware -> family
        set_components(item(db, "family_kit"), [{"code": "food_ware", "quantity": 1}])
    assert caught.value.field == "components[0].component_id"
    assert "saling berisi" in caught.value.message


def test_inactive_component_and_non_kit_are_refused(db):
    from logistics.core.errors import DomainError
    from logistics.stock.catalogue import deactivate_item, set_components

    deactivate_item(item(db, "sampo"))
    with pytest.raises(DomainError, match="tidak aktif"):
        set_components(item(db, "kids_ware"), [{"code": "sampo", "quantity": 1}])
    with pytest.raises(DomainError) as caught:
        set_components(item(db, "selimut"), [{"code": "handuk", "quantity": 1}])
    assert caught.value.field == "is_kit"


def test_item_api_create_edit_and_components(as_role, db):
    client = as_role("operator")
    response = client.post(
        "/api/v1/items",
        json={"code": "paket_lansia", "name": "Paket lansia", "category": "kebersihan",
              "unit": "paket", "is_kit": True},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    kit_id = response.get_json()["id"]
    response = client.put(
        f"/api/v1/items/{kit_id}/components",
        json={
            "components": [{"code": "selimut", "quantity": 1}, {"code": "handuk", "quantity": 2}]
        },
    )
    assert response.status_code == 200
    assert {c["code"]: c["quantity"] for c in response.get_json()["components"]} == {
        "selimut": 1,
        "handuk": 2,
    }
    response = client.put(
        f"/api/v1/items/{kit_id}/components",
        json={"components": [{"code": "selimut", "quantity": 0.5}]},
    )
    assert response.status_code == 422
    assert response.get_json()["field"] == "components[0].quantity"
    response = client.patch(f"/api/v1/items/{kit_id}", json={"name": "Family kit"})
    assert response.status_code == 409 and response.get_json()["field"] == "name"
    response = client.patch(f"/api/v1/items/{kit_id}", json={"active": False})
    assert response.get_json()["active"] is False
    listed = client.get("/api/v1/items?category=kebersihan&active=1").get_json()
    assert "paket_lansia" not in {i["code"] for i in listed["items"]}
    assert "family_kit" in {i["code"] for i in listed["items"]}


def test_item_api_roles(as_role, client, db):
    beras = item(db, "beras")
    assert client.get("/api/v1/items").status_code == 401
    assert client.post("/api/v1/items", json={}).status_code == 401
    for role in ("pimpinan", "tagana"):
        reader = as_role(role)
        assert reader.get("/api/v1/items").status_code == 200
        assert reader.get(f"/api/v1/items/{beras.id}").status_code == 200
        writes = [
            (
                "post",
                "/api/v1/items",
                {"code": "x", "name": "X", "category": "pangan", "unit": "kg"},
            ),
            ("patch", f"/api/v1/items/{beras.id}", {"unit": "karung"}),
            ("put", f"/api/v1/items/{item(db, 'family_kit').id}/components", {"components": []}),
        ]
        for method, path, body in writes:
            assert getattr(reader, method)(path, json=body).status_code == 403, (role, path)
    assert item(db, "beras").unit == "kg"


def test_catalogue_pages_and_export(as_role, client, db):
    assert client.get("/logistik/barang").status_code == 302
    operator = as_role("operator")
    page = operator.get("/logistik/barang?kategori=pangan").get_data(as_text=True)
    assert "Beras" in page and "Selimut" not in page
    assert "Mi instan" in operator.get("/logistik/barang?q=mi").get_data(as_text=True)
    response = operator.get("/logistik/barang?format=csv&kategori=kebersihan")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["ID", "Kode", "Nama"]
    family = next(r for r in rows if r[1] == "family_kit")
    assert "4 batang Sabun mandi" in family[9]
    assert all(r[3] == "Kebersihan dan kesehatan" for r in rows[1:])
    xlsx = operator.get("/logistik/barang?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_item_form_and_kit_editor(as_role, db):
    operator = as_role("operator")
    response = operator.post(
        "/logistik/barang/baru",
        data={"code": "paket_bayi", "name": "Paket bayi", "category": "sandang", "unit": "paket",
              "whole_units": "y", "is_kit": "y", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    kit = item(db, "paket_bayi")
    assert kit.is_kit and kit.active
    assert operator.get(f"/logistik/barang/{kit.id}/isi").status_code == 200
    bad = operator.post(
        f"/logistik/barang/{kit.id}/isi",
        data={"component_id": [str(item(db, "sandang_bayi").id)], "quantity": ["0"]},
    )
    assert bad.status_code == 422 and "lebih dari nol" in bad.get_data(as_text=True)
    good = operator.post(
        f"/logistik/barang/{kit.id}/isi",
        data={
            "component_id": [str(item(db, "sandang_bayi").id), ""],
            "quantity": ["3", ""],
        },
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert [(c.component.code, c.quantity) for c in item(db, "paket_bayi").components] == [
        ("sandang_bayi", 3)
    ]
    duplicate = operator.post(
        "/logistik/barang/baru",
        data={"code": "beras", "name": "Beras 2", "category": "pangan", "unit": "kg"},
    )
    assert duplicate.status_code == 409 and "sudah dipakai" in duplicate.get_data(as_text=True)
    detail = operator.get(f"/logistik/barang/{kit.id}").get_data(as_text=True)
    assert "Sandang bayi" in detail


def test_item_pages_are_read_only_for_pimpinan(as_role, db):
    reader = as_role("pimpinan")
    beras = item(db, "beras")
    assert reader.get(f"/logistik/barang/{beras.id}").status_code == 200
    assert reader.get("/logistik/barang/baru").status_code == 403
    assert reader.post(f"/logistik/barang/{beras.id}/ubah", data={"unit": "x"}).status_code == 403
    assert reader.get(f"/logistik/barang/{item(db, 'family_kit').id}/isi").status_code == 403


def test_component_set_inactive_later_stays_in_its_kit(db):
    from logistics.stock.catalogue import component_choices, deactivate_item, set_components

    family = item(db, "family_kit")
    deactivate_item(item(db, "sampo"))
    assert "sampo" in {i.code for i in component_choices(family)}
    assert "sampo" not in {i.code for i in component_choices(item(db, "kids_ware"))}
    set_components(family, [{"code": "sampo", "quantity": 2}])
    assert [(c.component.code, c.quantity) for c in family.components] == [("sampo", 2)]


def test_remove_deletes_unused_item_but_deactivates_a_kit_component(as_role, db):
    operator = as_role("operator")
    handuk, genset = item(db, "handuk"), item(db, "genset")
    response = operator.post(f"/logistik/barang/{handuk.id}/hapus")
    assert response.status_code == 302
    db.session.expire_all()
    assert item(db, "handuk").active is False
    assert "handuk" in {c.component.code for c in item(db, "family_kit").components}
    genset_id = genset.id
    assert operator.post(f"/logistik/barang/{genset_id}/hapus").status_code == 302
    db.session.expire_all()
    assert item(db, "genset") is None
    assert as_role("pimpinan").post(f"/logistik/barang/{handuk.id}/hapus").status_code == 403


def test_item_edit_form(as_role, db):
    operator = as_role("operator")
    beras = item(db, "beras")
    page = operator.get(f"/logistik/barang/{beras.id}/ubah").get_data(as_text=True)
    assert 'value="3600"' in page and 'value="kg"' in page
    response = operator.post(
        f"/logistik/barang/{beras.id}/ubah",
        data={"code": "beras", "name": "Beras medium", "category": "pangan", "unit": "kg",
              "expires": "y", "kcal_per_unit": "3500", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    beras = item(db, "beras")
    assert (beras.name, beras.kcal_per_unit, beras.whole_units) == ("Beras medium", 3500, False)
    family = item(db, "family_kit")
    refused = operator.post(
        f"/logistik/barang/{family.id}/ubah",
        data={"code": "family_kit", "name": "Family kit", "category": "kebersihan",
              "unit": "paket", "whole_units": "y", "active": "y"},
    )  # fmt: skip
    assert refused.status_code == 422 and "kosongkan isi paket" in refused.get_data(as_text=True)
