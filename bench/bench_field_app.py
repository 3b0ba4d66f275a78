"""The field app on the browser tests' phone profile: opening from the worker's cache with no
network, and household search over 5,000 households kept on the phone."""

import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from logistics import create_app
from logistics.core.extensions import db

PHONE = {"width": 360, "height": 740}
HOUSEHOLDS = 5000
FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Joko", "Rina", "Wawan", "Nur", "Eko", "Sri")
LAST_NAMES = ("Santoso", "Aminah", "Setiawan", "Lestari", "Pratama", "Wahyuni", "Hidayat")
QUERIES = ("budi santoso", "lestari", "gang 1234", "rina wah", "0042", "nur hidayat", "zzz")


def _reference() -> dict:
    """A downloaded copy shaped like /api/v1/field/reference, with 5,000 households of four."""
    households = []
    for n in range(HOUSEHOLDS):
        head = f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n % 7]}"
        members = [
            {
                "id": n * 4 + k,
                "name": f"{FIRST_NAMES[(n + k) % 10]} {LAST_NAMES[n % 7]}",
                "nik_masked": f"3275********{(n * 4 + k) % 10000:04d}",
                "age_group": "dewasa",
            }
            for k in range(4)
        ]
        households.append(
            {
                "id": n + 1,
                "kk_masked": f"3275********{n % 10000:04d}",
                "head_name": head,
                "address": f"Gang {n} RT {n % 20:02d}/RW {n % 9:02d}",
                "area_code": "32.75.01.1001",
                "members": members,
            }
        )
    return {
        "version": "bench",
        "label": "data per 14.20 WIB",
        "households": households,
        "events": [{"id": 1, "name": "Banjir", "code": "BJR-1"}],
        "deployments": [],
        "shelters": [],
        "warehouses": [],
        "items": [],
    }


def _serve(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            # An office with no account yet sends every page to its setup; the app's shell is
            # what is measured here.
            "FIRST_RUN_SETUP": False,
        }
    )
    with app.app_context():
        db.create_all()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _chromium() -> str:
    path = os.environ.get("POSKO_CHROMIUM") or shutil.which("chromium")
    assert path, "Chromium not found: install the Debian package 'chromium'."
    return path


def _open_offline(page, base: str) -> float:
    started = time.perf_counter()
    page.goto(base + "/lapangan/app/")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    return time.perf_counter() - started


def _search_ms(page, query: str) -> tuple[float, int]:
    """Typing a query until its results are drawn (the search runs in the input handler)."""
    return page.evaluate(
        """(query) => {
            const input = document.querySelector('input[name=q]');
            const started = performance.now();
            input.value = query;
            input.dispatchEvent(new Event('input', { bubbles: true }));
            const found = document.querySelectorAll('[data-results] li').length;
            return [performance.now() - started, found];
        }""",
        query,
    )


def _measure(page, base: str, opens: int) -> dict:
    open_times = sorted(_open_offline(page, base) for _ in range(opens))
    page.goto(base + "/lapangan/app/penyaluran")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    first_ms, _ = _search_ms(page, "budi")  # builds the search index once
    searches = [_search_ms(page, query) for query in QUERIES * 5]
    search_times = sorted(ms for ms, _ in searches)
    return {
        "open_median_ms": statistics.median(open_times) * 1000,
        "open_max_ms": open_times[-1] * 1000,
        "search_first_ms": first_ms,
        "search_median_ms": statistics.median(search_times),
        "search_max_ms": search_times[-1],
    }


def run(opens: int = 10, slowdown: int = 4) -> dict:
    """Also with the CPU slowed `slowdown` times (DevTools throttling), for a cheap phone."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server, base = _serve(Path(folder))
        browser = playwright.chromium.launch(
            executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(base + "/lapangan/app/")
        page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
        page.evaluate(
            "async (data) => { const ref = await import('/static/field/reference.js');"
            " await ref.storeReference(data, 1); }",
            _reference(),
        )
        # No network at all: offline, and every request (the worker's too) aborted.
        context.set_offline(True)
        context.route("**/*", lambda route: route.abort("internetdisconnected"))
        result = {"field_households": HOUSEHOLDS, "field_slowdown": slowdown}
        for key, value in _measure(page, base, opens).items():
            result[f"field_{key}"] = value
        devtools = context.new_cdp_session(page)
        devtools.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        for key, value in _measure(page, base, opens).items():
            result[f"field_slow_{key}"] = value
        browser.close()
        server.shutdown()
    return result


def report(result: dict) -> str:
    lines = []
    for prefix, label in (("field_", "phone profile"), ("field_slow_", "CPU slowed")):
        if prefix == "field_slow_":
            label = f"CPU slowed {result['field_slowdown']}x"
        lines.append(
            f"{label}: app opened from cache, no network: median"
            f" {result[prefix + 'open_median_ms']:.0f} ms, max {result[prefix + 'open_max_ms']:.0f}"
            f" ms (goal < 1,000 ms); search over {result['field_households']:,} households:"
            f" first {result[prefix + 'search_first_ms']:.1f} ms, median"
            f" {result[prefix + 'search_median_ms']:.1f} ms, max"
            f" {result[prefix + 'search_max_ms']:.1f} ms (goal < 200 ms)"
        )
    return "\n".join(lines)
