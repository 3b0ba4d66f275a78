"""Tagana member and budget plan imports as background jobs: the page enqueues a check, a worker
runs it, the result page shows the report, a confirmation saves the rows; limits fail the job."""

import io
import os
import time
from pathlib import Path

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from logistics.budget.models import BudgetLine, BudgetNode, BudgetTotalFlag
from logistics.core.job_models import JobRecord
from logistics.core.queue import (
    BUDGET_IMPORT,
    BUDGET_IMPORT_DRY_RUN,
    TAGANA_IMPORT,
    TAGANA_IMPORT_DRY_RUN,
    get_redis,
)
from logistics.tagana.models import TaganaMember, Training
from tests.support import budget as budget_files
from tests.support.db import count
from tests.support.processes import flask_worker
from tests.support.tagana import GOOD_ROWS, workbook_bytes
from workers import maintenance

TRAININGS = [["3275-2019-001", "Diklat Tagana Dasar", "Kemensos", "2024-05-01", "2024-05-05"]]


def post_file(client, url: str, content: bytes, name: str, **fields):
    return client.post(
        url,
        data=dict(fields, file=(io.BytesIO(content), name)),
        content_type="multipart/form-data",
    )


def record_of(db, url: str) -> JobRecord:
    db.session.expire_all()
    return db.session.get(JobRecord, url.rstrip("/").rsplit("/", 1)[1])


def run_real_worker(app, db, **settings) -> None:
    """One `flask worker --burst` process works the queue empty (the database released first)."""
    db.session.remove()
    worker = flask_worker(app, "--burst", settings={k: str(v) for k, v in settings.items()})
    assert worker.wait(timeout=180) == 0


def budget_counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (BudgetNode, BudgetLine, BudgetTotalFlag)
    )


def queued_in_rq(app, record: JobRecord) -> bool:
    job = Job.fetch(record.id, connection=get_redis(app), serializer=JSONSerializer)
    return job.get_status() == "queued" and job.kwargs["path"] == record.kwargs["path"]


def test_tagana_member_list_is_checked_and_imported_by_a_worker(
    app, client, db, bekasi, make_user, login
):
    login(make_user("operator"))
    sent = post_file(
        client,
        "/tagana/anggota/impor",
        workbook_bytes(GOOD_ROWS, TRAININGS),
        "anggota.xlsx",
        dry_run="y",
    )
    assert sent.status_code == 302
    check_url = sent.headers["Location"]
    check = record_of(db, check_url)
    assert (check.func, check.status) == (TAGANA_IMPORT_DRY_RUN, "queued")
    assert queued_in_rq(app, check)
    upload = Path(check.kwargs["path"])
    assert upload.is_file() and upload.parent.parent == Path(app.config["INSTANCE_DIR"]) / "uploads"
    waiting = client.get(check_url).get_data(as_text=True)
    assert "jobs.js" in waiting and "Menunggu" in waiting

    run_real_worker(app, db)
    page = client.get(check_url).get_data(as_text=True)
    assert "Hasil pemeriksaan" in page
    assert "3 baris anggota dan 1 baris pelatihan dibaca" in page
    assert "Konfirmasi: simpan 3 anggota dan 1 pelatihan" in page
    assert count(db, TaganaMember) == 0 and upload.is_file()
    assert check_url in client.get(f"/pekerjaan/{check.id}").get_data(as_text=True)

    confirm = client.post(f"{check_url}/konfirmasi")
    assert confirm.status_code == 302
    import_url = confirm.headers["Location"]
    # A second click leads to the same import, never a second one.
    assert client.post(f"{check_url}/konfirmasi").headers["Location"] == import_url
    imported = record_of(db, import_url)
    assert imported.func == TAGANA_IMPORT and imported.kwargs["dry_run_job_id"] == check.id

    run_real_worker(app, db)
    page = client.get(import_url).get_data(as_text=True)
    assert "Hasil impor" in page and "3 anggota dan 1 pelatihan disimpan" in page
    assert record_of(db, import_url).status == "finished"
    assert count(db, TaganaMember) == 3 and count(db, Training) == 1
    budi = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "3275-2019-001"))
    assert budi.phone == "081234567890" and [t.name for t in budi.trainings] == [
        "Diklat Tagana Dasar"
    ]
    # The uploaded list (names, phone numbers) is removed once imported.
    assert not upload.exists() and not upload.parent.exists()
    # The check's page now leads to its import instead of offering a second confirmation.
    assert import_url in client.get(check_url).get_data(as_text=True)


def test_budget_plan_is_checked_and_imported_by_a_worker(app, client, db, make_user, login):
    login(make_user("operator"))
    sent = post_file(
        client,
        "/anggaran/impor",
        budget_files.xlsx(budget_files.GOOD_ROWS),
        "rencana.xlsx",
        fiscal_year=str(budget_files.YEAR),
        dry_run="y",
    )
    assert sent.status_code == 302
    check_url = sent.headers["Location"]
    check = record_of(db, check_url)
    assert (check.func, check.status) == (BUDGET_IMPORT_DRY_RUN, "queued")
    assert check.kwargs["fiscal_year"] == budget_files.YEAR
    assert queued_in_rq(app, check)

    run_real_worker(app, db)
    page = client.get(check_url).get_data(as_text=True)
    assert f"Hasil pemeriksaan tahun {budget_files.YEAR}" in page
    assert "tercetak Rp 650.000.000, jumlah rincian Rp 700.000.000" in page
    assert f"Konfirmasi: simpan rencana anggaran {budget_files.YEAR}" in page
    assert budget_counts(db) == (0, 0, 0)

    import_url = client.post(f"{check_url}/konfirmasi").headers["Location"]
    assert record_of(db, import_url).func == BUDGET_IMPORT
    run_real_worker(app, db)
    page = client.get(import_url).get_data(as_text=True)
    assert "2 sub-kegiatan disimpan, 4 kode baru" in page
    assert budget_counts(db) == (4, 4, 0)  # program and kegiatan keep their own pagu
    tree = client.get(f"/anggaran/?tahun={budget_files.YEAR}").get_data(as_text=True)
    assert "pagu tidak sama dengan rincian" in tree


@pytest.mark.parametrize(
    ("url", "content", "fields", "message", "saved"),
    [
        (
            "/tagana/anggota/impor",
            lambda: workbook_bytes(GOOD_ROWS),
            {},
            "Lebih dari 2 baris anggota; bagi berkas menjadi beberapa bagian.",
            lambda db: count(db, TaganaMember),
        ),
        (
            "/anggaran/impor",
            lambda: budget_files.xlsx(budget_files.GOOD_ROWS),
            {"fiscal_year": str(budget_files.YEAR)},
            "Berkas berisi lebih dari 2 baris data, melebihi batas satu kali impor.",
            lambda db: budget_counts(db)[1],
        ),
    ],
    ids=["tagana", "budget"],
)
def test_file_over_the_row_limit_fails_the_job_and_ulangi_runs_it_again(
    app, client, db, bekasi, make_user, login, url, content, fields, message, saved
):
    login(make_user("operator"))
    sent = post_file(client, url, content(), "daftar.xlsx", **fields)
    job_url = sent.headers["Location"]
    run_real_worker(app, db, POSKO_IMPORT_MAX_ROWS=2)
    record = record_of(db, job_url)
    assert record.status == "failed" and message in record.message
    page = client.get(job_url).get_data(as_text=True)
    assert message in page and "Tidak ada data yang tersimpan" in page and "Ulangi" in page
    assert saved(db) == 0

    # The upload is kept for the retry; under the office's usual limit the same file goes in.
    assert Path(record.kwargs["path"]).is_file()
    assert client.post(f"/pekerjaan/{record.id}/ulangi").status_code == 302
    run_real_worker(app, db)
    record = record_of(db, job_url)
    assert record.status == "finished" and record.attempts == 2
    assert saved(db) > 0


def age(folder: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    for path in (folder, *folder.iterdir()):
        os.utime(path, (then, then))


def test_unconfirmed_checks_are_deleted_by_the_upkeep_and_cannot_be_confirmed(
    app, client, db, bekasi, make_user, login, run_jobs
):
    app.config["IMPORT_UPLOAD_RETENTION_HOURS"] = 24
    login(make_user("operator"))
    tagana_url = post_file(
        client, "/tagana/anggota/impor", workbook_bytes(GOOD_ROWS), "a.xlsx", dry_run="y"
    ).headers["Location"]
    budget_url = post_file(
        client,
        "/anggaran/impor",
        budget_files.xlsx(budget_files.GOOD_ROWS),
        "r.xlsx",
        fiscal_year=str(budget_files.YEAR),
        dry_run="y",
    ).headers["Location"]
    run_jobs()
    folders = [Path(record_of(db, u).kwargs["path"]).parent for u in (tagana_url, budget_url)]
    age(folders[0], 25)
    age(folders[1], 23)

    assert maintenance.run_once()["uploads"] == 1
    assert not folders[0].exists() and folders[1].exists()
    response = client.post(f"{tagana_url}/konfirmasi", follow_redirects=True)
    assert "sudah dihapus karena terlalu lama tidak dikonfirmasi" in response.get_data(as_text=True)
    assert db.session.scalar(select(JobRecord).where(JobRecord.func == TAGANA_IMPORT)) is None


def test_a_check_with_errors_keeps_no_upload_and_offers_no_confirmation(
    app, client, db, bekasi, make_user, login, run_jobs
):
    login(make_user("operator"))
    bad = [*GOOD_ROWS, ["3275-2019-001", "Budi Kembar", "L", None, None, None, "Muda"]]
    url = post_file(
        client, "/tagana/anggota/impor", workbook_bytes(bad), "a.xlsx", dry_run="y"
    ).headers["Location"]
    run_jobs()
    record = record_of(db, url)
    page = client.get(url).get_data(as_text=True)
    assert "1 kesalahan ditemukan. Tidak ada data yang disimpan." in page
    assert "sudah ada di baris 2" in page and "Konfirmasi" not in page
    assert not Path(record.kwargs["path"]).exists()
    response = client.post(f"{url}/konfirmasi", follow_redirects=True)
    assert "perbaiki baris yang disebut" in response.get_data(as_text=True)
    assert db.session.scalar(select(JobRecord).where(JobRecord.func == TAGANA_IMPORT)) is None


def test_confirming_before_the_check_finished_starts_nothing(client, db, make_user, login):
    login(make_user("operator"))
    url = post_file(
        client,
        "/anggaran/impor",
        budget_files.xlsx(budget_files.GOOD_ROWS),
        "r.xlsx",
        fiscal_year=str(budget_files.YEAR),
        dry_run="y",
    ).headers["Location"]
    response = client.post(f"{url}/konfirmasi", follow_redirects=True)
    assert "setelah pemeriksaan selesai" in response.get_data(as_text=True)
    assert db.session.scalar(select(JobRecord).where(JobRecord.func == BUDGET_IMPORT)) is None


def test_bad_form_input_is_refused_at_once_without_a_job(client, db, make_user, login):
    login(make_user("operator"))
    response = post_file(
        client,
        "/anggaran/impor",
        budget_files.xlsx(budget_files.GOOD_ROWS),
        "r.xlsx",
        fiscal_year="1850",
    )
    assert response.status_code == 422
    assert "Tahun anggaran 1850 tidak wajar" in response.get_data(as_text=True)
    response = client.post("/tagana/anggota/impor", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Pilih berkas terlebih dahulu." in response.get_data(as_text=True)
    assert count(db, JobRecord) == 0
    assert not list((Path(client.application.config["INSTANCE_DIR"]) / "uploads").glob("*-*"))


def test_another_operator_cannot_see_or_confirm_a_check(
    client, db, make_user, login, run_jobs, client_for
):
    login(make_user("operator"))
    url = post_file(
        client, "/tagana/anggota/impor", workbook_bytes([]), "a.xlsx", dry_run="y"
    ).headers["Location"]
    other = client_for(make_user("operator"))
    assert other.get(url).status_code == 404
    assert other.post(f"{url}/konfirmasi").status_code == 404
