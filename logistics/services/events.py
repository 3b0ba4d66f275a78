"""Disaster events: open, describe, set status decrees, mark affected kelurahan, record impact."""

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from logistics.errors import DomainError, NotFound
from logistics.extensions import db
from logistics.models import Event, HazardType


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
) -> Event:
    """Open a new event with its code; the caller commits."""
    hazard = get_hazard(hazard_type_id)
    title = (title or "").strip()
    if not title:
        raise DomainError("Judul kejadian wajib diisi.", field="title")
    if started_at is None:
        raise DomainError("Waktu mulai kejadian wajib diisi.", field="started_at")
    if ended_at is not None and ended_at < started_at:
        raise DomainError("Waktu selesai tidak boleh sebelum waktu mulai.", field="ended_at")
    if (lat is None) != (lng is None):
        raise DomainError(
            "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.", field="lat"
        )
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("Koordinat di luar jangkauan.", field="lat")
    code, seq = next_event_code(hazard, started_at.year)
    event = Event(
        code=code,
        office_code=_office_code(),
        year=started_at.year,
        seq=seq,
        hazard_type_id=hazard.id,
        title=title,
        description=description or "",
        started_at=started_at,
        ended_at=ended_at,
        lat=lat,
        lng=lng,
        source=source or "",
        reporter=reporter or "",
        created_by_id=created_by_id,
    )
    db.session.add(event)
    db.session.flush()
    return event


def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Kejadian {event_id} tidak ditemukan.")
    return event
