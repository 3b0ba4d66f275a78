"""Renstra (multi-year) view benchmark: five province-scale years, cold, warm and after one change."""

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text

from bench import bench_spm, bench_year_report
from bench.timing import time_requests
from logistics.core.extensions import db

GOAL_S = 5.0
YEARS = 5
LAST = bench_spm.YEAR
FIRST = LAST - YEARS + 1

# Per table of the generated year: the columns a copy shifts to another year. Ids move by an
# offset per copy; dates and timestamps by whole years. Persons and households are shared: the
# same population is hit again in other years.
ID_COLUMNS = {
    "events": {"id": "events"},
    "shelters": {"id": "shelters", "event_id": "events"},
    "shelter_counts": {"shelter_id": "shelters"},
    "impact_figures": {"event_id": "events"},
    "victims": {"event_id": "events", "shelter_id": "shelters"},
    "distributions": {"id": "distributions", "event_id": "events", "shelter_id": "shelters"},
    "distribution_recipients": {"distribution_id": "distributions"},
}
DATE_COLUMNS = {
    "events": ("started_at",),
    "shelter_counts": ("counted_on",),
    "distributions": ("distributed_on",),
}


def _copy_year(back: int, base: dict[str, int]) -> None:
    """Copy the generated year `back` years earlier (SQLite, one INSERT ... SELECT per table);
    `base` holds the generated year's highest id of each table other rows point at."""
    year = LAST - back
    for table, shifted in ID_COLUMNS.items():
        # Rows no copied row points at take new ids.
        columns = [c.name for c in db.metadata.tables[table].columns]
        if "id" not in shifted:
            columns.remove("id")
        values = []
        for name in columns:
            if name in shifted:
                values.append(f"{name} + {back * base[shifted[name]]}")
            elif name in DATE_COLUMNS.get(table, ()):
                function = "datetime" if table == "events" else "date"
                values.append(f"{function}({name}, '-{back} years')")
            elif table == "events" and name == "year":
                values.append(str(year))
            elif table == "events" and name == "code":
                values.append(f"'32-{year}-' || substr('00000' || seq, -5)")
            else:
                values.append(name)
        # Only the generated year's rows: the one its first id column points at.
        key, parent = next(iter(shifted.items()))
        db.session.execute(
            text(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
                f" FROM {table} WHERE {key} <= {base[parent]}"
            )
        )
    db.session.commit()


def generate(scale: float) -> dict:
    """The SPM benchmark's Jawa Barat year, then the same year copied into the four before it."""
    counts = bench_spm.generate(scale)
    base = {
        table: db.session.scalar(text(f"SELECT MAX(id) FROM {table}")) or 0
        for table in ("events", "shelters", "distributions")
    }
    for back in range(1, YEARS):
        _copy_year(back, base)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return counts


def _prepare(years: list[int]) -> float:
    """Every year's SPM tables, budget with realisation and targets; returns the rebuild seconds."""
    from logistics.spm.aggregates import rebuild

    started = time.perf_counter()
    for year in years:
        rebuild(year)
        db.session.commit()
    rebuild_s = time.perf_counter() - started
    for year in years:
        bench_year_report._budget_and_targets(year)
    return rebuild_s


def _change_one_year(year: int) -> None:
    """A payment recorded late against a past year: that year's figures must be recomputed."""
    from logistics.budget import services as budget

    node = next(n for n in budget.list_nodes() if n.level == "sub_kegiatan")
    budget.record_realisation(
        node, year, paid_on=date(year, 12, 30), amount_value=1_000_000, today=date(year, 12, 31)
    )
    db.session.commit()


def run(scale: float | None = None, requests: int = 5) -> dict:
    """Five years of the SPM benchmark's scenario; the Renstra page cold, warm, after a change in
    one past year, and the year-end report of one of the five years (build + XLSX + PDF)."""
    from logistics.admin.users import create_user
    from logistics.reports.models import YearFigures

    scale = scale if scale is not None else float(os.environ.get("BENCH_SPM_SCALE", "1"))
    years = list(range(FIRST, LAST + 1))
    url = f"/laporan/renstra/?mulai={FIRST}"
    with tempfile.TemporaryDirectory() as folder:
        app = bench_spm._app(Path(folder))
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            started = time.perf_counter()
            counts = generate(scale)
            setup_s = time.perf_counter() - started
            rebuild_s = _prepare(years)
            create_user("bench", "bench-password", "pimpinan")
            db.session.commit()
        client = app.test_client()
        client.post("/masuk", data={"username": "bench", "password": "bench-password"})
        page = time_requests(client, url, requests)
        with app.app_context():
            kept = db.session.scalar(select(func.count()).select_from(YearFigures))
            _change_one_year(LAST - 2)
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        changed_s = time.perf_counter() - started
        again = time_requests(client, url, requests)
        with app.app_context():
            report = bench_year_report.timed(LAST - 2)
            lines = db.session.scalar(text("SELECT COUNT(*) FROM distribution_recipients"))
    return {
        **counts,
        "scale": scale,
        "years": YEARS,
        "recipient_lines_all_years": lines,
        "setup_s": setup_s,
        "spm_rebuild_all_years_s": rebuild_s,
        "cold_s": page["cold_ms"] / 1000,
        "warm_median_s": page["warm_median_ms"] / 1000,
        "warm_p95_s": page["warm_p95_ms"] / 1000,
        "years_kept": kept,
        "one_year_changed_s": changed_s,
        "warm_again_median_s": again["warm_median_ms"] / 1000,
        "page_kb": page["kb"],
        **{f"report_{key}": value for key, value in report.items()},
    }


def report(result: dict) -> str:
    return "\n".join(
        f"{key:<28} {value:.2f}" if isinstance(value, float) else f"{key:<28} {value}"
        for key, value in result.items()
    )


if __name__ == "__main__":
    print(report(run()))
