"""Victim import plan: every row validated and matched against the registry, nothing written."""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.areas.services import KELURAHAN_CODE
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.privacy import mask_nik
from logistics.core.scope import within
from logistics.core.time import office_today
from logistics.core.wording import contoh_kode, istilah
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.victims.import_cells import (
    cell_text,
    map_headers,
    normalize_kelurahan_code,
    parse_date,
    parse_flag,
    parse_groups,
    parse_identity_number,
    parse_no_nik_reason,
    parse_relation,
    parse_sex,
    parse_status,
    read_table,
)
from logistics.victims.models import Household, Person, Victim
from logistics.victims.nik import RegionCodes, parse_kk, redact, region_codes
from logistics.victims.persons import PersonInput, normalize_name, validate_person

Progress = Callable[[int, str], None]
LOOKUP_CHUNK = 900  # stays under every database's bound-parameter limit


def no_progress(percent: int, message: str) -> None:
    """The progress callback when nobody watches."""


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


def _person(cells: _Row, regions: RegionCodes, today: date) -> tuple[PersonInput, str | None, str]:
    """The row's person, validated, with its family card number and the no-NIK reason's note."""
    name = cell_text(cells.get("nama"))
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
    return person, no_kk, reason_note


def _kelurahan(cells: _Row, kelurahan_codes: set[str], record_areas: tuple[str, ...] = ()) -> str:
    raw_code = cells.get("kode_kelurahan")
    code = normalize_kelurahan_code(raw_code)
    if not code:
        raise DomainError(f"kode {istilah('wilayah')} kosong")
    if not KELURAHAN_CODE.match(code):
        raise DomainError(
            f"kode {istilah('wilayah')} '{cell_text(raw_code)}' salah format; tulis PP.KK.CC.NDDD, "
            f"mis. {contoh_kode()}"
        )
    if code not in kelurahan_codes:
        raise DomainError(f"kode {istilah('wilayah')} '{code}' tidak dikenal di wilayah ini")
    if record_areas and not within(code, record_areas):
        raise DomainError(
            f"kode {istilah('wilayah')} '{code}' di luar wilayah kerja pengunggah "
            f"({', '.join(record_areas)})"
        )
    return code


def _shelter(cells: _Row, event_id: int, shelters: dict[int, tuple[str, int | None]]) -> int | None:
    """The row's shelter id: an open shelter of this event (or of none), or None."""
    raw_shelter = cell_text(cells.get("id_pengungsian"))
    if not raw_shelter:
        return None
    if not raw_shelter.isdigit() or int(raw_shelter) not in shelters:
        raise DomainError(f"tempat pengungsian '{raw_shelter}' tidak ditemukan")
    shelter_id = int(raw_shelter)
    shelter_status, shelter_event = shelters[shelter_id]
    if shelter_status != "buka":
        raise DomainError(f"tempat pengungsian {shelter_id} sudah ditutup")
    if shelter_event not in (None, event_id):
        raise DomainError(f"tempat pengungsian {shelter_id} milik kejadian lain")
    return shelter_id


def _parse_row(
    cells: _Row,
    *,
    event_id: int,
    default_status: str | None,
    regions: RegionCodes,
    kelurahan_codes: set[str],
    shelters: dict[int, tuple[str, int | None]],
    today: date,
    record_areas: tuple[str, ...] = (),
) -> ImportRow:
    """Validate one row; DomainError with the reason (in the words a person can act on)."""
    person, no_kk, reason_note = _person(cells, regions, today)
    status = parse_status(cells.get("status"), default_status)
    code = _kelurahan(cells, kelurahan_codes, record_areas)
    shelter_id = _shelter(cells, event_id, shelters)
    rt, rw = cell_text(cells.get("rt")), cell_text(cells.get("rw"))
    for label, value in (("RT", rt), ("RW", rw)):
        if value and (not value.isdigit() or len(value) > 4):
            raise DomainError(f"{label} '{value}' harus berupa angka (maksimal 4 digit)")
    note = "; ".join(part for part in (cell_text(cells.get("catatan")), reason_note) if part)
    row = ImportRow(
        row=0,
        person=person,
        status=status,
        kelurahan_code=code,
        no_kk=no_kk,
        address=cell_text(cells.get("alamat"))[:255],
        rt=rt,
        rw=rw,
        shelter_id=shelter_id,
        note=note,
        client_id="",
    )
    submitted = cell_text(cells.get("client_id"))
    if submitted:
        # A Kobo/ODK submission keeps its uuid: the same submission in two exports is one row.
        row.client_id = ("kobo-" + submitted.removeprefix("uuid:"))[:64]
    else:
        row.client_id = _content_id(event_id, row)
    return row


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_registry(plan: ImportPlan, progress: Progress) -> None:
    """Bulk lookups: existing persons by NIK, households by KK, victims already in the event."""
    rows = plan.rows
    niks = sorted({r.person.nik for r in rows if r.person.nik})
    persons_by_nik: dict[str, tuple] = {}
    for chunk in chunks(niks):
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
    for chunk in chunks(kks):
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
    for chunk in chunks(household_ids):
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
    for chunk in chunks(client_ids):
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


def _open_plan(path: str | Path, event_id: int) -> tuple[ImportPlan, dict, Iterator, int | None]:
    """Read the header row: (empty plan, column mapping, row iterator, estimated row count)."""
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
    return plan, mapping, body, estimate


def _row_context(
    event_id: int, default_status: str | None, record_areas: tuple[str, ...] = ()
) -> dict:
    """What every row is checked against, read once: regions, kelurahan codes, shelters, and
    the uploader's record scope (empty: the whole office area)."""
    return {
        "event_id": event_id,
        "record_areas": tuple(record_areas),
        "default_status": default_status,
        "regions": region_codes(),
        "kelurahan_codes": set(
            db.session.scalars(select(Area.code).where(Area.level == "kelurahan"))
        ),
        "shelters": {
            shelter_id: (status, shelter_event)
            for shelter_id, status, shelter_event in db.session.execute(
                select(Shelter.id, Shelter.status, Shelter.event_id)
            )
        },
        "today": office_today(),
    }


def _duplicate_in_file(row: ImportRow, first_nik: dict, first_client: dict) -> str | None:
    """Why the row repeats an earlier row of the same file, or None."""
    if row.person.nik and row.person.nik in first_nik:
        return f"NIK sama dengan baris {first_nik[row.person.nik]} (duplikat di dalam berkas)"
    if row.client_id in first_client:
        return f"data sama dengan baris {first_client[row.client_id]} (duplikat di dalam berkas)"
    return None


def build_plan(
    path: str | Path,
    event_id: int,
    default_status: str | None = None,
    progress: Progress = no_progress,
    record_areas: tuple[str, ...] = (),
) -> ImportPlan:
    """Read and validate every row and match it against the registry; writes nothing. Rows in a
    kelurahan outside `record_areas` (the uploader's record scope, when set) are refused."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise DomainError(f"Kejadian {event_id} tidak ditemukan.", field="event_id")
    if default_status:
        default_status = parse_status(default_status, None)
    progress(2, "Membaca berkas")
    plan, mapping, body, estimate = _open_plan(path, event_id)
    context = _row_context(event_id, default_status, record_areas)
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
            row = _parse_row(cells, **context)
        except DomainError as exc:
            plan.rejected.append(_rejection(row_number, exc.message, cells, exc.field))
            continue
        row.row = row_number
        duplicate = _duplicate_in_file(row, first_nik, first_client)
        if duplicate:
            plan.rejected.append(_rejection(row_number, duplicate, cells))
            continue
        if row.person.nik:
            first_nik[row.person.nik] = row_number
        first_client[row.client_id] = row_number
        plan.rows.append(row)
    progress(50, "Mencocokkan NIK dengan data yang ada")
    _match_registry(plan, progress)
    return plan


def _rejection(row_number: int, reason: str, cells: _Row, field: str | None = None) -> Rejection:
    nik = cells.get("nik")
    if field in ("nik", "no_kk"):
        reason = redact(reason, cells.get(field))
    reason = reason.rstrip(".")
    reason = reason[:1].upper() + reason[1:]
    return Rejection(
        row=row_number,
        reason=reason,
        name=cell_text(cells.get("nama"))[:160],
        nik=mask_nik(cell_text(nik)) if nik not in (None, "") else "",
    )
