"""`flask --app wsgi serve` for real: a killed worker comes back, SIGTERM stops everything."""

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request

from redis import Redis
from rq import Worker

from logistics.core.queue import EMBEDDED_URL_FILE
from tests.support.processes import ROOT, alive, free_port
from tests.support.wait import wait_until


def web_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/masuk", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


class Output:
    """Collects a process's output lines in a thread, so a full pipe never blocks it."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def find(self, pattern: str) -> list[re.Match]:
        return [m for m in (re.search(pattern, line) for line in list(self.lines)) if m]

    def __str__(self):
        return "\n".join(self.lines[-60:])


def test_serve_restarts_a_killed_worker_or_web_server_and_stops_on_sigterm(tmp_path):
    port = free_port()
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(POSKO_INSTANCE_DIR=str(instance), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    serve = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--no-demo"]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(serve.stdout)
    try:
        assert wait_until(lambda: output.find(r"worker 1 started \(pid (\d+)\)"), 300), output
        assert wait_until(lambda: web_answers(port), 120), output
        first = int(output.find(r"worker 1 started \(pid (\d+)\)")[0].group(1))
        web = int(output.find(r"web started \(pid (\d+)\)")[0].group(1))
        redis = Redis.from_url((instance / EMBEDDED_URL_FILE).read_text().strip())
        assert wait_until(lambda: _worker_names(redis) == {f"posko-{serve.pid}-0-1"}), output

        os.kill(first, signal.SIGKILL)
        assert wait_until(lambda: output.find(r"worker 1 restarted \(pid (\d+)\)"), 60), output
        second = int(output.find(r"worker 1 restarted \(pid (\d+)\)")[0].group(1))
        assert output.find(rf"worker 1 \(pid {first}\) exited with code -9"), output
        # The new worker has a name of its own and listens on the queue; the web never stopped.
        assert wait_until(lambda: f"posko-{serve.pid}-0-2" in _worker_names(redis)), output
        assert alive(second) and alive(web) and serve.poll() is None
        assert web_answers(port)

        # The web server killed outright comes back on the same port, the worker untouched.
        os.kill(web, signal.SIGKILL)
        assert wait_until(lambda: output.find(r"web restarted \(pid (\d+)\)"), 60), output
        web = int(output.find(r"web restarted \(pid (\d+)\)")[0].group(1))
        assert wait_until(lambda: web_answers(port), 120), output
        assert alive(second) and serve.poll() is None
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=120)
    output.thread.join(timeout=10)
    assert code == 0, output
    assert not alive(second) and not alive(web)
    assert not (instance / EMBEDDED_URL_FILE).exists()  # Valkey went last, and said so
    assert output.lines[-1] == "Posko stopped", output


def _worker_names(redis: Redis) -> set[str]:
    return {worker.name for worker in Worker.all(connection=redis)}
