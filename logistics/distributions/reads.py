"""What a hand-out is checked against (its event, recipient and lots), read once per batch."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row as SqlRow
from sqlalchemy import bindparam, select

from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.events.models import Event
from logistics.stock import ledger
from logistics.stock.models import StockLot
from logistics.victims.models import Household, InstitutionVictim, Person, Victim


@dataclass(frozen=True)
class Recipient:
    """Who receives: the record, its name for messages, the persons it serves and where they are
    registered."""

    kind: str  # household, person or institution
    id: int
    name: str
    person_ids: tuple[int, ...] = ()
    persons_served: int = 0
    kelurahan_code: str | None = None
    shelter_id: int | None = None
    # The family the guard's PostgreSQL lock is taken on: h<household>, p<person>, i<institution>.
    family: str = ""

    @property
    def household_id(self) -> int | None:
        return self.id if self.kind == "household" else None

    @property
    def person_id(self) -> int | None:
        return self.id if self.kind == "person" else None

    @property
    def institution_id(self) -> int | None:
        return self.id if self.kind == "institution" else None


_events = Event.__table__
_households, _persons, _victims = Household.__table__, Person.__table__, Victim.__table__
_institutions = InstitutionVictim.__table__
_EVENTS = select(_events.c.id, _events.c.code, _events.c.started_at, _events.c.closed_at).where(
    _events.c.id.in_(bindparam("ids", expanding=True))
)
# Households, their members and the members' victim records in the event, in one query.
_HOUSEHOLDS = (
    select(
        _households.c.id,
        _households.c.head_name,
        _households.c.kelurahan_code,
        _persons.c.id.label("person_id"),
        _persons.c.merged_into_id,
        _victims.c.kelurahan_code.label("registered_in"),
        _victims.c.shelter_id,
    )
    .select_from(_households)
    .outerjoin(_persons, _persons.c.household_id == _households.c.id)
    .outerjoin(
        _victims,
        (_victims.c.person_id == _persons.c.id) & (_victims.c.event_id == bindparam("event_id")),
    )
    .where(_households.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_households.c.id, _persons.c.id)
)
_PERSON = select(
    _persons.c.id, _persons.c.name, _persons.c.household_id, _persons.c.merged_into_id
).where(_persons.c.id == bindparam("id"))
_VICTIM = select(_victims.c.kelurahan_code, _victims.c.shelter_id).where(
    _victims.c.event_id == bindparam("event_id"), _victims.c.person_id == bindparam("person_id")
)
_INSTITUTION = select(
    _institutions.c.id,
    _institutions.c.name,
    _institutions.c.headcount,
    _institutions.c.kelurahan_code,
    _institutions.c.shelter_id,
    _institutions.c.event_id,
).where(_institutions.c.id == bindparam("id"))


def _household_rows(event_id: int, ids: Iterable[int]) -> dict[int, list[SqlRow]]:
    found: dict[int, list[SqlRow]] = {number: [] for number in ids}
    if not found:
        return found
    params = {"ids": sorted(found), "event_id": event_id}
    for row in db.session.connection().execute(_HOUSEHOLDS, params):
        found[row.id].append(row)
    return found


def household_recipient(event: SqlRow, number: int, found: list[SqlRow]) -> Recipient:
    """The household `number` from its rows (of _HOUSEHOLDS): registered in the event or refused."""
    if not found:
        raise NotFound(f"Keluarga #{number} tidak ditemukan.", field="household_id")
    household = found[0]
    name = household.head_name or f"KK #{household.id}"
    # Merged duplicates are dropped here, not in SQL: without planner statistics SQLite would
    # pick the merged_into_id index (every row is NULL) over the household's.
    rows = [row for row in found if row.person_id is not None and row.merged_into_id is None]
    registered = [row for row in rows if row.registered_in is not None]
    if not registered:
        raise DomainError(
            f"Keluarga {household.head_name or household.id} belum terdaftar sebagai korban "
            f"kejadian {event.code}. Daftarkan dulu di menu Korban.",
            field="household_id",
        )
    return Recipient(
        kind="household",
        id=household.id,
        name=name,
        person_ids=tuple(row.person_id for row in rows),
        persons_served=len(rows),
        kelurahan_code=household.kelurahan_code or registered[0].registered_in,
        shelter_id=next((row.shelter_id for row in registered if row.shelter_id), None),
        family=f"h{household.id}",
    )


def person_recipient(event: SqlRow, number: int) -> Recipient:
    connection = db.session.connection()
    person = connection.execute(_PERSON, {"id": number}).first()
    if person is None:
        raise NotFound(f"Orang #{number} tidak ditemukan.", field="person_id")
    seen = set()
    while person.merged_into_id is not None and person.id not in seen:
        # A merged duplicate is served as the person it was merged into.
        seen.add(person.id)
        person = connection.execute(_PERSON, {"id": person.merged_into_id}).first()
    victim = connection.execute(_VICTIM, {"event_id": event.id, "person_id": person.id}).first()
    if victim is None:
        raise DomainError(
            f"{person.name} belum terdaftar sebagai korban kejadian {event.code}. "
            "Daftarkan dulu di menu Korban.",
            field="person_id",
        )
    return Recipient(
        kind="person",
        id=person.id,
        name=person.name,
        person_ids=(person.id,),
        persons_served=1,
        kelurahan_code=victim.kelurahan_code,
        shelter_id=victim.shelter_id,
        family=f"h{person.household_id}" if person.household_id else f"p{person.id}",
    )


def institution_recipient(event: SqlRow, number: int) -> Recipient:
    institution = db.session.connection().execute(_INSTITUTION, {"id": number}).first()
    if institution is None or institution.event_id != event.id:
        raise NotFound(
            f"Lembaga #{number} tidak terdaftar pada kejadian {event.code}.",
            field="institution_id",
        )
    return Recipient(
        kind="institution",
        id=institution.id,
        name=institution.name,
        persons_served=institution.headcount,
        kelurahan_code=institution.kelurahan_code,
        shelter_id=institution.shelter_id,
        family=f"i{institution.id}",
    )


class Reads:
    """The rows hand-outs are checked against, each read once. A single hand-out reads what it
    names as it is checked; a batch first reads what all its hand-outs name (prefetch), one
    query a kind, and every hand-out of it is then checked by the same rules over those rows."""

    def __init__(self) -> None:
        self._events: dict[int, SqlRow | None] = {}
        self._households: dict[tuple[int, int], list[SqlRow]] = {}
        self._lots: dict[tuple[int, int], list[StockLot]] = {}

    def prefetch(self, hand_outs: Iterable) -> None:
        """Read the events and households that `hand_outs` (parsed HandOuts) name."""
        hand_outs = list(hand_outs)
        wanted = {h.event_id for h in hand_outs} - set(self._events)
        if wanted:
            rows = db.session.connection().execute(_EVENTS, {"ids": sorted(wanted)})
            self._events.update(dict.fromkeys(wanted))
            self._events.update({row.id: row for row in rows})
        by_event: dict[int, set[int]] = {}
        for h in hand_outs:
            if h.recipient_kind == "household" and self._events.get(h.event_id) is not None:
                by_event.setdefault(h.event_id, set()).add(h.recipient_id)
        for event_id, ids in by_event.items():
            for number, rows in _household_rows(event_id, ids).items():
                self._households[(event_id, number)] = rows

    def event(self, event_id: int) -> SqlRow:
        if event_id not in self._events:
            found = db.session.connection().execute(_EVENTS, {"ids": [event_id]}).first()
            self._events[event_id] = found
        event = self._events[event_id]
        if event is None:
            raise NotFound(f"Kejadian bencana #{event_id} tidak ditemukan.", field="event_id")
        return event

    def recipient(self, kind: str, event: SqlRow, number: int) -> Recipient:
        if kind == "person":
            return person_recipient(event, number)
        if kind == "institution":
            return institution_recipient(event, number)
        key = (event.id, number)
        if key not in self._households:
            self._households[key] = _household_rows(event.id, [number])[number]
        return household_recipient(event, number, self._households[key])

    def lots(self, warehouse_id: int, item_id: int) -> list[StockLot]:
        """The item's lots in stock in the warehouse, first-expiry-first-out."""
        key = (warehouse_id, item_id)
        if key not in self._lots:
            self._lots[key] = ledger.lots_in_stock(warehouse_id, item_id)
        return self._lots[key]
