"""The area pickers' search (/wilayah/cari) in a provinsi office of 5,957 desa (Jawa Barat)."""

import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bench.bench_app import BOUNDARIES, fresh_app
from logistics.areas.models import Area
from logistics.core.extensions import db

GOAL_P95_MS = 50
ROUNDS = 10
# What people type: a desa name in parts, a common name, a kecamatan, a kab/kota, codes, nothing.
QUERIES = (
    "m",
    "mek",
    "mekarsari",
    "sukamaju cianjur",
    "cibinong",
    "bandung",
    "kota bogor",
    "32",
    "32.01.01",
    "3201011001",
    "",
    "tidak ada",
)


def spine_rows() -> list[dict]:
    """Provinsi, kab/kota, kecamatan and desa rows of Jawa Barat (names and codes only)."""
    from geo import read_boundaries

    frame = read_boundaries(BOUNDARIES / "prov_jawa_barat.geojson.gz").drop(columns="geometry")
    rows = [{"code": "32", "level": "provinsi", "kind": "provinsi", "name": "Jawa Barat"}]
    for level, code, name, parent in (
        ("kab_kota", "kab_kota_code", "kab_kota_name", "provinsi_code"),
        ("kecamatan", "kecamatan_code", "kecamatan_name", "kab_kota_code"),
    ):
        parents = frame.drop_duplicates(code).sort_values(code)
        for rec in parents[[code, name, parent]].itertuples(index=False):
            kind = "kecamatan" if level == "kecamatan" else None
            kind = kind or ("kota" if rec[1].lower().startswith("kota") else "kabupaten")
            rows.append(
                {
                    "code": rec[0],
                    "level": level,
                    "kind": kind,
                    "name": rec[1],
                    "parent_code": rec[2],
                }
            )
    for rec in frame[["code", "kind", "name", "parent_code"]].itertuples(index=False):
        rows.append(
            {
                "code": rec[0],
                "level": "kelurahan",
                "kind": rec[1],
                "name": rec[2],
                "parent_code": rec[3],
            }
        )
    return rows


def _signed_in(app, username: str, see: str = ""):
    from logistics.admin.scopes import set_scope
    from logistics.admin.users import create_user

    with app.app_context():
        user = create_user(username, "rahasia-bench-1", "operator")
        set_scope(user, record=see, see=see)
        db.session.commit()
    client = app.test_client()
    client.post("/masuk", data={"username": username, "password": "rahasia-bench-1"})
    return client


def _timed(client, query: str) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one search; CPU time leaves out other processes' turns on a
    shared machine."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get("/wilayah/cari", query_string={"q": query, "untuk": "catat"})
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return elapsed * 1000, cpu * 1000


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(int(len(values) * 0.95) - 1, 0)]


def run(rounds: int = ROUNDS) -> dict:
    """Server time of the search (test client, so no network): the first request after a
    restart builds the office's index (cold); then each query `rounds` times (warm median and
    p95), for a whole-province user and a user scoped to one kota."""
    rows = spine_rows()
    result = {"areas": len(rows)}
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(Path(folder))
        app.config["OFFICE_AREA_CODE"] = "32"
        with app.app_context():
            db.session.execute(insert(Area), rows)
            db.session.commit()
        for key, see in (("province", ""), ("kota", "32.73")):
            client = _signed_in(app, f"bench-{key}", see)
            if key == "province":
                result["cold_ms"] = _timed(client, "sukamaju")[0]
            timed = [_timed(client, q) for _ in range(rounds) for q in QUERIES]
            result[f"{key}_median_ms"] = statistics.median(t[0] for t in timed)
            result[f"{key}_p95_ms"] = _p95([t[0] for t in timed])
            result[f"{key}_cpu_p95_ms"] = _p95([t[1] for t in timed])
    return result


def report(result: dict) -> str:
    return (
        f"{result['areas']:,} areas; cold {result['cold_ms']:.0f} ms; "
        f"whole province median {result['province_median_ms']:.1f} ms, "
        f"p95 {result['province_p95_ms']:.1f} ms (CPU {result['province_cpu_p95_ms']:.1f} ms); "
        f"one kota median {result['kota_median_ms']:.1f} ms, p95 {result['kota_p95_ms']:.1f} ms "
        f"(CPU {result['kota_cpu_p95_ms']:.1f} ms)"
    )
