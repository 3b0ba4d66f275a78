"""Kab/kota in a provinsi office's lists and reports: which kab/kota a code lies in, rows
grouped with subtotals, and the scope a report is made for."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, literal_column, select

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.core.scope import WHOLE_OFFICE, Scope


def by_kab_kota() -> bool:
    """Whether the office's reports group by kab/kota: a provinsi office works with several;
    a kab/kota office is one, so a kab/kota column would say the same thing on every row."""
    return office_info().level == "provinsi"


def kab_kota_of(code: str | None) -> str:
    """The kab/kota code of an area code: 17.02.01.2001 → 17.02 ("" for a province or none)."""
    parts = (code or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else ""


def names_of(codes: Iterable[str]) -> dict[str, str]:
    """Area names by code (codes without an area are left out)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    return dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(wanted))).all())


def label(code: str, names: dict[str, str]) -> str:
    """'Rejang Lebong (17.02)', or the code alone when the area is unknown."""
    name = names.get(code)
    return f"{name} ({code})" if name else (code or "Tanpa wilayah")


def grouped(rows: list[dict], code_key: str, sums: Iterable[str]) -> list[dict]:
    """Rows split per kab/kota of `row[code_key]`, in code order, each group with the sums of
    the `sums` columns: [{"code", "name", "rows", "totals"}]. The groups' totals add up to the
    rows' total because every row is in exactly one group."""
    sums = tuple(sums)
    groups: dict[str, dict] = {}
    for row in rows:
        code = kab_kota_of(row.get(code_key))
        group = groups.setdefault(
            code, {"code": code, "rows": [], "totals": dict.fromkeys(sums, 0)}
        )
        group["rows"].append(row)
        for key in sums:
            group["totals"][key] += row.get(key) or 0
    names = names_of(groups)
    ordered = [groups[code] for code in sorted(groups)]
    for group in ordered:
        group["name"] = label(group["code"], names)
    return ordered


def annotate(rows: list[dict], code_key: str) -> list[dict]:
    """Each row with its kab/kota's code and name (`kab_kota_code`, `kab_kota_name`)."""
    codes = {kab_kota_of(row.get(code_key)) for row in rows}
    names = names_of(codes)
    for row in rows:
        code = kab_kota_of(row.get(code_key))
        row["kab_kota_code"] = code
        row["kab_kota_name"] = names.get(code, code)
    return rows


def report_scope(scope: Scope) -> Scope:
    """The scope a report is made for: a user who sees the whole office area (a provincial
    viewer scoped to the province itself) gets the office's report, not a copy of it."""
    if scope.whole_office or not scope.see:
        return WHOLE_OFFICE
    office = office_info().area_code
    return WHOLE_OFFICE if office and scope.sees(office) else scope


def sees_whole_office(scope: Scope) -> bool:
    """Whether the scope sees the whole office area (no see codes, or codes covering it)."""
    return not report_scope(scope).see


def scope_key(scope: Scope) -> str | None:
    """How a generated file records the scope it was made for; None for the whole office."""
    scope = report_scope(scope)
    return " ".join(sorted(scope.see)) if scope.see else None


def scope_label(scope: Scope) -> str | None:
    """'Wilayah: Bengkulu Selatan (17.01)' for a report narrowed to a scope; None otherwise."""
    scope = report_scope(scope)
    if not scope.see:
        return None
    names = names_of(scope.see)
    return "Wilayah: " + ", ".join(label(code, names) for code in scope.see)


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
        code = kab_kota_of(area_of(row))
        if code not in groups:
            groups[code] = KabKotaGroup(code, kab_kota_label(code, names))
        groups[code].rows.append(row)
    return [groups[code] for code in sorted(groups)]


def kab_kota_names() -> dict[str, str]:
    """Kab/kota code → name, for the column and the subtotal rows."""
    rows = db.session.execute(select(Area.code, Area.name).where(Area.level == "kab_kota"))
    return dict(rows.all())


def kab_kota_label(code: str | None, names: dict[str, str]) -> str:
    """The kab/kota an area lies in, by name; "Provinsi" for the office's own (no kab/kota)."""
    kab = kab_kota_of(code)
    if not kab:
        return "Provinsi"
    return names.get(kab, kab)


def kab_kota_expression(column):
    """SQL: the kab/kota code of an area code column ("17.02.01.2001" → "17.02"); Kemendagri
    writes provinsi and kab/kota with two digits each."""
    return func.substr(column, literal_column("1"), literal_column("5"))
