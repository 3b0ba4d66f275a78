"""Generated report files (sitrep, year-end report) and the day's notes an operator adds to a sitrep."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from logistics.core.extensions import db
from logistics.core.time import utcnow

REPORT_KINDS = {"sitrep": "Laporan situasi harian", "year_end": "Laporan akhir tahun"}
REPORT_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


class ReportFile(db.Model):
    """One generated file, kept in the database so a worker on any machine can hand it to the web app."""

    __tablename__ = "report_files"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(REPORT_KINDS)!r}", name="kind_known"),
        CheckConstraint(f"format IN {tuple(REPORT_FORMATS)!r}", name="format_known"),
        # "The latest sitrep of event 12 for 2026-11-21 as PDF" is the common lookup.
        Index("ix_report_files_lookup", "kind", "key", "format", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    # What the report is of: "event:12:2026-11-21" for a sitrep, "year:2026" for a year-end report.
    key: Mapped[str] = mapped_column(String(60))
    format: Mapped[str] = mapped_column(String(6))
    filename: Mapped[str] = mapped_column(String(160))
    size: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # The see codes of the scope it was made for ("17.01"); None for the whole office area. A
    # file is offered and served only to users of the same scope: it may hold their area only.
    scope: Mapped[str | None] = mapped_column(String(200))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SitrepNote(db.Model):
    """What the office writes into one day's sitrep of an event: problems met and actions taken."""

    __tablename__ = "sitrep_notes"
    __audit__ = True
    __table_args__ = (UniqueConstraint("event_id", "day", name="uq_sitrep_notes_event_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    day: Mapped[date]
    problems: Mapped[str] = mapped_column(Text, default="")  # kendala
    actions: Mapped[str] = mapped_column(Text, default="")  # upaya / tindak lanjut
    needs: Mapped[str] = mapped_column(Text, default="")  # kebutuhan mendesak
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class YearFigures(db.Model):
    """One fiscal year's figures of the Renstra view, kept so five years need not be rebuilt.

    version goes up with every write to the year's data; figures are valid while the version
    they were computed from (figures_version, read before computing) is still the current one.
    """

    __tablename__ = "year_figures"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
    figures: Mapped[dict | None] = mapped_column(JSON)
    figures_version: Mapped[int | None]
    computed_at: Mapped[datetime | None]


class RecapFigures(db.Model):
    """A year's victims and SPM figures per kab/kota for the province recap, kept while the SPM
    engine's year row they go with (spm_stamp: its computed_at) is the current one."""

    __tablename__ = "recap_figures"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    spm_stamp: Mapped[datetime | None]
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
