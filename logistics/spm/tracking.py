"""Keeps the SPM aggregates current: collects the (event, day) each commit touched and queues work.

The hooks must never make a field entry fail and must cost far less than the commit they follow:
one Redis round trip per commit, deduplicated with SET NX so a burst of writes queues one job per
(event, day); when Redis is unreachable the (event, day) is recorded as stale in the database.

The same hooks note the fiscal years whose report figures a commit changes outside the event
aggregates (budget, targets, Tagana and KSB outputs, decrees) and announce them with
years_changed before the commit, inside its transaction; the event aggregates announce their
years when the year's table is recomputed (aggregates.recompute_year). Hand-outs pay nothing more.
"""

import logging
import time
from datetime import date

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, attributes

from logistics.budget.models import BudgetLine, BudgetRealisation
from logistics.core.extensions import db
from logistics.core.queue import SPM_CATCH_UP as CATCH_UP
from logistics.core.queue import SPM_RECOMPUTE as RECOMPUTE
from logistics.core.queue import SPM_RECOMPUTE_YEAR as RECOMPUTE_YEAR
from logistics.core.queue import redis_url
from logistics.core.signals import handouts_written, victims_written, years_changed
from logistics.core.time import office_today, utcnow
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event, EventDecree, ImpactFigure
from logistics.kitchens.models import FieldKitchen, KitchenMeal
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm.models import SpmStale, SpmTarget
from logistics.stock.models import Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana
from logistics.victims.models import InstitutionVictim, Person, Victim

log = logging.getLogger(__name__)

PENDING_TTL = 3600  # a lost job frees its key after an hour
CATCH_UP_EVERY = 60  # seconds between checks for stale marks while the queue is up
BACKOFF = 5  # seconds without trying Redis after it failed, so writes stay fast
_TOUCHED = "spm_touched"
_YEARS_LEFT = "spm_years_left"
_YEARS = "years_changed"

_clients: dict[str, Redis] = {}
_down_until = 0.0


def _client(url: str) -> Redis:
    # One pool per URL: a new connection per commit would cost more than the commit.
    client = _clients.get(url)
    if client is None:
        client = Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.5)
        _clients[url] = client
    return client


def reset() -> None:
    """Forget cached connections and the back-off (tests, or after changing REDIS_URL)."""
    global _down_until
    _clients.clear()
    _down_until = 0.0


def _key(queue: str, what: str) -> str:
    return f"spm:{queue}:{what}"


def pending_key(queue: str, event_id: int, day: date | None) -> str:
    return _key(queue, f"day:{event_id}:{day.isoformat() if day else 'all'}")


def year_key(queue: str, year: int) -> str:
    return _key(queue, f"year:{year}")


# --- collecting what a flush touched --------------------------------------------------------


def _old_and_new(obj, name):
    history = attributes.get_history(obj, name)
    values = set(history.added or ()) | set(history.deleted or ()) | set(history.unchanged or ())
    return values or {getattr(obj, name, None)}


def _lookup(session: Session, model, key):
    loaded = session.identity_map.get((model, (key,), None)) if key is not None else None
    if loaded is not None:
        return loaded
    return session.get(model, key) if key is not None else None


def _touched(session: Session, obj) -> set[tuple[int, date | None]]:
    if isinstance(obj, Distribution):
        return {
            (e, d)
            for e in _old_and_new(obj, "event_id")
            for d in _old_and_new(obj, "distributed_on")
            if e is not None
        }
    if isinstance(obj, DistributionRecipient):
        parent = _lookup(session, Distribution, obj.distribution_id)
        return {(parent.event_id, parent.distributed_on)} if parent is not None else set()
    if isinstance(obj, Victim | ImpactFigure):
        return {(e, None) for e in _old_and_new(obj, "event_id") if e is not None}
    if isinstance(obj, ShelterCount):
        shelter = _lookup(session, Shelter, obj.shelter_id)
        return {(shelter.event_id, None)} if shelter is not None and shelter.event_id else set()
    if isinstance(obj, KitchenMeal):
        kitchen = _lookup(session, FieldKitchen, obj.kitchen_id)
        return {(kitchen.event_id, obj.served_on)} if kitchen is not None else set()
    if isinstance(obj, Event):
        # An event whose corrected date moved it to another year leaves the old year's table.
        left = {y for y in attributes.get_history(obj, "year").deleted or () if y is not None}
        if left:
            session.info.setdefault(_YEARS_LEFT, set()).update(left)
            session.info.setdefault(_YEARS, set()).update(left | _old_and_new(obj, "year"))
        return {(obj.id, None)} if obj.id is not None else set()
    if (
        isinstance(obj, Person)
        and obj not in session.new
        and attributes.get_history(obj, "merged_into_id").has_changes()
    ):
        # A merge changes distinct-person counts in every event either person was part of.
        ids = {obj.id, *(i for i in _old_and_new(obj, "merged_into_id") if i is not None)}
        victims = select(Victim.event_id).where(Victim.person_id.in_(ids))
        served = (
            select(Distribution.event_id)
            .join(DistributionRecipient, DistributionRecipient.distribution_id == Distribution.id)
            .where(DistributionRecipient.person_id.in_(ids))
        )
        events = set(session.scalars(victims.union(served)))
        return {(e, None) for e in events}
    return set()


def _years(values) -> set[int]:
    return {v.year if hasattr(v, "year") else v for v in values if v is not None}


def _event_years(session: Session, event_ids) -> set[int]:
    events = (_lookup(session, Event, e) for e in event_ids if e is not None)
    return {e.year for e in events if e is not None}


def _lumbung_years(obj: Warehouse) -> set[int]:
    # "Kelurahan with an active lumbung sosial by the end of year Y" holds for every year from
    # the warehouse's creation on, so a change to one reaches all of those years.
    if "lumbung_sosial" not in _old_and_new(obj, "tier"):
        return set()
    first = min(_years(_old_and_new(obj, "created_at")) or {office_today().year})
    return set(range(first, max(first, office_today().year) + 1))


def _years_touched(session: Session, obj) -> set[int]:
    """Fiscal years whose report figures a write of obj changes outside the SPM aggregates:
    budget, targets, Tagana and KSB outputs, lumbung sosial, decrees and institution victims."""
    if isinstance(obj, BudgetLine):
        return _years(_old_and_new(obj, "fiscal_year"))
    if isinstance(obj, BudgetRealisation):
        lines = (_lookup(session, BudgetLine, i) for i in _old_and_new(obj, "line_id"))
        return {line.fiscal_year for line in lines if line is not None}
    if isinstance(obj, SpmTarget):
        return _years(_old_and_new(obj, "year"))
    if isinstance(obj, Deployment):
        return _years(_old_and_new(obj, "starts_at"))
    if isinstance(obj, KampungSiagaBencana):
        return _years(_old_and_new(obj, "formed_year"))
    if isinstance(obj, Warehouse):
        return _lumbung_years(obj)
    if isinstance(obj, EventDecree | InstitutionVictim):
        return _event_years(session, _old_and_new(obj, "event_id"))
    return set()


YEAR_WATCHED = (
    BudgetLine,
    BudgetRealisation,
    SpmTarget,
    Deployment,
    KampungSiagaBencana,
    Warehouse,
    EventDecree,
    InstitutionVictim,
)

WATCHED = (
    Distribution,
    DistributionRecipient,
    Victim,
    ImpactFigure,
    ShelterCount,
    KitchenMeal,
    Event,
    Person,
)


def _collect(session: Session, objects) -> None:
    watched = [o for o in objects if isinstance(o, WATCHED)]
    if watched:
        touched = session.info.setdefault(_TOUCHED, set())
        with session.no_autoflush:
            for obj in watched:
                touched |= _touched(session, obj)
    by_year = [o for o in objects if isinstance(o, YEAR_WATCHED)]
    if by_year:
        years = session.info.setdefault(_YEARS, set())
        with session.no_autoflush:
            for obj in by_year:
                years |= _years_touched(session, obj)


def _before_flush(session: Session, flush_context, instances) -> None:
    # Old values (a hand-out moved to another day) are only visible before the flush.
    _collect(session, [o for o in (*session.dirty, *session.deleted) if o in session])


def _after_flush(session: Session, flush_context) -> None:
    _collect(session, list(session.new))


def _before_commit(session: Session) -> None:
    # Flushed first so the years of objects still pending are known; the receivers write inside
    # this transaction, so a figure is never invalidated by a write that then rolls back.
    session.flush()
    years = session.info.pop(_YEARS, None)
    if years and has_app_context():
        years_changed.send(session, years=years)


def touch(session: Session, event_id: int, day: date | None) -> None:
    """Note an (event, day) changed by a Core statement, which the flush hooks cannot see."""
    session.info.setdefault(_TOUCHED, set()).add((event_id, day))


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_YEARS_LEFT, None)
    session.info.pop(_YEARS, None)


def _after_commit(session: Session) -> None:
    # Releasing a savepoint is reported as a commit too; the outer transaction still holds the
    # write lock (SQLite) and may yet roll back, so wait for the real commit.
    if session.in_nested_transaction():
        return
    touched = session.info.pop(_TOUCHED, None)
    years_left = session.info.pop(_YEARS_LEFT, None)
    if not touched or not has_app_context():
        return
    try:
        notify(touched)
        for year in sorted(years_left or ()):
            queue_year(year)
    except Exception:  # noqa: BLE001 - a committed field entry must never turn into an error
        log.exception("spm: could not schedule aggregate updates for %s", sorted(touched, key=str))


def install_listeners() -> None:
    """Attach the session hooks once per process (idempotent)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, t: _after_rollback(s))
    # Hand-outs and imported victims, written with Core statements, are announced by their domain.
    handouts_written.connect(touch)
    victims_written.connect(touch)


# --- queueing -------------------------------------------------------------------------------


def queue_for(connection: Redis) -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=connection, serializer=JSONSerializer)


def _enqueue(queue: Queue, func: str, **kwargs) -> None:
    queue.enqueue(
        func,
        kwargs=kwargs,
        job_timeout=current_app.config["RQ_JOB_TIMEOUT"],
        result_ttl=600,
        failure_ttl=30 * 24 * 3600,
    )


def notify(touched: set[tuple[int, date | None]]) -> int:
    """Queue one recompute per touched (event, day) not already waiting; returns jobs queued.

    If the queue cannot be reached, the (event, day)s are marked stale in the database instead.
    """
    global _down_until
    url = redis_url()
    if not url or time.monotonic() < _down_until:
        mark_stale(touched)
        return 0
    name = current_app.config["RQ_QUEUE"]
    items = sorted(touched, key=lambda t: (t[0], t[1] or date.min))
    try:
        connection = _client(url)
        pipe = connection.pipeline(transaction=False)
        for event_id, day in items:
            pipe.set(pending_key(name, event_id, day), 1, nx=True, ex=PENDING_TTL)
        pipe.set(_key(name, "catch-up"), 1, nx=True, ex=CATCH_UP_EVERY)
        *fresh, check_stale = pipe.execute()
        if not any(fresh) and not check_stale:
            return 0  # every (event, day) already waits for its job: the usual case in a burst
        queue = queue_for(connection)
        queued = 0
        for (event_id, day), is_new in zip(items, fresh, strict=True):
            if is_new:
                _enqueue(queue, RECOMPUTE, event_id=event_id, day=day.isoformat() if day else None)
                queued += 1
        if check_stale:
            _enqueue(queue, CATCH_UP)
        return queued
    except Exception as exc:  # noqa: BLE001 - any queue failure means "catch up later"
        _down_until = time.monotonic() + BACKOFF
        log.warning("spm: queue unavailable (%s); marking %d updates stale", exc, len(items))
        mark_stale(touched)
        return 0


def mark_stale(touched) -> None:
    """Record (event, day)s whose aggregates are behind, on a connection of its own."""
    rows = [{"event_id": e, "day": d, "marked_at": utcnow()} for e, d in touched]
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(SpmStale), rows)
    except Exception:  # noqa: BLE001 - never fail the write that already committed
        log.exception("spm: could not mark %d aggregate updates stale", len(rows))


def release(event_id: int, day: date | None) -> None:
    """Called by the job as it starts: a write after this point queues a fresh job."""
    url = redis_url()
    if url:
        _client(url).delete(pending_key(current_app.config["RQ_QUEUE"], event_id, day))


def queue_year(year: int) -> bool:
    """Queue the year's achievement recompute unless one is already waiting."""
    url = redis_url()
    if not url:
        return False
    connection = _client(url)
    if connection.set(year_key(current_app.config["RQ_QUEUE"], year), 1, nx=True, ex=PENDING_TTL):
        _enqueue(queue_for(connection), RECOMPUTE_YEAR, year=year)
        return True
    return False


def release_year(year: int) -> None:
    url = redis_url()
    if url:
        _client(url).delete(year_key(current_app.config["RQ_QUEUE"], year))


def catch_up_stale() -> bool:
    """Queue the catch-up job if marks wait and the queue answers (the workers' periodic upkeep),
    so aggregates behind since an outage catch up when the queue returns, not at the next write."""
    url = redis_url()
    if not url or not stale_count():
        return False
    connection = _client(url)
    if not connection.set(
        _key(current_app.config["RQ_QUEUE"], "catch-up"), 1, nx=True, ex=CATCH_UP_EVERY
    ):
        return False
    _enqueue(queue_for(connection), CATCH_UP)
    return True


def stale_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(SpmStale.id))) or 0
