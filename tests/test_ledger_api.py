"""Stock documents through the API: receipts, dispatches, transfers, adjustments, opname, the
stock card, expiring lots, refusals that write nothing, client_id retries and roles."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.ledger import item_id, later, past, receipt, soon, stock_in, today


@pytest.fixture
def stores(db, bekasi):
    from logistics.stock.warehouses import create_warehouse

    main = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    posko = create_warehouse(name="Gudang Posko", tier="posko", kelurahan_code=MARGAHAYU)
    db.session.commit()
    return main, posko


@pytest.fixture
def operator(as_role):
    return as_role("operator")


def lot_balances(db):
    """{lot_id: (balance column, sum of movements)} for every lot."""
    from logistics.stock.models import StockLot, StockMovement

    sums = dict(
        db.session.execute(
            select(StockMovement.lot_id, func.sum(StockMovement.quantity)).group_by(
                StockMovement.lot_id
            )
        ).all()
    )
    db.session.expire_all()
    return {
        lot.id: (Decimal(lot.quantity), Decimal(sums.get(lot.id) or 0))
        for lot in db.session.scalars(select(StockLot))
    }


def counts(db):
    from logistics.stock.models import StockDocument, StockMovement

    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(StockDocument.id))),
        db.session.scalar(select(func.count(StockMovement.id))),
    )


def test_receipt_creates_document_lots_and_bast_number(db, stores, operator):
    main, _ = stores
    body = stock_in(operator, main, "makanan_siap_saji", 40, soon(), "L-1")
    assert body["kind"] == "receipt" and body["source"] == "apbd"
    assert body["number"].startswith("0001/BAST/DINSOS-3275/")
    assert [(line["quantity"], line["lot_code"]) for line in body["lines"]] == [(40, "L-1")]
    again = stock_in(operator, main, "makanan_siap_saji", 10, soon(), "L-1")
    assert again["lines"][0]["lot_id"] == body["lines"][0]["lot_id"]  # same lot, topped up
    assert again["number"].startswith("0002/")
    stock = operator.get(f"/api/v1/warehouses/{main.id}/stock").get_json()
    assert [(row["item_code"], row["balance"], row["issuable"]) for row in stock["items"]] == [
        ("makanan_siap_saji", 50, 50)
    ]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"source": ""}, 422, "source"),
        ({"lines": []}, 422, "lines"),
        ({"lines": [{"item_id": "tidak_ada", "quantity": 1}]}, 404, "lines[0].item_id"),
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 1}]}, 422, "lines[0].expiry_date"),
        ({"lines": [{"item_id": "selimut", "quantity": 0}]}, 422, "lines[0].quantity"),
        ({"lines": [{"item_id": "selimut", "quantity": -2}]}, 422, "lines[0].quantity"),
        ({"lines": [{"item_id": "selimut", "quantity": "2,5"}]}, 422, "lines[0].quantity"),
        ({"warehouse_id": 9999}, 404, "warehouse_id"),
    ],
)
def test_bad_receipt_is_refused_and_writes_nothing(db, stores, operator, change, status, field):
    main, _ = stores
    payload = receipt(main, [{"item_id": "selimut", "quantity": 5}]) | change
    before = counts(db)
    response = operator.post("/api/v1/stock-receipts", json=payload)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["field"] == field
    assert counts(db) == before


def test_fractional_quantity_is_fine_for_kg_items(db, stores, operator):
    main, _ = stores
    body = stock_in(operator, main, "beras", "12,5", later())
    assert body["lines"][0]["quantity"] == 12.5


def test_dispatch_takes_first_expiry_first_and_leaves_the_ledger(db, stores, operator, bekasi):
    from tests.support.shelters import shelter_factory

    main, _ = stores
    shelter = shelter_factory(db)()
    stock_in(operator, main, "makanan_siap_saji", 30, later(), "LATE")
    stock_in(operator, main, "makanan_siap_saji", 10, soon(), "SOON")
    response = operator.post(
        "/api/v1/stock-dispatches",
        json={
            "warehouse_id": main.id,
            "shelter_id": shelter.id,
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 15}],
            "receiver_name": "Koordinator posko",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kelurahan_code"] == shelter.kelurahan_code
    assert [(line["lot_code"], line["quantity"]) for line in body["lines"]] == [
        ("SOON", -10),
        ("LATE", -5),
    ]
    stock = operator.get(f"/api/v1/warehouses/{main.id}/stock").get_json()
    assert stock["items"][0]["balance"] == 25


def test_dispatch_above_stock_is_409_and_writes_nothing(db, stores, operator):
    main, _ = stores
    stock_in(operator, main, "selimut", 10, lot_code="A")
    stock_in(operator, main, "selimut", 5, lot_code="B")
    before = counts(db)
    response = operator.post(
        "/api/v1/stock-dispatches",
        json={
            "warehouse_id": main.id,
            "kelurahan_code": MARGAHAYU,
            "lines": [
                {"item_id": "selimut", "quantity": 4},
                {"item_id": "selimut", "quantity": 12},
            ],
        },
    )
    assert response.status_code == 409
    assert "tidak cukup" in response.get_json()["message"]
    assert counts(db) == before
    assert all(held == moved for held, moved in lot_balances(db).values())
    assert sorted(held for held, _ in lot_balances(db).values()) == [5, 10]
    # The BAST counter rolled back too: the next document takes the next free number.
    assert stock_in(operator, main, "selimut", 1)["number"].startswith("0003/")


def test_unknown_item_or_lot_is_404(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "selimut", 10)
    other = stock_in(operator, posko, "selimut", 10)["lines"][0]["lot_id"]
    for lines in (
        [{"item_id": 99999, "quantity": 1}],
        [{"item_id": "selimut", "quantity": 1, "lot_id": other}],
        [{"item_id": "selimut", "quantity": 1, "lot_id": 99999}],
    ):
        response = operator.post(
            "/api/v1/stock-dispatches",
            json={"warehouse_id": main.id, "kelurahan_code": BEKASIJAYA, "lines": lines},
        )
        assert response.status_code == 404, lines
        assert response.get_json()["error"] == "not_found"
    response = operator.post(
        "/api/v1/stock-adjustments",
        json={
            "warehouse_id": main.id,
            "reason": "rusak",
            "lines": [{"lot_id": other, "change": -1}],
        },
    )
    assert response.status_code == 404


def test_expired_lot_is_refused_unless_a_reason_is_given(db, stores, operator):
    main, _ = stores
    lot = stock_in(operator, main, "makanan_siap_saji", 8, past(), "OLD")["lines"][0]["lot_id"]
    dispatch = {
        "warehouse_id": main.id,
        "kelurahan_code": BEKASIJAYA,
        "lines": [{"item_id": "makanan_siap_saji", "quantity": 3, "lot_id": lot}],
    }
    refused = operator.post("/api/v1/stock-dispatches", json=dispatch)
    assert refused.status_code == 422 and "kedaluwarsa" in refused.get_json()["message"]
    fefo = dict(dispatch, lines=[{"item_id": "makanan_siap_saji", "quantity": 3}])
    assert operator.post("/api/v1/stock-dispatches", json=fefo).status_code == 409
    dispatch["lines"][0]["expired_reason"] = "Masih layak menurut Dinkes"
    accepted = operator.post("/api/v1/stock-dispatches", json=dispatch)
    assert accepted.status_code == 201
    assert accepted.get_json()["lines"][0]["override_reason"] == "Masih layak menurut Dinkes"
    stock = operator.get(f"/api/v1/warehouses/{main.id}/stock").get_json()["items"][0]
    assert (stock["balance"], stock["issuable"], stock["expired"]) == (5, 0, 5)


def test_transfer_with_a_difference_and_received_twice(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "makanan_siap_saji", 20, soon(), "S")
    stock_in(operator, main, "selimut", 10, lot_code="B")
    sent = operator.post(
        "/api/v1/stock-transfers",
        json={
            "warehouse_id": main.id,
            "to_warehouse_id": posko.id,
            "lines": [
                {"item_id": "makanan_siap_saji", "quantity": 12},
                {"item_id": "selimut", "quantity": 10},
            ],
        },
    )
    assert sent.status_code == 201, sent.get_json()
    document = sent.get_json()
    assert document["status"] == "in_transit"
    assert operator.get(f"/api/v1/warehouses/{posko.id}/stock").get_json()["items"] == []
    meals = next(line for line in document["lines"] if line["item_name"] == "Makanan siap saji")
    received = operator.post(
        f"/api/v1/stock-transfers/{document['id']}/receive",
        json={"lines": [{"line_id": meals["id"], "quantity": 11}], "receiver_name": "Sari"},
    )
    assert received.status_code == 201, received.get_json()
    body = received.get_json()
    assert body["status"] == "received" and body["received_on"] == today().isoformat()
    assert {row["item_name"]: row["difference"] for row in body["items"]} == {
        "Makanan siap saji": 1,
        "Selimut": 0,
    }
    stock = operator.get(f"/api/v1/warehouses/{posko.id}/stock").get_json()["items"]
    assert {row["item_code"]: row["balance"] for row in stock} == {
        "makanan_siap_saji": 11,
        "selimut": 10,
    }
    lot = stock[0]["lots"][0]
    assert (lot["lot_code"], lot["expiry_date"]) == ("S", soon().isoformat())
    again = operator.post(f"/api/v1/stock-transfers/{document['id']}/receive", json={})
    assert again.status_code == 409
    assert "sudah diterima" in again.get_json()["message"]
    assert (
        operator.get(f"/api/v1/warehouses/{posko.id}/stock").get_json()["items"][0]["balance"] == 11
    )
    assert "sudah diterima" in again.get_json()["message"]
    too_many = operator.post(
        "/api/v1/stock-transfers",
        json={
            "warehouse_id": main.id,
            "to_warehouse_id": posko.id,
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 8}],
        },
    ).get_json()
    line = too_many["lines"][0]["id"]
    over = operator.post(
        f"/api/v1/stock-transfers/{too_many['id']}/receive",
        json={"lines": [{"line_id": line, "quantity": 9}]},
    )
    assert over.status_code == 422 and "melebihi" in over.get_json()["message"]


def test_adjustment_needs_a_reason_and_damage_only_decreases(db, stores, operator):
    main, _ = stores
    lot = stock_in(operator, main, "selimut", 10)["lines"][0]["lot_id"]
    url = "/api/v1/stock-adjustments"
    before = counts(db)
    missing = operator.post(
        url, json={"warehouse_id": main.id, "lines": [{"lot_id": lot, "change": -1}]}
    )
    assert missing.status_code == 422 and missing.get_json()["field"] == "reason"
    up = operator.post(
        url,
        json={"warehouse_id": main.id, "reason": "rusak", "lines": [{"lot_id": lot, "change": 2}]},
    )
    assert up.status_code == 422 and "minus" in up.get_json()["message"]
    for bad in (0, "1,5"):
        response = operator.post(
            url,
            json={
                "warehouse_id": main.id,
                "reason": "hilang",
                "lines": [{"lot_id": lot, "change": bad}],
            },
        )
        assert response.status_code == 422
    assert counts(db) == before
    done = operator.post(
        url,
        json={
            "warehouse_id": main.id,
            "reason": "rusak",
            "lines": [{"lot_id": lot, "change": "-3"}],
        },
    )
    assert done.status_code == 201
    assert done.get_json()["reason_label"] == "Rusak"
    found = operator.post(
        url,
        json={
            "warehouse_id": main.id,
            "reason": "selisih_opname",
            "lines": [{"lot_id": lot, "change": "+1"}],
        },
    )
    assert found.status_code == 201
    assert lot_balances(db)[lot] == (Decimal(8), Decimal(8))


def test_opname_records_system_and_counted_and_adjusts(db, stores, operator):
    main, _ = stores
    blanket = stock_in(operator, main, "selimut", 10)["lines"][0]["lot_id"]
    meals = stock_in(operator, main, "makanan_siap_saji", 6, soon())["lines"][0]["lot_id"]
    response = operator.post(
        "/api/v1/stock-counts",
        json={
            "warehouse_id": main.id,
            "lines": [{"lot_id": blanket, "counted": 7}, {"lot_id": meals, "counted": 9}],
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["reason"] == "selisih_opname"
    assert sorted((c["system_quantity"], c["counted_quantity"]) for c in body["counts"]) == [
        (6, 9),
        (10, 7),
    ]
    assert sorted(line["quantity"] for line in body["lines"]) == [-3, 3]
    balances = lot_balances(db)
    assert balances[blanket] == (7, 7) and balances[meals] == (9, 9)


def test_ledger_arithmetic_over_a_mix_of_documents(db, stores, operator):
    from logistics.stock.models import StockLot
    from logistics.stock.reports import stock_card

    main, posko = stores
    stock_in(operator, main, "makanan_siap_saji", 50, soon(), "A")
    stock_in(operator, main, "makanan_siap_saji", 30, later(), "B")
    operator.post(
        "/api/v1/stock-dispatches",
        json={
            "warehouse_id": main.id,
            "kelurahan_code": BEKASIJAYA,
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 55}],
        },
    )
    transfer = operator.post(
        "/api/v1/stock-transfers",
        json={
            "warehouse_id": main.id,
            "to_warehouse_id": posko.id,
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 10}],
        },
    ).get_json()
    operator.post(f"/api/v1/stock-transfers/{transfer['id']}/receive", json={})
    lot_b = db.session.scalar(
        select(StockLot.id).where(StockLot.lot_code == "B", StockLot.warehouse_id == main.id)
    )
    operator.post(
        "/api/v1/stock-adjustments",
        json={
            "warehouse_id": main.id,
            "reason": "hilang",
            "lines": [{"lot_id": lot_b, "change": -2}],
        },
    )
    operator.post(
        "/api/v1/stock-counts",
        json={"warehouse_id": main.id, "lines": [{"lot_id": lot_b, "counted": 12}]},
    )
    balances = lot_balances(db)
    assert all(held == moved for held, moved in balances.values()), balances
    meals = item_id("makanan_siap_saji")
    for warehouse, expected in ((main, 12), (posko, 10)):
        card = stock_card(warehouse.id, meals)
        held = sum(
            lot.quantity
            for lot in db.session.scalars(
                select(StockLot).where(StockLot.warehouse_id == warehouse.id)
            )
        )
        assert held == expected
        assert card.balance == expected
        assert card.rows[0].balance == expected  # newest line's running balance
        assert card.rows[-1].balance == card.rows[-1].quantity_in - card.rows[-1].quantity_out
    api = operator.get(f"/api/v1/warehouses/{main.id}/stock-card?item_id={meals}").get_json()
    assert [row["balance"] for row in api["rows"]] == [12, 13, 15, 25, 30, 80, 50]


def test_stock_card_pages_keep_the_running_balance(db, stores, operator):
    from logistics.stock.reports import stock_card

    main, _ = stores
    for amount in range(1, 8):
        stock_in(operator, main, "selimut", amount)
    meals = item_id("selimut")
    first = stock_card(main.id, meals, page=1, per_page=3)
    second = stock_card(main.id, meals, page=2, per_page=3)
    third = stock_card(main.id, meals, page=3, per_page=3)
    assert (first.pages, first.total) == (3, 7)
    running = [row.balance for card in (first, second, third) for row in card.rows]
    assert running == [28, 21, 15, 10, 6, 3, 1]


def test_client_id_retry_returns_the_first_document(db, stores, operator):
    main, _ = stores
    payload = receipt(main, [{"item_id": "selimut", "quantity": 5}], client_id="hp-1:0001")
    first = operator.post("/api/v1/stock-receipts", json=payload)
    assert first.status_code == 201
    retry = operator.post("/api/v1/stock-receipts", json=payload)
    assert retry.status_code == 200
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert counts(db) == (1, 1)
    changed = dict(payload, lines=[{"item_id": "selimut", "quantity": 6}])
    conflict = operator.post("/api/v1/stock-receipts", json=changed)
    assert conflict.status_code == 409 and conflict.get_json()["field"] == "client_id"
    dispatch = {
        "warehouse_id": main.id,
        "kelurahan_code": BEKASIJAYA,
        "client_id": "hp-1:0002",
        "lines": [{"item_id": "selimut", "quantity": 2}],
    }
    assert operator.post("/api/v1/stock-dispatches", json=dispatch).status_code == 201
    assert operator.post("/api/v1/stock-dispatches", json=dispatch).status_code == 200
    assert counts(db) == (2, 2)
    assert lot_balances(db)[first.get_json()["lines"][0]["lot_id"]] == (3, 3)


def test_documents_list_filters_and_detail(db, stores, operator, as_role):
    main, posko = stores
    stock_in(operator, main, "selimut", 5)
    stock_in(operator, posko, "selimut", 5)
    reader = as_role("pimpinan")
    listed = reader.get(f"/api/v1/stock-documents?warehouse_id={posko.id}&kind=receipt").get_json()
    assert listed["count"] == 1 and listed["items"][0]["warehouse_id"] == posko.id
    assert reader.get("/api/v1/stock-documents?kind=rahasia").status_code == 422
    future = (today() + timedelta(days=1)).isoformat()
    assert reader.get(f"/api/v1/stock-documents?date_from={future}").get_json()["count"] == 0
    detail = reader.get(f"/api/v1/stock-documents/{listed['items'][0]['id']}")
    assert detail.status_code == 200 and detail.get_json()["kind_label"] == "Penerimaan barang"
    assert reader.get("/api/v1/stock-documents/99999").status_code == 404


def test_expiring_lots(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "makanan_siap_saji", 5, soon(), "SOON")
    stock_in(operator, posko, "makanan_siap_saji", 5, today() + timedelta(days=45), "MID")
    stock_in(operator, main, "makanan_siap_saji", 5, later(), "LATE")
    stock_in(operator, main, "makanan_siap_saji", 5, past(), "OLD")
    codes = lambda url: [lot["lot_code"] for lot in operator.get(url).get_json()["items"]]  # noqa: E731
    assert codes("/api/v1/stock-lots/expiring") == ["SOON"]
    assert codes("/api/v1/stock-lots/expiring?days=60") == ["SOON", "MID"]
    assert codes(f"/api/v1/stock-lots/expiring?days=60&warehouse_id={main.id}") == ["SOON"]
    assert operator.get("/api/v1/stock-lots/expiring?days=abc").status_code == 422


def test_roles_read_and_write(db, stores, as_role, client):
    main, _ = stores
    payload = receipt(main, [{"item_id": "selimut", "quantity": 5}])
    for role in ("pimpinan", "tagana"):
        response = as_role(role).post("/api/v1/stock-receipts", json=payload)
        assert response.status_code == 403
    assert client.post("/api/v1/stock-receipts", json=payload).status_code == 401
    assert client.get(f"/api/v1/warehouses/{main.id}/stock").status_code == 401
    assert as_role("admin").post("/api/v1/stock-receipts", json=payload).status_code == 201


def test_receiving_retry_with_client_id_is_answered_once(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "selimut", 10)
    sent = operator.post(
        "/api/v1/stock-transfers",
        json={
            "warehouse_id": main.id,
            "to_warehouse_id": posko.id,
            "lines": [{"item_id": "selimut", "quantity": 4}],
        },
    ).get_json()
    line = sent["lines"][0]["id"]
    url = f"/api/v1/stock-transfers/{sent['id']}/receive"
    payload = {"client_id": "hp-2:0009", "lines": [{"line_id": line, "quantity": 3}]}
    assert operator.post(url, json=payload).status_code == 201
    retry = operator.post(url, json=payload)
    assert retry.status_code == 200 and retry.get_json()["items"][0]["difference"] == 1
    changed = dict(payload, lines=[{"line_id": line, "quantity": 4}])
    assert operator.post(url, json=changed).status_code == 409
    stock = operator.get(f"/api/v1/warehouses/{posko.id}/stock").get_json()["items"]
    assert stock[0]["balance"] == 3
