"""A live Posko (gunicorn + rq worker on the test database) and a real Chromium via Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.support.wait import wait_until


def chromium_path() -> str:
    path = (
        os.environ.get("POSKO_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    # No skip: a missing browser is a broken test setup and must fail loudly (CI installs it).
    assert path, "Chromium not found: install the Debian package 'chromium' (make test does)."
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(app, db):
    """gunicorn and one rq worker against the test's database and Redis; yields the base URL."""
    db.session.commit()
    db.session.remove()
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        POSKO_QUEUE=app.config["RQ_QUEUE"],
        POSKO_INSTANCE_DIR=app.config["INSTANCE_DIR"],
        PYTHONPATH=str(ROOT),
    )
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env
        ),
    ]
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            urllib.request.urlopen(base + "/sehat", timeout=5)
            return True
        except OSError:
            assert all(p.poll() is None for p in processes), "live server exited"
            return False

    try:
        assert wait_until(answers, interval=0.2), "live server did not start"
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
