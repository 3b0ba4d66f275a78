"""Parsing shared by the Tagana services: one place for the Indonesian messages of the forms,
the API and the import."""

import re
from datetime import date, datetime

from flask import current_app

from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.formatting import tanggal_jam

_PHONE = re.compile(r"^\+?[0-9 ()-]+$")


def clean_text(value, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    """Text with inner whitespace collapsed, checked for presence and length."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # spreadsheet cells hold numbers where text was meant
    if isinstance(value, str):
        value = " ".join(value.split())
    return inputs.text(value, field, label, max_length, required=required)


def parse_id(value, field: str, label: str) -> int | None:
    number = inputs.whole_number(value, field, label)
    return number or None


def parse_day(value, field: str, label: str) -> date | None:
    """A date from a date, a datetime, 'TTTT-BB-HH' or 'HH/BB/TTTT' (also with - or .)."""
    return inputs.day(value, field, label, day_first=True)


def when_text(value: datetime | None) -> str:
    return tanggal_jam(value, current_app.config["OFFICE_TIMEZONE"]) if value else "selesai"


def parse_phone(value, field: str, label: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # Spreadsheets store 081234... as a number and drop the leading zero.
        value = "0" + str(value) if not str(value).startswith("62") else str(value)
    text = clean_text(value, field, label, 32)
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not _PHONE.match(text) or not 6 <= len(digits) <= 15:
        raise DomainError(
            f"{label} '{text}' tidak valid; tulis angka saja, mis. 081234567890.", field=field
        )
    return text
