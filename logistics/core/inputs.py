"""Parsing of submitted values (forms, API, imports) into clean Python values, with Indonesian errors."""

import math
import re
from datetime import date, datetime

from logistics.core.errors import DomainError
from logistics.core.formatting import angka

# Largest whole number a field takes unless its caller says otherwise: far above any real head
# count, capacity or year, well inside a 32-bit integer column on PostgreSQL.
MAX_WHOLE = 1_000_000

_WHOLE = re.compile(r"^[+-]?\d+$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Yes and no as checkboxes, JSON and forms write them; `lenient` adds what spreadsheets write.
_TRUE = ("1", "true", "on", "y", "ya")
_FALSE = ("", "0", "false", "n", "tidak")
_LENIENT_TRUE = ("yes", "aktif")
_LENIENT_FALSE = ("t", "no", "nonaktif", "tidak aktif")


# --- values ----------------------------------------------------------------------------------


def is_blank(value) -> bool:
    """True for None and for text that is empty or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    """Text stripped of outer whitespace, checked for presence and length; "" when empty."""
    if value is not None and not isinstance(value, str):
        raise DomainError(f"{label} harus berupa teks.", field=field)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(f"{label} wajib diisi.", field=field)
    if len(cleaned) > max_length:
        raise DomainError(f"{label} paling panjang {max_length} karakter.", field=field)
    return cleaned


def whole_number(
    value, field: str, label: str, *, required: bool = False, maximum: int = MAX_WHOLE
) -> int | None:
    """A non-negative whole number up to `maximum` from an int, an integral float or a text.

    None when empty and not required; a bool is refused rather than taken as 0 or 1.
    """
    if is_blank(value):
        if required:
            raise DomainError(f"{label} wajib diisi.", field=field)
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value.strip())
    if number is None:
        raise DomainError(f"{label} harus bilangan bulat, bukan '{value}'.", field=field)
    if number < 0:
        raise DomainError(f"{label} tidak boleh negatif (tertulis {number}).", field=field)
    if number > maximum:
        raise DomainError(f"{label} terlalu besar ({angka(number)}); periksa kembali.", field=field)
    return number


def day(
    value, field: str, label: str, *, required: bool = False, day_first: bool = False
) -> date | None:
    """A date from a date, a datetime or 'TTTT-BB-HH' text; None when empty and not required.

    With `day_first`, 'HH/BB/TTTT' (also with - or .) is taken too, as spreadsheets write it.
    """
    if is_blank(value):
        if required:
            raise DomainError(f"{label} wajib diisi.", field=field)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        cleaned = value.strip()
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            pass
        match = _DMY.match(cleaned) if day_first else None
        if match:
            number, month, year = (int(part) for part in match.groups())
            try:
                return date(year, month, number)
            except ValueError:
                pass
    formats = "TTTT-BB-HH atau HH/BB/TTTT" if day_first else "TTTT-BB-HH"
    raise DomainError(f"{label} harus tanggal berformat {formats}, bukan '{value}'.", field=field)


def coordinate(value, field: str, label: str, limit: int) -> float | None:
    """A latitude (limit 90) or longitude (limit 180); a decimal comma is taken; None when empty."""
    if is_blank(value):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"{label} harus berupa angka, bukan '{value}'.", field=field) from exc
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise DomainError(f"{label} harus antara -{limit} dan {limit}.", field=field)
    return number


def flag(value, field: str, label: str, *, lenient: bool = False) -> bool:
    """Yes or no from a bool, None (no) or text such as 'ya'/'tidak', '1'/'0', 'on'.

    With `lenient`, numbers and the words of spreadsheets (yes/no, aktif/nonaktif, t) count too.
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if lenient and isinstance(value, int | float):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _FALSE or (lenient and word in _LENIENT_FALSE):
        return False
    if word in _TRUE or (lenient and word in _LENIENT_TRUE):
        return True
    raise DomainError(f"{label} harus ya atau tidak, bukan '{value}'.", field=field)


def choice(value, choices: dict[str, str], field: str, label: str) -> str:
    """One key of `choices` (code -> label). The message names the labels a person sees on the
    form, never the codes; the API finds the codes in `details.allowed`."""
    key = value.strip() if isinstance(value, str) else value
    if isinstance(key, str) and key in choices:
        return key
    labels = ", ".join(choices.values())
    details = {"allowed": list(choices)}
    if is_blank(value):
        raise DomainError(f"{label} wajib dipilih: {labels}.", field=field, details=details)
    raise DomainError(
        f"{label} '{value}' tidak dikenal; pilih salah satu: {labels}.",
        field=field,
        details=details,
    )


def client_id(value) -> str | None:
    """The id an offline client gives a submission so a retry is not saved twice; None if empty."""
    if is_blank(value):
        return None
    if not isinstance(value, str) or not _CLIENT_ID.match(value.strip()):
        raise DomainError(
            "client_id paling panjang 64 karakter: huruf, angka, titik, titik dua, - atau _.",
            field="client_id",
        )
    return value.strip()
