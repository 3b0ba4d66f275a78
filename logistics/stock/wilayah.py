"""Which wilayah a warehouse, a lot and a stock document belong to, for the user's scope."""

from sqlalchemy import case, or_, select

from logistics.core.errors import Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.core.scope import NOT_FOUND, OUT_OF_SCOPE, WHOLE_OFFICE, Scope
from logistics.stock.models import StockDocument, Warehouse

# A warehouse of the office's own tier or above (a provinsi office's provinsi and Kemensos
# regional stores; a kab/kota office's own store too) belongs to the whole office area, not to
# the kelurahan it happens to stand in: a kab/kota user neither lists it nor opens its page or
# stock, and only a user who records the whole office area may move its stock. It still shows
# to them where it must, by name, as the source of a transfer or dispatch to their wilayah
# (the document is theirs too: `document_area_codes`). Lower tiers (a kab/kota store in a
# provinsi office, lumbung sosial, posko) belong to their kelurahan. A warehouse without a
# kelurahan is the office's own.
OWN_TIERS = {
    "provinsi": ("kemensos_regional", "provinsi"),
    "kota": ("kemensos_regional", "provinsi", "kab_kota"),
    "kabupaten": ("kemensos_regional", "provinsi", "kab_kota"),
}


def own_tiers() -> tuple[str, ...]:
    return OWN_TIERS.get(office_info().level, OWN_TIERS["provinsi"])


def warehouse_area(warehouse: Warehouse | None) -> str | None:
    """The area code a warehouse is scoped by: its kelurahan, or the office's area for the
    office's own stores."""
    if warehouse is None:
        return None
    if warehouse.tier in own_tiers() or not warehouse.kelurahan_code:
        return office_info().area_code or None
    return warehouse.kelurahan_code


def area_column(table=Warehouse):
    """`warehouse_area` as an SQL expression over `table` (Warehouse or an alias of it)."""
    office = office_info().area_code
    return case(
        (or_(table.tier.in_(own_tiers()), table.kelurahan_code.is_(None)), office),
        else_=table.kelurahan_code,
    )


def narrow(query, scope: Scope, table=Warehouse):
    """A query over warehouses limited to those the scope sees."""
    return scope.narrow(query, area_column(table))


def narrow_by_warehouse(query, scope: Scope, column):
    """A query over rows of a warehouse (lots, movements) limited to the warehouses the scope
    sees; `column` is the row's warehouse id."""
    if not scope.see:
        return query
    return query.where(column.in_(narrow(select(Warehouse.id), scope)))


def records(scope: Scope, warehouse: Warehouse) -> bool:
    return scope.records(warehouse_area(warehouse))


def require_records(scope: Scope, warehouse: Warehouse | None, field: str = "warehouse_id"):
    """Stock may be taken from or put into a warehouse only within the record scope: 404 for a
    warehouse the user cannot see (its existence is not confirmed), 403 for one they only see."""
    if warehouse is None or scope.whole_office:
        return
    area = warehouse_area(warehouse)
    if not scope.sees(area):
        raise NotFound(NOT_FOUND, field=field)
    if not scope.records(area):
        raise Forbidden(OUT_OF_SCOPE.format(codes=", ".join(scope.record)), field=field)


def require_sees(scope: Scope, warehouse: Warehouse | None, field: str = "to_warehouse_id"):
    """A warehouse named as a destination must at least be one the user sees (else 404)."""
    if warehouse is not None and not scope.sees(warehouse_area(warehouse)):
        raise NotFound(NOT_FOUND, field=field)


def actor_scope(actor) -> Scope:
    """The scope of whoever acts (the signed-in user or a phone's user); the whole office for
    the system (demo seeding, jobs without a user)."""
    return getattr(actor, "scope", None) or WHOLE_OFFICE


# --- the guards on URL ids (registered in register_scope_guards) ----------------------------


def warehouse_area_codes(warehouse_id: int) -> list[str | None] | None:
    warehouse = db.session.get(Warehouse, warehouse_id)
    return None if warehouse is None else [warehouse_area(warehouse)]


def document_area_codes(document_id: int) -> list[str | None] | None:
    """A document belongs to both ends: its warehouse, the receiving warehouse of a transfer
    and the kelurahan a dispatch went to (a provinsi dispatch to a kab/kota is the kab/kota's
    to see). Writing on it (receiving a transfer) is checked again by the view."""
    document = db.session.get(StockDocument, document_id)
    if document is None:
        return None
    codes = [warehouse_area(document.warehouse), warehouse_area(document.to_warehouse)]
    if document.kelurahan_code:
        codes.append(document.kelurahan_code)
    return [code for code in codes if code] or [office_info().area_code or None]


def narrow_documents(query, scope: Scope):
    """A query over stock documents limited to those the scope sees (either warehouse, or the
    kelurahan a dispatch went to)."""
    if not scope.see:
        return query
    seen = select(Warehouse.id).where(scope.condition(area_column()))
    return query.where(
        or_(
            StockDocument.warehouse_id.in_(seen),
            StockDocument.to_warehouse_id.in_(seen),
            scope.condition(StockDocument.kelurahan_code),
        )
    )
