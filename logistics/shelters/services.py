"""Shelters: registry, daily head counts, the checks on space and toilets, occupancy."""

import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import geopandas as gpd
import shapely
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from geo.maps import simplify_for_zoom, to_geojson
from geo.shelter_map import occupancy_band
from logistics.areas.models import Area
from logistics.areas.services import _revision, lookup_point, require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import angka, tanggal
from logistics.core.time import office_date, office_today, office_zone, utcnow
from logistics.events.models import Event
from logistics.events.services import get_event
from logistics.shelters.models import COUNT_GROUPS, SHELTER_KINDS, Shelter, ShelterCount
from logistics.victims.models import InstitutionVictim, Victim

# --- Standards --------------------------------------------------------------------------------
# The one place these live until the office's editable standards table exists.
# Sphere Handbook (2018), Shelter and settlement standard 3 "Living space": at least 3.5 m2 of
# covered living space per person.
MIN_COVERED_M2_PER_PERSON = Decimal("3.5")
# Perka BNPB 7/2008 (pedoman tata cara pemberian bantuan pemenuhan kebutuhan dasar) and Sphere
# Handbook (2018), excreta management standard 3.2 "Access to and use of toilets": at most 20
# persons per shared toilet.
MAX_PERSONS_PER_TOILET = 20

STATUSES = {"buka": "Buka", "tutup": "Ditutup"}
MAX_FLOOR_AREA_M2 = Decimal("100000000")
# Disjoint age groups: together they can never exceed the persons counted (balita are anak).
DISJOINT_AGE_GROUPS = ("anak", "lansia")
SHELTER_FIELDS = (
    "event_id",
    "name",
    "kind",
    "kelurahan_code",
    "address",
    "lat",
    "lng",
    "capacity",
    "floor_area_m2",
    "toilets",
    "water_points",
    "has_dapur_umum",
    "pic_name",
    "pic_phone",
    "opened_on",
)
SORTS = {"sisa": "Sisa kapasitas terbanyak", "okupansi": "Paling penuh", "nama": "Nama"}


@dataclass
class ShelterSummary:
    """What a list or a map needs to know about one shelter today."""

    id: int
    name: str
    kind: str
    status: str
    event_id: int | None
    kelurahan_code: str
    lat: float | None
    lng: float | None
    capacity: int
    persons: int  # the latest head count, 0 if none yet
    households: int
    counted_on: date | None
    warnings: list[str] = field(default_factory=list)
    # Added for the shelter list and its export; defaults keep older callers working.
    kelurahan_name: str = ""
    address: str = ""
    floor_area_m2: Decimal | None = None
    toilets: int = 0
    water_points: int = 0
    has_dapur_umum: bool = False
    warning_codes: list[str] = field(default_factory=list)

    @property
    def occupancy(self) -> float | None:
        """Persons / capacity (1.0 = full); None when the capacity is unknown (0)."""
        return self.persons / self.capacity if self.capacity else None

    @property
    def free(self) -> int:
        return max(self.capacity - self.persons, 0)

    @property
    def band(self) -> str:
        """Occupancy band for colours: longgar, hampir_penuh, melebihi, tutup, tanpa_kapasitas."""
        return occupancy_band(self.persons, self.capacity, self.status)

    @property
    def kind_label(self) -> str:
        return SHELTER_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(short label, full message) of each warning, for the list's badges."""
        return [
            (WARNING_BADGES.get(code, code), message)
            for code, message in zip(self.warning_codes, self.warnings, strict=False)
        ]


@dataclass
class ShelterResult:
    """A shelter after a change, with the warnings the person should see (nothing refused)."""

    shelter: Shelter
    warnings: list[str] = field(default_factory=list)


@dataclass
class HeadCountResult:
    """A saved head count: outcome is "created", "replaced" (same day) or "duplicate" (retry)."""

    count: ShelterCount
    outcome: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ShelterTotals:
    """Shelters counted both ways plans count them: units open and persons sheltered."""

    day: date
    units: int  # shelters open at the end of the day
    persons: int  # sum of each open shelter's latest head count on or before the day
    households: int


# --- Parsing: one place for the Indonesian messages of the API and the forms ---------------------

_DECIMAL = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_PHONE = re.compile(r"^\+?[0-9 ()-]+$")


def _decimal(value, field: str, label: str) -> Decimal | None:
    if inputs.is_blank(value):
        return None
    if isinstance(value, bool):
        raise DomainError(f"{label} harus berupa angka.", field=field)
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str) and _DECIMAL.match(value.strip()):
        text = value.strip().replace(",", ".")
    else:
        raise DomainError(f"{label} harus berupa angka, bukan '{value}'.", field=field)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise DomainError(f"{label} harus berupa angka, bukan '{value}'.", field=field) from exc
    if not number.is_finite():
        raise DomainError(f"{label} harus berupa angka.", field=field)
    if number < 0:
        raise DomainError(f"{label} tidak boleh negatif.", field=field)
    if number > MAX_FLOOR_AREA_M2:
        raise DomainError(f"{label} terlalu besar; periksa kembali.", field=field)
    return number.quantize(Decimal("0.1"))


def _phone(value) -> str:
    text = inputs.text(value, "pic_phone", "Nomor telepon penanggung jawab", 32)
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not _PHONE.match(text) or not 6 <= len(digits) <= 15:
        raise DomainError(
            f"Nomor telepon '{text}' tidak valid; tulis angka saja, mis. 081234567890.",
            field="pic_phone",
        )
    return text


def _kind(value) -> str:
    kind = value.strip() if isinstance(value, str) else ""
    if kind not in SHELTER_KINDS:
        choices = ", ".join(SHELTER_KINDS)
        raise DomainError(f"Jenis tempat wajib dipilih dari: {choices}.", field="kind")
    return kind


def _event_id(value) -> int | None:
    number = inputs.whole_number(value, "event_id", "Kejadian")
    if number is None:
        return None
    try:
        return get_event(number).id
    except NotFound as exc:
        raise DomainError(exc.message, field="event_id") from exc


def _opened_at(day: date | None) -> datetime:
    """The stored (naive UTC) opening time: now, or the start of an earlier office day."""
    today = office_today()
    if day is None or day == today:
        return utcnow()
    if day > today:
        raise DomainError("Tanggal buka tidak boleh di masa depan.", field="opened_on")
    start = datetime.combine(day, time(0), tzinfo=office_zone())
    return start.astimezone(UTC).replace(tzinfo=None)


def _locate(code, lat: float | None, lng: float | None) -> tuple[str, list[str]]:
    """The kelurahan code of a shelter, filled from its point when empty, and warnings.

    A point that lies outside the given kelurahan is kept with a warning, not refused: the
    boundaries may be approximate, and the person on the spot knows where they are.
    """
    if code is not None and not isinstance(code, str):
        raise DomainError("Kode kelurahan/desa harus berupa teks.", field="kelurahan_code")
    code = (code or "").strip()
    if (lat is None) != (lng is None):
        raise DomainError(
            "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.",
            field="lat" if lat is None else "lng",
        )
    if lat is None:
        if not code:
            raise DomainError(
                "Isi kode kelurahan/desa, atau isi koordinat (tombol 'Pakai lokasi saya') "
                "agar kelurahan terisi otomatis.",
                field="kelurahan_code",
            )
        area = require_kelurahan(code)
        return area.code, ["Koordinat belum diisi: tempat ini belum tampil di peta pengungsian."]
    try:
        found = lookup_point(lat, lng)
    except NotFound:
        found = None
    if not code:
        if found is None:
            raise DomainError(
                "Titik ini tidak berada di kelurahan/desa mana pun yang dimuat; "
                "periksa koordinat atau isi kode kelurahan/desa.",
                field="kelurahan_code",
            )
        return found.code, []
    area = require_kelurahan(code)
    if found is None:
        return area.code, [
            "Koordinat berada di luar semua kelurahan/desa yang dimuat; periksa lintang dan bujur."
        ]
    if found.code != area.code:
        return area.code, [
            f"Koordinat berada di {found.name} ({found.code}), bukan di {area.name} "
            f"({area.code}); periksa kembali titik lokasi atau kode kelurahan/desa."
        ]
    return area.code, []


def _registry_values(values: Mapping) -> dict:
    """Validate the given registry fields (only those present) into column values."""
    unknown = sorted(set(values) - set(SHELTER_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsers = {
        "event_id": _event_id,
        "name": lambda v: inputs.text(v, "name", "Nama tempat pengungsian", 200, required=True),
        "kind": _kind,
        "address": lambda v: inputs.text(v, "address", "Alamat", 255),
        "capacity": lambda v: inputs.whole_number(v, "capacity", "Kapasitas (jiwa)", required=True),
        "floor_area_m2": lambda v: _decimal(v, "floor_area_m2", "Luas lantai tertutup (m²)"),
        "toilets": lambda v: inputs.whole_number(v, "toilets", "Jumlah toilet") or 0,
        "water_points": lambda v: inputs.whole_number(v, "water_points", "Jumlah titik air") or 0,
        "has_dapur_umum": lambda v: inputs.flag(v, "has_dapur_umum", "Dapur umum"),
        "pic_name": lambda v: inputs.text(v, "pic_name", "Nama penanggung jawab", 160),
        "pic_phone": _phone,
        "opened_on": lambda v: inputs.day(v, "opened_on", "Tanggal buka"),
        "lat": lambda v: inputs.coordinate(v, "lat", "Lintang", 90),
        "lng": lambda v: inputs.coordinate(v, "lng", "Bujur", 180),
        "kelurahan_code": lambda v: v,
    }
    return {key: parsers[key](value) for key, value in values.items()}


# --- Checks ---------------------------------------------------------------------------------------


# Short labels of the checks, for badges in lists (the full message says the numbers).
WARNING_BADGES = {
    "kapasitas": "Melebihi kapasitas",
    "tanpa_kapasitas": "Kapasitas belum diisi",
    "ruang": f"Ruang < {angka(MIN_COVERED_M2_PER_PERSON)} m²/orang",
    "toilet": "Toilet kurang",
}


def check_shelter(shelter: Shelter, count: ShelterCount | None) -> list[tuple[str, str]]:
    """(code, message) of each check a head count fails; codes are keys of WARNING_BADGES."""
    if count is None or count.persons <= 0:
        return []
    persons = count.persons
    found = []
    if shelter.capacity > 0 and persons > shelter.capacity:
        found.append(
            (
                "kapasitas",
                f"Melebihi kapasitas: {angka(persons)} jiwa di tempat berkapasitas "
                f"{angka(shelter.capacity)} jiwa (lebih {angka(persons - shelter.capacity)} jiwa).",
            )
        )
    elif shelter.capacity <= 0:
        found.append(
            ("tanpa_kapasitas", "Kapasitas belum diisi: tingkat keterisian tidak dapat dihitung.")
        )
    area = shelter.floor_area_m2
    if area is not None and persons * MIN_COVERED_M2_PER_PERSON > Decimal(area):
        per_person = Decimal(area) / persons
        fits = math.floor(Decimal(area) / MIN_COVERED_M2_PER_PERSON)
        found.append(
            (
                "ruang",
                f"Ruang tertutup {angka(per_person, 2)} m² per orang, di bawah standar "
                f"{angka(MIN_COVERED_M2_PER_PERSON)} m² per orang (Sphere); "
                f"{angka(area)} m² cukup untuk {angka(fits)} jiwa.",
            )
        )
    if persons > shelter.toilets * MAX_PERSONS_PER_TOILET:
        needed = math.ceil(persons / MAX_PERSONS_PER_TOILET)
        if shelter.toilets == 0:
            ratio = "Belum ada toilet tercatat"
        else:
            ratio = f"{angka(persons / shelter.toilets, 1)} orang per toilet"
        found.append(
            (
                "toilet",
                f"{ratio}; standar 1 toilet per {MAX_PERSONS_PER_TOILET} orang "
                f"(Perka BNPB 7/2008, Sphere): perlu {angka(needed)} toilet, "
                f"tersedia {angka(shelter.toilets)}.",
            )
        )
    return found


def warning_badges(shelter: Shelter, count: ShelterCount | None) -> list[tuple[str, str]]:
    """(short label, full message) of each failed check, for badges in tables."""
    return [(WARNING_BADGES[code], message) for code, message in check_shelter(shelter, count)]


def shelter_checks(shelter: Shelter, count: ShelterCount | None) -> list[str]:
    """Warnings on a head count against the shelter's capacity, floor area and toilets.

    Nothing is refused: people who have arrived are counted whatever the shelter holds.
    """
    return [message for _code, message in check_shelter(shelter, count)]


# --- Registry -------------------------------------------------------------------------------------


def get_shelter(shelter_id: int) -> Shelter:
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise NotFound(f"Tempat pengungsian {shelter_id} tidak ditemukan.")
    return shelter


def kelurahan_of(shelter: Shelter) -> Area | None:
    return db.session.scalar(select(Area).where(Area.code == shelter.kelurahan_code))


def opened_on(shelter: Shelter) -> date:
    """The office day the shelter opened."""
    return office_date(shelter.opened_at)


def latest_count(shelter: Shelter) -> ShelterCount | None:
    """The most recent day's head count of a shelter."""
    return db.session.scalar(
        select(ShelterCount)
        .where(ShelterCount.shelter_id == shelter.id)
        .order_by(ShelterCount.counted_on.desc())
        .limit(1)
    )


def open_shelter(
    *,
    name: str,
    kind: str,
    capacity: int | str,
    event_id: int | str | None = None,
    kelurahan_code: str | None = None,
    lat: float | str | None = None,
    lng: float | str | None = None,
    address: str = "",
    floor_area_m2: Decimal | float | str | None = None,
    toilets: int | str | None = None,
    water_points: int | str | None = None,
    has_dapur_umum: bool = False,
    pic_name: str = "",
    pic_phone: str = "",
    opened_on: date | str | None = None,
) -> ShelterResult:
    """Register an open shelter; the kelurahan is filled from the point when not given.

    Refuses (DomainError with field) a missing name or kind, a malformed or unknown kelurahan
    code, bad numbers; warns when the point lies outside the given kelurahan or is missing.
    The caller commits.
    """
    values = _registry_values(
        {
            "event_id": event_id,
            "name": name,
            "kind": kind,
            "kelurahan_code": kelurahan_code,
            "lat": lat,
            "lng": lng,
            "address": address,
            "capacity": capacity,
            "floor_area_m2": floor_area_m2,
            "toilets": toilets,
            "water_points": water_points,
            "has_dapur_umum": has_dapur_umum,
            "pic_name": pic_name,
            "pic_phone": pic_phone,
            "opened_on": opened_on,
        }
    )
    code, warnings = _locate(values.pop("kelurahan_code"), values["lat"], values["lng"])
    opened_at = _opened_at(values.pop("opened_on"))
    shelter = Shelter(kelurahan_code=code, status="buka", opened_at=opened_at, **values)
    if shelter.capacity == 0:
        warnings.append("Kapasitas 0 berarti belum diketahui: isi kapasitas bila sudah ada.")
    db.session.add(shelter)
    db.session.flush()
    return ShelterResult(shelter, warnings)


def update_shelter(shelter: Shelter, **changes) -> ShelterResult:
    """Change registry fields of a shelter (only those given); status changes go through
    close_shelter/reopen_shelter. An empty kelurahan_code is filled again from the point.

    Returns the location warnings and the checks of the latest count against the new values.
    """
    if "status" in changes:
        raise DomainError(
            "Status tidak diubah di sini; gunakan tombol/rute tutup atau buka kembali.",
            field="status",
        )
    values = _registry_values(changes)
    # Everything is validated before anything changes: a refusal leaves the shelter as it was.
    new_opened_at = None
    if "opened_on" in values:
        day = values.pop("opened_on")
        first = db.session.scalar(
            select(func.min(ShelterCount.counted_on)).where(ShelterCount.shelter_id == shelter.id)
        )
        if day is not None and first is not None and day > first:
            raise DomainError(
                f"Tanggal buka tidak boleh sesudah hitungan pertama ({tanggal(first)}).",
                field="opened_on",
            )
        if day is not None and day != office_date(shelter.opened_at):
            new_opened_at = _opened_at(day)
    warnings: list[str] = []
    if {"lat", "lng", "kelurahan_code"} & set(values):
        lat = values.pop("lat", shelter.lat)
        lng = values.pop("lng", shelter.lng)
        code, warnings = _locate(values.pop("kelurahan_code", shelter.kelurahan_code), lat, lng)
        values.update(kelurahan_code=code, lat=lat, lng=lng)
    if new_opened_at is not None:
        values["opened_at"] = new_opened_at
    for key, value in values.items():
        setattr(shelter, key, value)
    db.session.flush()
    warnings += shelter_checks(shelter, latest_count(shelter))
    return ShelterResult(shelter, warnings)


def _occupants_in_registry(shelter: Shelter) -> int:
    """Persons the victim registry places in this shelter as displaced (mengungsi)."""
    persons = db.session.scalar(
        select(func.count(Victim.id)).where(
            Victim.shelter_id == shelter.id, Victim.status == "mengungsi"
        )
    )
    groups = db.session.scalar(
        select(func.coalesce(func.sum(InstitutionVictim.headcount), 0)).where(
            InstitutionVictim.shelter_id == shelter.id, InstitutionVictim.status == "mengungsi"
        )
    )
    return int(persons or 0) + int(groups or 0)


def close_shelter(shelter: Shelter, *, note: str = "") -> Shelter:
    """Close a shelter that is empty by its latest head count and by the victim registry.

    Refused (Conflict) while the latest count has persons in it (record a count of 0 first)
    or while displaced victims are registered in it. The caller commits.
    """
    note = inputs.text(note, "note", "Catatan penutupan", 500)
    if shelter.status == "tutup":
        raise Conflict(f"Tempat pengungsian '{shelter.name}' sudah ditutup.")
    latest = latest_count(shelter)
    if latest is not None and latest.persons > 0:
        raise Conflict(
            f"Tempat pengungsian '{shelter.name}' masih berisi {angka(latest.persons)} jiwa "
            f"menurut hitungan {tanggal(latest.counted_on)}. Untuk menutupnya, catat dulu "
            "hitungan 0 jiwa setelah semua pengungsi pulang atau pindah.",
            field="persons",
        )
    registered = _occupants_in_registry(shelter)
    if registered:
        raise Conflict(
            f"Registri korban masih mencatat {angka(registered)} pengungsi di "
            f"'{shelter.name}'. Ubah status atau tempat mereka di registri korban terlebih "
            "dahulu, lalu tutup tempat ini."
        )
    shelter.status = "tutup"
    shelter.closed_at = utcnow()
    record_action(
        "close_shelter",
        "shelters",
        shelter.id,
        {"note": note, "last_count_on": latest.counted_on if latest else None},
    )
    db.session.flush()
    return shelter


def reopen_shelter(shelter: Shelter) -> Shelter:
    """Open a closed shelter again (people came back after a second flood)."""
    if shelter.status == "buka":
        raise Conflict(f"Tempat pengungsian '{shelter.name}' masih buka.")
    closed_at = shelter.closed_at
    shelter.status = "buka"
    shelter.closed_at = None
    record_action("reopen_shelter", "shelters", shelter.id, {"closed_at": closed_at})
    db.session.flush()
    return shelter


# --- Head counts ----------------------------------------------------------------------------------


def _count_values(
    shelter: Shelter, counted_on, persons, households, groups: Mapping | None, note
) -> tuple[dict, list[str]]:
    """Validate a head count into column values and the warnings about its breakdown."""
    unknown = sorted(set(groups or {}) - set(COUNT_GROUPS))
    if unknown:
        raise DomainError(f"Kelompok tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    day = inputs.day(counted_on, "counted_on", "Tanggal hitungan") or office_today()
    if day > office_today():
        raise DomainError("Tanggal hitungan tidak boleh di masa depan.", field="counted_on")
    opened_on = office_date(shelter.opened_at)
    if day < opened_on:
        raise DomainError(
            f"Tanggal hitungan {tanggal(day)} sebelum tempat ini dibuka ({tanggal(opened_on)}). "
            "Bila tempat ini sudah dipakai lebih awal, ubah dulu tanggal bukanya.",
            field="counted_on",
        )
    total = inputs.whole_number(persons, "persons", "Jumlah jiwa", required=True)
    kk = inputs.whole_number(households, "households", "Jumlah KK") or 0
    if kk > total:
        raise DomainError(
            f"Jumlah KK ({angka(kk)}) tidak boleh melebihi jumlah jiwa ({angka(total)}).",
            field="households",
        )
    given = {
        key: inputs.whole_number((groups or {}).get(key), key, label)
        for key, label in COUNT_GROUPS.items()
    }
    for key, value in given.items():
        if value is not None and value > total:
            raise DomainError(
                f"{COUNT_GROUPS[key]} ({angka(value)}) tidak boleh melebihi jumlah jiwa "
                f"({angka(total)}).",
                field=key,
            )
    ages = sum(given[key] or 0 for key in DISJOINT_AGE_GROUPS)
    if ages > total:
        raise DomainError(
            f"Anak + lansia ({angka(ages)}) tidak boleh melebihi jumlah jiwa ({angka(total)}).",
            field="lansia",
        )
    warnings = []
    male, female = given["laki_laki"], given["perempuan"]
    if male is not None and female is not None:
        # More persons by sex than in total is impossible: refused. Fewer is a partial
        # breakdown (some people's sex not noted in a crowded count): kept with a warning.
        if male + female > total:
            raise DomainError(
                f"Laki-laki + perempuan ({angka(male + female)}) melebihi jumlah jiwa "
                f"({angka(total)}); periksa kembali.",
                field="perempuan",
            )
        if male + female < total:
            warnings.append(
                f"Laki-laki + perempuan ({angka(male + female)}) kurang dari jumlah jiwa "
                f"({angka(total)}): {angka(total - male - female)} jiwa belum tercatat jenis "
                "kelaminnya."
            )
    values = {
        "counted_on": day,
        "persons": total,
        "households": kk,
        "note": inputs.text(note, "note", "Catatan", 500),
        **{key: value or 0 for key, value in given.items()},
    }
    return values, warnings


def record_head_count(
    shelter: Shelter,
    *,
    persons: int | str | None,
    counted_on: date | str | None = None,
    households: int | str | None = None,
    groups: Mapping[str, int | str | None] | None = None,
    note: str = "",
    client_id: str | None = None,
    recorded_by_id: int | None = None,
) -> HeadCountResult:
    """Record a shelter's head count for a day (today in the office's time zone by default).

    - One count per shelter per day: a second count for the same day replaces the first.
    - client_id makes a phone's retry safe: a submission whose client_id is already stored
      returns that record unchanged (outcome "duplicate"). A replaced row keeps the client_id
      it was first saved with, so a late retry of that first submission cannot overwrite a
      newer count of the same day.
    - Counts are non-negative whole numbers; KK and each group at most the persons; anak +
      lansia at most the persons; laki_laki + perempuan, when both given, above the persons is
      refused and below it is kept with a warning (a partial breakdown).
    - Persons above capacity, too little floor area or too few toilets are saved, with warnings.
    - A closed shelter takes no counts: reopen it first.
    The caller commits.
    """
    client_id = inputs.client_id(client_id)
    if client_id:
        existing = db.session.scalar(
            select(ShelterCount).where(ShelterCount.client_id == client_id)
        )
        if existing is not None:
            if existing.shelter_id != shelter.id:
                raise Conflict(
                    "client_id ini sudah dipakai untuk hitungan tempat pengungsian lain; "
                    "buat client_id baru untuk setiap kiriman.",
                    field="client_id",
                )
            return HeadCountResult(existing, "duplicate", shelter_checks(shelter, existing))
    if shelter.status != "buka":
        raise Conflict(
            f"Tempat pengungsian '{shelter.name}' sudah ditutup; buka kembali bila masih ada "
            "pengungsi yang perlu dihitung.",
            field="persons",
        )
    values, warnings = _count_values(shelter, counted_on, persons, households, groups, note)

    def same_day() -> ShelterCount | None:
        return db.session.scalar(
            select(ShelterCount).where(
                ShelterCount.shelter_id == shelter.id,
                ShelterCount.counted_on == values["counted_on"],
            )
        )

    row = same_day()
    outcome = "replaced"
    if row is None:
        row = ShelterCount(
            shelter_id=shelter.id, client_id=client_id, recorded_by_id=recorded_by_id, **values
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            # Another phone saved this shelter's day (or this very client_id) a moment ago.
            if client_id:
                existing = db.session.scalar(
                    select(ShelterCount).where(ShelterCount.client_id == client_id)
                )
                if existing is not None and existing.shelter_id == shelter.id:
                    return HeadCountResult(existing, "duplicate", shelter_checks(shelter, existing))
            row = same_day()
            if row is None:
                raise
        else:
            outcome = "created"
    if outcome == "replaced":
        for key, value in values.items():
            setattr(row, key, value)
        row.recorded_by_id = recorded_by_id
        if row.client_id is None:
            row.client_id = client_id
    db.session.flush()
    db.session.expire(shelter, ["counts"])
    return HeadCountResult(row, outcome, shelter_checks(shelter, row) + warnings)


# --- Lists, summaries and totals ------------------------------------------------------------------


@dataclass
class ShelterRow:
    """A shelter with its latest head count and its kelurahan's name."""

    shelter: Shelter
    count: ShelterCount | None
    kelurahan_name: str


def _filters(kelurahan_code, status, kind) -> dict:
    filters = {}
    if not inputs.is_blank(kelurahan_code):
        filters["kelurahan_code"] = require_kelurahan(kelurahan_code).code
    if not inputs.is_blank(status):
        if status not in STATUSES:
            raise DomainError("Status harus 'buka' atau 'tutup'.", field="status")
        filters["status"] = status
    if not inputs.is_blank(kind):
        filters["kind"] = _kind(kind)
    return filters


def list_shelters(
    event_id: int | None = None,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> list[ShelterRow]:
    """Shelters (filtered) with their latest head count, by name."""
    filters = _filters(kelurahan_code, status, kind)
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    query = (
        select(Shelter, ShelterCount, Area.name)
        .outerjoin(latest, latest.c.shelter_id == Shelter.id)
        .outerjoin(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
        )
        .outerjoin(Area, Area.code == Shelter.kelurahan_code)
        .order_by(Shelter.name, Shelter.id)
    )
    if event_id is not None:
        query = query.where(Shelter.event_id == event_id)
    for key, value in filters.items():
        query = query.where(getattr(Shelter, key) == value)
    return [ShelterRow(s, c, name or "") for s, c, name in db.session.execute(query)]


def shelter_summaries(
    event_id: int | None = None,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> list[ShelterSummary]:
    """Every shelter (of one event when given) with its latest head count and its warnings."""
    summaries = []
    for row in list_shelters(event_id, kelurahan_code=kelurahan_code, status=status, kind=kind):
        shelter, count = row.shelter, row.count
        checks = check_shelter(shelter, count)
        summaries.append(
            ShelterSummary(
                id=shelter.id,
                name=shelter.name,
                kind=shelter.kind,
                status=shelter.status,
                event_id=shelter.event_id,
                kelurahan_code=shelter.kelurahan_code,
                lat=shelter.lat,
                lng=shelter.lng,
                capacity=shelter.capacity,
                persons=count.persons if count else 0,
                households=count.households if count else 0,
                counted_on=count.counted_on if count else None,
                warnings=[message for _code, message in checks],
                warning_codes=[code for code, _message in checks],
                kelurahan_name=row.kelurahan_name,
                address=shelter.address,
                floor_area_m2=shelter.floor_area_m2,
                toilets=shelter.toilets,
                water_points=shelter.water_points,
                has_dapur_umum=shelter.has_dapur_umum,
            )
        )
    return summaries


def sort_summaries(summaries: list[ShelterSummary], order: str = "sisa") -> list[ShelterSummary]:
    """Order a list: "sisa" most free places first, "okupansi" fullest first, "nama" by name.

    Closed shelters come last in "sisa" and "okupansi": they take nobody, whatever is free.
    """
    by_name = sorted(summaries, key=lambda s: (s.name.casefold(), s.id))
    if order == "nama":
        return by_name
    if order == "okupansi":
        return sorted(
            by_name,
            key=lambda s: (s.status != "buka", s.occupancy is None, -(s.occupancy or 0)),
        )
    # Over-full shelters sort below full ones by how far over they are.
    return sorted(by_name, key=lambda s: (s.status != "buka", -(s.capacity - s.persons)))


def _open_at_end_of(shelter_opened: date, shelter_closed: date | None, day: date) -> bool:
    return shelter_opened <= day and (shelter_closed is None or shelter_closed > day)


def daily_shelter_totals(event_id: int | None, start: date, end: date) -> list[ShelterTotals]:
    """Units and persons sheltered for each day from start to end (inclusive).

    A shelter counts as a unit on a day when it was open at the end of that day; its persons
    are its latest head count on or before that day (a day without a count carries the last
    one forward).
    """
    if end < start:
        raise DomainError("Tanggal akhir tidak boleh sebelum tanggal awal.", field="end")
    query = select(Shelter.id, Shelter.opened_at, Shelter.closed_at)
    if event_id is not None:
        query = query.where(Shelter.event_id == event_id)
    shelters = {
        sid: (office_date(opened), office_date(closed) if closed else None)
        for sid, opened, closed in db.session.execute(query)
    }
    counts: dict[int, list[tuple[date, int, int]]] = {sid: [] for sid in shelters}
    if shelters:
        rows = db.session.execute(
            select(
                ShelterCount.shelter_id,
                ShelterCount.counted_on,
                ShelterCount.persons,
                ShelterCount.households,
            )
            .where(ShelterCount.shelter_id.in_(shelters), ShelterCount.counted_on <= end)
            .order_by(ShelterCount.counted_on)
        )
        for sid, day, persons, households in rows:
            counts[sid].append((day, persons, households))
    totals = []
    day = start
    while day <= end:
        units = persons = households = 0
        for sid, (opened, closed) in shelters.items():
            if not _open_at_end_of(opened, closed, day):
                continue
            units += 1
            latest = [c for c in counts[sid] if c[0] <= day]
            if latest:
                persons += latest[-1][1]
                households += latest[-1][2]
        totals.append(ShelterTotals(day, units, persons, households))
        day += timedelta(days=1)
    return totals


def shelter_totals(event_id: int | None = None, on: date | None = None) -> ShelterTotals:
    """Open shelters (units) and persons sheltered on a day (today by default), for one event
    or for all; the figures plans report either as "unit/lokasi" or as "orang"."""
    day = on or office_today()
    return daily_shelter_totals(event_id, day, day)[0]


def filter_options() -> dict:
    """Choices for the shelter list's filters: events, and kelurahan that have shelters."""
    events = db.session.execute(
        select(Event.id, Event.code, Event.title).order_by(Event.started_at.desc())
    ).all()
    kelurahan = db.session.execute(
        select(Area.code, Area.name)
        .where(Area.code.in_(select(Shelter.kelurahan_code).distinct()))
        .order_by(Area.name)
    ).all()
    return {"events": events, "kelurahan": kelurahan}


def kelurahan_choices(limit: int = 3000) -> list[tuple[str, str]]:
    """(code, "name, kecamatan") of every kelurahan/desa, for the form's suggestion list.

    Empty above `limit` areas (a province): typing the code or using the point is then faster
    than scrolling a list of thousands.
    """
    total = db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan"))
    if not total or total > limit:
        return []
    parent = Area.__table__.alias("parent_area")
    rows = db.session.execute(
        select(Area.code, Area.name, parent.c.name)
        .outerjoin(parent, parent.c.code == Area.parent_code)
        .where(Area.level == "kelurahan")
        .order_by(Area.name)
    ).all()
    return [(code, f"{name}, {kec}" if kec else name) for code, name, kec in rows]


_outline_lock = threading.Lock()
_outline_cache: dict[tuple, dict] = {}
# Coarse enough to keep a province's kecamatan small, fine enough at kota zoom (about 50 m).
OUTLINE_TOLERANCE_DEG = 0.0005


def kecamatan_outlines() -> dict:
    """Simplified kecamatan outlines as GeoJSON for the shelter map, cached per area revision."""
    key = _revision("kecamatan")
    with _outline_lock:
        cached = _outline_cache.get(key)
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(Area.code, Area.name, Area.geometry_wkb).where(
            Area.level == "kecamatan", Area.geometry_wkb.is_not(None)
        )
    ).all()
    frame = gpd.GeoDataFrame(
        {"code": [r.code for r in rows], "name": [r.name for r in rows]},
        geometry=shapely.from_wkb([r.geometry_wkb for r in rows]) if rows else [],
        crs="EPSG:4326",
    )
    outlines = to_geojson(simplify_for_zoom(frame, OUTLINE_TOLERANCE_DEG), ["code", "name"], 5)
    with _outline_lock:
        _outline_cache.clear()
        _outline_cache[key] = outlines
    return outlines


def area_center() -> tuple[float, float] | None:
    """The middle of the office's kelurahan, for a map without any shelter to fit."""
    bounds = db.session.execute(
        select(
            func.min(Area.min_lat),
            func.max(Area.max_lat),
            func.min(Area.min_lng),
            func.max(Area.max_lng),
        ).where(Area.level == "kelurahan")
    ).one()
    if any(value is None for value in bounds):
        return None
    return ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2)
