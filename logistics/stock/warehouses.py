"""Warehouses of every tier: Kemensos regional, provinsi, kab/kota, lumbung sosial, posko store."""

import re
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import func, select

from logistics.areas.kab_kota import KabKotaGroup, group_by_kab_kota
from logistics.areas.models import Area
from logistics.areas.services import lookup_point, require_kelurahan
from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope, in_area
from logistics.core.wording import contoh_kantor, istilah
from logistics.shelters.models import Shelter
from logistics.stock import wilayah
from logistics.stock.models import Warehouse
from logistics.stock.models.catalogue import WAREHOUSE_TIERS

WAREHOUSE_FIELDS = (
    "code",
    "name",
    "tier",
    "kelurahan_code",
    "address",
    "lat",
    "lng",
    "shelter_id",
    "pic_name",
    "pic_phone",
    "active",
)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.-]*$")
_PHONE = re.compile(r"^\+?[0-9 ()-]+$")


def _code(value) -> str | None:
    code = inputs.text(value, "code", "Kode gudang", 30).upper()
    if not code:
        return None
    if not _CODE.match(code):
        raise DomainError(
            f"Kode gudang '{code}' hanya boleh huruf, angka, titik dan -, mis. GDG-{contoh_kantor()}-01.",
            field="code",
        )
    return code


def _tier(value) -> str:
    tier = value.strip() if isinstance(value, str) else ""
    if tier not in WAREHOUSE_TIERS:
        choices = ", ".join(WAREHOUSE_TIERS)
        raise DomainError(f"Tingkat gudang wajib dipilih dari: {choices}.", field="tier")
    return tier


def _phone(value) -> str:
    text = inputs.text(value, "pic_phone", "Nomor telepon penanggung jawab", 32)
    digits = re.sub(r"\D", "", text)
    if text and (not _PHONE.match(text) or not 6 <= len(digits) <= 15):
        raise DomainError(
            f"Nomor telepon '{text}' tidak valid; tulis angka saja, mis. 081234567890.",
            field="pic_phone",
        )
    return text


def _shelter_id(value) -> int | None:
    number = inputs.whole_number(value, "shelter_id", "Tempat pengungsian")
    if number is None:
        return None
    if db.session.get(Shelter, number) is None:
        raise DomainError(f"Tempat pengungsian #{number} tidak ditemukan.", field="shelter_id")
    return number


def _values(values: Mapping) -> dict:
    unknown = sorted(set(values) - set(WAREHOUSE_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsers = {
        "code": _code,
        "name": lambda v: inputs.text(v, "name", "Nama gudang", 200, required=True),
        "tier": _tier,
        "kelurahan_code": lambda v: v,
        "address": lambda v: inputs.text(v, "address", "Alamat", 255),
        "lat": lambda v: inputs.coordinate(v, "lat", "Lintang", 90),
        "lng": lambda v: inputs.coordinate(v, "lng", "Bujur", 180),
        "shelter_id": _shelter_id,
        "pic_name": lambda v: inputs.text(v, "pic_name", "Nama penanggung jawab", 160),
        "pic_phone": _phone,
        "active": lambda v: inputs.flag(v, "active", "Aktif"),
    }
    errors = Collector()
    parsed = {key: errors.check(parsers[key], value) for key, value in values.items()}
    errors.raise_any()
    return parsed


def _locate(code, lat: float | None, lng: float | None) -> str:
    """The kelurahan code: the one given (checked), or the one the point lies in."""
    if code is not None and not isinstance(code, str):
        raise DomainError(f"Kode {istilah('wilayah')} harus berupa teks.", field="kelurahan_code")
    code = (code or "").strip()
    if (lat is None) != (lng is None):
        raise DomainError(
            "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.",
            field="lat" if lat is None else "lng",
        )
    if code:
        return require_kelurahan(code).code
    if lat is None:
        raise DomainError(
            f"Isi kode {istilah('wilayah')}, atau isi koordinat agar {istilah('wilayah')} terisi otomatis.",
            field="kelurahan_code",
        )
    try:
        return lookup_point(lat, lng).code
    except NotFound as exc:
        raise DomainError(
            f"Titik ini tidak berada di {istilah('wilayah')} mana pun yang dimuat; "
            f"periksa koordinat atau isi kode {istilah('wilayah')}.",
            field="kelurahan_code",
        ) from exc


def _check_code(code: str, warehouse: Warehouse | None) -> None:
    query = select(Warehouse.id).where(func.upper(Warehouse.code) == code)
    if warehouse is not None and warehouse.id is not None:
        query = query.where(Warehouse.id != warehouse.id)
    if db.session.scalar(query) is not None:
        raise Conflict(f"Kode gudang '{code}' sudah dipakai gudang lain.", field="code")


def generate_code(kelurahan_code: str | None) -> str:
    """GDG-<kab/kota digits>-NN, the next free number for the kab/kota of the kelurahan."""
    if kelurahan_code:
        region = "".join(kelurahan_code.split(".")[:2])
    else:
        region = "".join(current_app.config.get("OFFICE_AREA_CODE", "").split(".")[:2]) or "0000"
    prefix = f"GDG-{region}-"
    taken = set(
        db.session.scalars(select(Warehouse.code).where(Warehouse.code.like(f"{prefix}%"))).all()
    )
    number = len(taken) + 1
    while f"{prefix}{number:02d}" in taken:
        number += 1
    return f"{prefix}{number:02d}"


def _check_shelter(tier: str, shelter_id: int | None) -> None:
    if shelter_id is not None and tier != "posko":
        raise DomainError(
            "Hanya gudang sementara posko yang dapat dikaitkan ke tempat pengungsian.",
            field="shelter_id",
        )


def get_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(f"Gudang #{warehouse_id} tidak ditemukan.")
    return warehouse


def create_warehouse(scope: Scope = WHOLE_OFFICE, /, **values) -> Warehouse:
    """A new warehouse; it must lie in the user's record scope (a store of the office's own
    tier needs the whole office area: see `wilayah.OWN_TIERS`)."""
    for required in ("name", "tier"):
        values.setdefault(required, None)
    clean = _values(values)
    clean["kelurahan_code"] = _locate(
        clean.get("kelurahan_code"), clean.get("lat"), clean.get("lng")
    )
    _check_shelter(clean["tier"], clean.get("shelter_id"))
    _require_scope(scope, clean["tier"], clean["kelurahan_code"])
    if clean.get("code"):
        _check_code(clean["code"], None)
    else:
        clean["code"] = generate_code(clean["kelurahan_code"])
    warehouse = Warehouse(**clean)
    db.session.add(warehouse)
    db.session.flush()
    return warehouse


def _require_scope(scope: Scope, tier: str, kelurahan_code: str | None) -> None:
    probe = Warehouse(tier=tier, kelurahan_code=kelurahan_code)
    wilayah.require_records(scope, probe, "kelurahan_code")


def update_warehouse(warehouse: Warehouse, scope: Scope = WHOLE_OFFICE, /, **changes) -> Warehouse:
    clean = _values(changes)
    if "code" in clean:
        if clean["code"] is None:
            raise DomainError("Kode gudang wajib diisi.", field="code")
        _check_code(clean["code"], warehouse)
    if {"kelurahan_code", "lat", "lng"} & set(clean):
        lat = clean.get("lat", warehouse.lat)
        lng = clean.get("lng", warehouse.lng)
        given = clean.get("kelurahan_code", warehouse.kelurahan_code)
        if "kelurahan_code" not in clean and ("lat" in clean or "lng" in clean):
            given = None  # a moved point fills the kelurahan again
        clean["kelurahan_code"] = _locate(given, lat, lng)
    _check_shelter(clean.get("tier", warehouse.tier), clean.get("shelter_id", warehouse.shelter_id))
    # Moved or re-tiered, it must still be the user's to record.
    _require_scope(
        scope,
        clean.get("tier", warehouse.tier),
        clean.get("kelurahan_code", warehouse.kelurahan_code),
    )
    for key, value in clean.items():
        setattr(warehouse, key, value)
    db.session.flush()
    return warehouse


def deactivate_warehouse(warehouse: Warehouse) -> Warehouse:
    """Warehouses are kept for history: a closed one is set inactive, never deleted."""
    warehouse.active = False
    db.session.flush()
    return warehouse


def list_warehouses(
    *,
    tier: str | None = None,
    kelurahan_code: str | None = None,
    active: bool | None = None,
    scope: Scope = WHOLE_OFFICE,
) -> list[tuple[Warehouse, str]]:
    """(warehouse, kelurahan name) by tier order then name, filtered, within the scope."""
    query = select(Warehouse, Area.name).outerjoin(Area, Area.code == Warehouse.kelurahan_code)
    query = wilayah.narrow(query, scope)
    if tier:
        query = query.where(Warehouse.tier == tier)
    if kelurahan_code:
        query = query.where(in_area(Warehouse.kelurahan_code, kelurahan_code))
    if active is not None:
        query = query.where(Warehouse.active == active)
    rows = [(w, name or "") for w, name in db.session.execute(query)]
    order = list(WAREHOUSE_TIERS)
    return sorted(rows, key=lambda r: (order.index(r[0].tier), r[0].name.lower(), r[0].id))


def kelurahan_name(code: str | None) -> str:
    if not code:
        return ""
    return db.session.scalar(select(Area.name).where(Area.code == code)) or ""


def shelter_choices(scope: Scope = WHOLE_OFFICE) -> list[tuple[int, str]]:
    query = scope.narrow(select(Shelter).order_by(Shelter.name), Shelter.kelurahan_code)
    return [(s.id, s.name) for s in db.session.scalars(query)]


def by_kab_kota(rows: list[tuple[Warehouse, str]]) -> list[KabKotaGroup]:
    """A provinsi office's warehouse list grouped by kab/kota (the province's own stores first)."""
    return group_by_kab_kota(rows, lambda row: wilayah.warehouse_area(row[0]))
