"""Uploaded boundary files waiting for their preview to be confirmed, in the instance's imports."""

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.utils import secure_filename

from geo.layers import polygon_layers
from logistics.areas.services import queue_boundary_load, upload_path
from logistics.core.errors import DomainError, NotFound
from logistics.core.job_models import JobRecord

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_META = "upload.json"
EXPIRED = "Pratinjau ini sudah kedaluwarsa atau dibatalkan. Unggah berkasnya lagi."


@dataclass
class Staged:
    """An uploaded boundary file and the choices made for it."""

    token: str
    folder: Path
    meta: dict

    @property
    def path(self) -> Path:
        return self.folder / self.meta["filename"]

    @property
    def layers(self) -> list[str]:
        """The polygon layers to choose from, when the file holds more than one."""
        found = polygon_layers(self.path)
        return found if len(found) > 1 else []


def imports_dir(instance_dir: str | Path) -> Path:
    return Path(instance_dir) / "imports"


def retention_seconds() -> float:
    """How long an upload nobody confirms or cancels is kept (IMPORT_UPLOAD_RETENTION_HOURS)."""
    return float(current_app.config.get("IMPORT_UPLOAD_RETENTION_HOURS", 24)) * 3600


def purge_expired(instance_dir: str | Path, now: float | None = None) -> int:
    """Remove uploads kept past their retention; returns how many went.

    Run by the workers' upkeep and before each new upload.
    """
    now = time.time() if now is None else now
    max_age = retention_seconds()
    removed = 0
    folder = imports_dir(instance_dir)
    if not folder.is_dir():
        return 0
    for staged in folder.iterdir():
        meta = staged / _META
        stamp = meta.stat().st_mtime if meta.exists() else staged.stat().st_mtime
        if now - stamp > max_age:
            shutil.rmtree(staged, ignore_errors=True)
            removed += 1
    return removed


def stage(instance_dir: str | Path, filename: str | None, choices: dict, user_id: int) -> Staged:
    """A fresh folder for an upload (the caller saves the file at `.path`) and its choices."""
    purge_expired(instance_dir)
    token = secrets.token_urlsafe(18)
    folder = imports_dir(instance_dir) / token
    folder.mkdir(parents=True)
    name = secure_filename(filename or "") or "batas.geojson"
    if name == _META:
        name = "batas-" + name
    meta = dict(choices, filename=name, original_name=filename or name, user_id=user_id)
    (folder / _META).write_text(json.dumps(meta), encoding="utf-8")
    return Staged(token, folder, meta)


def staged(instance_dir: str | Path, token: str, user_id: int) -> Staged:
    """The upload behind a token, for the user who made it; NotFound when gone or expired."""
    folder = imports_dir(instance_dir) / token
    meta_file = folder / _META
    if not _TOKEN.match(token or "") or not meta_file.is_file():
        raise NotFound(EXPIRED)
    if time.time() - meta_file.stat().st_mtime > retention_seconds():
        shutil.rmtree(folder, ignore_errors=True)
        raise NotFound(EXPIRED)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id:
        raise NotFound(EXPIRED)
    return Staged(token, folder, meta)


def choose_layer(upload: Staged, layer: str) -> None:
    """Record the layer picked for a multi-layer file."""
    if layer not in upload.layers:
        raise DomainError(
            f"Lapisan '{layer}' tidak ada di berkas. Pilih salah satu: {', '.join(upload.layers)}.",
            field="layer",
        )
    upload.meta["layer"] = layer
    (upload.folder / _META).write_text(json.dumps(upload.meta), encoding="utf-8")


def discard(upload: Staged) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def confirm(instance_dir: str | Path, upload: Staged, user_id: int) -> JobRecord:
    """Move the file to the uploads the load job reads and record the job (sent once committed)."""
    target = upload_path(instance_dir, upload.meta["original_name"])
    shutil.move(str(upload.path), target)
    record = queue_boundary_load(
        target,
        upload.meta["level"],
        upload.meta.get("mapping"),
        upload.meta.get("version"),
        user_id,
        layer=upload.meta.get("layer"),
    )
    discard(upload)
    return record
