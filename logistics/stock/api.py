"""API: the item catalogue with kit contents, and the warehouses (login to read; office to write)."""

from flask import jsonify, request

from logistics.admin.models import OFFICE_ROLES
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_number, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import user_scope
from logistics.stock import catalogue, warehouses
from logistics.stock.models import Item, Warehouse
from logistics.stock.models.catalogue import ITEM_CATEGORIES, WAREHOUSE_TIERS


def item_json(item: Item) -> dict:
    return {
        "id": item.id,
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "category_label": ITEM_CATEGORIES.get(item.category, item.category),
        "unit": item.unit,
        "whole_units": item.whole_units,
        "expires": item.expires,
        "is_kit": item.is_kit,
        "kcal_per_unit": item.kcal_per_unit,
        "note": item.note,
        "active": item.active,
        "components": [
            {
                "component_id": line.component_id,
                "code": line.component.code,
                "name": line.component.name,
                "unit": line.component.unit,
                "quantity": json_number(line.quantity),
            }
            for line in sorted(item.components, key=lambda c: c.component.name)
        ],
    }


def warehouse_json(warehouse: Warehouse, kelurahan_name: str | None = None) -> dict:
    return {
        "id": warehouse.id,
        "code": warehouse.code,
        "name": warehouse.name,
        "tier": warehouse.tier,
        "tier_label": WAREHOUSE_TIERS.get(warehouse.tier, warehouse.tier),
        "kelurahan_code": warehouse.kelurahan_code,
        "kelurahan_name": kelurahan_name,
        "address": warehouse.address,
        "lat": warehouse.lat,
        "lng": warehouse.lng,
        "shelter_id": warehouse.shelter_id,
        "pic_name": warehouse.pic_name,
        "pic_phone": warehouse.pic_phone,
        "active": warehouse.active,
    }


def _active_arg() -> bool | None:
    raw = request.args.get("active", "").strip()
    if not raw:
        return None
    return inputs.flag(raw, "active", "Parameter 'active'")


@bp.get("/items")
@api_login_required()
def items_list():
    category = request.args.get("category", "").strip() or None
    if category and category not in ITEM_CATEGORIES:
        raise DomainError(f"Kategori '{category}' tidak dikenal.", field="category")
    items = catalogue.list_items(
        category=category, search=request.args.get("q"), active=_active_arg()
    )
    return jsonify({"count": len(items), "items": [item_json(i) for i in items]})


@bp.post("/items")
@api_login_required(*OFFICE_ROLES)
def items_create():
    with transaction():
        item = catalogue.create_item(**json_payload())
    return jsonify(item_json(item)), 201


@bp.get("/items/<int:item_id>")
@api_login_required()
def items_detail(item_id: int):
    return jsonify(item_json(catalogue.get_item(item_id)))


@bp.patch("/items/<int:item_id>")
@api_login_required(*OFFICE_ROLES)
def items_update(item_id: int):
    with transaction():
        item = catalogue.update_item(catalogue.get_item(item_id), **json_payload())
    return jsonify(item_json(item))


@bp.put("/items/<int:item_id>/components")
@api_login_required(*OFFICE_ROLES)
def items_set_components(item_id: int):
    kit = catalogue.get_item(item_id)
    data = request.get_json(silent=True)
    lines = data.get("components") if isinstance(data, dict) else data
    with transaction():
        catalogue.set_components(kit, lines)
    # The commit expired the kit, so its components are read again as saved.
    return jsonify(item_json(kit))


@bp.get("/warehouses")
@api_login_required()
def warehouses_list():
    tier = request.args.get("tier", "").strip() or None
    if tier and tier not in WAREHOUSE_TIERS:
        raise DomainError(f"Tingkat gudang '{tier}' tidak dikenal.", field="tier")
    rows = warehouses.list_warehouses(
        tier=tier,
        kelurahan_code=request.args.get("kelurahan_code", "").strip() or None,
        active=_active_arg(),
        scope=user_scope(),
    )
    return jsonify({"count": len(rows), "items": [warehouse_json(w, n) for w, n in rows]})


@bp.post("/warehouses")
@api_login_required(*OFFICE_ROLES)
def warehouses_create():
    with transaction():
        warehouse = warehouses.create_warehouse(user_scope(), **json_payload())
    return jsonify(
        warehouse_json(warehouse, warehouses.kelurahan_name(warehouse.kelurahan_code))
    ), 201


@bp.get("/warehouses/<int:warehouse_id>")
@api_login_required()
def warehouses_detail(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    return jsonify(warehouse_json(warehouse, warehouses.kelurahan_name(warehouse.kelurahan_code)))


@bp.patch("/warehouses/<int:warehouse_id>")
@api_login_required(*OFFICE_ROLES)
def warehouses_update(warehouse_id: int):
    with transaction():
        warehouse = warehouses.update_warehouse(
            warehouses.get_warehouse(warehouse_id), user_scope(), **json_payload()
        )
    return jsonify(warehouse_json(warehouse, warehouses.kelurahan_name(warehouse.kelurahan_code)))
