"""SPM settings of the office: standard quantities, what "terpenuhi" means, yearly targets."""

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import delete, select

from logistics.core import inputs, spreadsheets
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.spm_components import SPM_COMPONENTS, SPM_SUBKEGIATAN
from logistics.events.models import PEOPLE_STATUSES
from logistics.spm import rules as spm
from logistics.spm.models import (
    AGGREGATION_MODES,
    BASES,
    INDICATORS,
    PERIODS,
    SpmMetRule,
    SpmStandard,
    SpmTarget,
)

# Office defaults (DOMAIN.md section 8): the displaced need food, clothing and shelter; people
# affected at home and the injured need food.
DEFAULT_MET_RULES = {
    "mengungsi": ("permakanan", "sandang", "tempat_penampungan"),
    "menderita": ("permakanan",),
    "terluka": ("permakanan",),
}


def seed_standards(path: Path) -> int:
    """Insert the standards table from data/ (only used when the office has none)."""
    added = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            db.session.add(
                SpmStandard(
                    code=row["code"],
                    need=row["need"],
                    component=row["component"],
                    quantity=Decimal(row["quantity"]),
                    unit=row["unit"],
                    basis=row["basis"],
                    period=row["period"],
                    days_from=int(row["days_from"] or 1),
                    days_to=int(row["days_to"]) if row["days_to"] else None,
                    item_code=row["item_code"] or None,
                    source=row["source"],
                    valid_from=date.fromisoformat(row["valid_from"]),
                )
            )
            added += 1
    db.session.flush()
    return added


def seed_met_rules() -> None:
    """Insert the default meaning of "terpenuhi" per victim status."""
    for status, components in DEFAULT_MET_RULES.items():
        for component in components:
            db.session.add(SpmMetRule(status=status, component=component))
    db.session.flush()


def met_rules() -> dict[str, set[str]]:
    """{status: components that make a victim of that status "terpenuhi"}."""
    rules: dict[str, set[str]] = {}
    for rule in db.session.scalars(select(SpmMetRule)):
        rules.setdefault(rule.status, set()).add(rule.component)
    return rules


def set_met_rules(rules: dict[str, list[str]]) -> dict[str, set[str]]:
    """Replace the office setting; statuses left out need nothing (e.g. meninggal)."""
    cleaned: dict[str, set[str]] = {}
    for status, components in rules.items():
        if status not in PEOPLE_STATUSES:
            raise DomainError(f"Status korban '{status}' tidak dikenal.", field="rules")
        for component in components:
            if component not in SPM_COMPONENTS:
                raise DomainError(f"Komponen SPM '{component}' tidak dikenal.", field="rules")
        if components:
            cleaned[status] = set(components)
    if not cleaned:
        raise DomainError(
            "Pilih paling sedikit satu komponen untuk satu status korban; tanpa itu tidak ada "
            "korban yang dapat dihitung terpenuhi.",
            field="rules",
        )
    db.session.execute(delete(SpmMetRule))
    for status, components in cleaned.items():
        for component in sorted(components):
            db.session.add(SpmMetRule(status=status, component=component))
    db.session.flush()
    return cleaned


def list_standards() -> list[SpmStandard]:
    return list(
        db.session.scalars(
            select(SpmStandard).order_by(
                SpmStandard.component, SpmStandard.code, SpmStandard.valid_from
            )
        )
    )


def pure_standards() -> list[spm.Standard]:
    """The stored standards as the pure module's dataclasses."""
    return [
        spm.Standard(
            code=s.code,
            quantity=Decimal(s.quantity),
            unit=s.unit,
            basis=s.basis,
            period=s.period,
            valid_from=s.valid_from,
            days_from=s.days_from,
            days_to=s.days_to,
            item_code=s.item_code,
            source=s.source,
        )
        for s in list_standards()
    ]


def _decimal(value, field: str, label: str) -> Decimal:
    if inputs.is_blank(value):
        raise DomainError(f"{label} wajib diisi.", field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(f"{label} harus angka, bukan '{value}'.", field=field) from None
    if not number.is_finite() or number < 0:
        raise DomainError(f"{label} harus angka tidak negatif.", field=field)
    return number


def save_standard(data: dict, standard: SpmStandard | None = None) -> SpmStandard:
    """Create or change a standard; a new valid_from keeps the older version for past days."""
    code = inputs.text(data.get("code"), "code", "Kode", 40, required=True)
    quantity = _decimal(data.get("quantity"), "quantity", "Jumlah standar")
    if quantity == 0:
        raise DomainError("Jumlah standar harus lebih dari 0.", field="quantity")
    component = data.get("component") or ""
    if component not in SPM_COMPONENTS:
        raise DomainError("Pilih komponen SPM.", field="component")
    basis = data.get("basis") or "person"
    if basis not in BASES:
        raise DomainError("Dasar hitung harus per orang atau per KK.", field="basis")
    period = data.get("period") or "day"
    if period not in PERIODS:
        raise DomainError("Periode harus per hari atau per kejadian.", field="period")
    days_from = inputs.whole_number(data.get("days_from"), "days_from", "Mulai hari ke") or 1
    days_to = inputs.whole_number(data.get("days_to"), "days_to", "Sampai hari ke")
    if days_to is not None and days_to < days_from:
        raise DomainError("'Sampai hari ke' tidak boleh sebelum 'mulai hari ke'.", field="days_to")
    valid_from = inputs.day(data.get("valid_from"), "valid_from", "Berlaku mulai", required=True)
    clash = db.session.scalar(
        select(SpmStandard).where(SpmStandard.code == code, SpmStandard.valid_from == valid_from)
    )
    if clash is not None and clash is not standard:
        raise DomainError(
            f"Standar {code} yang berlaku mulai {valid_from:%d-%m-%Y} sudah ada; ubah yang itu.",
            field="valid_from",
        )
    standard = standard or SpmStandard()
    standard.code = code
    standard.need = inputs.text(data.get("need"), "need", "Kebutuhan", 120, required=True)
    standard.component = component
    standard.quantity = quantity
    standard.unit = inputs.text(data.get("unit"), "unit", "Satuan", 20, required=True)
    standard.basis = basis
    standard.period = period
    standard.days_from = days_from
    standard.days_to = days_to
    standard.item_code = inputs.text(data.get("item_code"), "item_code", "Kode barang", 30) or None
    standard.source = inputs.text(
        data.get("source"), "source", "Sumber regulasi", 200, required=True
    )
    standard.valid_from = valid_from
    db.session.add(standard)
    db.session.flush()
    return standard


def get_standard(standard_id: int) -> SpmStandard:
    standard = db.session.get(SpmStandard, standard_id)
    if standard is None:
        raise NotFound("Standar tidak ditemukan.")
    return standard


def list_targets(year: int | None = None) -> list[SpmTarget]:
    query = select(SpmTarget).order_by(SpmTarget.year, SpmTarget.indicator)
    if year is not None:
        query = query.where(SpmTarget.year == year)
    return list(db.session.scalars(query))


def save_target(data: dict) -> SpmTarget:
    """Set the target of an indicator for a year (replacing that year's value)."""
    year = inputs.whole_number(data.get("year"), "year", "Tahun", required=True, maximum=2100)
    if year < 2000:
        raise DomainError("Tahun anggaran harus 2000 atau sesudahnya.", field="year")
    indicator = data.get("indicator") or ""
    if indicator not in INDICATORS:
        raise DomainError("Pilih indikator dari daftar.", field="indicator")
    mode = data.get("mode") or "sum"
    if mode not in AGGREGATION_MODES:
        raise DomainError("Pilih cara penjumlahan target.", field="mode")
    value = _decimal(data.get("value"), "value", "Nilai target")
    unit = inputs.text(data.get("unit"), "unit", "Satuan", 20, required=True)
    target = db.session.scalar(
        select(SpmTarget).where(SpmTarget.year == year, SpmTarget.indicator == indicator)
    ) or SpmTarget(year=year, indicator=indicator)
    target.value = value
    target.unit = unit
    target.mode = mode
    target.lower_is_better = inputs.flag(
        data.get("lower_is_better"), "lower_is_better", "Makin kecil makin baik", lenient=True
    )
    target.source = inputs.text(data.get("source"), "source", "Sumber (Renstra/Renja/SK)", 200)
    db.session.add(target)
    db.session.flush()
    return target


def delete_target(target_id: int) -> None:
    target = db.session.get(SpmTarget, target_id)
    if target is None:
        raise NotFound("Target tidak ditemukan.")
    db.session.delete(target)
    db.session.flush()


# Column names a plan spreadsheet may use, to ours.
TARGET_COLUMNS = {
    "tahun": "year",
    "year": "year",
    "indikator": "indicator",
    "indicator": "indicator",
    "sub_kegiatan": "indicator",
    "kode": "indicator",
    "nilai": "value",
    "target": "value",
    "value": "value",
    "satuan": "unit",
    "unit": "unit",
    "cara_hitung": "mode",
    "mode": "mode",
    "sumber": "source",
    "source": "source",
}
MODE_WORDS = {
    "jumlah": "sum",
    "dijumlah": "sum",
    "tingkat": "level",
    "akhir_tahun": "year_end",
    **{mode: mode for mode in AGGREGATION_MODES},
}


def _subkegiatan_key(code: str) -> str:
    # Offices write 1.06.06.2.01.0001 and 1.06.06.02.01.0001 for the same sub-kegiatan.
    return ".".join(part.lstrip("0") or "0" for part in code.strip().split("."))


def indicator_code(value) -> str:
    """An indicator from its code, its label or its sub-kegiatan code (with or without zeros)."""
    cleaned = str(value or "").strip()
    if cleaned in INDICATORS:
        return cleaned
    by_code = {_subkegiatan_key(code): comp for comp, code in SPM_SUBKEGIATAN.items()}
    # The preparedness sub-kegiatan name their output: KSB formed, Tagana deployed.
    by_code.update(
        {
            _subkegiatan_key("1.06.06.2.02.0001"): "ksb",
            _subkegiatan_key("1.06.06.2.02.0002"): "tagana",
        }
    )
    if _subkegiatan_key(cleaned) in by_code:
        return by_code[_subkegiatan_key(cleaned)]
    by_label = {label.lower(): key for key, label in INDICATORS.items()}
    return by_label.get(cleaned.lower(), cleaned)


def read_table(filename: str, stream) -> list[dict]:
    """Rows of an uploaded CSV or XLSX as dicts keyed by lower-case header."""
    content = stream.read()
    table = spreadsheets.read_table(
        content if isinstance(content, bytes) else content.encode(), filename
    )
    headers = [str(h or "").strip().lower().replace(" ", "_") for h in table.headers]
    return [dict(zip(headers, row, strict=False)) for _, row in table.rows if any(row)]


def import_targets(rows: list[dict]) -> int:
    """Set every target of a plan spreadsheet; one bad row refuses the whole file (caller rolls back)."""
    if not rows:
        raise DomainError("Tidak ada baris target dalam berkas.", field="file")
    for number, row in enumerate(rows, start=2):
        data = {}
        for header, value in row.items():
            if header in TARGET_COLUMNS:
                data[TARGET_COLUMNS[header]] = value if value is not None else ""
        data["indicator"] = indicator_code(data.get("indicator"))
        mode = str(data.get("mode") or "sum").strip().lower().replace(" ", "_")
        data["mode"] = MODE_WORDS.get(mode, mode)
        for key in ("year", "value"):
            if isinstance(data.get(key), float) and data[key].is_integer():
                data[key] = int(data[key])
            data[key] = str(data.get(key, "")).strip()
        try:
            save_target(data)
        except DomainError as exc:
            raise DomainError(f"Baris {number}: {exc.message}", field="file") from None
    return len(rows)
