"""Alembic environment: migrate the database of the current Flask app (Flask-Migrate)."""

import logging
from contextlib import contextmanager

from alembic import context
from flask import current_app
from sqlalchemy import text

log = logging.getLogger("alembic.env")
config = context.config
migrate_ext = current_app.extensions["migrate"]
metadata = migrate_ext.db.metadata
# The app's logging stays as configured: no fileConfig here, it would silence the app's loggers.
config.set_main_option(
    "sqlalchemy.url",
    migrate_ext.db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def skip_empty_autogenerate(context_, revision, directives):
    """`flask db migrate` with no schema change writes no empty migration."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _drop_stale_batch_tables(connection) -> None:
    """Drop the copies an interrupted SQLite batch operation left behind.

    A batch operation copies table T into `_alembic_tmp_T`, drops T and renames the copy. SQLite
    runs DDL outside a transaction, so a failure between the copy and the drop leaves the copy,
    and every later run stops on "table _alembic_tmp_T already exists". The copy is only dropped
    while T itself still exists; otherwise it may be the only copy of the data and is kept.
    """
    names = set(
        connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
    )
    for name in sorted(n for n in names if n.startswith("_alembic_tmp_")):
        original = name.removeprefix("_alembic_tmp_")
        if original in names:
            log.warning("Dropping %s left by an interrupted migration.", name)
            connection.execute(text(f'DROP TABLE "{name}"'))
        else:
            log.error("%s exists without %s: left in place, check it by hand.", name, original)


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """Foreign keys off on SQLite while migrating, checked afterwards.

    Batch operations recreate a table (copy, drop, rename); with foreign keys on, dropping a
    table that other tables point at fails. SQLite ignores this pragma inside a transaction,
    so it is set before the migration transaction begins and set back on the pooled connection
    at the end. Rows that break a foreign key after the migrations stop the run.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.execute(text("PRAGMA foreign_keys=OFF"))
    connection.commit()
    try:
        _drop_stale_batch_tables(connection)
        connection.commit()
        yield
        broken = connection.execute(text("PRAGMA foreign_key_check")).all()
        if broken:
            raise RuntimeError(f"foreign keys broken after migrating: {broken[:5]}")
    finally:
        connection.rollback()
        connection.execute(text("PRAGMA foreign_keys=ON"))
        connection.commit()


def run_online() -> None:
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    with migrate_ext.db.engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
