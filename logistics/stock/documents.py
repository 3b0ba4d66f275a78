"""Stock documents (receipt, dispatch, transfer, adjustment, opname), the stock card and expiry reports."""

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.database import transaction
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.time import office_date, office_today
from logistics.distributions.models import Distribution
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock import bast, ledger
from logistics.stock.models import (
    Item,
    StockCountLine,
    StockDocument,
    StockLot,
    StockMovement,
    Warehouse,
)
from logistics.stock.models.ledger import ADJUSTMENT_REASONS, DOCUMENT_KINDS, RECEIPT_SOURCES

# Reasons that can only lower a balance: goods that are damaged, lost or expired do not come back.
DECREASE_ONLY = ("rusak", "hilang", "kedaluwarsa")
MAX_LINES = 200
DOCUMENTS_PER_PAGE = 50
ZERO = Decimal(0)


# --- parsing ---------------------------------------------------------------------------------


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def _lines(values: Mapping) -> list[Mapping]:
    lines = values.get("lines")
    if not isinstance(lines, list) or not lines:
        raise DomainError("Isi paling sedikit satu baris barang.", field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(f"Paling banyak {MAX_LINES} baris dalam satu dokumen.", field="lines")
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, Mapping):
            raise DomainError(f"Baris {number} harus berupa objek.", field="lines")
    return lines


def _doc_date(values: Mapping, name: str = "doc_date", label: str = "Tanggal dokumen") -> date:
    today = office_today()
    value = inputs.day(values.get(name), name, label) or today
    if value > today:
        raise DomainError(f"{label} tidak boleh setelah hari ini.", field=name)
    return value


def _event_id(value) -> int | None:
    number = inputs.whole_number(value, "event_id", "Kejadian bencana")
    if number is None:
        return None
    if db.session.get(Event, number) is None:
        raise NotFound(f"Kejadian bencana #{number} tidak ditemukan.", field="event_id")
    return number


def _names(values: Mapping) -> dict:
    return {
        "giver_name": inputs.text(values.get("giver_name"), "giver_name", "Nama penyerah", 160),
        "receiver_name": inputs.text(
            values.get("receiver_name"), "receiver_name", "Nama penerima", 160
        ),
        "note": inputs.text(values.get("note"), "note", "Catatan", 2000),
    }


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


def _counted(item: Item, value, field: str) -> Decimal:
    """A counted quantity: zero or a valid quantity."""
    if isinstance(value, str) and value.strip() in ("0", "0,0", "0.0"):
        return ZERO
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value == 0:
        return ZERO
    return ledger.quantity(item, value, field)


def _issue_lines(warehouse: Warehouse, values: Mapping) -> list[dict]:
    """Lines to take out: item, quantity, optional lot of that item, optional expired reason."""
    parsed = []
    for number, line in enumerate(_lines(values)):
        prefix = f"lines[{number}]."
        item = ledger.get_item(line.get("item_id"), prefix + "item_id")
        lot = None
        if not inputs.is_blank(line.get("lot_id")):
            lot = ledger.get_lot(line.get("lot_id"), warehouse, item, prefix + "lot_id")
        reason = inputs.text(
            line.get("expired_reason"), prefix + "expired_reason", "Alasan lot kedaluwarsa", 255
        )
        amount = ledger.quantity(item, line.get("quantity"), prefix + "quantity")
        parsed.append({"item": item, "lot": lot, "quantity": amount, "reason": reason or None})
    return parsed


# --- idempotent submission -------------------------------------------------------------------


def _by_item(pairs) -> list:
    totals: dict = defaultdict(Decimal)
    for key, amount in pairs:
        totals[key] += Decimal(amount)
    return sorted((key, str(amount.normalize())) for key, amount in totals.items() if amount)


def _header(document: StockDocument) -> tuple:
    return (
        document.kind,
        document.warehouse_id,
        document.to_warehouse_id,
        document.shelter_id,
        document.kelurahan_code,
        document.event_id,
        document.doc_date,
        document.source,
        document.reason,
    )


def _stored_lines(document: StockDocument) -> list:
    """The lines of a saved document in the same form `_replay` receives them from a request."""
    if document.kind == "receipt":
        return _by_item(
            ((m.item_id, m.lot.lot_code, m.lot.expiry_date), m.quantity) for m in document.movements
        )
    if document.kind == "opname":
        rows = db.session.scalars(
            select(StockCountLine).where(StockCountLine.document_id == document.id)
        )
        return sorted((row.lot_id, str(row.counted_quantity.normalize())) for row in rows)
    if document.kind == "adjustment":
        return _by_item((m.lot_id, m.quantity) for m in document.movements)
    outgoing = ("dispatch", "transfer_out")
    return _by_item((m.item_id, -m.quantity) for m in document.movements if m.kind in outgoing)


def _replay(client_id: str | None, header: tuple, lines: list) -> StockDocument | None:
    """The document an earlier request with this client_id saved, if the content is the same."""
    if client_id is None:
        return None
    document = db.session.scalar(select(StockDocument).where(StockDocument.client_id == client_id))
    if document is None:
        return None
    if _header(document) != header or _stored_lines(document) != lines:
        raise Conflict(
            f"client_id '{client_id}' sudah dipakai dokumen {document.number} dengan isi lain; "
            "gunakan client_id baru untuk dokumen baru.",
            field="client_id",
            details={"document_id": document.id},
        )
    return document


def submit(action: Callable[[Mapping], tuple[StockDocument, bool]], values: Mapping):
    """Run `action` in one transaction: (document, created). A retry racing its first copy
    fails on the unique client_id and is answered with the copy that was saved."""
    if not isinstance(values, Mapping):
        raise DomainError("Badan permintaan harus berupa objek JSON.")
    for attempt in range(2):
        try:
            with transaction():
                return action(values)
        except IntegrityError:
            if attempt or inputs.client_id(values.get("client_id")) is None:
                raise
    raise AssertionError("unreachable")


def _new_document(kind: str, doc_date: date, client_id: str | None, **fields) -> StockDocument:
    document = StockDocument(
        kind=kind,
        number=bast.next_number(doc_date),
        doc_date=doc_date,
        client_id=client_id,
        created_by_id=_user_id(),
        **fields,
    )
    db.session.add(document)
    return document


# --- documents -------------------------------------------------------------------------------


def record_receipt(values: Mapping) -> tuple[StockDocument, bool]:
    """Goods received into a warehouse from a source (APBD, Kemensos, CSR, ...), lot by lot."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    source = values.get("source")
    if source not in RECEIPT_SOURCES:
        raise DomainError(
            f"Sumber barang wajib dipilih dari: {', '.join(RECEIPT_SOURCES.values())}.",
            field="source",
        )
    doc_date = _doc_date(values)
    event_id = _event_id(values.get("event_id"))
    client_id = inputs.client_id(values.get("client_id"))
    source_document = inputs.text(
        values.get("source_document"), "source_document", "Nomor dokumen pemasok", 80
    )
    lines = []
    for number, line in enumerate(_lines(values)):
        prefix = f"lines[{number}]."
        item = ledger.get_item(line.get("item_id"), prefix + "item_id")
        lot_code = inputs.text(line.get("lot_code"), prefix + "lot_code", "Kode lot", 40)
        expiry = inputs.day(line.get("expiry_date"), prefix + "expiry_date", "Tanggal kedaluwarsa")
        if item.expires and expiry is None:
            raise DomainError(
                f"{item.name} memiliki tanggal kedaluwarsa; isi tanggalnya.",
                field=prefix + "expiry_date",
            )
        if not item.expires:
            expiry = None
        amount = ledger.quantity(item, line.get("quantity"), prefix + "quantity")
        lines.append((item, lot_code, expiry, amount))
    header = ("receipt", warehouse.id, None, None, None, event_id, doc_date, source, None)
    signature = _by_item(((i.id, code, exp), amount) for i, code, exp, amount in lines)
    if (existing := _replay(client_id, header, signature)) is not None:
        return existing, False
    document = _new_document(
        "receipt",
        doc_date,
        client_id,
        warehouse_id=warehouse.id,
        event_id=event_id,
        source=source,
        source_document=source_document,
        **_names(values),
    )
    for item, lot_code, expiry, amount in lines:
        lot = ledger.find_or_create_lot(warehouse, item, lot_code, expiry, doc_date)
        ledger.put(lot, amount, "receipt", document=document)
    db.session.flush()
    return document, True


def _destination(values: Mapping) -> tuple[int | None, str]:
    shelter_id = inputs.whole_number(values.get("shelter_id"), "shelter_id", "Tempat pengungsian")
    code = values.get("kelurahan_code")
    if shelter_id is not None:
        shelter = db.session.get(Shelter, shelter_id)
        if shelter is None:
            raise NotFound(f"Tempat pengungsian #{shelter_id} tidak ditemukan.", field="shelter_id")
        if not inputs.is_blank(code) and code.strip() != shelter.kelurahan_code:
            raise DomainError(
                f"{shelter.name} berada di kelurahan {shelter.kelurahan_code}, bukan {code}.",
                field="kelurahan_code",
            )
        return shelter.id, shelter.kelurahan_code
    if inputs.is_blank(code):
        raise DomainError(
            "Pilih tujuan pengiriman: tempat pengungsian atau kelurahan (posko).",
            field="shelter_id",
        )
    if not isinstance(code, str):
        raise DomainError("Kode kelurahan/desa harus berupa teks.", field="kelurahan_code")
    return None, require_kelurahan(code).code


def _take_lines(warehouse: Warehouse, lines: list[dict], kind: str, document: StockDocument):
    for line in lines:
        ledger.issue(
            warehouse,
            line["item"],
            line["quantity"],
            kind,
            lot=line["lot"],
            expired_reason=line["reason"],
            document=document,
        )


def record_dispatch(values: Mapping) -> tuple[StockDocument, bool]:
    """Goods sent from a warehouse to a shelter or a kelurahan posko: they leave the ledger."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    shelter_id, kelurahan_code = _destination(values)
    doc_date = _doc_date(values)
    event_id = _event_id(values.get("event_id"))
    client_id = inputs.client_id(values.get("client_id"))
    lines = _issue_lines(warehouse, values)
    header = ("dispatch", warehouse.id, None, shelter_id, kelurahan_code, event_id, doc_date)
    header += (None, None)
    signature = _by_item((line["item"].id, line["quantity"]) for line in lines)
    if (existing := _replay(client_id, header, signature)) is not None:
        return existing, False
    document = _new_document(
        "dispatch",
        doc_date,
        client_id,
        warehouse_id=warehouse.id,
        shelter_id=shelter_id,
        kelurahan_code=kelurahan_code,
        event_id=event_id,
        **_names(values),
    )
    _take_lines(warehouse, lines, "dispatch", document)
    db.session.flush()
    return document, True


def send_transfer(values: Mapping) -> tuple[StockDocument, bool]:
    """Goods leave one warehouse for another; they are in transit until the other receives them."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    destination = ledger.get_warehouse(values.get("to_warehouse_id"), "to_warehouse_id")
    if destination.id == warehouse.id:
        raise DomainError("Gudang tujuan harus berbeda dari gudang asal.", field="to_warehouse_id")
    doc_date = _doc_date(values)
    event_id = _event_id(values.get("event_id"))
    client_id = inputs.client_id(values.get("client_id"))
    lines = _issue_lines(warehouse, values)
    header = ("transfer", warehouse.id, destination.id, None, None, event_id, doc_date, None, None)
    signature = _by_item((line["item"].id, line["quantity"]) for line in lines)
    if (existing := _replay(client_id, header, signature)) is not None:
        return existing, False
    document = _new_document(
        "transfer",
        doc_date,
        client_id,
        warehouse_id=warehouse.id,
        to_warehouse_id=destination.id,
        event_id=event_id,
        status="in_transit",
        **_names(values),
    )
    _take_lines(warehouse, lines, "transfer_out", document)
    db.session.flush()
    return document, True


def get_document(document_id: int) -> StockDocument:
    document = db.session.get(StockDocument, document_id)
    if document is None:
        raise NotFound(f"Dokumen stok #{document_id} tidak ditemukan.")
    return document


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
        amount = _counted(movement.item, line.get("quantity"), prefix + "quantity")
        if amount > -movement.quantity:
            raise DomainError(
                f"Jumlah diterima {movement.item.name} ({amount.normalize():f}) melebihi yang "
                f"dikirim ({(-movement.quantity).normalize():f}).",
                field=prefix + "quantity",
            )
        arrived[line_id] = amount
    return arrived


def receive_transfer(document_id: int, values: Mapping) -> tuple[StockDocument, bool]:
    """The destination records what arrived; lots are re-created there with the same code and
    expiry. A second receipt is refused (a retry with the same client_id and content is not)."""
    document = get_document(document_id)
    if document.kind != "transfer":
        raise DomainError(f"Dokumen {document.number} bukan transfer antar gudang.")
    received_on = _doc_date(values, "received_on", "Tanggal diterima")
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
    document.received_by_id = _user_id()
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


def record_adjustment(values: Mapping) -> tuple[StockDocument, bool]:
    """A decision to change lot balances with a reason (damaged, expired, lost, count difference)."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    reason = values.get("reason")
    if reason not in ADJUSTMENT_REASONS:
        raise DomainError(
            f"Alasan penyesuaian wajib dipilih dari: {', '.join(ADJUSTMENT_REASONS.values())}.",
            field="reason",
        )
    doc_date = _doc_date(values)
    client_id = inputs.client_id(values.get("client_id"))
    lines = []
    for number, line in enumerate(_lines(values)):
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
    signature = _by_item((lot.id, change) for lot, change in lines)
    if (existing := _replay(client_id, header, signature)) is not None:
        return existing, False
    document = _new_document(
        "adjustment",
        doc_date,
        client_id,
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


def record_count(values: Mapping) -> tuple[StockDocument, bool]:
    """A stock opname: counted quantities per lot; each difference becomes an adjustment."""
    warehouse = ledger.get_warehouse(values.get("warehouse_id"))
    doc_date = _doc_date(values)
    client_id = inputs.client_id(values.get("client_id"))
    counted: dict[int, tuple[StockLot, Decimal]] = {}
    for number, line in enumerate(_lines(values)):
        prefix = f"lines[{number}]."
        lot = _lot_in(warehouse, line.get("lot_id"), prefix + "lot_id")
        if lot.id in counted:
            raise DomainError(
                f"Lot {ledger.lot_label(lot)} tercatat dua kali.", field=prefix + "lot_id"
            )
        counted[lot.id] = (lot, _counted(lot.item, line.get("counted"), prefix + "counted"))
    header = ("opname", warehouse.id, None, None, None, None, doc_date, None, "selisih_opname")
    signature = sorted((lot_id, str(amount.normalize())) for lot_id, (_, amount) in counted.items())
    if (existing := _replay(client_id, header, signature)) is not None:
        return existing, False
    # The BAST number takes the write lock (SQLite) before the balances are read; on PostgreSQL
    # the lots are locked, so the system quantity is the one at the moment of submitting.
    document = _new_document(
        "opname",
        doc_date,
        client_id,
        warehouse_id=warehouse.id,
        reason="selisih_opname",
        note=inputs.text(values.get("note"), "note", "Catatan", 2000),
        **{k: v for k, v in _names(values).items() if k != "note"},
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


# --- lists and reports -----------------------------------------------------------------------


def list_documents(
    *,
    kind: str | None = None,
    warehouse_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = DOCUMENTS_PER_PAGE,
) -> tuple[list[StockDocument], int]:
    """(documents newest first, total) filtered by kind, warehouse (either side) and date."""
    if kind and kind not in DOCUMENT_KINDS:
        raise DomainError(f"Jenis dokumen '{kind}' tidak dikenal.", field="kind")
    conditions = []
    if kind:
        conditions.append(StockDocument.kind == kind)
    if warehouse_id:
        conditions.append(
            or_(
                StockDocument.warehouse_id == warehouse_id,
                StockDocument.to_warehouse_id == warehouse_id,
            )
        )
    if date_from:
        conditions.append(StockDocument.doc_date >= date_from)
    if date_to:
        conditions.append(StockDocument.doc_date <= date_to)
    total = db.session.scalar(select(func.count(StockDocument.id)).where(*conditions))
    rows = db.session.scalars(
        select(StockDocument)
        .where(*conditions)
        .order_by(StockDocument.doc_date.desc(), StockDocument.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total


@dataclass
class CardRow:
    movement_id: int
    day: date
    kind: str
    document_id: int | None
    number: str
    lot: str
    quantity_in: Decimal
    quantity_out: Decimal
    balance: Decimal


@dataclass
class StockCard:
    warehouse: Warehouse
    item: Item
    page: int
    pages: int
    total: int
    balance: Decimal
    rows: list[CardRow] = field(default_factory=list)
    lots: list[StockLot] = field(default_factory=list)


def stock_card(warehouse_id: int, item_id: int, page: int = 1, per_page: int = 100) -> StockCard:
    """The kartu stok of one item in one warehouse, newest first, with the running balance.

    One page of movements comes through the (warehouse, item, id) index; its opening balance is
    one SUM over the older movements, so a card of 100,000 lines costs two indexed queries.
    """
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"Gudang #{warehouse_id} tidak ditemukan.", field="warehouse_id")
    item = db.session.get(Item, item_id)
    if item is None:
        raise NotFound(f"Barang #{item_id} tidak ada di katalog.", field="item_id")
    mine = and_(StockMovement.warehouse_id == warehouse_id, StockMovement.item_id == item_id)
    total = db.session.scalar(select(func.count(StockMovement.id)).where(mine))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        select(
            StockMovement.id,
            StockMovement.kind,
            StockMovement.quantity,
            StockMovement.created_at,
            StockDocument.id,
            StockDocument.number,
            StockDocument.doc_date,
            Distribution.id,
            Distribution.distributed_on,
            StockLot.lot_code,
            StockLot.expiry_date,
        )
        .join(StockLot, StockLot.id == StockMovement.lot_id)
        .outerjoin(StockDocument, StockDocument.id == StockMovement.document_id)
        .outerjoin(Distribution, Distribution.id == StockMovement.distribution_id)
        .where(mine)
        .order_by(StockMovement.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    found = db.session.execute(query).all()
    balance = Decimal(
        str(
            db.session.scalar(
                select(func.coalesce(func.sum(StockLot.quantity), 0)).where(
                    StockLot.warehouse_id == warehouse_id, StockLot.item_id == item_id
                )
            )
        )
    )
    running = ZERO
    if found:
        opening = db.session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                mine, StockMovement.id < found[-1][0]
            )
        )
        running = Decimal(str(opening)) + sum((Decimal(r[2]) for r in found), ZERO)
    rows = []
    for row in found:
        (movement_id, kind, amount, created, doc_id, number, doc_date) = row[:7]
        (dist_id, dist_on, lot_code, expiry) = row[7:]
        amount = Decimal(amount)
        label = lot_code or "tanpa kode"
        rows.append(
            CardRow(
                movement_id=movement_id,
                day=doc_date or dist_on or office_date(created),
                kind=kind,
                document_id=doc_id,
                number=number or (f"Penyaluran #{dist_id}" if dist_id else ""),
                lot=f"{label} (ED {expiry.isoformat()})" if expiry else label,
                quantity_in=amount if amount > 0 else ZERO,
                quantity_out=-amount if amount < 0 else ZERO,
                balance=running.quantize(Decimal("0.001")).normalize(),
            )
        )
        running -= amount
    lots = list(
        db.session.scalars(
            select(StockLot)
            .where(StockLot.warehouse_id == warehouse_id, StockLot.item_id == item_id)
            .order_by(StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)
        )
    )
    return StockCard(warehouse, item, page, pages, total, balance, rows, lots)


@dataclass
class ItemStock:
    item: Item
    balance: Decimal = ZERO
    issuable: Decimal = ZERO
    expired: Decimal = ZERO
    lots: list[StockLot] = field(default_factory=list)


def warehouse_stock(warehouse_id: int, today: date | None = None) -> list[ItemStock]:
    """Per item in a warehouse: balance, what can be issued (not expired), what has expired."""
    today = today or office_today()
    lots = db.session.scalars(
        select(StockLot)
        .join(Item, Item.id == StockLot.item_id)
        .where(StockLot.warehouse_id == warehouse_id, StockLot.quantity > 0)
        .order_by(Item.name, StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)
    )
    summary: dict[int, ItemStock] = {}
    for lot in lots:
        row = summary.setdefault(lot.item_id, ItemStock(lot.item))
        row.balance += lot.quantity
        if lot.expiry_date is not None and lot.expiry_date < today:
            row.expired += lot.quantity
        else:
            row.issuable += lot.quantity
        row.lots.append(lot)
    return list(summary.values())


def expiring_lots(
    days: int = 30, warehouse_id: int | None = None, today: date | None = None
) -> list[StockLot]:
    """Lots still in stock that expire between today and `days` days from now, soonest first."""
    today = today or office_today()
    query = select(StockLot).where(
        StockLot.quantity > 0,
        StockLot.expiry_date >= today,
        StockLot.expiry_date <= today + timedelta(days=days),
    )
    if warehouse_id:
        query = query.where(StockLot.warehouse_id == warehouse_id)
    return list(db.session.scalars(query.order_by(StockLot.expiry_date, StockLot.id)))


def semester_bounds(year: int, half: int) -> tuple[date, date]:
    """Semester 1 is January-June, semester 2 July-December."""
    if half not in (1, 2):
        raise DomainError(
            "Semester harus 1 (Januari-Juni) atau 2 (Juli-Desember).", field="semester"
        )
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )


def _six_months_after(day: date) -> date:
    month = day.month + 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class ExpiryCheck:
    year: int
    half: int
    start: date
    end: date
    today: date
    horizon: date
    expiring: list[StockLot]
    expired: list[StockLot]
    write_offs: list[StockMovement]


def expiry_check(
    year: int, half: int, warehouse_id: int | None = None, today: date | None = None
) -> ExpiryCheck:
    """The six-monthly expiry check: lots expiring in the next six months, expired lots still
    in stock (balances as of today), and the 'kedaluwarsa' adjustments made in the semester."""
    start, end = semester_bounds(year, half)
    today = today or office_today()
    horizon = _six_months_after(today)
    in_stock = [StockLot.quantity > 0]
    if warehouse_id:
        in_stock.append(StockLot.warehouse_id == warehouse_id)
    order = (StockLot.expiry_date, StockLot.warehouse_id, StockLot.id)
    expiring = db.session.scalars(
        select(StockLot)
        .where(*in_stock, StockLot.expiry_date >= today, StockLot.expiry_date <= horizon)
        .order_by(*order)
    )
    expired = db.session.scalars(
        select(StockLot).where(*in_stock, StockLot.expiry_date < today).order_by(*order)
    )
    write_offs = select(StockMovement).join(
        StockDocument, StockDocument.id == StockMovement.document_id
    )
    write_offs = write_offs.where(
        StockMovement.kind == "adjustment",
        StockDocument.reason == "kedaluwarsa",
        StockDocument.doc_date >= start,
        StockDocument.doc_date <= end,
    )
    if warehouse_id:
        write_offs = write_offs.where(StockMovement.warehouse_id == warehouse_id)
    return ExpiryCheck(
        year,
        half,
        start,
        end,
        today,
        horizon,
        list(expiring),
        list(expired),
        list(db.session.scalars(write_offs.order_by(StockMovement.id))),
    )


def lines_of(document: StockDocument) -> list[StockMovement]:
    return list(document.movements)
