"""SPM aggregate tables: needs and deliveries per event x day x kelurahan x shelter, and per year.

One set of functions serves the incremental jobs (one event and day) and the full rebuild (every
event), so both give the same rows by construction.
"""

import bisect
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
)

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.signals import years_changed
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_date, utcnow
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event, ImpactFigure
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm.models import ALL_COMPONENTS, SpmDaily, SpmMetRule, SpmStale, SpmYear
from logistics.spm.settings import met_rules
from logistics.victims.models import Person, Victim

log = logging.getLogger(__name__)
INSERT_CHUNK = 5000
# PostgreSQL advisory lock taken by every aggregate writer ("SPMA" in ASCII).
AGGREGATE_LOCK = 0x53504D41
# shelter_key of the row that totals a kelurahan in distinct persons and households.
KELURAHAN = -1
Progress = Callable[[int, str], None]

# The canonical person: a merged duplicate counts as the person it was merged into.
_canonical = func.coalesce(Person.merged_into_id, Person.id)


def _in(column, values):
    return column.in_(values) if values is not None else True


def _event_days(event_ids: list[int] | None) -> dict[int, set[date]]:
    """Days that get rows: the event's first day and every day with a hand-out or head count."""
    days: dict[int, set[date]] = defaultdict(set)
    for event_id, started_at in db.session.execute(
        select(Event.id, Event.started_at).where(_in(Event.id, event_ids))
    ):
        days[event_id].add(office_date(started_at))
    for event_id, day in db.session.execute(
        select(Distribution.event_id, Distribution.distributed_on)
        .where(_in(Distribution.event_id, event_ids))
        .group_by(Distribution.event_id, Distribution.distributed_on)
    ):
        days[event_id].add(day)
    for event_id, day in db.session.execute(
        select(Shelter.event_id, ShelterCount.counted_on)
        .join(Shelter, Shelter.id == ShelterCount.shelter_id)
        .where(Shelter.event_id.is_not(None), _in(Shelter.event_id, event_ids))
        .group_by(Shelter.event_id, ShelterCount.counted_on)
    ):
        days[event_id].add(day)
    return days


def _registry_needs(event_ids, rules: dict[str, list[str]], merged: bool):
    """{event: {(kelurahan, shelter_key, component): (persons, households)}} from the registry.

    Victims are grouped by person and by household with the set of their statuses as a bit mask
    (SUM of DISTINCT powers of two); which components a mask needs is worked out here. Joining
    the rules in SQL instead would sort every victim once per component.
    """
    statuses = sorted(rules)
    needs: dict[int, dict] = defaultdict(dict)
    if not statuses:
        return needs
    bit = case(*((Victim.status == status, 1 << n) for n, status in enumerate(statuses)), else_=0)
    components_of: dict[int, list[str]] = {}

    def components(mask: int) -> list[str]:
        if mask not in components_of:
            wanted = {c for n, s in enumerate(statuses) if mask >> n & 1 for c in rules[s]}
            components_of[mask] = sorted(wanted)
        return components_of[mask]

    place = (
        Victim.event_id,
        Victim.kelurahan_code,
        func.coalesce(Victim.shelter_id, literal_column("0")),
    )
    victims = (
        select()
        .select_from(Victim)
        .where(_in(Victim.event_id, event_ids), Victim.status.in_(statuses))
    )
    if merged:
        # Two merged records of one person may both be victims of an event: one mask per person.
        inner = (
            victims.add_columns(*place, func.sum(bit.distinct()).label("mask"))
            .join(Person, Person.id == Victim.person_id)
            .group_by(*place, _canonical)
            .subquery()
        )
        columns = list(inner.c)
        person_rows = select(*columns, func.count()).group_by(*columns)
    else:
        # A person is a victim once per event, so their status is the whole mask.
        person_rows = victims.add_columns(*place, bit, func.count()).group_by(*place, Victim.status)
    persons: dict[tuple, int] = defaultdict(int)
    for event_id, kelurahan, key, mask, count in db.session.execute(person_rows):
        for component in components(mask):
            persons[(event_id, kelurahan, key, component)] += count
    # One row per household and place; the kelurahan's mask of a household split over two
    # shelters is the union of both, and it counts once there.
    households: dict[tuple, int] = defaultdict(int)
    kelurahan_masks: dict[tuple, int] = defaultdict(int)
    for event_id, kelurahan, key, household, mask in db.session.execute(
        victims.add_columns(*place, Person.household_id, func.sum(bit.distinct()))
        .join(Person, Person.id == Victim.person_id)
        .where(Person.household_id.is_not(None))
        .group_by(*place, Person.household_id)
    ):
        households[(event_id, kelurahan, key, mask)] += 1
        kelurahan_masks[(event_id, kelurahan, household)] |= mask
    for (event_id, kelurahan, key, mask), count in households.items():
        for component in components(mask):
            persons.setdefault((event_id, kelurahan, key, component), 0)
            households_key = (kelurahan, key, component)
            previous = needs[event_id].get(households_key, (0, 0))
            needs[event_id][households_key] = (0, previous[1] + count)
    for (event_id, kelurahan, key, component), count in persons.items():
        previous = needs[event_id].get((kelurahan, key, component), (0, 0))
        needs[event_id][(kelurahan, key, component)] = (count, previous[1])
    kelurahan_households: dict[tuple, int] = defaultdict(int)
    for (event_id, kelurahan, _household), mask in kelurahan_masks.items():
        kelurahan_households[(event_id, kelurahan, mask)] += 1
    for (event_id, kelurahan, mask), count in kelurahan_households.items():
        for component in components(mask):
            previous = needs[event_id].get((kelurahan, KELURAHAN, component), (0, 0))
            needs[event_id][(kelurahan, KELURAHAN, component)] = (0, previous[1] + count)
    return needs


def _registered_kelurahan(event_ids) -> dict[int, set[str]]:
    registered: dict[int, set[str]] = defaultdict(set)
    for event_id, kelurahan in db.session.execute(
        select(Victim.event_id, Victim.kelurahan_code)
        .where(_in(Victim.event_id, event_ids))
        .group_by(Victim.event_id, Victim.kelurahan_code)
    ):
        registered[event_id].add(kelurahan)
    return registered


def _estimated_needs(event_ids, rules, registered):
    """Rapid-assessment needs for kelurahan of an event with nobody in the registry yet."""
    persons: dict[tuple, int] = defaultdict(int)
    households: dict[tuple, int] = defaultdict(int)
    for event_id, kelurahan, measure, value in db.session.execute(
        select(
            ImpactFigure.event_id,
            ImpactFigure.kelurahan_code,
            ImpactFigure.measure,
            ImpactFigure.value,
        ).where(ImpactFigure.source == "kaji_cepat", _in(ImpactFigure.event_id, event_ids))
    ):
        if kelurahan in registered.get(event_id, ()):
            continue
        parts = measure.split(".")
        if parts[0] == "kk" and len(parts) == 2:
            status, target = parts[1], households
        elif len(parts) == 3:
            status, target = parts[0], persons
        else:
            continue
        for component in rules.get(status, ()):
            target[(event_id, kelurahan, component)] += value
    needs: dict[int, dict] = defaultdict(dict)
    for key in set(persons) | set(households):
        event_id, kelurahan, component = key
        needs[event_id][(kelurahan, 0, component)] = (persons.get(key, 0), households.get(key, 0))
    return needs


def _shelter_counts(event_ids):
    """{event: {shelter: (kelurahan, [days], [(persons, households)])}} sorted by day."""
    counts: dict[int, dict] = defaultdict(dict)
    for event_id, shelter_id, kelurahan, day, persons, households in db.session.execute(
        select(
            Shelter.event_id,
            Shelter.id,
            Shelter.kelurahan_code,
            ShelterCount.counted_on,
            ShelterCount.persons,
            ShelterCount.households,
        )
        .join(Shelter, Shelter.id == ShelterCount.shelter_id)
        .where(Shelter.event_id.is_not(None), _in(Shelter.event_id, event_ids))
        .order_by(Shelter.id, ShelterCount.counted_on)
    ):
        entry = counts[event_id].setdefault(shelter_id, (kelurahan, [], []))
        entry[1].append(day)
        entry[2].append((persons, households))
    return counts


def _has_merged_persons() -> bool:
    return (
        db.session.scalar(select(Person.id).where(Person.merged_into_id.is_not(None)).limit(1))
        is not None
    )


def _recipients(*columns, merged: bool):
    """select(columns..., person key) over recipient lines joined to their hand-out.

    The persons table is only joined when some person was merged into another: the common case
    reads the recipient lines and hand-outs alone.
    """
    key = _canonical if merged else DistributionRecipient.person_id
    query = (
        select(*columns)
        .select_from(DistributionRecipient)
        .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
    )
    if merged:
        query = query.join(Person, Person.id == DistributionRecipient.person_id)
    return query, key


def _keyed(name: str, *columns: Column) -> Table:
    """A temporary table keyed by all its columns."""
    return Table(
        name,
        MetaData(),
        *columns,
        PrimaryKeyConstraint(*(column.name for column in columns)),
        prefixes=["TEMPORARY"],
        sqlite_with_rowid=False,
    )


def _fill(table: Table, query) -> Table:
    """Materialise the distinct rows of a select as a temporary table of this connection.

    On SQLite the table is keyed by all its columns and has no rowid, so rows arrive distinct and
    are stored in key order: grouping by a prefix of the key then streams instead of sorting, which
    is most of the cost over millions of aid lines. PostgreSQL hashes the DISTINCT itself.
    """
    connection = db.session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
    table.create(connection)
    names = [column.name for column in table.columns]
    if connection.dialect.name == "sqlite":
        statement = insert(table).from_select(names, query).prefix_with("OR IGNORE")
    else:
        statement = insert(table).from_select(names, query.distinct())
    connection.execute(statement)
    return table


def _drop(*tables: Table) -> None:
    connection = db.session.connection()
    for table in tables:
        connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))


@dataclass
class Delivered:
    """A rebuild's distinct aid lines, kept for its year pass so the aid lines are read once.

    `lines` holds (place, shelter_key, person_id); a place numbers one (event, day, kelurahan,
    component), and `places` maps the number back.
    """

    lines: Table
    places: "_Places"


def _place_tables() -> tuple[Table, Table]:
    handouts = Table(
        "spm_tmp_handouts",
        MetaData(),
        Column("distribution_id", Integer, primary_key=True),
        Column("place", BigInteger),
        Column("shelter_key", Integer),
        Column("portions", Integer),
        prefixes=["TEMPORARY"],
    )
    lines = _keyed(
        "spm_tmp_delivered",
        Column("place", BigInteger),
        Column("shelter_key", Integer),
        Column("person_id", Integer),
    )
    return handouts, lines


# A place (event, day, kelurahan, component) as one integer: ((event x DAYS + day) x areas + the
# kelurahan's area id) x 8 + the component's number. Days count from EPOCH.
EPOCH = date(1970, 1, 1)
DAYS = 1 << 17
COMPONENT_NUMBERS = {component: n for n, component in enumerate(SPM_COMPONENTS)}


def _day_number(column):
    if db.session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)  # 2440587.5 is 1970-01-01
    return column - literal(EPOCH)


class _Places:
    """Decodes place numbers back to (event, day, kelurahan, component), reading area codes once."""

    def __init__(self, areas: int):
        self.areas = areas
        self.codes: dict[int, str] = {}
        self.decoded: dict[int, tuple[int, date, str, str]] = {}

    def expression(self):
        component = case(
            *((Distribution.component == c, n) for c, n in COMPONENT_NUMBERS.items()), else_=7
        )
        day = _day_number(Distribution.distributed_on)
        event = cast(Distribution.event_id, BigInteger)  # the product outgrows 32 bits
        return ((event * DAYS + day) * self.areas + Area.id) * 8 + component

    def load(self, places) -> None:
        """Decode these places (reading the area codes they need in one go)."""
        parts = {}
        for place in places:
            rest, component = divmod(place, 8)
            rest, area_id = divmod(rest, self.areas)
            event_id, day = divmod(rest, DAYS)
            parts[place] = (event_id, day, area_id, component)
        wanted = sorted({p[2] for p in parts.values()} - set(self.codes))
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            self.codes.update(
                db.session.execute(select(Area.id, Area.code).where(Area.id.in_(chunk))).all()
            )
        components = list(SPM_COMPONENTS)
        for place, (event_id, day, area_id, component) in parts.items():
            self.decoded[place] = (
                event_id,
                EPOCH + timedelta(days=day),
                self.codes[area_id],
                components[component],
            )

    def __getitem__(self, place: int) -> tuple[int, date, str, str]:
        return self.decoded[place]

    def items(self):
        return self.decoded.items()


def _deliveries(event_ids, day, merged: bool, keep_lines: bool = False):
    """({(event, day, kelurahan, shelter_key, component): [distinct persons, portions]}, Delivered).

    Each hand-out gets the number of its place (event, day, kelurahan, component), so the
    distinct recipient lines are keyed by three integers: cheap to store in key order and to count
    by place and shelter without sorting.
    """
    scope = [_in(Distribution.event_id, event_ids)]
    if day is not None:
        scope.append(Distribution.distributed_on == day)
    places = _Places(areas=(db.session.scalar(select(func.max(Area.id))) or 0) + 1)
    handouts, lines = _place_tables()
    connection = db.session.connection()
    _drop(handouts, lines)
    handouts.create(connection)
    connection.execute(
        insert(handouts).from_select(
            ["distribution_id", "place", "shelter_key", "portions"],
            select(
                Distribution.id,
                places.expression(),
                func.coalesce(Distribution.shelter_id, literal_column("0")),
                Distribution.anonymous_portions,
            )
            .join(Area, Area.code == Distribution.kelurahan_code)
            .where(*scope),
        )
    )
    person = _canonical if merged else DistributionRecipient.person_id
    recipients = (
        select(handouts.c.place, handouts.c.shelter_key, person)
        .select_from(DistributionRecipient)
        .join(handouts, handouts.c.distribution_id == DistributionRecipient.distribution_id)
    )
    if merged:
        recipients = recipients.join(Person, Person.id == DistributionRecipient.person_id)
    _fill(lines, recipients)
    by_shelter = db.session.execute(
        select(lines.c.place, lines.c.shelter_key, func.count()).group_by(
            lines.c.place, lines.c.shelter_key
        )
    ).all()
    # A person served at two places of a kelurahan on one day is one person of that kelurahan.
    by_kelurahan = db.session.execute(
        select(lines.c.place, func.count(func.distinct(lines.c.person_id))).group_by(lines.c.place)
    ).all()
    portions = db.session.execute(
        select(handouts.c.place, handouts.c.shelter_key, func.sum(handouts.c.portions))
        .where(handouts.c.portions > 0)
        .group_by(handouts.c.place, handouts.c.shelter_key)
    ).all()
    places.load({row[0] for row in by_kelurahan} | {row[0] for row in portions})
    delivered: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for place, key, persons in by_shelter:
        event_id, day_, kelurahan, component = places[place]
        delivered[(event_id, day_, kelurahan, key, component)][0] = persons
    for place, persons in by_kelurahan:
        event_id, day_, kelurahan, component = places[place]
        delivered[(event_id, day_, kelurahan, KELURAHAN, component)][0] = persons
    for place, key, amount in portions:
        event_id, day_, kelurahan, component = places[place]
        delivered[(event_id, day_, kelurahan, key, component)][1] = int(amount)
    _drop(handouts)
    if keep_lines:
        return delivered, Delivered(lines, places)
    _drop(lines)
    return delivered, None


def compute_daily(event_ids: list[int] | None = None, day: date | None = None) -> list[dict]:
    """The spm_daily rows of the given events (all when None), for one day or every day.

    Per kelurahan there is one row per shelter (shelter_key = shelter id, 0 = at home) and one
    total row (shelter_key = KELURAHAN) in distinct persons and households.
    """
    return _compute_daily(event_ids, day, keep_lines=False)[0]


def _compute_daily(event_ids, day, keep_lines: bool) -> tuple[list[dict], Delivered | None]:
    """compute_daily; keep_lines also keeps the distinct aid lines for the year pass."""
    rules = {status: sorted(parts) for status, parts in met_rules().items()}
    displaced = rules.get("mengungsi", [])
    days = _event_days(event_ids)
    merged = _has_merged_persons()
    registry = _registry_needs(event_ids, rules, merged)
    estimated = _estimated_needs(event_ids, rules, _registered_kelurahan(event_ids))
    shelters = _shelter_counts(event_ids)
    delivered_by_day: dict[tuple, dict] = defaultdict(dict)
    delivered, kept = _deliveries(event_ids, day, merged, keep_lines)
    for (event_id, the_day, kelurahan, key, component), value in delivered.items():
        delivered_by_day[(event_id, the_day)][(kelurahan, key, component)] = value
    rows = []
    for event_id, event_days in days.items():
        wanted = sorted(event_days) if day is None else [day] if day in event_days else []
        event_registry = registry.get(event_id, {})
        base = {k: v for k, v in event_registry.items() if k[1] != KELURAHAN}
        kelurahan_households = {
            (k[0], k[2]): v[1] for k, v in event_registry.items() if k[1] == KELURAHAN
        }
        event_estimated = estimated.get(event_id, {})
        base.update(event_estimated)
        for the_day in wanted:
            needs = dict(base)
            recounted: set[str] = set()
            # A shelter's latest head count on or before the day replaces its registry figures.
            for shelter_id, (kelurahan, count_days, values) in shelters.get(event_id, {}).items():
                position = bisect.bisect_right(count_days, the_day)
                if not position:
                    continue
                persons, households = values[position - 1]
                for key in [k for k in needs if k[1] == shelter_id]:
                    recounted.add(key[0])
                    del needs[key]
                recounted.add(kelurahan)
                for component in displaced:
                    needs[(kelurahan, shelter_id, component)] = (persons, households)
            merged = {key: [p, h, 0, 0, key in event_estimated] for key, (p, h) in needs.items()}
            totals: dict[tuple, list] = {}
            for (kelurahan, _key, component), (persons, households, *_rest) in merged.items():
                total = totals.setdefault((kelurahan, KELURAHAN, component), [0, 0, 0, 0, False])
                total[0] += persons
                total[1] += households
                total[4] = total[4] or (kelurahan, 0, component) in event_estimated
            for (kelurahan, _key, component), total in totals.items():
                if kelurahan not in recounted and (kelurahan, component) in kelurahan_households:
                    total[1] = kelurahan_households[(kelurahan, component)]
            merged.update(totals)
            for key, (persons, portions) in delivered_by_day.get((event_id, the_day), {}).items():
                row = merged.setdefault(key, [0, 0, 0, 0, False])
                row[2], row[3] = persons, portions
            for key, portions in [
                (k, v[3]) for k, v in merged.items() if k[1] != KELURAHAN and v[3]
            ]:
                total = merged.setdefault((key[0], KELURAHAN, key[2]), [0, 0, 0, 0, False])
                total[3] += portions
            for (kelurahan, key, component), values in merged.items():
                rows.append(
                    {
                        "event_id": event_id,
                        "day": the_day,
                        "kelurahan_code": kelurahan,
                        "shelter_key": key,
                        "component": component,
                        "persons_needing": values[0],
                        "households_needing": values[1],
                        "persons_delivered": values[2],
                        "portions_delivered": values[3],
                        "estimated": bool(values[4]),
                    }
                )
    return rows, kept


def _insert(model, rows: list[dict]) -> None:
    connection = db.session.connection()
    if connection.dialect.name != "sqlite" or not rows:
        # Core insert on the session's connection: no ORM bookkeeping for aggregate rows.
        for start in range(0, len(rows), INSERT_CHUNK):
            connection.execute(insert(model.__table__), rows[start : start + INSERT_CHUNK])
        return
    # On SQLite a core insert of 400,000 rows spends most of its time converting each dict; the
    # driver's executemany over plain tuples (dates as ISO text, as SQLAlchemy stores them) does not.
    columns = list(rows[0])
    sql = (
        f"INSERT INTO {model.__tablename__} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' for _ in columns)})"
    )
    connection.exec_driver_sql(sql, [tuple(map(_sqlite_value, row.values())) for row in rows])


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _one_writer() -> None:
    """Hold the aggregate lock until this transaction ends.

    A full rebuild and an incremental job (or two jobs on different workers) each delete rows and
    insert them again; interleaved, the second insert breaks the unique key. SQLite's write lock
    already serialises them; on PostgreSQL a transaction-scoped advisory lock does.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AGGREGATE_LOCK})


def recompute_event_day(event_id: int, day: date | None = None) -> int:
    """Rebuild one event's rows for one day (or all its days); idempotent. Returns rows written."""
    _one_writer()
    scope = [SpmDaily.event_id == event_id]
    if day is not None:
        scope.append(SpmDaily.day == day)
    db.session.execute(delete(SpmDaily).where(*scope))
    rows = compute_daily([event_id], day)
    _insert(SpmDaily, rows)
    clear_stale(event_id, day)
    return len(rows)


def clear_stale(event_id: int, day: date | None) -> None:
    """An (event, day) brought current; a whole-event recompute settles its days too."""
    scope = [SpmStale.event_id == event_id]
    if day is not None:
        scope.append(SpmStale.day == day)
    db.session.execute(delete(SpmStale).where(*scope))


def _quarter(day: date, year: int) -> int:
    """_quarter_expr for one date, in Python."""
    if day.year != year:
        return 5 if day.year > year else 1
    return (day.month + 2) // 3


def _quarter_expr(column, year: int):
    """1-4 inside the fiscal year, 5 after it (a December event served in January), in SQL."""
    the_year = cast(extract("year", column), Integer)
    month = cast(extract("month", column), Integer)
    return case((the_year > year, 5), (the_year < year, 1), else_=(month + 2) // 3)


# A person's year as one integer per side: bit (component number x 6 + quarter) is set when they
# need (or were served) that component from that quarter. 5 components x 6 slots fit in 30 bits.
QUARTER_SLOTS = 6


def _bit(component_number, quarter):
    """The mask bit of a component (by number) and a quarter, in SQL."""
    # A literal 64-bit one: PostgreSQL would otherwise shift a smallint or an int.
    return cast(literal_column("1"), BigInteger).op("<<")(
        component_number * QUARTER_SLOTS + quarter
    )


def _component_number(column):
    return case(*((column == c, n) for c, n in COMPONENT_NUMBERS.items()), else_=7)


def _first_quarters(mask: int) -> list[int]:
    """Per component (by number), the earliest quarter set in a person's mask; 0 when none."""
    firsts = []
    for number in range(len(COMPONENT_NUMBERS)):
        slot = (mask >> (number * QUARTER_SLOTS)) & ((1 << QUARTER_SLOTS) - 1)
        firsts.append((slot & -slot).bit_length() - 1 if slot else 0)
    return firsts


def compute_year(year: int, delivered: Delivered | None = None) -> list[dict]:
    """Distinct persons needing, served and met in a fiscal year, per component and quarter.

    A person registered in several events of the year counts once: their needs are the union of
    what each of their statuses needs. Per component a person is met from the quarter both the
    need and the service are there; for all components together, once every component they
    need was served. Quarter rows are cumulative to the quarter's end, except persons_served
    (distinct persons served in that quarter); quarter 0 is the whole year, including hand-outs
    for the year's events dated after it. SQL reduces each person to two masks (needed and
    served, component x quarter) and counts persons per pair of masks; the few thousand pairs
    are turned into the figures here, so nothing per person comes back and no million-row
    table is sorted more than once. `delivered` is a rebuild's table of distinct aid lines, read
    instead of the aid lines again.
    """
    merged = _has_merged_persons()
    starts, needs = _year_needs(year, merged)
    lines, quarters = _year_lines(year, delivered, merged)
    lines = _fill(_keyed("spm_tmp_lines", Column("pid", Integer), Column("bit", BigInteger)), lines)
    # The lines are distinct and keyed by person first: summing their bits per person streams.
    served = _fill(
        _keyed("spm_tmp_served", Column("pid", Integer), Column("mask", BigInteger)),
        select(lines.c.pid, func.sum(lines.c.bit)).group_by(lines.c.pid),
    )
    tally = _YearTally()
    tally.add_needs()
    tally.add_served()
    _drop(served, lines, needs, starts, *([quarters] if quarters is not None else []))
    return _year_rows(year, tally)


def _year_needs(year: int, merged: bool) -> tuple[Table, Table]:
    """Temporary tables: each event's starting quarter, and each person's needed mask."""
    victim_key = _canonical if merged else Victim.person_id
    # Each event's starting quarter, worked out once per event instead of once per victim.
    starts = _fill(
        _keyed("spm_tmp_event_quarters", Column("event_id", Integer), Column("qs", Integer)),
        select(Event.id, _quarter_expr(Event.started_at, year)).where(Event.year == year),
    )
    needs = (
        select(
            victim_key,
            func.sum(_bit(_component_number(SpmMetRule.component), starts.c.qs).distinct()),
        )
        .select_from(Victim)
        .join(starts, starts.c.event_id == Victim.event_id)
        .join(SpmMetRule, SpmMetRule.status == Victim.status)
        .group_by(victim_key)
    )
    if merged:
        needs = needs.join(Person, Person.id == Victim.person_id)
    needs = _fill(
        _keyed("spm_tmp_needs", Column("pid", Integer), Column("mask", BigInteger)), needs
    )
    return starts, needs


def _year_lines(year: int, delivered: Delivered | None, merged: bool):
    """The year's aid lines as (person, mask bit): from a rebuild's table, or read anew.

    Returns the select of the lines and the temporary place-quarters table it joins (or None).
    """
    quarters = None
    if delivered is not None:
        # Each place's mask bit, worked out once per place instead of once per aid line.
        quarters = Table(
            "spm_tmp_place_quarters",
            MetaData(),
            Column("place", BigInteger, primary_key=True),
            Column("bit", BigInteger),
            prefixes=["TEMPORARY"],
        )
        _drop(quarters)
        quarters.create(db.session.connection())
        in_year = set(db.session.scalars(select(Event.id).where(Event.year == year)))
        rows = [
            {
                "place": place,
                "bit": 1 << (COMPONENT_NUMBERS[component] * QUARTER_SLOTS + _quarter(day, year)),
            }
            for place, (event_id, day, _kelurahan, component) in delivered.places.items()
            if event_id in in_year
        ]
        if rows:
            db.session.connection().execute(insert(quarters), rows)
        aid = delivered.lines
        lines = select(aid.c.person_id, quarters.c.bit).join(
            quarters, quarters.c.place == aid.c.place
        )
    else:
        bit = _bit(
            _component_number(Distribution.component),
            _quarter_expr(Distribution.distributed_on, year),
        )
        lines, person = _recipients(merged=merged)
        lines = (
            lines.add_columns(person, bit)
            .join(Event, Event.id == Distribution.event_id)
            .where(Event.year == year)
        )
    return lines, quarters


class _YearTally:
    """Persons per component and first quarter: needing, met, served; and served per quarter."""

    def __init__(self):
        self.columns = [*SPM_COMPONENTS, ALL_COMPONENTS]
        self.numbered = list(SPM_COMPONENTS)
        self.needing_from = {c: [0] * QUARTER_SLOTS for c in self.columns}
        self.met_from = {c: [0] * QUARTER_SLOTS for c in self.columns}
        self.served_from = {c: [0] * QUARTER_SLOTS for c in self.columns}
        self.in_quarter: dict[tuple[int, str], int] = defaultdict(int)

    def add_needs(self, pairs=None) -> None:
        """Persons per pair of (needed mask, served mask), turned into needing and met; `pairs`
        gives those counts for part of the persons (one kab/kota's), else all are read."""
        needing_from, met_from, numbered = self.needing_from, self.met_from, self.numbered
        if pairs is None:
            pairs = db.session.connection().execute(
                text(
                    "SELECT n.mask, s.mask, COUNT(*) FROM spm_tmp_needs n"
                    " LEFT JOIN spm_tmp_served s ON s.pid = n.pid GROUP BY n.mask, s.mask"
                )
            )
        for need_mask, served_mask, count in pairs:
            needed = _first_quarters(int(need_mask))
            got = _first_quarters(int(served_mask or 0))
            if not any(needed):
                continue
            # Met as a whole from the quarter the last needed component was met, if all were.
            met_all: int | None = 0
            for component, qn, qs in zip(numbered, needed, got, strict=True):
                if not qn:
                    continue
                needing_from[component][qn] += count
                if qs:
                    met_from[component][max(qn, qs)] += count
                if met_all is not None:
                    met_all = max(met_all, qn, qs) if qs else None
            needing_from[ALL_COMPONENTS][min(q for q in needed if q)] += count
            if met_all:
                met_from[ALL_COMPONENTS][met_all] += count

    def add_served(self) -> None:
        """Persons per served mask: first quarter served, and served within each quarter."""
        served_from, in_quarter, numbered = self.served_from, self.in_quarter, self.numbered
        for served_mask, count in db.session.connection().execute(
            text("SELECT mask, COUNT(*) FROM spm_tmp_served GROUP BY mask")
        ):
            mask = int(served_mask)
            got = _first_quarters(mask)
            if not any(got):
                continue
            for component, qs in zip(numbered, got, strict=True):
                if qs:
                    served_from[component][qs] += count
            served_from[ALL_COMPONENTS][min(q for q in got if q)] += count
            for q in range(1, QUARTER_SLOTS):
                components = [
                    c for n, c in enumerate(numbered) if mask >> (n * QUARTER_SLOTS + q) & 1
                ]
                for component in components:
                    in_quarter[(q, component)] += count
                if components:
                    in_quarter[(q, ALL_COMPONENTS)] += count


def _year_rows(year: int, tally: _YearTally) -> list[dict]:
    """The spm_year rows: quarter 0 is the year, quarters 1-4 cumulative to their end."""
    estimated = _year_estimates(year, met_rules())
    now = utcnow()
    rows = []
    for q in range(5):
        upto = 5 if q == 0 else q
        for component in tally.columns:
            rows.append(
                {
                    "year": year,
                    "quarter": q,
                    "component": component,
                    "persons_needing": sum(tally.needing_from[component][: upto + 1]),
                    "persons_served": tally.in_quarter.get((q, component), 0)
                    if q
                    else sum(tally.served_from[component]),
                    "persons_met": sum(tally.met_from[component][: upto + 1]),
                    "persons_estimated": estimated.get(component, 0),
                    "computed_at": now,
                }
            )
    return rows


def _year_estimates(year: int, rules) -> dict[str, int]:
    """Rapid-assessment persons of the year's kelurahan without a registry (not distinct persons)."""
    event_ids = list(db.session.scalars(select(Event.id).where(Event.year == year)))
    if not event_ids:
        return {}
    needs = _estimated_needs(event_ids, rules, _registered_kelurahan(event_ids))
    totals: dict[str, int] = defaultdict(int)
    for per_event in needs.values():
        by_kelurahan: dict[str, int] = {}
        for (kelurahan, _key, component), (persons, _households) in per_event.items():
            totals[component] += persons
            by_kelurahan[kelurahan] = max(by_kelurahan.get(kelurahan, 0), persons)
        totals[ALL_COMPONENTS] += sum(by_kelurahan.values())
    return dict(totals)


def recompute_year(year: int, delivered: Delivered | None = None) -> int:
    """Rebuild one fiscal year's achievement rows; idempotent."""
    _one_writer()
    db.session.execute(delete(SpmYear).where(SpmYear.year == year))
    rows = compute_year(year, delivered)
    _insert(SpmYear, rows)
    # Every write to an event's data reaches its year here (the tracking hooks' jobs, the
    # catch-up after an outage, a rebuild): the year's stored report figures go stale with it.
    years_changed.send(db.session, years={year})
    return len(rows)


def event_year(event_id: int) -> int | None:
    return db.session.scalar(select(Event.year).where(Event.id == event_id))


def rebuild(year: int | None = None, progress: Progress | None = None) -> dict:
    """Rebuild every aggregate (of one fiscal year, or all); clears the stale marks it covers."""
    report = progress or (lambda percent, message: None)
    started = datetime.now()
    _one_writer()
    if year is None:
        event_ids = None
        years = list(db.session.scalars(select(Event.year).distinct().order_by(Event.year)))
        db.session.execute(delete(SpmDaily))
        db.session.execute(delete(SpmStale))
    else:
        event_ids = list(db.session.scalars(select(Event.id).where(Event.year == year)))
        years = [year]
        db.session.execute(delete(SpmDaily).where(SpmDaily.event_id.in_(event_ids)))
        db.session.execute(delete(SpmStale).where(SpmStale.event_id.in_(event_ids)))
    report(5, "Menghitung kebutuhan dan penyaluran harian")
    rows, delivered = _compute_daily(event_ids, None, keep_lines=True)
    report(50, f"Menyimpan {len(rows)} baris harian")
    _insert(SpmDaily, rows)
    for position, each in enumerate(years, start=1):
        report(60 + 35 * position // max(len(years), 1), f"Capaian tahun {each}")
        recompute_year(each, delivered)
    _drop(delivered.lines)
    if year is None:
        db.session.execute(delete(SpmYear).where(SpmYear.year.not_in(years or [0])))
    seconds = (datetime.now() - started).total_seconds()
    report(100, "Selesai")
    return {"daily_rows": len(rows), "years": years, "seconds": round(seconds, 2)}


def stale_marks() -> list[SpmStale]:
    return list(db.session.scalars(select(SpmStale).order_by(SpmStale.marked_at)))


def catch_up() -> int:
    """Recompute every (event, day) marked stale while the queue was down; returns how many."""
    marks = {(m.event_id, m.day) for m in stale_marks()}
    whole = {event_id for event_id, day in marks if day is None}
    years = set()
    done = 0
    for event_id, day in sorted(marks, key=lambda m: (m[0], m[1] or date.min)):
        if day is not None and event_id in whole:
            continue
        if db.session.get(Event, event_id) is None:
            clear_stale(event_id, day)
            continue
        recompute_event_day(event_id, day)
        years.add(event_year(event_id))
        done += 1
    for each in years:
        recompute_year(each)
    return done
