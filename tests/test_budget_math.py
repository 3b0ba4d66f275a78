"""Budget arithmetic without an app: rounding half up, serapan, capaian, efisiensi, tree totals."""

from decimal import Decimal
from fractions import Fraction

import pytest

from logistics.budget import rules as budget_math
from logistics.budget.rules import Amounts, capaian, efisiensi, round_half_up, serapan, total
from logistics.core.formatting import persen, rupiah


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("72.385"), "72.39"),  # Python's round() and Babel would give 72.38 (half even)
        (Decimal("72.375"), "72.38"),
        (Decimal("0.125"), "0.13"),
        (Decimal("2.675"), "2.68"),
        (2.675, "2.68"),  # the float as typed, not its binary neighbour 2.67499...
        (Decimal("72.3849999"), "72.38"),
        (Decimal("-1.005"), "-1.01"),
        (Decimal("-0.004"), "0.00"),
        (Fraction(200, 3), "66.67"),
        (100, "100.00"),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == Decimal(expected)
    assert str(round_half_up(value)) == expected


def test_round_half_up_to_whole_numbers():
    assert round_half_up(Decimal("72.5"), 0) == Decimal(73)
    assert round_half_up(Decimal("73.5"), 0) == Decimal(74)


def test_serapan_uses_pagu_perubahan_when_present():
    # 723.850 of 1.000.000 is exactly 72,385%: rounds up to 72,39
    assert serapan(723_850, 1_000_000) == Decimal("72.39")
    assert serapan(723_850, 1_000_000, 800_000) == Decimal("90.48")  # 90,48125
    assert serapan(0, 0) is None
    assert serapan(5, 0, None) is None
    assert serapan(0, 100, 0) is None  # the APBD-P took the whole line away


def test_serapan_edge_half_on_large_rupiah():
    # Rp 2.324.516.984 of a pagu chosen so the exact ratio ends in 5 at the third decimal
    pagu = 3_200_000_000
    realised = 2_316_320_000  # 72,385% exactly
    assert serapan(realised, pagu) == Decimal("72.39")
    assert persen(serapan(realised, pagu)) == "72,39%"
    assert rupiah(2_324_516_984) == "Rp 2.324.516.984"


def test_capaian_and_lower_is_better():
    assert capaian(700, 800) == Decimal("87.50")
    assert capaian(Decimal("1447.4"), 2000) == Decimal("72.37")
    # lower is better: target 10 days of response, realised 8 -> 125%
    assert capaian(8, 10, lower_is_better=True) == Decimal("125.00")
    assert capaian(5, 0) is None
    assert capaian(0, 10, lower_is_better=True) is None


def test_efisiensi_subtracts_the_printed_figures():
    assert efisiensi(Decimal("87.50"), Decimal("72.39")) == Decimal("15.11")
    # raw 90.004 - 72.385 = 17.619 would print 17,62; the printed row reads 90,00 - 72,39 = 17,61
    assert efisiensi(Decimal("90.004"), Decimal("72.385")) == Decimal("17.61")
    assert efisiensi(None, Decimal("1")) is None
    assert efisiensi(Decimal("50"), Decimal("80")) == Decimal("-30.00")


def test_quarter_of():
    from datetime import date

    assert [budget_math.quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_total_of_parts_and_pagu_perubahan_of_the_whole():
    a = Amounts(pagu_awal=100, plan=[25, 25, 25, 25], realised=[10, 0, 0, 0])
    b = Amounts(pagu_awal=200, pagu_perubahan=150, plan=[50, 50, 50, 0], realised=[0, 30, 0, 0])
    whole = total([a, b])
    assert whole.pagu_awal == 300
    assert whole.pagu_perubahan == 250  # 100 unchanged + 150 changed
    assert whole.pagu == 250
    assert whole.plan == [75, 75, 75, 25]
    assert whole.realised == [10, 30, 0, 0]
    assert whole.realisasi == 40 and whole.sisa == 210
    assert whole.serapan == Decimal("16.00")
    unchanged = total([a, Amounts(pagu_awal=50)])
    assert unchanged.pagu_perubahan is None and unchanged.pagu == 150
    assert total([]).pagu is None and total([]).serapan is None  # no figure, not zero
    assert whole.value("plan_q4") == 25 and unchanged.value("pagu_perubahan") == 150


def test_spm_and_budget_capaian_are_one_definition():
    """The SPM dashboard and the budget tree print the same capaian for the same figures."""
    from logistics.budget import rules as budget_rules
    from logistics.spm import rules as spm_rules

    for realisasi, target, lower in (
        (1447700, 2000000, False),
        (5, 4, True),
        (1, 3, False),
        (0, 7, False),
        (7, 0, False),
        (0, 4, True),
    ):
        assert spm_rules.capaian(realisasi, target, lower) == budget_rules.capaian(
            Decimal(realisasi), Decimal(target), lower_is_better=lower
        )
    assert spm_rules.capaian(1447700, 2000000) == Decimal("72.39")
    assert spm_rules.spm_achievement(2, 3) == budget_rules.percentage(2, 3) == Decimal("66.67")
