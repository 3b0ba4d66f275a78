"""Stock tables: the item catalogue and warehouses, and the ledger of lots, movements and documents."""

from logistics.stock.models.catalogue import (
    ITEM_CATEGORIES,
    WAREHOUSE_TIERS,
    Item,
    KitComponent,
    Warehouse,
)
from logistics.stock.models.ledger import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    DOCUMENT_STATUSES,
    MOVEMENT_KINDS,
    QUANTITY,
    RECEIPT_SOURCES,
    DocumentCounter,
    StockCountLine,
    StockDocument,
    StockLot,
    StockMovement,
)

__all__ = [
    "ADJUSTMENT_REASONS",
    "DOCUMENT_KINDS",
    "DOCUMENT_STATUSES",
    "ITEM_CATEGORIES",
    "MOVEMENT_KINDS",
    "QUANTITY",
    "RECEIPT_SOURCES",
    "WAREHOUSE_TIERS",
    "DocumentCounter",
    "Item",
    "KitComponent",
    "StockCountLine",
    "StockDocument",
    "StockLot",
    "StockMovement",
    "Warehouse",
]
