"""Adjustments and stock counts (opname): lot balances changed by a decision or a count."""

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select

from logistics.core import inputs
from logistics.core.errors import Collector, DomainError, NotFound
from logistics.core.extensions import db
from logistics.stock import ledger, wilayah
from logistics.stock.documents import (
    by_item,
    counted_quantity,
    document_date,
    hand_over_names,
    new_document,
    replay,
    request_lines,
)
from logistics.stock.models import Item, StockCountLine, StockDocument, StockLot, Warehouse
from logistics.stock.models.ledger import ADJUSTMENT_REASONS

# Reasons that can only lower a balance: goods that are damaged, lost or expired do not come back.
DECREASE_ONLY = ("rusak", "hilang", "kedaluwarsa")


def _lot_in(warehouse: Warehouse, value, field: str) -> StockLot:
    number = inputs.whole_number(value, field, "Lot", required=True)
    lot = db.session.get(StockLot, number)
    if lot is None or lot.warehouse_id != warehouse.id:
        raise NotFound(f"Lot #{value} tidak ada di {warehouse.name}.", field=field)
    return lot


def _signed(item: Item, value, field: str) -> Decimal:
    """A signed change of a lot ('-3', 2, '+1,5'): the sign, then a valid quantity."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return ledger.quantity(item, value, field)
    sign = -1 if text.startswith("-") else 1
    return sign * ledger.quantity(item, text.lstrip("+-").strip(), field)


def record_adjustment(values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """A decision to change lot balances with a reason (damaged, expired, lost, count difference)."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    wilayah.require_records(wilayah.actor_scope(actor), warehouse)
    reason = values.get("reason")
    if reason not in ADJUSTMENT_REASONS:
        raise DomainError(
            f"Alasan penyesuaian wajib dipilih dari: {', '.join(ADJUSTMENT_REASONS.values())}.",
            field="reason",
        )
    doc_date = document_date(values)
    client_id = inputs.client_id(values.get("client_id"))
    lines = []
    for number, line in enumerate(request_lines(values)):
        prefix = f"lines[{number}]."
        lot = _lot_in(warehouse, line.get("lot_id"), prefix + "lot_id")
        change = _signed(lot.item, line.get("change", line.get("quantity")), prefix + "change")
        if change > 0 and reason in DECREASE_ONLY:
            raise DomainError(
                f"Penyesuaian karena {ADJUSTMENT_REASONS[reason].lower()} hanya boleh mengurangi "
                "stok; tulis jumlahnya dengan tanda minus, mis. -5.",
                field=prefix + "change",
            )
        lines.append((lot, change))
    header = ("adjustment", warehouse.id, None, None, None, None, doc_date, None, reason)
    signature = by_item((lot.id, change) for lot, change in lines)
    if (existing := replay(client_id, header, signature)) is not None:
        return existing, False
    document = new_document(
        "adjustment",
        doc_date,
        client_id,
        actor,
        warehouse_id=warehouse.id,
        reason=reason,
        note=inputs.text(values.get("note"), "note", "Catatan", 2000),
    )
    for lot, change in lines:
        if change > 0:
            ledger.put(lot, change, "adjustment", document=document)
        else:
            ledger.take(lot, -change, "adjustment", document=document)
    db.session.flush()
    return document, True


def count_sheet(warehouse_id: int) -> list[StockLot]:
    """The lots of a warehouse for a stock count: those with a balance, by item and expiry."""
    return list(
        db.session.scalars(
            select(StockLot)
            .join(Item, Item.id == StockLot.item_id)
            .where(StockLot.warehouse_id == warehouse_id, StockLot.quantity > 0)
            .order_by(Item.name, StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)
        )
    )


def record_count(values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """A stock opname: counted quantities per lot; each difference becomes an adjustment."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    wilayah.require_records(wilayah.actor_scope(actor), warehouse)
    errors = Collector()
    doc_date = errors.check(document_date, values)
    client_id = errors.check(inputs.client_id, values.get("client_id"))
    counted: dict[int, tuple[StockLot, Decimal]] = {}
    for number, line in enumerate(errors.check(request_lines, values) or []):
        prefix = f"lines[{number}]."
        lot = errors.check(_lot_in, warehouse, line.get("lot_id"), prefix + "lot_id")
        if lot is None:
            continue
        if lot.id in counted:
            errors.add(
                DomainError(
                    f"Lot {ledger.lot_label(lot)} tercatat dua kali.", field=prefix + "lot_id"
                )
            )
            continue
        amount = errors.check(counted_quantity, lot.item, line.get("counted"), prefix + "counted")
        counted[lot.id] = (lot, amount)
    errors.raise_any()
    header = ("opname", warehouse.id, None, None, None, None, doc_date, None, "selisih_opname")
    signature = sorted((lot_id, str(amount.normalize())) for lot_id, (_, amount) in counted.items())
    if (existing := replay(client_id, header, signature)) is not None:
        return existing, False
    # The BAST number takes the write lock (SQLite) before the balances are read; on PostgreSQL
    # the lots are locked, so the system quantity is the one at the moment of submitting.
    document = new_document(
        "opname",
        doc_date,
        client_id,
        actor,
        warehouse_id=warehouse.id,
        reason="selisih_opname",
        note=inputs.text(values.get("note"), "note", "Catatan", 2000),
        **{k: v for k, v in hand_over_names(values).items() if k != "note"},
    )
    db.session.flush()
    system = dict(
        db.session.execute(
            select(StockLot.id, StockLot.quantity)
            .where(StockLot.id.in_(list(counted)))
            .with_for_update()
        ).all()
    )
    for lot_id, (lot, amount) in counted.items():
        db.session.add(
            StockCountLine(
                document_id=document.id,
                lot_id=lot_id,
                system_quantity=system[lot_id],
                counted_quantity=amount,
            )
        )
        difference = amount - system[lot_id]
        if difference > 0:
            ledger.put(lot, difference, "adjustment", document=document)
        elif difference < 0:
            ledger.take(lot, -difference, "adjustment", document=document)
    db.session.flush()
    return document, True


def count_lines(document: StockDocument) -> list[StockCountLine]:
    return list(
        db.session.scalars(
            select(StockCountLine)
            .where(StockCountLine.document_id == document.id)
            .order_by(StockCountLine.id)
        )
    )
