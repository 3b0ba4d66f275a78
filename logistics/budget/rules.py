"""Pure budget arithmetic of the LKIP: totals of the tree, serapan, capaian, efisiensi, rounding."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# The percentages themselves are defined once, for SPM and budget alike.
from logistics.core.lkip import (  # noqa: F401 - re-exported as this module's arithmetic
    PERCENT_PLACES,
    capaian,
    efisiensi,
    percentage,
    round_half_up,
    serapan_printed,
)

QUARTERS = (1, 2, 3, 4)


def pagu_in_force(pagu_awal: int | None, pagu_perubahan: int | None) -> int | None:
    """The pagu that counts: the pagu perubahan once the APBD-P set one, else the pagu awal
    (None when neither is known at this level)."""
    return pagu_awal if pagu_perubahan is None else pagu_perubahan


def serapan(
    realisasi: int, pagu_awal: int | None, pagu_perubahan: int | None = None
) -> Decimal | None:
    """Serapan anggaran (%) = realisasi / pagu x 100, on the pagu perubahan when there is one."""
    return percentage(realisasi, pagu_in_force(pagu_awal, pagu_perubahan) or 0)


def quarter_of(day: date) -> int:
    """The fiscal quarter (triwulan) of a date; the Indonesian fiscal year is the calendar year."""
    return (day.month - 1) // 3 + 1


@dataclass
class Amounts:
    """The money of one row of the tree: pagu, quarterly cash plan and quarterly realisation.

    pagu_awal is None where the row has no figure of its own and none of its parts has one.
    """

    pagu_awal: int | None = 0
    pagu_perubahan: int | None = None
    plan: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    realised: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    @property
    def pagu(self) -> int | None:
        return pagu_in_force(self.pagu_awal, self.pagu_perubahan)

    @property
    def plan_total(self) -> int:
        return sum(self.plan)

    @property
    def realisasi(self) -> int:
        return sum(self.realised)

    @property
    def sisa(self) -> int | None:
        return None if self.pagu is None else self.pagu - self.realisasi

    @property
    def serapan(self) -> Decimal | None:
        return serapan(self.realisasi, self.pagu_awal, self.pagu_perubahan)

    def value(self, name: str) -> int | None:
        """An amount by the name a plan file prints a total for (pagu_awal, plan_q1, ...).

        Unchanged parts have no pagu perubahan; a printed perubahan is then compared with the
        pagu in force, so a plan that repeats the pagu awal under "perubahan" agrees.
        """
        if name.startswith("plan_q"):
            return self.plan[int(name[-1]) - 1]
        if name == "pagu_perubahan":
            return self.pagu
        return getattr(self, name)


def total(parts: Iterable[Amounts]) -> Amounts:
    """The sum of a kegiatan's or program's parts.

    The pagu awal of the whole is the sum of the parts that have one (None when none has). The
    pagu perubahan of the whole exists once any part was changed: it is then the sum of what is
    in force in every part (changed parts at their new pagu, the others at their awal).
    """
    parts = list(parts)
    known = [p.pagu_awal for p in parts if p.pagu_awal is not None]
    changed = any(p.pagu_perubahan is not None for p in parts)
    return Amounts(
        pagu_awal=sum(known) if known else None,
        pagu_perubahan=sum(p.pagu or 0 for p in parts) if changed else None,
        plan=[sum(p.plan[q] for p in parts) for q in range(4)],
        realised=[sum(p.realised[q] for p in parts) for q in range(4)],
    )


# The pagu fields a level may carry itself; the cash plan is always the sum of sub-kegiatan.
PAGU_FIELDS = ("pagu_awal", "pagu_perubahan")


@dataclass(frozen=True)
class Disagreement:
    """A level's own pagu that is not the sum of its parts' figures."""

    field: str
    own: int
    parts: int

    @property
    def difference(self) -> int:
        return self.own - self.parts


def _parts_figure(parts: list[Amounts], name: str) -> tuple[int | None, bool]:
    """(sum of the parts' figures for a pagu field, whether every part has one)."""
    if name == "pagu_awal":
        figures = [p.pagu_awal for p in parts]
    else:
        if not any(p.pagu_perubahan is not None for p in parts):
            return None, False
        figures = [p.pagu for p in parts]
    known = [f for f in figures if f is not None]
    return (sum(known) if known else None), len(known) == len(parts)


def with_own(parts: list[Amounts], own: Amounts | None) -> tuple[Amounts, list[Disagreement]]:
    """A kegiatan's or program's amounts: its own pagu where it has one, the sum of its parts
    otherwise; and the own figures that disagree with the parts.

    A part left blank is covered by the level above, so a partial sum only disagrees when it
    exceeds the own figure; when every part has a figure, any difference disagrees.
    """
    result = total(parts)
    found: list[Disagreement] = []
    if own is None:
        return result, found
    for name in PAGU_FIELDS:
        mine = getattr(own, name)
        if mine is None:
            continue
        summed, complete = _parts_figure(parts, name)
        if summed is not None and (summed > mine or (complete and summed != mine)):
            found.append(Disagreement(name, mine, summed))
        setattr(result, name, mine)
    return result, found


_DEPTH = {"program": 0, "kegiatan": 1, "sub_kegiatan": 2}


def tree_amounts(
    nodes: Iterable[tuple[str, str]], lines: dict[str, Amounts]
) -> dict[str, tuple[Amounts, list[Disagreement]]]:
    """code -> (amounts, disagreements) of every (code, level) in the tree, bottom up.

    A sub-kegiatan has its own line (pagu blank where the line has none); a kegiatan or program
    has its own pagu where its line carries one and the sum of its parts otherwise. The cash
    plan and the realisation are always the sums of the sub-kegiatan.
    """
    levels = dict(nodes)
    result: dict[str, tuple[Amounts, list[Disagreement]]] = {}
    for code in sorted(levels, key=lambda c: -_DEPTH[levels[c]]):
        level = levels[code]
        own = lines.get(code)
        if level == "sub_kegiatan":
            result[code] = (own or Amounts(pagu_awal=None), [])
            continue
        prefix = code + "."
        depth = _DEPTH[level] + 1
        parts = [
            result[c][0]
            for c in levels
            if c.startswith(prefix) and _DEPTH[levels[c]] == depth and c in result
        ]
        result[code] = with_own(parts, own)
    return result
