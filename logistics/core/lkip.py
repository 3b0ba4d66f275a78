"""The one definition of the LKIP percentages (capaian, serapan, efisiensi) and their rounding.

Standard library only: the SPM and budget arithmetic (spm/rules.py, budget/rules.py) both use it,
so a capaian is the same number on the SPM dashboard, the budget tree and the year-end report.
"""

from decimal import Decimal
from fractions import Fraction

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


def percentage(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole x 100, rounded half up to two decimals; None when the whole is zero."""
    if not whole:
        return None
    return round_half_up(Fraction(part) / Fraction(whole) * 100)


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
