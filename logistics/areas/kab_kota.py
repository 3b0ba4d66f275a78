"""The kab/kota column and subtotals of a provinsi office's lists: which kab/kota a code is in."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.office import office_info

KAB_KOTA_HEADER = "Kabupaten/kota"


@dataclass(frozen=True)
class KabKotaGroup:
    """The rows of one kab/kota in a list, in the list's own order ("Provinsi" for the
    office's own stores)."""

    code: str
    label: str
    rows: list = field(default_factory=list)


def group_by_kab_kota(rows, area_of) -> list[KabKotaGroup]:
    """Rows grouped by the kab/kota of `area_of(row)`, kab/kota by code, the office's own first."""
    names = kab_kota_names()
    groups: dict[str, KabKotaGroup] = {}
    for row in rows:
        code = kab_kota_code(area_of(row))
        if code not in groups:
            groups[code] = KabKotaGroup(code, kab_kota_label(code, names))
        groups[code].rows.append(row)
    return [groups[code] for code in sorted(groups)]


def by_kab_kota() -> bool:
    """Lists carry a kab/kota column and subtotals in a provinsi office only."""
    return office_info().level == "provinsi"


def kab_kota_code(code: str | None) -> str:
    return ".".join(code.split(".")[:2]) if code and code.count(".") >= 1 else ""


def kab_kota_names() -> dict[str, str]:
    """Kab/kota code → name, for the column and the subtotal rows."""
    rows = db.session.execute(select(Area.code, Area.name).where(Area.level == "kab_kota"))
    return dict(rows.all())


def kab_kota_label(code: str | None, names: dict[str, str]) -> str:
    """The kab/kota an area lies in, by name; "Provinsi" for the office's own (no kab/kota)."""
    kab = kab_kota_code(code)
    if not kab:
        return "Provinsi"
    return names.get(kab, kab)


def kab_kota_expression(column):
    """SQL: the kab/kota code of an area code column ("17.02.01.2001" → "17.02"); Kemendagri
    writes provinsi and kab/kota with two digits each."""
    return func.substr(column, 1, 5)
