"""Backup and restore of an office: the whole database plus the instance's uploaded and made files.

A backup is one .tar.gz: `manifest.json` (when, which database kind, schema revision, rows per
table), the database (`database.sqlite` made with SQLite's online backup API, or `database.pgdump`
in pg_dump's custom format) and the instance folders `uploads/` and `imports/`. Restoring puts all
of it back; Posko should be stopped while it runs.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from logistics.core.errors import DomainError
from logistics.core.extensions import db

INSTANCE_FOLDERS = ("uploads", "imports")
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _is_sqlite() -> bool:
    return _database_url().get_backend_name() == "sqlite"


def table_counts() -> dict[str, int]:
    """Rows per table of the current database (the manifest's check that a restore is whole)."""
    names = sorted(inspect(db.engine).get_table_names())
    return {
        name: db.session.scalar(select(func.count()).select_from(db.table(name))) for name in names
    }


def _revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # an instance made with create_all has no alembic table
        db.session.rollback()
        return None


def _pg_env(url) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


def _pg_args(url) -> list[str]:
    args = ["--host", url.host or "localhost", "--dbname", url.database]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return args


def _run(command: list[str], env: dict | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise DomainError(f"Program {command[0]} tidak ditemukan; pasang klien PostgreSQL dulu.")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DomainError(f"{command[0]} gagal: {done.stderr.strip()[-500:]}")


def _dump_database(folder: Path) -> str:
    url = _database_url()
    if _is_sqlite():
        target = folder / SQLITE_FILE
        # The online backup API copies a consistent snapshot while others keep writing.
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return SQLITE_FILE
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / PG_FILE)]
        + _pg_args(url),
        _pg_env(url),
    )
    return PG_FILE


def create_backup(output_dir: str | Path) -> Path:
    """Write a backup archive into output_dir and return its path."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    archive = output_dir / f"posko-backup-{stamp}.tar.gz"
    instance = Path(current_app.config["INSTANCE_DIR"])
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        database_file = _dump_database(folder)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": "sqlite" if _is_sqlite() else "postgresql",
            "database_file": database_file,
            "revision": _revision(),
            "tables": table_counts(),
            "office": current_app.config["OFFICE_NAME"],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(folder / "manifest.json", "manifest.json")
            tar.add(folder / database_file, database_file)
            for name in INSTANCE_FOLDERS:
                if (instance / name).is_dir():
                    tar.add(instance / name, f"instance/{name}")
    return archive


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        name = Path(member.name)
        if name.is_absolute() or os.pardir in name.parts or member.issym() or member.islnk():
            raise DomainError(f"Berkas cadangan berisi jalur yang tidak aman: {member.name}")
    return members


def _restore_database(folder: Path, manifest: dict) -> None:
    url = _database_url()
    kind = "sqlite" if _is_sqlite() else "postgresql"
    if manifest.get("database") != kind:
        raise DomainError(
            f"Cadangan ini dari basis data {manifest.get('database')}, sedangkan Posko ini "
            f"memakai {kind}; pulihkan ke basis data yang sejenis."
        )
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        with sqlite3.connect(folder / SQLITE_FILE) as source, sqlite3.connect(url.database) as live:
            source.backup(live)
        return
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        + _pg_args(url)
        + [str(folder / PG_FILE)],
        _pg_env(url),
    )


def restore_backup(archive: str | Path) -> dict:
    """Replace the database and the instance folders with a backup's; returns its manifest.

    Checks after the restore that every table has the rows the manifest counted.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise DomainError(f"Berkas cadangan tidak ditemukan: {archive}")
    instance = Path(current_app.config["INSTANCE_DIR"])
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive, "r:gz") as tar:
        folder = Path(work)
        tar.extractall(folder, members=_safe_members(tar), filter="data")
        manifest_file = folder / "manifest.json"
        if not manifest_file.is_file():
            raise DomainError("Berkas ini bukan cadangan Posko (tidak ada manifest.json).")
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        _restore_database(folder, manifest)
        for name in INSTANCE_FOLDERS:
            shutil.rmtree(instance / name, ignore_errors=True)
            if (folder / "instance" / name).is_dir():
                shutil.copytree(folder / "instance" / name, instance / name)
    counts = table_counts()
    wrong = {
        name: (rows, counts.get(name))
        for name, rows in manifest["tables"].items()
        if counts.get(name) != rows
    }
    if wrong:
        raise DomainError(f"Pemulihan tidak utuh; jumlah baris berbeda: {wrong}")
    return manifest
