"""Province-scale maps on Jawa Barat: page weight, server time, layers, Chromium on a slow network."""

# The office area map, the public map and the map of an event over 500 desa (5,957 desa in all):
# first response compressed, server time cold (a new process) and warm, the geometry layers, and
# time until the first polygons are drawn in headless Chromium on a throttled network.

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from bench import bench_events
from bench.timing import time_requests
from logistics.core.extensions import db

ROOT = Path(__file__).resolve().parents[1]
HTML_GOAL_KB = 300
COLD_GOAL_MS = 300
WARM_GOAL_MS = 50
FAST_GOAL_S, SLOW_GOAL_S = 2.0, 6.0
NETWORKS = {"10 Mbit/s": 10, "2 Mbit/s": 2}
LATENCY_MS = 40  # a round trip on a mobile network
PHONE = {"width": 360, "height": 740}
COMPRESSED = {"Accept-Encoding": "br, gzip"}
PIMPINAN = "bench-pimpinan"  # the home page with the event's card and map is the pimpinan's


def _setup(folder: Path):
    app = bench_events._app(folder)
    with app.app_context():
        from logistics.admin.users import create_user
        from logistics.victims.figures import warm_event_matrix

        event_id = bench_events._build_event()
        create_user("bench", "bench-password", "operator")
        create_user(PIMPINAN, "bench-password", "pimpinan")
        db.session.commit()
        # What the SPM job queued by those writes does in a worker (the bench runs no worker).
        warm_event_matrix(event_id)
    return app, event_id


def _pages(event_id: int) -> dict[str, str]:
    return {
        "area_map": "/peta-wilayah",
        "public_map": "/peta",
        "event_map": f"/kejadian/{event_id}/peta-publik",
        "event_page": f"/kejadian/{event_id}",
        "pimpinan_home": "/",
    }


def _user(page: str) -> str:
    return PIMPINAN if page == "pimpinan_home" else "bench"


def _login(client, user: str = "bench") -> None:
    response = client.post("/masuk", data={"username": user, "password": "bench-password"})
    assert response.status_code == 302, response.status_code


def cold_in_new_process(folder: str, url: str, user: str = "bench") -> float:
    """In a fresh process on the bench's database: sign in, then time the first GET of `url`."""
    from logistics import create_app

    app = create_app(
        {
            "INSTANCE_DIR": folder,
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
            "OFFICE_AREA_CODE": "32",
            "OFFICE_NAME": "Dinas Sosial Provinsi Jawa Barat",
        }
    )
    client = app.test_client()
    _login(client, user)
    started = time.perf_counter()
    response = client.get(url, headers=COMPRESSED)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def _cold(folder: Path, url: str, user: str) -> float:
    code = (
        "import sys; from bench.bench_maps import cold_in_new_process as c; "
        "print(c(sys.argv[1], sys.argv[2], sys.argv[3]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), url, user],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return float(out.stdout.strip().splitlines()[-1])


def _layer_urls(client, page_url: str) -> list[str]:
    import re

    page = client.get(page_url).get_data(as_text=True).replace("\\u0026", "&")
    return re.findall(
        r'(/(?:peta/(?:lapisan|publik)|kejadian/\d+)/[a-z_]+\.geojson\?v=[^"]+)', page
    )


def _geometry(app, folder: Path, event_id: int) -> dict:
    """Each layer the pages start with: built (empty caches), read back from the instance
    folder (a new process), and warm; its size compressed."""
    from logistics.areas import layers

    client = app.test_client()
    _login(client)
    urls = []
    for page in ("area_map", "public_map", "event_map"):
        urls += [u for u in _layer_urls(client, _pages(event_id)[page]) if u not in urls]
    # The kelurahan layer of one kab/kota, as a phone zoomed in on Kab. Bogor fetches it.
    desa = next(u for u in urls if "/kelurahan." in u) + "&induk=32.01"
    urls.append(desa)
    result = {}
    with app.app_context():
        shutil.rmtree(folder / "map-layers", ignore_errors=True)
        layers.clear_cache()
    for url in urls:
        name = url.split("/")[-1].split(".")[0] + ("_32.01" if "induk" in url else "")
        name = "event" if "/kejadian/" in url else name
        started = time.perf_counter()
        response = client.get(url, headers=COMPRESSED)
        result[f"layer_{name}_build_ms"] = (time.perf_counter() - started) * 1000
        result[f"layer_{name}_kb"] = len(response.data) / 1024
        result[f"layer_{name}_warm_ms"] = time_requests(client, url, 10)["warm_median_ms"]
    with app.app_context():
        layers.clear_cache()
    started = time.perf_counter()
    for url in urls:
        client.get(url, headers=COMPRESSED)
    result["layers_from_disk_ms"] = (time.perf_counter() - started) * 1000
    return result


def _serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _interactive(page, devtools, url: str, mbit: float, wait_for: str) -> float:
    """Seconds from navigation to the first polygons drawn, on an empty cache."""
    devtools.send("Network.clearBrowserCache")
    rate = mbit * 1_000_000 / 8
    devtools.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": rate,
            "uploadThroughput": rate,
        },
    )
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(wait_for, timeout=120_000)
    elapsed = time.perf_counter() - started
    devtools.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    })  # fmt: skip
    return elapsed


def _browser(app, event_id: int) -> dict:
    from playwright.sync_api import sync_playwright

    drawn = "() => document.querySelector('.leaflet-overlay-pane path, .leaflet-pane path')"
    server, base = _serve(app)
    result = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("POSKO_CHROMIUM") or shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu"],
            )
            context = browser.new_context(viewport=PHONE)
            # Tiles-free: the background tiles are not part of "the areas are drawn".
            context.route("**/*tile.openstreetmap.org/**", lambda route: route.abort())
            page = context.new_page()
            page.goto(base + "/masuk")
            page.fill("input[name=username]", "bench")
            page.fill("input[name=password]", "bench-password")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            devtools = context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
            for name in ("area_map", "event_map"):
                url = base + _pages(event_id)[name]
                page.goto(url)  # warms the server's caches; the phone's cache stays off
                page.wait_for_function(drawn, timeout=120_000)
                for mbit in NETWORKS.values():
                    key = f"{name}_interactive_{mbit}mbit_s"
                    result[key] = _interactive(page, devtools, url, mbit, drawn)
            browser.close()
    finally:
        server.shutdown()
    return result


def run(requests: int = 30) -> dict:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        app, event_id = _setup(folder)
        result = {"setup_s": time.perf_counter() - started, "event_id": event_id}
        with app.app_context():
            from logistics.areas.models import Area

            result["desa"] = len(
                db.session.scalars(select(Area.code).where(Area.level == "kelurahan")).all()
            )
        for name, url in _pages(event_id).items():
            client = app.test_client()
            _login(client, _user(name))
            result[f"{name}_cold_ms"] = _cold(folder, url, _user(name))
            timed = time_requests(client, url, requests)
            result[f"{name}_warm_median_ms"] = timed["warm_median_ms"]
            result[f"{name}_warm_p95_ms"] = timed["warm_p95_ms"]
            result[f"{name}_html_kb"] = timed["kb"]
            response = client.get(url, headers=COMPRESSED)
            result[f"{name}_html_br_kb"] = len(response.data) / 1024
            result[f"{name}_html_gzip_kb"] = (
                len(client.get(url, headers={"Accept-Encoding": "gzip"}).data) / 1024
            )
        result.update(_geometry(app, folder, event_id))
        result.update(_browser(app, event_id))
    return result


def report(result: dict) -> str:
    lines = [f"Jawa Barat, {result['desa']:,} desa; event over {bench_events.DESA} desa"]
    for name in ("area_map", "public_map", "event_map", "event_page", "pimpinan_home"):
        lines.append(
            f"{name:<11} HTML {result[f'{name}_html_kb']:.0f} KB raw, "
            f"{result[f'{name}_html_gzip_kb']:.1f} KB gzip, {result[f'{name}_html_br_kb']:.1f} KB br "
            f"(goal {HTML_GOAL_KB} KB, ratio {result[f'{name}_html_gzip_kb'] / HTML_GOAL_KB:.2f}); "
            f"cold {result[f'{name}_cold_ms']:.0f} ms (ratio "
            f"{result[f'{name}_cold_ms'] / COLD_GOAL_MS:.2f}); warm median "
            f"{result[f'{name}_warm_median_ms']:.1f} / p95 {result[f'{name}_warm_p95_ms']:.1f} ms "
            f"(ratio {result[f'{name}_warm_p95_ms'] / WARM_GOAL_MS:.2f})"
        )
    for key in sorted(k for k in result if k.startswith("layer_") and k.endswith("_kb")):
        layer = key[len("layer_") : -len("_kb")]
        lines.append(
            f"layer {layer:<14} {result[key]:.0f} KB br, built {result[f'layer_{layer}_build_ms']:.0f} ms, "
            f"warm {result[f'layer_{layer}_warm_ms']:.1f} ms"
        )
    lines.append(
        f"all those layers again from the instance folder: {result['layers_from_disk_ms']:.0f} ms"
    )
    for name in ("area_map", "event_map"):
        for label, mbit in NETWORKS.items():
            seconds = result[f"{name}_interactive_{mbit}mbit_s"]
            goal = FAST_GOAL_S if mbit == 10 else SLOW_GOAL_S
            lines.append(
                f"{name} interactive at {label}, 360 px, empty cache: {seconds:.2f} s "
                f"(goal {goal:.0f} s, ratio {seconds / goal:.2f})"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
