"""Field kitchens (dapur umum) of an event: the registry and what a kitchen can be tied to."""

from collections.abc import Mapping

from sqlalchemy import select

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.errors import Collector, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.wording import istilah
from logistics.events.models import Event
from logistics.kitchens.models import FieldKitchen
from logistics.shelters.models import Shelter
from logistics.shelters.services import latest_count
from logistics.stock import ledger, wilayah
from logistics.stock.models import Warehouse

KITCHEN_FIELDS = (
    "name",
    "kelurahan_code",
    "shelter_id",
    "warehouse_id",
    "capacity_portions",
    "pic_name",
    "active",
)
# One field-kitchen set serves about 750 portions per cooking (DOMAIN.md section 7).
DEFAULT_CAPACITY = 750
MAX_PORTIONS = 100_000


# --- registry ------------------------------------------------------------------------------------


def _shelter_id(value) -> int | None:
    number = inputs.whole_number(value, "shelter_id", "Tempat pengungsian")
    if number is None:
        return None
    if db.session.get(Shelter, number) is None:
        raise DomainError(f"Tempat pengungsian #{number} tidak ditemukan.", field="shelter_id")
    return number


def _warehouse_id(value) -> int | None:
    if inputs.is_blank(value):
        return None
    return ledger.get_warehouse(value, field="warehouse_id").id


def _capacity(value) -> int:
    number = inputs.whole_number(
        value, "capacity_portions", "Kapasitas (porsi per masak)", maximum=MAX_PORTIONS
    )
    if number is None:
        return DEFAULT_CAPACITY
    if number == 0:
        raise DomainError(
            "Kapasitas dapur umum harus lebih dari nol porsi.", field="capacity_portions"
        )
    return number


def _kitchen_values(values: Mapping) -> dict:
    unknown = sorted(set(values) - set(KITCHEN_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsers = {
        "name": lambda v: inputs.text(v, "name", "Nama dapur umum", 200, required=True),
        "kelurahan_code": lambda v: v,
        "shelter_id": _shelter_id,
        "warehouse_id": _warehouse_id,
        "capacity_portions": _capacity,
        "pic_name": lambda v: inputs.text(v, "pic_name", "Nama penanggung jawab", 160),
        "active": lambda v: inputs.flag(v, "active", "Aktif"),
    }
    errors = Collector()
    parsed = {key: errors.check(parsers[key], value) for key, value in values.items()}
    errors.raise_any()
    return parsed


def _place(clean: dict, kitchen: FieldKitchen | None) -> None:
    """The kelurahan: the one given (checked), else the shelter's."""
    code = clean.get("kelurahan_code", kitchen.kelurahan_code if kitchen else None)
    shelter_id = clean.get("shelter_id", kitchen.shelter_id if kitchen else None)
    if code is not None and not isinstance(code, str):
        raise DomainError(f"Kode {istilah('wilayah')} harus berupa teks.", field="kelurahan_code")
    if (code is None or not code.strip()) and shelter_id is not None:
        code = db.session.get(Shelter, shelter_id).kelurahan_code
    if code is None or not code.strip():
        raise DomainError(
            f"Isi {istilah('wilayah')} dapur umum, atau pilih tempat pengungsian yang dilayaninya.",
            field="kelurahan_code",
        )
    clean["kelurahan_code"] = require_kelurahan(code).code


def get_kitchen(kitchen_id: int) -> FieldKitchen:
    kitchen = db.session.get(FieldKitchen, kitchen_id)
    if kitchen is None:
        raise NotFound(f"Dapur umum #{kitchen_id} tidak ditemukan.")
    return kitchen


def _require_scope(scope: Scope, clean: dict) -> None:
    """A kitchen stands in the user's record scope and cooks from a warehouse they record in
    (403, nothing written). Its meals are then checked by the kitchen's own kelurahan."""
    if "kelurahan_code" in clean:
        scope.require_record(clean["kelurahan_code"])
    if clean.get("warehouse_id"):
        wilayah.require_records(scope, db.session.get(Warehouse, clean["warehouse_id"]))


def create_kitchen(event: Event, scope: Scope = WHOLE_OFFICE, /, **values) -> FieldKitchen:
    """Register a field kitchen of `event`; capacity defaults to 750 portions per cooking."""
    values.setdefault("name", None)
    clean = _kitchen_values(values)
    _place(clean, None)
    _require_scope(scope, clean)
    clean.setdefault("capacity_portions", DEFAULT_CAPACITY)
    if event.closed_at is not None:
        raise DomainError(
            f"Kejadian {event.code} sudah ditutup; dapur umum baru tidak dapat ditambahkan."
        )
    kitchen = FieldKitchen(event_id=event.id, **clean)
    db.session.add(kitchen)
    db.session.flush()
    return kitchen


def update_kitchen(
    kitchen: FieldKitchen, scope: Scope = WHOLE_OFFICE, /, **changes
) -> FieldKitchen:
    """Change only the fields given."""
    clean = _kitchen_values(changes)
    if {"kelurahan_code", "shelter_id"} & set(clean):
        _place(clean, kitchen)
    checked = dict(clean)
    if checked.get("warehouse_id") == kitchen.warehouse_id:
        checked.pop("warehouse_id", None)  # kept as it was: no need to record in it
    _require_scope(scope, checked)
    for key, value in clean.items():
        setattr(kitchen, key, value)
    db.session.flush()
    return kitchen


def list_kitchens(event_id: int, scope: Scope = WHOLE_OFFICE) -> list[FieldKitchen]:
    """The event's kitchens within the scope, active first."""
    query = (
        select(FieldKitchen)
        .where(FieldKitchen.event_id == event_id)
        .order_by(FieldKitchen.active.desc(), FieldKitchen.name, FieldKitchen.id)
    )
    return list(db.session.scalars(scope.narrow(query, FieldKitchen.kelurahan_code)))


def kitchen_area_codes(kitchen_id: int) -> list[str | None] | None:
    """The kitchen's kelurahan, for the scope guard; None when there is no such kitchen."""
    code = db.session.scalar(
        select(FieldKitchen.kelurahan_code).where(FieldKitchen.id == kitchen_id)
    )
    exists = code is not None or db.session.get(FieldKitchen, kitchen_id) is not None
    return [code] if exists else None


def kitchen_shelter(kitchen: FieldKitchen) -> Shelter | None:
    return db.session.get(Shelter, kitchen.shelter_id) if kitchen.shelter_id else None


def kitchen_warehouse(kitchen: FieldKitchen) -> Warehouse | None:
    return db.session.get(Warehouse, kitchen.warehouse_id) if kitchen.warehouse_id else None


def suggested_head_count(kitchen: FieldKitchen) -> int | None:
    """The latest head count of the shelter the kitchen feeds, as a starting value for a meal."""
    if kitchen.shelter_id is None:
        return None
    count = latest_count(db.session.get(Shelter, kitchen.shelter_id))
    return count.persons if count is not None else None


def shelter_choices(event_id: int, scope: Scope = WHOLE_OFFICE) -> list[tuple[int, str]]:
    """Shelters a kitchen of the event can feed: the event's, and those not tied to an event,
    within the scope."""
    query = (
        select(Shelter)
        .where((Shelter.event_id == event_id) | Shelter.event_id.is_(None))
        .order_by(Shelter.name, Shelter.id)
    )
    query = scope.narrow(query, Shelter.kelurahan_code)
    return [(shelter.id, shelter.name) for shelter in db.session.scalars(query)]


def warehouse_choices(scope: Scope = WHOLE_OFFICE) -> list[tuple[int, str]]:
    """Active warehouses a kitchen may cook from: those the user records in."""
    query = select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.name)
    return [
        (warehouse.id, f"{warehouse.name} ({warehouse.code})")
        for warehouse in db.session.scalars(wilayah.narrow(query, scope))
        if wilayah.records(scope, warehouse)
    ]
