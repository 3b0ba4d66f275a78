"""The items and warehouses a hand-out draws on, cached per process between their changes."""

import time
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from logistics.core.errors import NotFound
from logistics.core.extensions import db
from logistics.stock.models import Item, Warehouse

# Items and warehouses change a few times a month; every hand-out names both. Like the budget tree
# below, they are read once per app and kept a minute: a change made in this process clears them
# at once (and again when its transaction ends), one made by another worker shows within the
# minute, and a reference the cache does not know, or knows as inactive, is read again at once,
# so a new item or a re-activated warehouse is never refused.
CATALOGUE_CACHE_SECONDS = 60.0
_CATALOGUE_CACHE = "posko_handout_catalogue"
_CATALOGUE_CHANGED = "posko_catalogue_changed"


@dataclass(frozen=True)
class CatalogueItem:
    """An item as a hand-out uses it: what the ledger functions read of an Item."""

    id: int
    code: str
    name: str
    unit: str
    whole_units: bool
    active: bool


@dataclass(frozen=True)
class Store:
    """A warehouse as a hand-out uses it: what the ledger functions read of a Warehouse."""

    id: int
    code: str
    name: str
    active: bool
    tier: str
    kelurahan_code: str | None  # with the tier, the wilayah the store is scoped by


@dataclass(frozen=True)
class Catalogue:
    items: dict[int | str, CatalogueItem]  # by id and by code
    warehouses: dict[int | str, Store]  # by id and by code
    loaded: float


_items, _warehouses = Item.__table__, Warehouse.__table__
_ALL_ITEMS = select(
    _items.c.id,
    _items.c.code,
    _items.c.name,
    _items.c.unit,
    _items.c.whole_units,
    _items.c.active,
)
_ALL_WAREHOUSES = select(
    _warehouses.c.id,
    _warehouses.c.code,
    _warehouses.c.name,
    _warehouses.c.active,
    _warehouses.c.tier,
    _warehouses.c.kelurahan_code,
)


def _catalogue(fresh: bool = False) -> Catalogue:
    cached = current_app.extensions.get(_CATALOGUE_CACHE)
    if (
        not fresh
        and cached is not None
        and time.monotonic() - cached.loaded < CATALOGUE_CACHE_SECONDS
    ):
        return cached
    connection = db.session.connection()
    items = [CatalogueItem(*row) for row in connection.execute(_ALL_ITEMS)]
    stores = [Store(*row) for row in connection.execute(_ALL_WAREHOUSES)]
    catalogue = Catalogue(
        items={**{i.id: i for i in items}, **{i.code: i for i in items}},
        warehouses={**{w.id: w for w in stores}, **{w.code: w for w in stores}},
        loaded=time.monotonic(),
    )
    current_app.extensions[_CATALOGUE_CACHE] = catalogue
    return catalogue


def forget_catalogue() -> None:
    """Drop the cached items and warehouses (after one is added, changed or removed)."""
    if has_app_context():
        current_app.extensions.pop(_CATALOGUE_CACHE, None)


def _catalogue_changed(_mapper, _connection, target) -> None:
    forget_catalogue()
    # Forgotten again when the transaction ends: another thread may have read the old rows in
    # between and cached them.
    session = object_session(target)
    if session is not None:
        session.info[_CATALOGUE_CHANGED] = True


def _transaction_ended(session: Session, *_args) -> None:
    if session.info.pop(_CATALOGUE_CHANGED, False):
        forget_catalogue()


for _model in (Item, Warehouse):
    for _name in ("after_insert", "after_update", "after_delete"):
        orm_event.listen(_model, _name, _catalogue_changed)
orm_event.listen(Session, "after_commit", _transaction_ended)
orm_event.listen(Session, "after_soft_rollback", _transaction_ended)


def _cached(kind: str, key: int | str | None):
    """The active item or warehouse under `key` (an id or a code), or None."""
    if key is None:
        return None
    found = getattr(_catalogue(), kind).get(key)
    if found is None or not found.active:
        found = getattr(_catalogue(fresh=True), kind).get(key)
    return found if found is not None and found.active else None


def hand_out_item(value) -> CatalogueItem:
    """An active catalogue item by id or code, from the cache."""
    key = None
    if isinstance(value, int) and not isinstance(value, bool):
        key = value
    elif isinstance(value, str) and value.strip().isdigit():
        key = int(value)
    elif isinstance(value, str) and value.strip():
        key = value.strip().lower()
    item = _cached("items", key)
    if item is None:
        raise NotFound(f"Barang '{value}' tidak ada di katalog.", field="item_id")
    return item


def hand_out_warehouse(value) -> Store:
    """An active warehouse by id or code, from the cache (the rules of ledger.get_warehouse)."""
    key = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        key = int(value)
    elif isinstance(value, str) and value.strip():
        key = value.strip().upper()
    warehouse = _cached("warehouses", key)
    if warehouse is None:
        raise NotFound(f"Gudang '{value}' tidak ditemukan atau tidak aktif.", field="warehouse_id")
    return warehouse
