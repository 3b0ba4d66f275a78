"""Bulk import of victims from XLSX/CSV and KoboToolbox/ODK exports: dry run, then all-or-nothing.

Both steps read and validate the whole file the same way (validation is repeated at confirm time
because the registry may have changed since the dry run). The database is read in a handful of
bulk lookups and written with bulk inserts, never one query per row, so 50,000 rows against a
registry of 200,000 persons take seconds, not hours. The caller commits once: a database error
anywhere leaves nothing written.
"""

import contextlib
import csv
import hashlib
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import insert, select, update

from logistics.areas.models import Area
from logistics.areas.services import KELURAHAN_CODE
from logistics.core import spreadsheets
from logistics.core.audit import record_action
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.privacy import mask_nik
from logistics.core.time import utcnow
from logistics.events.models import PEOPLE_STATUSES, Event
from logistics.shelters.models import Shelter
from logistics.victims.models import NO_NIK_REASONS, RELATIONS, Household, Person, Victim
from logistics.victims.nik import RegionCodes, parse_kk, region_codes
from logistics.victims.services import PersonInput, normalize_name, office_today, validate_person

Progress = Callable[[int, str], None]
# How many rejected rows the job record keeps for the report page; the CSV file has them all.
REJECTED_IN_RECORD = 1000
LOOKUP_CHUNK = 900  # stays under every database's bound-parameter limit
INSERT_CHUNK = 2000
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


def _no_progress(percent: int, message: str) -> None:
    pass


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
    table = spreadsheets.read_table(path)
    return table.headers, table.rows, table.estimate


# --- cell parsers (lenient about spelling, strict about meaning) ---------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _key(value) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _text(value).lower()).strip("_")


def parse_identity_number(value, label: str) -> str | None:
    """A NIK/KK cell as text; a number cell that lost digits to Excel is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise DomainError(
            f"{label} tersimpan sebagai angka desimal sehingga digit terakhir bisa berubah; "
            f"format kolom {label} sebagai Teks lalu ketik ulang."
        )
    return _text(value) or None


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
        raise DomainError(f"jenis kelamin '{_text(value)}' tidak dikenal; isi L atau P.")
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
    text = _text(value)
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
            f"hubungan keluarga '{_text(value)}' tidak dikenal; pilih salah satu: "
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
            f"status korban '{_text(value)}' tidak dikenal; isi salah satu: "
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
    return "lainnya", f"Alasan tanpa NIK: {_text(value)}"


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
    raise DomainError(f"kolom {column} berisi '{_text(value)}'; isi ya atau tidak.")


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
    for token in re.split(r"[,;\s]+", _text(value).lower()):
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
    """'3275011001' or '32.75.01.1001' -> '32.75.01.1001' (format checked by the caller)."""
    text = _text(value).replace(" ", "")
    if text.isdigit() and len(text) == 10:
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text


# --- the plan: every row validated, matched against the registry ---------------------------------


@dataclass
class Rejection:
    row: int
    reason: str
    name: str = ""
    nik: str = ""  # masked: the report is read more widely than the registry

    def as_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason, "name": self.name, "nik": self.nik}


@dataclass
class ImportRow:
    """One accepted row, ready to insert."""

    row: int
    person: PersonInput
    status: str
    kelurahan_code: str
    no_kk: str | None
    address: str
    rt: str
    rw: str
    shelter_id: int | None
    note: str
    client_id: str
    # Filled by the registry lookups:
    person_id: int | None = None
    action: str = "baru"  # baru | orang_lama | sudah_terdaftar


@dataclass
class ImportPlan:
    event_id: int
    rows: list[ImportRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    total: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    households_existing: dict[str, int] = field(default_factory=dict)
    persons_to_update: dict[int, dict] = field(default_factory=dict)

    def counts(self) -> dict:
        actions = {"baru": 0, "orang_lama": 0, "sudah_terdaftar": 0}
        for row in self.rows:
            actions[row.action] += 1
        new_kk = {r.no_kk for r in self.rows if r.no_kk and r.no_kk not in self.households_existing}
        return {
            "total": self.total,
            "accepted": len(self.rows),
            "rejected": len(self.rejected),
            "new_persons": actions["baru"],
            "existing_persons": actions["orang_lama"],
            "already_registered": actions["sudah_terdaftar"],
            "new_households": len(new_kk),
            "existing_households": len(
                {r.no_kk for r in self.rows if r.no_kk in self.households_existing}
            ),
        }


class _Row:
    """Cell access by canonical column for one spreadsheet row."""

    __slots__ = ("mapping", "values")

    def __init__(self, mapping: dict[str, int], values):
        self.mapping = mapping
        self.values = values

    def get(self, key: str):
        index = self.mapping.get(key)
        if index is None or index >= len(self.values):
            return None
        value = self.values[index]
        return value.strip() if isinstance(value, str) else value


def _content_id(event_id: int, row: ImportRow) -> str:
    """A stable id for a row's content: re-importing the same person writes nothing twice."""
    person = row.person
    key = "|".join(
        str(part or "")
        for part in (
            event_id,
            person.nik,
            row.no_kk,
            normalize_name(person.name),
            person.birth_date,
            "" if person.nik or row.no_kk else row.kelurahan_code,
        )
    )
    return "imp-" + hashlib.sha1(key.encode()).hexdigest()


def _parse_row(
    cells: _Row,
    *,
    event_id: int,
    default_status: str | None,
    regions: RegionCodes,
    kelurahan_codes: set[str],
    shelters: dict[int, tuple[str, int | None]],
    today: date,
) -> ImportRow:
    """Validate one row; DomainError with the reason (in the words a person can act on)."""
    name = _text(cells.get("nama"))
    if not name:
        raise DomainError("nama kosong")
    nik = parse_identity_number(cells.get("nik"), "NIK")
    no_kk = parse_identity_number(cells.get("no_kk"), "Nomor KK")
    if no_kk:
        no_kk = parse_kk(no_kk, regions)
    reason, reason_note = parse_no_nik_reason(cells.get("alasan_tanpa_nik"))
    flags = parse_groups(cells.get("kelompok_rentan"))
    for column, flag in (
        ("hamil", "pregnant"),
        ("menyusui", "breastfeeding"),
        ("disabilitas", "disability"),
        ("penyakit_kronis", "chronic_illness"),
    ):
        if parse_flag(cells.get(column), column):
            flags.add(flag)
    person = validate_person(
        PersonInput(
            name=name,
            nik=nik,
            no_nik_reason=None if nik else reason,
            sex=parse_sex(cells.get("jenis_kelamin")),
            birth_date=parse_date(cells.get("tanggal_lahir")),
            relation=parse_relation(cells.get("hubungan")),
            pregnant="pregnant" in flags,
            breastfeeding="breastfeeding" in flags,
            disability="disability" in flags,
            chronic_illness="chronic_illness" in flags,
        ),
        regions,
        today,
    )
    status = parse_status(cells.get("status"), default_status)
    raw_code = cells.get("kode_kelurahan")
    code = normalize_kelurahan_code(raw_code)
    if not code:
        raise DomainError("kode kelurahan/desa kosong")
    if not KELURAHAN_CODE.match(code):
        raise DomainError(
            f"kode kelurahan/desa '{_text(raw_code)}' salah format; tulis PP.KK.CC.NDDD, "
            "mis. 32.75.01.1001"
        )
    if code not in kelurahan_codes:
        raise DomainError(f"kode kelurahan/desa '{code}' tidak dikenal di wilayah ini")
    shelter_id = None
    raw_shelter = _text(cells.get("id_pengungsian"))
    if raw_shelter:
        if not raw_shelter.isdigit() or int(raw_shelter) not in shelters:
            raise DomainError(f"tempat pengungsian '{raw_shelter}' tidak ditemukan")
        shelter_id = int(raw_shelter)
        shelter_status, shelter_event = shelters[shelter_id]
        if shelter_status != "buka":
            raise DomainError(f"tempat pengungsian {shelter_id} sudah ditutup")
        if shelter_event not in (None, event_id):
            raise DomainError(f"tempat pengungsian {shelter_id} milik kejadian lain")
    rt, rw = _text(cells.get("rt")), _text(cells.get("rw"))
    for label, value in (("RT", rt), ("RW", rw)):
        if value and (not value.isdigit() or len(value) > 4):
            raise DomainError(f"{label} '{value}' harus berupa angka (maksimal 4 digit)")
    note = "; ".join(part for part in (_text(cells.get("catatan")), reason_note) if part)
    row = ImportRow(
        row=0,
        person=person,
        status=status,
        kelurahan_code=code,
        no_kk=no_kk,
        address=_text(cells.get("alamat"))[:255],
        rt=rt,
        rw=rw,
        shelter_id=shelter_id,
        note=note,
        client_id="",
    )
    submitted = _text(cells.get("client_id"))
    if submitted:
        # A Kobo/ODK submission keeps its uuid: the same submission in two exports is one row.
        row.client_id = ("kobo-" + submitted.removeprefix("uuid:"))[:64]
    else:
        row.client_id = _content_id(event_id, row)
    return row


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_registry(plan: ImportPlan, progress: Progress) -> None:
    """Bulk lookups: existing persons by NIK, households by KK, victims already in the event."""
    rows = plan.rows
    niks = sorted({r.person.nik for r in rows if r.person.nik})
    persons_by_nik: dict[str, tuple] = {}
    for chunk in _chunks(niks):
        for person in db.session.execute(
            select(
                Person.id,
                Person.nik,
                Person.merged_into_id,
                Person.household_id,
                Person.birth_date,
                Person.pregnant,
                Person.breastfeeding,
                Person.disability,
                Person.chronic_illness,
            ).where(Person.nik.in_(chunk))
        ):
            persons_by_nik[person.nik] = person
    progress(55, "Mencocokkan nomor KK")
    kks = sorted({r.no_kk for r in rows if r.no_kk})
    for chunk in _chunks(kks):
        plan.households_existing.update(
            db.session.execute(
                select(Household.no_kk, Household.id).where(Household.no_kk.in_(chunk))
            ).all()
        )
    # Persons without NIK already in those households, matched exactly by name and birth date.
    no_nik_existing: dict[tuple, int] = {}
    household_ids = sorted(
        {plan.households_existing[r.no_kk] for r in rows if r.no_kk in plan.households_existing}
    )
    for chunk in _chunks(household_ids):
        for person_id, household_id, name, birth_date in db.session.execute(
            select(Person.id, Person.household_id, Person.name, Person.birth_date).where(
                Person.household_id.in_(chunk),
                Person.nik.is_(None),
                Person.merged_into_id.is_(None),
            )
        ):
            no_nik_existing.setdefault((household_id, normalize_name(name), birth_date), person_id)
    progress(65, "Mencocokkan data korban kejadian ini")
    client_ids = [r.client_id for r in rows]
    known_clients: dict[str, int] = {}
    for chunk in _chunks(client_ids):
        known_clients.update(
            db.session.execute(
                select(Victim.client_id, Victim.person_id).where(Victim.client_id.in_(chunk))
            ).all()
        )
    in_event = set(
        db.session.scalars(select(Victim.person_id).where(Victim.event_id == plan.event_id))
    )
    for row in rows:
        person = row.person
        existing = persons_by_nik.get(person.nik) if person.nik else None
        if existing is not None:
            row.person_id = existing.merged_into_id or existing.id
            _plan_person_update(plan, row, existing)
        elif not person.nik and row.no_kk in plan.households_existing:
            key = (
                plan.households_existing[row.no_kk],
                normalize_name(person.name),
                person.birth_date,
            )
            row.person_id = no_nik_existing.get(key)
        if row.client_id in known_clients:
            row.person_id = row.person_id or known_clients[row.client_id]
            row.action = "sudah_terdaftar"
        elif row.person_id is not None:
            row.action = "sudah_terdaftar" if row.person_id in in_event else "orang_lama"


def _plan_person_update(plan: ImportPlan, row: ImportRow, existing) -> None:
    """Blanks an existing person gains from the row (a household, raised flags)."""
    if existing.merged_into_id:
        return  # the survivor's own data wins; nothing to copy onto a merged row
    changes = {}
    if existing.household_id is None and row.no_kk:
        changes["no_kk"] = row.no_kk
    for flag in ("pregnant", "breastfeeding", "disability", "chronic_illness"):
        if getattr(row.person, flag) and not getattr(existing, flag):
            changes[flag] = True
    if changes:
        plan.persons_to_update[existing.id] = changes


def build_plan(
    path: str | Path,
    event_id: int,
    default_status: str | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Read and validate every row and match it against the registry; writes nothing."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise DomainError(f"Kejadian {event_id} tidak ditemukan.", field="event_id")
    if default_status:
        default_status = parse_status(default_status, None)
    progress(2, "Membaca berkas")
    headers, body, estimate = read_table(path)
    mapping, ignored = map_headers(headers)
    if "nama" not in mapping:
        raise DomainError(
            "Kolom nama tidak ditemukan. Pakai templat (kolom nik, no_kk, nama, jenis_kelamin, "
            "tanggal_lahir, status, kode_kelurahan, ...).",
            field="file",
        )
    if "kode_kelurahan" not in mapping:
        raise DomainError("Kolom kode_kelurahan tidak ditemukan.", field="file")
    plan = ImportPlan(
        event_id=event_id,
        columns={key: str(headers[index]) for key, index in mapping.items()},
        ignored_columns=ignored,
    )
    regions = region_codes()
    kelurahan_codes = set(db.session.scalars(select(Area.code).where(Area.level == "kelurahan")))
    shelters = {
        shelter_id: (status, shelter_event)
        for shelter_id, status, shelter_event in db.session.execute(
            select(Shelter.id, Shelter.status, Shelter.event_id)
        )
    }
    today = office_today()
    first_nik: dict[str, int] = {}
    first_client: dict[str, int] = {}
    step = max(1000, (estimate or 0) // 20)
    for row_number, values in body:
        if not any(v not in (None, "") and str(v).strip() for v in values):
            continue
        plan.total += 1
        if plan.total % step == 0:
            done = min(45, 5 + 40 * plan.total // max(estimate or plan.total, 1))
            progress(done, f"{plan.total:,} baris diperiksa".replace(",", "."))
        cells = _Row(mapping, values)
        try:
            row = _parse_row(
                cells,
                event_id=event_id,
                default_status=default_status,
                regions=regions,
                kelurahan_codes=kelurahan_codes,
                shelters=shelters,
                today=today,
            )
        except DomainError as exc:
            plan.rejected.append(_rejection(row_number, exc.message, cells))
            continue
        row.row = row_number
        if row.person.nik and row.person.nik in first_nik:
            plan.rejected.append(
                _rejection(
                    row_number,
                    f"NIK sama dengan baris {first_nik[row.person.nik]} (duplikat di dalam berkas)",
                    cells,
                )
            )
            continue
        if row.client_id in first_client:
            plan.rejected.append(
                _rejection(
                    row_number,
                    f"data sama dengan baris {first_client[row.client_id]} "
                    "(duplikat di dalam berkas)",
                    cells,
                )
            )
            continue
        if row.person.nik:
            first_nik[row.person.nik] = row_number
        first_client[row.client_id] = row_number
        plan.rows.append(row)
    progress(50, "Mencocokkan NIK dengan data yang ada")
    _match_registry(plan, progress)
    return plan


def _rejection(row_number: int, reason: str, cells: _Row) -> Rejection:
    reason = reason.rstrip(".")
    reason = reason[:1].upper() + reason[1:]
    nik = cells.get("nik")
    return Rejection(
        row=row_number,
        reason=reason,
        name=_text(cells.get("nama"))[:160],
        nik=mask_nik(_text(nik)) if nik not in (None, "") else "",
    )


# --- reports -------------------------------------------------------------------------------------

REJECTED_HEADERS = ["Baris", "Alasan", "Nama", "NIK (disamarkan)"]


def rejected_report_path(job_id: str) -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "imports" / f"{job_id}-ditolak.csv"


def write_rejected_report(plan: ImportPlan, job_id: str) -> Path:
    """Every rejected row as CSV (for Excel: UTF-8 with BOM), next to the instance's uploads."""
    path = rejected_report_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECTED_HEADERS)
        for item in plan.rejected:
            writer.writerow([item.row, item.reason, item.name, item.nik])
    return path


def plan_result(plan: ImportPlan, job_id: str, kind: str) -> dict:
    """What the job record keeps: counts, columns, the first rejected rows, the report file."""
    report = write_rejected_report(plan, job_id)
    return {
        "kind": kind,
        "event_id": plan.event_id,
        "counts": plan.counts(),
        "columns": plan.columns,
        "ignored_columns": plan.ignored_columns[:50],
        "rejected": [r.as_dict() for r in plan.rejected[:REJECTED_IN_RECORD]],
        "rejected_file": report.name,
    }


def summarize(counts: dict, imported: bool) -> str:
    """One Indonesian sentence for the jobs page."""

    def n(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    head = (
        f"{n(counts['inserted_victims'])} korban diimpor"
        if imported
        else f"{n(counts['accepted'])} baris diterima"
    )
    return (
        f"{head}, {n(counts['rejected'])} ditolak dari {n(counts['total'])} baris "
        f"({n(counts['new_persons'])} orang baru, {n(counts['existing_persons'])} orang sudah ada, "
        f"{n(counts['already_registered'])} sudah terdaftar di kejadian ini)."
    )


# --- the two steps -------------------------------------------------------------------------------


def dry_run(
    path: str | Path,
    event_id: int,
    job_id: str,
    default_status: str | None = None,
    progress: Progress = _no_progress,
) -> dict:
    """Validate the file and report what an import would do; writes nothing but the report."""
    plan = build_plan(path, event_id, default_status, progress)
    progress(95, "Menyusun laporan")
    return plan_result(plan, job_id, "victim_import_dry_run")


def import_victims(
    path: str | Path,
    event_id: int,
    job_id: str,
    default_status: str | None = None,
    user_id: int | None = None,
    source_name: str | None = None,
    progress: Progress = _no_progress,
) -> dict:
    """Validate again and insert every accepted row; flushes only, the caller commits once."""
    plan = build_plan(path, event_id, default_status, progress)
    progress(70, "Menyimpan keluarga")
    now = utcnow()
    household_ids = dict(plan.households_existing)
    new_households: dict[str, dict] = {}
    for row in plan.rows:
        if row.action == "sudah_terdaftar" or not row.no_kk or row.no_kk in household_ids:
            continue
        household = new_households.setdefault(
            row.no_kk,
            {
                "no_kk": row.no_kk,
                "head_name": "",
                "address": row.address,
                "rt": row.rt,
                "rw": row.rw,
                "kelurahan_code": row.kelurahan_code,
                "created_at": now,
            },
        )
        if row.person.relation == "kepala_keluarga" and not household["head_name"]:
            household["head_name"] = row.person.name
    # Households of existing persons who had none yet also need a row.
    for changes in plan.persons_to_update.values():
        kk = changes.get("no_kk")
        if kk and kk not in household_ids and kk not in new_households:
            source = next(r for r in plan.rows if r.no_kk == kk)
            new_households[kk] = {
                "no_kk": kk,
                "head_name": "",
                "address": source.address,
                "rt": source.rt,
                "rw": source.rw,
                "kelurahan_code": source.kelurahan_code,
                "created_at": now,
            }
    for chunk in _chunks(list(new_households.values()), INSERT_CHUNK):
        returned = db.session.execute(
            insert(Household).returning(
                Household.id, Household.no_kk, sort_by_parameter_order=True
            ),
            chunk,
        )
        household_ids.update({kk: household_id for household_id, kk in returned})

    progress(78, "Menyimpan orang baru")
    new_rows = [r for r in plan.rows if r.action == "baru"]
    person_values = [
        {
            "nik": r.person.nik,
            "no_nik_reason": r.person.no_nik_reason,
            "name": r.person.name,
            "sex": r.person.sex,
            "birth_date": r.person.birth_date,
            "household_id": household_ids.get(r.no_kk) if r.no_kk else None,
            "relation": r.person.relation,
            "pregnant": r.person.pregnant,
            "breastfeeding": r.person.breastfeeding,
            "disability": r.person.disability,
            "chronic_illness": r.person.chronic_illness,
            "created_at": now,
            "updated_at": now,
        }
        for r in new_rows
    ]
    for start in range(0, len(person_values), INSERT_CHUNK):
        chunk = person_values[start : start + INSERT_CHUNK]
        returned = db.session.execute(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), chunk
        ).scalars()
        for row, person_id in zip(new_rows[start : start + INSERT_CHUNK], returned, strict=True):
            row.person_id = person_id

    updates = []
    for person_id, changes in plan.persons_to_update.items():
        change = {"id": person_id, "updated_at": now}
        change.update({k: v for k, v in changes.items() if k != "no_kk"})
        if "no_kk" in changes:
            change["household_id"] = household_ids[changes["no_kk"]]
        updates.append(change)
    if updates:
        db.session.execute(update(Person), updates)

    progress(88, "Menyimpan data korban")
    victim_values = [
        {
            "event_id": event_id,
            "person_id": r.person_id,
            "status": r.status,
            "kelurahan_code": r.kelurahan_code,
            "shelter_id": r.shelter_id,
            "note": r.note,
            "client_id": r.client_id,
            "registered_at": now,
            "registered_by_id": user_id,
        }
        for r in plan.rows
        if r.action != "sudah_terdaftar"
    ]
    for chunk in _chunks(victim_values, INSERT_CHUNK):
        db.session.execute(insert(Victim), chunk)
    counts = plan.counts()
    counts["inserted_victims"] = len(victim_values)
    counts["inserted_households"] = len(new_households)
    counts["updated_persons"] = len(updates)
    # Bulk inserts bypass the per-row audit hook; one named entry records the whole import.
    record_action(
        "import_victims",
        "victims",
        job_id,
        {"event_id": event_id, "file": source_name or Path(path).name, "counts": counts},
    )
    db.session.flush()
    progress(97, "Menyusun laporan")
    result = plan_result(plan, job_id, "victim_import")
    result["counts"] = counts
    return result


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
    "kode_kelurahan": "Kode Kemendagri kelurahan/desa, mis. 32.75.01.1001.",
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
    "nik": "3275014107850003",
    "no_kk": "3275010101200001",
    "nama": "Siti Aminah",
    "jenis_kelamin": "P",
    "tanggal_lahir": "01-07-1985",
    "hubungan": "istri",
    "status": "mengungsi",
    "kode_kelurahan": "32.75.01.1001",
    "rt": "003",
    "rw": "007",
    "menyusui": "ya",
}


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
        guide.append([key, TEMPLATE_HELP.get(key, ""), TEMPLATE_EXAMPLE.get(key, "")])
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


# --- uploads -------------------------------------------------------------------------------------

UPLOAD_PREFIX = "korban-"


def uploads_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads"


def store_upload(stream, filename: str) -> Path:
    """Save an uploaded list under the instance's uploads, in a folder of its own."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DomainError(
            f"Jenis berkas '{suffix or filename}' tidak didukung; unggah XLSX atau CSV.",
            field="file",
        )
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=folder)) / f"daftar-korban{suffix}"
    stream.save(target)
    return target


def discard_upload(path: str | Path) -> None:
    """Remove an uploaded list once imported; only files we stored are ever removed."""
    path = Path(path)
    folder = path.parent
    if folder.parent.resolve() != uploads_dir().resolve() or not folder.name.startswith(
        UPLOAD_PREFIX
    ):
        return
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()
