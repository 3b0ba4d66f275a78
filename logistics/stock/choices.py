"""What the stock forms offer to pick: warehouses, recent events, shelters and active items."""

from sqlalchemy import select

from logistics.core.extensions import db
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Item, Warehouse


def warehouses(active_only: bool = True) -> list[Warehouse]:
    """Warehouses by name; only the active ones unless asked for all."""
    query = select(Warehouse).order_by(Warehouse.name)
    if active_only:
        query = query.where(Warehouse.active.is_(True))
    return list(db.session.scalars(query))


def recent_events(limit: int) -> list[Event]:
    """The latest events first, the ones a document or a batch is most likely for."""
    return list(db.session.scalars(select(Event).order_by(Event.started_at.desc()).limit(limit)))


def shelters(open_only: bool = False) -> list[Shelter]:
    """Shelters by name; only those still open (status 'buka') when asked."""
    query = select(Shelter)
    if open_only:
        return list(
            db.session.scalars(query.where(Shelter.status == "buka").order_by(Shelter.name))
        )
    return list(db.session.scalars(query.order_by(Shelter.name, Shelter.id)))


def active_items() -> list[Item]:
    return list(db.session.scalars(select(Item).where(Item.active.is_(True)).order_by(Item.name)))
