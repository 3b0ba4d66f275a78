"""Stock documents: parsing their lines, idempotent submission, receipts, dispatches and lists."""

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.scope import OUT_OF_SCOPE, WHOLE_OFFICE, Scope
from logistics.core.time import office_today
from logistics.core.wording import istilah
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock import bast, ledger, warehouses, wilayah
from logistics.stock.models import (
    Item,
    StockCountLine,
    StockDocument,
    Warehouse,
)
from logistics.stock.models.ledger import DOCUMENT_KINDS, RECEIPT_SOURCES

MAX_LINES = 200
DOCUMENTS_PER_PAGE = 50
ZERO = Decimal(0)


# --- parsing ---------------------------------------------------------------------------------


def request_lines(values: Mapping) -> list[Mapping]:
    lines = values.get("lines")
    if not isinstance(lines, list) or not lines:
        raise DomainError("Isi paling sedikit satu baris barang.", field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(f"Paling banyak {MAX_LINES} baris dalam satu dokumen.", field="lines")
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, Mapping):
            raise DomainError(f"Baris {number} harus berupa objek.", field="lines")
    return lines


def document_date(values: Mapping, name: str = "doc_date", label: str = "Tanggal dokumen") -> date:
    today = office_today()
    value = inputs.day(values.get(name), name, label) or today
    if value > today:
        raise DomainError(f"{label} tidak boleh setelah hari ini.", field=name)
    return value


def checked_event_id(value) -> int | None:
    number = inputs.whole_number(value, "event_id", "Kejadian bencana")
    if number is None:
        return None
    if db.session.get(Event, number) is None:
        raise NotFound(f"Kejadian bencana #{number} tidak ditemukan.", field="event_id")
    return number


def hand_over_names(values: Mapping) -> dict:
    return {
        "giver_name": inputs.text(values.get("giver_name"), "giver_name", "Nama penyerah", 160),
        "receiver_name": inputs.text(
            values.get("receiver_name"), "receiver_name", "Nama penerima", 160
        ),
        "note": inputs.text(values.get("note"), "note", "Catatan", 2000),
    }


def counted_quantity(item: Item, value, field: str) -> Decimal:
    """A counted quantity: zero or a valid quantity."""
    if isinstance(value, str) and value.strip() in ("0", "0,0", "0.0"):
        return ZERO
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value == 0:
        return ZERO
    return ledger.quantity(item, value, field)


def _line_item(line: Mapping, prefix: str, errors: Collector) -> Item | None:
    """The item of a line; when it is refused, a missing quantity is named too (the quantity's
    own check needs the item's unit)."""
    item = errors.check(ledger.get_item, line.get("item_id"), prefix + "item_id")
    if item is None and inputs.is_blank(line.get("quantity")):
        errors.add(DomainError("Jumlah wajib diisi.", field=prefix + "quantity"))
    return item


def _issue_line(warehouse: Warehouse | None, line: Mapping, prefix: str, errors: Collector):
    item = _line_item(line, prefix, errors)
    reason = errors.check(
        inputs.text,
        line.get("expired_reason"),
        prefix + "expired_reason",
        "Alasan lot kedaluwarsa",
        255,
    )
    if item is None:
        return None
    lot = None
    if warehouse is not None and not inputs.is_blank(line.get("lot_id")):
        lot = errors.check(ledger.get_lot, line.get("lot_id"), warehouse, item, prefix + "lot_id")
    amount = errors.check(ledger.quantity, item, line.get("quantity"), prefix + "quantity")
    return {"item": item, "lot": lot, "quantity": amount, "reason": reason or None}


def issue_lines(warehouse: Warehouse | None, values: Mapping, errors: Collector) -> list[dict]:
    """Lines to take out: item, quantity, optional lot of that item, optional expired reason.

    Every line is checked and each refusal kept in `errors` with its line's field, so the page
    shows them beside their rows together; `warehouse` is None when it was refused itself."""
    lines = errors.check(request_lines, values) or []
    parsed = [
        _issue_line(warehouse, line, f"lines[{number}].", errors)
        for number, line in enumerate(lines)
    ]
    return [line for line in parsed if line is not None]


# --- idempotent submission -------------------------------------------------------------------


def by_item(pairs) -> list:
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
        return by_item(
            ((m.item_id, m.lot.lot_code, m.lot.expiry_date), m.quantity) for m in document.movements
        )
    if document.kind == "opname":
        rows = db.session.scalars(
            select(StockCountLine).where(StockCountLine.document_id == document.id)
        )
        return sorted((row.lot_id, str(row.counted_quantity.normalize())) for row in rows)
    if document.kind == "adjustment":
        return by_item((m.lot_id, m.quantity) for m in document.movements)
    outgoing = ("dispatch", "transfer_out")
    return by_item((m.item_id, -m.quantity) for m in document.movements if m.kind in outgoing)


def replay(client_id: str | None, header: tuple, lines: list) -> StockDocument | None:
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


def submit(action: Callable[..., tuple[StockDocument, bool]], values: Mapping, actor=None):
    """Run `action(values, actor)`: (document, created). The caller commits (`transaction()`).

    Call it first in its transaction: a retry racing its first copy fails on the unique
    client_id, is rolled back and runs once more, and is then answered with the copy that was saved.
    """
    if not isinstance(values, Mapping):
        raise DomainError("Badan permintaan harus berupa objek JSON.")
    for attempt in range(2):
        try:
            return action(values, actor)
        except IntegrityError:
            if attempt or inputs.client_id(values.get("client_id")) is None:
                raise
            # The racing copy is committed; a fresh transaction lets the replay find it.
            db.session.rollback()
    raise AssertionError("unreachable")


def new_document(
    kind: str, doc_date: date, client_id: str | None, actor=None, **fields
) -> StockDocument:
    """A numbered document made by `actor` (the signed-in user, or None for the system)."""
    document = StockDocument(
        kind=kind,
        number=bast.next_number(doc_date),
        doc_date=doc_date,
        client_id=client_id,
        created_by_id=getattr(actor, "id", None),
        **fields,
    )
    db.session.add(document)
    return document


# --- documents -------------------------------------------------------------------------------


def _receipt_line(line: Mapping, prefix: str, errors: Collector) -> tuple | None:
    """(item, lot code, expiry, quantity) of one received line; refusals go to `errors`."""
    item = _line_item(line, prefix, errors)
    lot_code = errors.check(inputs.text, line.get("lot_code"), prefix + "lot_code", "Kode lot", 40)
    expiry = errors.check(
        inputs.day, line.get("expiry_date"), prefix + "expiry_date", "Tanggal kedaluwarsa"
    )
    if item is None:
        return None
    if item.expires and expiry is None and not errors.errors_for(prefix + "expiry_date"):
        errors.add(
            DomainError(
                f"{item.name} memiliki tanggal kedaluwarsa; isi tanggalnya.",
                field=prefix + "expiry_date",
            )
        )
    amount = errors.check(ledger.quantity, item, line.get("quantity"), prefix + "quantity")
    return (item, lot_code, expiry if item.expires else None, amount)


def record_receipt(values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """Goods received into a warehouse from a source (APBD, Kemensos, CSR, ...), lot by lot."""
    errors = Collector()
    warehouse = errors.check(ledger.get_warehouse, values.get("warehouse_id"))
    wilayah.require_records(wilayah.actor_scope(actor), warehouse)
    source = errors.check(
        inputs.choice, values.get("source"), RECEIPT_SOURCES, "source", "Sumber barang"
    )
    doc_date = errors.check(document_date, values)
    event_id = errors.check(checked_event_id, values.get("event_id"))
    client_id = errors.check(inputs.client_id, values.get("client_id"))
    source_document = errors.check(
        inputs.text, values.get("source_document"), "source_document", "Nomor dokumen pemasok", 80
    )
    lines = [
        _receipt_line(line, f"lines[{number}].", errors)
        for number, line in enumerate(errors.check(request_lines, values) or [])
    ]
    errors.raise_any()
    header = ("receipt", warehouse.id, None, None, None, event_id, doc_date, source, None)
    signature = by_item(((i.id, code, exp), amount) for i, code, exp, amount in lines)
    if (existing := replay(client_id, header, signature)) is not None:
        return existing, False
    document = new_document(
        "receipt",
        doc_date,
        client_id,
        actor,
        warehouse_id=warehouse.id,
        event_id=event_id,
        source=source,
        source_document=source_document,
        **hand_over_names(values),
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
                f"{shelter.name} berada di {istilah('wilayah')} {shelter.kelurahan_code}, bukan {code}.",
                field="kelurahan_code",
            )
        return shelter.id, shelter.kelurahan_code
    if inputs.is_blank(code):
        raise DomainError(
            f"Pilih tujuan pengiriman: tempat pengungsian atau {istilah('wilayah')} (posko).",
            field="shelter_id",
        )
    if not isinstance(code, str):
        raise DomainError(f"Kode {istilah('wilayah')} harus berupa teks.", field="kelurahan_code")
    return None, require_kelurahan(code).code


def take_lines(warehouse: Warehouse, lines: list[dict], kind: str, document: StockDocument):
    for line in lines:
        ledger.issue(
            warehouse,
            line["item"],
            line["quantity"],
            kind,
            lot=line["lot"],
            expired_reason=line["reason"],
            today=document.doc_date,
            document=document,
        )


def record_dispatch(values: Mapping, actor=None) -> tuple[StockDocument, bool]:
    """Goods sent from a warehouse to a shelter or a kelurahan posko: they leave the ledger."""
    errors = Collector()
    warehouse = errors.check(ledger.get_warehouse, values.get("warehouse_id"))
    scope = wilayah.actor_scope(actor)
    wilayah.require_records(scope, warehouse)
    shelter_id, kelurahan_code = errors.check(_destination, values) or (None, None)
    if kelurahan_code and not scope.sees(kelurahan_code):
        # Goods go only to a place within the sender's sight (a provinsi user sees every
        # kab/kota; a kab/kota operator only their own).
        raise Forbidden(OUT_OF_SCOPE.format(codes=", ".join(scope.see)), field="kelurahan_code")
    doc_date = errors.check(document_date, values)
    event_id = errors.check(checked_event_id, values.get("event_id"))
    client_id = errors.check(inputs.client_id, values.get("client_id"))
    lines = issue_lines(warehouse, values, errors)
    errors.raise_any()
    header = ("dispatch", warehouse.id, None, shelter_id, kelurahan_code, event_id, doc_date)
    header += (None, None)
    signature = by_item((line["item"].id, line["quantity"]) for line in lines)
    if (existing := replay(client_id, header, signature)) is not None:
        return existing, False
    document = new_document(
        "dispatch",
        doc_date,
        client_id,
        actor,
        warehouse_id=warehouse.id,
        shelter_id=shelter_id,
        kelurahan_code=kelurahan_code,
        event_id=event_id,
        **hand_over_names(values),
    )
    take_lines(warehouse, lines, "dispatch", document)
    db.session.flush()
    return document, True


def get_document(document_id: int) -> StockDocument:
    document = db.session.get(StockDocument, document_id)
    if document is None:
        raise NotFound(f"Dokumen stok #{document_id} tidak ditemukan.")
    return document


def destination_label(document: StockDocument) -> str:
    """Where the goods of a document went: a warehouse, a shelter or a kelurahan posko."""
    if document.to_warehouse is not None:
        return document.to_warehouse.name
    if document.shelter_id:
        shelter = db.session.get(Shelter, document.shelter_id)
        return shelter.name if shelter else f"Tempat pengungsian #{document.shelter_id}"
    if document.kelurahan_code:
        name = warehouses.kelurahan_name(document.kelurahan_code)
        return f"Posko {name}" if name else document.kelurahan_code
    return ""


def document_event(document: StockDocument) -> Event | None:
    return db.session.get(Event, document.event_id) if document.event_id else None


# --- lists -----------------------------------------------------------------------------------


def list_documents(
    *,
    kind: str | None = None,
    warehouse_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = DOCUMENTS_PER_PAGE,
    scope: Scope = WHOLE_OFFICE,
) -> tuple[list[StockDocument], int]:
    """(documents newest first, total) filtered by kind, warehouse (either side) and date,
    within the scope (`wilayah.narrow_documents`)."""
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
    counted = wilayah.narrow_documents(select(func.count(StockDocument.id)), scope)
    total = db.session.scalar(counted.where(*conditions))
    rows = db.session.scalars(
        wilayah.narrow_documents(select(StockDocument), scope)
        .where(*conditions)
        .order_by(StockDocument.doc_date.desc(), StockDocument.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total
