"""SPM settings (standards, what "terpenuhi" means, targets) and the aggregate tables the workers keep."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from logistics.core.extensions import db

# The indicator lists live in core so that the budget tree can name them too.
from logistics.core.spm_components import (  # noqa: F401 - re-exported
    INDICATORS,
    OUTPUT_INDICATORS,
    SPM_COMPONENTS,
)
from logistics.core.time import utcnow
from logistics.events.models import PEOPLE_STATUSES

BASES = {"person": "per orang", "household": "per KK"}
PERIODS = {"day": "per hari", "event": "per kejadian"}
AGGREGATION_MODES = {
    "sum": "Dijumlah per triwulan",
    "level": "Tingkat tiap triwulan",
    "year_end": "Hanya akhir tahun",
}
ALL_COMPONENTS = "semua"  # the year row for "every component the person's status needs"


class SpmStandard(db.Model):
    """One standard quantity of a basic need, with its regulation and the date it applies from."""

    __tablename__ = "spm_standards"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("code", "valid_from", name="uq_spm_standards_version"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"basis IN {tuple(BASES)!r}", name="basis_known"),
        CheckConstraint(f"period IN {tuple(PERIODS)!r}", name="period_known"),
        CheckConstraint("days_from >= 1", name="days_from_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    need: Mapped[str] = mapped_column(String(120))
    component: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(10), default="person")
    period: Mapped[str] = mapped_column(String(8), default="day")
    days_from: Mapped[int] = mapped_column(default=1)
    days_to: Mapped[int | None]
    # The catalogue item whose stock covers this need (stock cover on the dashboard).
    item_code: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SpmMetRule(db.Model):
    """Office setting: a victim with this status is "terpenuhi" once served this component."""

    __tablename__ = "spm_met_rules"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("status", "component", name="uq_spm_met_rules"),
        CheckConstraint(f"status IN {tuple(PEOPLE_STATUSES)!r}", name="status_known"),
        CheckConstraint(f"component IN {tuple(SPM_COMPONENTS)!r}", name="component_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    component: Mapped[str] = mapped_column(String(20))


class SpmTarget(db.Model):
    """The target of one indicator for one fiscal year, with its own unit and aggregation mode."""

    __tablename__ = "spm_targets"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("year", "indicator", name="uq_spm_targets_year"),
        CheckConstraint("value >= 0", name="value_non_negative"),
        CheckConstraint(f"mode IN {tuple(AGGREGATION_MODES)!r}", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    indicator: Mapped[str] = mapped_column(String(30))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(20), default="orang")
    mode: Mapped[str] = mapped_column(String(10), default="sum")
    lower_is_better: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SpmDaily(db.Model):
    """Aggregate: persons needing and served per event x day x kelurahan x shelter x component.

    shelter_key is the shelter id, or 0 for people outside shelters; estimated marks rows whose
    needs come from rapid-assessment figures because the kelurahan has no registry yet.
    """

    __tablename__ = "spm_daily"
    __table_args__ = (
        UniqueConstraint(
            "event_id", "day", "kelurahan_code", "shelter_key", "component", name="uq_spm_daily"
        ),
        Index("ix_spm_daily_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    day: Mapped[date]
    kelurahan_code: Mapped[str] = mapped_column(String(20))
    shelter_key: Mapped[int] = mapped_column(default=0)
    component: Mapped[str] = mapped_column(String(20))
    persons_needing: Mapped[int] = mapped_column(default=0)
    households_needing: Mapped[int] = mapped_column(default=0)
    persons_delivered: Mapped[int] = mapped_column(default=0)
    portions_delivered: Mapped[int] = mapped_column(default=0)
    estimated: Mapped[bool] = mapped_column(default=False)


class SpmYear(db.Model):
    """Aggregate: distinct persons needing, served and met per fiscal year (quarter 0 = whole year)."""

    __tablename__ = "spm_year"
    __table_args__ = (UniqueConstraint("year", "quarter", "component", name="uq_spm_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int] = mapped_column(default=0)
    component: Mapped[str] = mapped_column(String(20))
    persons_needing: Mapped[int] = mapped_column(default=0)
    persons_served: Mapped[int] = mapped_column(default=0)
    persons_met: Mapped[int] = mapped_column(default=0)
    persons_estimated: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpmStale(db.Model):
    """An (event, day) whose aggregates missed an update because the queue was down.

    day None means the whole event. The next rebuild or catch-up job clears the row.
    """

    __tablename__ = "spm_stale"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    day: Mapped[date | None]
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
