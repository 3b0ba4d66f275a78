"""Ledger primitives: quantities, put/take with the database check, FEFO, expired lots, BAST numbers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from logistics.core.database import transaction
from logistics.core.errors import Conflict, DomainError
from tests.support.areas import BEKASIJAYA


@pytest.fixture
def store(db, bekasi):
    from logistics.stock.warehouses import create_warehouse

    warehouse = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    return warehouse


def item(code):
    from logistics.stock import ledger

    return ledger.get_item(code)


def receive(warehouse, code, amount, expiry=None, lot_code=""):
    from logistics.stock import ledger

    with transaction():
        lot = ledger.find_or_create_lot(warehouse, item(code), lot_code, expiry, date(2026, 11, 1))
        ledger.put(lot, Decimal(amount), "receipt")
    return lot


def balance_by_movements(db, lot_id):
    from logistics.stock.models import StockMovement

    return db.session.scalar(
        select(func.sum(StockMovement.quantity)).where(StockMovement.lot_id == lot_id)
    )


def test_quantity_rules(db):
    from logistics.stock.ledger import quantity

    paket = item("makanan_siap_saji")
    assert quantity(paket, "80") == 80
    for bad, words in [
        ("0", "lebih dari nol"),
        ("-5", "lebih dari nol"),
        ("2.5", "pecahan"),
        ("abc", "angka"),
        ("", "wajib"),
        ("5000000", "tidak wajar"),
    ]:
        with pytest.raises(DomainError, match=words):
            quantity(paket, bad)
    with pytest.raises(DomainError, match="tidak wajar"):
        quantity(paket, "1001", maximum=Decimal(1000))
    beras = item("beras")
    assert quantity(beras, "12,5") == Decimal("12.5")


def test_fefo_skips_expired_and_takes_earliest_first(db, store):
    from logistics.stock import ledger

    today = date(2026, 11, 30)
    late = receive(store, "makanan_siap_saji", 50, today + timedelta(days=200), "L-LATE")
    soon = receive(store, "makanan_siap_saji", 30, today + timedelta(days=20), "L-SOON")
    expired = receive(store, "makanan_siap_saji", 40, today - timedelta(days=1), "L-OLD")
    assert ledger.available(store.id, item("makanan_siap_saji").id, today) == 80

    with transaction():
        moves = ledger.issue(store, item("makanan_siap_saji"), Decimal(45), "dispatch", today=today)
    assert [(m.lot_id, m.quantity) for m in moves] == [(soon.id, -30), (late.id, -15)]
    for lot, left in ((soon, 0), (late, 35), (expired, 40)):
        db.session.refresh(lot)
        assert lot.quantity == left
        assert balance_by_movements(db, lot.id) == left

    with pytest.raises(DomainError, match="kedaluwarsa"):
        ledger.issue(
            store, item("makanan_siap_saji"), Decimal(5), "dispatch", lot=expired, today=today
        )
    with transaction():
        moves = ledger.issue(
            store,
            item("makanan_siap_saji"),
            Decimal(5),
            "dispatch",
            lot=expired,
            today=today,
            expired_reason="Dimusnahkan bersama BPOM",
        )
    assert moves[0].override_reason == "Dimusnahkan bersama BPOM"


def test_shortage_takes_nothing(db, store):
    from logistics.stock import ledger

    first = receive(store, "selimut", 10, lot_code="A")
    second = receive(store, "selimut", 5, lot_code="B")
    with pytest.raises(Conflict, match="tinggal 15"), transaction():
        ledger.issue(store, item("selimut"), Decimal(16), "dispatch")
    for lot, held in ((first, 10), (second, 5)):
        db.session.refresh(lot)
        assert lot.quantity == held
        assert balance_by_movements(db, lot.id) == held


def test_take_refuses_below_zero_in_the_database(db, store):
    from sqlalchemy import update

    from logistics.stock import ledger
    from logistics.stock.models import StockLot

    lot = receive(store, "selimut", 10)
    assert lot.quantity == 10
    # Someone else took 7 meanwhile: the in-memory balance (10) is stale and must not count.
    with db.engine.begin() as other:
        other.execute(update(StockLot).where(StockLot.id == lot.id).values(quantity=3))
    assert lot.quantity == 10
    with pytest.raises(Conflict, match="tinggal 3"), transaction():
        ledger.take(lot, Decimal(4), "dispatch")
    db.session.refresh(lot)
    assert lot.quantity == 3


def test_bast_numbers_count_per_year(db, app):
    from logistics.stock.bast import next_number

    numbers = [next_number(date(2026, 11, 30)), next_number(date(2026, 12, 1))]
    numbers.append(next_number(date(2027, 1, 2)))
    db.session.commit()
    assert numbers == [
        "0001/BAST/DINSOS-3275/XI/2026",
        "0002/BAST/DINSOS-3275/XII/2026",
        "0001/BAST/DINSOS-3275/I/2027",
    ]


def test_lot_label_writes_the_expiry_as_an_indonesian_date():
    from logistics.stock.ledger import lot_label
    from logistics.stock.models import StockLot

    assert lot_label(StockLot(lot_code="L-1", expiry_date=date(2027, 1, 31))) == (
        "L-1 (ED 31 Januari 2027)"
    )
    assert lot_label(StockLot(lot_code=None, expiry_date=None)) == "tanpa kode"
