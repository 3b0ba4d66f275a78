"""The daily sitrep as a workbook: a summary sheet, one formatted sheet per section, the notes."""

import functools
import io
from decimal import Decimal

from logistics.core.formatting import tanggal
from logistics.core.wording import istilah
from logistics.reports.sitrep import IMPACT_COLUMNS, NOTE_FIELDS

# Excel shows these with the reader's separators; [$-421] asks for Indonesian month names.
NUMBER = "#,##0"
DECIMAL = "#,##0.0##"
PERCENT = '#,##0.00"%"'
DATE = "[$-421]d mmmm yyyy"


def render_xlsx(data: dict) -> bytes:
    """One formatted sheet per section; numbers stay numbers, dates stay dates."""
    from openpyxl import Workbook

    workbook = Workbook()
    _summary_sheet(workbook.active, data)
    _impact_sheets(workbook, data)
    _aid_sheets(workbook, data)
    _needs_sheets(workbook, data)
    _tagana_and_stock_sheets(workbook, data)
    _notes_sheet(workbook.create_sheet("Catatan"), data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook, data: dict, title: str, headers: list[str], rows: list[list], formats):
    """A table sheet under the report's two title lines, header frozen, columns sized to fit."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ev = data["event"]
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    ws = workbook.create_sheet(title)
    ws.append([f"{data['office_name']} — Laporan situasi {ev['code']}"])
    ws.append([f"{ev['title']}, {tanggal(data['day'])}"])
    ws["A1"].font = Font(bold=True, size=12)
    # The third line names the wilayah of a narrowed report (empty for the whole office).
    ws.append([data.get("scope_label") or ""])
    ws.append(headers)
    for cell in ws[4]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
        for cell, fmt in zip(ws[ws.max_row], formats, strict=False):
            if fmt and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = fmt
    ws.freeze_panes = "A5"
    for index, header in enumerate(headers, start=1):
        width = max(
            [len(str(header))] + [len(str(r[index - 1] or "")) for r in rows if len(r) >= index]
        )
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    return ws


def _summary_sheet(summary, data: dict) -> None:
    """The first sheet: the event's facts, one label and value a row."""
    from openpyxl.styles import Font

    ev = data["event"]
    bold = Font(bold=True)
    summary.title = "Ringkasan"
    summary.append([data["office_name"]])
    summary.append(["LAPORAN SITUASI HARIAN"])
    summary["A1"].font = Font(bold=True, size=12)
    summary["A2"].font = Font(bold=True, size=12)
    summary.append([])
    tanggap = ev["tanggap_darurat"] or {}
    facts = [
        ("Kejadian", f"{ev['title']} ({ev['code']})", None),
        *([("Wilayah laporan", data["scope_label"], None)] if data.get("scope_label") else []),
        ("Jenis bencana", ev["hazard"], None),
        ("Tanggal laporan", data["day"], DATE),
        ("Mulai kejadian", ev["started_on"], DATE),
        ("Hari ke-", ev["day_number"], NUMBER),
        ("Status", ev["phase_label"], None),
        ("Tanggap darurat mulai", tanggap.get("starts_on"), DATE),
        ("Tanggap darurat sampai", tanggap.get("ends_on"), DATE),
        ("Hari ke- tanggap darurat", tanggap.get("day_number"), NUMBER),
        (f"{istilah('wilayah').capitalize()} terdampak", data["impact"]["kelurahan"], NUMBER),
        ("Jiwa terdampak", data["impact"]["totals"]["jiwa_terdampak"], NUMBER),
        ("Mengungsi (jiwa)", data["impact"]["totals"]["mengungsi"], NUMBER),
        ("Tempat pengungsian buka", data["shelters"]["totals"]["units"], NUMBER),
        ("Orang di pengungsian", data["shelters"]["totals"]["persons"], NUMBER),
        ("Tagana bertugas (orang)", data["tagana"]["members"], NUMBER),
    ]
    for decree in ev["decrees"]:
        facts.append(
            (
                f"SK {decree['status_label']}",
                f"{decree['decree_number']} ({decree['issuer']}), "
                f"{tanggal(decree['starts_on'])} s.d. "
                f"{tanggal(decree['ends_on']) if decree['ends_on'] else 'belum ditentukan'}",
                None,
            )
        )
    for label, value, fmt in facts:
        summary.append([label, value])
        summary.cell(summary.max_row, 1).font = bold
        if fmt and value is not None:
            summary.cell(summary.max_row, 2).number_format = fmt
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 70


def _impact_rows(data: dict) -> tuple[list[str], list[list]]:
    """The impact sheet's lead headers and rows: per kab/kota with a subtotal row after each
    for a provinsi office, then the total."""
    impact = data["impact"]
    values = lambda source: [source[key] for key, _label in IMPACT_COLUMNS]  # noqa: E731
    lead = ["Kode", istilah("wilayah").capitalize(), "Kecamatan", "Sumber"]
    if not impact.get("groups"):
        rows = [
            [r["kelurahan_code"], r["kelurahan_name"], r["kecamatan"], r["source_label"]]
            + values(r)
            for r in impact["rows"]
        ]
        return lead, rows + [["", "Jumlah", "", ""] + values(impact["totals"])]
    rows = []
    for group in impact["groups"]:
        rows += [
            [group["code"], group["name"], r["kelurahan_code"], r["kelurahan_name"],
             r["kecamatan"], r["source_label"]] + values(r)
            for r in group["rows"]
        ]  # fmt: skip
        rows.append(
            [group["code"], f"Jumlah {group['name']}", "", "", "", ""] + values(group["totals"])
        )
    rows.append(["", "Jumlah semua kab/kota", "", "", "", ""] + values(impact["totals"]))
    return ["Kode kab/kota", "Kab/kota", *lead], rows


def _impact_sheets(workbook, data: dict) -> None:
    """The impact per kelurahan (per kab/kota with subtotals for a provinsi office) and the
    shelters."""
    sheet = functools.partial(_sheet, workbook, data)
    lead, rows = _impact_rows(data)
    sheet(
        "Dampak",
        lead + [label for _k, label in IMPACT_COLUMNS],
        rows,
        [None] * len(lead) + [NUMBER] * len(IMPACT_COLUMNS),
    )
    shelters = data["shelters"]
    sheet(
        "Pengungsian",
        ["Tempat", "Jenis", istilah("wilayah").capitalize(), "Kapasitas", "Jiwa", "KK", "Keterisian (%)",
         "Dihitung", "Peringatan"],
        [
            [r["name"], r["kind_label"], r["kelurahan_name"], r["capacity"], r["persons"],
             r["households"], _float(r["occupancy"]), r["counted_on"], " ".join(r["warnings"])]
            for r in shelters["rows"]
        ]
        + [["Jumlah", f"{shelters['totals']['units']} lokasi", "", shelters["totals"]["capacity"],
            shelters["totals"]["persons"], shelters["totals"]["households"],
            _float(shelters["totals"]["occupancy"]), None, ""]],
        [None, None, None, NUMBER, NUMBER, NUMBER, PERCENT, DATE, None],
    )  # fmt: skip


def _aid_sheets(workbook, data: dict) -> None:
    """Hand-outs per SPM component and the items handed out."""
    sheet = functools.partial(_sheet, workbook, data)
    aid = data["aid"]
    sheet(
        "Bantuan",
        ["Komponen SPM", "Penyaluran hari ini", "Layanan (orang) hari ini",
         "Orang berbeda hari ini", "Penyaluran kumulatif", "Layanan (orang) kumulatif",
         "Orang berbeda kumulatif"],
        [
            [c["label"], c["day"]["handouts"], c["day"]["persons_served"],
             c["day"]["distinct_persons"], c["cumulative"]["handouts"],
             c["cumulative"]["persons_served"], c["cumulative"]["distinct_persons"]]
            for c in aid["components"]
        ],
        [None] + [NUMBER] * 6,
    )  # fmt: skip
    sheet(
        "Barang",
        ["Komponen SPM", "Kode barang", "Barang", "Satuan", "Hari ini", "Kumulatif"],
        [
            [i["component_label"], i["item_code"], i["item_name"], i["unit"],
             _float(i["day"]), _float(i["cumulative"])]
            for i in aid["items"]
        ]
        + [["Dapur umum (porsi dibagikan)", "", "", "porsi",
            aid["kitchens"]["day"]["portions_served"],
            aid["kitchens"]["cumulative"]["portions_served"]]],
        [None, None, None, None, DECIMAL, DECIMAL],
    )  # fmt: skip


def _needs_sheets(workbook, data: dict) -> None:
    """Needs and gaps per kelurahan, and the standards' quantities."""
    sheet = functools.partial(_sheet, workbook, data)
    needs = data["needs"]
    # A provinsi office's rows lead with their kab/kota.
    kab = data.get("by_kab_kota")
    sheet(
        "Kebutuhan",
        (["Kab/kota"] if kab else [])
        + ["Kode", istilah("wilayah").capitalize(), "Komponen SPM", "Membutuhkan (jiwa)", "KK",
           "Tersalurkan", "Kesenjangan", "Perkiraan (kaji cepat)"],
        [
            ([r["kab_kota_name"]] if kab else [])
            + [r["kelurahan_code"], r["kelurahan_name"], r["component_label"], r["persons_needing"],
               r["households_needing"], r["delivered"], r["gap"], "ya" if r["estimated"] else ""]
            for r in needs["rows"]
        ],
        ([None] if kab else []) + [None, None, None, NUMBER, NUMBER, NUMBER, NUMBER, None],
    )  # fmt: skip
    sheet(
        "Kebutuhan standar",
        ["Kebutuhan", "Jiwa", "KK", "Jumlah", "Satuan", "Sumber standar"],
        [
            [
                q["need_label"],
                q["persons"],
                q["households"],
                _float(q["need"]),
                q["unit"],
                q["source"],
            ]
            for q in needs["quantities"]
        ],
        [None, NUMBER, NUMBER, DECIMAL, None, None],
    )


def _tagana_and_stock_sheets(workbook, data: dict) -> None:
    """Tagana on duty per place and the stock against the needs."""
    sheet = functools.partial(_sheet, workbook, data)
    sheet(
        "Tagana",
        ["Tempat", "Peran", "Jumlah anggota"],
        [[r["place"], r["role"], r["members"]] for r in data["tagana"]["rows"]]
        + [["Jumlah (orang berbeda)", "", data["tagana"]["members"]]],
        [None, None, NUMBER],
    )
    sheet(
        "Stok",
        ["Kebutuhan", "Barang", "Satuan", "Stok", "Kebutuhan", "Cukup (hari)", "Cakupan (%)",
         "Peringatan"],
        [
            [r["need_label"], r["item_name"], r["unit"], _float(r["stock"]), _float(r["need"]),
             _float(r["days_of_cover"]), _float(r["share"]), "PERLU DITAMBAH" if r["warning"] else ""]
            for r in data["stock"]
        ],
        [None, None, None, DECIMAL, DECIMAL, DECIMAL, PERCENT, None],
    )  # fmt: skip


def _notes_sheet(notes, data: dict) -> None:
    """The day's kendala, upaya and kebutuhan mendesak."""
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    notes.append(["Catatan hari ini", tanggal(data["day"])])
    notes["A1"].font = Font(bold=True, size=12)
    for name, label in NOTE_FIELDS.items():
        notes.append([label, data["notes"][name] or "-"])
        notes.cell(notes.max_row, 1).font = bold
        notes.cell(notes.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90


def _float(value):
    """Decimals as floats for a spreadsheet cell (openpyxl writes numbers, not text)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
