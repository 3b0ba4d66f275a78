"""The office's vehicles that carry Tagana members and aid."""

import re
from collections.abc import Mapping

from sqlalchemy import or_, select

from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.tagana.models import Vehicle
from logistics.tagana.parsing import clean_text

VEHICLE_KINDS = (
    "Truk",
    "Mobil dapur umum lapangan (Mobil DUL)",
    "Mobil tangki air",
    "Mobil pikap",
    "Perahu karet",
    "Sepeda motor",
    "Ambulans",
)


VEHICLE_FIELDS = ("plate", "kind", "assigned_unit", "active")


def get_vehicle(vehicle_id: int) -> Vehicle:
    """A vehicle by id, or NotFound."""
    vehicle = db.session.get(Vehicle, vehicle_id)
    if vehicle is None:
        raise NotFound(f"Kendaraan {vehicle_id} tidak ditemukan.")
    return vehicle


def normalize_plate(value) -> str:
    """'b1234xyz', 'B-1234-XYZ' -> 'B 1234 XYZ' (the way it is painted on the plate)."""
    text = re.sub(r"[^A-Za-z0-9]", "", str(value or "")).upper()
    match = re.fullmatch(r"([A-Z]{1,2})(\d{1,4})([A-Z]{0,3})", text)
    if not match:
        raise DomainError(
            f"Nomor polisi '{value}' tidak valid; tulis seperti B 1234 XYZ.", field="plate"
        )
    return " ".join(part for part in match.groups() if part)


def _vehicle_values(values: Mapping, vehicle: Vehicle | None = None) -> dict:
    unknown = sorted(set(values) - set(VEHICLE_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsed: dict = {}
    if "plate" in values:
        plate = normalize_plate(values["plate"])
        other = db.session.scalar(select(Vehicle).where(Vehicle.plate == plate))
        if other is not None and (vehicle is None or other.id != vehicle.id):
            raise Conflict(f"Kendaraan {plate} sudah terdaftar.", field="plate")
        parsed["plate"] = plate
    if "kind" in values:
        parsed["kind"] = clean_text(values["kind"], "kind", "Jenis kendaraan", 60, required=True)
    if "assigned_unit" in values:
        parsed["assigned_unit"] = clean_text(
            values["assigned_unit"], "assigned_unit", "Unit pemegang", 120
        )
    if "active" in values:
        parsed["active"] = inputs.flag(values["active"], "active", "Aktif", lenient=True)
    return parsed


def register_vehicle(
    *, plate: str, kind: str, assigned_unit: str = "", active: bool = True
) -> Vehicle:
    """Register an office vehicle; the plate is normalised and unique."""
    values = _vehicle_values(
        {"plate": plate, "kind": kind, "assigned_unit": assigned_unit, "active": active}
    )
    vehicle = Vehicle(**values)
    db.session.add(vehicle)
    db.session.flush()
    return vehicle


def update_vehicle(vehicle: Vehicle, **changes) -> Vehicle:
    """Change the given fields of a vehicle; the same checks as register_vehicle."""
    values = _vehicle_values(changes, vehicle)
    for key, value in values.items():
        setattr(vehicle, key, value)
    db.session.flush()
    return vehicle


def vehicles_query(q: str = "", active: str = ""):
    """Vehicles by plate; q matches plate, kind or unit; active is "ya", "tidak" or ""."""
    query = select(Vehicle)
    text = q.strip()
    if text:
        query = query.where(
            or_(
                Vehicle.plate.ilike(f"%{text}%"),
                Vehicle.kind.ilike(f"%{text}%"),
                Vehicle.assigned_unit.ilike(f"%{text}%"),
            )
        )
    if active == "ya":
        query = query.where(Vehicle.active.is_(True))
    elif active == "tidak":
        query = query.where(Vehicle.active.is_(False))
    return query.order_by(Vehicle.plate)


def vehicle_choices(include_id: int | None = None) -> list[Vehicle]:
    """Active vehicles (and the current one) for a select, by plate."""
    query = select(Vehicle).where(or_(Vehicle.active.is_(True), Vehicle.id == (include_id or -1)))
    return list(db.session.scalars(query.order_by(Vehicle.plate)))


def list_vehicles(q: str = "", active: str = "") -> list[Vehicle]:
    """The vehicles of vehicles_query, as a list."""
    return list(db.session.scalars(vehicles_query(q, active)))


def plates() -> dict[int, str]:
    """vehicle id -> plate, for every vehicle."""
    return dict(db.session.execute(select(Vehicle.id, Vehicle.plate)).all())


def find_vehicle(vehicle_id: int | None) -> Vehicle | None:
    """The vehicle with this id, or None (also for no id)."""
    return db.session.get(Vehicle, vehicle_id) if vehicle_id else None
