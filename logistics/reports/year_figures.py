"""Each fiscal year's Renstra figures, kept once computed until a write to that year changes them."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from logistics.core.extensions import db
from logistics.core.signals import years_changed
from logistics.core.time import utcnow
from logistics.reports import year_report
from logistics.reports.models import YearFigures


def _output(report: dict, indicator: str) -> dict:
    # The year report's own capaian: one computation of every figure.
    row = next(r for r in report["outputs"] if r["indicator"] == indicator)
    return {"target": row["target"], "realisasi": row["realisasi"], "capaian": row["capaian"]}


def from_report(report: dict) -> dict[str, dict]:
    """The cells of one year the Renstra table takes from that year's year-end report."""
    spm = report["indicator"]
    return {
        "capaian_spm": {
            "target": spm["target"],
            "realisasi": spm["persen"],
            "capaian": spm["capaian"],
        },
        "jiwa_tertangani": {
            "target": None,
            "realisasi": report["by_hazard_total"]["jiwa_handled"],
            "capaian": None,
        },
        "persen_korban_dibantu": _output(report, "persen_korban_dibantu"),
        "tagana": _output(report, "tagana"),
        "ksb": _output(report, "ksb"),
        "lumbung_sosial": _output(report, "lumbung_sosial"),
        "serapan": {
            "target": None,
            "realisasi": report["budget_total"]["serapan"],
            "capaian": None,
        },
    }


# JSON has no decimals: a Decimal is stored as its string, a count as a number.
def _encode(cells: dict) -> dict:
    return {
        key: {k: str(v) if isinstance(v, Decimal) else v for k, v in cell.items()}
        for key, cell in cells.items()
    }


def _decode(stored: dict) -> dict:
    return {
        key: {k: Decimal(v) if isinstance(v, str) else v for k, v in cell.items()}
        for key, cell in stored.items()
    }


def _upsert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def invalidate(session: Session, years: set[int]) -> None:
    """Receiver of years_changed: a new version of each year, in the writer's own transaction.

    A year with no row yet gets version 1, so figures being computed from version 0 at the same
    time are stored already stale.
    """
    insert = _upsert(session)
    statement = insert(YearFigures).values([{"year": y, "version": 1} for y in sorted(years)])
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["year"], set_={"version": YearFigures.version + 1}
        )
    )


def install_listeners() -> None:
    """Follow the writes the SPM tracking hooks and the year recompute report (idempotent)."""
    years_changed.connect(invalidate)


def version(year: int) -> int:
    """The year's current version; read before computing, so a write during it is not lost."""
    return db.session.scalar(select(YearFigures.version).where(YearFigures.year == year)) or 0


def store(year: int, cells: dict, computed_from: int) -> None:
    """Keep a year's cells as computed from version `computed_from` of its data."""
    values = {
        "figures": _encode(cells),
        "figures_version": computed_from,
        "computed_at": utcnow(),
    }
    insert = _upsert(db.session)
    db.session.execute(
        insert(YearFigures)
        .values(year=year, version=0, **values)
        .on_conflict_do_update(index_elements=["year"], set_=values)
    )


def compute(year: int) -> dict:
    """The year's cells from a fresh year-end report, stored for the next time."""
    computed_from = version(year)
    cells = from_report(year_report.build(year))
    store(year, cells, computed_from)
    return cells


def cells(years: list[int]) -> dict[int, dict]:
    """Per year: the stored cells while their version is current, otherwise computed now."""
    kept = {
        row.year: row
        for row in db.session.execute(
            select(
                YearFigures.year,
                YearFigures.version,
                YearFigures.figures,
                YearFigures.figures_version,
            ).where(YearFigures.year.in_(years))
        )
    }
    result = {}
    for year in years:
        row = kept.get(year)
        if row is not None and row.figures is not None and row.figures_version == row.version:
            result[year] = _decode(row.figures)
        else:
            result[year] = compute(year)
    return result


def refresh_if_kept(year: int) -> bool:
    """Recompute a year whose figures were kept before and are stale now (the worker, after the
    year's SPM table), so the Renstra view finds the current year ready; True if it did."""
    row = db.session.execute(
        select(YearFigures.version, YearFigures.figures_version).where(YearFigures.year == year)
    ).first()
    if row is None or row.figures_version is None or row.figures_version == row.version:
        return False  # never looked at (not worth a worker's time), or still current
    compute(year)
    return True
