"""Many hand-outs in one transaction (a phone's outbox): each by the single hand-out's rules."""

from collections import ChainMap
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from logistics.core import audit
from logistics.core.extensions import db
from logistics.core.signals import handouts_written
from logistics.distributions.models import Distribution
from logistics.distributions.services import (
    INSERT_DISTRIBUTION,
    INSERT_RECIPIENTS,
    Given,
    Prepared,
    check_double_aid,
    given_to,
    guard_days,
    latest_given,
    recorder_name,
    serialise_guard,
)
from logistics.stock import ledger
from logistics.stock.models import StockLot


class HandOutBatch:
    """Prepared hand-outs written one after the other, their shared work done once.

    Made after the batch's first write (under SQLite's write lock): it takes the double-aid
    locks of every family the batch may serve (PostgreSQL), then reads once what the guard
    weighs for all of them and, locked, every lot they may take from. write() checks a hand-out
    by the rule functions record_distribution() uses: the guard's latest_given() over those
    hand-outs and the batch's own, ledger.plan_issue() over the balances the batch's earlier
    hand-outs left. It writes the hand-out's row and recipients only when every check passed,
    so a refused hand-out leaves nothing to undo and needs no savepoint. finish() then takes
    the stock of all of them (one UPDATE a lot, one INSERT of the movements) and writes their
    audit entries in one INSERT. Hand-outs here carry no client_id: their caller keeps them
    idempotent.
    """

    def __init__(self, recorded_by, prepared: Iterable[Prepared]):
        self.recorded_by = recorded_by
        self.recorder = recorder_name(recorded_by)
        self.written: list[tuple[dict, list[tuple[StockLot, Decimal, dict]]]] = []
        prepared = list(prepared)
        # In one order for every batch, so that two batches never wait on each other's locks.
        families = {(p.row["event_id"], p.row["component"], p.recipient) for p in prepared}
        for event_id, component, recipient in sorted(
            families, key=lambda f: (f[0], f[1], f[2].family)
        ):
            serialise_guard(event_id, component, recipient)
        self.given = _given(prepared)
        pairs = {
            (p.warehouse.id, line.item.id) for p in prepared if p.warehouse for line in p.lines
        }
        self.lots = ledger.lots_for_update(pairs)
        self.balances = {lot.id: lot.quantity for lots in self.lots.values() for lot in lots}

    def write(self, prepared: Prepared) -> int:
        """Check and write one hand-out (its stock taken by finish()); its id, or a DomainError
        with nothing written."""
        row, recipient = prepared.row, prepared.recipient
        if row["client_id"] is not None:
            raise ValueError("a batch writes hand-outs without client_id")
        day, key = row["distributed_on"], (row["event_id"], row["component"])
        found = None
        if key in self.given:
            given = self.given[key].near(recipient)
            found = latest_given(given, recipient, day, guard_days(row["component"]))
        override = check_double_aid(
            None if found is None else (found, found.recorder),
            row["component"],
            recipient,
            prepared.hand_out.override_reason,
            self.recorded_by,
        )
        left = ChainMap({}, self.balances)
        portions = []
        for line in prepared.lines:
            for lot, amount, reason in ledger.plan_issue(
                prepared.warehouse,
                line.item,
                line.quantity,
                left,
                lot=line.lot,
                expired_reason=line.expired_reason,
                # Expiry is judged on the day the goods were handed out, as for one hand-out.
                today=day,
                candidates=self.lots[(prepared.warehouse.id, line.item.id)],
            ):
                left[lot.id] = left[lot.id] - amount
                portions.append((lot, amount, reason))
        row = {**row, "override_reason": override}
        connection = db.session.connection()
        new_id = connection.execute(INSERT_DISTRIBUTION, row).inserted_primary_key[0]
        if recipient.person_ids:
            connection.execute(
                INSERT_RECIPIENTS,
                [{"distribution_id": new_id, "person_id": p} for p in recipient.person_ids],
            )
        self.balances.update(left.maps[0])
        if key in self.given:
            self.given[key].add(
                Given(
                    new_id,
                    day,
                    recipient.household_id,
                    recipient.institution_id,
                    frozenset(recipient.person_ids),
                    self.recorder,
                )
            )
        links = [
            (lot, amount, {"distribution_id": new_id, "override_reason": reason})
            for lot, amount, reason in portions
        ]
        self.written.append(({**row, "id": new_id}, links))
        return new_id

    def finish(self) -> None:
        """Take the stock of every written hand-out, audit them, tell SPM tracking."""
        ledger.take_many((p for _row, taken in self.written for p in taken), "distribution")
        rows = [row for row, _taken in self.written]
        audit.record_created_rows(Distribution, rows)
        for event_id, day in sorted({(row["event_id"], row["distributed_on"]) for row in rows}):
            handouts_written.send(db.session, event_id=event_id, day=day)
        self.written = []


class _GivenIndex:
    """Hand-outs the guard weighs, found by household, institution and person: latest_given()
    then looks at the few that share one with the recipient, not at the whole batch's."""

    def __init__(self, given: Iterable[Given]):
        self.by_key: dict[tuple[str, int], list[Given]] = {}
        for g in given:
            self.add(g)

    def add(self, g: Given) -> None:
        keys = [("h", g.household_id), ("i", g.institution_id), *(("p", p) for p in g.person_ids)]
        for key in keys:
            if key[1] is not None:
                self.by_key.setdefault(key, []).append(g)

    def near(self, recipient) -> list[Given]:
        keys = [("h", recipient.household_id), ("i", recipient.institution_id)]
        keys += [("p", p) for p in recipient.person_ids]
        found = {g.id: g for key in keys for g in self.by_key.get(key, ())}
        return list(found.values())


def _given(prepared: list[Prepared]) -> dict[tuple[int, str], _GivenIndex]:
    """What the guard weighs for every event and component of the batch: one read each,
    covering every recipient and day of the batch."""
    groups: dict[tuple[int, str], list[Prepared]] = {}
    for p in prepared:
        groups.setdefault((p.row["event_id"], p.row["component"]), []).append(p)
    given = {}
    for (event_id, component), members in groups.items():
        days = guard_days(component)
        if days <= 0:
            continue
        window = timedelta(days=days - 1)
        first = min(p.row["distributed_on"] for p in members) - window
        last = max(p.row["distributed_on"] for p in members) + window
        recipients = [p.recipient for p in members]
        found = given_to(event_id, component, recipients, first, last)
        given[(event_id, component)] = _GivenIndex(found)
    return given
