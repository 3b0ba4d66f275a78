"""The province recap as files: an XLSX workbook (one number a cell) and an A4 landscape PDF."""

from flask import current_app, render_template

from logistics.core.spreadsheets import with_notes_bytes
from logistics.reports.province_recap import VICTIM_FIGURES, RecapRow
from logistics.reports.year_report_files import INT_FORMAT, PERCENT_FORMAT

FIRST_ROW = 4  # title, office and scope, then the header


def _units(data: dict, attribute: str) -> list[tuple[str, str]]:
    """The (category, unit) columns a quantity of the rows needs, in the catalogue's order."""
    found = {key for row in data["rows"] for key, q in getattr(row, attribute).items() if q}
    return [(c, u) for c in data["categories"] for u in sorted({u for k, u in found if k == c})]


def _columns(data: dict) -> list[tuple[str, object, str]]:
    """(header, value of a row, number format) for every column after the kab/kota's name."""
    columns = [
        ("Kejadian tahun ini", lambda r: r.events_year, INT_FORMAT),
        ("Kejadian aktif", lambda r: r.events_active, INT_FORMAT),
        *(
            (f"Korban {key} (jiwa)", lambda r, key=key: r.victims[key], INT_FORMAT)
            for key in VICTIM_FIGURES
        ),
        ("Pengungsian dibuka (lokasi)", lambda r: r.shelters_open, INT_FORMAT),
        ("Jiwa di pengungsian", lambda r: r.sheltered, INT_FORMAT),
        ("Kapasitas pengungsian", lambda r: r.capacity, INT_FORMAT),
        ("Okupansi (%)", lambda r: r.occupancy, PERCENT_FORMAT),
    ]
    for category, unit in _units(data, "stock"):
        label = f"Stok {data['categories'][category]} ({unit})"
        columns.append((label, lambda r, k=(category, unit): r.stock.get(k, 0), INT_FORMAT))
    columns.append(("Dokumen kiriman provinsi", lambda r: r.documents_from_provinsi, INT_FORMAT))
    for category, unit in _units(data, "from_provinsi"):
        label = f"Kiriman provinsi {data['categories'][category]} ({unit})"
        columns.append((label, lambda r, k=(category, unit): r.from_provinsi.get(k, 0), INT_FORMAT))
    columns += [
        ("SPM sasaran (jiwa)", lambda r: r.spm_needing, INT_FORMAT),
        ("SPM terpenuhi (jiwa)", lambda r: r.spm_met, INT_FORMAT),
        ("Capaian SPM (%)", lambda r: r.spm_capaian, PERCENT_FORMAT),
    ]
    return columns


def _write_row(sheet, line: int, row: RecapRow, columns, bold=None) -> None:
    cells = [sheet.cell(row=line, column=1, value=row.code or None)]
    cells.append(sheet.cell(row=line, column=2, value=row.name))
    for offset, (_header, value, number_format) in enumerate(columns, start=3):
        figure = value(row)
        cell = sheet.cell(row=line, column=offset, value=figure if figure is not None else "-")
        cell.number_format = number_format
        cells.append(cell)
    if bold is not None:
        for cell in cells:
            cell.font = bold


def xlsx_bytes(data: dict) -> bytes:
    """The recap sheet (a row per kab/kota, the total last), the provinsi's stock and the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap kab-kota"
    sheet["A1"] = f"Rekap per kabupaten/kota tahun {data['year']}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = data["office_name"] + (
        f" - wilayah {data['scope_label']}" if data["scope_label"] else ""
    )
    columns = _columns(data)
    headers = ["Kode", "Kabupaten/Kota", *(header for header, _v, _f in columns)]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=FIRST_ROW - 1, column=column, value=header).font = bold
    for number, row in enumerate(data["rows"]):
        _write_row(sheet, FIRST_ROW + number, row, columns)
    _write_row(sheet, FIRST_ROW + len(data["rows"]), data["total"], columns, bold)
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3)
    if data["whole_office"]:
        own = book.create_sheet("Stok provinsi")
        for column, header in enumerate(("Kategori", "Satuan", "Jumlah"), start=1):
            own.cell(row=1, column=column, value=header).font = bold
        for category, units in data["provinsi_stock"].by_category().items():
            for amount, unit in units:
                own.append([data["categories"][category], unit, amount])
    return with_notes_bytes(book, data["notes"])


def render_html(data: dict, template: str = "reports/province_recap/document_pdf.html") -> str:
    return render_template(template, d=data)


def pdf_bytes(data: dict) -> bytes:
    """The recap as an A4 landscape PDF with the office's letterhead and signature."""
    from logistics.core.pdf import html_to_pdf

    return html_to_pdf(render_html(data), base_url=current_app.root_path)
