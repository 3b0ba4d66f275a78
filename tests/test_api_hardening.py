"""Inputs that once gave a 500: each is now a 4xx with a message that names what to fix."""

import re
import threading

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import (
    balance,
    form_values,
    make_world,
    open_form,
    payload,
    submit,
)
from tests.support.shelters import shelter_factory

TOO_BIG = 2**64 + 1


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


@pytest.fixture
def make_shelter(db, bekasi):
    return shelter_factory(db)


def _item_id(code: str) -> int:
    from logistics.stock import ledger

    return ledger.get_item(code).id


def test_a_hand_out_of_an_item_the_warehouse_never_had_is_409(db, world, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    response = client.post(
        "/api/v1/distributions",
        json=payload(world, lines=[{"item_id": "makanan_anak", "quantity": 2}]),
    )
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["error"] == "conflict" and "Makanan anak" in body["message"]
    assert count(db, Distribution) == 0
    assert balance(db, world.warehouse, "makanan_siap_saji") == 100


def test_the_field_form_keeps_the_entry_when_the_warehouse_has_none(db, world, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    values = open_form(client, world)
    response = submit(
        client,
        values,
        warehouse_id=str(world.warehouse.id),
        item_id=[str(_item_id("makanan_anak"))],
        quantity=["2"],
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Makanan anak" in text and "stok" in text.lower()
    # The volunteer keeps the form: the same submission id, the quantity typed.
    assert form_values(text)["client_id"] == values["client_id"]
    assert 'value="2"' in text
    assert count(db, Distribution) == 0


def test_simultaneous_retries_of_one_registration_save_one_household(
    app, db, make_event, make_user, client_for, monkeypatch
):
    """Four copies of one registration (the phone's retries) arrive together. Each has looked for
    its client_id and the KK before any writes (the test holds them there), so the unique KK
    number is what the others meet: they get the first record or a clean 409, never a 500."""
    from logistics.victims import services as victims
    from logistics.victims.models import Household, Victim

    copies = 4
    event = make_event()
    clients = [client_for(make_user("tagana")) for _ in range(copies)]
    held = threading.Barrier(copies, timeout=10)
    register_household = victims.register_household

    def together(**values):
        held.wait()
        return register_household(**values)

    monkeypatch.setattr(victims, "register_household", together)
    body = {
        "event_id": event.id,
        "status": "mengungsi",
        "kelurahan_code": "32.75.01.1001",
        "client_id": "hp-kk-1",
        "person": {
            "name": "Budi Santoso",
            "nik": "3275011708850009",
            "relation": "kepala_keluarga",
        },
        "household": {"no_kk": "3275010101200001", "address": "Jl. Melati 3", "rt": "003"},
    }
    results = []

    def send(client):
        response = client.post("/api/v1/victims", json=body)
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert len(statuses) == copies, "a request raised instead of answering"
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, results
    first = next(answer["id"] for status, answer in results if status == 201)
    assert all(answer["id"] == first for status, answer in results if status == 200)
    db.session.expire_all()
    assert count(db, Victim) == 1 and count(db, Household) == 1


def test_deleting_an_item_with_stock_history_is_refused_and_deletes_nothing(db, world, client_for):
    from logistics.stock.models import Item, StockLot, StockMovement

    operator = client_for(world.operator)
    selimut = db.session.scalar(select(Item).where(Item.code == "selimut"))
    lots, movements = count(db, StockLot), count(db, StockMovement)
    response = operator.post(f"/logistik/barang/{selimut.id}/hapus")
    assert response.status_code == 302
    page = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert "riwayat stok" in page and "Nonaktifkan" in page
    db.session.expire_all()
    assert db.session.get(Item, selimut.id) is not None
    assert (count(db, StockLot), count(db, StockMovement)) == (lots, movements)
    assert balance(db, world.warehouse, "selimut") == 50


@pytest.mark.parametrize(
    ("url", "body", "field", "words"),
    [
        # ids beyond 64 bits, in the path, the query and the body
        (f"/api/v1/events/{TOO_BIG}", None, "event_id", "terlalu besar"),
        (f"/api/v1/distributions?event_id={TOO_BIG}", None, "event_id", "terlalu besar"),
        ("/api/v1/distributions", {"event_id": TOO_BIG}, "event_id", "terlalu besar"),
        # ids and counts beyond the 32 bits of their PostgreSQL columns
        ("/api/v1/distributions", {"event_id": 2**31}, "event_id", "terlalu besar"),
        ("/api/v1/shelters/{shelter}/counts", {"persons": 2**31}, "persons", "terlalu besar"),
        # {} or [] where text is expected
        ("/api/v1/distributions", {"receiver_name": {}}, "receiver_name", "teks"),
        ("/api/v1/distributions", {"note": []}, "note", "teks"),
        # a quantity no warehouse holds
        (
            "/api/v1/distributions",
            {"lines": [{"item_id": "beras", "quantity": 1e30}]},
            "lines[0].quantity",
            "terlalu besar",
        ),
        # an unknown field where the schema forbids them
        ("/api/v1/shelters/{shelter}/counts", {"persons": 3, "jumlah": 1}, "jumlah", "umlah"),
        # bad query parameters
        ("/api/v1/distributions?per_page=banyak", None, "per_page", "bilangan bulat"),
        ("/api/v1/distributions?component=beras", None, "component", "salah satu dari"),
        ("/api/v1/wilayah/lookup?lat=1e999&lng=107", None, "lat", "terlalu besar"),
    ],
)
def test_malformed_values_are_a_4xx_naming_the_field(
    db, world, client_for, make_shelter, url, body, field, words
):
    from logistics.distributions.models import Distribution

    client = client_for(world.operator)
    url = url.replace("{shelter}", str(make_shelter().id) if "{shelter}" in url else "")
    if body is None:
        response = client.get(url)
    else:
        response = client.post(
            url, json=payload(world, **body) if "/distributions" in url else body
        )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["field"] == field and words in answer["message"], answer
    assert count(db, Distribution) == 0


def test_a_method_an_address_does_not_take_is_405_with_allow(client, db):
    response = client.delete("/api/v1/distributions")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert response.get_json()["error"] == "method_not_allowed"


def test_api_timestamps_carry_their_offset(db, world, client_for, make_shelter):
    from datetime import datetime

    client = client_for(world.operator)
    shelter = make_shelter()
    client.post(f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 3})
    body = client.get(f"/api/v1/shelters/{shelter.id}").get_json()
    for value in (body["opened_at"], body["latest_count"]["recorded_at"]):
        assert datetime.fromisoformat(value.replace("Z", "+00:00")).utcoffset() is not None, value


def test_a_stray_event_id_on_any_page_is_never_a_500(app, db, client_for, make_user):
    """Every page of the demo office, opened with ?event_id= that names nothing (the two pages
    whose export links took the query's event_id beside the path's used to fail)."""
    from logistics.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure is a 500 answer, as in production
    client = client_for(make_user("admin"))
    fill = {"year": "2026", "day": "2026-12-07"}
    opened = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static", "/vendor", "/api/")):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(\w+:)?{name}>", fill.get(name, "1"), url)
        for stray in ("abc", "999999999999999999999"):
            response = client.get(f"{url}?event_id={stray}")
            assert response.status_code < 500, (url, stray)
            opened.append(url)
    assert "/kejadian/1/korban" in opened and "/tagana/kejadian/1/papan" in opened
