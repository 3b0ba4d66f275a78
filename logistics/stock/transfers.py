"""Transfers between warehouses: sending, receiving at the destination, sent against received."""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import update

from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.stock import ledger, wilayah
from logistics.stock.documents import (
    ZERO,
    by_item,
    checked_event_id,
    counted_quantity,
    document_date,
    get_document,
    hand_over_names,
    issue_lines,
    new_document,
    replay,
    take_lines,
)
from logistics.stock.models import StockDocument, Warehouse


def send_transfer(values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """Goods leave one warehouse for another; they are in transit until the other receives them."""
    errors = Collector()
    warehouse = errors.check(ledger.get_warehouse, values.get("warehouse_id"))
    destination = errors.check(
        ledger.get_warehouse, values.get("to_warehouse_id"), "to_warehouse_id", "Gudang tujuan"
    )
    scope = wilayah.actor_scope(actor)
    wilayah.require_records(scope, warehouse)
    wilayah.require_sees(scope, destination)
    if warehouse is not None and destination is not None and destination.id == warehouse.id:
        errors.add(
            DomainError("Gudang tujuan harus berbeda dari gudang asal.", field="to_warehouse_id")
        )
    doc_date = errors.check(document_date, values)
    event_id = errors.check(checked_event_id, values.get("event_id"))
    client_id = errors.check(inputs.client_id, values.get("client_id"))
    lines = issue_lines(warehouse, values, errors)
    errors.raise_any()
    header = ("transfer", warehouse.id, destination.id, None, None, event_id, doc_date, None, None)
    signature = by_item((line["item"].id, line["quantity"]) for line in lines)
    if (existing := replay(client_id, header, signature)) is not None:
        return existing, False
    document = new_document(
        "transfer",
        doc_date,
        client_id,
        actor,
        warehouse_id=warehouse.id,
        to_warehouse_id=destination.id,
        event_id=event_id,
        status="in_transit",
        **hand_over_names(values),
    )
    take_lines(warehouse, lines, "transfer_out", document)
    db.session.flush()
    return document, True


def _arrivals(document: StockDocument, values: Mapping) -> dict[int, Decimal]:
    """Per sent line (transfer_out movement id) what arrived; lines not named arrived in full."""
    sent = {m.id: m for m in document.movements if m.kind == "transfer_out"}
    arrived = {line_id: -m.quantity for line_id, m in sent.items()}
    lines = values.get("lines")
    if inputs.is_blank(lines):
        return arrived
    if not isinstance(lines, list):
        raise DomainError("lines harus berupa daftar baris.", field="lines")
    for number, line in enumerate(lines):
        prefix = f"lines[{number}]."
        if not isinstance(line, Mapping):
            raise DomainError(f"Baris {number + 1} harus berupa objek.", field="lines")
        line_id = inputs.whole_number(
            line.get("line_id"), prefix + "line_id", "Baris", required=True
        )
        if line_id not in sent:
            raise NotFound(
                f"Baris #{line_id} bukan bagian dari dokumen {document.number}.",
                field=prefix + "line_id",
            )
        movement = sent[line_id]
        amount = counted_quantity(movement.item, line.get("quantity"), prefix + "quantity")
        if amount > -movement.quantity:
            raise DomainError(
                f"Jumlah diterima {movement.item.name} ({amount.normalize():f}) melebihi yang "
                f"dikirim ({(-movement.quantity).normalize():f}).",
                field=prefix + "quantity",
            )
        arrived[line_id] = amount
    return arrived


def receive_transfer(document_id: int, values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """The destination records what arrived; lots are re-created there with the same code and
    expiry. A second receipt is refused (a retry with the same client_id and content is not)."""
    document = get_document(document_id)
    if document.kind != "transfer":
        raise DomainError(f"Dokumen {document.number} bukan transfer antar gudang.")
    # Only the receiving end records the arrival; the sender may see the document, not receive it.
    wilayah.require_records(wilayah.actor_scope(actor), document.to_warehouse, "to_warehouse_id")
    received_on = document_date(values, "received_on", "Tanggal diterima")
    if received_on < document.doc_date:
        raise DomainError(
            "Tanggal diterima tidak boleh sebelum tanggal kirim.", field="received_on"
        )
    client_id = inputs.client_id(values.get("client_id"))
    arrived = _arrivals(document, values)
    if document.status == "received":
        # A retry of the receipt that was saved is answered with it; anything else is refused.
        item_of = {m.id: m.item_id for m in document.movements}
        wanted: dict = defaultdict(Decimal)
        for line_id, amount in arrived.items():
            wanted[item_of[line_id]] += amount
        saved = {row["item_id"]: row["received"] for row in transfer_differences(document)}
        if client_id is not None and dict(wanted) == saved:
            return document, False
        raise Conflict(
            f"Transfer {document.number} sudah diterima pada "
            f"{document.received_on.isoformat() if document.received_on else '-'}.",
            details={"document_id": document.id},
        )
    destination = db.session.get(Warehouse, document.to_warehouse_id)
    receiver = inputs.text(values.get("receiver_name"), "receiver_name", "Nama penerima", 160)
    # The conditional UPDATE is the guard: of two receivers at the same moment, the second
    # waits for the first (row lock on PostgreSQL, write lock on SQLite) and then matches nothing.
    updated = db.session.execute(
        update(StockDocument)
        .where(StockDocument.id == document.id, StockDocument.status == "in_transit")
        .values(status="received")
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        raise Conflict(f"Transfer {document.number} sudah diterima.")
    db.session.expire(document, ["status"])
    document.received_on = received_on
    document.received_by_id = getattr(actor, "id", None)
    if receiver:
        document.receiver_name = receiver
    for movement in list(document.movements):
        amount = arrived.get(movement.id, ZERO)
        if movement.kind != "transfer_out" or amount <= 0:
            continue
        source_lot = movement.lot
        lot = ledger.find_or_create_lot(
            destination, movement.item, source_lot.lot_code, source_lot.expiry_date, received_on
        )
        ledger.put(lot, amount, "transfer_in", document=document)
    db.session.flush()
    db.session.refresh(document)
    return document, True


def transfer_differences(document: StockDocument) -> list[dict]:
    """Per item of a transfer: sent, received, and the difference (sent - received)."""
    sent: dict = defaultdict(Decimal)
    received: dict = defaultdict(Decimal)
    items: dict = {}
    for movement in document.movements:
        items[movement.item_id] = movement.item
        if movement.kind == "transfer_out":
            sent[movement.item_id] += -movement.quantity
        elif movement.kind == "transfer_in":
            received[movement.item_id] += movement.quantity
    done = document.status == "received"
    return [
        {
            "item_id": item_id,
            "item": items[item_id],
            "sent": sent[item_id],
            "received": received[item_id] if done else None,
            "difference": sent[item_id] - received[item_id] if done else None,
        }
        for item_id in sorted(sent, key=lambda key: items[key].name)
    ]
