"""flask backup / restore: a round trip gives back every row of every table and the instance files."""

import tarfile
from pathlib import Path

from sqlalchemy import select


def every_row(db) -> dict[str, list[str]]:
    """Every table's rows, as sorted text, so two snapshots compare whole."""
    db.session.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def test_backup_and_restore_round_trip(app, db, make_event, make_user, tmp_path):
    make_user("operator", username="siti")
    make_event()
    uploads = Path(app.config["INSTANCE_DIR"]) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "daftar.csv").write_text("nik\n3275014101800001\n")
    before = every_row(db)
    runner = app.test_cli_runner()

    made = runner.invoke(args=["backup", "--output", str(tmp_path / "cadangan")])
    assert made.exit_code == 0, made.output
    (archive,) = (tmp_path / "cadangan").glob("posko-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names and "instance/uploads/daftar.csv" in names

    # The office carries on after the backup: a second event, a user, other uploads.
    make_event(title="Tanah longsor Bantargebang", hazard_code="TLS")
    make_user("tagana", username="budi")
    (uploads / "daftar.csv").unlink()
    (uploads / "lain.csv").write_text("x\n")
    assert every_row(db) != before

    restored = runner.invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert every_row(db) == before
    assert sorted(p.name for p in uploads.iterdir()) == ["daftar.csv"]


def test_restore_refuses_what_is_not_a_backup(app, db, make_user, tmp_path):
    make_user("operator", username="siti")
    not_backup = tmp_path / "bukan.tar.gz"
    with tarfile.open(not_backup, "w:gz") as tar:
        note = tmp_path / "catatan.txt"
        note.write_text("rapat")
        tar.add(note, "catatan.txt")
    result = app.test_cli_runner().invoke(args=["restore", str(not_backup), "--yes"])
    assert result.exit_code != 0 and "bukan cadangan Posko" in result.output
    assert len(every_row(db)["users"]) == 1
