"""The item catalogue: items with their unit, expiry and calories, and the contents of kits."""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.stock.models import Item, KitComponent, StockLot
from logistics.stock.models.catalogue import ITEM_CATEGORIES

ITEM_FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "whole_units",
    "expires",
    "is_kit",
    "kcal_per_unit",
    "note",
    "active",
)
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_QUANTITY = re.compile(r"^\d+([.,]\d+)?$")
MAX_QUANTITY = Decimal("100000")
MAX_KCAL = 1_000_000


def _code(value) -> str:
    code = inputs.text(value, "code", "Kode barang", 30, required=True).lower()
    if not _CODE.match(code):
        raise DomainError(
            f"Kode barang '{code}' hanya boleh huruf kecil, angka, - dan _, mis. beras_premium.",
            field="code",
        )
    return code


def _category(value) -> str:
    category = value.strip() if isinstance(value, str) else ""
    if category not in ITEM_CATEGORIES:
        choices = ", ".join(ITEM_CATEGORIES)
        raise DomainError(f"Kategori wajib dipilih dari: {choices}.", field="category")
    return category


def _item_values(values: Mapping) -> dict:
    unknown = sorted(set(values) - set(ITEM_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsers = {
        "code": _code,
        "name": lambda v: inputs.text(v, "name", "Nama barang", 120, required=True),
        "category": _category,
        "unit": lambda v: inputs.text(v, "unit", "Satuan", 20, required=True),
        "whole_units": lambda v: inputs.flag(v, "whole_units", "Satuan utuh"),
        "expires": lambda v: inputs.flag(v, "expires", "Ada tanggal kedaluwarsa"),
        "is_kit": lambda v: inputs.flag(v, "is_kit", "Paket berisi (kit)"),
        "kcal_per_unit": lambda v: inputs.whole_number(
            v, "kcal_per_unit", "Kalori per satuan", maximum=MAX_KCAL
        ),
        "note": lambda v: inputs.text(v, "note", "Catatan", 255),
        "active": lambda v: inputs.flag(v, "active", "Aktif"),
    }
    errors = Collector()
    parsed = {key: errors.check(parsers[key], value) for key, value in values.items()}
    errors.raise_any()
    return parsed


def _check_unique(item: Item | None, values: dict) -> None:
    for column, label in (("code", "Kode"), ("name", "Nama")):
        if column not in values:
            continue
        attr = getattr(Item, column)
        query = select(Item.id).where(func.lower(attr) == values[column].lower())
        if item is not None and item.id is not None:
            query = query.where(Item.id != item.id)
        if db.session.scalar(query) is not None:
            raise Conflict(
                f"{label} barang '{values[column]}' sudah dipakai barang lain.", field=column
            )


def get_item(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None:
        raise NotFound(f"Barang #{item_id} tidak ditemukan.")
    return item


def list_items(
    *, category: str | None = None, search: str | None = None, active: bool | None = None
) -> list[Item]:
    """Items by category then name, filtered by category, a word in code or name, active."""
    query = select(Item)
    if category:
        query = query.where(Item.category == category)
    if search and search.strip():
        word = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Item.name).like(word), func.lower(Item.code).like(word)))
    if active is not None:
        query = query.where(Item.active == active)
    items = db.session.scalars(query.order_by(Item.name)).all()
    order = list(ITEM_CATEGORIES)
    return sorted(items, key=lambda i: (order.index(i.category), i.name.lower()))


def create_item(**values) -> Item:
    for required in ("code", "name", "category", "unit"):
        values.setdefault(required, None)
    clean = _item_values(values)
    _check_unique(None, clean)
    item = Item(**clean)
    db.session.add(item)
    db.session.flush()
    return item


def is_referenced(item: Item) -> bool:
    """True when another kit holds the item (later: stock and movements too)."""
    return (
        db.session.scalar(select(KitComponent.id).where(KitComponent.component_id == item.id))
        is not None
    )


def has_stock_history(item: Item) -> bool:
    """True when any warehouse ever held the item (a lot, hence movements, refer to it)."""
    return (
        db.session.scalar(select(StockLot.id).where(StockLot.item_id == item.id).limit(1))
        is not None
    )


def update_item(item: Item, **changes) -> Item:
    clean = _item_values(changes)
    _check_unique(item, clean)
    if clean.get("is_kit") is False and item.components:
        raise DomainError(
            "Barang ini masih berisi komponen paket; kosongkan isi paket dahulu.", field="is_kit"
        )
    if clean.get("whole_units") is True and not item.whole_units:
        used = db.session.scalars(
            select(KitComponent).where(KitComponent.component_id == item.id)
        ).all()
        if any(line.quantity != line.quantity.to_integral_value() for line in used):
            raise DomainError(
                "Barang ini dipakai dalam paket dengan jumlah pecahan; ubah isi paket dahulu.",
                field="whole_units",
            )
    for key, value in clean.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def deactivate_item(item: Item) -> Item:
    item.active = False
    db.session.flush()
    return item


def remove_item(item: Item) -> str:
    """Delete an item no kit holds ("deleted"); one that a kit holds is set inactive instead
    ("deactivated"), so the kit keeps its contents."""
    if has_stock_history(item):
        # Lots and movements are the ledger's record (stock cards, BAST): they keep their item.
        raise Conflict(
            f"Barang '{item.name}' punya riwayat stok (lot dan mutasi), jadi tidak bisa dihapus. "
            "Nonaktifkan barang ini agar tidak dipakai lagi; riwayatnya tetap utuh.",
            field="item_id",
        )
    if is_referenced(item):
        deactivate_item(item)
        return "deactivated"
    db.session.delete(item)
    db.session.flush()
    return "deleted"


def _quantity(value, item: Item, field: str) -> Decimal:
    label = f"Jumlah {item.name}"
    if inputs.is_blank(value):
        raise DomainError(f"{label} wajib diisi.", field=field)
    if isinstance(value, bool):
        raise DomainError(f"{label} harus berupa angka.", field=field)
    if isinstance(value, int | float | Decimal):
        raw = str(value)
    elif isinstance(value, str):
        raw = value.strip().replace(",", ".")
    else:
        raise DomainError(f"{label} harus berupa angka, bukan '{value}'.", field=field)
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise DomainError(f"{label} harus berupa angka, bukan '{value}'.", field=field) from exc
    if not number.is_finite():
        raise DomainError(f"{label} harus berupa angka.", field=field)
    if number <= 0:
        raise DomainError(f"{label} harus lebih dari nol.", field=field)
    if number > MAX_QUANTITY:
        raise DomainError(f"{label} terlalu besar; periksa kembali.", field=field)
    if number != number.quantize(Decimal("0.001")):
        raise DomainError(f"{label} paling banyak tiga angka di belakang koma.", field=field)
    if item.whole_units and number != number.to_integral_value():
        raise DomainError(
            f"{item.name} dihitung dalam satuan utuh ({item.unit}); jumlah tidak boleh pecahan.",
            field=field,
        )
    return number


def _contains(kit_id: int, target_id: int) -> bool:
    """True when the kit holds the target, directly or inside one of its component kits."""
    seen = set()
    todo = [kit_id]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        children = db.session.scalars(
            select(KitComponent.component_id).where(KitComponent.kit_id == current)
        ).all()
        if target_id in children:
            return True
        todo.extend(children)
    return False


def _component_item(value, field: str) -> Item:
    if isinstance(value, str) and not value.strip().isdigit():
        item = db.session.scalar(select(Item).where(Item.code == value.strip().lower()))
    else:
        number = inputs.whole_number(value, field, "Komponen", required=True)
        item = db.session.get(Item, number)
    if item is None:
        raise DomainError(f"Komponen '{value}' tidak ada di katalog barang.", field=field)
    return item


def set_components(kit: Item, lines) -> Item:
    """Replace the contents of a kit with [{"component_id" or "code", "quantity"}, ...].

    A component must exist and be active, cannot be the kit itself nor a kit that holds this
    kit; the quantity is above zero, and whole for items counted in whole units.
    """
    if not kit.is_kit:
        raise DomainError(
            f"{kit.name} bukan paket; tandai sebagai paket (kit) dahulu.", field="is_kit"
        )
    if not isinstance(lines, list):
        raise DomainError("Isi paket harus berupa daftar komponen.", field="components")
    wanted: dict[int, tuple[Item, Decimal]] = {}
    # A component set inactive later stays in the kits that already hold it.
    current = {line.component_id for line in kit.components}
    for index, line in enumerate(lines):
        prefix = f"components[{index}]"
        if not isinstance(line, Mapping):
            raise DomainError("Setiap komponen harus berupa objek.", field=prefix)
        ref = line.get("component_id")
        if inputs.is_blank(ref):
            ref = line.get("code")
        if inputs.is_blank(ref):
            raise DomainError("Komponen wajib dipilih.", field=f"{prefix}.component_id")
        component = _component_item(ref, f"{prefix}.component_id")
        if component.id == kit.id:
            raise DomainError(
                f"{kit.name} tidak dapat berisi dirinya sendiri.", field=f"{prefix}.component_id"
            )
        if not component.active and component.id not in current:
            raise DomainError(
                f"{component.name} tidak aktif; aktifkan dahulu atau pilih barang lain.",
                field=f"{prefix}.component_id",
            )
        if component.is_kit and _contains(component.id, kit.id):
            raise DomainError(
                f"{component.name} sudah berisi {kit.name}; paket tidak boleh saling berisi.",
                field=f"{prefix}.component_id",
            )
        if component.id in wanted:
            raise DomainError(
                f"{component.name} tercantum lebih dari sekali; gabungkan jumlahnya.",
                field=f"{prefix}.component_id",
            )
        wanted[component.id] = (
            component,
            _quantity(line.get("quantity"), component, f"{prefix}.quantity"),
        )
    existing = {line.component_id: line for line in kit.components}
    for component_id, line in list(existing.items()):
        if component_id not in wanted:
            kit.components.remove(line)
    for component_id, (_component, quantity) in wanted.items():
        if component_id in existing:
            if existing[component_id].quantity != quantity:
                existing[component_id].quantity = quantity
        else:
            kit.components.append(KitComponent(component_id=component_id, quantity=quantity))
    db.session.flush()
    return kit


def component_choices(kit: Item) -> list[Item]:
    """Items that may go into the kit: active (or already in it), not itself, not holding it."""
    current = {line.component_id for line in kit.components}
    return [
        item
        for item in list_items()
        if (item.active or item.id in current)
        and item.id != kit.id
        and not (item.is_kit and _contains(item.id, kit.id))
    ]


def kits_containing(item: Item) -> list[Item]:
    """The kits that list this item directly."""
    return list(
        db.session.scalars(
            select(Item)
            .join(KitComponent, KitComponent.kit_id == Item.id)
            .where(KitComponent.component_id == item.id)
            .order_by(Item.name)
        )
    )
