"""The batch sync of field records: idempotent per client_id, each record on its own."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.core.time import parse_datetime, utcnow
from logistics.distributions.batch import HandOutBatch
from logistics.distributions.reads import Reads
from logistics.distributions.services import HandOut, Prepared, prepare_distribution
from logistics.field.devices import mark_seen
from logistics.field.kinds import APPLY, Context, apply_hand_out, hand_out_command
from logistics.field.models import KINDS, MAX_DEVICE_DAYS, FieldDevice, FieldRecord

MAX_RECORDS = 200
# A phone clock this far ahead of arrival cannot be right (the tagana check-in allows the same).
CLOCK_TOLERANCE = timedelta(minutes=5)
# Statuses under which the record's content is in the database.
WRITTEN = ("stored", "accepted")
OTHER_USER = "Data dibuat oleh pengguna lain di perangkat ini"


@dataclass
class Outcome:
    """The answer for one record, in the order sent."""

    client_id: str
    status: str  # stored, duplicate, refused, conflict
    message: str | None = None
    field: str | None = None
    id: int | None = None

    def to_dict(self) -> dict:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "message": self.message,
            "field": self.field,
            "id": self.id,
        }


@dataclass(frozen=True)
class Envelope:
    """A record's well-formed envelope: the part the server needs before its payload."""

    client_id: str
    kind: str
    made_at: datetime
    user_id: int
    payload: dict
    content_hash: str


def content_hash(kind: str, payload: Mapping) -> str:
    """What "the same content" means: the kind and the payload, whatever the key order."""
    text = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_envelope(raw) -> Envelope:
    """The envelope of one sent record, or a DomainError naming what is malformed."""
    if not isinstance(raw, Mapping):
        raise DomainError("Setiap data harus berupa objek JSON.", field="records")
    client_id = inputs.client_id(raw.get("client_id"))
    if client_id is None:
        raise DomainError("client_id wajib diisi.", field="client_id")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise DomainError(f"Jenis data wajib salah satu dari: {', '.join(KINDS)}.", field="kind")
    made_at = parse_datetime(raw.get("made_at"), "made_at", "Waktu dibuat", required=True)
    user_id = inputs.whole_number(raw.get("user_id"), "user_id", "Pengguna", required=True)
    payload = raw.get("payload")
    if not isinstance(payload, Mapping):
        raise DomainError("'payload' harus berupa objek JSON.", field="payload")
    return Envelope(client_id, kind, made_at, user_id, dict(payload), content_hash(kind, payload))


def clock_suspect(made_at: datetime, received_at: datetime, device: FieldDevice) -> bool:
    """A time ahead of arrival is a wrong clock; so is one older than any credential lasts (a
    phone may be offline for days, and then signs in again, but not for longer than that)."""
    oldest = received_at - timedelta(days=MAX_DEVICE_DAYS) - CLOCK_TOLERANCE
    return made_at > received_at + CLOCK_TOLERANCE or made_at < oldest


def sync_records(device: FieldDevice, records, now: datetime | None = None) -> list[Outcome]:
    """Apply a batch of records a phone sent, each on its own, in the order sent.

    - The same client_id with the same content answers "duplicate" with the first record's id
      and writes nothing; with other content while the first is in the database, "conflict":
      the new content is kept for review and nothing is overwritten.
    - A record refused by the domain's rules (stock ran out, double aid, event closed) is kept
      as "refused" with the reason; it wrote nothing, so sending it again tries again.
    - Stock is taken in the order records arrive, whatever time the phone says they were made;
      both times are kept, and a phone time that cannot be right is flagged.
    Runs inside the caller's transaction. A hand-out is checked before anything of it is
    written (SyncBatch); every other record runs in a savepoint of its own.
    """
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_RECORDS:
        raise DomainError(
            f"'records' harus berupa daftar berisi 1 sampai {MAX_RECORDS} data.", field="records"
        )
    received_at = now or utcnow()
    envelopes: list[Envelope | Outcome] = []
    for raw in records:
        try:
            envelopes.append(parse_envelope(raw))
        except DomainError as error:
            sent_id = raw.get("client_id") if isinstance(raw, Mapping) else None
            envelopes.append(Outcome(str(sent_id or ""), "refused", error.message, error.field))
    client_ids = [e.client_id for e in envelopes if isinstance(e, Envelope)]
    prepared = _prepare_hand_outs(device, envelopes, _rows_by_client_id(client_ids), received_at)
    mark_seen(device, received_at)  # the first write: from here on the batch holds the lock
    # Read again under the lock: the same outbox sent twice (a phone that gave up waiting) may
    # have been stored by the other request while this one prepared.
    known = _rows_by_client_id(client_ids)
    hand_outs = [p for p in prepared.values() if isinstance(p, Prepared)]
    batch = SyncBatch(HandOutBatch(device.user, hand_outs))
    outcomes = []
    for number, envelope in enumerate(envelopes):
        if isinstance(envelope, Outcome):
            outcomes.append(envelope)
            continue
        rows = known.setdefault(envelope.client_id, [])
        outcomes.append(_sync_one(device, envelope, rows, received_at, prepared.get(number), batch))
    batch.finish()
    tally: dict[str, int] = {}
    for outcome in outcomes:
        tally[outcome.status] = tally.get(outcome.status, 0) + 1
    record_action("field_sync", "field_devices", device.id, {"user_id": device.user_id, **tally})
    return outcomes


def _context(device: FieldDevice, envelope: Envelope, received_at: datetime, **extra) -> Context:
    return Context(
        user=device.user,
        client_id=envelope.client_id,
        phone_made_at=envelope.made_at,
        received_at=received_at,
        clock_suspect=clock_suspect(envelope.made_at, received_at, device),
        **extra,
    )


def _prepare_hand_outs(
    device: FieldDevice, envelopes: list, known: dict, received_at: datetime
) -> dict[int, object]:
    """The reads and checks of every hand-out the batch may write, before its first write (on
    SQLite that write takes the lock every other phone waits on): a prepared hand-out, or the
    DomainError that refuses it, by position in the batch."""
    prepared: dict[int, object] = {}
    commands: dict[int, HandOut] = {}
    for number, envelope in enumerate(envelopes):
        if not isinstance(envelope, Envelope) or envelope.kind != "hand_out":
            continue
        rows = known.get(envelope.client_id, [])
        answered = any(
            row.status in WRITTEN
            or (row.content_hash == envelope.content_hash and row.status != "refused")
            for row in rows
        )
        if envelope.user_id != device.user_id or answered:
            continue  # answered without writing: another user's, a re-send, a conflict
        try:
            commands[number] = hand_out_command(
                envelope.payload, _context(device, envelope, received_at)
            )
        except DomainError as error:
            prepared[number] = error
    # Every event and family the batch names is read once, for all its hand-outs.
    reads = Reads()
    reads.prefetch(commands.values())
    for number, command in commands.items():
        try:
            prepared[number] = prepare_distribution(command, device.user, reads)
        except DomainError as error:
            prepared[number] = error
    return prepared


def _rows_by_client_id(client_ids: list[str]) -> dict[str, list[FieldRecord]]:
    found: dict[str, list[FieldRecord]] = {}
    if not client_ids:
        return found
    query = (
        select(FieldRecord)
        .where(FieldRecord.client_id.in_(sorted(set(client_ids))))
        .order_by(FieldRecord.id)
    )
    for row in db.session.scalars(query):
        found.setdefault(row.client_id, []).append(row)
    return found


def _sync_one(
    device: FieldDevice,
    envelope: Envelope,
    rows: list[FieldRecord],
    received_at: datetime,
    prepared=None,
    batch: "SyncBatch | None" = None,
) -> Outcome:
    """One record against the rows already under its client_id (appended to as it goes)."""
    same = next((row for row in rows if row.content_hash == envelope.content_hash), None)
    if same is not None and same.status == "superseded":
        # Refused once, then replaced by other content the phone sent under the same id.
        message = f"Data {envelope.client_id} sudah diganti kiriman lain yang tersimpan."
        return Outcome(envelope.client_id, "conflict", message, "client_id")
    if same is not None and same.status != "refused":
        same.sends += 1
        return answer_for(same, duplicate=True)
    written = next((row for row in rows if row.status in WRITTEN), None)
    if written is not None:
        message = (
            f"client_id {envelope.client_id} sudah dipakai untuk data lain yang tersimpan "
            f"(#{written.target_id}); data ini disimpan untuk ditinjau kantor, tidak menimpa."
        )
        values = _values(device, envelope, received_at, "conflict", message, "client_id")
        row, first = _add_row_once(values)
        if row not in rows:
            rows.append(row)
        return answer_for(row, duplicate=not first)
    if same is not None:
        # A refused record sent again: it wrote nothing, so it is tried again in place.
        same.sends += 1
        same.received_at = received_at
    if envelope.user_id != device.user_id:
        values = _values(device, envelope, received_at, "refused", OTHER_USER + ".", "user_id")
        row, first = _refuse(same, values)
    else:
        values = _values(device, envelope, received_at, "stored")
        row, first = apply_record(same, values, device.user, prepared=prepared, batch=batch)
    if row not in rows:
        rows.append(row)
    if row.status == "stored":
        for other in rows:
            if other is not row and other.status == "refused":
                other.status = "superseded"
    return answer_for(row, duplicate=not first)


def _values(
    device: FieldDevice,
    envelope: Envelope,
    received_at: datetime,
    status: str,
    message: str | None = None,
    field: str | None = None,
) -> dict:
    return {
        "client_id": envelope.client_id,
        "content_hash": envelope.content_hash,
        "device_id": device.id,
        "user_id": device.user_id,
        "kind": envelope.kind,
        "payload": envelope.payload,
        "made_at": envelope.made_at,
        "received_at": received_at,
        "clock_suspect": clock_suspect(envelope.made_at, received_at, device),
        "status": status,
        "message": message,
        "field": field,
        "target_id": None,
    }


_INSERT_RECORD = insert(FieldRecord.__table__)


def _new_row(values: dict) -> dict:
    return {**values, "sends": 1, "reviewed_by_id": None, "reviewed_at": None, "review_note": ""}


def _add_row(values: dict) -> FieldRecord:
    """Insert the record's row with a Core INSERT (a batch writes a hundred of them under the
    write lock; an ORM flush of each costs several times more) and keep it as the session's
    object, so a later change to it is flushed as for any other."""
    row_values = _new_row(values)
    result = db.session.connection().execute(_INSERT_RECORD, row_values)
    row = FieldRecord(id=result.inserted_primary_key[0], **row_values)
    make_transient_to_detached(row)
    db.session.add(row)
    return row


class SyncBatch:
    """What one sync request writes together: its hand-outs (HandOutBatch) and the rows of the
    new records they stored, kept as plain values and inserted in one statement at its end
    (a later record of the batch may still count a re-send on one)."""

    def __init__(self, hand_outs: HandOutBatch):
        self.hand_outs = hand_outs
        self.rows: list[SimpleNamespace] = []

    def stored(self, values: dict, target_id: int) -> SimpleNamespace:
        row = SimpleNamespace(**_new_row({**values, "target_id": target_id}))
        self.rows.append(row)
        return row

    def finish(self) -> None:
        self.hand_outs.finish()
        if not self.rows:
            return
        try:
            db.session.connection().execute(_INSERT_RECORD, [vars(row) for row in self.rows])
        except IntegrityError:
            # The same record from another device of this user, stored a moment ago by a
            # request running beside this one (PostgreSQL): the whole batch is refused and
            # nothing of it kept, and the phone sends it again, then to be told "duplicate".
            raise Conflict("Data bentrok dengan kiriman lain; kirim ulang.") from None


def _add_row_once(values: dict) -> tuple[FieldRecord, bool]:
    """A new row, or (on PostgreSQL, where batches run side by side) the row another request
    stored for the same content a moment ago: (row, whether it is new)."""
    try:
        with db.session.begin_nested():
            return _add_row(values), True
    except IntegrityError:
        stored = db.session.scalar(
            select(FieldRecord).where(
                FieldRecord.client_id == values["client_id"],
                FieldRecord.content_hash == values["content_hash"],
            )
        )
        if stored is None:
            raise
        return stored, False


def _refuse(existing: FieldRecord | None, values: dict) -> tuple[FieldRecord, bool]:
    """Keep a refused record: the earlier refused row sent again, or a new row."""
    if existing is None:
        return _add_row_once(values)
    existing.status, existing.message = "refused", values["message"]
    existing.field, existing.target_id = values["field"], None
    db.session.flush()
    return existing, True


def apply_record(
    existing: FieldRecord | None,
    values: dict,
    user,
    override_reason: str = "",
    prepared=None,
    batch: "SyncBatch | None" = None,
) -> tuple[FieldRecord, bool]:
    """Write a record through its domain's service, in a savepoint with its own row: stored
    with the id it wrote, or refused with the reason and nothing of it kept. (row, False) when
    another request stored the very same record first. A hand-out prepared for a `batch` is
    written by it, which checks before it writes: a refusal has nothing to undo, so it needs
    no savepoint (and the same record cannot arrive meanwhile: the batch holds the device's
    row, and on SQLite the write lock)."""
    context = Context(
        user=user,
        client_id=values["client_id"],
        phone_made_at=values["made_at"],
        received_at=values["received_at"],
        clock_suspect=values["clock_suspect"],
        override_reason=override_reason,
    )
    try:
        if isinstance(prepared, DomainError):
            raise prepared  # refused by its reads and checks: nothing to write or undo
        if batch is not None and prepared is not None:
            target_id = apply_hand_out(values["payload"], context, prepared, batch.hand_outs)
            if existing is None:
                return batch.stored(values, target_id), True
            return _stored(existing, values, target_id), True
        with db.session.begin_nested():
            if prepared is not None:
                target_id = apply_hand_out(values["payload"], context, prepared)
            else:
                target_id = APPLY[values["kind"]](values["payload"], context)
            return _stored(existing, values, target_id), True
    except DomainError as error:
        values = {**values, "status": "refused", "message": error.message, "field": error.field}
    except IntegrityError:
        # The same record, sent by a second request of the same outbox, was written a moment
        # ago: answer with that one.
        stored = db.session.scalar(
            select(FieldRecord).where(
                FieldRecord.client_id == values["client_id"],
                FieldRecord.content_hash == values["content_hash"],
            )
        )
        if stored is not None and stored.status in WRITTEN:
            return stored, False
        message = "Data bentrok dengan kiriman lain; kirim ulang."
        values = {**values, "status": "refused", "message": message, "field": None}
    return _refuse(existing, values)


def _stored(existing: FieldRecord | None, values: dict, target_id: int) -> FieldRecord:
    """The record's row, stored with the id its domain wrote."""
    if existing is None:
        return _add_row({**values, "target_id": target_id})
    existing.status, existing.message, existing.field = "stored", None, None
    existing.target_id = target_id
    db.session.flush()
    return existing


def answer_for(row: FieldRecord, *, duplicate: bool = False, sent: bool = True) -> Outcome:
    """What the phone is told about a row: in a sync answer (`sent`) or a status one."""
    if row.status in WRITTEN:
        status = "duplicate" if duplicate else row.status
        if sent and status == "accepted":
            status = "duplicate"
        return Outcome(row.client_id, status, row.review_note or None, None, row.target_id)
    if row.status == "rejected":
        note = row.review_note or "Ditolak oleh kantor."
        return Outcome(row.client_id, "refused" if sent else "rejected", note, None, None)
    return Outcome(row.client_id, row.status, row.message, row.field, None)


def status_of(device: FieldDevice, client_ids) -> list[Outcome]:
    """What became of records this device's user sent: the review's outcome included."""
    if not isinstance(client_ids, list) or not 1 <= len(client_ids) <= 1000:
        raise DomainError(
            "'client_ids' harus berupa daftar berisi 1 sampai 1000 id.", field="client_ids"
        )
    wanted = [str(c) for c in client_ids]
    known = _rows_by_client_id(wanted)
    outcomes = []
    for client_id in wanted:
        rows = [row for row in known.get(client_id, []) if row.user_id == device.user_id]
        if not rows:
            outcomes.append(Outcome(client_id, "unknown"))
            continue
        governing = next((row for row in rows if row.status in WRITTEN), rows[-1])
        outcomes.append(answer_for(governing, sent=False))
    return outcomes
