"""Stock reports: the stock card, a warehouse's stock and the expiry reports."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Date, Integer, and_, column, func, select, table

from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_date, office_today
from logistics.stock import wilayah
from logistics.stock.documents import ZERO
from logistics.stock.models import Item, StockDocument, StockLot, StockMovement, Warehouse

# The hand-out a movement went to, read by table name as the movement's foreign key names it:
# hand-outs (distributions) sit above stock, which imports nothing of theirs.
HANDOUTS = table("distributions", column("id", Integer), column("distributed_on", Date))


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


def _card_subjects(warehouse_id: int, item_id: int) -> tuple[Warehouse, Item]:
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"Gudang #{warehouse_id} tidak ditemukan.", field="warehouse_id")
    item = db.session.get(Item, item_id)
    if item is None:
        raise NotFound(f"Barang #{item_id} tidak ada di katalog.", field="item_id")
    return warehouse, item


def _card_page(mine, page: int, per_page: int) -> list:
    """One page of movements, newest first, with their document, hand-out and lot."""
    query = (
        select(
            StockMovement.id,
            StockMovement.kind,
            StockMovement.quantity,
            StockMovement.created_at,
            StockDocument.id,
            StockDocument.number,
            StockDocument.doc_date,
            HANDOUTS.c.id,
            HANDOUTS.c.distributed_on,
            StockLot.lot_code,
            StockLot.expiry_date,
        )
        .join(StockLot, StockLot.id == StockMovement.lot_id)
        .outerjoin(StockDocument, StockDocument.id == StockMovement.document_id)
        .outerjoin(HANDOUTS, HANDOUTS.c.id == StockMovement.distribution_id)
        .where(mine)
        .order_by(StockMovement.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return db.session.execute(query).all()


def _item_balance(warehouse_id: int, item_id: int) -> Decimal:
    return Decimal(
        str(
            db.session.scalar(
                select(func.coalesce(func.sum(StockLot.quantity), 0)).where(
                    StockLot.warehouse_id == warehouse_id, StockLot.item_id == item_id
                )
            )
        )
    )


def _newest_balance(mine, found: list) -> Decimal:
    """The balance after the page's newest movement: the older movements' SUM plus the page's."""
    if not found:
        return ZERO
    opening = db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
            mine, StockMovement.id < found[-1][0]
        )
    )
    return Decimal(str(opening)) + sum((Decimal(r[2]) for r in found), ZERO)


def _card_rows(found: list, running: Decimal) -> list[CardRow]:
    """The page's rows, each with the balance after it, counting back from `running`."""
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
                lot=f"{label} (ED {tanggal(expiry)})" if expiry else label,
                quantity_in=amount if amount > 0 else ZERO,
                quantity_out=-amount if amount < 0 else ZERO,
                balance=running.quantize(Decimal("0.001")).normalize(),
            )
        )
        running -= amount
    return rows


def _card_lots(warehouse_id: int, item_id: int) -> list[StockLot]:
    return list(
        db.session.scalars(
            select(StockLot)
            .where(StockLot.warehouse_id == warehouse_id, StockLot.item_id == item_id)
            .order_by(StockLot.expiry_date.is_(None), StockLot.expiry_date, StockLot.id)
        )
    )


def stock_card(warehouse_id: int, item_id: int, page: int = 1, per_page: int = 100) -> StockCard:
    """The kartu stok of one item in one warehouse, newest first, with the running balance.

    One page of movements comes through the (warehouse, item, id) index; its opening balance is
    one SUM over the older movements, so a card of 100,000 lines costs two indexed queries.
    """
    warehouse, item = _card_subjects(warehouse_id, item_id)
    mine = and_(StockMovement.warehouse_id == warehouse_id, StockMovement.item_id == item_id)
    total = db.session.scalar(select(func.count(StockMovement.id)).where(mine))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    found = _card_page(mine, page, per_page)
    balance = _item_balance(warehouse_id, item_id)
    rows = _card_rows(found, _newest_balance(mine, found))
    lots = _card_lots(warehouse_id, item_id)
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
    days: int = 30,
    warehouse_id: int | None = None,
    today: date | None = None,
    scope: Scope = WHOLE_OFFICE,
) -> list[StockLot]:
    """Lots still in stock that expire between today and `days` days from now, soonest first,
    in the warehouses the scope sees."""
    today = today or office_today()
    query = select(StockLot).where(
        StockLot.quantity > 0,
        StockLot.expiry_date >= today,
        StockLot.expiry_date <= today + timedelta(days=days),
    )
    if warehouse_id:
        query = query.where(StockLot.warehouse_id == warehouse_id)
    query = wilayah.narrow_by_warehouse(query, scope, StockLot.warehouse_id)
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
    year: int,
    half: int,
    warehouse_id: int | None = None,
    today: date | None = None,
    scope: Scope = WHOLE_OFFICE,
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
    lots = wilayah.narrow_by_warehouse(select(StockLot), scope, StockLot.warehouse_id)
    expiring = db.session.scalars(
        lots.where(
            *in_stock, StockLot.expiry_date >= today, StockLot.expiry_date <= horizon
        ).order_by(*order)
    )
    expired = db.session.scalars(
        lots.where(*in_stock, StockLot.expiry_date < today).order_by(*order)
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
    write_offs = wilayah.narrow_by_warehouse(write_offs, scope, StockMovement.warehouse_id)
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
