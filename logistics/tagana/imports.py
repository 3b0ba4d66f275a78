"""Tagana member list import from XLSX: the template, row-by-row checks, all-or-nothing save."""

import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, select

from logistics.core import uploads
from logistics.core.audit import record_action
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.spreadsheets import open_workbook, sheet_named, shown
from logistics.core.time import office_today
from logistics.core.wording import contoh_kode, istilah
from logistics.tagana.members import competency_choices, parse_member_field
from logistics.tagana.models import LEVELS, TaganaMember, Training
from logistics.tagana.parsing import clean_text, parse_day

MEMBER_SHEET = "Anggota"
TRAINING_SHEET = "Pelatihan"
GUIDE_SHEET = "Petunjuk"
# A Dinas Sosial has tens to a few hundred members; a file far larger is not a member list.
MAX_ROWS = 5000
# How many errors a job's result keeps for its page (a file of 5,000 bad rows has ten times more).
ERRORS_IN_RESULT = 1000
# Uploads of member lists wait for their import job in folders named so.
UPLOAD_PREFIX = "tagana-"

Progress = Callable[[int, str], None]


def no_progress(_percent: int, _message: str = "") -> None:
    """The progress callback of a run nobody watches (tests, the demo)."""


def _row_limit() -> int:
    """The member list's own bound, or the office's import row limit when that is lower."""
    return min(MAX_ROWS, current_app.config["IMPORT_MAX_ROWS"])


# (field, header in the template, other headers accepted, required)
MEMBER_COLUMNS = (
    ("nia", "NIA", ("nomor induk anggota", "no induk"), True),
    ("name", "Nama", ("nama lengkap", "nama anggota"), True),
    ("sex", "Jenis kelamin (L/P)", ("jenis kelamin", "jk", "l/p"), True),
    ("birth_date", "Tanggal lahir", ("tgl lahir",), False),
    ("phone", "Telepon", ("no hp", "nomor hp", "nomor telepon", "hp"), False),
    ("home_kelurahan_code", "Kode kelurahan", ("kode kelurahan/desa", "kode desa"), False),
    ("level", "Tingkat", ("jenjang", "level"), True),
    ("decree_number", "Nomor SK", ("no sk", "sk"), False),
    ("decree_date", "Tanggal SK", ("tgl sk",), False),
    ("joined_on", "Tanggal bergabung", ("tgl bergabung", "bergabung"), False),
    ("competencies", "Kompetensi", ("keahlian",), False),
    ("active", "Aktif (ya/tidak)", ("aktif", "status aktif"), False),
)
TRAINING_COLUMNS = (
    ("nia", "NIA", ("nomor induk anggota",), True),
    ("name", "Nama pelatihan", ("pelatihan",), True),
    ("organizer", "Penyelenggara", (), False),
    ("started_on", "Tanggal mulai", ("mulai", "tanggal"), True),
    ("ended_on", "Tanggal selesai", ("selesai",), False),
    ("certificate_number", "Nomor sertifikat", ("no sertifikat", "sertifikat"), False),
)
# Text columns: Excel must not turn 081234567890 into 81234567890 or a code into a date.
TEXT_FIELDS = ("nia", "phone", "home_kelurahan_code", "decree_number", "certificate_number")


@dataclass
class RowError:
    """One problem in one cell (or one row when column is empty)."""

    sheet: str
    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    """What an import found and did. Nothing is saved while there is any error."""

    members_read: int = 0
    trainings_read: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    members_imported: int = 0
    trainings_imported: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


TAGANA_NOT_XLSX = (
    "Berkas tidak dapat dibaca sebagai XLSX. Simpan sebagai Excel Workbook (.xlsx) "
    "dari templat impor, lalu unggah lagi."
)


def _header_key(text) -> str:
    text = re.sub(r"\(.*?\)", "", str(text or "")).lower()
    return " ".join(re.sub(r"[^a-z0-9/ ]", " ", text).split())


def _column_map(sheet_name: str, header: tuple, columns) -> tuple[dict[str, int], list[str]]:
    """field -> column index from the header row; unknown headers are returned for a warning."""
    aliases = {}
    for key, label, others, _required in columns:
        for name in (label, *others):
            aliases[_header_key(name)] = key
    found: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        if cell is None or str(cell).strip() == "":
            continue
        key = aliases.get(_header_key(cell))
        if key is None:
            unknown.append(str(cell).strip())
        elif key not in found:
            found[key] = index
    missing = [label for key, label, _others, required in columns if required and key not in found]
    if missing:
        raise DomainError(
            f"Lembar '{sheet_name}' tidak punya kolom wajib: {', '.join(missing)}. Unduh templat "
            "impor dan salin data ke kolom yang sesuai.",
            field="file",
        )
    return found, unknown


def _rows(sheet):
    """(Excel row number, values) of the non-empty rows below the header."""
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, values


class _Checker:
    """Validates rows with cached look-ups (kelurahan codes, competencies, existing NIA)."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.cache: dict[tuple, object] = {}
        self.today = office_today()
        self.existing = {
            nia.upper(): (member_id, name)
            for member_id, nia, name in db.session.execute(
                select(TaganaMember.id, TaganaMember.nia, TaganaMember.name)
            )
        }

    def error(self, sheet: str, row: int, column: str, value, message: str) -> None:
        self.report.errors.append(RowError(sheet, row, column, shown(value), message))

    def member_field(self, key: str, value):
        if key in ("home_kelurahan_code", "competencies"):
            cache_key = (key, shown(value).strip())
            if cache_key not in self.cache:
                try:
                    self.cache[cache_key] = ("ok", parse_member_field(key, value))
                except DomainError as exc:
                    self.cache[cache_key] = ("error", exc)
            outcome, result = self.cache[cache_key]
            if outcome == "error":
                raise result
            return result
        return parse_member_field(key, value)


def _check_members(
    sheet, checker: _Checker, report: ImportReport, progress: Progress
) -> dict[str, tuple[int, dict]]:
    limit = _row_limit()
    # The sheet's recorded size (may be missing or padded) only paces the progress bar.
    expected = max(1, min(limit, (sheet.max_row or limit) - 1))
    rows = iter(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    header = next(rows, ())
    columns, unknown = _column_map(sheet.title, header, MEMBER_COLUMNS)
    if unknown:
        report.warnings.append(f"Kolom diabaikan di lembar '{sheet.title}': {', '.join(unknown)}.")
    labels = {key: label for key, label, _o, _r in MEMBER_COLUMNS}
    accepted: dict[str, tuple[int, dict]] = {}
    seen: dict[str, int] = {}
    for number, values in _rows(sheet):
        report.members_read += 1
        if report.members_read > limit:
            raise DomainError(
                f"Lebih dari {limit} baris anggota; bagi berkas menjadi beberapa bagian.",
                field="file",
            )
        if report.members_read % 200 == 0:
            done = min(1.0, report.members_read / expected)
            progress(10 + int(50 * done), f"{report.members_read} baris anggota diperiksa")
        parsed: dict = {}
        row_ok = True
        for key, index in columns.items():
            value = values[index] if index < len(values) else None
            if key == "active" and (value is None or str(value).strip() == ""):
                parsed[key] = True  # an empty cell means the usual case: an active member
                continue
            try:
                parsed[key] = checker.member_field(key, value)
            except DomainError as exc:
                checker.error(sheet.title, number, labels[key], value, exc.message)
                row_ok = False
                continue
            if isinstance(parsed[key], date) and parsed[key] > checker.today:
                checker.error(
                    sheet.title, number, labels[key], value, f"{labels[key]} di masa depan."
                )
                row_ok = False
        nia = parsed.get("nia")
        if nia:
            key = nia.upper()
            if key in seen:
                checker.error(
                    sheet.title,
                    number,
                    labels["nia"],
                    nia,
                    f"NIA {nia} ganda: sudah ada di baris {seen[key]} berkas ini.",
                )
                row_ok = False
            elif key in checker.existing:
                checker.error(
                    sheet.title,
                    number,
                    labels["nia"],
                    nia,
                    f"NIA {nia} sudah terdaftar atas nama {checker.existing[key][1]}.",
                )
                row_ok = False
            seen.setdefault(key, number)
        if row_ok:
            accepted[nia.upper()] = (number, parsed)
    return accepted


TRAINING_PARSERS = {
    "nia": lambda v: parse_member_field("nia", v),
    "name": lambda v: clean_text(v, "name", "Nama pelatihan", 200, required=True),
    "organizer": lambda v: clean_text(v, "organizer", "Penyelenggara", 160),
    "started_on": lambda v: parse_day(v, "started_on", "Tanggal mulai"),
    "ended_on": lambda v: parse_day(v, "ended_on", "Tanggal selesai"),
    "certificate_number": lambda v: clean_text(v, "certificate_number", "Nomor sertifikat", 120),
}
TRAINING_LABELS = {key: label for key, label, _o, _r in TRAINING_COLUMNS}


def _check_trainings(sheet, checker: _Checker, report: ImportReport, file_nias: set[str]) -> list:
    limit = _row_limit()
    rows = iter(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    header = next(rows, ())
    columns, unknown = _column_map(sheet.title, header, TRAINING_COLUMNS)
    if unknown:
        report.warnings.append(f"Kolom diabaikan di lembar '{sheet.title}': {', '.join(unknown)}.")
    accepted = []
    seen = set()
    for number, values in _rows(sheet):
        report.trainings_read += 1
        if report.trainings_read > limit:
            raise DomainError(
                f"Lebih dari {limit} baris pelatihan; bagi berkas menjadi beberapa bagian.",
                field="file",
            )
        parsed = _parse_training(sheet.title, number, values, columns, checker)
        if parsed is None:
            continue
        problem = _training_problem(parsed, checker, file_nias, seen)
        if problem is not None:
            key, value, message = problem
            checker.error(sheet.title, number, TRAINING_LABELS[key], value, message)
            continue
        nia = parsed["nia"].upper()
        seen.add((nia, parsed["name"].lower(), parsed["started_on"]))
        accepted.append((nia, parsed))
    return accepted


def _parse_training(sheet: str, number: int, values, columns: dict, checker: _Checker):
    """The row's values by field, or None after reporting every cell that does not parse."""
    parsed: dict = {}
    row_ok = True
    for key, index in columns.items():
        value = values[index] if index < len(values) else None
        try:
            parsed[key] = TRAINING_PARSERS[key](value)
        except DomainError as exc:
            checker.error(sheet, number, TRAINING_LABELS[key], value, exc.message)
            row_ok = False
    return parsed if row_ok else None


def _training_problem(parsed: dict, checker: _Checker, file_nias: set[str], seen: set):
    """The first thing wrong with a parsed training row as (field, value, message), or None."""
    if parsed.get("started_on") is None:
        return "started_on", None, "Tanggal mulai wajib diisi."
    if parsed.get("ended_on") and parsed["ended_on"] < parsed["started_on"]:
        return "ended_on", parsed["ended_on"], "Tanggal selesai sebelum tanggal mulai."
    if parsed["started_on"] > checker.today:
        return (
            "started_on",
            parsed["started_on"],
            "Pelatihan yang belum dimulai belum dapat dicatat.",
        )
    nia = parsed["nia"].upper()
    if nia not in file_nias and nia not in checker.existing:
        return (
            "nia",
            parsed["nia"],
            f"NIA {parsed['nia']} tidak ada di lembar '{MEMBER_SHEET}' maupun di data anggota.",
        )
    if (nia, parsed["name"].lower(), parsed["started_on"]) in seen:
        return "name", parsed["name"], "Pelatihan ganda di berkas ini."
    if nia in checker.existing and _recorded(checker.existing[nia][0], parsed):
        return "name", parsed["name"], "Pelatihan ini sudah tercatat untuk anggota tersebut."
    return None


def _recorded(member_id: int, parsed: dict) -> bool:
    """The member already has a training of this name starting that day."""
    return bool(
        db.session.scalar(
            select(func.count(Training.id)).where(
                Training.member_id == member_id,
                func.lower(Training.name) == parsed["name"].lower(),
                Training.started_on == parsed["started_on"],
            )
        )
    )


def import_members(
    data: bytes,
    *,
    source_name: str = "",
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row of a member XLSX (sheet 'Anggota', optional sheet 'Pelatihan') and,
    when no row has an error and dry_run is off, save all of it.

    All or nothing: one bad row leaves the database untouched, so the office fixes the file
    and uploads it again instead of hunting down which half went in. The report lists every
    problem by sheet, row and column. The caller commits.
    """
    report = ImportReport()
    progress(5, "Membaca berkas")
    workbook = open_workbook(data, TAGANA_NOT_XLSX)
    try:
        members_sheet = sheet_named(workbook, MEMBER_SHEET) or workbook.worksheets[0]
        checker = _Checker(report)
        members = _check_members(members_sheet, checker, report, progress)
        trainings_sheet = sheet_named(workbook, TRAINING_SHEET)
        trainings = []
        if trainings_sheet is not None:
            progress(65, "Memeriksa pelatihan")
            file_nias = set(members) | _all_nias(members_sheet)
            trainings = _check_trainings(trainings_sheet, checker, report, file_nias)
    finally:
        workbook.close()
    if report.members_read == 0 and report.trainings_read == 0:
        raise DomainError(
            f"Lembar '{members_sheet.title}' tidak berisi data anggota di bawah baris judul.",
            field="file",
        )
    if report.errors or dry_run:
        return report
    progress(80, "Menyimpan anggota")
    created: dict[str, TaganaMember] = {}
    for nia, (_number, values) in members.items():
        member = TaganaMember(**values)
        db.session.add(member)
        created[nia] = member
    db.session.flush()
    for nia, values in trainings:
        member = created.get(nia) or db.session.get(TaganaMember, checker.existing[nia][0])
        db.session.add(
            Training(
                member=member,
                name=values["name"],
                organizer=values.get("organizer", ""),
                started_on=values["started_on"],
                ended_on=values.get("ended_on"),
                certificate_number=values.get("certificate_number", ""),
            )
        )
    db.session.flush()
    report.members_imported = len(created)
    report.trainings_imported = len(trainings)
    report.applied = True
    record_action(
        "import_members",
        "tagana_members",
        None,
        {
            "file": source_name,
            "members": report.members_imported,
            "trainings": report.trainings_imported,
        },
    )
    return report


def report_result(report: ImportReport) -> dict:
    """What a job record keeps of a report (JSON): the counts, the first errors, the warnings."""
    return {
        "members_read": report.members_read,
        "trainings_read": report.trainings_read,
        "error_count": len(report.errors),
        "errors": [asdict(e) for e in report.errors[:ERRORS_IN_RESULT]],
        "warnings": report.warnings,
        "members_imported": report.members_imported,
        "trainings_imported": report.trainings_imported,
        "applied": report.applied,
    }


def summarize(report: ImportReport) -> str:
    """One Indonesian sentence for the jobs page."""
    if report.errors:
        return f"{len(report.errors)} kesalahan ditemukan; tidak ada data yang disimpan."
    if report.applied:
        return (
            f"{report.members_imported} anggota dan {report.trainings_imported} pelatihan diimpor."
        )
    return (
        f"Pemeriksaan selesai tanpa kesalahan: {report.members_read} baris anggota dan "
        f"{report.trainings_read} baris pelatihan siap disimpan."
    )


def store_upload(stream) -> Path:
    """Keep an uploaded member list for its background job (read as XLSX whatever its name)."""
    return uploads.store_upload(stream, UPLOAD_PREFIX, "daftar-anggota.xlsx")


def _all_nias(sheet) -> set[str]:
    """Every NIA written in the member sheet, also on rows with errors (their trainings are
    then not reported a second time as 'unknown NIA')."""
    header = next(iter(sheet.iter_rows(min_row=1, max_row=1, values_only=True)), ())
    columns, _unknown = _column_map(sheet.title, header, MEMBER_COLUMNS)
    index = columns["nia"]
    nias = set()
    for _number, values in _rows(sheet):
        value = values[index] if index < len(values) else None
        if value is not None and str(value).strip():
            text = str(int(value)) if isinstance(value, float) and value.is_integer() else value
            nias.add(" ".join(str(text).split()).upper())
    return nias


def member_template() -> bytes:
    """The import template: the two data sheets with their headers and a sheet of guidance."""
    workbook = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    members = workbook.active
    members.title = MEMBER_SHEET
    trainings = workbook.create_sheet(TRAINING_SHEET)
    for sheet, columns in ((members, MEMBER_COLUMNS), (trainings, TRAINING_COLUMNS)):
        sheet.append([label for _key, label, _o, _r in columns])
        for index, (key, label, _others, required) in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = bold
            if required:
                cell.fill = fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(14, len(label) + 4)
            if key in TEXT_FIELDS:
                # A column style, not formatted cells: rows typed or pasted below stay text,
                # and the sheet keeps no empty formatted rows.
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"
    level_list = DataValidation(
        type="list", formula1='"' + ",".join(LEVELS.values()) + '"', allow_blank=False
    )
    sex_list = DataValidation(type="list", formula1='"L,P"', allow_blank=False)
    active_list = DataValidation(type="list", formula1='"ya,tidak"', allow_blank=True)
    for validation, key in ((level_list, "level"), (sex_list, "sex"), (active_list, "active")):
        index = [k for k, *_rest in MEMBER_COLUMNS].index(key) + 1
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}1000")
        members.add_data_validation(validation)

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 70
    lines = [
        ("Petunjuk impor anggota Tagana", ""),
        ("", ""),
        ("Lembar Anggota", "Satu baris per anggota. Kolom berwarna wajib diisi."),
        ("NIA", "Nomor Induk Anggota; tidak boleh sama dengan anggota lain."),
        ("Jenis kelamin", "L atau P."),
        ("Tingkat", ", ".join(LEVELS.values())),
        ("Tanggal", "Format TTTT-BB-HH (2024-03-01) atau HH/BB/TTTT (01/03/2024)."),
        (
            "Kode kelurahan",
            f"Kode Kemendagri {istilah('wilayah')} tempat tinggal, mis. {contoh_kode()}.",
        ),
        ("Kompetensi", "Kode atau nama, dipisah koma, mis. dapur_umum, shelter."),
        ("Aktif", "ya atau tidak; kosong berarti ya."),
        ("Lembar Pelatihan", "Opsional. Satu baris per pelatihan yang diikuti anggota."),
        ("", ""),
        (
            "Cara kerja",
            "Semua baris diperiksa. Bila ada satu kesalahan, tidak ada yang disimpan; "
            "perbaiki baris yang disebut di laporan lalu unggah lagi.",
        ),
        ("", ""),
        ("Kode kompetensi", "Nama"),
    ]
    lines += [(c.code, c.name) for c in competency_choices()]
    for line in lines:
        guide.append(list(line))
    guide["A1"].font = Font(bold=True, size=13)
    guide.cell(row=len(lines) - len(competency_choices()), column=1).font = bold
    guide.cell(row=len(lines) - len(competency_choices()), column=2).font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
