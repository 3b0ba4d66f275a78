"""The office's review of field records the server refused or found in conflict."""

from datetime import datetime

from sqlalchemy import func, select

from logistics.admin.models import OFFICE_ROLES
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import utcnow
from logistics.distributions.details import distribution_area_codes
from logistics.field.kinds import APPLY, Context
from logistics.field.models import FieldRecord
from logistics.shelters.services import shelter_area_codes
from logistics.victims import access

TO_REVIEW = ("refused", "conflict")
PAGE_SIZE = 100


# A scoped reviewer's queue is filtered record by record (a record's wilayah is in its payload
# or in what it wrote); the queue holds refusals and conflicts only, so it stays short.
SCOPED_QUEUE_LIMIT = 5_000


def records_to_review(limit: int = PAGE_SIZE, scope: Scope = WHOLE_OFFICE) -> list[FieldRecord]:
    """Refused and conflicting records the scope sees, newest arrival first."""
    query = (
        select(FieldRecord)
        .where(FieldRecord.status.in_(TO_REVIEW))
        .order_by(FieldRecord.received_at.desc(), FieldRecord.id.desc())
    )
    if scope.whole_office or not scope.see:
        return list(db.session.scalars(query.limit(limit)))
    return _seen(query, scope)[:limit]


def count_to_review(scope: Scope = WHOLE_OFFICE) -> int:
    if scope.whole_office or not scope.see:
        return db.session.scalar(
            select(func.count()).select_from(FieldRecord).where(FieldRecord.status.in_(TO_REVIEW))
        )
    query = select(FieldRecord).where(FieldRecord.status.in_(TO_REVIEW))
    return len(_seen(query, scope))


def _seen(query, scope: Scope) -> list[FieldRecord]:
    rows = db.session.scalars(query.limit(SCOPED_QUEUE_LIMIT))
    return [row for row in rows if scope.sees_any(areas_of(row))]


def areas_of(row: FieldRecord) -> list[str | None]:
    """The wilayah of a field record: a hand-out's kelurahan (as written, as sent, or its
    recipient's), a head count's shelter; else its sender's record scope (Tagana duty records)
    or, for a sender of the whole office, the office's area."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    codes: list[str | None] | None = None
    if row.kind == "hand_out":
        if row.target_id is not None:
            codes = distribution_area_codes(row.target_id)
        if not codes and isinstance(payload.get("kelurahan_code"), str):
            codes = [payload["kelurahan_code"].strip()]
        for key, resolve in (
            ("household_id", access.household_area_codes),
            ("person_id", access.person_area_codes),
        ):
            if not codes and isinstance(payload.get(key), int):
                codes = resolve(payload[key])
    elif row.kind == "head_count" and isinstance(payload.get("shelter_id"), int):
        codes = shelter_area_codes(payload["shelter_id"])
    codes = [code for code in codes or () if code]
    if codes:
        return codes
    sender = row.user.scope.record if row.user is not None else ()
    return list(sender) or [office_info().area_code or None]


def record_area_codes(record_id: int) -> list[str | None] | None:
    """For the scope guard on `record_id`; None when there is no such record."""
    row = db.session.get(FieldRecord, record_id)
    return None if row is None else areas_of(row)


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
