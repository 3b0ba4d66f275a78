"""NIK and nomor KK validation (DOMAIN.md section 4): structure, region prefix, encoded birth date.

A NIK is PPKKCC DDMMYY SSSS: the kecamatan of first registration, the birth date (40 added to
the day for women) and a serial. The region prefix is checked as deeply as the spine allows:

- the province PP must be one of the provinces in data/provinsi.csv;
- when the spine holds the kecamatan of kab/kota PP.KK (the office loaded that kab/kota's
  boundaries), PP.KK.CC must be one of them.

The check is per kab/kota, not per province, on purpose: a kab/kota office loads only its own
kab/kota, and a victim whose NIK was issued in a neighbouring kab/kota (same province) must not be refused
because the office does not hold that kab/kota's kecamatan.

parse_nik and parse_kk are pure; region_codes() reads the spine once for a whole batch.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.areas.services import provinsi_names
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.privacy import mask_nik

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class RegionCodes:
    """What the spine knows about region prefixes: 'PP' provinces, 'PPKKCC' kecamatan."""

    provinsi: frozenset[str]
    kecamatan: frozenset[str]
    # 'PPKK' of every kab/kota whose kecamatan are in the spine.
    kab_kota_with_kecamatan: frozenset[str]

    @classmethod
    def from_codes(cls, provinsi, kecamatan_codes) -> "RegionCodes":
        kecamatan = frozenset(code.replace(".", "") for code in kecamatan_codes)
        return cls(
            provinsi=frozenset(provinsi),
            kecamatan=kecamatan,
            kab_kota_with_kecamatan=frozenset(code[:4] for code in kecamatan),
        )


def region_codes() -> RegionCodes:
    """Province codes from data/provinsi.csv and every kecamatan code of the spine."""
    kecamatan = db.session.scalars(select(Area.code).where(Area.level == "kecamatan"))
    return RegionCodes.from_codes(provinsi_names(), kecamatan)


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder."""

    nik: str
    region: str  # 'PP.KK.CC'
    sex: str  # 'L' or 'P'
    birth_date: date
    serial: str


def _digits(value, label: str, field: str) -> str:
    text = "" if value is None else str(value).strip()
    # Spreadsheets and phones add spaces, dots or dashes between digit groups.
    for separator in (" ", ".", "-"):
        text = text.replace(separator, "")
    if not text:
        raise DomainError(f"{label} kosong.", field=field)
    if not text.isdigit():
        raise DomainError(f"{label} hanya boleh berisi angka, bukan '{value}'.", field=field)
    if len(text) != NIK_LENGTH:
        raise DomainError(
            f"{label} harus 16 digit; yang diisi {len(text)} digit.",
            field=field,
        )
    return text


def check_region(prefix: str, regions: RegionCodes, label: str, field: str) -> str:
    """Raise unless the 6-digit prefix is a plausible kecamatan code; returns 'PP.KK.CC'."""
    provinsi, kab_kota, kecamatan = prefix[:2], prefix[2:4], prefix[4:6]
    dotted = f"{provinsi}.{kab_kota}.{kecamatan}"
    if provinsi not in regions.provinsi:
        raise DomainError(
            f"{label}: digit 1-2 ({provinsi}) bukan kode provinsi yang dikenal.", field=field
        )
    if kab_kota == "00" or kecamatan == "00":
        raise DomainError(
            f"{label}: digit 1-6 ({dotted}) bukan kode kecamatan yang sah.", field=field
        )
    if prefix[:4] in regions.kab_kota_with_kecamatan and prefix not in regions.kecamatan:
        raise DomainError(
            f"{label}: digit 1-6 ({dotted}) bukan kode kecamatan yang dikenal di kabupaten/kota "
            f"{provinsi}.{kab_kota}.",
            field=field,
        )
    return dotted


def birth_date_from_digits(day: int, month: int, yy: int, today: date) -> date | None:
    """The most recent date with these digits that is not after today; None if impossible."""
    century = today.year // 100 * 100
    for year in (century + yy, century + yy - 100):
        try:
            candidate = date(year, month, day)
        except ValueError:
            # 29 February exists in 2000 but not in 1900: try the other century before giving up.
            continue
        if candidate <= today:
            return candidate
    return None


def parse_nik(value, regions: RegionCodes, today: date, field: str = "nik") -> NikInfo:
    """Validate a NIK and derive sex and birth date; DomainError with the exact reason if invalid."""
    nik = _digits(value, "NIK", field)
    region = check_region(nik[:6], regions, "NIK", field)
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        sex, day = "P", day - FEMALE_DAY_OFFSET
    if not (1 <= day <= 31) or not (1 <= month <= 12):
        raise DomainError(
            f"NIK: digit 7-12 ({nik[6:12]}) bukan tanggal lahir yang mungkin "
            "(hari 01-31, atau 41-71 untuk perempuan; bulan 01-12).",
            field=field,
        )
    birth_date = birth_date_from_digits(day, month, yy, today)
    if birth_date is None:
        raise DomainError(
            f"NIK: digit 7-12 ({nik[6:12]}) bukan tanggal lahir yang mungkin "
            f"(tanggal {day:02d}-{month:02d} tidak ada pada tahun itu).",
            field=field,
        )
    serial = nik[12:]
    if serial == "0000":
        raise DomainError("NIK: nomor urut (digit 13-16) tidak boleh 0000.", field=field)
    return NikInfo(nik=nik, region=region, sex=sex, birth_date=birth_date, serial=serial)


def redact(message: str, value) -> str:
    """`message` (a refusal of the NIK or nomor KK `value`) without what a masked number hides:
    the value as typed and the fragments the refusals above quote from its middle (kecamatan,
    birth date). An import's list of refused rows sits beside a masked column and is read more
    widely than the registry."""
    raw = "" if value is None else str(value)
    if not raw.strip():
        return message
    digits = "".join(c for c in raw if c.isdigit())
    hidden = {raw: mask_nik(raw), raw.strip(): mask_nik(raw.strip())}
    if len(digits) >= 6:
        hidden[f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}"] = f"{digits[:2]}.{digits[2:4]}.**"
    if len(digits) >= 12:
        hidden[digits[6:12]] = "******"
        day, month = int(digits[6:8]), int(digits[8:10])
        if day > FEMALE_DAY_OFFSET:
            day -= FEMALE_DAY_OFFSET
        hidden[f"tanggal {day:02d}-{month:02d}"] = "tanggal **-**"
    for fragment in sorted(hidden, key=len, reverse=True):
        message = message.replace(fragment, hidden[fragment])
    return message


def parse_kk(value, regions: RegionCodes, field: str = "no_kk") -> str:
    """Validate a nomor KK (16 digits, a region code first) and return its digits."""
    no_kk = _digits(value, "Nomor KK", field)
    check_region(no_kk[:6], regions, "Nomor KK", field)
    if no_kk[12:] == "0000":
        raise DomainError("Nomor KK: nomor urut (digit 13-16) tidak boleh 0000.", field=field)
    return no_kk
