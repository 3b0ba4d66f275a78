"""The budget tree's codes, and plan workbooks to import."""

import io
from datetime import date

from openpyxl import Workbook

YEAR = 2026
TODAY = date(2026, 11, 30)
PERMAKANAN = "1.06.06.2.01.0001"
SANDANG = "1.06.06.2.01.0002"
KSB = "1.06.06.2.02.0001"
HEADER = ["Kode", "Uraian", "Pagu awal", "Pagu perubahan", "TW I", "TW II", "TW III", "TW IV"]
GOOD_ROWS = [
    # printed program total 700.000.000 agrees; the kegiatan row prints a wrong pagu awal
    ["1.06.06", "Program Penanganan Bencana", "700.000.000", None, None, None, None, None],
    [
        "1.06.06.02.01",
        "Perlindungan Sosial Korban Bencana",
        "650.000.000",
        None,
        "150.000.000",
        None,
        None,
        None,
    ],
    [
        "1.06.06.02.01.0001",
        "Penyediaan Makanan",
        "500.000.000",
        None,
        "100.000.000",
        "150.000.000",
        "150.000.000",
        "100.000.000",
    ],
    [
        "1.06.06.02.01.0002",
        "Penyediaan Sandang",
        "200.000.000",
        None,
        "50.000.000",
        "50.000.000",
        "50.000.000",
        "50.000.000",
    ],
]


def xlsx(rows, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in title_rows:
        sheet.append(row)
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
