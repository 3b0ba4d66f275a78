"""Daily head counts of a shelter: one per day, safe to retry from a phone."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from logistics.core import inputs
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.core.formatting import angka, tanggal
from logistics.core.time import office_date, office_today
from logistics.shelters.checks import shelter_checks
from logistics.shelters.models import COUNT_GROUPS, Shelter, ShelterCount

# Disjoint age groups: together they can never exceed the persons counted (balita are anak).
DISJOINT_AGE_GROUPS = ("anak", "lansia")


@dataclass
class HeadCountResult:
    """A saved head count: outcome is "created", "replaced" (same day) or "duplicate" (retry)."""

    count: ShelterCount
    outcome: str
    warnings: list[str] = field(default_factory=list)


def _count_values(
    shelter: Shelter, counted_on, persons, households, groups: Mapping | None, note
) -> tuple[dict, list[str]]:
    """Validate a head count into column values and the warnings about its breakdown."""
    unknown = sorted(set(groups or {}) - set(COUNT_GROUPS))
    if unknown:
        raise DomainError(f"Kelompok tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    day = inputs.day(counted_on, "counted_on", "Tanggal hitungan") or office_today()
    if day > office_today():
        raise DomainError("Tanggal hitungan tidak boleh di masa depan.", field="counted_on")
    opened_on = office_date(shelter.opened_at)
    if day < opened_on:
        raise DomainError(
            f"Tanggal hitungan {tanggal(day)} sebelum tempat ini dibuka ({tanggal(opened_on)}). "
            "Bila tempat ini sudah dipakai lebih awal, ubah dulu tanggal bukanya.",
            field="counted_on",
        )
    total = inputs.whole_number(persons, "persons", "Jumlah jiwa", required=True)
    kk = inputs.whole_number(households, "households", "Jumlah KK") or 0
    if kk > total:
        raise DomainError(
            f"Jumlah KK ({angka(kk)}) tidak boleh melebihi jumlah jiwa ({angka(total)}).",
            field="households",
        )
    given = {
        key: inputs.whole_number((groups or {}).get(key), key, label)
        for key, label in COUNT_GROUPS.items()
    }
    for key, value in given.items():
        if value is not None and value > total:
            raise DomainError(
                f"{COUNT_GROUPS[key]} ({angka(value)}) tidak boleh melebihi jumlah jiwa "
                f"({angka(total)}).",
                field=key,
            )
    ages = sum(given[key] or 0 for key in DISJOINT_AGE_GROUPS)
    if ages > total:
        raise DomainError(
            f"Anak + lansia ({angka(ages)}) tidak boleh melebihi jumlah jiwa ({angka(total)}).",
            field="lansia",
        )
    warnings = []
    male, female = given["laki_laki"], given["perempuan"]
    if male is not None and female is not None:
        # More persons by sex than in total is impossible: refused. Fewer is a partial
        # breakdown (some people's sex not noted in a crowded count): kept with a warning.
        if male + female > total:
            raise DomainError(
                f"Laki-laki + perempuan ({angka(male + female)}) melebihi jumlah jiwa "
                f"({angka(total)}); periksa kembali.",
                field="perempuan",
            )
        if male + female < total:
            warnings.append(
                f"Laki-laki + perempuan ({angka(male + female)}) kurang dari jumlah jiwa "
                f"({angka(total)}): {angka(total - male - female)} jiwa belum tercatat jenis "
                "kelaminnya."
            )
    values = {
        "counted_on": day,
        "persons": total,
        "households": kk,
        "note": inputs.text(note, "note", "Catatan", 500),
        **{key: value or 0 for key, value in given.items()},
    }
    return values, warnings


def _by_client_id(client_id: str) -> ShelterCount | None:
    return db.session.scalar(select(ShelterCount).where(ShelterCount.client_id == client_id))


def _retry_of(shelter: Shelter, client_id: str | None) -> HeadCountResult | None:
    """The stored count of an earlier submission with this client_id (a phone's retry)."""
    if not client_id:
        return None
    existing = _by_client_id(client_id)
    if existing is None:
        return None
    if existing.shelter_id != shelter.id:
        raise Conflict(
            "client_id ini sudah dipakai untuk hitungan tempat pengungsian lain; "
            "buat client_id baru untuk setiap kiriman.",
            field="client_id",
        )
    return HeadCountResult(existing, "duplicate", shelter_checks(shelter, existing))


def _same_day(shelter: Shelter, day: date) -> ShelterCount | None:
    return db.session.scalar(
        select(ShelterCount).where(
            ShelterCount.shelter_id == shelter.id, ShelterCount.counted_on == day
        )
    )


def _insert(
    shelter: Shelter, values: dict, client_id: str | None, recorded_by_id: int | None
) -> tuple[ShelterCount, str]:
    """Add the day's first count: (row, "created"). When another phone saved this shelter's day
    (or this very client_id) a moment ago: (its row, "duplicate") or (the day's row, "replaced")."""
    row = ShelterCount(
        shelter_id=shelter.id, client_id=client_id, recorded_by_id=recorded_by_id, **values
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        if client_id:
            existing = _by_client_id(client_id)
            if existing is not None and existing.shelter_id == shelter.id:
                return existing, "duplicate"
        row = _same_day(shelter, values["counted_on"])
        if row is None:
            raise
        return row, "replaced"
    return row, "created"


def record_head_count(
    shelter: Shelter,
    *,
    persons: int | str | None,
    counted_on: date | str | None = None,
    households: int | str | None = None,
    groups: Mapping[str, int | str | None] | None = None,
    note: str = "",
    client_id: str | None = None,
    recorded_by_id: int | None = None,
) -> HeadCountResult:
    """Record a shelter's head count for a day (today in the office's time zone by default).

    - One count per shelter per day: a second count for the same day replaces the first.
    - client_id makes a phone's retry safe: a submission whose client_id is already stored
      returns that record unchanged (outcome "duplicate"). A replaced row keeps the client_id
      it was first saved with, so a late retry of that first submission cannot overwrite a
      newer count of the same day.
    - Counts are non-negative whole numbers; KK and each group at most the persons; anak +
      lansia at most the persons; laki_laki + perempuan, when both given, above the persons is
      refused and below it is kept with a warning (a partial breakdown).
    - Persons above capacity, too little floor area or too few toilets are saved, with warnings.
    - A closed shelter takes no counts: reopen it first.
    The caller commits.
    """
    client_id = inputs.client_id(client_id)
    retry = _retry_of(shelter, client_id)
    if retry is not None:
        return retry
    if shelter.status != "buka":
        raise Conflict(
            f"Tempat pengungsian '{shelter.name}' sudah ditutup; buka kembali bila masih ada "
            "pengungsi yang perlu dihitung.",
            field="persons",
        )
    values, warnings = _count_values(shelter, counted_on, persons, households, groups, note)
    row = _same_day(shelter, values["counted_on"])
    outcome = "replaced"
    if row is None:
        row, outcome = _insert(shelter, values, client_id, recorded_by_id)
        if outcome == "duplicate":
            return HeadCountResult(row, "duplicate", shelter_checks(shelter, row))
    if outcome == "replaced":
        for key, value in values.items():
            setattr(row, key, value)
        row.recorded_by_id = recorded_by_id
        if row.client_id is None:
            row.client_id = client_id
    db.session.flush()
    db.session.expire(shelter, ["counts"])
    return HeadCountResult(row, outcome, shelter_checks(shelter, row) + warnings)
