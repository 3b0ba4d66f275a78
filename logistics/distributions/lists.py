"""Reading hand-outs: one hand-out, filtered lists, a household's history, and the recipient search."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from logistics.admin.models import User
from logistics.areas.kab_kota import kab_kota_expression, kab_kota_label, kab_kota_names
from logistics.areas.models import Area
from logistics.core import inputs
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope, in_area
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_today
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.distributions.services import SEARCH_LIMIT, Taken, event_of
from logistics.events.models import Event
from logistics.stock import ledger, wilayah
from logistics.stock.models import Item, StockLot, StockMovement, Warehouse
from logistics.victims.models import Household, InstitutionVictim, Person, Victim

# --- reading ------------------------------------------------------------------------------------


def get_distribution(distribution_id: int) -> Distribution:
    distribution = db.session.get(Distribution, distribution_id)
    if distribution is None:
        raise NotFound(f"Penyaluran #{distribution_id} tidak ditemukan.")
    return distribution


@dataclass
class DistributionFilters:
    """What a distribution list can be narrowed by; empty values mean no filter."""

    event_id: int | None = None
    component: str | None = None
    kelurahan_code: str | None = None
    household_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Row:
    """One distribution with the names a list shows, resolved in the list's own query."""

    distribution: Distribution
    event_code: str
    recipient_name: str
    nik: str | None
    no_kk: str | None
    kelurahan_name: str
    warehouse_name: str
    recorded_by: str
    lines: list[tuple[str, Decimal, str]] = field(default_factory=list)


def parse_filters(args: Mapping, names: Mapping[str, str] | None = None) -> DistributionFilters:
    """Filters from query arguments; `names` maps our filter names to the argument names."""
    names = {
        "event_id": "event_id",
        "component": "component",
        "kelurahan_code": "kelurahan_code",
        "household_id": "household_id",
        "date_from": "date_from",
        "date_to": "date_to",
        **(names or {}),
    }
    component = (args.get(names["component"]) or "").strip() or None
    if component is not None and component not in SPM_COMPONENTS:
        raise DomainError(f"Komponen '{component}' tidak dikenal.", field="component")
    filters = DistributionFilters(
        event_id=inputs.whole_number(args.get(names["event_id"]), "event_id", "Kejadian"),
        component=component,
        kelurahan_code=(args.get(names["kelurahan_code"]) or "").strip() or None,
        household_id=inputs.whole_number(args.get(names["household_id"]), "household_id", "KK"),
        date_from=inputs.day(args.get(names["date_from"]), "date_from", "Tanggal mulai"),
        date_to=inputs.day(args.get(names["date_to"]), "date_to", "Tanggal akhir"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError("Tanggal mulai harus sebelum tanggal akhir.", field="date_from")
    return filters


def distributions_query(filters: DistributionFilters, scope: Scope = WHOLE_OFFICE):
    """SELECT of a list's columns for the filtered distributions in the scope, newest first."""
    member = aliased(Person)
    head = (
        select(member.nik)
        .where(
            member.household_id == Distribution.household_id,
            member.relation == "kepala_keluarga",
        )
        .order_by(member.merged_into_id.is_not(None), member.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            Distribution,
            Event.code,
            func.coalesce(Household.head_name, Person.name, InstitutionVictim.name, ""),
            func.coalesce(Person.nik, head),
            Household.no_kk,
            Area.name,
            Warehouse.name,
            func.coalesce(User.full_name, User.username),
        )
        .join(Event, Event.id == Distribution.event_id)
        .outerjoin(Household, Household.id == Distribution.household_id)
        .outerjoin(Person, Person.id == Distribution.person_id)
        .outerjoin(InstitutionVictim, InstitutionVictim.id == Distribution.institution_id)
        .outerjoin(Area, Area.code == Distribution.kelurahan_code)
        .outerjoin(Warehouse, Warehouse.id == Distribution.warehouse_id)
        .outerjoin(User, User.id == Distribution.created_by_id)
    )
    query = scope.narrow(query, Distribution.kelurahan_code)
    if filters.event_id:
        query = query.where(Distribution.event_id == filters.event_id)
    if filters.component:
        query = query.where(Distribution.component == filters.component)
    if filters.kelurahan_code:
        query = query.where(in_area(Distribution.kelurahan_code, filters.kelurahan_code))
    if filters.household_id:
        query = query.where(Distribution.household_id == filters.household_id)
    if filters.date_from:
        query = query.where(Distribution.distributed_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Distribution.distributed_on <= filters.date_to)
    return query.order_by(Distribution.distributed_on.desc(), Distribution.id.desc())


@dataclass(frozen=True)
class KabKotaTotal:
    """One kab/kota's hand-outs in a filtered list: how many, and the persons they served."""

    code: str
    label: str
    handouts: int
    persons: int


def kab_kota_totals(query) -> list[KabKotaTotal]:
    """The subtotals of a list query (`distributions_query`) per kab/kota, by code."""
    kab = kab_kota_expression(Distribution.kelurahan_code)
    totals = (
        query.with_only_columns(
            kab,
            func.count(Distribution.id),
            func.coalesce(func.sum(Distribution.persons_served), 0),
        )
        .order_by(None)
        .group_by(kab)
        .order_by(kab)
    )
    names = kab_kota_names()
    return [
        KabKotaTotal(code or "", kab_kota_label(code, names), handouts, int(persons))
        for code, handouts, persons in db.session.execute(totals)
    ]


def by_kab_kota_order(query):
    """The list query ordered by kab/kota first (an export with subtotal rows), newest first
    within each."""
    kab = kab_kota_expression(Distribution.kelurahan_code)
    return query.order_by(None).order_by(
        kab, Distribution.distributed_on.desc(), Distribution.id.desc()
    )


def line_summaries(distribution_ids: list[int]) -> dict[int, list[tuple[str, Decimal, str]]]:
    """(item name, quantity, unit) per distribution, summed over lots, in one query."""
    if not distribution_ids:
        return {}
    rows = db.session.execute(
        select(
            StockMovement.distribution_id,
            Item.name,
            Item.unit,
            func.sum(StockMovement.quantity),
        )
        .join(Item, Item.id == StockMovement.item_id)
        .where(StockMovement.distribution_id.in_(distribution_ids))
        .group_by(StockMovement.distribution_id, Item.id, Item.name, Item.unit)
        .order_by(StockMovement.distribution_id, Item.name)
    )
    found: dict[int, list] = defaultdict(list)
    for distribution_id, name, unit, total in rows:
        found[distribution_id].append((name, -Decimal(str(total)), unit))
    return dict(found)


def rows(query, limit: int | None = None, offset: int = 0) -> list[Row]:
    """The query's rows with their item lines (two queries in all)."""
    if limit is not None:
        query = query.limit(limit).offset(offset)
    result = [
        Row(d, code, name, nik, kk, area or "", warehouse or "", recorder or "")
        for d, code, name, nik, kk, area, warehouse, recorder in db.session.execute(query)
    ]
    lines = line_summaries([r.distribution.id for r in result])
    for row in result:
        row.lines = lines.get(row.distribution.id, [])
    return result


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def movements_of(distribution: Distribution) -> list[Taken]:
    """The stock lines of a hand-out, in one query of plain columns (no entities to load).

    For a hand-out recorded in this request the lines are already known.
    """
    recorded = getattr(distribution, "recorded_lines", None)
    if recorded is not None:
        return recorded
    found = db.session.execute(
        select(
            StockMovement.item_id,
            Item.code,
            Item.name,
            Item.unit,
            StockMovement.lot_id,
            StockLot.lot_code,
            StockLot.expiry_date,
            StockMovement.quantity,
            StockMovement.override_reason,
        )
        .join(Item, Item.id == StockMovement.item_id)
        .join(StockLot, StockLot.id == StockMovement.lot_id)
        .where(StockMovement.distribution_id == distribution.id)
        .order_by(StockMovement.id)
    )
    return [
        Taken(
            item_id,
            code,
            name,
            unit,
            lot_id,
            ledger.lot_label(StockLot(lot_code=lot_code, expiry_date=expiry)),
            -Decimal(str(amount)),
            reason,
        )
        for item_id, code, name, unit, lot_id, lot_code, expiry, amount, reason in found
    ]


def recipient_ids(distribution: Distribution) -> list[int]:
    """The persons a hand-out served, by id."""
    recorded = getattr(distribution, "recorded_person_ids", None)
    if recorded is not None:
        return sorted(recorded)
    return list(
        db.session.scalars(
            select(DistributionRecipient.person_id)
            .where(DistributionRecipient.distribution_id == distribution.id)
            .order_by(DistributionRecipient.person_id)
        )
    )


def household_history(household_id: int, event_id: int | None = None) -> list[Row]:
    """Every hand-out to the household or to one of its members, newest first."""
    members = select(Person.id).where(Person.household_id == household_id)
    served = select(DistributionRecipient.distribution_id).where(
        DistributionRecipient.person_id.in_(members)
    )
    query = distributions_query(DistributionFilters(event_id=event_id)).where(
        or_(Distribution.household_id == household_id, Distribution.id.in_(served))
    )
    return rows(query)


def household_members(household_id: int) -> list[Person]:
    """The household's persons that are still counted, head of household first."""
    members = db.session.scalars(
        select(Person)
        .where(Person.household_id == household_id)
        .order_by(Person.relation != "kepala_keluarga", Person.birth_date, Person.id)
    )
    return [person for person in members if person.merged_into_id is None]


def active_events(scope: Scope = WHOLE_OFFICE) -> list[Event]:
    """Events still open that the scope sees (its own and those over all of it), newest first:
    the field form's choices."""
    query = select(Event).where(Event.closed_at.is_(None)).order_by(Event.started_at.desc())
    return list(db.session.scalars(scope.narrow_covering(query, Event.area_code)))


def warehouses_with_stock(scope: Scope = WHOLE_OFFICE) -> list[Warehouse]:
    """Active warehouses holding any unexpired stock that the scope may hand out from (records
    in), by name."""
    today = office_today()
    held = select(StockLot.warehouse_id).where(
        StockLot.quantity > 0,
        StockLot.expiry_date.is_(None) | (StockLot.expiry_date >= today),
    )
    query = (
        select(Warehouse)
        .where(Warehouse.active.is_(True), Warehouse.id.in_(held))
        .order_by(Warehouse.name)
    )
    found = db.session.scalars(wilayah.narrow(query, scope))
    return [w for w in found if wilayah.records(scope, w)]


def stock_by_warehouse(warehouse_ids: list[int]) -> dict[int, list[tuple[Item, Decimal]]]:
    """Unexpired balance per item in each warehouse, for the field form's item choices."""
    if not warehouse_ids:
        return {}
    today = office_today()
    rows_ = db.session.execute(
        select(StockLot.warehouse_id, Item, func.sum(StockLot.quantity))
        .join(Item, Item.id == StockLot.item_id)
        .where(
            StockLot.warehouse_id.in_(warehouse_ids),
            StockLot.quantity > 0,
            StockLot.expiry_date.is_(None) | (StockLot.expiry_date >= today),
            Item.active.is_(True),
        )
        .group_by(StockLot.warehouse_id, Item.id)
        .order_by(StockLot.warehouse_id, Item.name)
    )
    found: dict[int, list] = defaultdict(list)
    for warehouse_id, item, total in rows_:
        found[warehouse_id].append((item, Decimal(str(total))))
    return dict(found)


# --- recipient search -----------------------------------------------------------------------------


@dataclass
class Candidate:
    """A household (with its members) or a person without household found by the search."""

    household: Household | None
    person: Person | None
    members: list[Person]
    matched: set[int]
    kelurahan_code: str


def search_recipients(event_id, text, scope: Scope = WHOLE_OFFICE) -> list[Candidate]:
    """The event's victims within the scope by whole NIK, whole nomor KK or part of a name (3+
    characters), grouped by household."""
    event = event_of(event_id)
    query = (text or "").strip() if isinstance(text, str) else ""
    digits = query.replace(" ", "").replace(".", "")
    base = (
        select(Person, Household, Victim.kelurahan_code)
        .join(Victim, (Victim.person_id == Person.id) & (Victim.event_id == event.id))
        .outerjoin(Household, Household.id == Person.household_id)
    )
    base = scope.narrow(base, Victim.kelurahan_code)
    if digits.isdigit():
        if len(digits) != 16:
            raise DomainError(
                "Tulis NIK atau nomor KK lengkap 16 digit, atau nama (minimal 3 huruf).",
                field="q",
            )
        # Whole numbers only: a prefix search would let anyone probe NIKs digit by digit.
        # The few persons of the NIK or KK first, by their indexes; then whether they are
        # victims of the event (a planner without statistics would walk every victim instead).
        family = select(Household.id).where(Household.no_kk == digits)
        ids = db.session.scalars(
            select(Person.id).where(or_(Person.nik == digits, Person.household_id.in_(family)))
        ).all()
        base = base.where(Person.id.in_(ids))
    else:
        if len(query) < 3:
            raise DomainError("Tulis minimal 3 huruf nama, atau NIK/nomor KK 16 digit.", field="q")
        base = base.where(func.lower(Person.name).contains(query.lower(), autoescape=True))
    found = db.session.execute(base.order_by(Person.name, Person.id).limit(SEARCH_LIMIT * 4)).all()
    candidates: dict[tuple, Candidate] = {}
    for person, household, kelurahan in found:
        if person.merged_into_id is not None:
            continue  # merged away: the person it was merged into is the one to serve
        key = ("household", household.id) if household else ("person", person.id)
        if key not in candidates:
            if len(candidates) >= SEARCH_LIMIT:
                continue
            candidates[key] = Candidate(
                household, None if household else person, [], set(), kelurahan
            )
        candidates[key].matched.add(person.id)
    household_ids = [c.household.id for c in candidates.values() if c.household]
    if household_ids:
        members = db.session.scalars(
            select(Person)
            .where(Person.household_id.in_(household_ids))
            .order_by(Person.relation != "kepala_keluarga", Person.birth_date, Person.id)
        )
        for member in members:
            if member.merged_into_id is None:
                candidates[("household", member.household_id)].members.append(member)
    for candidate in candidates.values():
        if candidate.person is not None:
            candidate.members = [candidate.person]
    return list(candidates.values())
