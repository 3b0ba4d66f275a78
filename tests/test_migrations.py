"""Migrations build the models' schema and downgrade cleanly, on SQLite and PostgreSQL."""

import pytest
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
# Tables the newest revision (sub-kegiatan on distributions and deployments) rebuilds on
# SQLite when it goes down one step; other tables point at both.
REBUILT = ("distributions", "tagana_deployments")
BEFORE_NEWEST = "209f9be5de64"


def empty_database(db) -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def row_counts(db, tables) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}


def seed_demo_office(db) -> None:
    from logistics.core.audit import acting_as
    from logistics.demo.seed import seed_demo
    from logistics.reference import seed_reference_data

    with acting_as(None, "demo"):
        seed_reference_data()
        seed_demo()
        db.session.commit()
    db.session.remove()


def test_upgrade_matches_models_and_downgrade_removes_everything(app, db):
    empty_database(db)

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


def test_downgrade_and_upgrade_with_the_demo_office_loaded(app, db):
    empty_database(db)
    upgrade()
    seed_demo_office(db)
    counts = row_counts(db, (*REBUILT, "tagana_task_reports", "stock_movements"))
    assert all(counts.values()), counts  # the demo fills every table the first step rebuilds

    # One step down keeps the rows of the tables it changes, and the way back up too.
    downgrade(revision=BEFORE_NEWEST)
    assert row_counts(db, counts) == counts
    upgrade()
    assert row_counts(db, counts) == counts

    downgrade(revision="base")
    names = set(inspect(db.engine).get_table_names())
    assert names <= {"alembic_version"}, names
    assert not [n for n in names if n.startswith("_alembic_tmp_")]

    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES | set(REBUILT)
    seed_demo_office(db)  # the rebuilt schema takes the demo office again
    assert row_counts(db, REBUILT)["distributions"] == counts["distributions"]


def test_sqlite_migration_recovers_from_a_stale_batch_copy(app, db):
    """A copy left by a batch operation that failed before no longer blocks the next run."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("batch copies are a SQLite matter")
    empty_database(db)
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE _alembic_tmp_tagana_deployments (id INTEGER)"))

    downgrade(revision=BEFORE_NEWEST)

    names = set(inspect(db.engine).get_table_names())
    assert "tagana_deployments" in names
    assert "_alembic_tmp_tagana_deployments" not in names
    columns = {c["name"] for c in inspect(db.engine).get_columns("tagana_deployments")}
    assert "sub_kegiatan_id" not in columns
