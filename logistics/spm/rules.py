"""Pure SPM arithmetic: needs from standards, gaps, stock cover, capaian and SPM achievement."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from logistics.core import lkip

BASES = ("person", "household")
PERIODS = ("day", "event")
# How a yearly target reads its quarterly realisations (DOMAIN.md section 9).
AGGREGATION_MODES = ("sum", "level", "year_end")


@dataclass(frozen=True)
class Standard:
    """One standard quantity: `quantity` per person or household, per day or once per event.

    days_from/days_to restrict a daily standard to a stretch of the response (day 1 is the
    event's first day), e.g. clean water 7 L for days 1-3 and 15 L from day 4 (BNPB WASH).
    """

    code: str
    quantity: Decimal
    unit: str
    basis: str = "person"
    period: str = "day"
    valid_from: date = date(2000, 1, 1)
    days_from: int = 1
    days_to: int | None = None
    item_code: str | None = None
    source: str = ""


def round2(value) -> Decimal:
    """Two decimals, half-up, as the LKIP prints percentages (72,375 -> 72,38)."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def applies_on(standard: Standard, day_number: int) -> bool:
    """Whether a standard counts on the given day of the response (1-based)."""
    if day_number < standard.days_from:
        return False
    return standard.days_to is None or day_number <= standard.days_to


def standard_in_force(standards: list[Standard], code: str, on: date) -> Standard | None:
    """The version of a standard that applies on a date: the latest valid_from not after it."""
    candidates = [s for s in standards if s.code == code and s.valid_from <= on]
    return max(candidates, key=lambda s: s.valid_from) if candidates else None


def need(standard: Standard, persons: int, households: int = 0, days: int = 1) -> Decimal:
    """The quantity needed for a population: per person or household, times days for daily needs."""
    if persons < 0 or households < 0 or days < 0:
        raise ValueError("population and days must not be negative")
    base = persons if standard.basis == "person" else households
    factor = days if standard.period == "day" else 1
    return Decimal(standard.quantity) * base * factor


def need_over_response(
    standard: Standard, persons: int, households: int, first_day: int, days: int
):
    """A daily need summed over days first_day .. first_day+days-1, honouring days_from/days_to."""
    counted = sum(1 for n in range(first_day, first_day + days) if applies_on(standard, n))
    return need(standard, persons, households, counted)


def gap(needed, delivered):
    """need - delivered, kept signed: a negative gap is over-supply and is shown, not hidden."""
    return needed - delivered


def days_of_cover(stock, daily_need) -> Decimal | None:
    """Whole days the stock lasts at the daily need (two decimals); None when nothing is needed."""
    if daily_need is None or Decimal(daily_need) <= 0:
        return None
    return round2(Decimal(stock) / Decimal(daily_need))


def capaian(realisasi, target, lower_is_better: bool = False) -> Decimal | None:
    """realisasi / target x 100, or target / realisasi x 100 for lower-is-better indicators:
    the one definition (core/lkip.py), rounded exactly half up as the budget tree rounds it."""
    return lkip.capaian(Decimal(realisasi), Decimal(target), lower_is_better=lower_is_better)


def spm_achievement(persons_met: int, persons_needing: int) -> Decimal | None:
    """Capaian SPM (PP 2/2018, Permensos 9/2018): distinct persons met / needing x 100."""
    if persons_met < 0 or persons_needing < 0:
        raise ValueError("counts must not be negative")
    if persons_met > persons_needing:
        raise ValueError("more persons met than persons needing")
    return lkip.percentage(persons_met, persons_needing)


def year_realisation(quarters: dict[int, int | Decimal], mode: str):
    """A year's realisation from quarterly values {1..4: value} by the target's aggregation mode.

    sum: the quarters add up; level: the latest reported quarter is the year's level;
    year_end: only the fourth quarter counts (None before it is reported).
    """
    if mode not in AGGREGATION_MODES:
        raise ValueError(f"unknown aggregation mode {mode!r}")
    reported = {q: v for q, v in quarters.items() if v is not None}
    if mode == "sum":
        return sum(reported.values(), Decimal(0)) if reported else None
    if mode == "level":
        return reported[max(reported)] if reported else None
    return reported.get(4)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def is_met(needed_components: set[str], served_components: set[str]) -> bool:
    """A person's basic needs are met when every component their status needs was served."""
    return bool(needed_components) and needed_components <= served_components
