"""Role home pages on the Kota Bekasi demo office: server time per role, warm, and page weight."""

import tempfile
from pathlib import Path

from bench.bench_app import fresh_app
from bench.timing import time_requests
from logistics.core.extensions import db

ROLES = ("pimpinan", "operator", "admin", "tagana")
GOAL_MS = 300
TAGANA_GOAL_KB = 100
REQUESTS = 30


def _app(folder: Path):
    app = fresh_app(folder)
    with app.app_context():
        from logistics.demo.seed import seed_demo
        from logistics.reference import seed_reference_data

        seed_reference_data()
        seed_demo()
        db.session.commit()
        # Without Redis the SPM figures were marked stale; a worker would compute them now.
        from logistics.spm.aggregates import catch_up

        catch_up()
        db.session.commit()
    return app


def _static_kb(client, page: bytes) -> float:
    """The weight of what the page loads from this site: its stylesheets and scripts, and the
    modules they import (each counted once), as a first visit without a cache fetches them."""
    import re

    seen, total = set(), 0
    queue = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    while queue:
        url = queue.pop().decode()
        if url in seen:
            continue
        seen.add(url)
        body = client.get(url).data
        total += len(body)
        base = url.rsplit("/", 1)[0]
        for name in re.findall(rb'from "(\./[^"]+|\.\./[^"]+)"', body):
            queue.append(str(Path(base, name.decode())).replace("\\", "/").encode())
    return total / 1024


def run(requests: int = REQUESTS) -> dict:
    """Each demo account's home page, cold and warm; the Tagana page with what it loads."""
    from logistics.demo.seed import DEMO_PASSWORD

    result = {}
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        for role in ROLES:
            client = app.test_client()
            client.post("/masuk", data={"username": role, "password": DEMO_PASSWORD})
            timed = time_requests(client, "/", requests)
            result[f"{role}_warm_median_ms"] = timed["warm_median_ms"]
            result[f"{role}_warm_p95_ms"] = timed["warm_p95_ms"]
            result[f"{role}_cold_ms"] = timed["cold_ms"]
            result[f"{role}_html_kb"] = timed["kb"]
            if role == "tagana":
                page = client.get("/").data
                result["tagana_total_kb"] = timed["kb"] + _static_kb(client, page)
    return result


def report(result: dict) -> str:
    lines = [
        f"{role:<9} warm median {result[f'{role}_warm_median_ms']:.0f} ms, "
        f"p95 {result[f'{role}_warm_p95_ms']:.0f} ms, cold {result[f'{role}_cold_ms']:.0f} ms, "
        f"HTML {result[f'{role}_html_kb']:.1f} KB"
        for role in ROLES
    ]
    lines.append(f"tagana page with its CSS and JS: {result['tagana_total_kb']:.1f} KB")
    return "\n".join(lines)
