"""Generated report files: kept in the database, found by kind and key, handed out for download."""

from sqlalchemy import select

from logistics.core.errors import NotFound
from logistics.core.extensions import db
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
