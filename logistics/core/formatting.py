"""Indonesian formatting of dates, numbers and rupiah, used by every template and export."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from logistics.core.time import to_local

LOCALE = "id_ID"
# Indonesia's three time zones by the names people use for them.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_name(tz: str) -> str:
    """WIB, WITA or WIT for an Indonesian time zone; '' for any other."""
    return ZONE_NAMES.get(tz, "")


def tanggal(value: date | datetime | None) -> str:
    """22 November 2026"""
    if value is None:
        return "-"
    return format_date(value, "d MMMM y", locale=LOCALE)


def tanggal_jam(value: datetime | None, tz: str = "Asia/Jakarta") -> str:
    """22 November 2026 14.05 WIB"""
    if value is None:
        return "-"
    local = to_local(value, tz)
    return f"{format_datetime(local, 'd MMMM y HH.mm', locale=LOCALE)} {zone_name(tz)}".strip()


def angka(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """1.234,5 — dot for thousands, comma for decimals."""
    if value is None:
        return "-"
    if decimals is None and isinstance(value, int) and not isinstance(value, bool):
        # Whole numbers skip Babel (~50 us a call): a province table holds thousands of them.
        return f"{value:,}".replace(",", ".")
    if decimals is None:
        return format_decimal(value, format="#,##0.###", locale=LOCALE)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE, decimal_quantization=True)


def decimal_text(value: Decimal | None) -> str:
    """A quantity for a spreadsheet cell: '12,5', no thousands separator; '' when missing."""
    return f"{value.normalize():f}".replace(".", ",") if value is not None else ""


def rupiah(value: int | None) -> str:
    """Rp 2.324.516.984 — money is integer rupiah."""
    if value is None:
        return "-"
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {format_decimal(abs(int(value)), format='#,##0', locale=LOCALE)}"


def persen(value: float | Decimal | None, decimals: int = 2) -> str:
    """72,38%"""
    if value is None:
        return "-"
    return f"{angka(value, decimals)}%"


def table_rows(rows) -> Markup:
    """`<tr>` rows of plain cells, numbers right-aligned as `angka`: a map's text list of 500
    desa is drawn on every home page view, so it is built once per set of rows."""
    try:
        return _cached_rows(rows)
    except TypeError:  # a row that cannot be a cache key (a list): drawn each time
        return _rows_html(rows)


@lru_cache(maxsize=32)
def _cached_rows(rows: tuple[tuple, ...]) -> Markup:
    return _rows_html(rows)


def _rows_html(rows) -> Markup:
    html = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{angka(cell)}</td>'
            if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool)
            else f"<td>{escape(cell) if cell is not None else ''}</td>"
            for cell in row
        )
        html.append(f"<tr>{cells}</tr>")
    return Markup("\n".join(html))


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        tanggal=tanggal,
        # Read on each use: a saved office profile may change the time zone while running.
        tanggal_jam=lambda v: tanggal_jam(v, app.config["OFFICE_TIMEZONE"]),
        angka=angka,
        rupiah=rupiah,
        persen=persen,
        table_rows=table_rows,
    )
