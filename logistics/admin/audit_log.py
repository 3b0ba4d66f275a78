"""Reading the audit trail: filter it, page through it, export it."""

from collections.abc import Iterator

from sqlalchemy import Select, func, select

from logistics.core.extensions import db
from logistics.core.models import AuditEntry

# An export stops here: the log of a busy year must still fit in one spreadsheet.
EXPORT_LIMIT = 100_000


def audit_query(entity: str = "", action: str = "", actor: str = "") -> Select:
    """Entries newest first, narrowed to an entity, an action and an actor when given."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    for value, column in (
        (entity, AuditEntry.entity),
        (action, AuditEntry.action),
        (actor, AuditEntry.actor),
    ):
        if value:
            query = query.where(column == value)
    return query


def export_rows(query: Select) -> Iterator[list]:
    """The rows of the audit export: time (UTC), actor, action, entity, id, changes, IP."""
    for e in db.session.scalars(query.limit(EXPORT_LIMIT)):
        yield [
            e.at.isoformat(sep=" ", timespec="seconds"),
            e.actor,
            e.action,
            e.entity,
            e.entity_id or "",
            str(e.changes),
            e.ip or "",
        ]


def page_of(query: Select, page: int, size: int) -> tuple[int, list[AuditEntry]]:
    """(total entries, the entries of one page)."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return total, entries
