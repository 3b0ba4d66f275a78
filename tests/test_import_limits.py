"""Import limits: a row limit that refuses an oversized list whole and early, and uploads of dry
runs nobody confirmed deleted by the workers' upkeep after the retention period."""

import io
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from logistics.core.errors import DomainError
from logistics.core.job_models import JobRecord
from logistics.core.queue import VICTIM_IMPORT
from logistics.victims.models import Victim
from tests.support.budget import xlsx
from tests.support.db import count
from workers import maintenance

KEL = "32.75.01.1001"


def victim_csv(rows: int) -> bytes:
    lines = ["nama,jenis_kelamin,alasan_tanpa_nik,status,kode_kelurahan"]
    lines += [f"Warga {n},P,dokumen_hilang,mengungsi,{KEL}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def upload(client, event, content: bytes, name="daftar.csv"):
    return client.post(
        "/korban/impor",
        data={"event_id": str(event.id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_victim_list_over_the_row_limit_fails_whole_with_a_clear_message(
    app, client, db, bekasi, make_event, make_user, login, run_jobs
):
    app.config["IMPORT_MAX_ROWS"] = 1000
    event = make_event()
    login(make_user("operator"))
    check_url = upload(client, event, victim_csv(1001)).headers["Location"]
    run_jobs()
    record = db.session.scalar(select(JobRecord))
    assert record.status == "failed"
    assert "lebih dari 1.000 baris data" in record.message
    page = client.get(check_url).get_data(as_text=True)
    assert "Bagi menjadi beberapa berkas" in page
    assert count(db, Victim) == 0

    # At the limit the same list is checked as usual.
    upload(client, event, victim_csv(1000))
    run_jobs()
    db.session.expire_all()
    latest = db.session.scalars(select(JobRecord).order_by(JobRecord.created_at.desc())).first()
    assert latest.status == "finished" and latest.result["counts"]["total"] == 1000


def test_oversized_file_is_refused_after_reading_the_limit_not_the_whole_file(
    app, db, make_event, tmp_path
):
    from logistics.victims import import_plan

    app.config["IMPORT_MAX_ROWS"] = 500
    event = make_event()
    path = tmp_path / "besar.csv"
    path.write_bytes(victim_csv(300_000))
    started = time.perf_counter()
    with pytest.raises(DomainError, match="lebih dari 500 baris data"):
        import_plan.build_plan(path, event.id)
    print(f"300,000-row list refused in {time.perf_counter() - started:.2f} s")


def test_budget_plan_over_the_office_row_limit_is_refused(app, db):
    from logistics.budget.imports import import_plan
    from tests.support.budget import GOOD_ROWS, YEAR

    app.config["IMPORT_MAX_ROWS"] = 2
    with pytest.raises(DomainError, match="lebih dari 2 baris data"):
        import_plan(xlsx(GOOD_ROWS), fiscal_year=YEAR, source_name="rencana.xlsx", dry_run=True)
    assert len(GOOD_ROWS) > 2


def age(folder: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    for path in (folder, *folder.iterdir()):
        os.utime(path, (then, then))


def test_upkeep_deletes_unconfirmed_uploads_after_the_retention_period(
    app, client, db, bekasi, make_event, make_user, login, run_jobs
):
    app.config["IMPORT_UPLOAD_RETENTION_HOURS"] = 24
    event = make_event()
    login(make_user("operator"))
    old_url = upload(client, event, victim_csv(3), "lama.csv").headers["Location"]
    fresh_url = upload(client, event, victim_csv(3), "baru.csv").headers["Location"]
    run_jobs()
    uploads = Path(app.config["INSTANCE_DIR"]) / "uploads"
    folders = {
        url: Path(db.session.get(JobRecord, url.rsplit("/", 1)[1]).kwargs["path"]).parent
        for url in (old_url, fresh_url)
    }
    age(folders[old_url], 25)
    age(folders[fresh_url], 23)
    # A list whose import waits in the queue is kept whatever its age.
    waiting = uploads / "korban-menunggu"
    waiting.mkdir()
    (waiting / "daftar-korban.csv").write_bytes(victim_csv(1))
    age(waiting, 48)
    db.session.add(
        JobRecord(
            id="job-menunggu",
            func=VICTIM_IMPORT,
            title="Impor",
            kwargs={"path": str(waiting / "daftar-korban.csv"), "event_id": event.id},
            status="queued",
            message="Menunggu pekerja",
        )
    )
    db.session.commit()

    done = maintenance.run_once()
    assert done["uploads"] == 1
    assert not folders[old_url].exists()
    assert folders[fresh_url].exists() and waiting.exists()

    # Confirming the deleted list explains why and starts no import.
    response = client.post(f"{old_url}/konfirmasi", follow_redirects=True)
    assert "sudah dihapus karena terlalu lama tidak dikonfirmasi" in response.get_data(as_text=True)
    assert db.session.scalars(select(JobRecord).where(JobRecord.func == VICTIM_IMPORT)).all() == [
        db.session.get(JobRecord, "job-menunggu")
    ]


@pytest.mark.parametrize("url", ["/korban/impor", "/anggaran/impor", "/tagana/anggota/impor"])
def test_upload_over_the_size_limit_says_the_limit_in_indonesian(
    app, client, make_user, login, url
):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.config["UPLOAD_MAX_MB"] = 1
    login(make_user("operator"))
    response = client.post(
        url,
        data={"file": (io.BytesIO(b"x" * (1024 * 1024 + 1)), "besar.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar: batas unggahan 1 MB" in response.get_data(as_text=True)


def test_tagana_member_list_over_the_office_row_limit_is_refused(app, db, bekasi):
    from logistics.tagana.imports import import_members
    from tests.support.tagana import GOOD_ROWS, workbook_bytes

    app.config["IMPORT_MAX_ROWS"] = len(GOOD_ROWS) - 1
    with pytest.raises(DomainError, match=f"Lebih dari {len(GOOD_ROWS) - 1} baris anggota"):
        import_members(workbook_bytes(GOOD_ROWS), dry_run=True)
    app.config["IMPORT_MAX_ROWS"] = len(GOOD_ROWS)
    assert import_members(workbook_bytes(GOOD_ROWS), dry_run=True).members_read == len(GOOD_ROWS)
