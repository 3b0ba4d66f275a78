"""Shelters: the registry (open, describe, close, reopen) and the parsing of their fields."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.areas.services import lookup_point, require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import angka, tanggal
from logistics.core.time import office_date, office_today, office_zone, utcnow
from logistics.core.wording import istilah
from logistics.events.models import Event
from logistics.events.services import get_event
from logistics.shelters.checks import shelter_checks
from logistics.shelters.models import SHELTER_KINDS, Shelter, ShelterCount

STATUSES = {"buka": "Buka", "tutup": "Ditutup"}
MAX_FLOOR_AREA_M2 = Decimal("100000000")
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


@dataclass
class ShelterResult:
    """A shelter after a change, with the warnings the person should see (nothing refused)."""

    shelter: Shelter
    warnings: list[str] = field(default_factory=list)


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


def parse_kind(value) -> str:
    return inputs.choice(value, SHELTER_KINDS, "kind", "Jenis tempat")


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
        raise DomainError(f"Kode {istilah('wilayah')} harus berupa teks.", field="kelurahan_code")
    code = (code or "").strip()
    if (lat is None) != (lng is None):
        raise DomainError(
            "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.",
            field="lat" if lat is None else "lng",
        )
    if lat is None:
        if not code:
            raise DomainError(
                f"Isi kode {istilah('wilayah')}, atau isi koordinat (tombol 'Pakai lokasi saya') "
                f"agar {istilah('wilayah')} terisi otomatis.",
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
                f"Titik ini tidak berada di {istilah('wilayah')} mana pun yang dimuat; "
                f"periksa koordinat atau isi kode {istilah('wilayah')}.",
                field="kelurahan_code",
            )
        return found.code, []
    area = require_kelurahan(code)
    if found is None:
        return area.code, [
            f"Koordinat berada di luar semua {istilah('wilayah')} yang dimuat; periksa lintang dan bujur."
        ]
    if found.code != area.code:
        return area.code, [
            f"Koordinat berada di {found.name} ({found.code}), bukan di {area.name} "
            f"({area.code}); periksa kembali titik lokasi atau kode {istilah('wilayah')}."
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
        "kind": parse_kind,
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
    errors = Collector()
    parsed = {key: errors.check(parsers[key], value) for key, value in values.items()}
    errors.raise_any()
    return parsed


# --- Registry -------------------------------------------------------------------------------------


def get_shelter(shelter_id: int) -> Shelter:
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise NotFound(f"Tempat pengungsian {shelter_id} tidak ditemukan.")
    return shelter


def event_of(shelter: Shelter) -> Event | None:
    """The event the shelter serves; None for a standby shelter."""
    return db.session.get(Event, shelter.event_id) if shelter.event_id else None


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
    errors = Collector()
    values = errors.check(
        _registry_values,
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
        },
    )
    # The place is checked too when other fields were refused, so all errors show at once; a
    # point that did not parse is left to its own error.
    located = None
    if values is not None or (inputs.is_blank(lat) and inputs.is_blank(lng)):
        point = (values["lat"], values["lng"]) if values is not None else (None, None)
        located = errors.check(_locate, kelurahan_code, *point)
    opened = errors.check(_opened_at, values["opened_on"]) if values is not None else None
    errors.raise_any()
    code, warnings = located
    del values["kelurahan_code"], values["opened_on"]
    opened_at = opened
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


def close_shelter(shelter: Shelter, *, displaced_in_registry: int, note: str = "") -> Shelter:
    """Close a shelter that is empty by its latest head count and by the victim registry.

    Refused (Conflict) while the latest count has persons in it (record a count of 0 first)
    or while displaced victims are registered in it: displaced_in_registry is what the caller
    counted there (victims.figures.displaced_in_shelter). The caller commits.
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
    if displaced_in_registry:
        raise Conflict(
            f"Registri korban masih mencatat {angka(displaced_in_registry)} pengungsi di "
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


def shelter_area_codes(shelter_id: int) -> list[str | None] | None:
    """The shelter's kelurahan, for the scope guard; None when there is no such shelter."""
    row = db.session.execute(
        select(Shelter.id, Shelter.kelurahan_code).where(Shelter.id == shelter_id)
    ).first()
    return None if row is None else [row.kelurahan_code]
