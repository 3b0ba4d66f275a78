"""Generated report files: kept in the database, found by kind and key, handed out for download."""

from sqlalchemy import select

from logistics.core.errors import NotFound
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.events.models import Event
from logistics.reports.models import REPORT_FORMATS, ReportFile


def save(
    kind: str,
    key: str,
    fmt: str,
    filename: str,
    content: bytes,
    job_id: str | None = None,
    user_id: int | None = None,
) -> ReportFile:
    """Store one generated file; earlier versions stay, the newest is the one offered."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    record = ReportFile(
        kind=kind,
        key=key,
        format=fmt,
        filename=filename,
        content=content,
        size=len(content),
        job_id=job_id,
        created_by_id=user_id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def latest(kind: str, key: str, fmt: str) -> ReportFile | None:
    query = (
        select(ReportFile)
        .where(ReportFile.kind == kind, ReportFile.key == key, ReportFile.format == fmt)
        .order_by(ReportFile.created_at.desc(), ReportFile.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def latest_of_kind(kind: str, key: str) -> dict[str, ReportFile]:
    """The newest file per format for one report, e.g. {"pdf": ..., "xlsx": ...}."""
    files = {}
    for fmt in REPORT_FORMATS:
        record = latest(kind, key, fmt)
        if record is not None:
            files[fmt] = record
    return files


def recent(limit: int = 50) -> list[ReportFile]:
    query = select(ReportFile).order_by(ReportFile.created_at.desc(), ReportFile.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def get(file_id: int) -> ReportFile:
    record = db.session.get(ReportFile, file_id)
    if record is None:
        # The same words as any missing page: a file id says nothing more to the reader.
        raise NotFound("Halaman atau data tidak ditemukan.")
    return record


def file_area_codes(file_id: int) -> list[str | None] | None:
    """The area a generated file reports on, for the scope guard: a sitrep is its event's, a
    year-end report the whole office area's (only a user who sees all of it may download it)."""
    row = db.session.execute(
        select(ReportFile.kind, ReportFile.key).where(ReportFile.id == file_id)
    ).first()
    if row is None:
        return None
    parts = row.key.split(":")
    if row.kind == "sitrep" and len(parts) > 1 and parts[1].isdigit():
        area = db.session.scalar(select(Event.area_code).where(Event.id == int(parts[1])))
        return [area or office_info().area_code]
    return [office_info().area_code]
