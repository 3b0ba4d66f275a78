"""Background jobs: the jobs page, progress, failures, retry, and real worker processes."""

import subprocess
import sys
import time

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.core import jobs
from logistics.core.job_models import JobRecord
from logistics.core.queue import JOB_FUNCTIONS, LOAD_BOUNDARIES
from tests.conftest import ROOT
from tests.support.processes import flask_worker, kill_with_children, worker_env
from tests.support.wait import wait_until


def start_load(db, user, path, **kwargs) -> JobRecord:
    record = jobs.create_job(
        LOAD_BOUNDARIES,
        f"Muat {path.name}",
        {"path": str(path), "level": "kelurahan", **kwargs},
        user.id,
    )
    db.session.commit()
    assert jobs.submit(record)
    return record


def test_every_job_name_resolves():
    from werkzeug.utils import import_string

    for name in JOB_FUNCTIONS:
        assert callable(import_string(name)), name


def test_upload_runs_as_job_and_shows_result(
    client, db, make_user, login, run_jobs, boundaries_dir
):
    login(make_user("operator"))
    with open(boundaries_dir / "kota_bekasi.geojson", "rb") as fh:
        response = client.post(
            "/wilayah/muat",
            data={"file": (fh, "bekasi.geojson"), "level": "kelurahan", "version": "2025"},
            content_type="multipart/form-data",
        )
    assert response.status_code == 302
    preview = response.headers["Location"]
    assert db.session.scalar(select(JobRecord)) is None  # nothing before the preview is confirmed
    response = client.post(preview + "/simpan")
    assert response.status_code == 302
    record = db.session.scalar(select(JobRecord))
    assert record.status == "queued"
    run_jobs()
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == "finished" and record.progress == 100
    assert record.result["stats"]["kelurahan"]["created"] == 56
    assert record.attempts == 1
    page = client.get(f"/pekerjaan/{record.id}").get_data(as_text=True)
    assert "Selesai" in page and "56 wilayah dimuat" in page
    status = client.get(f"/api/v1/jobs/{record.id}").get_json()
    assert status["status"] == "finished" and status["progress"] == 100
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 56


def test_bad_file_job_fails_visibly_and_can_be_retried(
    client, db, make_user, login, run_jobs, tmp_path, boundaries_dir
):
    operator = make_user("operator")
    login(operator)
    path = tmp_path / "rusak.geojson"
    path.write_text("bukan peta")
    record = start_load(db, operator, path)
    run_jobs()
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == "failed" and "bukan" in record.error.lower()
    page = client.get("/pekerjaan/").get_data(as_text=True)
    assert "Gagal" in page and "Ulangi" in page
    # The operator fixes the file and retries the same job.
    path.write_bytes((boundaries_dir / "kota_bekasi.geojson").read_bytes())
    assert client.post(f"/pekerjaan/{record.id}/ulangi").status_code == 302
    run_jobs()
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == "finished" and record.attempts == 2


def test_job_other_users_cannot_see(client, db, make_user, login, tmp_path):
    owner = make_user("operator")
    record = start_load(db, owner, tmp_path / "x.geojson")
    login(make_user("tagana"))
    assert client.get(f"/pekerjaan/{record.id}").status_code == 404
    assert client.get(f"/api/v1/jobs/{record.id}").status_code == 404
    assert record.title not in client.get("/pekerjaan/").get_data(as_text=True)


def test_job_lost_from_redis_is_resent_or_marked_failed(
    app, db, make_user, run_jobs, boundaries_dir
):
    user = make_user("operator")
    waiting = start_load(db, user, boundaries_dir / "kota_bekasi.geojson")
    running = start_load(db, user, boundaries_dir / "kota_bekasi.geojson")
    running.status = "started"
    db.session.commit()
    Redis.from_url(app.config["REDIS_URL"]).flushdb()  # Redis restarted without its data

    assert jobs.reconcile() == 2
    db.session.commit()
    assert running.status == "failed" and "Klik Ulangi" in running.message
    assert waiting.status == "queued"
    run_jobs()
    db.session.expire_all()
    assert db.session.get(JobRecord, waiting.id).status == "finished"


def test_job_recorded_while_queue_is_down_is_sent_later(
    app, db, make_user, run_jobs, boundaries_dir
):
    user = make_user("operator")
    real_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    record = jobs.create_job(
        LOAD_BOUNDARIES,
        "Muat",
        {"path": str(boundaries_dir / "kota_bekasi.geojson"), "level": "kelurahan"},
        user.id,
    )
    db.session.commit()
    assert jobs.submit(record) is False
    assert record.message == jobs.QUEUE_UNAVAILABLE
    app.config["REDIS_URL"] = real_url
    assert jobs.reconcile() == 1
    run_jobs()
    db.session.expire_all()
    assert db.session.get(JobRecord, record.id).status == "finished"


def test_real_worker_process_runs_job(app, db, make_user, boundaries_dir):
    record = start_load(db, make_user("operator"), boundaries_dir / "kota_bekasi.geojson")
    db.session.remove()
    worker = flask_worker(app, "--burst")
    assert worker.wait(timeout=120) == 0
    record = db.session.get(JobRecord, record.id)
    assert record.status == "finished", record.error
    assert record.result["stats"]["kelurahan"]["created"] == 56


def test_job_survives_killed_worker(app, db, make_user, boundaries_dir):
    """A worker killed mid-job: rq re-queues the abandoned job once, a new worker finishes it."""
    app.config["OFFICE_AREA_CODE"] = "32"  # a provinsi office: Jawa Barat's desa are its own
    record = start_load(db, make_user("operator"), boundaries_dir / "prov_jawa_barat.geojson.gz")
    job_id = record.id
    db.session.remove()
    # This worker holds the job in the middle of its work until it is killed (see held_worker).
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.support.held_worker", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=worker_env(app),
        start_new_session=True,
    )

    def started():
        db.session.expire_all()
        return db.session.get(JobRecord, job_id).status == "started"

    try:
        assert wait_until(started)
    finally:
        kill_with_children(worker.pid)  # the worker and its work horse, both ours
        worker.wait(timeout=60)
    db.session.expire_all()
    assert db.session.get(JobRecord, job_id).status == "started"  # killed mid-job

    connection = Redis.from_url(app.config["REDIS_URL"])
    queue = Queue(app.config["RQ_QUEUE"], connection=connection, serializer=JSONSerializer)
    # Pretend the heartbeat expired: rq's own maintenance then treats the job as abandoned.
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    assert (
        Job.fetch(job_id, connection=connection, serializer=JSONSerializer).get_status() == "queued"
    )

    assert flask_worker(app, "--burst").wait(timeout=300) == 0
    db.session.expire_all()
    record = db.session.get(JobRecord, job_id)
    assert record.status == "finished", record.error
    assert record.attempts == 2
    assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "kelurahan")) == 5957


def test_finished_import_job_links_to_its_report(client, db, make_user, login):
    from logistics.core.queue import VICTIM_IMPORT_DRY_RUN

    operator = make_user("operator")
    db.session.add(
        JobRecord(
            id="imp-1",
            func=VICTIM_IMPORT_DRY_RUN,
            title="Periksa daftar",
            kwargs={},
            user_id=operator.id,
            status="finished",
            progress=100,
            result={"counts": {}},
            message="Pemeriksaan selesai",
        )
    )
    db.session.add(
        JobRecord(
            id="imp-2",
            func=VICTIM_IMPORT_DRY_RUN,
            title="Periksa daftar",
            kwargs={},
            user_id=operator.id,
            status="failed",
            message="Gagal",
        )
    )
    db.session.commit()
    login(operator)
    assert "/korban/impor/imp-1" in client.get("/pekerjaan/imp-1").get_data(as_text=True)
    assert "/korban/impor/imp-2" not in client.get("/pekerjaan/imp-2").get_data(as_text=True)
