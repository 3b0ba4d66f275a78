"""Disaster events: open, describe, close, list and count them."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Collector, Conflict, DomainError, NotFound, Warnings
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_date, office_today, utcnow
from logistics.events.areas import add_areas, valid_kelurahan_codes
from logistics.events.hazards import get_hazard
from logistics.events.models import (
    IMPACT_MEASURES,
    PEOPLE_STATUSES,
    Event,
    EventArea,
    HazardType,
    ImpactFigure,
)

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


def _office_code() -> str:
    """'36.04' -> '3604': the office part of an event code."""
    return current_app.config["OFFICE_AREA_CODE"].replace(".", "")


def next_event_code(hazard: HazardType, year: int) -> tuple[str, int]:
    """BJR-3604-2026-004: hazard, office, year and a per-office, per-year sequence."""
    office = _office_code()
    last = db.session.scalar(
        select(func.max(Event.seq)).where(Event.office_code == office, Event.year == year)
    )
    seq = (last or 0) + 1
    return f"{hazard.code}-{office}-{year}-{seq:03d}", seq


# --- events ----------------------------------------------------------------------------------


def _event_texts(title, description, source, reporter) -> dict:
    errors = Collector()
    texts = {
        "title": errors.check(inputs.text, title, "title", "Judul kejadian", 200, required=True),
        "description": errors.check(inputs.text, description, "description", "Uraian", 20_000),
        "source": errors.check(inputs.text, source, "source", "Sumber informasi", 200),
        "reporter": errors.check(inputs.text, reporter, "reporter", "Pelapor", 160),
    }
    errors.raise_any()
    return texts


def _check_times(started_at: datetime | None, ended_at: datetime | None, errors) -> None:
    errors.check(_check_start, started_at)
    if ended_at is not None and started_at is not None and ended_at < started_at:
        errors.add(DomainError("Waktu selesai tidak boleh sebelum waktu mulai.", field="ended_at"))


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
    area_code: str | None = None,
    confirm: bool = False,
) -> Event:
    """Open a new event with its code (and its affected kelurahan when given); the caller commits.

    started_at and ended_at are naive UTC. The code's year is the office-local year. An end
    still in the future needs `confirm`. Every refused value is reported together.
    """
    errors = Collector()
    hazard = errors.check(get_hazard, hazard_type_id)
    texts = errors.check(_event_texts, title, description, source, reporter)
    _check_times(started_at, ended_at, errors)
    point = errors.check(_coordinates, lat, lng)
    codes = errors.check(valid_kelurahan_codes, kelurahan_codes) if kelurahan_codes else []
    errors.raise_any()
    lat, lng = point
    _check_end(ended_at, confirm)
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
            area_code=area_code or None,
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
        add_areas(event, codes, "dipilih")
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


def update_event(event: Event, *, confirm: bool = False, **changes) -> Event:
    """Change an event's description; only the given fields change. The code stays as issued.
    A new end still in the future needs `confirm`."""
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(f"Kolom '{name}' tidak dapat diubah.", field=name)
    errors = Collector()
    hazard = None
    if "hazard_type_id" in changes:
        hazard = errors.check(get_hazard, changes["hazard_type_id"])
    texts = errors.check(
        _event_texts,
        changes.get("title", event.title),
        changes.get("description", event.description),
        changes.get("source", event.source),
        changes.get("reporter", event.reporter),
    )
    started_at = changes.get("started_at", event.started_at)
    ended_at = changes.get("ended_at", event.ended_at)
    _check_times(started_at, ended_at, errors)
    if started_at is not None:
        errors.check(_check_decrees_after, event, office_date(started_at))
    point = errors.check(_coordinates, changes.get("lat", event.lat), changes.get("lng", event.lng))
    errors.raise_any()
    lat, lng = point
    if ended_at != event.ended_at:
        _check_end(ended_at, confirm)
    if hazard is not None:
        event.hazard_type_id = hazard.id
        event.hazard_type = hazard
    for key, value in texts.items():
        setattr(event, key, value)
    event.started_at, event.ended_at, event.lat, event.lng = started_at, ended_at, lat, lng
    year = office_date(started_at).year
    if year != event.year:
        _move_to_year(event, year)
    db.session.flush()
    return event


def _check_start(started_at: datetime | None) -> None:
    if started_at is None:
        raise DomainError("Waktu mulai kejadian wajib diisi.", field="started_at")
    if office_date(started_at) > office_today():
        raise DomainError(
            f"Waktu mulai kejadian ({tanggal(office_date(started_at))}) belum terjadi; isi "
            "tanggal hari ini atau sebelumnya.",
            field="started_at",
        )


def _check_end(ended_at: datetime | None, confirm: bool) -> None:
    """An event cannot have ended yet at a time still to come; usually the date is mistyped
    (a forecast end belongs in the description), but the person may know better: ask."""
    warnings = Warnings(confirm)
    if ended_at is not None and office_date(ended_at) > office_today():
        warnings.add(
            "event_end_in_future",
            f"Waktu selesai kejadian ({tanggal(office_date(ended_at))}) masih di masa depan.",
            "ended_at",
        )
    warnings.check()


def _check_decrees_after(event: Event, start: date) -> None:
    """A corrected start may not fall after a tanggap darurat or transisi decree began."""
    early = [d for d in event.decrees if d.status != "siaga_darurat" and d.starts_on < start]
    if early:
        first = min(early, key=lambda d: d.starts_on)
        raise DomainError(
            f"SK {first.decree_number} mulai berlaku {tanggal(first.starts_on)}, sebelum tanggal "
            f"mulai kejadian yang baru ({tanggal(start)}). Perbaiki tanggal SK itu dahulu, atau "
            "periksa tanggal kejadian.",
            field="started_at",
        )


def _move_to_year(event: Event, year: int) -> None:
    """A corrected start in another year: the event takes a code of that year, so its code,
    the year tables, open data and the year-end report all follow; the old code is audited."""
    old_code, old_year = event.code, event.year
    hazard = event.hazard_type or get_hazard(event.hazard_type_id)
    for _attempt in range(5):
        code, seq = next_event_code(hazard, year)
        try:
            with db.session.begin_nested():
                event.code, event.year, event.seq = code, year, seq
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict("Nomor kejadian sedang dipakai bersamaan; coba simpan lagi.")
    record_action(
        "move_event_year",
        "events",
        event.id,
        {"from_code": old_code, "to_code": event.code, "from_year": old_year, "to_year": year},
    )


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


# --- lists, victims, shelters ----------------------------------------------------------------


@dataclass
class EventFilters:
    """Filters of the event list (page and API)."""

    q: str = ""
    hazard: str = ""  # hazard code or id
    year: int | None = None
    status: str = ""  # aktif | ditutup
    kelurahan: str = ""
    scope: Scope = WHOLE_OFFICE


def events_query(filters: EventFilters):
    """The events matching the filters and the user's scope, newest first."""
    query = select(Event).order_by(Event.started_at.desc(), Event.id.desc())
    query = filters.scope.narrow_covering(query, Event.area_code)
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


def list_events(query) -> list[Event]:
    """Every event of a query from events_query (exports)."""
    return list(db.session.scalars(query))


def events_page(query, *, limit: int, offset: int) -> tuple[int, list[Event]]:
    """(total, events) of one page of a query from events_query."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return total, list(db.session.scalars(query.limit(limit).offset(offset)))


@dataclass
class EventTotals:
    """What a list row shows about an event's size."""

    kelurahan: int = 0
    victims: int = 0  # persons in the registry
    kaji_cepat_jiwa: int = 0
    kaji_cepat_mengungsi: int = 0


def event_totals(
    event_ids: list[int], *, registered_persons: Mapping[int, int]
) -> dict[int, EventTotals]:
    """Per event: affected kelurahan, registry persons (as the caller counted them:
    victims.figures.registered_persons), kaji cepat jiwa and mengungsi."""
    totals = {event_id: EventTotals() for event_id in event_ids}
    if not event_ids:
        return totals
    for event_id, count in db.session.execute(
        select(EventArea.event_id, func.count())
        .where(EventArea.event_id.in_(event_ids))
        .group_by(EventArea.event_id)
    ):
        totals[event_id].kelurahan = count
    for event_id, total in totals.items():
        total.victims = registered_persons.get(event_id, 0)
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


def active_events() -> list[Event]:
    """Events not closed yet, newest first (the public list)."""
    return list(
        db.session.scalars(
            select(Event).where(Event.closed_at.is_(None)).order_by(Event.started_at.desc())
        )
    )


def event_area_codes(event_id: int) -> list[str | None] | None:
    """The event's wilayah, for the scope guard; None when there is no such event."""
    row = db.session.execute(select(Event.id, Event.area_code).where(Event.id == event_id)).first()
    return None if row is None else [row.area_code]
