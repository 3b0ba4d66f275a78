"""Reading uploaded spreadsheets (XLSX and CSV) for every importer: victims, Tagana, budget."""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from logistics.core.errors import DomainError

XLSX_SUFFIXES = (".xlsx", ".xlsm")
NOT_XLSX = (
    "Berkas tidak dapat dibaca sebagai XLSX. Simpan ulang sebagai Excel Workbook (.xlsx) atau "
    "CSV, lalu unggah lagi."
)
EMPTY = "Berkas kosong: tidak ada baris judul kolom."
TOO_MANY_ROWS = (
    "Berkas berisi lebih dari {limit} baris data, melebihi batas satu kali impor. "
    "Bagi menjadi beberapa berkas lalu unggah satu per satu."
)


@dataclass
class Table:
    """A sheet's header row (and its number), its body as (row number, values), a row estimate."""

    headers: list
    rows: Iterator[tuple[int, tuple]]
    estimate: int | None
    header_row: int = 1


def open_workbook(source: bytes | Path, message: str = NOT_XLSX):
    """A read-only workbook of cell values; a damaged or non-XLSX file is a DomainError."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DomainError(message, field="file") from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DomainError(message, field="file") from exc


def sheet_named(workbook, name: str):
    """The sheet whose title is `name` (case and outer spaces ignored), or None."""
    for sheet in workbook.worksheets:
        if sheet.title.strip().lower() == name.lower():
            return sheet
    return None


def decode_text(raw: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else the Windows code page Excel saves."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def csv_delimiter(text: str) -> str:
    """Kobo and Excel in Indonesian locales write ';' between fields; others ',' or a tab."""
    first_line = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first_line.count)


def is_xlsx(data: bytes, filename: str) -> bool:
    return data[:2] == b"PK" or filename.lower().endswith(XLSX_SUFFIXES)


def _first_filled(rows) -> tuple[int, list | None]:
    """(row number, values) of the first row with any value; (n, None) when there is none."""
    number = 0
    for values in rows:
        number += 1
        if any(v not in (None, "") and str(v).strip() for v in values):
            return number, list(values)
    return number, None


def _xlsx_table(source: bytes | Path, message: str) -> Table:
    workbook = open_workbook(source, message)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row, headers = _first_filled(rows)
    if headers is None:
        workbook.close()
        raise DomainError(EMPTY, field="file")

    def body():
        try:
            yield from enumerate(rows, start=header_row + 1)
        finally:
            workbook.close()

    return Table(headers, body(), sheet.max_row, header_row)


def _csv_table(raw: bytes) -> Table:
    text = decode_text(raw)
    reader = csv.reader(io.StringIO(text), delimiter=csv_delimiter(text))
    header_row, headers = _first_filled(reader)
    if headers is None:
        raise DomainError(EMPTY, field="file")
    return Table(headers, enumerate(reader, start=header_row + 1), text.count("\n"), header_row)


def read_table(
    source: bytes | Path, filename: str = "", message: str = NOT_XLSX, max_rows: int | None = None
) -> Table:
    """The first sheet of an XLSX, or a CSV, as a streamed Table (headers: first filled row).

    With `max_rows`, reading stops with a DomainError at the first filled row past the limit, so
    an oversized file costs the time to read the limit, never the whole file.
    """
    if isinstance(source, Path):
        if source.suffix.lower() in XLSX_SUFFIXES:
            table = _xlsx_table(source, message)
        else:
            table = _csv_table(source.read_bytes())
    elif is_xlsx(source, filename):
        table = _xlsx_table(source, message)
    else:
        table = _csv_table(source)
    if max_rows:
        table.rows = _limited(table.rows, max_rows)
    return table


def _limited(rows: Iterator[tuple[int, tuple]], limit: int) -> Iterator[tuple[int, tuple]]:
    filled = 0
    for number, values in rows:
        if any(v not in (None, "") for v in values):
            filled += 1
            if filled > limit:
                raise DomainError(
                    TOO_MANY_ROWS.format(limit=f"{limit:,}".replace(",", ".")), field="file"
                )
        yield number, values


def shown(value) -> str:
    """A cell value as an error report shows it (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def with_notes_bytes(book, notes) -> bytes:
    """The workbook as .xlsx bytes, after a "Catatan" sheet of the numbered notes (how each
    figure is counted), as the office's report files end."""
    sheet = book.create_sheet("Catatan")
    for line, note in enumerate(notes, start=1):
        sheet.cell(row=line, column=1, value=f"{line}. {note}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
