"""Stock card benchmark: one item in one warehouse with 100,000 movements."""

import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, update

from bench.timing import time_requests
from logistics import create_app
from logistics.core.extensions import db

MOVEMENTS = 100_000


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        from logistics.reference import seed_reference_data

        seed_reference_data()
        db.session.commit()
    return app


def _build_history() -> tuple[int, int]:
    """A year of receipts and hand-outs of makanan siap saji: 100,000 movements in 50 lots."""
    from logistics.stock import ledger
    from logistics.stock.models import StockDocument, StockLot, StockMovement, Warehouse

    warehouse = Warehouse(code="GDG-BENCH", name="Gudang uji kartu stok", tier="kab_kota")
    db.session.add(warehouse)
    db.session.flush()
    item = ledger.get_item("makanan_siap_saji")
    lots = []
    for n in range(50):
        lot = StockLot(
            warehouse_id=warehouse.id,
            item_id=item.id,
            lot_code=f"L-{n:03d}",
            expiry_date=date(2027, 1, 1) + timedelta(days=7 * n),
            quantity=Decimal(0),
            received_on=date(2026, 1, 1) + timedelta(days=7 * n),
        )
        db.session.add(lot)
        lots.append(lot)
    document = StockDocument(kind="receipt", doc_date=date(2026, 1, 1), warehouse_id=warehouse.id)
    db.session.add(document)
    db.session.flush()
    per_lot = MOVEMENTS // len(lots)
    start = datetime(2026, 1, 1, 8, 0)
    rows = []
    for lot in lots:
        # Each lot: one receipt of 10,000 boxes, then hand-outs of 5 boxes each.
        rows.append((lot, 10_000, "receipt"))
        rows.extend((lot, -5, "distribution") for _ in range(per_lot - 1))
    balances = {lot.id: 0 for lot in lots}
    values = []
    for k, (lot, amount, kind) in enumerate(rows):
        balances[lot.id] += amount
        values.append(
            {
                "kind": kind,
                "warehouse_id": warehouse.id,
                "item_id": item.id,
                "lot_id": lot.id,
                "quantity": amount,
                "document_id": document.id if kind == "receipt" else None,
                "created_at": start + timedelta(minutes=5 * k),
            }
        )
    db.session.execute(insert(StockMovement), values)
    for lot_id, balance in balances.items():
        db.session.execute(update(StockLot).where(StockLot.id == lot_id).values(quantity=balance))
    db.session.commit()
    return warehouse.id, item.id


def run(requests: int = 20) -> dict:
    from logistics.admin.users import create_user

    with tempfile.TemporaryDirectory(prefix="posko-bench-card-") as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            started = time.perf_counter()
            warehouse_id, item_id = _build_history()
            setup_s = time.perf_counter() - started
            create_user("operator.bench", "bench-password-123", "operator")
            db.session.commit()
        client = app.test_client()
        response = client.post(
            "/masuk", data={"username": "operator.bench", "password": "bench-password-123"}
        )
        assert response.status_code == 302
        url = STOCK_CARD_URL.format(warehouse_id=warehouse_id, item_id=item_id)
        first = time_requests(client, url, requests)
        last = time_requests(client, url + "&page=last", requests)
    return {
        "card_movements": MOVEMENTS,
        "card_setup_s": setup_s,
        "card_first_page_p95_ms": first["warm_p95_ms"],
        "card_first_page_median_ms": first["warm_median_ms"],
        "card_first_page_cold_ms": first["cold_ms"],
        "card_last_page_p95_ms": last["warm_p95_ms"],
    }


# Filled in when the stock card page exists.
STOCK_CARD_URL = "/logistik/gudang/{warehouse_id}/kartu-stok?item_id={item_id}"
