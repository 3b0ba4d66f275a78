"""The office's review of field records the server refused or found in conflict."""

from datetime import datetime

from sqlalchemy import func, select

from logistics.admin.models import OFFICE_ROLES
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.time import utcnow
from logistics.field.kinds import APPLY, Context
from logistics.field.models import FieldRecord

TO_REVIEW = ("refused", "conflict")
PAGE_SIZE = 100


def records_to_review(limit: int = PAGE_SIZE) -> list[FieldRecord]:
    """Refused and conflicting records, newest arrival first."""
    query = (
        select(FieldRecord)
        .where(FieldRecord.status.in_(TO_REVIEW))
        .order_by(FieldRecord.received_at.desc(), FieldRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_to_review() -> int:
    return db.session.scalar(
        select(func.count()).select_from(FieldRecord).where(FieldRecord.status.in_(TO_REVIEW))
    )


def get_record(record_id: int) -> FieldRecord:
    row = db.session.get(FieldRecord, record_id)
    if row is None:
        raise NotFound(f"Data lapangan #{record_id} tidak ditemukan.")
    return row


def origin_of(kind: str, target_ids) -> dict[int, FieldRecord]:
    """The field record behind each written row (hand-outs on the distribution pages)."""
    ids = [i for i in target_ids if i is not None]
    if not ids:
        return {}
    query = select(FieldRecord).where(
        FieldRecord.kind == kind,
        FieldRecord.target_id.in_(ids),
        FieldRecord.status.in_(("stored", "accepted")),
    )
    return {row.target_id: row for row in db.session.scalars(query)}


def _reviewable(row: FieldRecord, reviewer) -> None:
    if getattr(reviewer, "role", None) not in OFFICE_ROLES:
        raise Forbidden("Hanya operator atau admin Dinas Sosial yang dapat meninjau data lapangan.")
    if row.status not in TO_REVIEW:
        raise DomainError(f"Data lapangan #{row.id} sudah ditinjau atau tersimpan.")


def accept_record(row: FieldRecord, reviewer, reason, now: datetime | None = None) -> int:
    """Write a refused or conflicting record with the reviewer's override reason, through the
    same service the phone's send went through; the id it wrote. A rule that still says no
    (stock still short) raises, and nothing changes."""
    _reviewable(row, reviewer)
    reason = inputs.text(reason, "reason", "Alasan menerima", 255, required=True)
    now = now or utcnow()
    context = Context(
        user=reviewer,
        # A conflict's client_id belongs to the record stored first: the accepted one is new.
        client_id=row.client_id if row.status == "refused" else None,
        phone_made_at=row.made_at or row.received_at,
        received_at=now,
        clock_suspect=row.clock_suspect or row.made_at is None,
        override_reason=reason,
    )
    target_id = APPLY[row.kind](row.payload, context)
    was = row.status
    row.status, row.target_id = "accepted", target_id
    row.reviewed_by_id, row.reviewed_at, row.review_note = reviewer.id, now, reason
    record_action(
        "accept_field_record",
        "field_records",
        row.id,
        {"was": was, "reason": reason, "target_id": target_id, "client_id": row.client_id},
    )
    db.session.flush()
    return target_id


def reject_record(row: FieldRecord, reviewer, note, now: datetime | None = None) -> None:
    """Close a record without writing it; the note goes back to the phone."""
    _reviewable(row, reviewer)
    note = inputs.text(note, "note", "Catatan penolakan", 500, required=True)
    was = row.status
    row.status = "rejected"
    row.reviewed_by_id, row.reviewed_at, row.review_note = reviewer.id, now or utcnow(), note
    record_action(
        "reject_field_record",
        "field_records",
        row.id,
        {"was": was, "note": note, "client_id": row.client_id},
    )
    db.session.flush()
