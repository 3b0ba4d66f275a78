"""CSV and XLSX downloads of any table a user sees."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Numbers stay numbers: whole ones (rupiah, counts) without decimals or a trailing separator,
# fractional ones (percentages) with two decimals.
WHOLE_FORMAT = "#,##0"
FRACTION_FORMAT = "#,##0.00"


def number_format(value) -> str | None:
    """The cell format of a value, None for text (and for True/False)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, int):
        return WHOLE_FORMAT
    return FRACTION_FORMAT


def table_response(
    name: str, headers: Sequence[str], rows: Iterable[Sequence], fmt: str
) -> Response:
    """A download of the table in CSV (UTF-8 with BOM, for Excel) or XLSX."""
    headers = [str(header) for header in headers]  # some follow the office (LazyText)
    if fmt == "xlsx":
        workbook = Workbook(write_only=False)
        sheet = workbook.active
        sheet.title = name[:31]
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                fmt_of_cell = number_format(cell.value)
                if fmt_of_cell:
                    cell.number_format = fmt_of_cell
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return Response(
            buffer.getvalue(),
            mimetype=XLSX_MIME,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
