"""Victim registry: households, persons (one row across events), status per event, institutions."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.time import office_today
from logistics.events.models import PEOPLE_STATUSES, Event
from logistics.shelters.models import Shelter
from logistics.victims.models import (
    INSTITUTION_KINDS,
    Household,
    InstitutionVictim,
    Person,
    Victim,
)
from logistics.victims.nik import RegionCodes, parse_kk, region_codes
from logistics.victims.persons import (
    PersonInput,
    clean_name,
    normalize_name,
    require_status,
    validate_person,
)


def require_shelter(shelter_id: int | None, event: Event | None) -> Shelter | None:
    """An open shelter of this event (or one not tied to any event), or None."""
    if shelter_id in (None, ""):
        return None
    number = str(shelter_id).strip()
    shelter = db.session.get(Shelter, int(number)) if number.isdigit() else None
    if shelter is None:
        raise DomainError(f"Tempat pengungsian {shelter_id} tidak ditemukan.", field="shelter_id")
    if shelter.status != "buka":
        raise DomainError(f"Tempat pengungsian '{shelter.name}' sudah ditutup.", field="shelter_id")
    if event is not None and shelter.event_id not in (None, event.id):
        raise DomainError(
            f"Tempat pengungsian '{shelter.name}' milik kejadian lain.", field="shelter_id"
        )
    return shelter


# --- households and persons ---------------------------------------------------------------------


def get_household(household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound(f"Keluarga {household_id} tidak ditemukan.")
    return household


def get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(f"Orang {person_id} tidak ditemukan.")
    return person


def get_victim(victim_id: int) -> Victim:
    victim = db.session.get(Victim, victim_id)
    if victim is None:
        raise NotFound(f"Data korban {victim_id} tidak ditemukan.")
    return victim


def canonical(person: Person) -> Person:
    """Follow merges to the person that is still counted."""
    seen = set()
    while person.merged_into_id is not None and person.id not in seen:
        seen.add(person.id)
        person = db.session.get(Person, person.merged_into_id)
    return person


def check_household(
    *,
    no_kk: str | None = None,
    head_name: str = "",
    address: str = "",
    rt: str = "",
    rw: str = "",
    kelurahan_code: str | None = None,
    regions: RegionCodes | None = None,
) -> tuple[dict, Household | None]:
    """Validate a household without writing: (its clean values, the household with that KK).
    Every refused value is reported together."""
    errors = Collector()
    kk = (no_kk or "").strip() or None
    if kk is not None:
        kk = errors.check(parse_kk, kk, regions or region_codes())
    if kelurahan_code:
        area = errors.check(require_kelurahan, kelurahan_code)
        kelurahan_code = area.code if area is not None else None
    rt, rw = (rt or "").strip(), (rw or "").strip()
    for label, value, name in (("RT", rt, "rt"), ("RW", rw, "rw")):
        if value and (not value.isdigit() or len(value) > 4):
            errors.add(DomainError(f"{label} ditulis dengan angka, mis. 003.", field=name))
    errors.raise_any()
    values = {
        "no_kk": kk,
        "head_name": clean_name(head_name),
        "address": (address or "").strip()[:255],
        "rt": rt,
        "rw": rw,
        "kelurahan_code": kelurahan_code or None,
    }
    existing = None
    if kk is not None:
        existing = db.session.scalar(select(Household).where(Household.no_kk == kk))
    return values, existing


def register_household(
    *,
    no_kk: str | None = None,
    head_name: str = "",
    address: str = "",
    rt: str = "",
    rw: str = "",
    kelurahan_code: str | None = None,
    regions: RegionCodes | None = None,
) -> tuple[Household, bool]:
    """The household with this nomor KK (blanks filled in), or a new one; (household, created)."""
    values, existing = check_household(
        no_kk=no_kk,
        head_name=head_name,
        address=address,
        rt=rt,
        rw=rw,
        kelurahan_code=kelurahan_code,
        regions=regions,
    )
    kk = values.pop("no_kk")
    if existing is not None:
        for key, value in values.items():
            if value and not getattr(existing, key):
                setattr(existing, key, value)
        db.session.flush()
        return existing, False
    household = Household(no_kk=kk, **values)
    db.session.add(household)
    db.session.flush()
    return household, True


def _same_person_without_nik(data: PersonInput, household: Household | None) -> Person | None:
    """A person of the household registered before without NIK, same name and birth date."""
    if household is None or household.id is None:
        return None
    candidates = db.session.scalars(
        select(Person).where(
            Person.household_id == household.id,
            Person.nik.is_(None),
            Person.merged_into_id.is_(None),
            Person.birth_date == data.birth_date
            if data.birth_date
            else Person.birth_date.is_(None),
        )
    )
    wanted = normalize_name(data.name)
    return next((p for p in candidates if normalize_name(p.name) == wanted), None)


def register_person(
    data: PersonInput,
    household: Household | None = None,
    regions: RegionCodes | None = None,
) -> tuple[Person, bool]:
    """Find the person (by NIK, or exactly by household + name + birth date) or create them.

    An existing person keeps their stored identity; blanks are filled in and vulnerable-group
    flags raised by the new report are added (a registration never clears a flag; editing does).
    """
    data = validate_person(data, regions or region_codes(), office_today())
    person = None
    if data.nik:
        person = db.session.scalar(select(Person).where(Person.nik == data.nik))
    else:
        person = _same_person_without_nik(data, household)
    if person is not None:
        person = canonical(person)
        if household is not None and person.household_id is None:
            person.household_id = household.id
        if person.birth_date is None and data.birth_date is not None:
            person.birth_date = data.birth_date
        for flag in ("pregnant", "breastfeeding", "disability", "chronic_illness"):
            if getattr(data, flag) and not getattr(person, flag):
                setattr(person, flag, True)
        db.session.flush()
        return person, False
    person = Person(
        nik=data.nik,
        no_nik_reason=data.no_nik_reason,
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        household_id=household.id if household is not None else None,
        relation=data.relation,
        pregnant=data.pregnant,
        breastfeeding=data.breastfeeding,
        disability=data.disability,
        chronic_illness=data.chronic_illness,
    )
    db.session.add(person)
    db.session.flush()
    return person, True


PERSON_FIELDS = (
    "name",
    "nik",
    "no_nik_reason",
    "sex",
    "birth_date",
    "relation",
    "pregnant",
    "breastfeeding",
    "disability",
    "chronic_illness",
)


def update_person(person: Person, **changes) -> Person:
    """Change a person's data (validated as a whole); a NIK held by someone else is a conflict."""
    if person.merged_into_id is not None:
        raise Conflict("Data ini sudah digabung ke orang lain; ubah data orang yang dipertahankan.")
    unknown = set(changes) - set(PERSON_FIELDS) - {"household_id"}
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}.")
    current = {key: getattr(person, key) for key in PERSON_FIELDS}
    merged = {**current, **{k: v for k, v in changes.items() if k in PERSON_FIELDS}}
    # A changed NIK re-derives sex and birth date unless they were changed too.
    if "nik" in changes and changes["nik"] != person.nik:
        if "sex" not in changes:
            merged["sex"] = None
        if "birth_date" not in changes:
            merged["birth_date"] = None
    if merged.get("nik"):
        merged["no_nik_reason"] = None
    data = validate_person(PersonInput(**merged), region_codes(), office_today())
    if data.nik and data.nik != person.nik:
        holder = db.session.scalar(
            select(Person.id).where(Person.nik == data.nik, Person.id != person.id)
        )
        if holder is not None:
            raise Conflict(
                f"NIK ini sudah dimiliki orang lain (id {holder}). Bila orangnya sama, gabungkan "
                "kedua data di halaman Kemungkinan duplikat.",
                field="nik",
                details={"person_id": holder},
            )
    for key in PERSON_FIELDS:
        value = getattr(data, key)
        if getattr(person, key) != value:
            setattr(person, key, value)
    if "household_id" in changes:
        household_id = changes["household_id"]
        person.household_id = get_household(int(household_id)).id if household_id else None
    db.session.flush()
    return person


# --- victims -------------------------------------------------------------------------------------


def _matches_first_submission(
    victim: Victim,
    event: Event,
    data: PersonInput,
    status: str,
    kelurahan_code: str,
    shelter_id: int | None,
) -> bool:
    """Whether a retried submission carries the same data as the one stored under its client_id."""
    person = canonical(victim.person)
    if data.nik:
        same_person = person.nik == data.nik
    else:
        same_person = normalize_name(person.name) == normalize_name(data.name) and (
            data.birth_date is None or person.birth_date == data.birth_date
        )
    return (
        same_person
        and victim.event_id == event.id
        and victim.status == status
        and victim.kelurahan_code == kelurahan_code
        and victim.shelter_id == (int(shelter_id) if shelter_id not in (None, "") else None)
    )


def _replay(client_id: str, event, data, status, kelurahan_code, shelter_id) -> Victim | None:
    existing = db.session.scalar(select(Victim).where(Victim.client_id == client_id))
    if existing is None:
        return None
    if not _matches_first_submission(existing, event, data, status, kelurahan_code, shelter_id):
        raise Conflict(
            f"client_id '{client_id}' sudah dipakai untuk data korban lain (id {existing.id}). "
            "Buat client_id baru untuk pendaftaran baru.",
            field="client_id",
            details={"victim_id": existing.id},
        )
    return existing


def register_victim(
    event: Event,
    person_data: PersonInput,
    *,
    status: str,
    kelurahan_code: str,
    shelter_id: int | None = None,
    client_id: str | None = None,
    household: Household | None = None,
    household_data: dict | None = None,
    note: str = "",
    registered_by_id: int | None = None,
) -> tuple[Victim, bool]:
    """Register a person as a victim of an event; (victim, created).

    The household is an existing one, or household_data for register_household (registered only
    after the retry check, so a resent submission creates no second household).
    A retried submission with the same client_id returns the first record and writes nothing;
    the same client_id with different data is a Conflict. A person already registered in the
    event is a Conflict that names the existing record.
    """
    errors = Collector()
    status = errors.check(require_status, status)
    client_id = (client_id or "").strip() or None
    if client_id is not None and len(client_id) > 64:
        errors.add(DomainError("client_id maksimal 64 karakter.", field="client_id"))
    regions = region_codes()
    data = errors.check(validate_person, person_data, regions, office_today())
    kelurahan = errors.check(require_kelurahan, kelurahan_code)
    if household is None and household_data:
        # A new household (the API's) is refused together with its first member.
        errors.check(check_household, **{"kelurahan_code": None, **household_data}, regions=regions)
    if client_id is not None and not errors.errors:
        # A resend returns its first record even when its shelter has closed since.
        existing = _replay(client_id, event, data, status, kelurahan.code, shelter_id)
        if existing is not None:
            return existing, False
    shelter = errors.check(require_shelter, shelter_id, event)
    errors.raise_any()
    try:
        if household is None and household_data:
            household, _ = register_household(
                **{"kelurahan_code": kelurahan.code, **household_data}, regions=regions
            )
        person, _ = register_person(data, household, regions)
    except IntegrityError:
        # A copy of this submission (or another phone) wrote the same KK or NIK since we
        # looked: the first record if it is this one, else a conflict to retry.
        db.session.rollback()
        return _first_or_conflict(client_id, event, data, status, kelurahan.code, shelter_id)
    already = db.session.scalar(
        select(Victim).where(Victim.event_id == event.id, Victim.person_id == person.id)
    )
    if already is not None:
        raise Conflict(
            f"{person.name} sudah terdaftar sebagai korban kejadian ini (status "
            f"{PEOPLE_STATUSES[already.status]}). Ubah statusnya di data yang ada.",
            details={"victim_id": already.id, "person_id": person.id},
        )
    victim = Victim(
        event_id=event.id,
        person_id=person.id,
        status=status,
        kelurahan_code=kelurahan.code,
        shelter_id=shelter.id if shelter else None,
        note=(note or "").strip(),
        client_id=client_id,
        registered_by_id=registered_by_id,
    )
    db.session.add(victim)
    try:
        db.session.flush()
    except IntegrityError:
        # Two copies of one submission raced past the lookup; the first one won.
        db.session.rollback()
        return _first_or_conflict(client_id, event, data, status, kelurahan.code, shelter_id)
    return victim, True


def _first_or_conflict(client_id, event, data, status, kelurahan_code, shelter_id):
    """After losing a race on a unique column: the first record of this submission, or a 409."""
    if client_id is not None:
        existing = _replay(client_id, event, data, status, kelurahan_code, shelter_id)
        if existing is not None:
            return existing, False
    raise Conflict("Data korban bentrok dengan data yang baru disimpan; coba lagi.")


def update_victim(
    victim: Victim,
    *,
    status: str | None = None,
    kelurahan_code: str | None = None,
    shelter_id: int | None | str = "unchanged",
    note: str | None = None,
) -> Victim:
    """Change a victim's status, kelurahan, shelter or note in their event; every refused
    value is reported together."""
    errors = Collector()
    if status is not None:
        status = errors.check(require_status, status)
    if kelurahan_code is not None:
        area = errors.check(require_kelurahan, kelurahan_code)
    shelter = None
    if shelter_id != "unchanged":
        shelter = errors.check(require_shelter, shelter_id, db.session.get(Event, victim.event_id))
    errors.raise_any()
    if status is not None:
        victim.status = status
    if kelurahan_code is not None:
        victim.kelurahan_code = area.code
    if shelter_id != "unchanged":
        victim.shelter_id = shelter.id if shelter else None
    if note is not None:
        victim.note = note.strip()
    db.session.flush()
    return victim


def set_status(
    event: Event,
    person: Person,
    status: str,
    kelurahan_code: str | None = None,
    registered_by_id: int | None = None,
) -> Victim:
    """The person's status in an event: updates their record there, or registers them."""
    person = canonical(person)
    victim = db.session.scalar(
        select(Victim).where(Victim.event_id == event.id, Victim.person_id == person.id)
    )
    if victim is not None:
        return update_victim(victim, status=status, kelurahan_code=kelurahan_code)
    household = person.household
    code = kelurahan_code or (household.kelurahan_code if household else None)
    victim = Victim(
        event_id=event.id,
        person_id=person.id,
        status=require_status(status),
        kelurahan_code=require_kelurahan(code).code,
        registered_by_id=registered_by_id,
    )
    db.session.add(victim)
    db.session.flush()
    return victim


def register_institution(
    event: Event | int | str | None,
    *,
    name: str,
    kind: str,
    kelurahan_code: str,
    headcount: int,
    status: str = "menderita",
    shelter_id: int | None = None,
    address: str = "",
    contact: str = "",
    client_id: str | None = None,
) -> tuple[InstitutionVictim, bool]:
    """An institution (yayasan, panti) hit as a group, counted by headcount; (record, created).
    event is the event or its id as chosen. Every refused value is reported together."""
    errors = Collector()
    if not isinstance(event, Event):
        event = errors.check(_chosen_event, event)
    name = clean_name(name)
    if not name:
        errors.add(DomainError("Nama lembaga wajib diisi.", field="name"))
    kind = errors.check(inputs.choice, kind, INSTITUTION_KINDS, "kind", "Jenis lembaga")
    headcount = errors.check(_headcount, headcount)
    status = errors.check(require_status, status)
    kelurahan = errors.check(require_kelurahan, kelurahan_code)
    client_id = (client_id or "").strip() or None
    if client_id is not None and not errors.errors:
        # A resend returns its first record even when its shelter has closed since.
        existing = _institution_replay(client_id, event, name, headcount, status, kelurahan)
        if existing is not None:
            return existing, False
    shelter = errors.check(require_shelter, shelter_id, event)
    errors.raise_any()
    record = InstitutionVictim(
        event_id=event.id,
        name=name,
        kind=kind,
        kelurahan_code=kelurahan.code,
        headcount=headcount,
        status=status,
        shelter_id=shelter.id if shelter else None,
        address=(address or "").strip()[:255],
        contact=(contact or "").strip()[:160],
        client_id=client_id,
    )
    db.session.add(record)
    db.session.flush()
    return record, True


def _headcount(value) -> int:
    try:
        headcount = int(value)
    except (TypeError, ValueError):
        raise DomainError("Jumlah penghuni harus berupa angka.", field="headcount") from None
    if headcount < 0:
        raise DomainError("Jumlah penghuni tidak boleh negatif.", field="headcount")
    return headcount


def _institution_replay(client_id, event, name, headcount, status, kelurahan):
    existing = db.session.scalar(
        select(InstitutionVictim).where(InstitutionVictim.client_id == client_id)
    )
    if existing is None:
        return None
    same = (
        existing.event_id == event.id
        and existing.name == name
        and existing.headcount == headcount
        and existing.status == status
        and existing.kelurahan_code == kelurahan.code
    )
    if not same:
        raise Conflict(
            f"client_id '{client_id}' sudah dipakai untuk lembaga lain.", field="client_id"
        )
    return existing


def _chosen_event(value) -> Event:
    """The event picked on a form, by its id."""
    if inputs.is_blank(value):
        raise DomainError("Kejadian bencana wajib dipilih.", field="event_id")
    event = db.session.get(Event, int(value)) if str(value).strip().isdigit() else None
    if event is None:
        raise DomainError(f"Kejadian {value} tidak ditemukan.", field="event_id")
    return event
