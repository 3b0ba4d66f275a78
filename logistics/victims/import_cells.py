"""Victim import columns and cells: header names, reading the file, lenient cell parsers."""

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from flask import current_app

from logistics.core import spreadsheets
from logistics.core.errors import DomainError
from logistics.events.models import PEOPLE_STATUSES
from logistics.victims.models import NO_NIK_REASONS, RELATIONS

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


# --- columns ---------------------------------------------------------------------------------

# Canonical column -> (header in our template, header variants seen in office spreadsheets and
# Kobo/ODK forms, in Indonesian and English; compared after _header_key()).
COLUMNS = {
    "nik": (
        "nik",
        "nik no_nik nomor_nik nomor_induk_kependudukan nik_korban national_id id_number",
    ),
    "no_kk": (
        "no_kk",
        "no_kk nomor_kk nokk kk nomor_kartu_keluarga no_kartu_keluarga family_card_number kk_number",
    ),
    "nama": ("nama", "nama nama_lengkap nama_korban name full_name nama_anggota"),
    "jenis_kelamin": ("jenis_kelamin", "jenis_kelamin jk kelamin l_p sex gender"),
    "tanggal_lahir": (
        "tanggal_lahir",
        "tanggal_lahir tgl_lahir tanggal_lhr birth_date date_of_birth dob birthdate",
    ),
    "hubungan": (
        "hubungan",
        "hubungan hubungan_keluarga shdk status_hubungan_dalam_keluarga relation relationship",
    ),
    "alasan_tanpa_nik": (
        "alasan_tanpa_nik",
        "alasan_tanpa_nik alasan_tidak_ada_nik alasan_nik no_nik_reason reason_no_nik",
    ),
    "status": ("status", "status status_korban kondisi kondisi_korban victim_status"),
    "kode_kelurahan": (
        "kode_kelurahan",
        "kode_kelurahan kode_desa kode_kel kode_kelurahan_desa kelurahan_code village_code "
        "kode_wilayah",
    ),
    "alamat": ("alamat", "alamat alamat_rumah address"),
    "rt": ("rt", "rt"),
    "rw": ("rw", "rw"),
    "hamil": ("hamil", "hamil ibu_hamil pregnant"),
    "menyusui": ("menyusui", "menyusui ibu_menyusui breastfeeding"),
    "disabilitas": ("disabilitas", "disabilitas difabel penyandang_disabilitas disability"),
    "penyakit_kronis": (
        "penyakit_kronis",
        "penyakit_kronis sakit_kronis kronis chronic_illness",
    ),
    "kelompok_rentan": ("kelompok_rentan", "kelompok_rentan rentan vulnerable_groups"),
    "id_pengungsian": (
        "id_pengungsian",
        "id_pengungsian id_tempat_pengungsian shelter_id id_shelter",
    ),
    "catatan": ("catatan", "catatan keterangan note notes"),
    "client_id": ("", "client_id uuid instanceid submission_uuid"),
}
_HEADER_ALIASES = {alias: key for key, (_, aliases) in COLUMNS.items() for alias in aliases.split()}
TEMPLATE_COLUMNS = [key for key, (header, _) in COLUMNS.items() if header]


def _header_key(header) -> str:
    """'korban/Nama Lengkap' -> 'nama_lengkap': Kobo group paths keep only the last segment."""
    text = str(header or "").strip()
    text = re.split(r"[/:]", text)[-1] if re.search(r"[/:]", text) else text
    text = unicodedata.normalize("NFKD", text).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def map_headers(headers: list) -> tuple[dict[str, int], list[str]]:
    """{canonical column: index} for the headers we know, and the headers left unused."""
    mapping: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        key = _HEADER_ALIASES.get(_header_key(header))
        if key is None or key in mapping:
            if str(header or "").strip():
                ignored.append(str(header).strip())
            continue
        mapping[key] = index
    return mapping, ignored


# --- reading files -------------------------------------------------------------------------------


def read_table(path: str | Path) -> tuple[list, Iterator[tuple[int, tuple]], int | None]:
    """(headers, iterator of (spreadsheet row number, values), estimated row count)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DomainError(
            f"Jenis berkas '{suffix or path.name}' tidak didukung; unggah XLSX atau CSV.",
            field="file",
        )
    if not path.exists():
        raise DomainError("Berkas unggahan tidak ditemukan lagi; unggah ulang.", field="file")
    table = spreadsheets.read_table(path, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    return table.headers, table.rows, table.estimate


# --- cell parsers (lenient about spelling, strict about meaning) ---------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _key(value) -> str:
    return re.sub(r"[^a-z0-9]+", "_", cell_text(value).lower()).strip("_")


def parse_identity_number(value, label: str) -> str | None:
    """A NIK/KK cell as text; a number cell that lost digits to Excel is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise DomainError(
            f"{label} tersimpan sebagai angka desimal sehingga digit terakhir bisa berubah; "
            f"format kolom {label} sebagai Teks lalu ketik ulang."
        )
    return cell_text(value) or None


_SEXES = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "laki_laki": "L",
    "lelaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "w": "P",
    "f": "P",
    "female": "P",
}


def parse_sex(value) -> str | None:
    key = _key(value)
    if not key:
        return None
    if key not in _SEXES:
        raise DomainError(f"jenis kelamin '{cell_text(value)}' tidak dikenal; isi L atau P.")
    return _SEXES[key]


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "januari january jan",
            "februari pebruari february feb peb",
            "maret march mar",
            "april apr",
            "mei may",
            "juni june jun",
            "juli july jul",
            "agustus august agu aug agt",
            "september sept sep",
            "oktober october okt oct",
            "november nopember nov nop",
            "desember december des dec",
        ),
        start=1,
    )
    for name in names.split()
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(value) -> date | None:
    """Dates from spreadsheets: real date cells, ISO (Kobo), DD-MM-YYYY, '12 Maret 1985'."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    # Kobo writes '1985-03-12' or with a time part; keep the date.
    text = re.split(r"[T ]\d{1,2}:\d{2}", text)[0].strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    words = re.match(r"^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$", text)
    if words and words.group(2).lower() in _MONTHS:
        try:
            return date(int(words.group(3)), _MONTHS[words.group(2).lower()], int(words.group(1)))
        except ValueError:
            pass
    raise DomainError(
        f"tanggal lahir '{text}' tidak dikenali; tulis HH-BB-TTTT (mis. 17-08-1985) atau "
        "TTTT-BB-HH."
    )


_RELATIONS = {
    **{key: key for key in RELATIONS},
    **{_key(label): key for key, label in RELATIONS.items()},
    "kepala": "kepala_keluarga",
    "kk": "kepala_keluarga",
    "kepala_rumah_tangga": "kepala_keluarga",
    "head": "kepala_keluarga",
    "head_of_household": "kepala_keluarga",
    "isteri": "istri",
    "wife": "istri",
    "husband": "suami",
    "anak_kandung": "anak",
    "anak_angkat": "anak",
    "anak_tiri": "anak",
    "child": "anak",
    "son": "anak",
    "daughter": "anak",
    "grandchild": "cucu",
    "ayah": "orang_tua",
    "ibu": "orang_tua",
    "bapak": "orang_tua",
    "parent": "orang_tua",
    "famili": "famili_lain",
    "saudara": "famili_lain",
    "keluarga_lain": "famili_lain",
    "other": "lainnya",
    "lain_lain": "lainnya",
}


def parse_relation(value) -> str:
    key = _key(value)
    if not key:
        return "lainnya"
    if key not in _RELATIONS:
        raise DomainError(
            f"hubungan keluarga '{cell_text(value)}' tidak dikenal; pilih salah satu: "
            f"{', '.join(RELATIONS)}."
        )
    return _RELATIONS[key]


_STATUSES = {
    **{key: key for key in PEOPLE_STATUSES},
    **{_key(label): key for key, label in PEOPLE_STATUSES.items()},
    "meninggal_dunia": "meninggal",
    "wafat": "meninggal",
    "dead": "meninggal",
    "hilang_belum_ditemukan": "hilang",
    "missing": "hilang",
    "luka": "terluka",
    "luka_luka": "terluka",
    "luka_ringan": "terluka",
    "luka_berat": "terluka",
    "injured": "terluka",
    "terdampak": "menderita",
    "affected": "menderita",
    "pengungsi": "mengungsi",
    "mengungsi_pengungsi": "mengungsi",
    "displaced": "mengungsi",
}


def parse_status(value, default: str | None) -> str:
    key = _key(value)
    if not key:
        if default:
            return default
        raise DomainError("status korban kosong; isi salah satu: " + ", ".join(PEOPLE_STATUSES))
    if key not in _STATUSES:
        raise DomainError(
            f"status korban '{cell_text(value)}' tidak dikenal; isi salah satu: "
            + ", ".join(PEOPLE_STATUSES)
            + "."
        )
    return _STATUSES[key]


_NO_NIK_REASONS = {
    **{key: key for key in NO_NIK_REASONS},
    **{_key(label): key for key, label in NO_NIK_REASONS.items()},
    "anak": "anak_belum_ber_nik",
    "belum_punya_nik": "anak_belum_ber_nik",
    "hilang": "dokumen_hilang",
    "ktp_hilang": "dokumen_hilang",
    "dokumen_hilang": "dokumen_hilang",
    "belum_terdata": "belum_terdata_dukcapil",
}


def parse_no_nik_reason(value) -> tuple[str | None, str]:
    """(reason key, free text kept as a note when the reason is not one of ours)."""
    key = _key(value)
    if not key:
        return None, ""
    if key in _NO_NIK_REASONS:
        return _NO_NIK_REASONS[key], ""
    return "lainnya", f"Alasan tanpa NIK: {cell_text(value)}"


_TRUE = {"1", "ya", "y", "yes", "true", "benar", "x", "v", "ada", "iya"}
_FALSE = {"0", "tidak", "t", "no", "n", "false", "salah", "tidak_ada", "bukan"}


def parse_flag(value, column: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    key = _key(value)
    if not key or key in _FALSE:
        return False
    if key in _TRUE:
        return True
    raise DomainError(f"kolom {column} berisi '{cell_text(value)}'; isi ya atau tidak.")


_GROUP_TOKENS = {
    "hamil": "pregnant",
    "ibu_hamil": "pregnant",
    "menyusui": "breastfeeding",
    "ibu_menyusui": "breastfeeding",
    "disabilitas": "disability",
    "difabel": "disability",
    "penyandang_disabilitas": "disability",
    "penyakit_kronis": "chronic_illness",
    "kronis": "chronic_illness",
    "sakit_kronis": "chronic_illness",
    # Age groups are derived from the birth date, never taken from a column.
    "balita": None,
    "anak": None,
    "lansia": None,
    "dewasa": None,
    "tidak_ada": None,
}


def parse_groups(value) -> set[str]:
    """A Kobo select_multiple cell ('hamil disabilitas') or a comma list -> Person flags."""
    flags = set()
    for token in re.split(r"[,;\s]+", cell_text(value).lower()):
        token = _key(token)
        if not token:
            continue
        if token not in _GROUP_TOKENS:
            raise DomainError(
                f"kelompok rentan '{token}' tidak dikenal; pakai: hamil, menyusui, disabilitas, "
                "penyakit_kronis."
            )
        if _GROUP_TOKENS[token]:
            flags.add(_GROUP_TOKENS[token])
    return flags


def normalize_kelurahan_code(value) -> str:
    """'3604012001' or '36.04.01.2001' -> '36.04.01.2001' (format checked by the caller)."""
    text = cell_text(value).replace(" ", "")
    if text.isdigit() and len(text) == 10:
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text
