"""Hazard types: the office's list of disasters, whose codes start every event code."""

import re

from sqlalchemy import func, select

from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.events.impact import MAX_COUNT
from logistics.events.models import (
    HAZARD_CLASSES,
    HazardType,
)

HAZARD_CODE = re.compile(r"^[A-Z]{2,8}$")


def get_hazard(hazard_type_id: int | None) -> HazardType:
    hazard = db.session.get(HazardType, hazard_type_id) if hazard_type_id else None
    if hazard is None or not hazard.active:
        raise DomainError("Jenis bencana wajib dipilih dari daftar.", field="hazard_type_id")
    return hazard


def find_hazard(value) -> HazardType:
    """A hazard type by id or by code (BJR), for the API; active ones only."""
    if isinstance(value, str) and not value.strip().isdigit():
        hazard = db.session.scalar(
            select(HazardType).where(HazardType.code == value.strip().upper())
        )
        return get_hazard(hazard.id if hazard else None)
    try:
        return get_hazard(int(value) if value not in (None, "") else None)
    except (TypeError, ValueError) as exc:
        raise DomainError(
            "Jenis bencana wajib dipilih dari daftar.", field="hazard_type_id"
        ) from exc


def get_hazard_type(hazard_id: int) -> HazardType:
    """A hazard type of the list, active or not (for the hazard admin)."""
    hazard = db.session.get(HazardType, hazard_id)
    if hazard is None:
        raise NotFound(f"Jenis bencana {hazard_id} tidak ditemukan.")
    return hazard


def list_hazards(*, active_only: bool = False) -> list[HazardType]:
    query = select(HazardType).order_by(HazardType.sort_order, HazardType.name)
    if active_only:
        query = query.where(HazardType.active.is_(True))
    return list(db.session.scalars(query))


def _hazard_values(name, hazard_class, sort_order, exclude_id: int | None) -> dict:
    name = inputs.text(name, "name", "Nama jenis bencana", 120, required=True)
    hazard_class = inputs.choice(hazard_class, HAZARD_CLASSES, "hazard_class", "Kelompok bencana")
    clash = db.session.scalar(
        select(HazardType.id).where(
            func.lower(HazardType.name) == name.lower(),
            HazardType.id != (exclude_id or 0),
        )
    )
    if clash:
        raise Conflict(f"Jenis bencana '{name}' sudah ada.", field="name")
    order = inputs.whole_number(sort_order, "sort_order", "Urutan", maximum=MAX_COUNT)
    return {"name": name, "hazard_class": hazard_class, "sort_order": order}


def create_hazard(*, code: str, name: str, hazard_class: str, sort_order=None) -> HazardType:
    """Add a hazard type to the office's list; its code starts every event code of that type."""
    code = inputs.text(code, "code", "Kode", 8, required=True).upper()
    if not HAZARD_CODE.match(code):
        raise DomainError(f"Kode '{code}' harus 2-8 huruf A-Z tanpa spasi, mis. BJR.", field="code")
    if db.session.scalar(select(HazardType.id).where(HazardType.code == code)):
        raise Conflict(f"Kode jenis bencana '{code}' sudah dipakai.", field="code")
    values = _hazard_values(name, hazard_class, sort_order, None)
    if values["sort_order"] is None:
        values["sort_order"] = (
            db.session.scalar(select(func.max(HazardType.sort_order))) or 0
        ) + 10
    hazard = HazardType(code=code, active=True, **values)
    db.session.add(hazard)
    db.session.flush()
    return hazard


def update_hazard(
    hazard_id: int, *, name: str, hazard_class: str, active: bool, sort_order=None
) -> HazardType:
    """Rename, regroup, reorder or (de)activate a hazard type. The code never changes: it is
    already printed in the codes of past events."""
    hazard = get_hazard_type(hazard_id)
    values = _hazard_values(name, hazard_class, sort_order, hazard.id)
    hazard.name = values["name"]
    hazard.hazard_class = values["hazard_class"]
    if values["sort_order"] is not None:
        hazard.sort_order = values["sort_order"]
    hazard.active = bool(active)
    db.session.flush()
    return hazard
