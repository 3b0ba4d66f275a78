"""The Renstra period side by side: target, realisasi and capaian per indicator for five years."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from logistics.budget import services as budget
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.models import AuditEntry
from logistics.core.time import default_year, office_date, utcnow
from logistics.reports import year_figures, year_report
from logistics.spm.models import INDICATORS
from logistics.tagana.models import KampungSiagaBencana, TaganaMember

PERIOD_YEARS = 5

NOTES = (
    "Setiap angka tahunan diambil dari laporan akhir tahun tahun yang sama, dengan definisi "
    "yang sama; capaian = realisasi / target x 100, dibulatkan setengah ke atas dua desimal.",
    "Anggota Tagana aktif pada tahun Y: bergabung (tanggal bergabung, selain itu tanggal SK, "
    "selain itu tanggal pendaftaran) paling lambat 31 Desember Y, dan masih aktif atau "
    "dinonaktifkan paling cepat 1 Januari Y. Tanggal keluar adalah tanggal perubahan status "
    "menjadi tidak aktif menurut log audit; anggota tidak aktif tanpa catatan itu tidak dihitung.",
    "KSB ada pada tahun Y: dibentuk paling lambat tahun Y, dan masih aktif atau dinonaktifkan "
    "paling cepat 1 Januari Y (menurut log audit), dengan aturan yang sama seperti Tagana.",
    "Serapan anggaran: realisasi / pagu seluruh program tahun itu x 100.",
    "Angka tiap tahun dari laporan akhir tahun disimpan setelah dihitung dan dihitung ulang bila "
    "data tahun itu berubah, semutakhir tabel capaian SPM tahunan yang diperbarui proses latar.",
)


def _left_on(table: str) -> dict[str, date]:
    """Per row id: the office date its active flag last went from true to false (audit log)."""
    left: dict[str, date] = {}
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == table, AuditEntry.action == "update")
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in entries:
        change = (entry.changes or {}).get("active")
        if not change:
            continue
        if change[1] is False or change[1] == "False":
            left[entry.entity_id] = office_date(entry.at)
        else:
            left.pop(entry.entity_id, None)  # reactivated: the earlier exit no longer holds
    return left


def _present(active: bool, left: date | None, year: int) -> bool:
    if active:
        return True
    return left is not None and left >= date(year, 1, 1)


def tagana_history(years: list[int]) -> dict[int, dict]:
    """Per year: members who joined, left, and were active at some time in the year."""
    left_on = _left_on(TaganaMember.__tablename__)
    result = {y: {"joined": 0, "left": 0, "active": 0} for y in years}
    for member in db.session.scalars(select(TaganaMember)):
        joined = member.joined_on or member.decree_date or office_date(member.created_at)
        left = None if member.active else left_on.get(str(member.id))
        if not member.active and left is None:
            continue  # inactive with no recorded exit: no year can be vouched for
        for year in years:
            row = result[year]
            row["joined"] += joined.year == year
            row["left"] += left is not None and left.year == year
            row["active"] += joined <= date(year, 12, 31) and _present(member.active, left, year)
    return result


def ksb_history(years: list[int]) -> dict[int, int]:
    """Per year: KSB formed by the end of the year and not yet disbanded at its start."""
    left_on = _left_on(KampungSiagaBencana.__tablename__)
    result = dict.fromkeys(years, 0)
    for group in db.session.scalars(select(KampungSiagaBencana)):
        left = None if group.active else left_on.get(str(group.id))
        for year in years:
            result[year] += group.formed_year <= year and _present(group.active, left, year)
    return result


def years() -> list[int]:
    """Every year with data (events, budget, Tagana or KSB), newest first."""
    found = set(year_report.years())
    found |= {y for y in db.session.scalars(select(KampungSiagaBencana.formed_year)) if y}
    for member in db.session.scalars(select(TaganaMember)):
        found.add((member.joined_on or member.decree_date or office_date(member.created_at)).year)
    return sorted(found, reverse=True)


def default_start(available: list[int]) -> int:
    """The start of the five-year period holding the latest year with data (not a future one)."""
    latest = default_year(available)
    earliest = min([y for y in available if y <= latest] or [latest])
    return max(earliest, latest - PERIOD_YEARS + 1)


def _cell(realisasi, target=None) -> dict:
    """A figure with no target set for it: no capaian."""
    return {"target": target, "realisasi": realisasi, "capaian": None}


# (key, label, unit) of each row, in the order the table prints them.
ROWS = (
    ("capaian_spm", INDICATORS["capaian_spm"], "%"),
    ("jiwa_tertangani", "Korban bencana tertangani", "jiwa"),
    ("persen_korban_dibantu", INDICATORS["persen_korban_dibantu"], "%"),
    ("tagana", INDICATORS["tagana"], "orang"),
    ("tagana_aktif", "Anggota Tagana aktif pada tahun itu", "orang"),
    ("tagana_bergabung", "Anggota Tagana bergabung", "orang"),
    ("tagana_keluar", "Anggota Tagana keluar", "orang"),
    ("ksb", INDICATORS["ksb"], "KSB"),
    ("ksb_ada", "KSB ada pada tahun itu", "KSB"),
    ("lumbung_sosial", INDICATORS["lumbung_sosial"], "kelurahan"),
    ("serapan", "Serapan anggaran", "%"),
)


def _year_cells(kept: dict, tagana: dict, ksb: int) -> dict[str, dict]:
    return {
        **kept,
        "tagana_aktif": _cell(tagana["active"]),
        "tagana_bergabung": _cell(tagana["joined"]),
        "tagana_keluar": _cell(tagana["left"]),
        "ksb_ada": _cell(ksb),
    }


def build(start: int) -> dict:
    """The five-year table starting at `start`: one row per indicator, one cell per year."""
    start = budget.fiscal_year(start, "mulai")
    if start + PERIOD_YEARS - 1 > 2100:
        raise DomainError("Tahun awal periode terlalu besar.", field="mulai")
    period = list(range(start, start + PERIOD_YEARS))
    tagana = tagana_history(period)
    ksb = ksb_history(period)
    # Each year's report figures are kept once computed (year_figures): five year-end reports
    # per view would take half a minute at province scale.
    kept = year_figures.cells(period)
    cells = {y: _year_cells(kept[y], tagana[y], ksb[y]) for y in period}
    rows = [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "years": [{"year": y, **cells[y][key]} for y in period],
        }
        for key, label, unit in ROWS
    ]
    return {
        "start": start,
        "end": period[-1],
        "years": period,
        "rows": rows,
        "office_name": current_app.config["OFFICE_NAME"],
        "generated_at": utcnow(),
        "notes": NOTES,
    }
