"""Year-end report benchmark: the SPM issue's province-scale year, then the report's XLSX and PDF."""

import os
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from bench import bench_spm
from logistics.core.extensions import db

GOAL_S = 30.0


def _budget_and_targets(year: int) -> None:
    """The standard tree with a pagu and one payment per sub-kegiatan, and a target per indicator."""
    from logistics.budget import services as budget
    from logistics.spm import settings as spm_settings

    budget.seed_structure()
    for number, node in enumerate(n for n in budget.list_nodes() if n.level == "sub_kegiatan"):
        pagu = 1_000_000_000 + number * 250_000_000
        budget.set_budget(node, year, pagu_awal=pagu)
        budget.record_realisation(
            node,
            year,
            paid_on=date(year, 6, 30),
            amount_value=pagu * 7 // 10,
            today=date(year, 12, 31),
        )
    for indicator, value, unit in (
        ("permakanan", 100_000, "orang"),
        ("sandang", 50_000, "orang"),
        ("tempat_penampungan", 40_000, "orang"),
        ("kelompok_rentan", 30_000, "orang"),
        ("psikososial", 20_000, "orang"),
        ("capaian_spm", 100, "%"),
        ("persen_korban_dibantu", 100, "%"),
        ("tagana", 65, "orang"),
        ("ksb", 3, "KSB"),
        ("lumbung_sosial", 12, "kelurahan"),
    ):
        spm_settings.save_target(
            {"year": year, "indicator": indicator, "value": value, "unit": unit}
        )
    db.session.commit()


def measure(year: int = bench_spm.YEAR) -> dict:
    """Inside the scenario's app context, SPM tables rebuilt: time build + XLSX + PDF."""
    _budget_and_targets(year)
    return timed(year)


def timed(year: int) -> dict:
    """Build + XLSX + PDF of a year whose budget and targets are in place, each timed."""
    from logistics.reports import year_report

    started = time.perf_counter()
    report = year_report.build(year)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    xlsx = year_report.xlsx_bytes(report)
    xlsx_s = time.perf_counter() - started
    started = time.perf_counter()
    pdf = year_report.pdf_bytes(report)
    pdf_s = time.perf_counter() - started
    total = report["by_hazard_total"]
    return {
        "build_s": build_s,
        "xlsx_s": xlsx_s,
        "pdf_s": pdf_s,
        "report_s": build_s + xlsx_s + pdf_s,
        "region_rows": len(report["by_region"]),
        "region_level": report["region_level"],
        "jiwa_affected": total["jiwa_affected"],
        "jiwa_handled": total["jiwa_handled"],
        "xlsx_kb": len(xlsx) // 1024,
        "pdf_kb": len(pdf) // 1024,
    }


def run(scale: float | None = None) -> dict:
    """On its own: generate the province-scale year, rebuild the SPM tables, then measure()."""
    from logistics.spm.aggregates import rebuild

    scale = scale if scale is not None else float(os.environ.get("BENCH_SPM_SCALE", "1"))
    with tempfile.TemporaryDirectory() as folder:
        app = bench_spm._app(Path(folder))
        with app.app_context():
            counts = bench_spm.generate(scale)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            rebuild(bench_spm.YEAR)
            db.session.commit()
            return {**counts, "scale": scale, **measure()}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<20} {value:.2f}" if isinstance(value, float) else f"{key:<20} {value}")
