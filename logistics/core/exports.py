"""CSV and XLSX downloads of any table a user sees."""

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
