"""Uploaded import files a background job reads: stored under the instance, removed when done or stale."""

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord

# Every import keeps its uploads in folders named with one of these prefixes (victims, Tagana
# members, budget plans); the upkeep deletes only those, never another feature's uploads.
IMPORT_PREFIXES = ("korban-", "tagana-", "anggaran-")
GONE = "Berkas unggahan tidak ditemukan lagi; unggah ulang."


def uploads_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads"


def store_upload(stream, prefix: str, stored_name: str) -> Path:
    """Save an uploaded file in a folder of its own under the instance's uploads.

    The file is stored under our own name (the original name is only shown, never used as a
    path), so a crafted file name cannot reach anywhere else.
    """
    if prefix not in IMPORT_PREFIXES:
        raise ValueError(f"unknown upload prefix {prefix!r}")
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=prefix, dir=folder)) / stored_name
    stream.save(target)
    return target


def read_upload(path: str | Path) -> bytes:
    """The stored file's content; a file the upkeep already deleted is a DomainError."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(GONE, field="file")
    return path.read_bytes()


def _ours(path: Path) -> bool:
    folder = path.parent
    return folder.parent.resolve() == uploads_dir().resolve() and folder.name.startswith(
        IMPORT_PREFIXES
    )


def discard_upload(path: str | Path) -> None:
    """Remove an uploaded file once imported; only files stored here are ever removed."""
    path = Path(path)
    if not _ours(path):
        return
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


def upload_available(path: str | Path) -> bool:
    """Whether a checked file is still on disk (unconfirmed uploads are deleted after a while)."""
    return Path(path).is_file()


def discard_stale_uploads(max_age_seconds: float) -> int:
    """Delete uploaded import files left unconfirmed longer than `max_age_seconds`; how many.

    They hold personal data, so a dry run nobody confirmed must not stay on disk forever. A file
    that a waiting or running job still reads is kept whatever its age.
    """
    folder = uploads_dir()
    if not folder.is_dir():
        return 0
    in_use = {
        str(Path(record.kwargs["path"]).parent)
        for record in db.session.scalars(
            select(JobRecord).where(JobRecord.status.in_(("queued", "started")))
        )
        if isinstance(record.kwargs, dict) and record.kwargs.get("path")
    }
    cutoff = time.time() - max_age_seconds
    removed = 0
    for upload in folder.iterdir():
        if not upload.is_dir() or not upload.name.startswith(IMPORT_PREFIXES):
            continue
        if str(upload) in in_use:
            continue
        newest = max((f.stat().st_mtime for f in upload.iterdir()), default=upload.stat().st_mtime)
        if newest < cutoff:
            shutil.rmtree(upload, ignore_errors=True)
            removed += 1
    return removed
