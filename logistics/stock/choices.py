"""What the stock forms offer to pick: warehouses, recent events, shelters and active items."""

from sqlalchemy import select

from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock import wilayah
from logistics.stock.models import Item, Warehouse


def warehouses(
    active_only: bool = True, scope: Scope = WHOLE_OFFICE, recording: bool = False
) -> list[Warehouse]:
    """Warehouses by name that the scope sees (only those it records in, when `recording`:
    the source of a document); only the active ones unless asked for all."""
    query = wilayah.narrow(select(Warehouse).order_by(Warehouse.name), scope)
    if active_only:
        query = query.where(Warehouse.active.is_(True))
    found = db.session.scalars(query)
    return [w for w in found if not recording or wilayah.records(scope, w)]


def recent_events(limit: int, scope: Scope = WHOLE_OFFICE) -> list[Event]:
    """The latest events first, the ones a document or a batch is most likely for (those the
    scope sees, province-wide ones included)."""
    query = scope.narrow_covering(select(Event), Event.area_code)
    return list(db.session.scalars(query.order_by(Event.started_at.desc()).limit(limit)))


def shelters(open_only: bool = False, scope: Scope = WHOLE_OFFICE) -> list[Shelter]:
    """Shelters by name in the scope; only those still open (status 'buka') when asked."""
    query = scope.narrow(select(Shelter), Shelter.kelurahan_code)
    if open_only:
        return list(
            db.session.scalars(query.where(Shelter.status == "buka").order_by(Shelter.name))
        )
    return list(db.session.scalars(query.order_by(Shelter.name, Shelter.id)))


def active_items() -> list[Item]:
    return list(db.session.scalars(select(Item).where(Item.active.is_(True)).order_by(Item.name)))
