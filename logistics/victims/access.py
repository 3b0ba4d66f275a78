"""Where a victim record lies (for the wilayah scope) and "break the glass" lookups across it."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.privacy import mask_nik
from logistics.core.security import require_visible
from logistics.core.time import utcnow
from logistics.events.models import Event
from logistics.victims.models import AccessGrant, Household, Person, Victim

MIN_REASON = 10


# --- the areas a record lies in (the scope guard's resolvers) -----------------------------------


def victim_area_codes(victim_id: int) -> list[str | None] | None:
    code = db.session.execute(
        select(Victim.id, Victim.kelurahan_code).where(Victim.id == victim_id)
    ).first()
    return None if code is None else [code.kelurahan_code]


def person_area_codes(person_id: int) -> list[str | None] | None:
    """Every kelurahan the person was registered in, and their household's."""
    row = db.session.execute(
        select(Person.id, Household.kelurahan_code)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(Person.id == person_id)
    ).first()
    if row is None:
        return None
    codes = db.session.scalars(
        select(Victim.kelurahan_code).where(Victim.person_id == person_id).distinct()
    ).all()
    return [row.kelurahan_code, *codes]


def household_area_codes(household_id: int) -> list[str | None] | None:
    """The household's kelurahan and every kelurahan its members were registered in."""
    home = db.session.scalar(select(Household.kelurahan_code).where(Household.id == household_id))
    exists = db.session.scalar(select(Household.id).where(Household.id == household_id))
    if exists is None:
        return None
    codes = db.session.scalars(
        select(Victim.kelurahan_code)
        .join(Person, Person.id == Victim.person_id)
        .where(Person.household_id == household_id)
        .distinct()
    ).all()
    return [home, *codes]


def require_own_household(household_id: int) -> None:
    """A KK registered in another kab/kota is neither shown nor joined from a registration (form
    or API): the user finds the family through the cross-area lookup (with a reason) first,
    which opens it."""
    try:
        require_visible("household_id", household_id)
    except NotFound:
        raise Conflict(
            "Nomor KK ini sudah terdaftar di luar wilayah kerja Anda. Cari keluarga ini lewat "
            "Pencarian lintas wilayah (dengan alasan) sebelum mendaftarkannya.",
            field="no_kk",
        ) from None


def _granted(column, user_id: int, record_id: int) -> bool:
    return (
        db.session.scalar(
            select(AccessGrant.id)
            .where(
                AccessGrant.user_id == user_id,
                column == record_id,
                AccessGrant.expires_at > utcnow(),
            )
            .limit(1)
        )
        is not None
    )


def person_granted(user_id: int, person_id: int) -> bool:
    return _granted(AccessGrant.person_id, user_id, person_id)


def household_granted(user_id: int, household_id: int) -> bool:
    return _granted(AccessGrant.household_id, user_id, household_id)


# --- break the glass ----------------------------------------------------------------------------


@dataclass
class Found:
    """A person a lookup found, with where and in which events they were registered."""

    person: Person
    household: Household | None
    records: list[tuple[Victim, Event]]


def break_glass(user_id: int, number: str, reason: str, minutes: int) -> list[Found]:
    """Find persons by NIK or nomor KK across the whole office area, whatever the user's scope,
    and open their pages to the user for `minutes`. Refused without a reason; every lookup,
    found or not, is written to the audit log with the reason (the number masked)."""
    number = "".join(ch for ch in (number or "") if ch.isdigit())
    reason = " ".join((reason or "").split())
    if len(number) != 16:
        raise DomainError("Isi NIK atau nomor KK 16 angka.", field="number")
    if len(reason) < MIN_REASON:
        raise DomainError(
            f"Tuliskan alasan pencarian lintas wilayah (minimal {MIN_REASON} karakter), mis. "
            "'keluarga mengungsi dari Kab. Rejang Lebong, cek bantuan sebelumnya'. Pencarian ini "
            "dicatat di log audit.",
            field="reason",
        )
    persons = db.session.scalars(
        select(Person)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(
            Person.merged_into_id.is_(None), or_(Person.nik == number, Household.no_kk == number)
        )
        .order_by(Person.name)
        .limit(50)
    ).all()
    expires = utcnow() + timedelta(minutes=max(1, minutes))
    household_ids = {p.household_id for p in persons if p.household_id}
    db.session.add_all(
        AccessGrant(user_id=user_id, person_id=p.id, reason=reason, expires_at=expires)
        for p in persons
    )
    db.session.add_all(
        AccessGrant(user_id=user_id, household_id=h, reason=reason, expires_at=expires)
        for h in sorted(household_ids)
    )
    record_action(
        "break_glass",
        "persons",
        None,
        {"number": mask_nik(number), "reason": reason, "found": [p.id for p in persons]},
    )
    db.session.flush()
    return [_found(person) for person in persons]


def _found(person: Person) -> Found:
    records = db.session.execute(
        select(Victim, Event)
        .join(Event, Event.id == Victim.event_id)
        .where(Victim.person_id == person.id)
        .order_by(Victim.registered_at.desc())
    ).all()
    return Found(person, person.household, [(v, e) for v, e in records])
