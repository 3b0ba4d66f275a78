"""The victim import template: an XLSX with help and pick lists, and a CSV header."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from logistics.core.wording import contoh_kode, istilah
from logistics.events.models import PEOPLE_STATUSES
from logistics.victims.import_cells import TEMPLATE_COLUMNS
from logistics.victims.models import NO_NIK_REASONS, RELATIONS

# --- the template spreadsheet ---------------------------------------------------------------------

TEMPLATE_HELP = {
    "nik": "16 digit, format kolom Teks. Kosongkan bila tidak ada NIK dan isi alasan_tanpa_nik.",
    "no_kk": "Nomor Kartu Keluarga, 16 digit (Teks). Anggota satu KK dikelompokkan otomatis.",
    "nama": "Wajib. Nama lengkap sesuai KTP/KK.",
    "jenis_kelamin": "L atau P. Boleh kosong bila NIK diisi (diambil dari NIK).",
    "tanggal_lahir": "HH-BB-TTTT, mis. 17-08-1985. Boleh kosong bila NIK diisi.",
    "hubungan": "Hubungan dalam keluarga: " + ", ".join(RELATIONS) + ".",
    "alasan_tanpa_nik": "Wajib bila NIK kosong: " + ", ".join(NO_NIK_REASONS) + ".",
    "status": "Status pada kejadian ini: " + ", ".join(PEOPLE_STATUSES) + ".",
    "kode_kelurahan": "Kode Kemendagri {area}, mis. {code}.",
    "alamat": "Alamat rumah (opsional).",
    "rt": "Angka, mis. 003 (opsional).",
    "rw": "Angka, mis. 007 (opsional).",
    "hamil": "ya/tidak (hanya untuk perempuan).",
    "menyusui": "ya/tidak (hanya untuk perempuan).",
    "disabilitas": "ya/tidak.",
    "penyakit_kronis": "ya/tidak.",
    "kelompok_rentan": "Alternatif kolom ya/tidak: daftar dipisah spasi/koma, mis. 'hamil "
    "disabilitas'. Balita, anak dan lansia dihitung dari tanggal lahir.",
    "id_pengungsian": "Nomor tempat pengungsian di Posko (opsional).",
    "catatan": "Keterangan lain (opsional).",
}
TEMPLATE_EXAMPLE = {
    "nik": "{digits}4107850003",
    "no_kk": "{digits}0101200001",
    "nama": "Siti Aminah",
    "jenis_kelamin": "P",
    "tanggal_lahir": "01-07-1985",
    "hubungan": "istri",
    "status": "mengungsi",
    "kode_kelurahan": "{code}",
    "rt": "003",
    "rw": "007",
    "menyusui": "ya",
}


def _for_office(text: str) -> str:
    """An example with the office's own codes: its kelurahan/desa, and a NIK/KK born there."""
    code = contoh_kode()
    text = text.replace("{area}", istilah("wilayah"))
    return text.replace("{code}", code).replace("{digits}", code.replace(".", "")[:6])


def template_workbook() -> bytes:
    """The import template: an empty data sheet with our headers, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Korban"
    sheet.append(TEMPLATE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, key in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(key) + 4)
        if key in ("nik", "no_kk", "rt", "rw", "kode_kelurahan", "tanggal_lahir"):
            # Text columns keep leading zeros and all 16 digits (Excel rounds long numbers).
            sheet.column_dimensions[letter].number_format = "@"
    lists = {
        "jenis_kelamin": '"L,P"',
        "status": '"' + ",".join(PEOPLE_STATUSES) + '"',
        "hubungan": '"' + ",".join(RELATIONS) + '"',
        "hamil": '"ya,tidak"',
        "menyusui": '"ya,tidak"',
        "disabilitas": '"ya,tidak"',
        "penyakit_kronis": '"ya,tidak"',
    }
    for key, formula in lists.items():
        letter = sheet.cell(row=1, column=TEMPLATE_COLUMNS.index(key) + 1).column_letter
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(f"{letter}2:{letter}5001")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Petunjuk")
    guide.append(["Kolom", "Isi", "Contoh"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for key in TEMPLATE_COLUMNS:
        guide.append(
            [
                key,
                _for_office(TEMPLATE_HELP.get(key, "")),
                _for_office(TEMPLATE_EXAMPLE.get(key, "")),
            ]
        )
    guide.append([])
    guide.append(
        [
            "Catatan",
            "Satu baris satu orang. Baris contoh di sheet ini tidak ikut diimpor. Berkas "
            "KoboToolbox/ODK (CSV/XLSX) juga diterima: kolom dikenali dari nama terakhirnya "
            "(mis. korban/nik).",
        ]
    )
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 90
    guide.column_dimensions["C"].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> str:
    """The same headers as CSV, for offices that prefer it."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerow(TEMPLATE_COLUMNS)
    return buffer.getvalue()
