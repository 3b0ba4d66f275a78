"""Budget (anggaran): the program/kegiatan/sub-kegiatan tree, yearly pagu and cash plan, realisation."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.spm_components import INDICATORS, SPM_COMPONENTS
from logistics.core.time import utcnow

BUDGET_LEVELS = {
    "program": "Program",
    "kegiatan": "Kegiatan",
    "sub_kegiatan": "Sub-kegiatan",
}
# Sumber dana of a budget line and of a payment (DOMAIN.md section 9).
FUNDING_SOURCES = {
    "dau": "DAU",
    "dak": "DAK",
    "dbh": "DBH",
    "pad": "PAD",
    "btt": "BTT (belanja tidak terduga)",
    "apbn": "APBN/Kemensos",
    "provinsi": "Bantuan keuangan provinsi",
    "hibah": "Hibah/CSR",
}
_FUNDING_CHECK = f"funding_source IS NULL OR funding_source IN {tuple(FUNDING_SOURCES)!r}"
# Amounts a plan's printed total can be checked on (pagu and the four quarters of the cash plan).
TOTAL_FIELDS = {
    "pagu_awal": "Pagu awal",
    "pagu_perubahan": "Pagu perubahan",
    "plan_q1": "Rencana triwulan I",
    "plan_q2": "Rencana triwulan II",
    "plan_q3": "Rencana triwulan III",
    "plan_q4": "Rencana triwulan IV",
}


class BudgetNode(db.Model):
    """One program, kegiatan or sub-kegiatan of the regional nomenclature, by its canonical code."""

    __tablename__ = "budget_nodes"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"level IN {tuple(BUDGET_LEVELS)!r}", name="level_known"),
        CheckConstraint(
            f"spm_component IS NULL OR spm_component IN {tuple(SPM_COMPONENTS)!r}",
            name="spm_component_known",
        ),
        CheckConstraint("(level = 'program') = (parent_id IS NULL)", name="parent_by_level"),
        CheckConstraint(
            f"indicator IS NULL OR indicator IN {tuple(INDICATORS)!r}", name="indicator_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Canonical form 1.06.06.2.01.0001; offices also write 1.06.06.02.01.0001.
    code: Mapped[str] = mapped_column(String(30), unique=True)
    level: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("budget_nodes.id"), index=True)
    spm_component: Mapped[str | None] = mapped_column(String(30), unique=True)
    # The performance indicator this level reports on (LKIP capaian kinerja); None: none.
    indicator: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["BudgetNode | None"] = relationship(remote_side=[id])


class BudgetLine(db.Model):
    """A level's budget in one fiscal year: pagu awal, pagu perubahan, quarterly cash plan.

    Any level may carry its own pagu (published budgets often give the pagu awal for the program
    only); the cash plan and the payments belong to sub-kegiatan.
    """

    __tablename__ = "budget_lines"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("node_id", "fiscal_year", name="uq_budget_lines_node_year"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("pagu_awal >= 0", name="pagu_awal_non_negative"),
        CheckConstraint(
            "pagu_perubahan IS NULL OR pagu_perubahan >= 0", name="pagu_perubahan_non_negative"
        ),
        CheckConstraint(
            "plan_q1 >= 0 AND plan_q2 >= 0 AND plan_q3 >= 0 AND plan_q4 >= 0",
            name="plan_non_negative",
        ),
        CheckConstraint(_FUNDING_CHECK, name="funding_source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("budget_nodes.id"))
    fiscal_year: Mapped[int]
    # Money is integer rupiah; a kota's yearly budget overflows a 32-bit integer. None: left
    # blank, the level above carries the figure.
    pagu_awal: Mapped[int | None] = mapped_column(BigInteger)
    # Set only once the APBD-P changes the line; None means the pagu awal is in force.
    pagu_perubahan: Mapped[int | None] = mapped_column(BigInteger)
    plan_q1: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_q2: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_q3: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_q4: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(String(255), default="")
    # Sumber dana; None while the office has not said.
    funding_source: Mapped[str | None] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    node: Mapped[BudgetNode] = relationship(lazy="joined")


class BudgetRealisation(db.Model):
    """One payment against a sub-kegiatan's budget (SP2D or other document), on its date."""

    __tablename__ = "budget_realisations"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_FUNDING_CHECK, name="funding_source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[int] = mapped_column(BigInteger)
    document_number: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(String(255), default="")
    # Sumber dana of this payment: the line's unless the payment came from elsewhere (BTT).
    funding_source: Mapped[str | None] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BudgetTotalFlag(db.Model):
    """A printed program/kegiatan total from an imported plan that disagrees with its parts."""

    __tablename__ = "budget_total_flags"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("node_id", "fiscal_year", "field", name="uq_budget_total_flags_node"),
        CheckConstraint(f"field IN {tuple(TOTAL_FIELDS)!r}", name="field_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("budget_nodes.id"))
    fiscal_year: Mapped[int] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(20))
    printed: Mapped[int] = mapped_column(BigInteger)
    # The sum of the parts when the file was read; the page also shows today's sum.
    computed: Mapped[int] = mapped_column(BigInteger)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_row: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    node: Mapped[BudgetNode] = relationship(lazy="joined")
