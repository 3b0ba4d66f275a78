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
)

QUARTERS = (1, 2, 3, 4)


def pagu_in_force(pagu_awal: int, pagu_perubahan: int | None) -> int:
    """The pagu that counts: the pagu perubahan once the APBD-P set one, else the pagu awal."""
    return pagu_awal if pagu_perubahan is None else pagu_perubahan


def serapan(realisasi: int, pagu_awal: int, pagu_perubahan: int | None = None) -> Decimal | None:
    """Serapan anggaran (%) = realisasi / pagu x 100, on the pagu perubahan when there is one."""
    return percentage(realisasi, pagu_in_force(pagu_awal, pagu_perubahan))


def quarter_of(day: date) -> int:
    """The fiscal quarter (triwulan) of a date; the Indonesian fiscal year is the calendar year."""
    return (day.month - 1) // 3 + 1


@dataclass
class Amounts:
    """The money of one row of the tree: pagu, quarterly cash plan and quarterly realisation."""

    pagu_awal: int = 0
    pagu_perubahan: int | None = None
    plan: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    realised: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    @property
    def pagu(self) -> int:
        return pagu_in_force(self.pagu_awal, self.pagu_perubahan)

    @property
    def plan_total(self) -> int:
        return sum(self.plan)

    @property
    def realisasi(self) -> int:
        return sum(self.realised)

    @property
    def sisa(self) -> int:
        return self.pagu - self.realisasi

    @property
    def serapan(self) -> Decimal | None:
        return serapan(self.realisasi, self.pagu_awal, self.pagu_perubahan)

    def value(self, name: str) -> int:
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
    """The sum of a kegiatan's or program's parts; its totals are never typed.

    The pagu perubahan of the whole exists once any part was changed: it is then the sum of
    what is in force in every part (changed parts at their new pagu, the others at their awal).
    """
    parts = list(parts)
    changed = any(p.pagu_perubahan is not None for p in parts)
    return Amounts(
        pagu_awal=sum(p.pagu_awal for p in parts),
        pagu_perubahan=sum(p.pagu for p in parts) if changed else None,
        plan=[sum(p.plan[q] for p in parts) for q in range(4)],
        realised=[sum(p.realised[q] for p in parts) for q in range(4)],
    )
