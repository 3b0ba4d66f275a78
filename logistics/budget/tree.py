"""The year's budget tree: each level's amounts (own pagu or the sum of its parts) and its flags."""

from dataclasses import dataclass, field

from sqlalchemy import select

from logistics.budget import funding
from logistics.budget import rules as budget_math
from logistics.budget.models import (
    TOTAL_FIELDS,
    BudgetLine,
    BudgetNode,
    BudgetRealisation,
    BudgetTotalFlag,
)
from logistics.budget.rules import Amounts
from logistics.core.extensions import db


@dataclass
class TreeRow:
    """One row of the year's tree: a level's own pagu where it has one, else its parts' sum."""

    code: str
    name: str
    level: str
    amounts: Amounts
    node_id: int | None = None
    spm_component: str | None = None
    flags: list[BudgetTotalFlag] = field(default_factory=list)
    funding: str = ""  # sumber dana as printed: 'DAU', or every source of a total's parts
    # Own pagu figures that are not the sum of the parts' figures.
    disagreements: list[budget_math.Disagreement] = field(default_factory=list)
    indicator: str | None = None  # the performance indicator the level reports on

    @property
    def depth(self) -> int:
        return {"program": 0, "kegiatan": 1, "sub_kegiatan": 2}[self.level]


def line_amounts(year: int) -> dict[str, Amounts]:
    """code -> Amounts of every level with a budget line in the year (payments: sub-kegiatan)."""
    result: dict[str, Amounts] = {}
    lines = db.session.execute(
        select(BudgetNode.code, BudgetLine)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .where(BudgetLine.fiscal_year == year)
    ).all()
    for code, line in lines:
        result[code] = Amounts(
            pagu_awal=line.pagu_awal,
            pagu_perubahan=line.pagu_perubahan,
            plan=[line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4],
        )
    paid = db.session.execute(
        select(BudgetNode.code, BudgetRealisation.paid_on, BudgetRealisation.amount)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .join(BudgetRealisation, BudgetRealisation.line_id == BudgetLine.id)
        .where(BudgetLine.fiscal_year == year)
    ).all()
    for code, paid_on, value in paid:
        result[code].realised[budget_math.quarter_of(paid_on) - 1] += value
    return result


def node_levels() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(select(BudgetNode.code, BudgetNode.level))]


def year_amounts(
    year: int, lines: dict[str, Amounts] | None = None, extra: list[tuple[str, str]] = ()
) -> dict[str, tuple[Amounts, list[budget_math.Disagreement]]]:
    """code -> (amounts, disagreements) of every node for the year (see rules.tree_amounts);
    lines and extra nodes let an import see the tree as it will stand."""
    return budget_math.tree_amounts(
        [*node_levels(), *extra], line_amounts(year) if lines is None else lines
    )


def year_tree(year: int) -> list[TreeRow]:
    """Every node in code order with its amounts for the year and its flagged disagreements."""
    amounts = year_amounts(year)
    flags: dict[int, list[BudgetTotalFlag]] = {}
    for flag in db.session.scalars(
        select(BudgetTotalFlag).where(BudgetTotalFlag.fiscal_year == year)
    ):
        flags.setdefault(flag.node_id, []).append(flag)
    order = list(TOTAL_FIELDS)
    sources = funding.sources_by_code(year)
    return [
        TreeRow(
            code=node.code,
            name=node.name,
            level=node.level,
            amounts=amounts[node.code][0],
            node_id=node.id,
            spm_component=node.spm_component,
            flags=sorted(flags.get(node.id, []), key=lambda f: order.index(f.field)),
            funding=funding.label(node.code, sources),
            disagreements=amounts[node.code][1],
            indicator=node.indicator,
        )
        for node in db.session.scalars(select(BudgetNode).order_by(BudgetNode.code))
    ]
