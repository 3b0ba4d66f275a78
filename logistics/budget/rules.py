"""Pure budget arithmetic of the LKIP: totals of the tree, serapan, capaian, efisiensi, rounding."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

QUARTERS = (1, 2, 3, 4)
# Printed percentages carry two decimals (DOMAIN.md section 9).
PERCENT_PLACES = 2


def round_half_up(value: Fraction | Decimal | int | float, places: int = PERCENT_PLACES) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (72,385 -> 72,39).

    Python's round() and Babel round halves to even and would print 72,38; the LKIP and every
    spreadsheet the office checks against round halves up. A Fraction is taken exactly, so
    realisasi/pagu never meets a binary float on its way to the last digit.
    """
    if isinstance(value, float):
        # A float typed as 2.675 is stored as 2.67499...; round what the person wrote.
        value = Decimal(repr(value))
    scaled = abs(Fraction(value)) * 10**places
    # floor(x + 1/2) on the exact fraction: halves go up, everything else to the nearest.
    magnitude = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    sign = -1 if value < 0 else 1
    return Decimal(sign * magnitude).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def pagu_in_force(pagu_awal: int, pagu_perubahan: int | None) -> int:
    """The pagu that counts: the pagu perubahan once the APBD-P set one, else the pagu awal."""
    return pagu_awal if pagu_perubahan is None else pagu_perubahan


def percentage(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole x 100, rounded half up to two decimals; None when the whole is zero."""
    if not whole:
        return None
    return round_half_up(Fraction(part) / Fraction(whole) * 100)


def serapan(realisasi: int, pagu_awal: int, pagu_perubahan: int | None = None) -> Decimal | None:
    """Serapan anggaran (%) = realisasi / pagu x 100, on the pagu perubahan when there is one."""
    return percentage(realisasi, pagu_in_force(pagu_awal, pagu_perubahan))


def capaian(
    realisasi: int | Decimal, target: int | Decimal, *, lower_is_better: bool = False
) -> Decimal | None:
    """Capaian kinerja (%) = realisasi / target x 100, or target / realisasi x 100 when lower is better.

    None when the divisor is zero: a target of nothing has no percentage to report.
    """
    if lower_is_better:
        return percentage(target, realisasi)
    return percentage(realisasi, target)


def efisiensi(capaian_kinerja: Decimal | None, serapan_anggaran: Decimal | None) -> Decimal | None:
    """Efisiensi (%) = capaian kinerja - serapan anggaran, from the two printed (rounded) figures.

    Subtracting the rounded figures keeps the printed row consistent: a reader who checks
    72,39 - 60,12 must find 12,27, not a value one hundredth off.
    """
    if capaian_kinerja is None or serapan_anggaran is None:
        return None
    return round_half_up(capaian_kinerja) - round_half_up(serapan_anggaran)


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
