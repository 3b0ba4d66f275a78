"""Time: stored timestamps are naive UTC; people, forms, the API and files speak office-local time.

The one rule for a date-time without a time zone that comes from outside (text from a form, the
API or a file, or the naive datetime a form field or spreadsheet cell yields): it is the office's
local time (config OFFICE_TIMEZONE), because that is what a person reads off the clock on the wall.
Python code inside Posko passes stored values (naive UTC) or aware datetimes; `moment` accepts both
kinds of caller and says which rule it applied.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from logistics.core.errors import DomainError


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL, shown in office time."""
    return datetime.now(UTC).replace(tzinfo=None)


def office_zone() -> ZoneInfo:
    """The office's time zone (config OFFICE_TIMEZONE)."""
    return ZoneInfo(current_app.config["OFFICE_TIMEZONE"])


def office_today() -> date:
    """Today's date in the office's time zone: a record belongs to the office's day."""
    return datetime.now(office_zone()).date()


def office_now() -> datetime:
    """Now in the office's time zone, naive, to the minute (what a datetime-local input shows)."""
    return datetime.now(office_zone()).replace(tzinfo=None, second=0, microsecond=0)


def to_local(value: datetime, tz: str | None = None) -> datetime:
    """A stored (naive UTC) or aware timestamp as an aware time in the office's zone (or `tz`)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz) if tz else office_zone())


def local_naive(value: datetime | None) -> datetime | None:
    """A stored timestamp as naive office-local time (the value of a datetime-local form field)."""
    return None if value is None else to_local(value).replace(tzinfo=None)


def local_input_value(value: datetime | None) -> str:
    """A stored timestamp as the text of an <input type=datetime-local>, in office time."""
    return "" if value is None else to_local(value).strftime("%Y-%m-%dT%H:%M")


def default_year(years) -> int:
    """The year a page opens on: the newest of `years` not after this office year (a mistyped
    future year must not open an empty page), this year when there is none."""
    this_year = office_today().year
    past = [y for y in years if y <= this_year]
    return max(past) if past else this_year


def office_date(value: datetime) -> date:
    """The office's calendar day of a stored (naive UTC) timestamp."""
    return to_local(value).date()


def from_local(value: datetime | None) -> datetime | None:
    """An office-local time (naive = office local, or aware) -> the stored naive UTC time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=office_zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def parse_datetime(value, field: str, label: str, *, required: bool = False) -> datetime | None:
    """The one parser for date-times from outside -> stored naive UTC (None when blank).

    Takes ISO 8601 text ('2026-11-22T08:00', '2026-11-22 08:00', with or without an offset or Z)
    or a datetime; a value without a time zone is office-local time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(f"{label} wajib diisi.", field=field)
        return None
    if isinstance(value, datetime):
        return from_local(value)
    if isinstance(value, str):
        try:
            return from_local(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            pass
    raise DomainError(
        f"{label} harus tanggal dan jam berformat TTTT-BB-HH JJ:MM, bukan '{value}'.", field=field
    )


def moment(value, field: str, label: str, *, required: bool = False) -> datetime | None:
    """A timestamp given to a service: text from outside goes through `parse_datetime`; a
    datetime from Python code is a stored value (naive UTC) or aware, converted to stored form."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)
    return parse_datetime(value, field, label, required=required)
