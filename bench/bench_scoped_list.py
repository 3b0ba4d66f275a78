"""Scoped list benchmark: the victims of one Jawa Barat kab/kota out of 500,000, and the recap."""

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from bench import bench_spm
from bench.timing import time_requests
from logistics.core.extensions import db

GOAL_MS = 200
PASSWORD = "bench-password"


def _busiest_kab_kota() -> tuple[str, int]:
    """The kab/kota with the most victims (the slowest scoped list), and how many it has."""
    from logistics.victims.models import Victim

    kab = func.substr(Victim.kelurahan_code, 1, 5)
    return db.session.execute(
        select(kab, func.count()).group_by(kab).order_by(func.count().desc()).limit(1)
    ).one()


def _query_plan(kab: str) -> str:
    """SQLite's plan of the list's scope condition: it must search the kelurahan index."""
    from logistics.core.scope import Scope
    from logistics.victims.lists import VictimFilters, victims_query

    query = victims_query(VictimFilters(scope=Scope(see=(kab,), record=(kab,))))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " | ".join(row[-1] for row in rows)


def _users(kab: str) -> None:
    from logistics.admin.scopes import set_scope
    from logistics.admin.users import create_user

    operator = create_user("op-kab", PASSWORD, "operator")
    set_scope(operator, record=kab, see="")
    create_user("prov-pimpinan", PASSWORD, "pimpinan")
    db.session.commit()


def _signed_in(app, username: str):
    client = app.test_client()
    client.post("/masuk", data={"username": username, "password": PASSWORD})
    return client


def run(scale: float | None = None, requests: int = 20) -> dict:
    """The SPM benchmark's Jawa Barat year; the first page of the victims list of an operator
    scoped to the busiest kab/kota (cold: the app's first request; warm: median and p95), and
    the province recap for that operator and for provincial pimpinan."""
    scale = scale if scale is not None else float(os.environ.get("BENCH_SPM_SCALE", "1"))
    with tempfile.TemporaryDirectory() as folder:
        app = bench_spm._app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            started = time.perf_counter()
            counts = bench_spm.generate(scale)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            setup_s = time.perf_counter() - started
            kab, listed = _busiest_kab_kota()
            plan = _query_plan(kab)
            _users(kab)
        operator = _signed_in(app, "op-kab")
        victims = time_requests(operator, "/korban/", requests)
        victims["warm_cpu_median_ms"] = _cpu_ms(operator, "/korban/", requests)
        result = {
            **counts,
            "setup_s": setup_s,
            "kab_kota": kab,
            "kab_kota_victims": listed,
            "plan": plan,
            **{f"list_{key}": value for key, value in victims.items()},
        }
        if "province_recap.index" in app.view_functions:
            result.update(_recap(app, operator, requests))
    return result


def _cpu_ms(client, url: str, requests: int) -> float:
    """The median CPU time of a warm request: on a machine others share, wall time measures
    their load as much as ours; the test client serves in this process, so this is all of it."""
    times = []
    for _ in range(requests):
        started = time.process_time()
        assert client.get(url).status_code == 200
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def _recap(app, operator, requests: int) -> dict:
    """The recap before the SPM engine has computed the year (every figure computed for the
    request), then after the SPM rebuild: cold (the kept figures computed once) and warm."""
    from logistics.spm.aggregates import rebuild

    url = "/laporan/rekap-provinsi/"
    started = time.perf_counter()
    assert operator.get(url).status_code == 200
    unkept_s = time.perf_counter() - started
    with app.app_context():
        rebuild(bench_spm.YEAR)
        db.session.commit()
    office = _signed_in(app, "prov-pimpinan")
    whole = time_requests(office, url, 5)
    whole["warm_cpu_median_ms"] = _cpu_ms(office, url, 5)
    scoped = time_requests(operator, url, 5)
    return {
        "recap_unkept_s": unkept_s,
        **{f"recap_scoped_{key}": value for key, value in scoped.items()},
        **{f"recap_office_{key}": value for key, value in whole.items()},
    }


def report(result: dict) -> str:
    lines = [
        f"{result['victims']:,} victims, {result['kab_kota']} has {result['kab_kota_victims']:,}",
        f"victims list, first page, scoped operator: warm median {result['list_warm_median_ms']:.0f}"
        f" ms, p95 {result['list_warm_p95_ms']:.0f} ms, cold {result['list_cold_ms']:.0f} ms,"
        f" CPU {result['list_warm_cpu_median_ms']:.0f} ms"
        f" (goal < {GOAL_MS} ms), {result['list_kb']:.0f} KB",
        f"query plan: {result['plan']}",
    ]
    if "recap_office_cold_ms" in result:
        lines.append(
            f"province recap before the SPM year is computed: {result['recap_unkept_s']:.1f} s"
        )
        for who in ("office", "scoped"):
            lines.append(
                f"province recap ({who}): warm median {result[f'recap_{who}_warm_median_ms']:.0f}"
                f" ms, p95 {result[f'recap_{who}_warm_p95_ms']:.0f} ms,"
                f" cold {result[f'recap_{who}_cold_ms']:.0f} ms"
            )
        lines.append(
            f"province recap (office), warm CPU: {result['recap_office_warm_cpu_median_ms']:.0f} ms"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
