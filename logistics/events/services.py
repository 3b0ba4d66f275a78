"""Disaster events: open, describe, set status decrees, mark affected kelurahan, record impact."""

import hashlib
import json
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import shapely
from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from logistics.areas.models import Area
from logistics.areas.services import KELURAHAN_CODE, require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.demography import age_group
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.time import office_date, office_today, utcnow
from logistics.events.models import (
    AGE_GROUPS,
    DAMAGE_LEVELS,
    DECREE_ORDER,
    DECREE_STATUSES,
    FACILITIES,
    HAZARD_CLASSES,
    IMPACT_MEASURES,
    IMPACT_SOURCES,
    ISSUER_LEVELS,
    PEOPLE_STATUSES,
    SEXES,
    ChronologyEntry,
    Event,
    EventArea,
    EventDecree,
    HazardType,
    ImpactFigure,
)
from logistics.shelters.models import Shelter
from logistics.victims.models import InstitutionVictim, Person, Victim

# Perka BNPB on the emergency status: a tanggap darurat decree usually runs up to 14 days and
# may be extended; the page marks a longer one "diperpanjang" rather than refusing it.
TANGGAP_DARURAT_USUAL_DAYS = 14
# A count in the impact matrix above this is a typing error, not a disaster (and stays inside a
# 32-bit integer column on PostgreSQL).
MAX_COUNT = 10_000_000
# Extra cells only the victim registry can give: persons without a birth date, and the
# headcount of institutions hit as a group (no age or sex split).
UNKNOWN_AGE = "tidak_diketahui"
INSTITUTION = "lembaga"
HAZARD_CODE = re.compile(r"^[A-Z]{2,8}$")
EVENT_STATUSES = {"aktif": "Aktif", "ditutup": "Ditutup"}


def _coordinates(lat, lng) -> tuple[float | None, float | None]:
    lat = inputs.coordinate(lat, "lat", "Lintang", 90)
    lng = inputs.coordinate(lng, "lng", "Bujur", 180)
    if (lat is None) != (lng is None):
        raise DomainError(
            "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.",
            field="lat" if lat is None else "lng",
        )
    return lat, lng


# --- hazard types ----------------------------------------------------------------------------


def _office_code() -> str:
    """'32.75' -> '3275': the office part of an event code."""
    return current_app.config["OFFICE_AREA_CODE"].replace(".", "")


def next_event_code(hazard: HazardType, year: int) -> tuple[str, int]:
    """BJR-3275-2026-004: hazard, office, year and a per-office, per-year sequence."""
    office = _office_code()
    last = db.session.scalar(
        select(func.max(Event.seq)).where(Event.office_code == office, Event.year == year)
    )
    seq = (last or 0) + 1
    return f"{hazard.code}-{office}-{year}-{seq:03d}", seq


def get_hazard(hazard_type_id: int | None) -> HazardType:
    hazard = db.session.get(HazardType, hazard_type_id) if hazard_type_id else None
    if hazard is None or not hazard.active:
        raise DomainError("Jenis bencana wajib dipilih dari daftar.", field="hazard_type_id")
    return hazard


def find_hazard(value) -> HazardType:
    """A hazard type by id or by code (BJR), for the API; active ones only."""
    if isinstance(value, str) and not value.strip().isdigit():
        hazard = db.session.scalar(
            select(HazardType).where(HazardType.code == value.strip().upper())
        )
        return get_hazard(hazard.id if hazard else None)
    try:
        return get_hazard(int(value) if value not in (None, "") else None)
    except (TypeError, ValueError) as exc:
        raise DomainError(
            "Jenis bencana wajib dipilih dari daftar.", field="hazard_type_id"
        ) from exc


def get_hazard_type(hazard_id: int) -> HazardType:
    """A hazard type of the list, active or not (for the hazard admin)."""
    hazard = db.session.get(HazardType, hazard_id)
    if hazard is None:
        raise NotFound(f"Jenis bencana {hazard_id} tidak ditemukan.")
    return hazard


def list_hazards(*, active_only: bool = False) -> list[HazardType]:
    query = select(HazardType).order_by(HazardType.sort_order, HazardType.name)
    if active_only:
        query = query.where(HazardType.active.is_(True))
    return list(db.session.scalars(query))


def _hazard_values(name, hazard_class, sort_order, exclude_id: int | None) -> dict:
    name = inputs.text(name, "name", "Nama jenis bencana", 120, required=True)
    if hazard_class not in HAZARD_CLASSES:
        raise DomainError(
            f"Kelompok bencana wajib dipilih: {', '.join(HAZARD_CLASSES)}.", field="hazard_class"
        )
    clash = db.session.scalar(
        select(HazardType.id).where(
            func.lower(HazardType.name) == name.lower(),
            HazardType.id != (exclude_id or 0),
        )
    )
    if clash:
        raise Conflict(f"Jenis bencana '{name}' sudah ada.", field="name")
    order = inputs.whole_number(sort_order, "sort_order", "Urutan", maximum=MAX_COUNT)
    return {"name": name, "hazard_class": hazard_class, "sort_order": order}


def create_hazard(*, code: str, name: str, hazard_class: str, sort_order=None) -> HazardType:
    """Add a hazard type to the office's list; its code starts every event code of that type."""
    code = inputs.text(code, "code", "Kode", 8, required=True).upper()
    if not HAZARD_CODE.match(code):
        raise DomainError(f"Kode '{code}' harus 2-8 huruf A-Z tanpa spasi, mis. BJR.", field="code")
    if db.session.scalar(select(HazardType.id).where(HazardType.code == code)):
        raise Conflict(f"Kode jenis bencana '{code}' sudah dipakai.", field="code")
    values = _hazard_values(name, hazard_class, sort_order, None)
    if values["sort_order"] is None:
        values["sort_order"] = (
            db.session.scalar(select(func.max(HazardType.sort_order))) or 0
        ) + 10
    hazard = HazardType(code=code, active=True, **values)
    db.session.add(hazard)
    db.session.flush()
    return hazard


def update_hazard(
    hazard_id: int, *, name: str, hazard_class: str, active: bool, sort_order=None
) -> HazardType:
    """Rename, regroup, reorder or (de)activate a hazard type. The code never changes: it is
    already printed in the codes of past events."""
    hazard = get_hazard_type(hazard_id)
    values = _hazard_values(name, hazard_class, sort_order, hazard.id)
    hazard.name = values["name"]
    hazard.hazard_class = values["hazard_class"]
    if values["sort_order"] is not None:
        hazard.sort_order = values["sort_order"]
    hazard.active = bool(active)
    db.session.flush()
    return hazard


# --- events ----------------------------------------------------------------------------------


def _event_texts(title, description, source, reporter) -> dict:
    return {
        "title": inputs.text(title, "title", "Judul kejadian", 200, required=True),
        "description": inputs.text(description, "description", "Uraian", 20_000),
        "source": inputs.text(source, "source", "Sumber informasi", 200),
        "reporter": inputs.text(reporter, "reporter", "Pelapor", 160),
    }


def create_event(
    *,
    hazard_type_id: int,
    title: str,
    started_at: datetime,
    ended_at: datetime | None = None,
    description: str = "",
    lat: float | None = None,
    lng: float | None = None,
    source: str = "",
    reporter: str = "",
    created_by_id: int | None = None,
    kelurahan_codes: Iterable[str] | None = None,
) -> Event:
    """Open a new event with its code (and its affected kelurahan when given); the caller commits.

    started_at and ended_at are naive UTC. The code's year is the office-local year.
    """
    hazard = get_hazard(hazard_type_id)
    texts = _event_texts(title, description, source, reporter)
    if started_at is None:
        raise DomainError("Waktu mulai kejadian wajib diisi.", field="started_at")
    if ended_at is not None and ended_at < started_at:
        raise DomainError("Waktu selesai tidak boleh sebelum waktu mulai.", field="ended_at")
    lat, lng = _coordinates(lat, lng)
    codes = _valid_codes(kelurahan_codes) if kelurahan_codes else []
    year = office_date(started_at).year
    # Two operators opening events at the same moment get the same next number; the unique
    # constraint refuses the second, which then takes the number after.
    for _attempt in range(5):
        code, seq = next_event_code(hazard, year)
        event = Event(
            code=code,
            office_code=_office_code(),
            year=year,
            seq=seq,
            hazard_type_id=hazard.id,
            started_at=started_at,
            ended_at=ended_at,
            lat=lat,
            lng=lng,
            created_by_id=created_by_id,
            **texts,
        )
        try:
            with db.session.begin_nested():
                db.session.add(event)
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("Nomor kejadian sedang dipakai bersamaan; coba simpan lagi.")
    if codes:
        _add_areas(event, codes, "dipilih")
    db.session.flush()
    return event


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Kejadian {event_id} tidak ditemukan.")
    return event


EVENT_FIELDS = (
    "hazard_type_id",
    "title",
    "description",
    "started_at",
    "ended_at",
    "lat",
    "lng",
    "source",
    "reporter",
)


def update_event(event: Event, **changes) -> Event:
    """Change an event's description; only the given fields change. The code stays as issued."""
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(f"Kolom '{name}' tidak dapat diubah.", field=name)
    if "hazard_type_id" in changes:
        hazard = get_hazard(changes["hazard_type_id"])
        event.hazard_type_id = hazard.id
        event.hazard_type = hazard
    texts = _event_texts(
        changes.get("title", event.title),
        changes.get("description", event.description),
        changes.get("source", event.source),
        changes.get("reporter", event.reporter),
    )
    started_at = changes.get("started_at", event.started_at)
    if started_at is None:
        raise DomainError("Waktu mulai kejadian wajib diisi.", field="started_at")
    ended_at = changes.get("ended_at", event.ended_at)
    if ended_at is not None and ended_at < started_at:
        raise DomainError("Waktu selesai tidak boleh sebelum waktu mulai.", field="ended_at")
    lat, lng = _coordinates(changes.get("lat", event.lat), changes.get("lng", event.lng))
    for key, value in texts.items():
        setattr(event, key, value)
    event.started_at, event.ended_at, event.lat, event.lng = started_at, ended_at, lat, lng
    db.session.flush()
    return event


def close_event(event: Event, *, closed_at: datetime | None = None) -> Event:
    """Close the event: from the closing day on it is in the pasca bencana (recovery) phase.

    Open-ended decrees end on the closing day, and the event's end time is set if still empty.
    """
    if event.closed_at is not None:
        raise Conflict(
            f"Kejadian {event.code} sudah ditutup pada {tanggal(office_date(event.closed_at))}."
        )
    closed_at = closed_at or utcnow()
    if closed_at < event.started_at:
        raise DomainError(
            "Waktu penutupan tidak boleh sebelum kejadian dimulai.", field="closed_at"
        )
    day = office_date(closed_at)
    for decree in event.decrees:
        if decree.ends_on is None:
            decree.ends_on = max(decree.starts_on, day)
    event.closed_at = closed_at
    if event.ended_at is None:
        event.ended_at = closed_at
    record_action("close_event", "events", event.id, {"code": event.code})
    db.session.flush()
    return event


def current_phase(event: Event, day: date | None = None) -> str:
    """The event's phase today (office time) or on a day: a key of PHASE_LABELS."""
    return event.phase_on(day or office_today())


def add_chronology(
    event: Event, *, occurred_at: datetime | None, text: str, author_id: int | None = None
) -> ChronologyEntry:
    """One line in the event's chronology; occurred_at is naive UTC."""
    if occurred_at is None:
        raise DomainError("Waktu wajib diisi.", field="occurred_at")
    text = inputs.text(text, "text", "Isi kronologi", 5000, required=True)
    entry = ChronologyEntry(
        event_id=event.id, occurred_at=occurred_at, text=text, author_id=author_id
    )
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(event, ["chronology"])
    return entry


# --- status decrees --------------------------------------------------------------------------


def _decree_values(status, decree_number, issuer_level, starts_on, ends_on) -> dict:
    if status not in DECREE_STATUSES:
        labels = ", ".join(DECREE_STATUSES.values())
        raise DomainError(f"Status wajib dipilih: {labels}.", field="status")
    if issuer_level not in ISSUER_LEVELS:
        labels = ", ".join(ISSUER_LEVELS.values())
        raise DomainError(f"Penerbit SK wajib dipilih: {labels}.", field="issuer_level")
    number = inputs.text(decree_number, "decree_number", "Nomor SK", 120, required=True)
    starts_on = inputs.day(starts_on, "starts_on", "Tanggal mulai", required=True)
    ends_on = inputs.day(ends_on, "ends_on", "Tanggal selesai")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            f"Tanggal selesai ({tanggal(ends_on)}) tidak boleh sebelum tanggal mulai "
            f"({tanggal(starts_on)}).",
            field="ends_on",
        )
    return {
        "status": status,
        "decree_number": number,
        "issuer_level": issuer_level,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def _period(starts_on: date, ends_on: date | None) -> str:
    return f"{tanggal(starts_on)} – {tanggal(ends_on) if ends_on else 'belum ditentukan'}"


def _check_decree(event: Event, values: dict, ignore: EventDecree | None) -> None:
    """Statuses follow siaga -> tanggap -> transisi, and no two decrees cover the same day."""
    rank = DECREE_ORDER.index(values["status"])
    start, end = values["starts_on"], values["ends_on"]
    for other in event.decrees:
        if other is ignore:
            continue
        other_rank = DECREE_ORDER.index(other.status)
        label = DECREE_STATUSES[other.status]
        if other_rank > rank and other.starts_on <= start:
            raise DomainError(
                f"Status {DECREE_STATUSES[values['status']]} harus dimulai sebelum status "
                f"{label} (mulai {tanggal(other.starts_on)}): urutannya siaga darurat, tanggap "
                "darurat, lalu transisi darurat ke pemulihan.",
                field="starts_on",
            )
        if other_rank < rank and start <= other.starts_on:
            raise DomainError(
                f"Status {DECREE_STATUSES[values['status']]} tidak boleh dimulai sebelum status "
                f"{label} (mulai {tanggal(other.starts_on)}).",
                field="starts_on",
            )
        overlaps = (other.ends_on is None or start <= other.ends_on) and (
            end is None or other.starts_on <= end
        )
        if overlaps:
            hint = (
                " Isi dulu tanggal selesai SK tersebut."
                if other.ends_on is None and other.starts_on < start
                else ""
            )
            raise DomainError(
                f"Masa berlaku bertumpang tindih dengan SK {label} nomor {other.decree_number} "
                f"({_period(other.starts_on, other.ends_on)}).{hint}",
                field="starts_on",
            )


def add_decree(
    event: Event,
    *,
    status: str,
    decree_number: str,
    issuer_level: str,
    starts_on,
    ends_on=None,
) -> EventDecree:
    """Record a status decree (SK status keadaan darurat), checked against the event's others."""
    if event.closed_at is not None:
        raise Conflict(
            f"Kejadian {event.code} sudah ditutup (pasca bencana); SK tidak dapat ditambah."
        )
    values = _decree_values(status, decree_number, issuer_level, starts_on, ends_on)
    _check_decree(event, values, None)
    decree = EventDecree(event_id=event.id, **values)
    db.session.add(decree)
    db.session.flush()
    db.session.refresh(event, ["decrees"])
    return decree


def get_decree(event: Event, decree_id: int) -> EventDecree:
    for decree in event.decrees:
        if decree.id == decree_id:
            return decree
    raise NotFound(f"SK {decree_id} tidak ditemukan pada kejadian {event.code}.")


def update_decree(event: Event, decree: EventDecree, **values) -> EventDecree:
    """Correct a decree or set its end date (e.g. an extension, or an earlier end)."""
    merged = {
        "status": decree.status,
        "decree_number": decree.decree_number,
        "issuer_level": decree.issuer_level,
        "starts_on": decree.starts_on,
        "ends_on": decree.ends_on,
        **values,
    }
    checked = _decree_values(**merged)
    _check_decree(event, checked, decree)
    for key, value in checked.items():
        setattr(decree, key, value)
    db.session.flush()
    db.session.refresh(event, ["decrees"])
    return decree


def decree_days(decree: EventDecree, today: date | None = None) -> int:
    """Days the decree runs, counting both ends; an open one runs until today."""
    end = decree.ends_on or max(today or office_today(), decree.starts_on)
    return (end - decree.starts_on).days + 1


def tanggap_darurat_days(event: Event, today: date | None = None) -> int:
    return sum(decree_days(d, today) for d in event.decrees if d.status == "tanggap_darurat")


def tanggap_darurat_extended(event: Event, today: date | None = None) -> bool:
    """True when the tanggap darurat period (all its decrees) runs past the usual 14 days."""
    return tanggap_darurat_days(event, today) > TANGGAP_DARURAT_USUAL_DAYS


# --- affected areas --------------------------------------------------------------------------


def _valid_codes(codes: Iterable[str] | None, field: str = "kelurahan_codes") -> list[str]:
    """Distinct kelurahan codes in the given order; an Indonesian error names every bad one."""
    if codes is None or isinstance(codes, str | bytes) or not isinstance(codes, Iterable):
        raise DomainError("Daftar kode kelurahan/desa harus berupa daftar.", field=field)
    cleaned: list[str] = []
    for code in codes:
        if not isinstance(code, str):
            raise DomainError(f"Kode kelurahan/desa '{code}' harus berupa teks.", field=field)
        code = code.strip()
        if code and code not in cleaned:
            cleaned.append(code)
    malformed = [c for c in cleaned if not KELURAHAN_CODE.match(c)]
    if malformed:
        raise DomainError(
            f"Kode kelurahan/desa salah format: {', '.join(malformed[:10])}; tulis PP.KK.CC.NDDD, "
            "mis. 32.75.01.1001.",
            field=field,
        )
    known: set[str] = set()
    for start in range(0, len(cleaned), 900):
        chunk = cleaned[start : start + 900]
        known.update(
            db.session.scalars(
                select(Area.code).where(Area.code.in_(chunk), Area.level == "kelurahan")
            )
        )
    unknown = [c for c in cleaned if c not in known]
    if unknown:
        raise DomainError(
            f"Kode kelurahan/desa tidak dikenal di wilayah ini: {', '.join(unknown[:10])}.",
            field=field,
        )
    return cleaned


def _area_codes(event: Event) -> set[str]:
    return set(
        db.session.scalars(select(EventArea.kelurahan_code).where(EventArea.event_id == event.id))
    )


def _add_areas(event: Event, codes: Iterable[str], how: str) -> list[str]:
    present = _area_codes(event) if event.id else set()
    added = [c for c in codes if c not in present]
    db.session.add_all(EventArea(event_id=event.id, kelurahan_code=code, how=how) for code in added)
    return added


def _codes_with_data(event: Event) -> set[str]:
    figures = select(ImpactFigure.kelurahan_code).where(ImpactFigure.event_id == event.id)
    victims = select(Victim.kelurahan_code).where(Victim.event_id == event.id)
    institutions = select(InstitutionVictim.kelurahan_code).where(
        InstitutionVictim.event_id == event.id
    )
    return set(db.session.scalars(figures.union(victims, institutions)))


def set_affected_areas(event: Event, codes: Iterable[str]) -> dict:
    """Make the picked list the event's affected kelurahan: new ones are added, unticked ones
    removed, except those that already have impact figures or victims (refused, named)."""
    wanted = _valid_codes(codes)
    current = _area_codes(event)
    removing = current - set(wanted)
    blocked = sorted(removing & _codes_with_data(event))
    if blocked:
        names = dict(
            db.session.execute(select(Area.code, Area.name).where(Area.code.in_(blocked))).all()
        )
        listed = ", ".join(f"{names.get(c, c)} ({c})" for c in blocked[:10])
        raise Conflict(
            f"Kelurahan/desa ini sudah memiliki angka dampak atau korban dan tidak dapat dilepas: "
            f"{listed}. Hapus angkanya lebih dulu.",
            field="kelurahan_codes",
        )
    if removing:
        for area in db.session.scalars(
            select(EventArea).where(
                EventArea.event_id == event.id, EventArea.kelurahan_code.in_(removing)
            )
        ):
            db.session.delete(area)
    added = _add_areas(event, wanted, "dipilih")
    db.session.flush()
    db.session.refresh(event, ["areas"])
    return {"added": added, "removed": sorted(removing)}


def add_affected_areas(event: Event, codes: Iterable[str], how: str = "dipilih") -> list[str]:
    """Add kelurahan to the event (keeping the others); returns the codes that were new."""
    added = _add_areas(event, _valid_codes(codes), how)
    db.session.flush()
    db.session.refresh(event, ["areas"])
    return added


def parse_geometry(value) -> shapely.Geometry:
    """A drawn area from GeoJSON (geometry, Feature or FeatureCollection; dict or text) as one
    valid (multi)polygon in lng/lat, or a DomainError saying what is wrong."""
    field_name = "geometry"
    if isinstance(value, str):
        if not value.strip():
            raise DomainError("Gambar area di peta atau tempel GeoJSON-nya.", field=field_name)
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise DomainError(
                "Teks area bukan GeoJSON yang sah; tempel geometri poligon GeoJSON.",
                field=field_name,
            ) from exc
    if not isinstance(value, dict):
        raise DomainError("Area harus berupa objek GeoJSON.", field=field_name)
    if value.get("type") == "FeatureCollection":
        geometries = [f.get("geometry") for f in value.get("features") or [] if isinstance(f, dict)]
    elif value.get("type") == "Feature":
        geometries = [value.get("geometry")]
    else:
        geometries = [value]
    shapes = []
    for geometry in geometries:
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            kind = geometry.get("type") if isinstance(geometry, dict) else "kosong"
            raise DomainError(
                f"Area harus berupa poligon (Polygon/MultiPolygon), bukan {kind}. "
                "Tutup garis yang digambar menjadi bidang.",
                field=field_name,
            )
        try:
            shapes.append(shapely.from_geojson(json.dumps(geometry)))
        except (shapely.errors.GEOSException, ValueError) as exc:
            raise DomainError(
                "Koordinat poligon tidak sah: setiap cincin perlu minimal 4 titik "
                "[bujur, lintang] dengan titik akhir sama dengan titik awal.",
                field=field_name,
            ) from exc
    if not shapes:
        raise DomainError("Tidak ada poligon di dalam GeoJSON.", field=field_name)
    shape = shapely.union_all(shapes) if len(shapes) > 1 else shapes[0]
    minx, miny, maxx, maxy = shape.bounds if not shape.is_empty else (0, 0, 0, 0)
    if shape.is_empty or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise DomainError(
            "Koordinat area di luar jangkauan; urutannya [bujur, lintang] dalam derajat.",
            field=field_name,
        )
    if not shape.is_valid:
        # A ring drawn across itself (a figure eight) is repaired, not refused.
        shape = shapely.make_valid(shape)
        parts = [g for g in shapely.get_parts(shape) if g.geom_type in ("Polygon", "MultiPolygon")]
        shape = shapely.union_all(parts) if parts else shapely.Polygon()
    if shape.is_empty or shape.area == 0:
        raise DomainError("Area yang digambar tidak memiliki luas.", field=field_name)
    return shape


def kelurahan_in_area(shape: shapely.Geometry) -> list[str]:
    """Codes of every kelurahan/desa whose polygon shares some area with the shape (ones that
    only touch its edge are left out)."""
    minx, miny, maxx, maxy = shape.bounds
    rows = db.session.execute(
        select(Area.code, Area.geometry_wkb).where(
            Area.level == "kelurahan",
            Area.geometry_wkb.is_not(None),
            Area.min_lng <= maxx,
            Area.max_lng >= minx,
            Area.min_lat <= maxy,
            Area.max_lat >= miny,
        )
    ).all()
    if not rows:
        return []
    geoms = shapely.from_wkb([r[1] for r in rows])
    shapely.prepare(shape)
    hit = shapely.intersects(shape, geoms) & ~shapely.touches(shape, geoms)
    return sorted(code for (code, _), keep in zip(rows, hit, strict=True) if keep)


def derive_areas_from_drawing(event: Event, geometry) -> list[str]:
    """Store the drawn area and add every kelurahan it covers (spatial join); returns all the
    kelurahan the drawing covers, in code order."""
    shape = parse_geometry(geometry)
    codes = kelurahan_in_area(shape)
    if not codes:
        raise DomainError(
            "Area yang digambar tidak mengenai kelurahan/desa mana pun yang dimuat.",
            field="geometry",
        )
    event.area_geojson = shapely.to_geojson(shapely.set_precision(shape, 1e-6))
    _add_areas(event, codes, "digambar")
    db.session.flush()
    db.session.refresh(event, ["areas"])
    return codes


# --- impact ----------------------------------------------------------------------------------


def measure_label(measure: str) -> str:
    """'mengungsi.lansia.P' -> 'Mengungsi lansia perempuan' (for forms, tables and exports)."""
    parts = measure.split(".")
    if parts[0] in PEOPLE_STATUSES:
        status = PEOPLE_STATUSES[parts[0]].split(" (")[0]
        if parts[1] == INSTITUTION:
            return f"{status} – penghuni lembaga"
        age = AGE_GROUPS.get(parts[1], "umur tidak diketahui").lower()
        return f"{status} {age} {SEXES[parts[2]].lower()}"
    if parts[0] == "kk":
        return f"KK {PEOPLE_STATUSES[parts[1]].split(' (')[0].lower()}"
    if parts[0] == "ibu_hamil":
        return "Ibu hamil"
    if parts[0] in FACILITIES:
        return f"{FACILITIES[parts[0]]} {DAMAGE_LEVELS[parts[1]].lower()}"
    return measure


def set_impact(
    event: Event, kelurahan_code: str, figures: Mapping, *, source: str = "kaji_cepat"
) -> dict[str, int]:
    """Record rapid-assessment (kaji cepat) figures for one kelurahan of the event.

    figures maps measure names of IMPACT_MEASURES to non-negative whole numbers; an empty value
    removes the cell (not known). A kelurahan not yet affected is added to the event. Returns
    the kelurahan's kaji cepat figures after the change.
    """
    if source != "kaji_cepat":
        raise DomainError(
            "Hanya angka kaji cepat yang diisi tangan; angka terdata dihitung dari registri "
            "korban.",
            field="source",
        )
    if kelurahan_code is not None and not isinstance(kelurahan_code, str):
        raise DomainError("Kode kelurahan/desa harus berupa teks.", field="kelurahan_code")
    area = require_kelurahan(kelurahan_code)
    if not isinstance(figures, Mapping) or not figures:
        raise DomainError("Isi minimal satu angka dampak.", field="figures")
    allowed = set(IMPACT_MEASURES)
    values: dict[str, int | None] = {}
    for measure, raw in figures.items():
        if measure not in allowed:
            raise DomainError(
                f"Ukuran dampak '{measure}' tidak dikenal; pakai nama seperti "
                "'mengungsi.anak.L', 'kk.mengungsi' atau 'rumah.rusak_berat'.",
                field=f"figures.{measure}",
            )
        values[measure] = inputs.whole_number(
            raw, f"figures.{measure}", measure_label(measure), maximum=MAX_COUNT
        )
    existing = {
        f.measure: f
        for f in db.session.scalars(
            select(ImpactFigure).where(
                ImpactFigure.event_id == event.id,
                ImpactFigure.kelurahan_code == area.code,
                ImpactFigure.source == source,
            )
        )
    }
    for measure, value in values.items():
        row = existing.get(measure)
        if value is None:
            if row is not None:
                db.session.delete(row)
                del existing[measure]
        elif row is None:
            row = ImpactFigure(
                event_id=event.id,
                kelurahan_code=area.code,
                source=source,
                measure=measure,
                value=value,
            )
            db.session.add(row)
            existing[measure] = row
        elif row.value != value:
            row.value = value
    _add_areas(event, [area.code], "dipilih")
    db.session.flush()
    return {m: r.value for m, r in existing.items()}


def impact_figures(event: Event, kelurahan_code: str) -> dict[str, int]:
    """The kaji cepat figures of one kelurahan, for the form."""
    return dict(
        db.session.execute(
            select(ImpactFigure.measure, ImpactFigure.value).where(
                ImpactFigure.event_id == event.id,
                ImpactFigure.kelurahan_code == kelurahan_code,
                ImpactFigure.source == "kaji_cepat",
            )
        ).all()
    )


def _people_total(figures: Mapping[str, int], status: str) -> int:
    prefix = status + "."
    return sum(v for k, v in figures.items() if k.startswith(prefix))


HOUSE_DAMAGE = ("rumah.rusak_berat", "rumah.rusak_sedang", "rumah.rusak_ringan")


@dataclass
class KelurahanImpact:
    """One kelurahan's impact from both sources; terdata also has unknown-age and institution
    cells (see terdata_measures) that kaji cepat does not. Treat the figures as read-only."""

    code: str
    name: str
    kecamatan: str
    how: str | None  # dipilih, digambar, or None when only victims put it here
    kaji_cepat: dict[str, int] = field(default_factory=dict)
    terdata: dict[str, int] = field(default_factory=dict)

    def figures(self, source: str) -> dict[str, int]:
        return self.kaji_cepat if source == "kaji_cepat" else self.terdata

    def _people(self, source: str) -> dict[str, int]:
        # Summed once per source: a province table asks for these thousands of times.
        cache = self.__dict__.setdefault("_people_cache", {})
        if source not in cache:
            figures = self.figures(source)
            totals = {s: _people_total(figures, s) for s in PEOPLE_STATUSES}
            totals[""] = sum(totals.values())
            cache[source] = totals
        return cache[source]

    def jiwa(self, source: str, status: str | None = None) -> int:
        """Persons of a status (all statuses when None): jiwa terdampak."""
        return self._people(source)[status or ""]

    def kk(self, source: str, status: str) -> int:
        return self.figures(source).get(f"kk.{status}", 0)

    def houses_damaged(self, source: str) -> int:
        figures = self.figures(source)
        return sum(figures.get(m, 0) for m in HOUSE_DAMAGE)

    def has(self, source: str) -> bool:
        return bool(self.figures(source))

    @property
    def best_source(self) -> str:
        """terdata once the registry has anyone here, else kaji cepat (the map's choice)."""
        return "terdata" if self.jiwa("terdata") > 0 else "kaji_cepat"

    def difference(self, status: str | None = None) -> int:
        """Terdata minus kaji cepat: negative while the registry is still catching up."""
        return self.jiwa("terdata", status) - self.jiwa("kaji_cepat", status)


@dataclass
class ImpactMatrix:
    """The event's impact per kelurahan from both sources, with totals."""

    rows: list[KelurahanImpact]
    totals: dict[str, dict[str, int]]  # source -> measure -> sum
    unknown_age: int  # registry persons without a birth date (counted, no age group)
    persons_without_household: int  # registry persons not counted in any KK

    @property
    def summary(self) -> KelurahanImpact:
        """The whole event as one pseudo-kelurahan, so the same helpers give the summary."""
        return KelurahanImpact(
            "", "Jumlah", "", None, self.totals["kaji_cepat"], self.totals["terdata"]
        )

    def row(self, code: str) -> KelurahanImpact | None:
        return next((r for r in self.rows if r.code == code), None)


def _terdata(event: Event) -> tuple[dict[str, dict[str, int]], int, int]:
    """Figures counted from the victim registry: distinct persons and households per cell."""
    on = office_date(event.started_at)
    rows = db.session.execute(
        select(
            Victim.kelurahan_code,
            Victim.status,
            Person.id,
            Person.sex,
            Person.birth_date,
            Person.household_id,
            Person.pregnant,
        )
        .join(Person, Person.id == Victim.person_id)
        .where(Victim.event_id == event.id, Person.merged_into_id.is_(None))
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    households: dict[tuple[str, str], set[int]] = defaultdict(set)
    seen: set[int] = set()
    unknown_age = without_household = 0
    for code, status, person_id, sex, birth_date, household_id, pregnant in rows:
        # One person is one person: a second row for the same person (should the registry
        # ever hold one) is not counted twice.
        if person_id in seen:
            continue
        seen.add(person_id)
        group = age_group(birth_date, on)
        if group is None:
            group = UNKNOWN_AGE
            unknown_age += 1
        counts[code][f"{status}.{group}.{sex}"] += 1
        if pregnant:
            counts[code]["ibu_hamil"] += 1
        if household_id is None:
            without_household += 1
        else:
            households[(code, status)].add(household_id)
    for (code, status), ids in households.items():
        counts[code][f"kk.{status}"] = len(ids)
    for code, status, headcount in db.session.execute(
        select(
            InstitutionVictim.kelurahan_code,
            InstitutionVictim.status,
            func.sum(InstitutionVictim.headcount),
        )
        .where(InstitutionVictim.event_id == event.id)
        .group_by(InstitutionVictim.kelurahan_code, InstitutionVictim.status)
    ):
        if headcount:
            counts[code][f"{status}.{INSTITUTION}"] += int(headcount)
    return {code: dict(cells) for code, cells in counts.items()}, unknown_age, without_household


def impact_matrix(event: Event, kelurahan_code: str | None = None) -> ImpactMatrix:
    """Per affected kelurahan (and any kelurahan with victims): kaji cepat as typed in, terdata
    counted from the registry (persons merged into another are not counted; institutions add
    their headcount without an age or sex split)."""
    kaji: dict[str, dict[str, int]] = defaultdict(dict)
    for code, measure, value in db.session.execute(
        select(ImpactFigure.kelurahan_code, ImpactFigure.measure, ImpactFigure.value).where(
            ImpactFigure.event_id == event.id, ImpactFigure.source == "kaji_cepat"
        )
    ):
        kaji[code][measure] = value
    terdata, unknown_age, without_household = _terdata(event)
    how = dict(
        db.session.execute(
            select(EventArea.kelurahan_code, EventArea.how).where(EventArea.event_id == event.id)
        ).all()
    )
    codes = set(how) | set(kaji) | set(terdata)
    if kelurahan_code:
        codes &= {kelurahan_code}
    parent = Area.__table__.alias("parent_area")
    names: dict[str, tuple[str, str]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        for code, name, kecamatan in db.session.execute(
            select(Area.code, Area.name, parent.c.name)
            .outerjoin(parent, parent.c.code == Area.parent_code)
            .where(Area.code.in_(chunk))
        ):
            names[code] = (name, kecamatan or "")
    rows = [
        KelurahanImpact(
            code=code,
            name=names.get(code, (code, ""))[0],
            kecamatan=names.get(code, ("", ""))[1],
            how=how.get(code),
            kaji_cepat=kaji.get(code, {}),
            terdata=terdata.get(code, {}),
        )
        for code in ordered
    ]
    rows.sort(key=lambda r: (r.kecamatan, r.name, r.code))
    totals: dict[str, dict[str, int]] = {
        "kaji_cepat": defaultdict(int),
        "terdata": defaultdict(int),
    }
    for row in rows:
        for source in totals:
            for measure, value in row.figures(source).items():
                totals[source][measure] += value
    return ImpactMatrix(
        rows=rows,
        totals={source: dict(cells) for source, cells in totals.items()},
        unknown_age=unknown_age,
        persons_without_household=without_household,
    )


def terdata_measures() -> list[str]:
    """Every cell the registry can fill, in matrix order (IMPACT_MEASURES plus the extras)."""
    measures = []
    for status in PEOPLE_STATUSES:
        for age in (*AGE_GROUPS, UNKNOWN_AGE):
            for sex in SEXES:
                measures.append(f"{status}.{age}.{sex}")
        measures.append(f"{status}.{INSTITUTION}")
    measures += [f"kk.{status}" for status in PEOPLE_STATUSES]
    measures.append("ibu_hamil")
    return measures


# --- lists, victims, shelters ----------------------------------------------------------------


@dataclass
class EventFilters:
    """Filters of the event list (page and API)."""

    q: str = ""
    hazard: str = ""  # hazard code or id
    year: int | None = None
    status: str = ""  # aktif | ditutup
    kelurahan: str = ""


def events_query(filters: EventFilters):
    """The events matching the filters, newest first."""
    query = select(Event).order_by(Event.started_at.desc(), Event.id.desc())
    if filters.q:
        text = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Event.title).like(text), func.lower(Event.code).like(text))
        )
    if filters.hazard:
        hazard = str(filters.hazard).strip()
        if hazard.isdigit():
            query = query.where(Event.hazard_type_id == int(hazard))
        else:
            query = query.join(HazardType, HazardType.id == Event.hazard_type_id).where(
                HazardType.code == hazard.upper()
            )
    if filters.year:
        query = query.where(Event.year == filters.year)
    if filters.status == "aktif":
        query = query.where(Event.closed_at.is_(None))
    elif filters.status == "ditutup":
        query = query.where(Event.closed_at.is_not(None))
    elif filters.status:
        raise DomainError("Status harus 'aktif' atau 'ditutup'.", field="status")
    if filters.kelurahan:
        code = filters.kelurahan.strip()
        query = query.where(
            Event.id.in_(select(EventArea.event_id).where(EventArea.kelurahan_code == code))
        )
    return query


@dataclass
class EventTotals:
    """What a list row shows about an event's size."""

    kelurahan: int = 0
    victims: int = 0  # persons in the registry
    kaji_cepat_jiwa: int = 0
    kaji_cepat_mengungsi: int = 0


def event_totals(event_ids: list[int]) -> dict[int, EventTotals]:
    """Per event: affected kelurahan, registry persons, kaji cepat jiwa and mengungsi."""
    totals = {event_id: EventTotals() for event_id in event_ids}
    if not event_ids:
        return totals
    for event_id, count in db.session.execute(
        select(EventArea.event_id, func.count())
        .where(EventArea.event_id.in_(event_ids))
        .group_by(EventArea.event_id)
    ):
        totals[event_id].kelurahan = count
    for event_id, count in db.session.execute(
        select(Victim.event_id, func.count(func.distinct(Victim.person_id)))
        .join(Person, Person.id == Victim.person_id)
        .where(Victim.event_id.in_(event_ids), Person.merged_into_id.is_(None))
        .group_by(Victim.event_id)
    ):
        totals[event_id].victims = count
    people = [m for m in IMPACT_MEASURES if m.split(".")[0] in PEOPLE_STATUSES]
    for event_id, measure, value in db.session.execute(
        select(ImpactFigure.event_id, ImpactFigure.measure, func.sum(ImpactFigure.value))
        .where(
            ImpactFigure.event_id.in_(event_ids),
            ImpactFigure.source == "kaji_cepat",
            ImpactFigure.measure.in_(people),
        )
        .group_by(ImpactFigure.event_id, ImpactFigure.measure)
    ):
        totals[event_id].kaji_cepat_jiwa += int(value or 0)
        if measure.startswith("mengungsi."):
            totals[event_id].kaji_cepat_mengungsi += int(value or 0)
    return totals


def event_years() -> list[int]:
    return list(db.session.scalars(select(Event.year).distinct().order_by(Event.year.desc())))


@dataclass
class VictimRow:
    """One victim as the event page lists them (the NIK is masked by the caller's rule)."""

    victim_id: int
    person_id: int
    name: str
    nik: str | None
    sex: str
    birth_date: date | None
    status: str
    kelurahan_code: str
    kelurahan_name: str
    shelter_name: str


def event_victims(
    event: Event,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[VictimRow]]:
    """(total, rows) of the event's registered persons, merged duplicates left out."""
    conditions = [Victim.event_id == event.id, Person.merged_into_id.is_(None)]
    if kelurahan_code:
        conditions.append(Victim.kelurahan_code == kelurahan_code)
    if status:
        if status not in PEOPLE_STATUSES:
            raise DomainError("Status korban tidak dikenal.", field="status")
        conditions.append(Victim.status == status)
    where = and_(*conditions)
    total = db.session.scalar(
        select(func.count(Victim.id)).join(Person, Person.id == Victim.person_id).where(where)
    )
    query = (
        select(
            Victim.id,
            Person.id,
            Person.name,
            Person.nik,
            Person.sex,
            Person.birth_date,
            Victim.status,
            Victim.kelurahan_code,
            Area.name,
            Shelter.name,
        )
        .join(Person, Person.id == Victim.person_id)
        .outerjoin(Area, Area.code == Victim.kelurahan_code)
        .outerjoin(Shelter, Shelter.id == Victim.shelter_id)
        .where(where)
        .order_by(Area.name, Person.name, Victim.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = [
        VictimRow(v_id, p_id, name, nik, sex, birth, status_, code, kel or code, shelter or "")
        for v_id, p_id, name, nik, sex, birth, status_, code, kel, shelter in db.session.execute(
            query
        )
    ]
    return total, rows


def event_institutions(event: Event) -> list[tuple[InstitutionVictim, str]]:
    return list(
        db.session.execute(
            select(InstitutionVictim, Area.name)
            .outerjoin(Area, Area.code == InstitutionVictim.kelurahan_code)
            .where(InstitutionVictim.event_id == event.id)
            .order_by(InstitutionVictim.name)
        ).all()
    )


def kelurahan_choices() -> list[tuple[str, str, str, str]]:
    """(kecamatan code, kecamatan name, kelurahan code, kelurahan name) of every kelurahan, in
    kecamatan then kelurahan order, for the pick list."""
    parent = Area.__table__.alias("parent_area")
    return [
        (kec_code or "", kec_name or "", code, name)
        for kec_code, kec_name, code, name in db.session.execute(
            select(Area.parent_code, parent.c.name, Area.code, Area.name)
            .outerjoin(parent, parent.c.code == Area.parent_code)
            .where(Area.level == "kelurahan")
            .order_by(parent.c.name, Area.name)
        )
    ]


def kelurahan_count() -> int:
    return db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) or 0


# --- the event map ---------------------------------------------------------------------------

_map_lock = threading.Lock()
_map_cache: OrderedDict[str, object] = OrderedDict()
_geometry_cache: OrderedDict[str, dict] = OrderedDict()
MAP_CACHE_SIZE = 32
# Outline simplification (degrees) by the number of kelurahan on the map: a city event keeps
# street-level detail, a province event of hundreds of desa stays a few hundred kB on a phone.
SIMPLIFY_TOLERANCE = ((100, 0.0001), (300, 0.0005), (float("inf"), 0.001))


def _area_revision() -> tuple:
    count, latest = db.session.execute(
        select(func.count(Area.id), func.max(Area.updated_at)).where(Area.level == "kelurahan")
    ).one()
    return (str(db.engine.url), count, str(latest))


def _remember(cache: OrderedDict, key: str, value) -> None:
    with _map_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAP_CACHE_SIZE:
            cache.popitem(last=False)


def _area_features(codes: list[str], revision: tuple) -> dict:
    """Simplified GeoJSON geometry per kelurahan code, cached per boundary revision."""
    key = hashlib.sha256(repr((revision, codes)).encode()).hexdigest()
    with _map_lock:
        cached = _geometry_cache.get(key)
    if cached is not None:
        return cached
    rows = []
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        rows += db.session.execute(
            select(Area.code, Area.geometry_wkb, Area.approximate).where(
                Area.code.in_(chunk), Area.geometry_wkb.is_not(None)
            )
        ).all()
    geometries: dict[str, dict] = {}
    approximate = False
    if rows:
        geoms = shapely.from_wkb([r[1] for r in rows])
        tolerance = next(t for limit, t in SIMPLIFY_TOLERANCE if len(rows) <= limit)
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
        geoms = shapely.set_precision(geoms, 1e-5)
        texts = shapely.to_geojson(geoms)
        for (code, _, approx), text in zip(rows, texts, strict=True):
            geometries[code] = json.loads(text)
            approximate = approximate or bool(approx)
    result = {"geometries": geometries, "approximate": approximate}
    _remember(_geometry_cache, key, result)
    return result


def event_map(event: Event, matrix: ImpactMatrix, shelters: list, *, public: bool = False):
    """The event map (geo.event_map) rendered into page parts, cached per data revision.

    The cache key is a hash of everything drawn (values per kelurahan, shelter markers, drawn
    area, boundary revision), so a change to any of them shows on the next request and an
    unchanged event costs no rendering.
    """
    from flask import url_for

    from geo.event_map import event_map as build_map
    from geo.maps import render_map_html
    from logistics.areas.maps import use_local_assets

    revision = _area_revision()
    areas = [
        {
            "code": row.code,
            "name": row.name,
            "kecamatan": row.kecamatan,
            "jiwa": row.jiwa(row.best_source),
            "mengungsi": row.jiwa(row.best_source, "mengungsi"),
            "source": IMPACT_SOURCES[row.best_source],
        }
        for row in matrix.rows
    ]
    shelter_pages = not public and "shelters.detail" in current_app.view_functions
    markers = [
        {
            "name": s.name,
            "lat": s.lat,
            "lng": s.lng,
            "persons": s.persons,
            "capacity": s.capacity,
            "status": s.status,
            "subtitle": s.kelurahan_name or s.kelurahan_code,
            "warnings": [] if public else list(s.warnings),
            "url": url_for("shelters.detail", shelter_id=s.id) if shelter_pages else "",
        }
        for s in shelters
        if s.lat is not None and s.lng is not None
    ]
    payload = {
        "event": event.id,
        "public": public,
        "revision": revision,
        "areas": areas,
        "markers": markers,
        "drawn": event.area_geojson,
        "point": (event.lat, event.lng),
        "static": url_for("main.vendor", filename="leaflet.js"),
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with _map_lock:
        cached = _map_cache.get(key)
    if cached is not None:
        return cached
    features = _area_features([a["code"] for a in areas], revision)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": a["code"], "properties": a, "geometry": geometry}
            for a in areas
            if (geometry := features["geometries"].get(a["code"])) is not None
        ],
    }
    drawn = json.loads(event.area_geojson) if event.area_geojson else None
    center = zoom = None
    if not collection["features"] and not markers and not drawn:
        # Nothing to fit yet (a new event): show the event's point, else the office's area,
        # so the operator can start drawing where the disaster is.
        if event.lat is not None:
            center, zoom = (event.lat, event.lng), 14
        else:
            bounds = db.session.execute(
                select(
                    func.min(Area.min_lat),
                    func.max(Area.max_lat),
                    func.min(Area.min_lng),
                    func.max(Area.max_lng),
                ).where(Area.level == "kelurahan")
            ).one()
            if None not in bounds:
                center = ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2)
                zoom = 12 if bounds[1] - bounds[0] < 0.5 else 9
    fmap = build_map(
        collection,
        markers,
        drawn_area=drawn,
        approximate=features["approximate"],
        center=center,
        zoom=zoom,
        point=(event.lat, event.lng) if event.lat is not None else None,
    )
    use_local_assets(fmap)
    rendered = render_map_html(fmap)
    _remember(_map_cache, key, rendered)
    return rendered


def active_events() -> list[Event]:
    """Events not closed yet, newest first (the public list)."""
    return list(
        db.session.scalars(
            select(Event).where(Event.closed_at.is_(None)).order_by(Event.started_at.desc())
        )
    )
