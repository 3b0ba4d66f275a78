"""The audit trail: every insert, update and delete of an audited model, plus named actions."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from logistics.core.extensions import db
from logistics.core.models import AuditEntry
from logistics.core.privacy import mask_nik
from logistics.core.time import utcnow

# (user id, display name, client IP) of whoever changes data.
Actor = tuple[int | None, str, str | None]

# Who acts outside a request: a CLI command, or the user who started a background job.
_actor: ContextVar[tuple[int | None, str] | None] = ContextVar("audit_actor", default=None)
# Who acts in a request, as the web edge tells it (None outside a request). Asked at the moment
# an entry is written, so a sign-in or sign-out within the request is attributed as it happens.
_request_actor: Callable[[], Actor | None] | None = None
# The wilayah scope a change is made under (None: the whole office area): a command or job says
# it with `acting_as`, a request through the web edge's `set_request_scope`.
_scope: ContextVar[str | None] = ContextVar("audit_scope", default=None)
_request_scope: Callable[[], str | None] | None = None


@contextmanager
def acting_as(user_id: int | None, name: str, scope: str | None = None):
    """Attribute every change inside the block to this actor (CLI commands, worker jobs), made
    under this wilayah scope (None: the whole office area)."""
    token = _actor.set((user_id, name))
    scope_token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(scope_token)
        _actor.reset(token)


def set_request_actor(source: Callable[[], Actor | None] | None) -> None:
    """Let the web edge say who acts in a request; the audit trail itself never reads one."""
    global _request_actor
    _request_actor = source


def set_request_scope(source: Callable[[], str | None] | None) -> None:
    """Let the web edge say under which wilayah scope the signed-in user acts."""
    global _request_scope
    _request_scope = source


def current_scope() -> str | None:
    """The wilayah scope of whoever is changing data (None: the whole office area)."""
    if _actor.get() is not None:
        return _scope.get()
    return _request_scope() if _request_scope is not None else None


def current_actor() -> Actor:
    """(user id, display name, client IP) of whoever is changing data right now."""
    explicit = _actor.get()
    if explicit is not None:
        return explicit[0], explicit[1], None
    in_request = _request_actor() if _request_actor is not None else None
    if in_request is not None:
        return in_request
    return None, "sistem", None


def record_action(action: str, entity: str, entity_id=None, changes: dict | None = None) -> None:
    """Log an action that is not a plain row change (a login, a boundary load, a job retry)."""
    user_id, actor, ip = current_actor()
    db.session.add(
        AuditEntry(
            user_id=user_id,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            changes=_jsonable(changes or {}),
            ip=ip,
            scope=current_scope(),
        )
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


# Built once: every audited write runs it, and building it costs more than running it.
_INSERT_ENTRIES = insert(AuditEntry.__table__)


def _audited(obj) -> bool:
    return getattr(type(obj), "__audit__", False)


def _masked(obj, key: str, value):
    return _mask_value(type(obj), key, value)


def _mask_value(model, key: str, value):
    # Identity numbers are kept out of the log in full: the log is read more widely than the data.
    if key in getattr(model, "__audit_mask__", ()) and isinstance(value, str):
        return mask_nik(value)
    return value


def _row_values(obj) -> dict:
    excluded = getattr(type(obj), "__audit_exclude__", ())
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in excluded or attr.key not in state.dict:
            continue
        values[attr.key] = _masked(obj, attr.key, state.dict[attr.key])
    return _jsonable(values)


def _row_changes(obj) -> dict:
    excluded = getattr(type(obj), "__audit_exclude__", ())
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in excluded:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_masked(obj, attr.key, old), _masked(obj, attr.key, new)]
    return _jsonable(changes)


def _entity_id(obj) -> str | None:
    # Read from the mapper: inside the flush, new rows have their key but no identity yet.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return None if any(part is None for part in key) else ":".join(str(part) for part in key)


def _before_flush(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _row_changes(obj)
            if changes:
                pending.append(("update", obj, changes))
    for obj in session.deleted:
        if _audited(obj):
            pending.append(("delete", obj, _row_values(obj)))
    session.info.setdefault("audit_new", []).extend(o for o in session.new if _audited(o))


def _entries(changed: list[tuple[str, object, dict]]) -> list[dict]:
    user_id, actor, ip = current_actor()
    scope = current_scope()
    now = utcnow()
    return [
        {
            "at": now,
            "user_id": user_id,
            "actor": actor,
            "action": action,
            "entity": type(obj).__tablename__,
            "entity_id": _entity_id(obj),
            "changes": changes,
            "ip": ip,
            "scope": scope,
        }
        for action, obj, changes in changed
    ]


def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop("audit_pending", [])
    new = session.info.pop("audit_new", [])
    if not pending and not new:
        return
    rows = _entries(pending + [("create", obj, _row_values(obj)) for obj in new])
    # Core insert on the flush's own connection: the entries commit or roll back with the change.
    session.connection().execute(_INSERT_ENTRIES, rows)


def record_created(obj) -> None:
    """Log a row its service wrote with a Core INSERT (no flush to see it), as a flush would."""
    db.session.connection().execute(_INSERT_ENTRIES, _entries([("create", obj, _row_values(obj))]))


def record_created_rows(model, rows: list[dict]) -> None:
    """Log rows of `model` a service wrote with Core INSERTs, in one INSERT of their entries,
    with what record_created() would log for each row's object (masked, exclusions left out)."""
    if not rows:
        return
    mapper = inspect(model)
    excluded = getattr(model, "__audit_exclude__", ())
    keys = [attr.key for attr in mapper.column_attrs if attr.key not in excluded]
    primary = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    user_id, actor, ip = current_actor()
    now = utcnow()
    entries = []
    for row in rows:
        values = {key: _mask_value(model, key, row[key]) for key in keys if key in row}
        entries.append(
            {
                "at": now,
                "user_id": user_id,
                "actor": actor,
                "action": "create",
                "entity": model.__tablename__,
                "entity_id": ":".join(str(row[key]) for key in primary),
                "changes": _jsonable(values),
                "ip": ip,
            }
        )
    db.session.connection().execute(_INSERT_ENTRIES, entries)


# Audited actions that only read, and so change no data.
READ_ACTIONS = ("login", "login_failed", "logout", "view_nik", "break_glass")


def audit_stamp() -> str:
    """The newest audit entry, reads (logins, NIK views) left out: every write of an audited
    model, bulk import and boundary load adds one in its own transaction, so an unchanged stamp
    means unchanged data, for caches of figures (the impact matrix, the public map). Its time
    as well as its id, so a database restored from a backup never matches a stamp of the
    history it replaced. Read backwards from the newest: a few rows."""
    row = db.session.execute(
        select(AuditEntry.id, AuditEntry.at)
        .where(AuditEntry.action.not_in(READ_ACTIONS))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return f"{row.id}@{row.at.isoformat()}" if row else ""


def register_audit_listeners() -> None:
    """Attach the flush hooks once per process (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
