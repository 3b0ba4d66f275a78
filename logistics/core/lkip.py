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


# How a LKIP prints serapan before taking efisiensi from it: as a whole percent (many offices:
# capaian 95, serapan printed 81 -> efisiensi 14) or with two decimals. The office chooses.
SERAPAN_ROUNDINGS = {
    0: "Bulat (seperti LKIP: serapan 81%, efisiensi = capaian - 81)",
    2: "Dua desimal (serapan 81,23%, efisiensi = capaian - 81,23)",
}
LKIP_SERAPAN_PLACES = 0


def serapan_printed(
    serapan_anggaran: Decimal | None, places: int = LKIP_SERAPAN_PLACES
) -> Decimal | None:
    """The serapan as the office's LKIP prints it (whole percent by default), halves up."""
    if serapan_anggaran is None:
        return None
    return round_half_up(serapan_anggaran, places)


def efisiensi(
    capaian_kinerja: Decimal | None,
    serapan_anggaran: Decimal | None,
    serapan_places: int = PERCENT_PLACES,
) -> Decimal | None:
    """Efisiensi (%) = capaian kinerja - serapan anggaran, from the two printed (rounded) figures.

    Subtracting the rounded figures keeps the printed row consistent: a reader who checks
    72,39 - 60,12 must find 12,27, not a value one hundredth off. serapan_places is how the
    office prints serapan (0 for the whole-percent LKIP convention).
    """
    if capaian_kinerja is None or serapan_anggaran is None:
        return None
    return round_half_up(capaian_kinerja) - serapan_printed(serapan_anggaran, serapan_places)
