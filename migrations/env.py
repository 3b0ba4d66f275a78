"""Alembic environment: migrate the database of the current Flask app (Flask-Migrate)."""

import logging

from alembic import context
from flask import current_app

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


def run_online() -> None:
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
