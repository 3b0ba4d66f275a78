"""The pure SPM arithmetic, checked by hand without an app or a database."""

from datetime import date
from decimal import Decimal

import pytest

from logistics.spm import rules as spm

BERAS = spm.Standard("beras", Decimal("0.4"), "kg", source="Perka BNPB 7/2008")
FAMILY_KIT = spm.Standard("family_kit", Decimal(1), "paket", basis="household", period="event")
WATER_EARLY = spm.Standard("air_bersih_awal", Decimal(7), "liter", days_from=1, days_to=3)
WATER_LATER = spm.Standard("air_bersih", Decimal(15), "liter", days_from=4)


def test_need_per_person_per_day():
    # 250 persons x 0.4 kg x 7 days = 700 kg
    assert spm.need(BERAS, persons=250, days=7) == Decimal("700.0")


def test_need_per_household_once_per_event_ignores_days():
    assert spm.need(FAMILY_KIT, persons=250, households=60, days=7) == 60


def test_need_refuses_negative_population():
    with pytest.raises(ValueError):
        spm.need(BERAS, persons=-1)


def test_clean_water_7_litres_first_three_days_then_15():
    # Days 1..5 for 10 persons: 3 x 70 + 2 x 150
    total = spm.need_over_response(WATER_EARLY, 10, 0, 1, 5) + spm.need_over_response(
        WATER_LATER, 10, 0, 1, 5
    )
    assert total == 3 * 70 + 2 * 150


def test_standard_in_force_picks_latest_version_not_after_the_day():
    old = spm.Standard("makan", Decimal(2), "kali", valid_from=date(2008, 1, 1))
    new = spm.Standard("makan", Decimal(3), "kali", valid_from=date(2026, 1, 1))
    assert spm.standard_in_force([old, new], "makan", date(2025, 12, 31)) is old
    assert spm.standard_in_force([old, new], "makan", date(2026, 1, 1)) is new
    assert spm.standard_in_force([old, new], "makan", date(2000, 1, 1)) is None


def test_gap_keeps_over_supply_negative():
    assert spm.gap(100, 80) == 20
    assert spm.gap(100, 130) == -30


def test_days_of_cover():
    # 1,000 kg of beras for 250 persons at 0.4 kg a day: 10 days
    assert spm.days_of_cover(Decimal(1000), spm.need(BERAS, 250)) == Decimal("10.00")
    assert spm.days_of_cover(Decimal(10), Decimal(3)) == Decimal("3.33")
    assert spm.days_of_cover(Decimal(10), 0) is None


def test_round2_is_half_up():
    assert spm.round2(Decimal("72.375")) == Decimal("72.38")
    assert spm.round2(Decimal("72.385")) == Decimal("72.39")
    assert spm.round2(Decimal("0.005")) == Decimal("0.01")


def test_capaian_and_lower_is_better():
    assert spm.capaian(560, 700) == Decimal("80.00")
    assert spm.capaian(723, 1000) == Decimal("72.30")
    # A lower-is-better indicator: 8 days of response against a target of 10 scores 125%.
    assert spm.capaian(8, 10, lower_is_better=True) == Decimal("125.00")
    assert spm.capaian(5, 0) is None


def test_spm_achievement_in_distinct_persons():
    assert spm.spm_achievement(2, 3) == Decimal("66.67")
    assert spm.spm_achievement(0, 0) is None
    with pytest.raises(ValueError):
        spm.spm_achievement(4, 3)


def test_year_realisation_by_mode():
    quarters = {1: 100, 2: 250, 3: None, 4: 50}
    assert spm.year_realisation(quarters, "sum") == 400
    assert spm.year_realisation(quarters, "level") == 50
    assert spm.year_realisation({1: 10, 2: 20}, "level") == 20
    assert spm.year_realisation({1: 10, 2: 20}, "year_end") is None
    assert spm.year_realisation(quarters, "year_end") == 50
    with pytest.raises(ValueError):
        spm.year_realisation(quarters, "average")


def test_is_met_needs_every_component():
    needs = {"permakanan", "sandang", "tempat_penampungan"}
    assert not spm.is_met(needs, {"permakanan", "sandang"})
    assert spm.is_met(needs, needs | {"psikososial"})
    assert not spm.is_met(set(), {"permakanan"})


def test_quarter_of():
    assert [spm.quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 9, 10, 12)] == [1, 1, 2, 3, 4, 4]
