"""Real child processes in tests: free ports, rq worker processes on the test's app, kills by PID."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on now, from the system's ephemeral range."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def worker_env(app) -> dict:
    """The environment of a worker process on the test's database, Redis, queue and instance."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        POSKO_QUEUE=app.config["RQ_QUEUE"],
        POSKO_INSTANCE_DIR=app.config["INSTANCE_DIR"],
        POSKO_OFFICE_AREA_CODE=app.config["OFFICE_AREA_CODE"],
        PYTHONPATH=str(ROOT),
    )
    return env


def flask_worker(app, *extra, settings: dict | None = None, **popen) -> subprocess.Popen:
    """`flask worker` on the test's app; `settings` adds environment variables (POSKO_...)."""
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *extra],
        cwd=ROOT,
        env=dict(worker_env(app), **(settings or {})),
        **popen,
    )


def children(pid: int) -> list[int]:
    """The PIDs of a process's children (a worker's work horse), from /proc."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except FileNotFoundError:
        return []


def kill_with_children(pid: int) -> None:
    """SIGKILL a worker and its work horse by PID (rq puts the horse in a process group of its own)."""
    for each in (pid, *children(pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
