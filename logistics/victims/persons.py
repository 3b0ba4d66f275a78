"""One person of the registry: name matching and the validation of a person's data."""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher

from logistics.core import inputs
from logistics.core.errors import Collector, DomainError
from logistics.events.models import PEOPLE_STATUSES
from logistics.victims.models import (
    NO_NIK_REASONS,
    RELATIONS,
)
from logistics.victims.nik import NikInfo, RegionCodes, parse_nik

NAME_MAX = 160
OLDEST_BIRTH_YEAR = 1900
# Two names at least this similar (after normalising) may be the same person.
SIMILAR_NAME_RATIO = 0.85


# --- names ---------------------------------------------------------------------------------

# Spellings of the same name element; the key is what every variant is reduced to.
_NAME_VARIANTS = {
    "muhammad": (
        "muhammad muhamad muhamaad muhammat mohammad mohamad mohammed mochammad mochamad "
        "mochamat mohamat muchammad muchamad moch moh muh mhd md m"
    ),
    "abdul": "abdul abd abdoel",
    "nur": "nur noor nurul",
    "siti": "siti sitti sity st",
    "ahmad": "ahmad achmad ahmat akhmad",
}
_NAME_TOKENS = {
    variant: canonical
    for canonical, variants in _NAME_VARIANTS.items()
    for variant in variants.split()
}
# Old (pre-1972) spelling still found on identity documents: Soekarno = Sukarno, Djoko = Joko.
_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))


def normalize_name(name: str | None) -> str:
    """Lower case, no accents or punctuation, one space, common spelling variants unified."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    for old, new in _OLD_SPELLING:
        text = text.replace(old, new)
    tokens = [_NAME_TOKENS.get(token, token) for token in text.split()]
    return " ".join(tokens)


def names_similar(a: str, b: str) -> bool:
    """True when two names are likely the same person's (spelling, spacing, abbreviations)."""
    left, right = normalize_name(a), normalize_name(b)
    if not left or not right:
        return False
    if left == right or left.replace(" ", "") == right.replace(" ", ""):
        return True
    return SequenceMatcher(None, left, right).ratio() >= SIMILAR_NAME_RATIO


def clean_name(name: str | None) -> str:
    """The name as it will be stored: trimmed, single spaces."""
    return " ".join((name or "").split())


# --- validation of one person ----------------------------------------------------------------


@dataclass
class PersonInput:
    """A person as submitted by a form, the API or an import row."""

    name: str
    nik: str | None = None
    no_nik_reason: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    relation: str = "lainnya"
    pregnant: bool = False
    breastfeeding: bool = False
    disability: bool = False
    chronic_illness: bool = False


def validate_person(data: PersonInput, regions: RegionCodes, today: date) -> PersonInput:
    """The input normalised (NIK digits, sex and birth date derived from the NIK), or every
    refusal of it together (`Invalid`).

    A sex or birth date that contradicts the NIK is refused rather than silently replaced: it
    usually means a mistyped NIK, which would link the victim to a stranger.
    """
    errors = Collector()
    name = errors.check(_name, data.name)
    relation = errors.check(
        inputs.choice, data.relation or "lainnya", RELATIONS, "relation", "Hubungan keluarga"
    )
    sex = errors.check(_sex, data.sex)
    nik = (data.nik or "").strip() or None
    reason = None
    birth_date = data.birth_date
    if nik is not None:
        info = errors.check(parse_nik, nik, regions, today)
        if info is not None:
            errors.check(_matches_nik, info, sex, birth_date)
            nik, sex, birth_date = info.nik, info.sex, info.birth_date
    else:
        reason = errors.check(_no_nik_reason, data.no_nik_reason)
        if sex is None and not errors.errors_for("sex"):
            errors.add(DomainError("Jenis kelamin wajib diisi bila tidak ada NIK.", field="sex"))
    if birth_date is not None:
        errors.check(_birth_date, birth_date, today)
    if (data.pregnant or data.breastfeeding) and sex not in (None, "P"):
        errors.add(
            DomainError(
                "Hamil atau menyusui hanya dapat ditandai untuk perempuan.", field="pregnant"
            )
        )
    errors.raise_any()
    return replace(
        data,
        name=name,
        nik=nik,
        no_nik_reason=reason,
        sex=sex,
        birth_date=birth_date,
        relation=relation,
        pregnant=bool(data.pregnant),
        breastfeeding=bool(data.breastfeeding),
        disability=bool(data.disability),
        chronic_illness=bool(data.chronic_illness),
    )


def _name(value) -> str:
    name = clean_name(value)
    if not name:
        raise DomainError("Nama wajib diisi.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"Nama terlalu panjang (maksimal {NAME_MAX} karakter).", field="name")
    return name


def _sex(value) -> str | None:
    if value not in (None, "", "L", "P"):
        raise DomainError(f"Jenis kelamin '{value}' tidak dikenal; isi L atau P.", field="sex")
    return value or None


def _matches_nik(info: NikInfo, sex: str | None, birth_date: date | None) -> None:
    """A sex and a birth date given beside a NIK agree with what the NIK encodes."""
    errors = Collector()
    if sex is not None and sex != info.sex:
        errors.add(
            DomainError(
                f"Jenis kelamin ({sex}) tidak cocok dengan NIK, yang menandakan {info.sex} "
                "(digit 7-8 lebih dari 40 berarti perempuan). Periksa NIK, atau kosongkan "
                "jenis kelamin agar diambil dari NIK.",
                field="sex",
            )
        )
    if birth_date is not None and birth_date != info.birth_date:
        errors.add(
            DomainError(
                f"Tanggal lahir ({birth_date:%d-%m-%Y}) tidak cocok dengan NIK "
                f"({info.birth_date:%d-%m-%Y}). Periksa NIK, atau kosongkan tanggal lahir agar "
                "diambil dari NIK.",
                field="birth_date",
            )
        )
    errors.raise_any()


def _no_nik_reason(value) -> str:
    if not value:
        raise DomainError(
            "Isi NIK, atau pilih alasan tidak ada NIK (mis. anak belum ber-NIK).", field="nik"
        )
    return inputs.choice(value, NO_NIK_REASONS, "no_nik_reason", "Alasan tanpa NIK")


def _birth_date(value: date, today: date) -> None:
    if value > today:
        raise DomainError("Tanggal lahir tidak boleh di masa depan.", field="birth_date")
    if value.year < OLDEST_BIRTH_YEAR:
        raise DomainError(
            f"Tanggal lahir sebelum tahun {OLDEST_BIRTH_YEAR} tidak mungkin.", field="birth_date"
        )


def require_status(status: str | None, field: str = "status") -> str:
    status = (status or "").strip().lower()
    return inputs.choice(status, PEOPLE_STATUSES, field, "Status korban")
