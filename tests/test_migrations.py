"""Migrations build the models' schema and downgrade cleanly, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

TABLES = {
    "areas",
    "boundary_sets",
    "users",
    "audit_log",
    "jobs",
    "events",
    "event_decrees",
    "event_areas",
    "impact_figures",
    "persons",
    "households",
    "victims",
    "shelters",
    "shelter_counts",
    "institution_victims",
    "hazard_types",
    "event_chronology",
}


def test_upgrade_matches_models_and_downgrade_removes_everything(app, db):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))

    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []

    downgrade(revision="base")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    upgrade()  # and back up again, as an office upgrading after a rollback would
    assert set(inspect(db.engine).get_table_names()) >= TABLES
