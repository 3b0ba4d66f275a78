"""The stock ledger: lots with their balance, append-only movements and the documents behind them."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow
from logistics.stock.models.catalogue import Item, Warehouse

MOVEMENT_KINDS = {
    "receipt": "Penerimaan",
    "transfer_out": "Transfer keluar",
    "transfer_in": "Transfer masuk",
    "dispatch": "Pengiriman",
    "distribution": "Penyaluran",
    "kitchen": "Bahan dapur umum",
    "adjustment": "Penyesuaian",
}
DOCUMENT_KINDS = {
    "receipt": "Penerimaan barang",
    "dispatch": "Pengiriman barang",
    "transfer": "Transfer antar gudang",
    "adjustment": "Penyesuaian stok",
    "opname": "Stok opname",
    "distribution": "Penyaluran bantuan",
    "kitchen": "Bahan dapur umum",
}
RECEIPT_SOURCES = {
    "apbd": "APBD",
    "apbn": "APBN/Kemensos",
    "provinsi": "Pemerintah provinsi",
    "csr": "CSR",
    "donor": "Donatur/masyarakat",
}
ADJUSTMENT_REASONS = {
    "rusak": "Rusak",
    "kedaluwarsa": "Kedaluwarsa",
    "hilang": "Hilang",
    "selisih_opname": "Selisih opname",
}
# A transfer is in transit until the receiving warehouse records what arrived.
DOCUMENT_STATUSES = {"done": "Selesai", "in_transit": "Dalam perjalanan", "received": "Diterima"}
QUANTITY = Numeric(14, 3)


class StockLot(db.Model):
    """What one warehouse holds of one item from one lot (expiry date); never below zero."""

    __tablename__ = "stock_lots"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
        UniqueConstraint(
            "warehouse_id", "item_id", "lot_code", "expiry_date", name="uq_stock_lots"
        ),
        Index("ix_stock_lots_warehouse_item", "warehouse_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    lot_code: Mapped[str] = mapped_column(String(40), default="")
    expiry_date: Mapped[date | None]
    # The running balance, changed only together with a movement in the same transaction.
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=0)
    received_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")


class StockDocument(db.Model):
    """A hand-over or stock decision with a BAST number: receipt, dispatch, transfer, adjustment."""

    __tablename__ = "stock_documents"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(DOCUMENT_KINDS)!r}", name="kind_known"),
        CheckConstraint(f"status IN {tuple(DOCUMENT_STATUSES)!r}", name="status_known"),
        CheckConstraint(
            f"source IS NULL OR source IN {tuple(RECEIPT_SOURCES)!r}", name="source_known"
        ),
        CheckConstraint(
            f"reason IS NULL OR reason IN {tuple(ADJUSTMENT_REASONS)!r}", name="reason_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    # BAST number, unique per office and year (services/bast.next_number).
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    doc_date: Mapped[date]
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(12))
    source_document: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str | None] = mapped_column(String(20))
    giver_name: Mapped[str] = mapped_column(String(160), default="")
    receiver_name: Mapped[str] = mapped_column(String(160), default="")
    status: Mapped[str] = mapped_column(String(12), default="done")
    received_on: Mapped[date | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    warehouse: Mapped[Warehouse | None] = relationship(foreign_keys=[warehouse_id])
    to_warehouse: Mapped[Warehouse | None] = relationship(foreign_keys=[to_warehouse_id])
    movements: Mapped[list["StockMovement"]] = relationship(
        back_populates="document", order_by="StockMovement.id"
    )


class StockMovement(db.Model):
    """One append-only line of the ledger: a signed quantity of one lot (in > 0, out < 0)."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(MOVEMENT_KINDS)!r}", name="kind_known"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        # The stock card reads one item of one warehouse in order.
        Index("ix_stock_movements_card", "warehouse_id", "item_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(14))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stock_documents.id"), index=True)
    distribution_id: Mapped[int | None] = mapped_column(ForeignKey("distributions.id"), index=True)
    # Why an expired lot was issued anyway (an operator's decision, kept with the line).
    override_reason: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[StockLot] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")
    document: Mapped[StockDocument | None] = relationship(back_populates="movements")


class StockCountLine(db.Model):
    """One lot counted in a stock opname: what the ledger said and what was on the shelf."""

    __tablename__ = "stock_count_lines"
    __table_args__ = (
        UniqueConstraint("document_id", "lot_id", name="uq_stock_count_lines_document_lot"),
        CheckConstraint("counted_quantity >= 0", name="counted_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("stock_documents.id", ondelete="CASCADE"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lots.id"))
    system_quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    counted_quantity: Mapped[Decimal] = mapped_column(QUANTITY)

    lot: Mapped[StockLot] = relationship(lazy="joined")


class DocumentCounter(db.Model):
    """The last BAST number given by an office in a year."""

    __tablename__ = "document_counters"

    office_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
