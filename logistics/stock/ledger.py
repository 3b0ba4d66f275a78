"""Ledger primitives: quantities, lots, and the only two ways stock changes (put in, take out).

Every change of a lot's balance is one conditional UPDATE plus one appended movement in the same
transaction. Taking stock runs `UPDATE ... WHERE quantity >= :q`: on PostgreSQL the row lock makes a
second taker wait and re-check, on SQLite the write lock serialises takers, so two people
dispatching the last boxes at the same moment can never drive a lot below zero.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import bindparam, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from logistics.core import inputs
from logistics.core.audit import current_actor
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import angka, tanggal
from logistics.core.time import office_today, utcnow
from logistics.stock.models import Item, StockLot, StockMovement, Warehouse

# More than this in one line is a typing error, not a delivery (1,000,000 kg of beras).
MAX_LINE_QUANTITY = Decimal(1_000_000)
# Balances are kept to grams/millilitres; rounding in SQL keeps SQLite's floats exact enough.
PLACES = 3


def quantity(item: Item, value, field: str = "quantity", maximum: Decimal | None = None) -> Decimal:
    """A positive quantity of `item`: whole for whole-unit items, at most `maximum`."""
    limit = MAX_LINE_QUANTITY if maximum is None else maximum
    if inputs.is_blank(value) or isinstance(value, bool):
        raise DomainError(f"Jumlah {item.name} wajib diisi.", field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            f"Jumlah {item.name} harus berupa angka, bukan '{value}'.", field=field
        ) from None
    if not number.is_finite() or number <= 0:
        raise DomainError(f"Jumlah {item.name} harus lebih dari nol.", field=field)
    if item.whole_units and number != number.to_integral_value():
        raise DomainError(
            f"{item.name} dihitung per {item.unit} utuh; jumlah tidak boleh pecahan ({value}).",
            field=field,
        )
    if number != number.quantize(Decimal(1).scaleb(-PLACES)):
        raise DomainError(f"Jumlah {item.name} paling banyak 3 angka desimal.", field=field)
    if number > limit:
        raise DomainError(
            f"Jumlah {angka(number)} {item.unit} {item.name} tidak wajar; "
            f"paling banyak {angka(limit)} per baris. Periksa kembali angkanya.",
            field=field,
        )
    return number


def get_item(value, field: str = "item_id") -> Item:
    """An active catalogue item by id or code."""
    if inputs.is_blank(value):
        raise DomainError("Barang wajib dipilih.", field=field)
    item = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        item = db.session.get(Item, int(value))
    elif isinstance(value, str) and value.strip():
        item = db.session.scalar(select(Item).where(Item.code == value.strip().lower()))
    if item is None or not item.active:
        raise NotFound(f"Barang '{value}' tidak ada di katalog.", field=field)
    return item


def get_warehouse(value, field: str = "warehouse_id", label: str = "Gudang") -> Warehouse:
    """An active warehouse by id or code."""
    if inputs.is_blank(value):
        raise DomainError(f"{label} wajib dipilih.", field=field)
    warehouse = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        warehouse = db.session.get(Warehouse, int(value))
    elif isinstance(value, str) and value.strip():
        code = value.strip().upper()
        warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None or not warehouse.active:
        raise NotFound(f"{label} '{value}' tidak ditemukan atau tidak aktif.", field=field)
    return warehouse


def get_lot(value, warehouse: Warehouse, item: Item, field: str = "lot_id") -> StockLot:
    """A lot of `item` held in `warehouse`."""
    number = inputs.whole_number(value, field, "Lot")
    lot = db.session.get(StockLot, number) if number is not None else None
    if lot is None or lot.warehouse_id != warehouse.id or lot.item_id != item.id:
        raise NotFound(f"Lot #{value} {item.name} tidak ada di {warehouse.name}.", field=field)
    return lot


def find_or_create_lot(
    warehouse: Warehouse, item: Item, lot_code: str, expiry: date | None, received_on: date
) -> StockLot:
    """The lot of this code and expiry in the warehouse, created empty when new."""
    if item.expires and expiry is None:
        raise DomainError(
            f"{item.name} memiliki tanggal kedaluwarsa; isi tanggalnya.", field="expiry"
        )
    condition = StockLot.expiry_date.is_(None) if expiry is None else StockLot.expiry_date == expiry
    query = select(StockLot).where(
        StockLot.warehouse_id == warehouse.id,
        StockLot.item_id == item.id,
        StockLot.lot_code == lot_code,
        condition,
    )
    lot = db.session.scalar(query)
    if lot is not None:
        return lot
    lot = StockLot(
        warehouse_id=warehouse.id,
        item_id=item.id,
        lot_code=lot_code,
        expiry_date=expiry,
        quantity=Decimal(0),
        received_on=received_on,
    )
    try:
        # A savepoint, so a lot created at the same moment by someone else is simply reused.
        # (On SQLite, a savepoint opened before any write commits on release: at worst an
        # empty lot is kept, which changes no balance.)
        with db.session.begin_nested():
            db.session.add(lot)
    except IntegrityError:
        lot = db.session.scalar(query)
    return lot


# The statements of taking stock and listing a lot's FEFO order, built once per process: a
# hand-out runs each of them, and building one costs more than running it on SQLite.
_lots = StockLot.__table__
_amount = bindparam("amount", type_=_lots.c.quantity.type)
_TAKE = (
    update(_lots)
    .where(
        _lots.c.id == bindparam("lot_id"),
        func.round(_lots.c.quantity - _amount, PLACES) >= 0,
    )
    .values(quantity=func.round(_lots.c.quantity - _amount, PLACES))
)
_INSERT_MOVEMENT = insert(StockMovement.__table__)
# First expiry first out: earliest expiry (lots that never expire last), then oldest receipt.
_FEFO = (StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.received_on, StockLot.id)
_LOTS_IN_STOCK = (
    select(StockLot)
    # Item and warehouse are only needed for a refusal's message: load them then.
    .options(lazyload(StockLot.item), lazyload(StockLot.warehouse))
    .where(
        StockLot.warehouse_id == bindparam("warehouse_id"),
        StockLot.item_id == bindparam("item_id"),
        StockLot.quantity > 0,
    )
    .order_by(*_FEFO)
)


@dataclass(frozen=True)
class Moved:
    """A movement appended by id links alone: what its caller needs of it, without an object."""

    lot_id: int
    quantity: Decimal
    override_reason: str | None


def _movement(lot: StockLot, signed: Decimal, kind: str, **links) -> StockMovement | Moved:
    values = {
        "kind": kind,
        "warehouse_id": lot.warehouse_id,
        "item_id": lot.item_id,
        "lot_id": lot.id,
        "quantity": signed,
        # Whoever acts: the logged-in user in a request, the named user of a job or command.
        "created_by_id": current_actor()[0],
        **links,
    }
    if "document" in links:
        # The document's movements collection must see its new line: add it as an object.
        movement = StockMovement(**values)
        db.session.add(movement)
        return movement
    # Linked by ids alone (a hand-out): one INSERT now. While it runs, SQLite's write lock is
    # held, so the less Python between the first write and the commit, the more hand-outs a
    # second.
    values["created_at"] = utcnow()
    db.session.connection().execute(_INSERT_MOVEMENT, values)
    return Moved(lot.id, signed, values.get("override_reason"))


def put(lot: StockLot, amount: Decimal, kind: str, **links) -> StockMovement | Moved:
    """Add `amount` to a lot and append the movement (links: document=, distribution_id=)."""
    db.session.flush()
    db.session.execute(
        update(StockLot)
        .where(StockLot.id == lot.id)
        .values(quantity=func.round(StockLot.quantity + amount, PLACES))
    )
    db.session.expire(lot, ["quantity"])
    return _movement(lot, amount, kind, **links)


def take(lot: StockLot, amount: Decimal, kind: str, **links) -> StockMovement | Moved:
    """Remove `amount` from a lot if it holds that much (checked by the database), else Conflict."""
    db.session.flush()
    result = db.session.connection().execute(_TAKE, {"lot_id": lot.id, "amount": amount})
    db.session.expire(lot, ["quantity"])
    if result.rowcount != 1:
        held = db.session.scalar(select(StockLot.quantity).where(StockLot.id == lot.id))
        raise lot_short(lot, lot.item, lot.warehouse, held, amount)
    return _movement(lot, -amount, kind, **links)


def lot_short(lot: StockLot, item, warehouse, held, amount: Decimal) -> Conflict:
    """The refusal of taking more from one lot than it holds."""
    return Conflict(
        f"Stok {item.name} lot {lot_label(lot)} di {warehouse.name} tinggal "
        f"{angka(held)} {item.unit}; tidak cukup untuk {angka(amount)}.",
        field="quantity",
        details={"lot_id": lot.id, "available": float(held or 0)},
    )


def lot_label(lot: StockLot) -> str:
    """'L-2026-03 (ED 31 Januari 2027)', or 'tanpa kode' for a lot without code or expiry."""
    code = lot.lot_code or "tanpa kode"
    return f"{code} (ED {tanggal(lot.expiry_date)})" if lot.expiry_date else code


def lots_in_stock(warehouse_id: int, item_id: int) -> list[StockLot]:
    """Lots with a balance, first-expiry-first-out: earliest expiry, then oldest receipt."""
    params = {"warehouse_id": warehouse_id, "item_id": item_id}
    return list(db.session.scalars(_LOTS_IN_STOCK, params))


def lots_for_update(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[StockLot]]:
    """Every lot of each (warehouse id, item id) pair, first-expiry-first-out, read afresh and
    locked until the transaction ends (PostgreSQL; SQLite's write lock does it there): the
    balances a batch plans with cannot change before it takes."""
    found: dict[tuple[int, int], list[StockLot]] = {pair: [] for pair in pairs}
    if not found:
        return found
    query = (
        select(StockLot)
        .options(lazyload(StockLot.item), lazyload(StockLot.warehouse))
        .where(tuple_(StockLot.warehouse_id, StockLot.item_id).in_(sorted(found)))
        .order_by(*_FEFO)
        .with_for_update(of=StockLot)
        .execution_options(populate_existing=True)
    )
    for lot in db.session.scalars(query):
        found[(lot.warehouse_id, lot.item_id)].append(lot)
    return found


def take_many(portions: Iterable[tuple[StockLot, Decimal, dict]], kind: str) -> None:
    """Take many planned portions (lot, amount, movement links) at once: one conditional UPDATE
    a lot for its total, then every movement in one INSERT. A lot that does not hold its total
    refuses them all; the balances come from lots_for_update(), so that does not happen."""
    portions = list(portions)
    totals: dict[int, Decimal] = {}
    lots: dict[int, StockLot] = {}
    for lot, amount, _links in portions:
        totals[lot.id] = totals.get(lot.id, Decimal(0)) + amount
        lots[lot.id] = lot
    db.session.flush()
    connection = db.session.connection()
    for lot_id in sorted(totals):
        result = connection.execute(_TAKE, {"lot_id": lot_id, "amount": totals[lot_id]})
        db.session.expire(lots[lot_id], ["quantity"])
        if result.rowcount != 1:
            lot = lots[lot_id]
            held = db.session.scalar(select(StockLot.quantity).where(StockLot.id == lot_id))
            raise lot_short(lot, lot.item, lot.warehouse, held, totals[lot_id])
    created_by, now = current_actor()[0], utcnow()
    rows = [
        {
            "kind": kind,
            "warehouse_id": lot.warehouse_id,
            "item_id": lot.item_id,
            "lot_id": lot.id,
            "quantity": -amount,
            "created_by_id": created_by,
            "created_at": now,
            **links,
        }
        for lot, amount, links in portions
    ]
    if rows:
        connection.execute(_INSERT_MOVEMENT, rows)


def available(warehouse_id: int, item_id: int, today: date | None = None) -> Decimal:
    """What can be issued now: the balance of lots that have not expired."""
    today = today or office_today()
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockLot.quantity), 0)).where(
            StockLot.warehouse_id == warehouse_id,
            StockLot.item_id == item_id,
            (StockLot.expiry_date.is_(None)) | (StockLot.expiry_date >= today),
        )
    )
    return Decimal(str(total))


# One portion of an issue: the lot, how much it gives, and the expired-lot reason it is given under.
Portion = tuple[StockLot, Decimal, str | None]


def plan_issue(
    warehouse,
    item,
    amount: Decimal,
    balances: Mapping[int, Decimal],
    *,
    lot: StockLot | None = None,
    expired_reason: str | None = None,
    today: date,
    candidates: Iterable[StockLot] = (),
    requested: Decimal | None = None,
) -> list[Portion]:
    """The rules of taking `amount` of `item` out of `warehouse`, over known lot balances and
    without writing: from `lot`, or first-expiry-first-out over `candidates`. The portions to
    take, or the refusal: an expired lot named without a reason, a lot or a warehouse that
    cannot cover the amount. `requested` is the whole amount when part of it is already taken.

    Expiry is judged on `today`, the day the goods change hands (a hand-out or dispatch typed in
    later, a past year entered afterwards), not on the day it is typed. Expired lots are skipped
    by FEFO and refused when named, unless `expired_reason` says why an operator issues them
    anyway. Both issue() and a batch of hand-outs (taking stock for all its lines at once) use
    these rules, so they refuse the same lines with the same words.
    """
    reason = (expired_reason or "").strip() or None
    if lot is not None:
        if lot.expiry_date is not None and lot.expiry_date < today and reason is None:
            raise DomainError(
                f"Lot {lot_label(lot)} {item.name} sudah kedaluwarsa pada tanggal serah "
                f"{tanggal(today)} (kedaluwarsa {tanggal(lot.expiry_date)}). Pilih lot lain, atau "
                "isi alasan jika tetap disalurkan (mis. masih layak menurut petugas kesehatan).",
                field="lot_id",
            )
        held = balances.get(lot.id, Decimal(0))
        if held < amount:
            raise lot_short(lot, item, warehouse, held, amount)
        return [(lot, amount, reason if lot.expiry_date else None)]
    portions: list[Portion] = []
    remaining = amount
    for candidate in candidates:
        expired = candidate.expiry_date is not None and candidate.expiry_date < today
        if expired and reason is None:
            continue
        portion = min(remaining, balances.get(candidate.id, Decimal(0)))
        if portion <= 0:
            continue
        portions.append((candidate, portion, reason if expired else None))
        remaining -= portion
        if remaining <= 0:
            return portions
    whole = amount if requested is None else requested
    held = whole - remaining
    raise Conflict(
        f"Stok {item.name} di {warehouse.name} yang bisa disalurkan tinggal {angka(held)} "
        f"{item.unit}; tidak cukup untuk {angka(whole)} {item.unit}.",
        field="quantity",
        details={"item_id": item.id, "available": float(held), "requested": float(whole)},
    )


def issue(
    warehouse: Warehouse,
    item: Item,
    amount: Decimal,
    kind: str,
    *,
    lot: StockLot | None = None,
    expired_reason: str | None = None,
    today: date | None = None,
    candidates: list[StockLot] | None = None,
    **links,
) -> list[StockMovement]:
    """Take `amount` of `item` out of `warehouse`: from `lot`, or first-expiry-first-out, by the
    rules of plan_issue(). If the lots cannot cover the amount, nothing is taken.
    `candidates` are the lots_in_stock read earlier (outside the write transaction); balances
    are checked by the database when taking, so a stale list only costs a retry.
    """
    today = today or office_today()
    if lot is not None:
        portions = plan_issue(
            warehouse,
            item,
            amount,
            # The database judges the balance when taking (the lot may have changed since read).
            {lot.id: amount},
            lot=lot,
            expired_reason=expired_reason,
            today=today,
        )
        return [take(lot, amount, kind, override_reason=portions[0][2], **links)]
    if candidates is None:
        candidates = lots_in_stock(warehouse.id, item.id)
    movements = []
    remaining = amount
    # Someone may take from a lot between our read and our write: a refused take writes nothing
    # and expires the lot's balance, so planning again reads it afresh.
    for attempt in range(3):
        portions = plan_issue(
            warehouse,
            item,
            remaining,
            {candidate.id: candidate.quantity for candidate in candidates},
            expired_reason=expired_reason,
            today=today,
            candidates=candidates,
            requested=amount,
        )
        try:
            for candidate, portion, override in portions:
                movements.append(take(candidate, portion, kind, override_reason=override, **links))
                remaining -= portion
        except Conflict:
            if attempt == 2:
                raise
            continue
        return movements
    return movements
