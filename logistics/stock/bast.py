"""BAST numbers: one sequence of Berita Acara Serah Terima numbers per office and year."""

from datetime import date

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from logistics.core.extensions import db
from logistics.stock.models import DocumentCounter

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def office_code() -> str:
    """'3604' for an office of 36.04: the office's area code without dots."""
    return current_app.config["OFFICE_AREA_CODE"].replace(".", "")


def next_number(on: date) -> str:
    """The next BAST number of the office for the year of `on`, e.g. '0007/BAST/DINSOS-3604/XI/2026'.

    The counter row is incremented with UPDATE ... RETURNING, so two hand-overs saved at the same
    moment never share a number (the row lock on PostgreSQL, the write lock on SQLite).
    """
    office = office_code()
    for _attempt in range(3):
        number = db.session.scalar(
            update(DocumentCounter)
            .where(DocumentCounter.office_code == office, DocumentCounter.year == on.year)
            .values(last_number=DocumentCounter.last_number + 1)
            .returning(DocumentCounter.last_number)
        )
        if number is not None:
            break
        try:
            with db.session.begin_nested():
                db.session.add(DocumentCounter(office_code=office, year=on.year, last_number=1))
            number = 1
            break
        except IntegrityError:
            continue  # another request created the year's counter first: increment it
    return f"{number:04d}/BAST/DINSOS-{office}/{ROMAN_MONTHS[on.month - 1]}/{on.year}"
