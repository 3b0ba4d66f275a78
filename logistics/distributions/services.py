"""Aid hand-outs (penyaluran): recording with stock lines, the double-aid guard, retries, history."""

import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Row as SqlRow
from sqlalchemy import bindparam, insert, select, text, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from logistics.admin.models import OFFICE_ROLES, User
from logistics.areas.services import require_kelurahan
from logistics.budget import tree_cache
from logistics.core import audit, inputs
from logistics.core.errors import Conflict, DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.signals import handouts_written
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_date, office_today, utcnow
from logistics.core.wording import istilah
from logistics.distributions.catalogue import (
    CatalogueItem,
    Store,
    hand_out_item,
    hand_out_warehouse,
)
from logistics.distributions.models import PHASES, Distribution, DistributionRecipient
from logistics.distributions.reads import Reads, Recipient
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock import ledger, wilayah
from logistics.stock.models import StockLot, StockMovement

# Days within which the same component to the same household or person counts as given twice
# (config DOUBLE_AID_DAYS overrides any of them; 0 switches the guard off for a component).
# permakanan: a food ration is handed out once a day, so a second one the same day is a
#   double entry (meals cooked by field kitchens are counted by the kitchen, not here);
# sandang and tempat_penampungan: clothing sets, mats and blankets are given once at the start
#   of displacement (Sphere: 2 sets, 1 mat and 1 blanket per person), so 30 days;
# kelompok_rentan: special packages (baby food, elderly kits) follow a weekly round, so 7 days;
# psikososial: sessions are meant to repeat, so no guard.
DOUBLE_AID_DAYS = {
    "permakanan": 1,
    "sandang": 30,
    "tempat_penampungan": 30,
    "kelompok_rentan": 7,
    "psikososial": 0,
}
# More than this of one item to one household or person is a typing error, not a hand-out.
MAX_PER_RECIPIENT = Decimal(1000)
# First key of the PostgreSQL advisory locks that serialise double-aid checks ("DAID").
GUARD_LOCK = 0x44414944
MAX_LINES = 30
# The recipient search answers with at most this many households or persons.
SEARCH_LIMIT = 20


def guard_days(component: str) -> int:
    """The double-aid interval of a component in days (config DOUBLE_AID_DAYS, else default)."""
    configured = current_app.config.get("DOUBLE_AID_DAYS") or {}
    return int({**DOUBLE_AID_DAYS, **configured}.get(component, 0))


# --- the submitted hand-out ---------------------------------------------------------------------

# The fields that name a recipient: the recipient's kind and the field's label in messages.
RECIPIENT_FIELDS = {
    "household_id": ("household", "Keluarga"),
    "person_id": ("person", "Penerima"),
    "institution_id": ("institution", "Lembaga"),
}


@dataclass(frozen=True)
class LineInput:
    """One submitted item line. The item (id or code) and the quantity stay as submitted: both
    are checked against the catalogue when the hand-out is recorded."""

    number: int
    item: object
    quantity: object
    lot_id: int | None = None
    expired_reason: str = ""


# What a hand-out may carry besides its client_id (the API's body; the field app's payload).
HAND_OUT_FIELDS = frozenset(
    {
        "event_id",
        "component",
        "phase",
        "household_id",
        "person_id",
        "institution_id",
        "kelurahan_code",
        "shelter_id",
        "warehouse_id",
        "lines",
        "distributed_on",
        "receiver_name",
        "service_note",
        "note",
        "override_reason",
        "sub_kegiatan",
    }
)


@dataclass(frozen=True)
class HandOut:
    """A hand-out as submitted and well-formed (types, choices, lengths), not yet checked against
    the database; built by parse_hand_out(). A None leaves the value to its default: today for
    the date, the decree in force for the phase, the recipient's own kelurahan and shelter, the
    sub-kegiatan the budget tree links to the component."""

    event_id: int
    component: str
    recipient_kind: str  # household, person or institution
    recipient_id: int
    phase: str | None = None
    distributed_on: date | None = None
    kelurahan_code: str | None = None
    shelter_id: int | None = None
    warehouse: object = None  # an id or a code, as submitted
    lines: tuple[LineInput, ...] = ()
    receiver_name: str = ""
    service_note: str = ""
    note: str = ""
    override_reason: str = ""
    client_id: str | None = None
    sub_kegiatan: str | None = None


def parse_hand_out(values: Mapping) -> HandOut:
    """A HandOut from submitted values under the API's field names: a form's fields, an API body
    or a script's dict. A DomainError names the first value that is not well-formed."""
    client_id = inputs.client_id(values.get("client_id"))
    event_id = inputs.whole_number(
        values.get("event_id"), "event_id", "Kejadian bencana", required=True
    )
    component = _choice(values.get("component"), SPM_COMPONENTS, "component", "Komponen SPM")
    day = inputs.day(values.get("distributed_on"), "distributed_on", "Tanggal penyaluran")
    phase = values.get("phase")
    phase = None if inputs.is_blank(phase) else _choice(phase, PHASES, "phase", "Fase")
    kind, recipient_id = _parse_recipient(values)
    warehouse = values.get("warehouse_id")
    warehouse = None if inputs.is_blank(warehouse) else warehouse
    lines = _parse_lines(values.get("lines"), warehouse)
    kelurahan, sub_kegiatan = values.get("kelurahan_code"), values.get("sub_kegiatan")
    return HandOut(
        event_id=event_id,
        component=component,
        recipient_kind=kind,
        recipient_id=recipient_id,
        phase=phase,
        distributed_on=day,
        kelurahan_code=None if inputs.is_blank(kelurahan) else kelurahan,
        warehouse=warehouse,
        lines=lines,
        service_note=inputs.text(
            values.get("service_note"), "service_note", "Catatan layanan", 255
        ),
        override_reason=inputs.text(
            values.get("override_reason"), "override_reason", "Alasan penyaluran ganda", 255
        ),
        shelter_id=inputs.whole_number(
            values.get("shelter_id"), "shelter_id", "Tempat pengungsian"
        ),
        receiver_name=inputs.text(
            values.get("receiver_name"), "receiver_name", "Nama penerima barang", 160
        ),
        note=inputs.text(values.get("note"), "note", "Catatan", 2000),
        client_id=client_id,
        sub_kegiatan=None if inputs.is_blank(sub_kegiatan) else str(sub_kegiatan).strip(),
    )


def _choice(value, options: Mapping[str, str], field_name: str, label: str) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if key not in options:
        choices = ", ".join(options)
        raise DomainError(f"{label} wajib dipilih dari: {choices}.", field=field_name)
    return key


def event_of(value) -> Event:
    number = inputs.whole_number(value, "event_id", "Kejadian bencana", required=True)
    event = db.session.get(Event, number)
    if event is None:
        raise NotFound(f"Kejadian bencana #{number} tidak ditemukan.", field="event_id")
    return event


def _parse_recipient(values: Mapping) -> tuple[str, int]:
    """(kind, id) of the one recipient named by household_id, person_id or institution_id."""
    given = [name for name in RECIPIENT_FIELDS if not inputs.is_blank(values.get(name))]
    if len(given) != 1:
        raise DomainError(
            "Pilih satu penerima: keluarga (household_id), orang (person_id) atau lembaga "
            "(institution_id).",
            field=given[1] if len(given) > 1 else "household_id",
        )
    name = given[0]
    kind, label = RECIPIENT_FIELDS[name]
    return kind, inputs.whole_number(values.get(name), name, label, required=True)


def _parse_lines(values, warehouse) -> tuple[LineInput, ...]:
    if values is None:
        return ()
    if not isinstance(values, list | tuple):
        raise DomainError("'lines' harus berupa daftar barang.", field="lines")
    if len(values) > MAX_LINES:
        raise DomainError(
            f"Paling banyak {MAX_LINES} baris barang dalam satu penyaluran.", field="lines"
        )
    if values and warehouse is None:
        raise DomainError("Pilih gudang asal barang.", field="warehouse_id")
    lines = []
    for number, raw in enumerate(values, start=1):
        if not isinstance(raw, Mapping):
            raise DomainError(f"Baris barang ke-{number} harus berupa objek.", field="lines")
        item = raw.get("item_id", raw.get("item"))
        if inputs.is_blank(item):
            raise DomainError(f"Baris barang ke-{number}: pilih barangnya.", field="item_id")
        reason = inputs.text(
            raw.get("expired_reason"),
            "expired_reason",
            "Alasan menyalurkan barang kedaluwarsa",
            255,
        )
        lot_id = inputs.whole_number(raw.get("lot_id"), "lot_id", "Lot")
        lines.append(LineInput(number, item, raw.get("quantity"), lot_id, reason))
    return tuple(lines)


# --- retries ------------------------------------------------------------------------------------


def _totals(lines: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, amount in lines:
        totals[item_id] += abs(Decimal(amount))
    return dict(totals)


def _same_submission(existing: Distribution, values: dict) -> bool:
    """Whether a retried submission asks for what the record under its client_id holds."""
    taken = db.session.execute(
        select(StockMovement.item_id, StockMovement.quantity).where(
            StockMovement.distribution_id == existing.id
        )
    ).all()
    same = (
        existing.event_id == values["event_id"]
        and existing.component == values["component"]
        and existing.recipient_kind == values["recipient_kind"]
        and existing.household_id == values["household_id"]
        and existing.person_id == values["person_id"]
        and existing.institution_id == values["institution_id"]
        and existing.warehouse_id == values["warehouse_id"]
        and _totals(taken) == _totals(values["lines"])
    )
    # A date or phase left to its default may differ on a retry after midnight; given ones count.
    if values["distributed_on"] is not None:
        same = same and existing.distributed_on == values["distributed_on"]
    if values["phase"] is not None:
        same = same and existing.phase == values["phase"]
    return same


def _replay(client_id: str, values: dict) -> Distribution | None:
    existing = db.session.scalar(select(Distribution).where(Distribution.client_id == client_id))
    if existing is None:
        return None
    if not _same_submission(existing, values):
        raise Conflict(
            f"client_id '{client_id}' sudah dipakai untuk penyaluran lain (#{existing.id}). "
            "Buka formulir baru untuk penyaluran baru.",
            field="client_id",
            details={"distribution_id": existing.id},
        )
    return existing


# --- the double-aid guard -------------------------------------------------------------------------

_distributions, _recipients = Distribution.__table__, DistributionRecipient.__table__
_users = User.__table__
# Ids of hand-outs that could make these a double: the households', the institutions', and
# those with any of the same persons among their recipients (a hand-out to a person always lists
# them). Index lookups, so the guard costs the same in an event with ten hand-outs or a hundred
# thousand; an OR over the hand-outs would scan them.
_SAME_COMPONENT = (
    _distributions.c.event_id == bindparam("event_id"),
    _distributions.c.component == bindparam("component"),
)
_CANDIDATES = union_all(
    select(_distributions.c.id).where(
        *_SAME_COMPONENT,
        _distributions.c.household_id.in_(bindparam("household_ids", expanding=True)),
    ),
    select(_distributions.c.id).where(
        *_SAME_COMPONENT,
        _distributions.c.institution_id.in_(bindparam("institution_ids", expanding=True)),
    ),
    select(_recipients.c.distribution_id).where(
        _recipients.c.person_id.in_(bindparam("person_ids", expanding=True))
    ),
)
# The candidates in the interval, with who recorded them, and the persons they served.
_GIVEN = (
    select(
        _distributions.c.id,
        _distributions.c.distributed_on,
        _distributions.c.household_id,
        _distributions.c.institution_id,
        _users.c.full_name,
        _users.c.username,
    )
    .select_from(_distributions.outerjoin(_users, _users.c.id == _distributions.c.created_by_id))
    .where(
        _distributions.c.id.in_(bindparam("ids", expanding=True)),
        *_SAME_COMPONENT,
        _distributions.c.distributed_on.between(bindparam("first"), bindparam("last")),
    )
)
_GIVEN_PERSONS = select(_recipients.c.distribution_id, _recipients.c.person_id).where(
    _recipients.c.distribution_id.in_(bindparam("ids", expanding=True))
)


@dataclass(frozen=True)
class Given:
    """A hand-out the double-aid guard weighs: when, to whom, and who recorded it."""

    id: int
    distributed_on: date
    household_id: int | None
    institution_id: int | None
    person_ids: frozenset[int]
    recorder: str


def recorder_name(user) -> str:
    """Who recorded a hand-out, as the guard's message names them."""
    name = getattr(user, "full_name", None) or getattr(user, "username", None)
    return name or "pengguna tidak dikenal"


def given_to(
    event_id: int, component: str, recipients: Iterable[Recipient], first: date, last: date
) -> list[Given]:
    """The hand-outs of this component in the event from `first` to `last` to any of
    `recipients` or any of their persons: one read for one hand-out or for a whole batch."""
    recipients = list(recipients)
    connection = db.session.connection()
    params = {
        "event_id": event_id,
        "component": component,
        "household_ids": sorted({r.id for r in recipients if r.kind == "household"}),
        "institution_ids": sorted({r.id for r in recipients if r.kind == "institution"}),
        "person_ids": sorted({p for r in recipients for p in r.person_ids}),
    }
    # Read the candidates first: given the hand-outs as one query, SQLite walks the event's
    # hand-outs by date instead.
    ids = sorted(set(connection.scalars(_CANDIDATES, params)))
    if not ids:
        return []
    rows = connection.execute(_GIVEN, {**params, "ids": ids, "first": first, "last": last}).all()
    if not rows:
        return []
    persons: dict[int, set[int]] = defaultdict(set)
    for distribution_id, person_id in connection.execute(
        _GIVEN_PERSONS, {"ids": [row.id for row in rows]}
    ):
        persons[distribution_id].add(person_id)
    return [
        Given(
            row.id,
            row.distributed_on,
            row.household_id,
            row.institution_id,
            frozenset(persons[row.id]),
            row.full_name or row.username or "pengguna tidak dikenal",
        )
        for row in rows
    ]


def latest_given(
    given: Iterable[Given], recipient: Recipient, day: date, days: int, excluding: int | None = None
) -> Given | None:
    """The rule of the guard: the latest of `given` within `days` of `day` that went to the
    recipient (a household: itself or any of its persons; a person: that person; an
    institution: itself); None if there is none. `excluding` leaves out the one being written."""
    window = timedelta(days=days - 1)
    persons = set(recipient.person_ids)
    found = [
        g
        for g in given
        if g.id != excluding
        and day - window <= g.distributed_on <= day + window
        and (
            g.institution_id == recipient.id
            if recipient.kind == "institution"
            else (recipient.kind == "household" and g.household_id == recipient.id)
            or bool(g.person_ids & persons)
        )
    ]
    return max(found, key=lambda g: (g.distributed_on, g.id), default=None)


def earlier_handout(
    event_id: int, component: str, day: date, recipient: Recipient, excluding: int | None = None
) -> tuple[Given, str] | None:
    """The latest hand-out of this component in the event to the recipient (or to any of its
    persons) within the component's interval, with who recorded it; None if there is none.
    `excluding` leaves out the hand-out being written."""
    days = guard_days(component)
    if days <= 0:
        return None
    window = timedelta(days=days - 1)
    given = given_to(event_id, component, [recipient], day - window, day + window)
    found = latest_given(given, recipient, day, days, excluding)
    return None if found is None else (found, found.recorder)


def serialise_guard(event_id: int, component: str, recipient: Recipient) -> None:
    """PostgreSQL: hold a lock on (event, component, family) until commit, so two phones
    recording the same family at the same moment run the double-aid check one after the other.
    SQLite needs no lock: the check runs after the INSERT, which holds its write lock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(f"{event_id}:{component}:{recipient.family}".encode()) - (1 << 31)
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": GUARD_LOCK, "key": key}
    )


def check_double_aid(
    found: tuple[Given, str] | None, component: str, recipient: Recipient, reason: str, user
) -> str | None:
    """None when there is no earlier hand-out; the reason when an office role overrides."""
    if found is None:
        return None
    earlier, recorder = found
    days = guard_days(component)
    what = {
        "household": f"Keluarga {recipient.name}",
        "person": recipient.name,
        "institution": f"Lembaga {recipient.name}",
    }[recipient.kind]
    if recipient.kind == "household" and earlier.household_id != recipient.id:
        what += " (salah satu anggotanya)"
    message = (
        f"{what} sudah menerima bantuan {component.replace('_', ' ')} pada "
        f"{tanggal(earlier.distributed_on)} "
        f"(penyaluran #{earlier.id}, dicatat oleh {recorder}). "
        f"Penyaluran yang sama dalam {days} hari dianggap ganda."
    )
    details = {
        "distribution_id": earlier.id,
        "distributed_on": earlier.distributed_on.isoformat(),
        "recorded_by": recorder,
    }
    if not reason:
        raise Conflict(
            message + " Jika memang perlu, operator atau admin dapat menyimpan dengan alasan.",
            field="override_reason",
            details=details,
        )
    if user is None or getattr(user, "role", None) not in OFFICE_ROLES:
        raise Forbidden(
            message + " Hanya operator atau admin Dinas Sosial yang dapat menyetujui penyaluran "
            "ganda; hubungi operator di posko.",
            field="override_reason",
            details=details,
        )
    return reason


# --- recording ----------------------------------------------------------------------------------

# How a hand-out is written. Every read and check comes first (_prepare), with prebuilt Core
# statements and the cached catalogue; then the rows are written with plain Core INSERTs
# (_write). From the first INSERT to the commit the transaction holds SQLite's write lock and
# every other hand-out waits, so nothing that can be worked out earlier is left for after it.
# Core over the ORM: a flush of Distribution and DistributionRecipient objects costs several
# times the Python of these INSERTs, all of it under the lock, and an ORM query several times a
# prebuilt Core statement (whose SQL and cache key are made once per process). The written row
# still becomes the session's Distribution object, audited and queued for the SPM aggregates as
# a flush of it would have been. The measurements are in bench/bench_distributions.py.

_shelters = Shelter.__table__
_SHELTER = select(_shelters.c.id).where(_shelters.c.id == bindparam("id"))
INSERT_DISTRIBUTION = insert(_distributions)
INSERT_RECIPIENTS = insert(_recipients)
_SET_OVERRIDE = (
    update(_distributions)
    .where(_distributions.c.id == bindparam("distribution_id"))
    .values(override_reason=bindparam("reason"))
)


@dataclass
class Line:
    """One item line checked against the catalogue, with the lots it may take from."""

    item: CatalogueItem
    quantity: Decimal
    lot: StockLot | None = None
    expired_reason: str | None = None
    # Lots to take from, read before the first write so SQLite's write lock is held briefly.
    candidates: list[StockLot] | None = None


@dataclass
class Prepared:
    """A hand-out read and checked, ready to write: its row (all but the id), what it takes."""

    hand_out: HandOut
    row: dict
    recipient: Recipient
    warehouse: Store | None
    lines: list[Line]


def record_distribution(hand_out: HandOut, recorded_by=None) -> tuple[Distribution, bool]:
    """Record a hand-out and take its item lines from the warehouse; (distribution, created).

    `hand_out` comes from parse_hand_out(). A retry with the same client_id returns the first
    record and writes nothing; the same client_id with other content is a Conflict. The same
    component in the same event to the same household or person within DOUBLE_AID_DAYS is a
    Conflict unless an office role gives an override_reason. Stock that does not cover a line is
    a Conflict and nothing is kept: run this inside transaction().
    """
    return _write(_prepare(hand_out, recorded_by), recorded_by)


def prepare_distribution(
    hand_out: HandOut, recorded_by=None, reads: Reads | None = None
) -> Prepared:
    """The reads and checks of record_distribution, nothing written: a batch prepares all its
    hand-outs before its first write, so SQLite's write lock is held only for the writes, and
    shares one `reads` so that each row its hand-outs name is read once."""
    return _prepare(hand_out, recorded_by, reads)


def write_distribution(prepared: Prepared, recorded_by=None) -> tuple[Distribution, bool]:
    """The writes of record_distribution for a prepared hand-out (the double-aid guard and the
    stock still checked here, under the lock)."""
    return _write(prepared, recorded_by)


def _prepare(hand_out: HandOut, recorded_by, reads: Reads | None = None) -> Prepared:
    """Every read and check of a hand-out; nothing is written."""
    db.session.flush()  # the caller's pending changes are seen by the Core reads below
    reads = reads or Reads()
    event = reads.event(hand_out.event_id)
    day = _day(hand_out.distributed_on, event)
    paid_by = tree_cache.resolve_sub_kegiatan(hand_out.sub_kegiatan)
    if paid_by is None:
        paid_by = tree_cache.default_sub_kegiatan(hand_out.component)
    recipient = reads.recipient(hand_out.recipient_kind, event, hand_out.recipient_id)
    warehouse = None if hand_out.warehouse is None else hand_out_warehouse(hand_out.warehouse)
    lines = _lines(hand_out.lines, warehouse, recipient, reads)
    if not lines and not hand_out.service_note:
        raise DomainError(
            "Isi barang yang disalurkan, atau tulis catatan layanan untuk layanan tanpa barang "
            "(mis. sesi dukungan psikososial).",
            field="service_note",
        )
    if not lines:
        warehouse = None  # a service without goods takes nothing from a warehouse
    row = {
        "event_id": event.id,
        "component": hand_out.component,
        "phase": hand_out.phase or _default_phase(event.id, day),
        "recipient_kind": recipient.kind,
        "household_id": recipient.household_id,
        "person_id": recipient.person_id,
        "institution_id": recipient.institution_id,
        "kitchen_meal_id": None,
        "kelurahan_code": _kelurahan(hand_out.kelurahan_code, recipient),
        "shelter_id": _shelter_id(hand_out.shelter_id, recipient.shelter_id),
        "warehouse_id": warehouse.id if warehouse else None,
        "distributed_on": day,
        "persons_served": recipient.persons_served,
        "anonymous_portions": 0,
        "service_note": hand_out.service_note,
        "override_reason": None,  # set once the guard has run
        "sub_kegiatan_id": paid_by,
        "batch_document_id": None,
        "receiver_name": hand_out.receiver_name,
        "note": hand_out.note,
        "client_id": hand_out.client_id,
        "created_by_id": getattr(recorded_by, "id", None),
        "created_at": utcnow(),
    }
    _require_scope(recorded_by, row, warehouse)
    return Prepared(hand_out, row, recipient, warehouse, lines)


def _require_scope(recorded_by, row: dict, warehouse) -> None:
    """A hand-out is written only within its recorder's record scope: its kelurahan and the
    warehouse its goods leave (403, nothing written). The double-aid guard above it still
    looks across the whole office."""
    scope = wilayah.actor_scope(recorded_by)
    scope.require_record(row["kelurahan_code"])
    wilayah.require_records(scope, warehouse)


def _day(given: date | None, event: SqlRow) -> date:
    today = office_today()
    day = given or today
    if day > today:
        raise DomainError(
            f"Tanggal penyaluran {tanggal(day)} belum terjadi; isi tanggal hari ini atau sebelumnya.",
            field="distributed_on",
        )
    began = office_date(event.started_at)
    if day < began:
        raise DomainError(
            f"Tanggal penyaluran {tanggal(day)} sebelum kejadian {event.code} dimulai "
            f"({tanggal(began)}).",
            field="distributed_on",
        )
    if event.closed_at is not None and day >= office_date(event.closed_at):
        raise Conflict(
            f"Kejadian {event.code} sudah ditutup pada {tanggal(office_date(event.closed_at))}; "
            "penyaluran sesudah tanggal itu tidak dapat dicatat pada kejadian ini.",
            field="event_id",
        )
    return day


def _default_phase(event_id: int, day: date) -> str:
    """The phase by the decree timeline (Event.aid_phase_on): 'setelah' after tanggap darurat."""
    return db.session.get(Event, event_id).aid_phase_on(day)


def _lines(
    given: tuple[LineInput, ...], warehouse: Store | None, recipient: Recipient, reads: Reads
) -> list:
    """The submitted lines checked against the catalogue, each with the lots it may take from."""
    # An institution feeds many: its limit grows with its head count.
    maximum = MAX_PER_RECIPIENT
    if recipient.kind == "institution":
        maximum = min(
            MAX_PER_RECIPIENT * max(recipient.persons_served, 1), ledger.MAX_LINE_QUANTITY
        )
    lines = []
    for line in given:
        item = hand_out_item(line.item)
        amount = ledger.quantity(item, line.quantity, "quantity", maximum=maximum)
        lot = None if line.lot_id is None else ledger.get_lot(line.lot_id, warehouse, item)
        candidates = None if lot else reads.lots(warehouse.id, item.id)
        lines.append(Line(item, amount, lot, line.expired_reason or None, candidates))
    return lines


def _kelurahan(given: str | None, recipient: Recipient) -> str:
    if given is not None:
        return require_kelurahan(given).code
    if not recipient.kelurahan_code:
        raise DomainError(
            f"{istilah('wilayah').capitalize()} penerima belum diketahui; isi kode {istilah('wilayah')}.",
            field="kelurahan_code",
        )
    return recipient.kelurahan_code


def _shelter_id(given: int | None, default: int | None) -> int | None:
    if given is None:
        return default
    if db.session.connection().execute(_SHELTER, {"id": given}).first() is None:
        raise NotFound(f"Tempat pengungsian #{given} tidak ditemukan.", field="shelter_id")
    return given


def _write(prepared: Prepared, recorded_by) -> tuple[Distribution, bool]:
    """Write a prepared hand-out: its row and recipients, then the guard's check, then its stock
    lines; or, for a retry of a recorded submission, the record it made."""
    row, recipient = prepared.row, prepared.recipient
    serialise_guard(row["event_id"], row["component"], recipient)
    connection = db.session.connection()
    try:
        new_id = connection.execute(INSERT_DISTRIBUTION, row).inserted_primary_key[0]
    except IntegrityError:
        # The client_id is taken: this submission sent again (a retry), or other content.
        db.session.rollback()
        existing = _replay(row["client_id"], _submission(prepared)) if row["client_id"] else None
        if existing is not None:
            return existing, False
        raise Conflict("Penyaluran bentrok dengan data yang baru disimpan; coba lagi.") from None
    if recipient.person_ids:
        # One multi-row INSERT: the rows need no ids back, and a household has several members.
        connection.execute(
            INSERT_RECIPIENTS,
            [{"distribution_id": new_id, "person_id": person} for person in recipient.person_ids],
        )
    # The double-aid check runs after our own INSERT: this transaction now holds SQLite's write
    # lock (or, on PostgreSQL, the family's guard lock), so no other phone can record the same
    # family between the check and the commit. A refusal rolls the whole hand-out back.
    found = earlier_handout(
        row["event_id"], row["component"], row["distributed_on"], recipient, excluding=new_id
    )
    reason = prepared.hand_out.override_reason
    row["override_reason"] = check_double_aid(
        found, row["component"], recipient, reason, recorded_by
    )
    if row["override_reason"] is not None:
        connection.execute(
            _SET_OVERRIDE, {"distribution_id": new_id, "reason": row["override_reason"]}
        )
    return _recorded(prepared, new_id, _take_stock(prepared, new_id)), True


def _submission(prepared: Prepared) -> dict:
    """What a retry under the same client_id must ask for (see _same_submission)."""
    row = prepared.row
    return {
        **{key: row[key] for key in ("event_id", "component", "recipient_kind", "warehouse_id")},
        **{key: row[key] for key in ("household_id", "person_id", "institution_id")},
        "phase": prepared.hand_out.phase,
        "distributed_on": prepared.hand_out.distributed_on,
        "lines": [(line.item.id, line.quantity) for line in prepared.lines],
    }


def _take_stock(prepared: Prepared, distribution_id: int) -> list["Taken"]:
    """Take each line from its lot or first-expiry-first-out; the stock lines as answered."""
    taken = []
    # Expiry is judged on the day the goods were handed out, which may be long past.
    today = prepared.row["distributed_on"]
    for line in prepared.lines:
        # No lot given and none to take from (the warehouse never held the item): the ledger
        # refuses the line below with the shortage, as it does for a warehouse run empty.
        lots = {lot.id: lot for lot in (line.candidates or [line.lot]) if lot is not None}
        for movement in ledger.issue(
            prepared.warehouse,
            line.item,
            line.quantity,
            "distribution",
            lot=line.lot,
            expired_reason=line.expired_reason,
            today=today,
            candidates=line.candidates,
            distribution_id=distribution_id,
        ):
            taken.append(
                Taken(
                    line.item.id,
                    line.item.code,
                    line.item.name,
                    line.item.unit,
                    movement.lot_id,
                    ledger.lot_label(lots[movement.lot_id]),
                    -movement.quantity,
                    movement.override_reason,
                )
            )
    return taken


def _recorded(prepared: Prepared, new_id: int, taken: list["Taken"]) -> Distribution:
    """The written row as the session's object for it, without reading it back; audited and
    queued for the SPM aggregates as a flush of it would have been."""
    distribution = Distribution(id=new_id, **prepared.row)
    make_transient_to_detached(distribution)
    db.session.add(distribution)
    audit.record_created(distribution)
    handouts_written.send(
        db.session, event_id=distribution.event_id, day=distribution.distributed_on
    )
    # Kept on the instance (not a column) so the answer to a new hand-out costs no second read.
    distribution.recorded_lines = taken
    distribution.recorded_person_ids = list(prepared.recipient.person_ids)
    return distribution


# --- a stock line of a hand-out ---------------------------------------------------------------


@dataclass
class Taken:
    """One stock line of a hand-out as shown and sent: what, from which lot, how much."""

    item_id: int
    item_code: str
    item_name: str
    unit: str
    lot_id: int
    lot: str
    quantity: Decimal
    expired_reason: str | None
