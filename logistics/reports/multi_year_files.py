"""The Renstra period table as files: an XLSX workbook and an A4 landscape PDF."""

from flask import current_app, render_template

from logistics.core.spreadsheets import with_notes_bytes
from logistics.reports.year_report_files import INT_FORMAT, PERCENT_FORMAT, _cell_value

FIRST_ROW = 5  # rows 1-2 title, 3-4 the two header rows
NUMBER_FORMATS = {"%": PERCENT_FORMAT}


def _headers(sheet, data: dict, bold, center) -> None:
    for column, header in enumerate(("No", "Indikator", "Satuan"), start=1):
        sheet.cell(row=3, column=column, value=header).font = bold
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for index, year in enumerate(data["years"]):
        first = 4 + index * 3
        cell = sheet.cell(row=3, column=first, value=f"Tahun ke-{index + 1} ({year})")
        cell.font, cell.alignment = bold, center
        sheet.merge_cells(start_row=3, start_column=first, end_row=3, end_column=first + 2)
        for offset, header in enumerate(("Target", "Realisasi", "Capaian (%)")):
            sheet.cell(row=4, column=first + offset, value=header).font = bold


def xlsx_bytes(data: dict) -> bytes:
    """One sheet in the LKIP 'capaian kinerja tahun ke-n' shape and one with the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Capaian Renstra"
    sheet["A1"] = f"Capaian kinerja periode {data['start']}-{data['end']}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = data["office_name"]
    _headers(sheet, data, Font(bold=True), Alignment(horizontal="center"))
    for number, row in enumerate(data["rows"], start=1):
        line = FIRST_ROW + number - 1
        sheet.cell(row=line, column=1, value=number)
        sheet.cell(row=line, column=2, value=row["label"])
        sheet.cell(row=line, column=3, value=row["unit"])
        value_format = NUMBER_FORMATS.get(row["unit"], INT_FORMAT)
        for index, cell in enumerate(row["years"]):
            first = 4 + index * 3
            for offset, key in enumerate(("target", "realisasi", "capaian")):
                target = sheet.cell(row=line, column=first + offset, value=_cell_value(cell[key]))
                target.number_format = PERCENT_FORMAT if key == "capaian" else value_format
                if isinstance(target.value, float):
                    target.number_format = PERCENT_FORMAT
    sheet.column_dimensions["B"].width = 46
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=4)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return with_notes_bytes(book, data["notes"])


def render_html(data: dict, template: str = "reports/multi_year/document_pdf.html") -> str:
    return render_template(template, d=data)


def pdf_bytes(data: dict) -> bytes:
    """The table as an A4 landscape PDF with the office's letterhead and signature."""
    from logistics.core.pdf import html_to_pdf

    return html_to_pdf(render_html(data), base_url=current_app.root_path)
