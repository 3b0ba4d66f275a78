"""Age and vulnerable-group rules (DOMAIN.md section 4): pure functions, no database."""

from datetime import date

# The national disaster database counts anak (under 18), dewasa, lansia (60 and over).
CHILD_UNDER = 18
ELDERLY_FROM = 60
# Balita: under five years old.
TODDLER_UNDER = 5


def age_years(birth_date: date, on: date) -> int:
    """Completed years of age on a day."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def age_group(birth_date: date | None, on: date) -> str | None:
    """'anak', 'dewasa' or 'lansia' on a day; None when the birth date is unknown."""
    if birth_date is None:
        return None
    age = age_years(birth_date, on)
    if age < CHILD_UNDER:
        return "anak"
    if age >= ELDERLY_FROM:
        return "lansia"
    return "dewasa"


def is_balita(birth_date: date | None, on: date) -> bool:
    return birth_date is not None and age_years(birth_date, on) < TODDLER_UNDER
