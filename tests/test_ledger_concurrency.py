"""Eight people dispatch from the same lot at the same moment: stock never goes below zero."""

import threading

from flask import g
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.support.areas import BEKASIJAYA

THREADS = 8


def test_simultaneous_dispatches_never_drive_a_lot_below_zero(app, db, bekasi, make_user):
    from logistics.stock import documents as stock_documents
    from logistics.stock.models import StockDocument, StockLot, StockMovement
    from logistics.stock.warehouses import create_warehouse

    warehouse = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    receipt, _ = stock_documents.submit(
        stock_documents.record_receipt,
        {
            "warehouse_id": warehouse.id,
            "source": "apbd",
            "lines": [{"item_id": "selimut", "lot_code": "L-1", "quantity": 10}],
        },
    )
    lot_id, warehouse_id = receipt.movements[0].lot_id, warehouse.id

    user = make_user("operator")
    clients = []
    for number in range(THREADS):
        g.pop("_login_user", None)
        client = app.test_client()
        # One address per client, so the login rate limit does not refuse the eighth person.
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
        response = client.post("/masuk", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    db.session.commit()
    db.session.close()

    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def dispatch(index: int) -> None:
        payload = {
            "warehouse_id": warehouse_id,
            "kelurahan_code": BEKASIJAYA,
            "lines": [{"item_id": "selimut", "quantity": 3, "lot_id": lot_id}],
        }
        barrier.wait(timeout=30)
        try:
            response = clients[index].post("/api/v1/stock-dispatches", json=payload)
            results[index] = (response.status_code, response.get_json())
        except Exception as exc:  # a crash in a thread must fail the test, not vanish
            results[index] = (None, repr(exc))

    threads = [threading.Thread(target=dispatch, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    accepted = [body for status, body in results if status == 201]
    rejected = [body for status, body in results if status == 409]
    assert len(accepted) + len(rejected) == THREADS, results
    assert len(accepted) == 3  # 10 units cover three dispatches of 3, never a fourth
    for body in rejected:
        assert body["error"] == "conflict" and "tidak cukup" in body["message"]

    db.session.expire_all()
    balance = db.session.scalar(select(StockLot.quantity).where(StockLot.id == lot_id))
    assert balance >= 0
    assert balance == 10 - 3 * len(accepted)
    moved = db.session.scalar(
        select(func.sum(StockMovement.quantity)).where(StockMovement.lot_id == lot_id)
    )
    assert moved == balance
    for body in accepted:
        lines = db.session.execute(
            select(StockMovement.kind, StockMovement.quantity).where(
                StockMovement.document_id == body["id"]
            )
        ).all()
        assert lines == [("dispatch", -3)]
    dispatches = db.session.scalar(
        select(func.count(StockDocument.id)).where(StockDocument.kind == "dispatch")
    )
    assert dispatches == len(accepted)
    orphans = db.session.scalar(
        select(func.count(StockMovement.id)).where(
            StockMovement.document_id.is_(None),
            StockMovement.distribution_id.is_(None),
        )
    )
    assert orphans == 0
    numbers = db.session.scalars(select(StockDocument.number)).all()
    assert len(set(numbers)) == len(numbers) == len(accepted) + 1
