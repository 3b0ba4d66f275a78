"""The year-end report as files: a formatted XLSX workbook and an A4 landscape PDF."""

from decimal import Decimal

from flask import current_app

from logistics.spm.models import AGGREGATION_MODES

INT_FORMAT = "#,##0"
RUPIAH_FORMAT = '"Rp "#,##0'
PERCENT_FORMAT = "#,##0.00"
DASH = "-"


def _cell_value(value):
    """Numbers stay numbers (the spreadsheet formats them); missing ones print as '-'."""
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    return value


# (header, key, width, kind) per sheet; kind picks the number format.
HAZARD_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Jenis bencana", "name", 30, "text"),
    ("Jumlah kejadian", "events", 11, "int"),
    ("KK terdampak", "kk_affected", 11, "int"),
    ("Lembaga terdampak", "lembaga_affected", 11, "int"),
    ("Jiwa terdampak", "jiwa_affected", 11, "int"),
    ("KK tertangani", "kk_handled", 11, "int"),
    ("Lembaga tertangani", "lembaga_handled", 11, "int"),
    ("Jiwa tertangani", "jiwa_handled", 11, "int"),
    ("Jiwa tertangani (%)", "persen_handled", 12, "pct"),
)


def _region_columns(label: str) -> tuple:
    return (
        ("No", "no", 5, "int"),
        ("Kode", "code", 12, "text"),
        (label, "name", 26, "text"),
        *HAZARD_COLUMNS[2:],
    )


COMPONENT_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Komponen SPM", "label", 36, "text"),
    ("Sub-kegiatan", "sub_kegiatan_code", 18, "text"),
    ("Sumber dana", "sumber_dana", 12, "text"),
    ("Target", "target", 10, "num"),
    ("Satuan", "unit", 9, "text"),
    ("Cara hitung", "mode_label", 14, "text"),
    ("Realisasi", "realisasi", 10, "int"),
    ("Satuan realisasi", "realisasi_unit", 10, "text"),
    ("Capaian (%)", "capaian", 11, "pct"),
    ("Pagu (Rp)", "pagu", 17, "rp"),
    ("Realisasi anggaran (Rp)", "realisasi_anggaran", 17, "rp"),
    ("Serapan (%)", "serapan", 11, "pct"),
    ("Efisiensi (%)", "efisiensi", 11, "pct"),
)
BUDGET_COLUMNS = (
    ("Kode", "code", 19, "text"),
    ("Program / kegiatan / sub-kegiatan", "name", 48, "text"),
    ("Sumber dana", "sumber_dana", 12, "text"),
    ("Pagu awal (Rp)", "pagu_awal", 17, "rp"),
    ("Pagu perubahan (Rp)", "pagu_perubahan", 17, "rp"),
    ("Pagu berlaku (Rp)", "pagu", 17, "rp"),
    ("Realisasi (Rp)", "realisasi", 17, "rp"),
    ("Sisa (Rp)", "sisa", 17, "rp"),
    ("Serapan dicetak (%)", "serapan_printed", 11, "pct"),
    ("Serapan tepat (%)", "serapan", 11, "pct"),
    ("Indikator kinerja", "indicator_label", 30, "text"),
    ("Capaian kinerja (%)", "capaian", 11, "pct"),
    ("Efisiensi (%)", "efisiensi", 11, "pct"),
    ("Catatan", "catatan", 40, "text"),
)
OUTPUT_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Indikator", "label", 44, "text"),
    ("Definisi realisasi", "definition", 30, "text"),
    ("Target", "target", 10, "num"),
    ("Satuan", "unit", 10, "text"),
    ("Realisasi", "realisasi", 10, "num"),
    ("Satuan realisasi", "realisasi_unit", 10, "text"),
    ("Capaian (%)", "capaian", 11, "pct"),
)
# "num" is a target or realisation that may be whole or not; "#,##0.##" would print "12," for 12.
FORMATS = {"int": INT_FORMAT, "num": INT_FORMAT, "rp": RUPIAH_FORMAT, "pct": PERCENT_FORMAT}
HEADER_ROW = 3  # row 1 the title, row 2 the source line, then the header


def _sheet(book, title: str, heading: str, subtitle: str, columns, rows, total=None):
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet = book.create_sheet(title)
    sheet["A1"] = heading
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = subtitle
    sheet["A2"].font = Font(italic=True, size=9, color="555555")
    for index, (header, _key, width, _kind) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.row_dimensions[HEADER_ROW].height = 32
    body = list(rows) + ([total] if total is not None else [])
    for offset, row in enumerate(body, start=1):
        is_total = total is not None and offset == len(body)
        strong = is_total or row.get("level") in ("program", "kegiatan")
        for index, (_header, key, _width, kind) in enumerate(columns, start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=index)
            if key == "no":
                cell.value = "" if is_total else offset
            elif kind == "text":
                value = row.get(key)
                cell.value = "" if value is None else str(value)
            else:
                cell.value = _cell_value(row.get(key))
                cell.number_format = FORMATS[kind]
                if kind == "num" and isinstance(cell.value, float):
                    cell.number_format = PERCENT_FORMAT
                cell.alignment = Alignment(horizontal="right")
            if key == "name" and "depth" in row:
                cell.alignment = Alignment(indent=2 * row["depth"], wrap_text=True)
            cell.border = border
            if strong:
                cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_options.gridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return sheet


def _charts(book, report: dict, component_sheet, budget_sheet) -> None:
    from openpyxl.chart import BarChart, Reference

    sheet = book.create_sheet("Grafik")
    sheet["A1"] = f"Grafik capaian dan belanja tahun {report['year']}"
    first, count = HEADER_ROW + 1, len(report["components"])
    achievement = BarChart()
    achievement.type = "bar"
    achievement.title = "Capaian komponen SPM (%)"
    achievement.y_axis.title = "%"
    achievement.add_data(
        Reference(component_sheet, min_col=10, min_row=HEADER_ROW, max_row=HEADER_ROW + count),
        titles_from_data=True,
    )
    achievement.set_categories(
        Reference(component_sheet, min_col=2, min_row=first, max_row=HEADER_ROW + count)
    )
    achievement.height, achievement.width = 9, 18
    sheet.add_chart(achievement, "A3")
    leaves = [i for i, r in enumerate(report["budget"]) if r["level"] == "sub_kegiatan"]
    spending = BarChart()
    spending.type = "bar"
    spending.title = "Pagu dan realisasi per sub-kegiatan (Rp)"
    if leaves:
        low, high = first + leaves[0], first + leaves[-1]
        for column in (6, 7):  # pagu in force, realisasi
            spending.add_data(
                Reference(budget_sheet, min_col=column, min_row=low, max_row=high),
                titles_from_data=False,
            )
        spending.set_categories(Reference(budget_sheet, min_col=2, min_row=low, max_row=high))
        from openpyxl.chart.series import SeriesLabel

        spending.series[0].tx = SeriesLabel(v="Pagu berlaku")
        spending.series[1].tx = SeriesLabel(v="Realisasi")
    spending.height, spending.width = 11, 18
    sheet.add_chart(spending, "A22")


def xlsx_bytes(report: dict) -> bytes:
    """The report as a workbook: one formatted sheet per table, a chart sheet and the notes."""
    import io

    from openpyxl import Workbook

    year = report["year"]
    source = f"{report['office_name']} · Tahun anggaran {year}"
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "Per jenis bencana",
        f"Korban bencana tertangani per jenis bencana tahun {year}",
        source,
        HAZARD_COLUMNS,
        report["by_hazard"],
        {**report["by_hazard_total"], "name": "Jumlah"},
    )
    _sheet(
        book,
        f"Per {report['region_label'].lower().replace('/', '-')}",
        f"Korban bencana tertangani per {report['region_label'].lower()} tahun {year}",
        source,
        _region_columns(report["region_label"]),
        report["by_region"],
        {**report["by_region_total"], "code": "", "name": "Jumlah"},
    )
    components_sheet = _sheet(
        book,
        "Komponen SPM",
        f"Target, realisasi dan anggaran per komponen SPM tahun {year}",
        source,
        COMPONENT_COLUMNS,
        report["components"],
    )
    _indicator_sheet(book, report, source)
    budget_sheet = _sheet(
        book,
        "Anggaran",
        f"Pagu, realisasi, serapan dan efisiensi anggaran tahun {year}",
        source,
        BUDGET_COLUMNS,
        [{**row, "catatan": _disagreement_text(row)} for row in report["budget"]],
    )
    if report.get("serapan_places") == 0:
        # The LKIP's whole-percent serapan prints without decimals, as the office publishes it.
        column = 1 + [key for _h, key, _w, _k in BUDGET_COLUMNS].index("serapan_printed")
        for (cell,) in budget_sheet.iter_rows(
            min_row=HEADER_ROW + 1, min_col=column, max_col=column
        ):
            cell.number_format = INT_FORMAT
    _sheet(
        book,
        "Tagana dan KSB",
        f"Keluaran Tagana, KSB dan lumbung sosial terhadap target tahun {year}",
        source,
        OUTPUT_COLUMNS,
        report["outputs"],
    )
    _charts(book, report, components_sheet, budget_sheet)
    _notes_sheet(book, report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _disagreement_text(row: dict) -> str:
    """The own pagu figures of a row that are not the sum of its parts, as one cell."""
    from logistics.core.formatting import rupiah

    return "; ".join(
        f"{d['label']} {rupiah(d['own'])} tidak sama dengan jumlah rincian {rupiah(d['parts'])}"
        for d in row["disagreements"]
    )


def _indicator_sheet(book, report: dict, source: str) -> None:
    """The SPM indicator: victims needing and met, the percentage, the target and the capaian."""
    year = report["year"]
    indicator = report["indicator"]
    indicator_rows = [
        {
            "label": "Korban yang membutuhkan perlindungan dan jaminan sosial",
            "value": indicator["needing"],
            "unit": "jiwa",
        },
        {
            "label": "Korban yang terpenuhi kebutuhan dasarnya",
            "value": indicator["met"],
            "unit": "jiwa",
        },
        {"label": "Korban yang belum terpenuhi", "value": indicator["not_met"], "unit": "jiwa"},
        {"label": "Capaian SPM", "value": indicator["persen"], "unit": "%"},
        {"label": "Target", "value": indicator["target"], "unit": indicator["unit"] or "%"},
        {"label": "Capaian terhadap target", "value": indicator["capaian"], "unit": "%"},
    ]
    sheet = _sheet(
        book,
        "Indikator SPM",
        f"Indikator SPM bidang sosial (korban bencana) tahun {year}",
        source,
        (
            ("Uraian", "label", 58, "text"),
            ("Nilai", "value", 14, "num"),
            ("Satuan", "unit", 8, "text"),
        ),
        indicator_rows,
    )
    for row in (HEADER_ROW + 4, HEADER_ROW + 5, HEADER_ROW + 6):
        sheet.cell(row=row, column=2).number_format = PERCENT_FORMAT


def _notes_sheet(book, report: dict) -> None:
    """How each figure is counted, one note a row."""
    from openpyxl.styles import Alignment, Font

    notes = book.create_sheet("Catatan")
    notes["A1"] = "Catatan perhitungan"
    notes["A1"].font = Font(bold=True, size=12)
    notes.column_dimensions["A"].width = 120
    for offset, note in enumerate(report["notes"], start=2):
        notes.cell(row=offset, column=1, value=note).alignment = Alignment(wrap_text=True)


def _bar_rows(report: dict) -> tuple[list[dict], list[dict]]:
    """Bars for the SVG charts: capaian per indicator, pagu and realisasi per sub-kegiatan."""
    achievement = [
        {"label": r["label"], "value": r["capaian"]}
        for r in report["components"] + report["outputs"]
        if r["capaian"] is not None
    ]
    if report["indicator"]["capaian"] is not None:
        achievement.append({"label": "Capaian SPM", "value": report["indicator"]["capaian"]})
    scale = max([100.0] + [float(a["value"]) for a in achievement])
    for bar in achievement:
        bar["width"] = round(float(bar["value"]) / scale * 100, 2)
        bar["target_x"] = round(100 / scale * 100, 2)
    leaves = [r for r in report["budget"] if r["level"] == "sub_kegiatan" and r["pagu"]]
    top = max([r["pagu"] for r in leaves] + [1])
    spending = [
        {
            "label": f"{r['code']} {r['name']}",
            "pagu": r["pagu"],
            "realisasi": r["realisasi"],
            "serapan": r["serapan"],
            "pagu_width": round(r["pagu"] / top * 100, 2),
            "realisasi_width": round(r["realisasi"] / top * 100, 2),
        }
        for r in leaves
    ]
    return achievement, spending


def render_html(
    report: dict, template: str = "reports/year_report/document_pdf.html", **extra
) -> str:
    from flask import render_template

    achievement, spending = _bar_rows(report)
    return render_template(
        template,
        r=report,
        achievement_bars=achievement,
        spending_bars=spending,
        mode_labels=AGGREGATION_MODES,
        **extra,
    )


def pdf_bytes(report: dict) -> bytes:
    """The report as an A4 landscape PDF (WeasyPrint), charts drawn as inline SVG."""
    from logistics.core.pdf import html_to_pdf

    return html_to_pdf(render_html(report), base_url=current_app.root_path)
