"""Kampung Siaga Bencana: one per kelurahan/desa, its years of facilitation and its lumbung
sosial."""

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import func, or_, select

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_today
from logistics.core.wording import istilah
from logistics.stock.models import Warehouse
from logistics.stock.models.catalogue import WAREHOUSE_TIERS
from logistics.tagana.models import KampungSiagaBencana
from logistics.tagana.parsing import clean_text, parse_phone
from logistics.tagana.places import get_warehouse

FIRST_KSB_YEAR = 2000  # the table's own check constraint
LUMBUNG_SOSIAL = "lumbung_sosial"  # the warehouse tier of a KSB's lumbung sosial


KSB_FIELDS = (
    "name",
    "kelurahan_code",
    "formed_year",
    "facilitation_years",
    "decree_number",
    "contact_name",
    "contact_phone",
    "warehouse_id",
    "active",
)


def get_ksb(ksb_id: int) -> KampungSiagaBencana:
    """A KSB by id, or NotFound."""
    ksb = db.session.get(KampungSiagaBencana, ksb_id)
    if ksb is None:
        raise NotFound(f"Kampung Siaga Bencana {ksb_id} tidak ditemukan.")
    return ksb


def _years(value, formed_year: int | None, this_year: int) -> list[int]:
    if inputs.is_blank(value):
        return []
    items = re.split(r"[,;\s]+", value.strip()) if isinstance(value, str) else list(value)
    years = set()
    for item in items:
        if inputs.is_blank(item):
            continue
        year = inputs.whole_number(item, "facilitation_years", "Tahun pembinaan")
        if year is None or not FIRST_KSB_YEAR <= year <= this_year:
            raise DomainError(
                f"Tahun pembinaan '{item}' harus antara {FIRST_KSB_YEAR} dan {this_year}.",
                field="facilitation_years",
            )
        if formed_year is not None and year < formed_year:
            raise DomainError(
                f"Tahun pembinaan {year} sebelum tahun terbentuk ({formed_year}).",
                field="facilitation_years",
            )
        years.add(year)
    return sorted(years)


def _ksb_values(values: Mapping, ksb: KampungSiagaBencana | None = None) -> dict:
    unknown = sorted(set(values) - set(KSB_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    this_year = office_today().year
    parsed: dict = {}
    if "name" in values:
        parsed["name"] = clean_text(values["name"], "name", "Nama KSB", 200, required=True)
    if "kelurahan_code" in values:
        parsed["kelurahan_code"] = require_kelurahan(values["kelurahan_code"]).code
        other = db.session.scalar(
            select(KampungSiagaBencana).where(
                KampungSiagaBencana.kelurahan_code == parsed["kelurahan_code"],
                KampungSiagaBencana.id != (ksb.id if ksb is not None else -1),
            )
        )
        if other is not None:
            raise Conflict(
                f"{istilah('wilayah').capitalize()} ini sudah punya KSB '{other.name}'; satu KSB per "
                f"{istilah('wilayah')}. Ubah data KSB itu bila perlu.",
                field="kelurahan_code",
            )
    if "formed_year" in values:
        year = inputs.whole_number(
            values["formed_year"], "formed_year", "Tahun terbentuk", required=True
        )
        if not FIRST_KSB_YEAR <= year <= this_year:
            raise DomainError(
                f"Tahun terbentuk harus antara {FIRST_KSB_YEAR} dan {this_year}.",
                field="formed_year",
            )
        parsed["formed_year"] = year
    formed = parsed.get("formed_year", ksb.formed_year if ksb is not None else None)
    if "facilitation_years" in values:
        parsed["facilitation_years"] = _years(values["facilitation_years"], formed, this_year)
    elif "formed_year" in parsed and ksb is not None:
        _years(ksb.facilitation_years, formed, this_year)
    if "decree_number" in values:
        parsed["decree_number"] = clean_text(
            values["decree_number"], "decree_number", "Nomor SK", 120
        )
    if "contact_name" in values:
        parsed["contact_name"] = clean_text(
            values["contact_name"], "contact_name", "Nama kontak", 160
        )
    if "contact_phone" in values:
        parsed["contact_phone"] = parse_phone(
            values["contact_phone"], "contact_phone", "Telepon kontak"
        )
    if "warehouse_id" in values:
        parsed["warehouse_id"] = _lumbung_sosial(values["warehouse_id"], ksb)
    if "active" in values:
        parsed["active"] = inputs.flag(values["active"], "active", "Aktif", lenient=True)
    return parsed


def _lumbung_sosial(value, ksb: KampungSiagaBencana | None) -> int | None:
    """The KSB's lumbung sosial: a warehouse of tier lumbung_sosial, active (the current link
    may stay after the warehouse is deactivated) and not the lumbung sosial of another KSB."""
    label = "Lumbung sosial"
    warehouse = get_warehouse(value, "warehouse_id", label)
    if warehouse is None:
        return None
    if warehouse.tier != LUMBUNG_SOSIAL:
        tier = WAREHOUSE_TIERS.get(warehouse.tier, warehouse.tier)
        raise DomainError(
            f"Gudang '{warehouse.name}' ({warehouse.code}) tercatat sebagai {tier}, bukan "
            "lumbung sosial; pilih gudang bertingkat lumbung sosial.",
            field="warehouse_id",
        )
    unchanged = ksb is not None and ksb.warehouse_id == warehouse.id
    if not warehouse.active and not unchanged:
        raise DomainError(
            f"Lumbung sosial '{warehouse.name}' ({warehouse.code}) tidak aktif; pilih yang lain.",
            field="warehouse_id",
        )
    other = db.session.scalar(
        select(KampungSiagaBencana).where(
            KampungSiagaBencana.warehouse_id == warehouse.id,
            KampungSiagaBencana.id != (ksb.id if ksb is not None and ksb.id else -1),
        )
    )
    if other is not None:
        raise Conflict(
            f"Lumbung sosial '{warehouse.name}' ({warehouse.code}) sudah ditautkan ke KSB "
            f"'{other.name}'; satu lumbung sosial untuk satu KSB. Lepaskan tautan di KSB itu "
            "lebih dulu bila perlu.",
            field="warehouse_id",
            details={"ksb_id": other.id},
        )
    return warehouse.id


def lumbung_choices(
    ksb: KampungSiagaBencana | None = None, scope: Scope = WHOLE_OFFICE
) -> list[Warehouse]:
    """Active lumbung sosial warehouses no other KSB uses (and the KSB's own), by name."""
    own = ksb.warehouse_id if ksb is not None and ksb.warehouse_id else -1
    taken = select(KampungSiagaBencana.warehouse_id).where(
        KampungSiagaBencana.warehouse_id.is_not(None),
        KampungSiagaBencana.id != (ksb.id if ksb is not None and ksb.id else -1),
    )
    query = select(Warehouse).where(
        Warehouse.tier == LUMBUNG_SOSIAL,
        or_(Warehouse.id == own, Warehouse.active.is_(True) & Warehouse.id.not_in(taken)),
    )
    query = scope.narrow(query, Warehouse.kelurahan_code)
    return list(db.session.scalars(query.order_by(Warehouse.name, Warehouse.code)))


def ksb_warehouses(items: Iterable[KampungSiagaBencana]) -> dict[int, Warehouse]:
    """warehouse id -> Warehouse of the KSB's lumbung sosial, in one query."""
    ids = {k.warehouse_id for k in items if k.warehouse_id}
    if not ids:
        return {}
    return {w.id: w for w in db.session.scalars(select(Warehouse).where(Warehouse.id.in_(ids)))}


def register_ksb(
    *,
    name: str,
    kelurahan_code: str,
    formed_year: int | str,
    facilitation_years: Iterable[int] | str | None = None,
    decree_number: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    warehouse_id: int | None = None,
    active: bool = True,
) -> KampungSiagaBencana:
    """Register a Kampung Siaga Bencana; one per kelurahan/desa.

    Its lumbung sosial (warehouse_id, optional) is a registered warehouse of tier
    lumbung_sosial, active and not linked to another KSB (Conflict naming that KSB).
    """
    values = _ksb_values(
        {
            "name": name,
            "kelurahan_code": kelurahan_code,
            "formed_year": formed_year,
            "facilitation_years": facilitation_years,
            "decree_number": decree_number,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "warehouse_id": warehouse_id,
            "active": active,
        }
    )
    ksb = KampungSiagaBencana(**values)
    db.session.add(ksb)
    db.session.flush()
    return ksb


def update_ksb(ksb: KampungSiagaBencana, **changes) -> KampungSiagaBencana:
    """Change the given fields of a KSB; the same checks as register_ksb."""
    values = _ksb_values(changes, ksb)
    for key, value in values.items():
        setattr(ksb, key, value)
    db.session.flush()
    return ksb


def ksb_query(kecamatan_code: str = "", q: str = "", scope: Scope = WHOLE_OFFICE):
    """A select of KSB of the wilayah, optionally within a kecamatan and matching a name."""
    query = scope.narrow(select(KampungSiagaBencana), KampungSiagaBencana.kelurahan_code)
    if kecamatan_code:
        query = query.where(KampungSiagaBencana.kelurahan_code.startswith(kecamatan_code))
    if q.strip():
        query = query.where(KampungSiagaBencana.name.ilike(f"%{q.strip()}%"))
    return query.order_by(KampungSiagaBencana.kelurahan_code, KampungSiagaBencana.name)


def list_ksb(
    kecamatan_code: str = "", q: str = "", scope: Scope = WHOLE_OFFICE
) -> list[KampungSiagaBencana]:
    """The KSB of ksb_query, as a list."""
    return list(db.session.scalars(ksb_query(kecamatan_code, q, scope)))


def ksb_area_codes(ksb_id: int) -> list[str | None] | None:
    """The KSB's kelurahan, for the scope guard (None: no such KSB)."""
    code = db.session.scalar(
        select(KampungSiagaBencana.kelurahan_code).where(KampungSiagaBencana.id == ksb_id)
    )
    return None if code is None else [code]


def ksb_count(scope: Scope = WHOLE_OFFICE) -> int:
    """How many KSB of the wilayah are registered."""
    query = ksb_query(scope=scope)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))
