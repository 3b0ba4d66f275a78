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
    scope: str | None = None,
) -> ReportFile:
    """Store one generated file made for `scope` (a `kab_kota.scope_key`, None for the whole
    office); earlier versions stay, the newest is the one offered."""
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
        scope=scope,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _of_scope(scope: str | None):
    return ReportFile.scope.is_(None) if scope is None else ReportFile.scope == scope


def latest(kind: str, key: str, fmt: str, scope: str | None = None) -> ReportFile | None:
    query = (
        select(ReportFile)
        .where(
            ReportFile.kind == kind,
            ReportFile.key == key,
            ReportFile.format == fmt,
            _of_scope(scope),
        )
        .order_by(ReportFile.created_at.desc(), ReportFile.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def latest_of_kind(kind: str, key: str, scope: str | None = None) -> dict[str, ReportFile]:
    """The newest file per format for one report made for `scope`, e.g. {"pdf": ..., "xlsx": ...}."""
    files = {}
    for fmt in REPORT_FORMATS:
        record = latest(kind, key, fmt, scope)
        if record is not None:
            files[fmt] = record
    return files


def recent(limit: int = 50, scope: str | None = None) -> list[ReportFile]:
    """The newest files made for `scope`: another scope's files are not listed."""
    query = select(ReportFile).where(_of_scope(scope))
    query = query.order_by(ReportFile.created_at.desc(), ReportFile.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def get(file_id: int, scope: str | None = None) -> ReportFile:
    """A file made for `scope`; one made for another scope is as missing as no file at all."""
    record = db.session.get(ReportFile, file_id)
    if record is None or record.scope != scope:
        # The same words as any missing page: a file id says nothing more to the reader.
        raise NotFound("Halaman atau data tidak ditemukan.")
    return record


def file_area_codes(file_id: int) -> list[str | None] | None:
    """The area a generated file reports on, for the scope guard: the wilayah it was made for
    when it was made for part of the office area, else a sitrep is its event's and a year-end
    report the whole office area's (only a user who sees all of it may download it)."""
    row = db.session.execute(
        select(ReportFile.kind, ReportFile.key, ReportFile.scope).where(ReportFile.id == file_id)
    ).first()
    if row is None:
        return None
    if row.scope:
        return row.scope.split()
    parts = row.key.split(":")
    if row.kind == "sitrep" and len(parts) > 1 and parts[1].isdigit():
        area = db.session.scalar(select(Event.area_code).where(Event.id == int(parts[1])))
        return [area or office_info().area_code]
    return [office_info().area_code]
