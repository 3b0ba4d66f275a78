"""Import of a yearly budget plan (XLSX or CSV): row-by-row checks, all-or-nothing, flagged totals."""

import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from logistics.budget import funding
from logistics.budget import services as budget
from logistics.budget.models import BUDGET_LEVELS, TOTAL_FIELDS, BudgetNode
from logistics.budget.rules import Amounts
from logistics.core import inputs, spreadsheets, uploads
from logistics.core.audit import record_action
from logistics.core.errors import DomainError
from logistics.core.extensions import db

# A kota plan has tens of rows; a file far larger is something else.
MAX_ROWS = 2000
# How many errors a job's result keeps for its page; the count says how many there were.
ERRORS_IN_RESULT = 1000
# Uploads of plans wait for their import job in folders named so.
UPLOAD_PREFIX = "anggaran-"
# The suffixes a plan is read by (the content decides XLSX or CSV; the name only tells Excel's).
STORED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")

Progress = Callable[[int, str], None]


def no_progress(_percent: int, _message: str = "") -> None:
    """The progress callback of a run nobody watches (tests, the demo)."""


# Plans open with a title block (office, year, signature); the header row is looked for below it.
HEADER_SEARCH_ROWS = 15
AMOUNT_FIELDS = tuple(TOTAL_FIELDS)
# A program's or kegiatan's printed cash plan is only checked; its pagu is its own figure.
PLAN_FIELDS = tuple(key for key in AMOUNT_FIELDS if key.startswith("plan_q"))
_GRAND_TOTAL = re.compile(r"^\s*(jumlah|total)\b", re.IGNORECASE)

# (field, header in the template, other headers accepted)
COLUMNS = (
    ("code", "Kode", ("kode rekening", "kode anggaran", "kode program/kegiatan/sub kegiatan")),
    (
        "name",
        "Uraian",
        ("nama", "uraian program/kegiatan/sub kegiatan", "program/kegiatan/sub kegiatan"),
    ),
    ("pagu_awal", "Pagu awal", ("pagu", "pagu murni", "anggaran", "pagu induk")),
    ("pagu_perubahan", "Pagu perubahan", ("perubahan", "pagu p", "pagu apbd-p", "pagu apbdp")),
    ("plan_q1", "Triwulan I", ("tw i", "tw 1", "triwulan 1", "rencana triwulan i", "rencana tw i")),
    (
        "plan_q2",
        "Triwulan II",
        ("tw ii", "tw 2", "triwulan 2", "rencana triwulan ii", "rencana tw ii"),
    ),
    (
        "plan_q3",
        "Triwulan III",
        ("tw iii", "tw 3", "triwulan 3", "rencana triwulan iii", "rencana tw iii"),
    ),
    (
        "plan_q4",
        "Triwulan IV",
        ("tw iv", "tw 4", "triwulan 4", "rencana triwulan iv", "rencana tw iv"),
    ),
    ("funding_source", "Sumber dana", ("sumber", "sumber anggaran", "sumber pendanaan")),
)
LABELS = {key: label for key, label, _others in COLUMNS}


@dataclass
class RowError:
    """One problem in one cell (or in the whole row when column is empty)."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class TotalFlag:
    """A kegiatan/program figure that is not the sum of its parts: its own pagu (kept and used)
    or a printed cash-plan total (not used)."""

    row: int
    code: str
    name: str
    field: str
    printed: int
    computed: int

    @property
    def label(self) -> str:
        return TOTAL_FIELDS[self.field]

    @property
    def difference(self) -> int:
        return self.printed - self.computed


@dataclass
class ImportReport:
    """What an import found and did; nothing is saved while there is any error."""

    fiscal_year: int
    rows_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    flags: list[TotalFlag] = field(default_factory=list)
    lines_imported: int = 0
    nodes_added: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str
    level: str
    name: str
    values: dict[str, int | None]
    funding_source: str | None = None


def _header_key(text) -> str:
    text = re.sub(r"\(.*?\)", "", str(text or "")).lower()
    return " ".join(re.sub(r"[^a-z0-9/ -]", " ", text).split())


_ALIASES = {_header_key(name): key for key, label, others in COLUMNS for name in (label, *others)}


def _table(data: bytes, filename: str) -> list[tuple]:
    """The rows of the file's first sheet (XLSX) or of the CSV, blank rows above the header kept
    so that a row's index is its spreadsheet row number minus one."""
    # The plan's own bound (plus the rows above its header) unless the office set a lower one.
    limit = min(MAX_ROWS + HEADER_SEARCH_ROWS, current_app.config["IMPORT_MAX_ROWS"])
    table = spreadsheets.read_table(data, filename, max_rows=limit)
    blank_above = [()] * (table.header_row - 1)
    return [*blank_above, tuple(table.headers), *(tuple(values) for _, values in table.rows)]


def _columns(rows: list[tuple]) -> tuple[int, dict[str, int], list[str]]:
    """(index of the header row, field -> column index, unknown headers)."""
    for index, header in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_ALIASES.get(_header_key(cell)) for cell in header]
        if "code" not in keys:
            continue
        found: dict[str, int] = {}
        unknown = []
        for column, (cell, key) in enumerate(zip(header, keys, strict=True)):
            if key is None:
                if cell is not None and str(cell).strip():
                    unknown.append(str(cell).strip())
            elif key not in found:
                found[key] = column
        if "pagu_awal" not in found:
            raise DomainError(
                "Kolom 'Pagu awal' tidak ditemukan di baris judul. Unduh templat impor dan "
                "salin data ke kolom yang sesuai.",
                field="file",
            )
        return index, found, unknown
    raise DomainError(
        "Baris judul dengan kolom 'Kode' tidak ditemukan di 15 baris pertama. Unduh templat "
        "impor dan salin data ke kolom yang sesuai.",
        field="file",
    )


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _parse(
    number: int, cells: dict, report: ImportReport, seen: dict[str, int], known: dict
) -> _Row | None:
    """One row checked cell by cell; every problem goes to the report."""
    errors_before = len(report.errors)

    def fail(column: str, message: str) -> None:
        report.errors.append(
            RowError(number, LABELS.get(column, ""), spreadsheets.shown(cells.get(column)), message)
        )

    try:
        code, level = budget.split_code(cells.get("code"))
    except DomainError as exc:
        fail("code", exc.message)
        return None
    if code in seen:
        fail("code", f"Kode {code} sudah ada di baris {seen[code]}; satu kode satu baris.")
        return None
    seen[code] = number
    name = cells.get("name")
    name = "" if name is None else str(name).strip()
    if len(name) > 255:
        fail("name", "Uraian paling panjang 255 karakter.")
    if not name and code not in known:
        fail("name", f"Uraian wajib diisi untuk {BUDGET_LEVELS[level].lower()} baru {code}.")
    values: dict[str, int | None] = {}
    for key in AMOUNT_FIELDS:
        try:
            values[key] = budget.amount(cells.get(key), key, LABELS[key])
        except DomainError as exc:
            fail(key, exc.message)
    source = None
    try:
        source = funding.parse(cells.get("funding_source"))
    except DomainError as exc:
        fail("funding_source", exc.message)
    if len(report.errors) > errors_before:
        return None
    return _Row(number, code, level, name, values, source)


def _check_tree(rows: list[_Row], report: ImportReport, known: dict) -> None:
    """Every kegiatan and sub-kegiatan hangs under a node in the office's tree or in the file."""
    in_file = {row.code for row in rows}
    for row in rows:
        upper = budget.parent_code(row.code)
        if upper is not None and upper not in known and upper not in in_file:
            kind = "program" if row.level == "kegiatan" else "kegiatan"
            report.errors.append(
                RowError(
                    row.number,
                    LABELS["code"],
                    row.code,
                    f"{kind.capitalize()} {upper} belum ada; tambahkan barisnya di atas "
                    f"{BUDGET_LEVELS[row.level].lower()} ini.",
                )
            )


def _check_plans(rows: list[_Row], report: ImportReport, known: dict) -> None:
    """Each row's pagu covers its cash plan and what was paid; a blank sub-kegiatan pagu needs a
    kegiatan or program with a pagu of its own, in the file or already saved for the year."""
    with_pagu = {
        row.code
        for row in rows
        if row.values["pagu_awal"] is not None or row.values["pagu_perubahan"] is not None
    }
    for row in rows:
        plan = [row.values[f"plan_q{q}"] or 0 for q in range(1, 5)]
        try:
            if row.level == "sub_kegiatan":
                covered = any(c in with_pagu for c in budget.ancestor_codes(row.code)) or (
                    budget.own_pagu_above(row.code, report.fiscal_year) is not None
                )
                budget.check_blank_pagu(
                    row.code,
                    row.level,
                    row.values["pagu_awal"],
                    row.values["pagu_perubahan"],
                    covered,
                )
            budget.check_plan(
                row.code,
                row.values["pagu_awal"],
                row.values["pagu_perubahan"],
                plan if row.level == "sub_kegiatan" else [0] * 4,
                budget.realised_under(row.code, report.fiscal_year),
            )
        except DomainError as exc:
            report.errors.append(
                RowError(row.number, LABELS.get(exc.field or "", ""), "", exc.message)
            )


def _find_flags(rows: list[_Row], report: ImportReport) -> None:
    """Compare each level's own pagu and printed cash plan with its parts as they will stand."""
    lines = budget.line_amounts(report.fiscal_year)
    for row in rows:
        kept = lines.get(row.code, Amounts())
        lines[row.code] = Amounts(
            pagu_awal=row.values["pagu_awal"],
            pagu_perubahan=row.values["pagu_perubahan"],
            plan=[row.values[f"plan_q{q}"] or 0 for q in range(1, 5)],
            realised=kept.realised,
        )
    tree = budget.year_amounts(
        report.fiscal_year, lines, extra=[(row.code, row.level) for row in rows]
    )
    for row in rows:
        if row.level == "sub_kegiatan":
            continue
        computed, disagreements = tree[row.code]
        for found in disagreements:
            report.flags.append(
                TotalFlag(row.number, row.code, row.name, found.field, found.own, found.parts)
            )
        for key in PLAN_FIELDS:
            printed = row.values[key]
            if printed is not None and printed != computed.value(key):
                report.flags.append(
                    TotalFlag(row.number, row.code, row.name, key, printed, computed.value(key))
                )


def import_plan(
    data: bytes,
    *,
    fiscal_year,
    source_name: str = "",
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row of a plan file; save nodes, pagu and cash plans only when no row is wrong.

    A program's or kegiatan's pagu is kept as its own figure (published budgets often give the
    pagu awal for the program only); one that disagrees with its parts is flagged in the report
    and on the tree. Printed cash-plan totals are never stored as amounts: those that disagree
    with the sum of their sub-kegiatan are kept as flags with both numbers. The caller commits.
    """
    year = budget.fiscal_year(fiscal_year)
    report = ImportReport(fiscal_year=year)
    progress(5, "Membaca berkas")
    table = _table(data, source_name)
    header_index, columns, unknown = _columns(table)
    if unknown:
        report.warnings.append(f"Kolom yang tidak dikenal dan diabaikan: {', '.join(unknown)}.")
    known = {node.code: node for node in db.session.scalars(select(BudgetNode))}
    rows = _read_rows(table, header_index, columns, report, known)
    if report.rows_read == 0:
        raise DomainError("Berkas tidak berisi baris anggaran di bawah baris judul.", field="file")
    progress(40, f"{report.rows_read} baris dibaca; memeriksa susunan dan rencana kas")
    _check_tree(rows, report, known)
    _check_plans(rows, report, known)
    report.errors.sort(key=lambda e: e.row)
    if report.errors:
        return report
    progress(60, "Memeriksa pagu tiap tingkat dan jumlah tercetak")
    _find_flags(rows, report)
    if dry_run:
        return report
    progress(80, "Menyimpan rencana anggaran")
    _save(rows, report, known, year, source_name)
    report.applied = True
    return report


def _read_rows(table, header_index: int, columns: dict, report: ImportReport, known) -> list:
    """The plan's rows under the header, parsed; errors and warnings go into the report."""
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    for offset, values in enumerate(table[header_index + 1 :], start=header_index + 2):
        if _blank(values):
            continue
        report.rows_read += 1
        if report.rows_read > MAX_ROWS:
            raise DomainError(
                f"Berkas berisi lebih dari {MAX_ROWS} baris; ini bukan rencana anggaran.",
                field="file",
            )
        cells = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        if isinstance(cells.get("name"), str):
            cells["name"] = cells["name"].strip()
        if inputs.is_blank(cells.get("code")) and _GRAND_TOTAL.match(str(cells.get("name") or "")):
            # The closing "Jumlah" row of a plan has no code; program rows carry the totals.
            report.warnings.append(f"Baris {offset} ({cells['name']}) tanpa kode tidak dibaca.")
            continue
        row = _parse(offset, cells, report, seen, known)
        if row is not None:
            rows.append(row)
    return rows


def _save(rows: list, report: ImportReport, known: dict, year: int, source_name: str) -> None:
    """Write the checked rows: nodes, pagu and cash plans, the disagreeing totals, the audit."""
    for row in sorted(rows, key=lambda r: r.code):
        if row.code not in known:
            report.nodes_added += 1
        if row.name or row.code not in known:
            known[row.code] = budget.save_node(row.code, row.name)
        has_pagu = row.values["pagu_awal"] is not None or row.values["pagu_perubahan"] is not None
        if row.level == "sub_kegiatan":
            budget.set_budget(
                known[row.code],
                year,
                pagu_awal=row.values["pagu_awal"],
                pagu_perubahan=row.values["pagu_perubahan"],
                plan=[row.values[f"plan_q{q}"] or 0 for q in range(1, 5)],
                funding_source=row.funding_source,
            )
            report.lines_imported += 1
        elif has_pagu or budget.get_line(known[row.code], year) is not None:
            # The level's own pagu; a re-import that leaves it blank returns it to the sum.
            budget.set_budget(
                known[row.code],
                year,
                pagu_awal=row.values["pagu_awal"],
                pagu_perubahan=row.values["pagu_perubahan"],
                funding_source=row.funding_source,
            )
    # A disagreeing pagu is shown from the saved figures on the tree; only printed cash-plan
    # totals, which are not kept, are remembered as flags.
    budget.replace_flags(
        year,
        [
            {
                "node_id": known[f.code].id,
                "field": f.field,
                "printed": f.printed,
                "computed": f.computed,
                "source_name": source_name[:255],
                "source_row": f.row,
            }
            for f in report.flags
            if f.field in PLAN_FIELDS
        ],
    )
    record_action(
        "budget_import",
        "budget_plan",
        year,
        {
            "file": source_name,
            "lines": report.lines_imported,
            "nodes_added": report.nodes_added,
            "flags": len(report.flags),
        },
    )


def report_result(report: ImportReport) -> dict:
    """What a job record keeps of a report (JSON): counts, the first errors, warnings, flags."""
    return {
        "fiscal_year": report.fiscal_year,
        "rows_read": report.rows_read,
        "error_count": len(report.errors),
        "errors": [asdict(e) for e in report.errors[:ERRORS_IN_RESULT]],
        "warnings": report.warnings,
        "flags": [dict(asdict(f), label=f.label, difference=f.difference) for f in report.flags],
        "lines_imported": report.lines_imported,
        "nodes_added": report.nodes_added,
        "applied": report.applied,
    }


def summarize(report: ImportReport) -> str:
    """One Indonesian sentence for the jobs page."""
    if report.errors:
        return f"{len(report.errors)} kesalahan ditemukan; tidak ada data yang disimpan."
    flagged = f", {len(report.flags)} jumlah tercetak ditandai" if report.flags else ""
    if report.applied:
        return f"{report.lines_imported} sub-kegiatan tahun {report.fiscal_year} diimpor{flagged}."
    return (
        f"Pemeriksaan selesai tanpa kesalahan: {report.rows_read} baris rencana "
        f"{report.fiscal_year} siap disimpan{flagged}."
    )


def store_upload(stream, filename: str) -> Path:
    """Keep an uploaded plan for its background job, under our own name with its suffix."""
    suffix = Path(filename).suffix.lower()
    stored = f"rencana-anggaran{suffix if suffix in STORED_SUFFIXES else '.dat'}"
    return uploads.store_upload(stream, UPLOAD_PREFIX, stored)


def plan_template(year: int | None = None) -> bytes:
    """An XLSX template: the office's tree as rows, the columns the import reads, one example."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Anggaran"
    sheet.append([label for _key, label, _others in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for node in budget.list_nodes():
        sheet.append([node.code, node.name])
        # Codes are text: Excel must not read 1.06.06 as a number or a date.
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 60
    for letter in "CDEFGHI":
        sheet.column_dimensions[letter].width = 18
    guide = workbook.create_sheet("Petunjuk")
    for text in (
        "Satu baris per program, kegiatan atau sub-kegiatan.",
        "Kode boleh ditulis 1.06.06.2.01.0001 atau 1.06.06.02.01.0001.",
        "Pagu awal dan pagu perubahan boleh diisi pada program, kegiatan dan sub-kegiatan, "
        "dalam rupiah bulat; pagu sub-kegiatan boleh kosong bila program/kegiatannya berpagu.",
        "Bila pagu program/kegiatan tidak sama dengan jumlah rinciannya, sistem memakai pagu "
        "program/kegiatan itu dan menandai selisihnya.",
        "Rencana triwulan diisi pada sub-kegiatan.",
        "Pagu perubahan dikosongkan bila belum ada APBD Perubahan.",
        "Sumber dana: DAU, DAK, DBH, PAD, BTT, APBN/Kemensos, provinsi atau hibah/CSR.",
        "Rencana triwulan pada baris program/kegiatan boleh diisi: bila tidak sama dengan "
        "jumlah sub-kegiatannya, sistem menandainya, bukan memakainya.",
        f"Tahun anggaran dipilih saat mengunggah{f' (mis. {year})' if year else ''}.",
    ):
        guide.append([text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
