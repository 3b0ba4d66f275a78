"""Victim lists: filters, vulnerable groups, a person's history, and the lookups the pages need."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select

from logistics.areas.models import Area
from logistics.core import inputs
from logistics.core.demography import CHILD_UNDER, ELDERLY_FROM, TODDLER_UNDER, age_group, is_balita
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope, in_area
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
from logistics.victims.persons import require_status

# Vulnerable groups a list can be filtered by (DOMAIN.md section 4), with their labels.
VULNERABLE_GROUPS = {
    "balita": "Balita",
    "anak": "Anak",
    "lansia": "Lansia",
    "ibu_hamil": "Ibu hamil",
    "ibu_menyusui": "Ibu menyusui",
    "disabilitas": "Penyandang disabilitas",
    "penyakit_kronis": "Penyakit kronis",
}


# --- vulnerable groups and ages ------------------------------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def vulnerable_groups(person: Person, on: date) -> list[str]:
    """Keys of VULNERABLE_GROUPS that apply to the person on a day (age groups from birth date)."""
    groups = []
    if is_balita(person.birth_date, on):
        groups.append("balita")
    group = age_group(person.birth_date, on)
    if group in ("anak", "lansia"):
        groups.append(group)
    for key, flag in (
        ("ibu_hamil", person.pregnant),
        ("ibu_menyusui", person.breastfeeding),
        ("disabilitas", person.disability),
        ("penyakit_kronis", person.chronic_illness),
    ):
        if flag:
            groups.append(key)
    return groups


def vulnerable_condition(group: str, today: date):
    """A SQL condition on Person selecting one vulnerable group (ages as of today)."""
    conditions = {
        "balita": Person.birth_date > years_before(today, TODDLER_UNDER),
        "anak": Person.birth_date > years_before(today, CHILD_UNDER),
        "lansia": Person.birth_date <= years_before(today, ELDERLY_FROM),
        "ibu_hamil": Person.pregnant.is_(True),
        "ibu_menyusui": Person.breastfeeding.is_(True),
        "disabilitas": Person.disability.is_(True),
        "penyakit_kronis": Person.chronic_illness.is_(True),
    }
    return conditions[inputs.choice(group, VULNERABLE_GROUPS, "group", "Kelompok rentan")]


# --- listing ------------------------------------------------------------------------------------


@dataclass
class VictimFilters:
    """What a victim list can be narrowed by; empty values mean no filter."""

    event_id: int | None = None
    kelurahan_code: str | None = None
    status: str | None = None
    group: str | None = None
    text: str | None = None
    extra: dict = field(default_factory=dict)
    scope: Scope = WHOLE_OFFICE


def victims_query(filters: VictimFilters, today: date | None = None):
    """SELECT of (Victim, Person, Household, Event) rows matching the filters, newest first."""
    today = today or office_today()
    query = (
        select(Victim, Person, Household, Event)
        .join(Person, Person.id == Victim.person_id)
        .outerjoin(Household, Household.id == Person.household_id)
        .join(Event, Event.id == Victim.event_id)
        .where(Person.merged_into_id.is_(None))
    )
    query = filters.scope.narrow(query, Victim.kelurahan_code)
    if filters.event_id:
        query = query.where(Victim.event_id == int(filters.event_id))
    if filters.kelurahan_code:
        query = query.where(in_area(Victim.kelurahan_code, filters.kelurahan_code))
    if filters.status:
        query = query.where(Victim.status == require_status(filters.status))
    if filters.group:
        query = query.where(vulnerable_condition(filters.group, today))
    text = (filters.text or "").strip()
    if text:
        digits = text.replace(" ", "").replace(".", "")
        if digits.isdigit() and len(digits) == 16:
            # Whole numbers only: a prefix search would let anyone probe NIKs digit by digit.
            query = query.where(or_(Person.nik == digits, Household.no_kk == digits))
        else:
            query = query.where(func.lower(Person.name).contains(text.lower()))
    return query.order_by(Victim.registered_at.desc(), Victim.id.desc())


def person_history(person: Person) -> list[tuple[Victim, Event]]:
    """Every event the person was a victim of, newest first."""
    return db.session.execute(
        select(Victim, Event)
        .join(Event, Event.id == Victim.event_id)
        .where(Victim.person_id == person.id)
        .order_by(Event.started_at.desc())
    ).all()


def merged_from(person: Person) -> list[Person]:
    """Rows merged into this person."""
    return list(
        db.session.scalars(
            select(Person).where(Person.merged_into_id == person.id).order_by(Person.id)
        )
    )


def kelurahan_names() -> dict[str, str]:
    """Name of every kelurahan by its code."""
    rows = db.session.execute(select(Area.code, Area.name).where(Area.level == "kelurahan"))
    return dict(rows.all())


def shelter_names() -> dict[int, str]:
    """Name of every shelter by its id."""
    return dict(db.session.execute(select(Shelter.id, Shelter.name)).all())


def victim_rows(query, *, limit: int | None = None, offset: int = 0) -> list:
    """The (Victim, Person, Household, Event) rows of a victims_query, or one page of them."""
    if limit is not None:
        # The page's ids first: the sort of a large list (a kab/kota's 40,000 victims) then
        # carries ids alone, and the joined tables are read for the page's rows only.
        page = query.with_only_columns(Victim.id).limit(limit).offset(offset)
        ids = list(db.session.scalars(page))
        query = query.where(Victim.id.in_(ids))
    return db.session.execute(query).all()


def victim_count(query) -> int:
    """How many rows a victims_query lists."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def victim_totals(query) -> tuple[int, int, int]:
    """Counted as the office reports: rows, distinct persons (jiwa) and households (KK).

    Counted over the victims and their persons alone, under the list's own conditions (which
    name no event column): the events of 40,000 rows need not be read to count them.
    """
    counted = (
        select(
            func.count(),
            func.count(func.distinct(Victim.person_id)),
            func.count(func.distinct(Person.household_id)),
        )
        .select_from(Victim)
        .join(Person, Person.id == Victim.person_id)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(query.whereclause)
    )
    return tuple(db.session.execute(counted).one())


def household_members(household: Household, *, head_first: bool = True) -> list[Person]:
    """The household's persons (merged duplicates left out): the head first, then by birth date;
    or in the order they were registered."""
    order = (
        (Person.relation != "kepala_keluarga", Person.birth_date, Person.id)
        if head_first
        else (Person.id,)
    )
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.household_id == household.id, Person.merged_into_id.is_(None))
            .order_by(*order)
        )
    )


def has_head(household: Household) -> bool:
    """Whether someone in the household is already its head (kepala keluarga)."""
    return bool(
        db.session.scalar(
            select(func.count(Person.id)).where(
                Person.household_id == household.id, Person.relation == "kepala_keluarga"
            )
        )
    )


def survivor_of(person: Person) -> Person | None:
    """The person this one was merged into, if any."""
    return db.session.get(Person, person.merged_into_id) if person.merged_into_id else None


def find_event(event_id: int | None) -> Event | None:
    """The event with this id, or None (no error: a page shows what it can)."""
    return db.session.get(Event, event_id) if event_id else None


def institutions_query(
    *,
    event_id: int | None = None,
    kind: str = "",
    text: str = "",
    scope: Scope = WHOLE_OFFICE,
):
    """SELECT of (InstitutionVictim, Event) rows: the page's filters, newest first."""
    query = select(InstitutionVictim, Event).join(Event, Event.id == InstitutionVictim.event_id)
    query = scope.narrow(query, InstitutionVictim.kelurahan_code)
    if event_id:
        query = query.where(InstitutionVictim.event_id == event_id)
    if kind in INSTITUTION_KINDS:
        query = query.where(InstitutionVictim.kind == kind)
    if text:
        query = query.where(func.lower(InstitutionVictim.name).contains(text.lower()))
    return query.order_by(InstitutionVictim.created_at.desc())


def institution_rows(query, *, limit: int | None = None) -> list:
    """The (InstitutionVictim, Event) rows of an institutions_query."""
    if limit is not None:
        query = query.limit(limit)
    return db.session.execute(query).all()


def institutions(
    event_id: int | None = None, kelurahan_code: str | None = None, scope: Scope = WHOLE_OFFICE
):
    """Institution victims by id (the API list) in the wilayah, optionally of one event or
    kelurahan."""
    query = scope.narrow(select(InstitutionVictim), InstitutionVictim.kelurahan_code)
    query = query.order_by(InstitutionVictim.id)
    if event_id:
        query = query.where(InstitutionVictim.event_id == event_id)
    if kelurahan_code:
        query = query.where(InstitutionVictim.kelurahan_code == kelurahan_code)
    return db.session.scalars(query).all()


# --- an event's victims (the event pages) --------------------------------------------------------


@dataclass
class VictimRow:
    """One victim as the event page lists them (the NIK is masked by the caller's rule)."""

    victim_id: int
    person_id: int
    name: str
    nik: str | None
    sex: str
    birth_date: date | None
    status: str
    kelurahan_code: str
    kelurahan_name: str
    shelter_name: str


def event_victims(
    event: Event,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    scope: Scope = WHOLE_OFFICE,
) -> tuple[int, list[VictimRow]]:
    """(total, rows) of the event's registered persons in the scope, merged duplicates left out."""
    conditions = [
        Victim.event_id == event.id,
        Person.merged_into_id.is_(None),
        scope.condition(Victim.kelurahan_code),
    ]
    if kelurahan_code:
        conditions.append(Victim.kelurahan_code == kelurahan_code)
    if status:
        if status not in PEOPLE_STATUSES:
            raise DomainError("Status korban tidak dikenal.", field="status")
        conditions.append(Victim.status == status)
    where = and_(*conditions)
    total = db.session.scalar(
        select(func.count(Victim.id)).join(Person, Person.id == Victim.person_id).where(where)
    )
    query = (
        select(
            Victim.id,
            Person.id,
            Person.name,
            Person.nik,
            Person.sex,
            Person.birth_date,
            Victim.status,
            Victim.kelurahan_code,
            Area.name,
            Shelter.name,
        )
        .join(Person, Person.id == Victim.person_id)
        .outerjoin(Area, Area.code == Victim.kelurahan_code)
        .outerjoin(Shelter, Shelter.id == Victim.shelter_id)
        .where(where)
        .order_by(Area.name, Person.name, Victim.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = [
        VictimRow(v_id, p_id, name, nik, sex, birth, status_, code, kel or code, shelter or "")
        for v_id, p_id, name, nik, sex, birth, status_, code, kel, shelter in db.session.execute(
            query
        )
    ]
    return total, rows


def event_institutions(event: Event) -> list[tuple[InstitutionVictim, str]]:
    return list(
        db.session.execute(
            select(InstitutionVictim, Area.name)
            .outerjoin(Area, Area.code == InstitutionVictim.kelurahan_code)
            .where(InstitutionVictim.event_id == event.id)
            .order_by(InstitutionVictim.name)
        ).all()
    )


def choice_events(limit: int = 200, scope: Scope = WHOLE_OFFICE) -> list[Event]:
    """Events for a pick list: open ones first (newest first), then closed ones; those over
    the user's wilayah (their own kab/kota's and province-wide ones)."""
    query = select(Event).order_by(Event.closed_at.is_not(None), Event.started_at.desc())
    return list(db.session.scalars(scope.narrow_covering(query, Event.area_code).limit(limit)))


def open_shelters(event_id: int | None = None, scope: Scope = WHOLE_OFFICE) -> list[Shelter]:
    """Open shelters by name in the wilayah: those of the event and those of no event, or all
    when none given."""
    query = select(Shelter).where(Shelter.status == "buka").order_by(Shelter.name)
    if event_id:
        query = query.where((Shelter.event_id == event_id) | Shelter.event_id.is_(None))
    return list(db.session.scalars(scope.narrow(query, Shelter.kelurahan_code)))
