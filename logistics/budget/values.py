"""Budget values as offices write them: codes in either form, fiscal years, whole rupiah."""

import math
import re
from decimal import Decimal

from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.formatting import rupiah

# A sub-kegiatan of a kota's Dinas Sosial runs to billions; a trillion rupiah is a typing error.
MAX_RUPIAH = 1_000_000_000_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
QUARTER_NAMES = ("I", "II", "III", "IV")
# Segments of a Kepmendagri 050-5889/2021 code and the width each is shown with:
# urusan 1, bidang 06, program 06, kegiatan 2.01, sub-kegiatan 0001.
_WIDTHS = (1, 2, 2, 1, 2, 4)
_LEVEL_BY_SEGMENTS = {3: "program", 5: "kegiatan", 6: "sub_kegiatan"}
_MONEY_PLAIN = re.compile(r"^\d+$")
_MONEY_DOTTED = re.compile(r"^\d{1,3}(\.\d{3})+$")


def split_code(value, field: str = "code") -> tuple[str, str]:
    """(canonical code, level) of a program, kegiatan or sub-kegiatan code.

    1.06.06.02.01.0001 and 1.06.06.2.01.0001 are the same sub-kegiatan; the one-digit kegiatan
    group is the canonical form (Kepmendagri 050-5889/2021), so codes also sort in tree order.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    raw = inputs.text(value, field, "Kode anggaran", 40, required=True)
    parts = [part.strip() for part in raw.strip(". ").split(".")]
    level = _LEVEL_BY_SEGMENTS.get(len(parts))
    example = "1.06.06 (program), 1.06.06.2.01 (kegiatan) atau 1.06.06.2.01.0001 (sub-kegiatan)"
    if level is None or not all(part.isdigit() for part in parts):
        raise DomainError(
            f"Kode anggaran '{raw}' tidak dikenali; tulis seperti {example}.", field=field
        )
    canonical = []
    for part, width in zip(parts, _WIDTHS, strict=False):
        number = int(part)
        # Offices pad the kegiatan group to two digits (02); anything wider is another code.
        if len(part) > max(width, 2) or len(str(number)) > width:
            raise DomainError(
                f"Kode anggaran '{raw}' tidak dikenali: bagian '{part}' terlalu panjang; "
                f"tulis seperti {example}.",
                field=field,
            )
        canonical.append(str(number).zfill(width))
    return ".".join(canonical), level


def normalize_code(value, field: str = "code") -> str:
    """The canonical form of a budget code (see split_code)."""
    return split_code(value, field)[0]


def parent_code(code: str) -> str | None:
    """The program of a kegiatan, the kegiatan of a sub-kegiatan; None for a program."""
    parts = code.split(".")
    if len(parts) == 3:
        return None
    return ".".join(parts[:3] if len(parts) == 5 else parts[:5])


def fiscal_year(value, field: str = "fiscal_year") -> int:
    """A fiscal year (tahun anggaran) between 2000 and 2100."""
    year = inputs.whole_number(value, field, "Tahun anggaran", required=True, maximum=LAST_YEAR)
    if year < FIRST_YEAR:
        raise DomainError(
            f"Tahun anggaran {year} tidak wajar; tulis empat angka, mis. 2026.", field=field
        )
    return year


def amount(
    value, field: str, label: str, *, required: bool = False, positive: bool = False
) -> int | None:
    """Whole rupiah from an int, an integral float, or text such as 2324516984, 2.324.516.984,
    Rp 2.324.516.984 or 2.324.516.984,00; None when empty and not required."""
    if inputs.is_blank(value) or (isinstance(value, str) and value.strip() == "-"):
        if required:
            raise DomainError(f"{label} wajib diisi.", field=field)
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
        number = int(value)
    elif isinstance(value, str):
        cleaned = re.sub(r"^rp\.?", "", value.strip().lower().replace("\xa0", " ")).strip()
        cleaned = cleaned.replace(" ", "")
        negative = cleaned.startswith("-")
        cleaned = cleaned.lstrip("-")
        whole, _, cents = cleaned.partition(",")
        if (_MONEY_PLAIN.match(whole) or _MONEY_DOTTED.match(whole)) and (
            not cents or (cents.isdigit() and int(cents) == 0)
        ):
            number = int(whole.replace(".", "")) * (-1 if negative else 1)
        elif whole and cents.isdigit():
            raise DomainError(f"{label} dalam rupiah bulat, tanpa sen ('{value}').", field=field)
    if number is None:
        raise DomainError(
            f"{label} harus berupa angka rupiah, mis. 2.324.516.984, bukan '{value}'.", field=field
        )
    if number < 0:
        raise DomainError(f"{label} tidak boleh negatif ({rupiah(number)}).", field=field)
    if positive and number == 0:
        raise DomainError(f"{label} harus lebih dari nol.", field=field)
    if number > MAX_RUPIAH:
        raise DomainError(
            f"{label} {rupiah(number)} tidak wajar (lebih dari {rupiah(MAX_RUPIAH)}); "
            "periksa jumlah angka nolnya.",
            field=field,
        )
    return number
