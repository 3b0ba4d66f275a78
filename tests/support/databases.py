"""Template databases: the schema and reference data are built once per session (and once more
with Kota Bekasi's spine loaded), and every test gets a fresh copy of one of them.

SQLite: the template file is copied into the test's tmp_path. PostgreSQL (DATABASE_URL): each
test gets a database of its own, created with CREATE DATABASE ... TEMPLATE and dropped after it,
on the server of DATABASE_URL. Under pytest-xdist every worker builds its own templates.
"""

import itertools
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

BEKASI_FILE = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "kota_bekasi.geojson"


def worker_id() -> str:
    """The pytest-xdist worker (gw0, gw1, ...), or "main" outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_number() -> int | None:
    """0, 1, ... for xdist workers; None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return int(worker.removeprefix("gw")) if worker else None


def build(uri: str, instance_dir: Path, with_bekasi: bool) -> None:
    """Fill an empty database: the schema, the reference lists and optionally Kota Bekasi."""
    from logistics import create_app
    from logistics.core.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(instance_dir),
            "SQLALCHEMY_DATABASE_URI": uri,
            "REDIS_URL": "redis://127.0.0.1:1/0",  # building never queues anything
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        if not with_bekasi:
            from logistics.reference import seed_reference_data

            db.create_all()
            seed_reference_data()
        else:
            from logistics.areas.services import load_boundary_file

            load_boundary_file(BEKASI_FILE)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class SQLiteTemplates:
    """Template files in a session directory; a test's copy lives in its tmp_path."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files: dict[str, Path] = {}

    def template(self, name: str) -> Path:
        if name not in self.files:
            path = self.directory / f"{name}.db"
            if name == "base":
                build(f"sqlite:///{path}", self.directory / "instance", with_bekasi=False)
            else:
                shutil.copyfile(self.template("base"), path)
                build(f"sqlite:///{path}", self.directory / "instance", with_bekasi=True)
            # Fold the write-ahead log into the file, so that the file alone is the database.
            connection = sqlite3.connect(path)
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.close()
            self.files[name] = path
        return self.files[name]

    def fresh(self, name: str, tmp_path: Path) -> str:
        target = tmp_path / "test.db"
        shutil.copyfile(self.template(name), target)
        return f"sqlite:///{target}"

    def discard(self, uri: str) -> None:
        """Nothing to do: the file goes with the test's tmp_path."""

    def close(self) -> None:
        """Nothing to do: the files go with the session's directory."""


class PostgresTemplates:
    """Template databases on DATABASE_URL's server; a test's copy is a database of its own."""

    def __init__(self, database_url: str, directory: Path):
        if database_url.startswith("postgres://"):
            database_url = "postgresql://" + database_url.split("://", 1)[1]
        self.url: URL = make_url(database_url).set(drivername="postgresql+psycopg")
        self.directory = directory
        # Names unique to this worker and process, so that runs sharing a server never meet.
        self.prefix = f"{self.url.database}_{worker_id()}_{os.getpid()}"[:50]
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.templates: dict[str, str] = {}
        self.counter = itertools.count(1)
        # PostgreSQL 15+ copies a template block by block through the WAL unless told to copy the
        # files: for these small databases the file copy is about a third faster, create and drop.
        with self.admin.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar())
        self.copy = " STRATEGY FILE_COPY" if version >= 150000 else ""

    def uri(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def template(self, name: str) -> str:
        if name not in self.templates:
            database = f"{self.prefix}_{name}"
            self.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if name == "base":
                self.execute(f'CREATE DATABASE "{database}"')
                build(self.uri(database), self.directory / "instance", with_bekasi=False)
            else:
                base = self.template("base")
                self.execute(f'CREATE DATABASE "{database}" TEMPLATE "{base}"')
                build(self.uri(database), self.directory / "instance", with_bekasi=True)
            self.templates[name] = database
        return self.templates[name]

    def fresh(self, name: str, tmp_path: Path) -> str:
        database = f"{self.prefix}_t{next(self.counter)}"
        template = self.template(name)
        self.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"{self.copy}')
        return self.uri(database)

    def discard(self, uri: str) -> None:
        database = make_url(uri).database
        self.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def close(self) -> None:
        for database in self.templates.values():
            self.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.admin.dispose()


def reset_process_caches() -> None:
    """Forget what the app keeps per process: the area index, map and outline caches, the queue
    hooks' Redis clients and back-off. Caches are module-level dicts named *_cache or _cache."""
    import sys

    from logistics.areas.services import invalidate_index
    from logistics.spm import tracking as spm_tracking

    invalidate_index()
    spm_tracking.reset()
    for name, module in list(sys.modules.items()):
        if not name.startswith(("logistics.", "geo.", "workers.")):
            continue
        for attribute, value in list(vars(module).items()):
            if (
                attribute.startswith("_")
                and attribute.endswith("cache")
                and hasattr(value, "clear")
            ):
                value.clear()
