"""Field-kitchen pages and API: roles, forms, the meal record, the coverage page."""

import re

import pytest
from sqlalchemy import func, select

from tests.support.kitchens import make_site, today


@pytest.fixture
def site(db, make_event):
    return make_site(db, make_event)


def meal_count(db):
    from logistics.kitchens.models import KitchenMeal

    return db.session.scalar(select(func.count(KitchenMeal.id)))


# --- pages ---------------------------------------------------------------------------------------


def test_office_adds_a_kitchen_through_the_form(db, site, as_role):
    from logistics.kitchens.models import FieldKitchen

    operator = as_role("operator")
    page = operator.get(f"/dapur-umum/kejadian/{site.event.id}/baru")
    assert page.status_code == 200 and "Tambah dapur umum" in page.get_data(as_text=True)
    response = operator.post(
        f"/dapur-umum/kejadian/{site.event.id}/baru",
        data={
            "name": "Dapur Umum Masjid",
            "shelter_id": str(site.shelter.id),
            "kelurahan_code": "",
            "warehouse_id": str(site.warehouse.id),
            "capacity_portions": "500",
            "pic_name": "Ujang",
        },
    )
    assert response.status_code == 302
    kitchen = db.session.scalar(
        select(FieldKitchen).where(FieldKitchen.name == "Dapur Umum Masjid")
    )
    assert (
        kitchen.capacity_portions == 500 and kitchen.kelurahan_code == site.shelter.kelurahan_code
    )
    listing = operator.get(f"/dapur-umum/kejadian/{site.event.id}").get_data(as_text=True)
    assert "Dapur Umum Masjid" in listing and "Dapur Umum GOR" in listing


def test_form_error_is_shown_under_its_field(site, as_role):
    operator = as_role("operator")
    response = operator.post(
        f"/dapur-umum/kejadian/{site.event.id}/baru",
        data={"name": "Dapur X", "kelurahan_code": "32.75.99.1999", "capacity_portions": "750"},
    )
    assert response.status_code == 422
    assert "tidak dikenal" in response.get_data(as_text=True)


def test_only_office_roles_manage_kitchens_and_pimpinan_cannot_record(site, as_role):
    tagana = as_role("tagana")
    assert tagana.get(f"/dapur-umum/kejadian/{site.event.id}/baru").status_code == 403
    assert tagana.get(f"/dapur-umum/{site.kitchen.id}/ubah").status_code == 403
    assert tagana.get(f"/dapur-umum/{site.kitchen.id}/makan").status_code == 200
    pimpinan = as_role("pimpinan")
    assert pimpinan.get(f"/dapur-umum/{site.kitchen.id}").status_code == 200
    assert pimpinan.get(f"/dapur-umum/{site.kitchen.id}/makan").status_code == 403


def test_meal_form_suggests_the_head_count_and_records_the_meal(db, site, as_role):
    tagana = as_role("tagana")
    page = tagana.get(f"/dapur-umum/{site.kitchen.id}/makan").get_data(as_text=True)
    assert re.search(r'name="head_count"[^>]*value="140"', page)
    data = {
        "served_on": today().isoformat(),
        "period": "pagi",
        "head_count": "140",
        "portions_cooked": "150",
        "portions_served": "138",
        "known": "none",
        "item_id": [str(site.beras.item_id), ""],
        "quantity": ["14", ""],
        "client_id": "form-abc-1",
    }
    response = tagana.post(f"/dapur-umum/{site.kitchen.id}/makan", data=data)
    assert response.status_code == 302
    db.session.refresh(site.beras)
    assert site.beras.quantity == 86
    detail = tagana.get(f"/dapur-umum/{site.kitchen.id}").get_data(as_text=True)
    assert "138" in detail and "99%" in detail and "Beras" in detail
    assert "Di bawah standar" in detail  # one meal of three today
    export = tagana.get(f"/dapur-umum/{site.kitchen.id}?format=csv").get_data(as_text=True)
    assert export.lstrip("\ufeff").splitlines()[1].split(",")[1:6] == [
        "Pagi", "140", "150", "138", "98.6",
    ]  # fmt: skip

    # The same form submitted twice (a double tap) keeps one record.
    assert tagana.post(f"/dapur-umum/{site.kitchen.id}/makan", data=data).status_code == 302
    assert meal_count(db) == 1
    again = tagana.post(
        f"/dapur-umum/{site.kitchen.id}/makan", data=data | {"client_id": "form-abc-2"}
    )
    assert again.status_code == 409
    assert "sudah dicatat" in again.get_data(as_text=True)


def test_meal_form_shows_a_stock_shortage(db, site, as_role):
    tagana = as_role("tagana")
    response = tagana.post(
        f"/dapur-umum/{site.kitchen.id}/makan",
        data={
            "served_on": today().isoformat(),
            "period": "malam",
            "head_count": "140",
            "portions_cooked": "140",
            "portions_served": "140",
            "item_id": [str(site.mi.item_id)],
            "quantity": ["50"],
        },
    )
    assert response.status_code == 409
    assert "tidak cukup" in response.get_data(as_text=True)
    assert meal_count(db) == 0


# --- API -----------------------------------------------------------------------------------------


def test_api_kitchen_lifecycle(db, site, as_role):
    operator = as_role("operator")
    created = operator.post(
        f"/api/v1/events/{site.event.id}/kitchens",
        json={"name": "Dapur Umum Balai", "kelurahan_code": site.shelter.kelurahan_code},
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["capacity_portions"] == 750 and body["warehouse_id"] is None
    changed = operator.patch(
        f"/api/v1/kitchens/{body['id']}", json={"warehouse_id": site.warehouse.code}
    )
    assert changed.get_json()["warehouse_id"] == site.warehouse.id
    listing = operator.get(f"/api/v1/events/{site.event.id}/kitchens").get_json()
    assert listing["count"] == 2
    assert operator.get("/api/v1/kitchens/9999").status_code == 404
    tagana = as_role("tagana")
    refused = tagana.post(f"/api/v1/events/{site.event.id}/kitchens", json={"name": "X"})
    assert refused.status_code == 403


def test_api_meal_record_conflicts_and_retry(db, site, as_role):
    tagana = as_role("tagana")
    url = f"/api/v1/kitchens/{site.kitchen.id}/meals"
    payload = {
        "served_on": today().isoformat(),
        "period": "siang",
        "head_count": 140,
        "portions_cooked": 145,
        "portions_served": 140,
        "ingredients": [{"item_id": "beras", "quantity": 20}],
        "client_id": "hp-7-1",
    }
    first = tagana.post(url, json=payload)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["distribution"]["anonymous_portions"] == 140
    assert body["ingredients"] == [
        {"item_id": site.beras.item_id, "code": "beras", "unit": "kg", "quantity": 20}
    ]
    retry = tagana.post(url, json=payload)
    assert retry.status_code == 200 and retry.get_json()["id"] == body["id"]
    duplicate = tagana.post(url, json=payload | {"client_id": "hp-7-2"})
    assert duplicate.status_code == 409 and duplicate.get_json()["field"] == "period"
    too_many = tagana.post(
        url, json=payload | {"client_id": None, "period": "malam", "portions_served": 146}
    )
    assert too_many.status_code == 422 and too_many.get_json()["field"] == "portions_served"
    short = tagana.post(
        url,
        json=payload
        | {
            "client_id": None,
            "period": "malam",
            "ingredients": [{"item_id": "beras", "quantity": 81}],
        },
    )
    assert short.status_code == 409
    assert short.get_json()["details"]["available"] == 80
    assert meal_count(db) == 1
    unknown = tagana.post(url, json=payload | {"portions": 3})
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "portions"

    report = tagana.get(f"/api/v1/kitchens/{site.kitchen.id}").get_json()["report"]
    assert report["days"][0]["meals"][0]["coverage_percent"] == 100
    assert report["ingredients"][0]["quantity"] == 20
    meals = tagana.get(url).get_json()
    assert meals["count"] == 1 and meals["items"][0]["period"] == "siang"
    pimpinan = as_role("pimpinan")
    assert pimpinan.post(url, json=payload).status_code == 403
