"""Inputs that once gave a 500: each is now a 4xx with a message that names what to fix."""

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

TOO_BIG = 2**64 + 1


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


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
    from tests.test_victims_api import payload as victim_payload

    copies = 4
    event = make_event()
    clients = [client_for(make_user("tagana")) for _ in range(copies)]
    held = threading.Barrier(copies, timeout=10)
    register_household = victims.register_household

    def together(**values):
        held.wait()
        return register_household(**values)

    monkeypatch.setattr(victims, "register_household", together)
    body = victim_payload(event, client_id="hp-kk-1")
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


def test_deleting_an_item_with_stock_history_is_refused_and_deletes_nothing(
    db, world, client_for
):
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
