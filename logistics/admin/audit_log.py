"""Reading the audit trail: filter it, page through it, say each change in words, export it."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from logistics.admin.audit_labels import action_label, entity_label, field_label
from logistics.core.extensions import db
from logistics.core.formatting import tanggal, tanggal_jam
from logistics.core.models import AuditEntry
from logistics.core.time import from_local, office_zone

# An export stops here: the log of a busy year must still fit in one spreadsheet.
EXPORT_LIMIT = 100_000

# How the trail stores dates and stored (naive UTC) timestamps in its JSON (core/audit._jsonable).
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass(frozen=True)
class AuditFilters:
    """What the log is narrowed to; blank means everything. Days are office calendar days."""

    entity: str = ""
    action: str = ""
    actor: str = ""
    day_from: date | None = None
    day_to: date | None = None


def audit_query(filters: AuditFilters = AuditFilters()) -> Select:
    """Entries newest first, narrowed to an object, an action, an actor and office days."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    for value, column in (
        (filters.entity, AuditEntry.entity),
        (filters.action, AuditEntry.action),
        (filters.actor, AuditEntry.actor),
    ):
        if value:
            query = query.where(column == value)
    # An office day runs from local midnight to local midnight; the log stores UTC.
    if filters.day_from:
        query = query.where(AuditEntry.at >= from_local(datetime.combine(filters.day_from, time())))
    if filters.day_to:
        end = datetime.combine(filters.day_to + timedelta(days=1), time())
        query = query.where(AuditEntry.at < from_local(end))
    return query


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """(value, label) of the actors, objects and actions found in the log, for the filter form."""

    def distinct(column) -> list[str]:
        return [v for v in db.session.scalars(select(column).distinct()) if v]

    return {
        "actors": sorted((a, a) for a in distinct(AuditEntry.actor)),
        "entities": sorted(
            ((e, entity_label(e)) for e in distinct(AuditEntry.entity)), key=lambda c: c[1]
        ),
        "actions": sorted(
            ((a, action_label(a)) for a in distinct(AuditEntry.action)), key=lambda c: c[1]
        ),
    }


def value_text(value) -> str:
    """One stored value as a person reads it: dates in Indonesian, times in office time."""
    if value is None or value == "":
        return "(kosong)"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "(kosong)"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_DATE.match(value):
        return tanggal(date.fromisoformat(value))
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return tanggal_jam(datetime.fromisoformat(value), office_zone().key)
    return str(value)


def change_lines(entry: AuditEntry) -> list[str]:
    """The entry's changes, one line per field: 'peran: tagana → operator' for an update."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    lines = []
    for key, value in changes.items():
        pair = isinstance(value, list) and len(value) == 2
        # A named action may log a before/after pair of lists too (a member's competencies).
        if pair and (entry.action == "update" or all(isinstance(v, list) for v in value)):
            lines.append(f"{field_label(key)}: {value_text(value[0])} → {value_text(value[1])}")
        elif entry.action == "create" and value in (None, ""):
            continue  # a new row's empty columns say nothing
        else:
            lines.append(f"{field_label(key)}: {value_text(value)}")
    return lines


def export_rows(query: Select) -> Iterator[list]:
    """The rows of the audit export: office time, actor, action, object, id, changes, IP."""
    zone = office_zone().key
    for e in db.session.scalars(query.limit(EXPORT_LIMIT)):
        yield [
            tanggal_jam(e.at, zone),
            e.actor,
            action_label(e.action),
            entity_label(e.entity),
            e.entity_id or "",
            "; ".join(change_lines(e)),
            e.ip or "",
        ]


def page_of(query: Select, page: int, size: int) -> tuple[int, list[AuditEntry]]:
    """(total entries, the entries of one page)."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return total, entries
