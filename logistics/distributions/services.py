"""Aid hand-outs (penyaluran): recording with stock lines, the double-aid guard, retries, history."""

import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, insert, or_, select, text, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, lazyload, make_transient_to_detached

from logistics.admin.models import OFFICE_ROLES, User
from logistics.areas.models import Area
from logistics.areas.services import require_kelurahan
from logistics.budget import tree_cache
from logistics.core import audit, inputs
from logistics.core.errors import Conflict, DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.signals import handouts_written
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_date, office_today, utcnow
from logistics.distributions.models import PHASES, Distribution, DistributionRecipient
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock import ledger
from logistics.stock.models import Item, StockLot, StockMovement, Warehouse
from logistics.victims.models import Household, InstitutionVictim, Person, Victim

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


# --- parsing ------------------------------------------------------------------------------------


@dataclass
class Line:
    """One parsed item line of a hand-out."""

    item: Item
    quantity: Decimal
    lot: StockLot | None = None
    expired_reason: str | None = None
    # Lots to take from, read before the first write so SQLite's write lock is held briefly.
    candidates: list[StockLot] | None = None


@dataclass
class Recipient:
    """Who receives: the record, its kind, the persons it serves and where they are registered."""

    kind: str
    household: Household | None = None
    person: Person | None = None
    institution: InstitutionVictim | None = None
    person_ids: list[int] = field(default_factory=list)
    persons_served: int = 0
    kelurahan_code: str | None = None
    shelter_id: int | None = None

    @property
    def name(self) -> str:
        if self.household is not None:
            return self.household.head_name or f"KK #{self.household.id}"
        if self.person is not None:
            return self.person.name
        return self.institution.name if self.institution is not None else ""


def _event(value) -> Event:
    number = inputs.whole_number(value, "event_id", "Kejadian bencana", required=True)
    event = db.session.get(Event, number)
    if event is None:
        raise NotFound(f"Kejadian bencana #{number} tidak ditemukan.", field="event_id")
    return event


def _choice(value, options: Mapping[str, str], field_name: str, label: str) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if key not in options:
        choices = ", ".join(options)
        raise DomainError(f"{label} wajib dipilih dari: {choices}.", field=field_name)
    return key


def _day(value, event: Event) -> date:
    today = office_today()
    day = inputs.day(value, "distributed_on", "Tanggal penyaluran") or today
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


def _default_phase(event: Event, day: date) -> str:
    """'setelah' once the decree in force is transisi darurat or the event is closed."""
    return "setelah" if event.phase_on(day) in ("transisi_darurat", "pasca_bencana") else "saat"


def _household_recipient(event: Event, value) -> Recipient:
    number = inputs.whole_number(value, "household_id", "Keluarga", required=True)
    # The household, its members and their victim records in this event, in one query.
    found = db.session.execute(
        select(
            Household, Person.id, Person.merged_into_id, Victim.kelurahan_code, Victim.shelter_id
        )
        .outerjoin(Person, Person.household_id == Household.id)
        .outerjoin(Victim, (Victim.person_id == Person.id) & (Victim.event_id == event.id))
        .where(Household.id == number)
        .order_by(Person.id)
    ).all()
    if not found:
        raise NotFound(f"Keluarga #{number} tidak ditemukan.", field="household_id")
    household = found[0][0]
    # Merged duplicates are dropped here, not in SQL: without planner statistics SQLite would
    # pick the merged_into_id index (every row is NULL) over the household's.
    rows = [row for row in found if row.id is not None and row.merged_into_id is None]
    registered = [row for row in rows if row.kelurahan_code is not None]
    if not registered:
        raise DomainError(
            f"Keluarga {household.head_name or household.id} belum terdaftar sebagai korban "
            f"kejadian {event.code}. Daftarkan dulu di menu Korban.",
            field="household_id",
        )
    return Recipient(
        kind="household",
        household=household,
        person_ids=[row.id for row in rows],
        persons_served=len(rows),
        kelurahan_code=household.kelurahan_code or registered[0].kelurahan_code,
        shelter_id=next((row.shelter_id for row in registered if row.shelter_id), None),
    )


def _person_recipient(event: Event, value) -> Recipient:
    number = inputs.whole_number(value, "person_id", "Penerima", required=True)
    person = db.session.get(Person, number)
    if person is None:
        raise NotFound(f"Orang #{number} tidak ditemukan.", field="person_id")
    seen = set()
    while person.merged_into_id is not None and person.id not in seen:
        # A merged duplicate is served as the person it was merged into.
        seen.add(person.id)
        person = db.session.get(Person, person.merged_into_id)
    victim = db.session.scalar(
        select(Victim).where(Victim.event_id == event.id, Victim.person_id == person.id)
    )
    if victim is None:
        raise DomainError(
            f"{person.name} belum terdaftar sebagai korban kejadian {event.code}. "
            "Daftarkan dulu di menu Korban.",
            field="person_id",
        )
    return Recipient(
        kind="person",
        person=person,
        household=None,
        person_ids=[person.id],
        persons_served=1,
        kelurahan_code=victim.kelurahan_code,
        shelter_id=victim.shelter_id,
    )


def _institution_recipient(event: Event, value) -> Recipient:
    number = inputs.whole_number(value, "institution_id", "Lembaga", required=True)
    institution = db.session.get(InstitutionVictim, number)
    if institution is None or institution.event_id != event.id:
        raise NotFound(
            f"Lembaga #{number} tidak terdaftar pada kejadian {event.code}.",
            field="institution_id",
        )
    return Recipient(
        kind="institution",
        institution=institution,
        persons_served=institution.headcount,
        kelurahan_code=institution.kelurahan_code,
        shelter_id=institution.shelter_id,
    )


def _recipient(event: Event, household_id, person_id, institution_id) -> Recipient:
    given = [
        (name, value)
        for name, value in (
            ("household_id", household_id),
            ("person_id", person_id),
            ("institution_id", institution_id),
        )
        if not inputs.is_blank(value)
    ]
    if len(given) != 1:
        raise DomainError(
            "Pilih satu penerima: keluarga (household_id), orang (person_id) atau lembaga "
            "(institution_id).",
            field=given[1][0] if len(given) > 1 else "household_id",
        )
    name, value = given[0]
    parse = {
        "household_id": _household_recipient,
        "person_id": _person_recipient,
        "institution_id": _institution_recipient,
    }[name]
    return parse(event, value)


def _shelter_id(value, default: int | None) -> int | None:
    number = inputs.whole_number(value, "shelter_id", "Tempat pengungsian")
    if number is None:
        return default
    if db.session.get(Shelter, number) is None:
        raise NotFound(f"Tempat pengungsian #{number} tidak ditemukan.", field="shelter_id")
    return number


def _item(value) -> Item:
    """An active catalogue item by id or code, without its kit contents (not needed here)."""
    query = select(Item).options(lazyload(Item.components))
    if isinstance(value, int) and not isinstance(value, bool):
        item = db.session.scalar(query.where(Item.id == value))
    elif isinstance(value, str) and value.strip().isdigit():
        item = db.session.scalar(query.where(Item.id == int(value)))
    elif isinstance(value, str) and value.strip():
        item = db.session.scalar(query.where(Item.code == value.strip().lower()))
    else:
        item = None
    if item is None or not item.active:
        raise NotFound(f"Barang '{value}' tidak ada di katalog.", field="item_id")
    return item


def _lines(values, warehouse: Warehouse | None, recipient: Recipient) -> list[Line]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise DomainError("'lines' harus berupa daftar barang.", field="lines")
    if len(values) > MAX_LINES:
        raise DomainError(
            f"Paling banyak {MAX_LINES} baris barang dalam satu penyaluran.", field="lines"
        )
    if values and warehouse is None:
        raise DomainError("Pilih gudang asal barang.", field="warehouse_id")
    # An institution feeds many: its limit grows with its head count.
    maximum = MAX_PER_RECIPIENT
    if recipient.kind == "institution":
        maximum = min(
            MAX_PER_RECIPIENT * max(recipient.persons_served, 1), ledger.MAX_LINE_QUANTITY
        )
    lines = []
    for number, raw in enumerate(values, start=1):
        if not isinstance(raw, Mapping):
            raise DomainError(f"Baris barang ke-{number} harus berupa objek.", field="lines")
        item_ref = raw.get("item_id", raw.get("item"))
        if inputs.is_blank(item_ref):
            raise DomainError(f"Baris barang ke-{number}: pilih barangnya.", field="item_id")
        item = _item(item_ref)
        amount = ledger.quantity(item, raw.get("quantity"), "quantity", maximum=maximum)
        lot = None
        if not inputs.is_blank(raw.get("lot_id")):
            lot = ledger.get_lot(raw.get("lot_id"), warehouse, item)
        reason = inputs.text(
            raw.get("expired_reason"),
            "expired_reason",
            "Alasan menyalurkan barang kedaluwarsa",
            255,
        )
        candidates = None if lot else ledger.lots_in_stock(warehouse.id, item.id)
        lines.append(Line(item, amount, lot, reason or None, candidates))
    return lines


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


def _candidates(event_id: int, component: str, recipient: Recipient):
    """The query for ids of hand-outs that could make this one a double: the household's, the
    institution's, and those with any of the same persons among their recipients. None when the
    component has no guard."""
    if guard_days(component) <= 0:
        return None
    # Index lookups, so the guard costs the same in an event with ten hand-outs or a hundred
    # thousand; an OR over the hand-outs would scan them.
    candidates = []
    if recipient.household is not None:
        candidates.append(
            select(Distribution.id).where(
                Distribution.event_id == event_id,
                Distribution.component == component,
                Distribution.household_id == recipient.household.id,
            )
        )
    if recipient.institution is not None:
        candidates.append(
            select(Distribution.id).where(
                Distribution.event_id == event_id,
                Distribution.component == component,
                Distribution.institution_id == recipient.institution.id,
            )
        )
    persons = set(recipient.person_ids)
    if recipient.person is not None:
        persons.add(recipient.person.id)
    if persons:
        # A hand-out to a person always lists them as its recipient.
        candidates.append(
            select(DistributionRecipient.distribution_id).where(
                DistributionRecipient.person_id.in_(sorted(persons))
            )
        )
    if not candidates:
        return None
    return candidates[0] if len(candidates) == 1 else union_all(*candidates)


def earlier_handout(
    event_id: int, component: str, day: date, candidates, excluding: int | None = None
) -> tuple[Distribution, str] | None:
    """The latest hand-out of this component in the event, among `candidates` (from
    _candidates()) and within the component's interval, with who recorded it; None if there is
    none. `excluding` leaves out the hand-out being written."""
    if candidates is None:
        return None
    # Read the candidates first: given the hand-outs as one query, SQLite walks the event's
    # hand-outs by date instead.
    ids = [i for i in db.session.scalars(candidates) if i != excluding]
    if not ids:
        return None
    window = timedelta(days=guard_days(component) - 1)
    row = db.session.execute(
        select(Distribution, User.full_name, User.username)
        .outerjoin(User, User.id == Distribution.created_by_id)
        .where(
            Distribution.id.in_(ids),
            Distribution.event_id == event_id,
            Distribution.component == component,
            Distribution.distributed_on.between(day - window, day + window),
        )
        .order_by(Distribution.distributed_on.desc(), Distribution.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row[0], row[1] or row[2] or "pengguna tidak dikenal"


def _serialise_guard(event_id: int, component: str, recipient: Recipient) -> None:
    """PostgreSQL: hold a lock on (event, component, family) until commit, so two phones
    recording the same family at the same moment run the double-aid check one after the other.
    SQLite needs no lock: the check runs after the INSERT, which holds its write lock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if recipient.household is not None:
        who = f"h{recipient.household.id}"
    elif recipient.person is not None and recipient.person.household_id:
        who = f"h{recipient.person.household_id}"
    elif recipient.person is not None:
        who = f"p{recipient.person.id}"
    else:
        who = f"i{recipient.institution.id}"
    key = zlib.crc32(f"{event_id}:{component}:{who}".encode()) - (1 << 31)  # a signed int4
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": GUARD_LOCK, "key": key}
    )


def _check_double_aid(
    found: tuple[Distribution, str] | None, component: str, recipient: Recipient, reason: str, user
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
    if recipient.household is not None and earlier.household_id != recipient.household.id:
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


def record_distribution(
    *,
    event_id,
    component,
    phase=None,
    household_id=None,
    person_id=None,
    institution_id=None,
    kelurahan_code=None,
    shelter_id=None,
    warehouse_id=None,
    lines=None,
    distributed_on=None,
    receiver_name="",
    service_note="",
    note="",
    override_reason=None,
    client_id=None,
    recorded_by=None,
    sub_kegiatan=None,
) -> tuple[Distribution, bool]:
    """Record a hand-out and take its item lines from the warehouse; (distribution, created).

    Raw submitted values are checked here (the form and the API pass them as they came). A retry
    with the same client_id returns the first record and writes nothing; the same client_id with
    other content is a Conflict. The same component in the same event to the same household or
    person within DOUBLE_AID_DAYS is a Conflict unless an office role gives `override_reason`.
    Stock that does not cover a line is a Conflict and nothing is kept: run this inside
    transaction(). `sub_kegiatan` is the code of the sub-kegiatan that paid (either written
    form); left out, it is the sub-kegiatan the budget tree links to the component.
    """
    client_id = inputs.client_id(client_id)
    event = _event(event_id)
    component = _choice(component, SPM_COMPONENTS, "component", "Komponen SPM")
    day = _day(distributed_on, event)
    given_day = None if inputs.is_blank(distributed_on) else day
    given_phase = None if inputs.is_blank(phase) else _choice(phase, PHASES, "phase", "Fase")
    paid_by = tree_cache.resolve_sub_kegiatan(sub_kegiatan)
    if paid_by is None:
        paid_by = tree_cache.default_sub_kegiatan(component)
    phase = given_phase or _default_phase(event, day)
    recipient = _recipient(event, household_id, person_id, institution_id)
    warehouse = None if inputs.is_blank(warehouse_id) else ledger.get_warehouse(warehouse_id)
    parsed = _lines(lines, warehouse, recipient)
    note_text = inputs.text(service_note, "service_note", "Catatan layanan", 255)
    if not parsed and not note_text:
        raise DomainError(
            "Isi barang yang disalurkan, atau tulis catatan layanan untuk layanan tanpa barang "
            "(mis. sesi dukungan psikososial).",
            field="service_note",
        )
    if not parsed:
        warehouse = None  # a service without goods takes nothing from a warehouse
    values = {
        "event_id": event.id,
        "component": component,
        "phase": given_phase,
        "recipient_kind": recipient.kind,
        "household_id": recipient.household.id if recipient.household else None,
        "person_id": recipient.person.id if recipient.person else None,
        "institution_id": recipient.institution.id if recipient.institution else None,
        "warehouse_id": warehouse.id if warehouse else None,
        "distributed_on": given_day,
        "lines": [(line.item.id, line.quantity) for line in parsed],
    }
    if inputs.is_blank(kelurahan_code):
        kelurahan = recipient.kelurahan_code
        if not kelurahan:
            raise DomainError(
                "Kelurahan/desa penerima belum diketahui; isi kode kelurahan/desa.",
                field="kelurahan_code",
            )
    else:
        kelurahan = require_kelurahan(kelurahan_code).code
    reason = inputs.text(override_reason, "override_reason", "Alasan penyaluran ganda", 255)
    row = {
        "event_id": event.id,
        "component": component,
        "phase": phase,
        "recipient_kind": recipient.kind,
        "household_id": values["household_id"],
        "person_id": values["person_id"],
        "institution_id": values["institution_id"],
        "kitchen_meal_id": None,
        "kelurahan_code": kelurahan,
        "shelter_id": _shelter_id(shelter_id, recipient.shelter_id),
        "warehouse_id": values["warehouse_id"],
        "distributed_on": day,
        "persons_served": recipient.persons_served,
        "anonymous_portions": 0,
        "service_note": note_text,
        "override_reason": None,
        "sub_kegiatan_id": paid_by,
        "batch_document_id": None,
        "receiver_name": inputs.text(receiver_name, "receiver_name", "Nama penerima barang", 160),
        "note": inputs.text(note, "note", "Catatan", 2000),
        "client_id": client_id,
        "created_by_id": getattr(recorded_by, "id", None),
        "created_at": utcnow(),
    }
    guard = _candidates(event.id, component, recipient)
    today = office_today()
    # From the first INSERT to the commit this transaction holds SQLite's write lock and every
    # other hand-out waits, so everything that can be worked out is worked out above, and the
    # rows are written with plain INSERTs instead of a flush of objects.
    _serialise_guard(event.id, component, recipient)
    connection = db.session.connection()
    try:
        new_id = connection.execute(insert(Distribution.__table__), row).inserted_primary_key[0]
    except IntegrityError:
        # The client_id is taken: this submission sent again (a retry), or other content.
        db.session.rollback()
        existing = _replay(client_id, values) if client_id is not None else None
        if existing is not None:
            return existing, False
        raise Conflict("Penyaluran bentrok dengan data yang baru disimpan; coba lagi.") from None
    if recipient.person_ids:
        # One multi-row INSERT: the rows need no ids back, and a household has several members.
        connection.execute(
            insert(DistributionRecipient.__table__),
            [
                {"distribution_id": new_id, "person_id": person_id}
                for person_id in recipient.person_ids
            ],
        )
    # The double-aid check runs after our own INSERT: this transaction now holds SQLite's write
    # lock (or, on PostgreSQL, the family's guard lock), so no other phone can record the same
    # family between the check and the commit. A refusal rolls the whole hand-out back.
    found = earlier_handout(event.id, component, day, guard, excluding=new_id)
    row["override_reason"] = _check_double_aid(found, component, recipient, reason, recorded_by)
    if row["override_reason"] is not None:
        connection.execute(
            update(Distribution.__table__)
            .where(Distribution.__table__.c.id == new_id)
            .values(override_reason=row["override_reason"])
        )
    taken = []
    for line in parsed:
        lots = {lot.id: lot for lot in (line.candidates or [line.lot])}
        for movement in ledger.issue(
            warehouse,
            line.item,
            line.quantity,
            "distribution",
            lot=line.lot,
            expired_reason=line.expired_reason,
            today=today,
            candidates=line.candidates,
            distribution_id=new_id,
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
    # The written row becomes the session's object for it without being read back, and is
    # audited and queued for the SPM aggregates as a flush of it would have been.
    distribution = Distribution(id=new_id, **row)
    make_transient_to_detached(distribution)
    db.session.add(distribution)
    audit.record_created(distribution)
    handouts_written.send(db.session, event_id=event.id, day=day)
    # Kept on the instance (not a column) so the answer to a new hand-out costs no second read.
    distribution.recorded_lines = taken
    distribution.recorded_person_ids = list(recipient.person_ids)
    return distribution, True


# --- reading ------------------------------------------------------------------------------------


def get_distribution(distribution_id: int) -> Distribution:
    distribution = db.session.get(Distribution, distribution_id)
    if distribution is None:
        raise NotFound(f"Penyaluran #{distribution_id} tidak ditemukan.")
    return distribution


@dataclass
class DistributionFilters:
    """What a distribution list can be narrowed by; empty values mean no filter."""

    event_id: int | None = None
    component: str | None = None
    kelurahan_code: str | None = None
    household_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Row:
    """One distribution with the names a list shows, resolved in the list's own query."""

    distribution: Distribution
    event_code: str
    recipient_name: str
    nik: str | None
    no_kk: str | None
    kelurahan_name: str
    warehouse_name: str
    recorded_by: str
    lines: list[tuple[str, Decimal, str]] = field(default_factory=list)


def parse_filters(args: Mapping, names: Mapping[str, str] | None = None) -> DistributionFilters:
    """Filters from query arguments; `names` maps our filter names to the argument names."""
    names = {
        "event_id": "event_id",
        "component": "component",
        "kelurahan_code": "kelurahan_code",
        "household_id": "household_id",
        "date_from": "date_from",
        "date_to": "date_to",
        **(names or {}),
    }
    component = (args.get(names["component"]) or "").strip() or None
    if component is not None and component not in SPM_COMPONENTS:
        raise DomainError(f"Komponen '{component}' tidak dikenal.", field="component")
    filters = DistributionFilters(
        event_id=inputs.whole_number(args.get(names["event_id"]), "event_id", "Kejadian"),
        component=component,
        kelurahan_code=(args.get(names["kelurahan_code"]) or "").strip() or None,
        household_id=inputs.whole_number(args.get(names["household_id"]), "household_id", "KK"),
        date_from=inputs.day(args.get(names["date_from"]), "date_from", "Tanggal mulai"),
        date_to=inputs.day(args.get(names["date_to"]), "date_to", "Tanggal akhir"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError("Tanggal mulai harus sebelum tanggal akhir.", field="date_from")
    return filters


def distributions_query(filters: DistributionFilters):
    """SELECT of a list's columns for the filtered distributions, newest first."""
    member = aliased(Person)
    head = (
        select(member.nik)
        .where(
            member.household_id == Distribution.household_id,
            member.relation == "kepala_keluarga",
        )
        .order_by(member.merged_into_id.is_not(None), member.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            Distribution,
            Event.code,
            func.coalesce(Household.head_name, Person.name, InstitutionVictim.name, ""),
            func.coalesce(Person.nik, head),
            Household.no_kk,
            Area.name,
            Warehouse.name,
            func.coalesce(User.full_name, User.username),
        )
        .join(Event, Event.id == Distribution.event_id)
        .outerjoin(Household, Household.id == Distribution.household_id)
        .outerjoin(Person, Person.id == Distribution.person_id)
        .outerjoin(InstitutionVictim, InstitutionVictim.id == Distribution.institution_id)
        .outerjoin(Area, Area.code == Distribution.kelurahan_code)
        .outerjoin(Warehouse, Warehouse.id == Distribution.warehouse_id)
        .outerjoin(User, User.id == Distribution.created_by_id)
    )
    if filters.event_id:
        query = query.where(Distribution.event_id == filters.event_id)
    if filters.component:
        query = query.where(Distribution.component == filters.component)
    if filters.kelurahan_code:
        query = query.where(Distribution.kelurahan_code == filters.kelurahan_code)
    if filters.household_id:
        query = query.where(Distribution.household_id == filters.household_id)
    if filters.date_from:
        query = query.where(Distribution.distributed_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Distribution.distributed_on <= filters.date_to)
    return query.order_by(Distribution.distributed_on.desc(), Distribution.id.desc())


def line_summaries(distribution_ids: list[int]) -> dict[int, list[tuple[str, Decimal, str]]]:
    """(item name, quantity, unit) per distribution, summed over lots, in one query."""
    if not distribution_ids:
        return {}
    rows = db.session.execute(
        select(
            StockMovement.distribution_id,
            Item.name,
            Item.unit,
            func.sum(StockMovement.quantity),
        )
        .join(Item, Item.id == StockMovement.item_id)
        .where(StockMovement.distribution_id.in_(distribution_ids))
        .group_by(StockMovement.distribution_id, Item.id, Item.name, Item.unit)
        .order_by(StockMovement.distribution_id, Item.name)
    )
    found: dict[int, list] = defaultdict(list)
    for distribution_id, name, unit, total in rows:
        found[distribution_id].append((name, -Decimal(str(total)), unit))
    return dict(found)


def rows(query, limit: int | None = None, offset: int = 0) -> list[Row]:
    """The query's rows with their item lines (two queries in all)."""
    if limit is not None:
        query = query.limit(limit).offset(offset)
    result = [
        Row(d, code, name, nik, kk, area or "", warehouse or "", recorder or "")
        for d, code, name, nik, kk, area, warehouse, recorder in db.session.execute(query)
    ]
    lines = line_summaries([r.distribution.id for r in result])
    for row in result:
        row.lines = lines.get(row.distribution.id, [])
    return result


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


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


def movements_of(distribution: Distribution) -> list[Taken]:
    """The stock lines of a hand-out, in one query of plain columns (no entities to load).

    For a hand-out recorded in this request the lines are already known.
    """
    recorded = getattr(distribution, "recorded_lines", None)
    if recorded is not None:
        return recorded
    found = db.session.execute(
        select(
            StockMovement.item_id,
            Item.code,
            Item.name,
            Item.unit,
            StockMovement.lot_id,
            StockLot.lot_code,
            StockLot.expiry_date,
            StockMovement.quantity,
            StockMovement.override_reason,
        )
        .join(Item, Item.id == StockMovement.item_id)
        .join(StockLot, StockLot.id == StockMovement.lot_id)
        .where(StockMovement.distribution_id == distribution.id)
        .order_by(StockMovement.id)
    )
    return [
        Taken(
            item_id,
            code,
            name,
            unit,
            lot_id,
            ledger.lot_label(StockLot(lot_code=lot_code, expiry_date=expiry)),
            -Decimal(str(amount)),
            reason,
        )
        for item_id, code, name, unit, lot_id, lot_code, expiry, amount, reason in found
    ]


def recipient_ids(distribution: Distribution) -> list[int]:
    """The persons a hand-out served, by id."""
    recorded = getattr(distribution, "recorded_person_ids", None)
    if recorded is not None:
        return sorted(recorded)
    return list(
        db.session.scalars(
            select(DistributionRecipient.person_id)
            .where(DistributionRecipient.distribution_id == distribution.id)
            .order_by(DistributionRecipient.person_id)
        )
    )


def household_history(household_id: int, event_id: int | None = None) -> list[Row]:
    """Every hand-out to the household or to one of its members, newest first."""
    members = select(Person.id).where(Person.household_id == household_id)
    served = select(DistributionRecipient.distribution_id).where(
        DistributionRecipient.person_id.in_(members)
    )
    query = distributions_query(DistributionFilters(event_id=event_id)).where(
        or_(Distribution.household_id == household_id, Distribution.id.in_(served))
    )
    return rows(query)


def household_members(household_id: int) -> list[Person]:
    """The household's persons that are still counted, head of household first."""
    members = db.session.scalars(
        select(Person)
        .where(Person.household_id == household_id)
        .order_by(Person.relation != "kepala_keluarga", Person.birth_date, Person.id)
    )
    return [person for person in members if person.merged_into_id is None]


def active_events() -> list[Event]:
    """Events still open, newest first: the field form's choices."""
    return list(
        db.session.scalars(
            select(Event).where(Event.closed_at.is_(None)).order_by(Event.started_at.desc())
        )
    )


def warehouses_with_stock() -> list[Warehouse]:
    """Active warehouses holding any unexpired stock, by name."""
    today = office_today()
    held = select(StockLot.warehouse_id).where(
        StockLot.quantity > 0,
        StockLot.expiry_date.is_(None) | (StockLot.expiry_date >= today),
    )
    return list(
        db.session.scalars(
            select(Warehouse)
            .where(Warehouse.active.is_(True), Warehouse.id.in_(held))
            .order_by(Warehouse.name)
        )
    )


def stock_by_warehouse(warehouse_ids: list[int]) -> dict[int, list[tuple[Item, Decimal]]]:
    """Unexpired balance per item in each warehouse, for the field form's item choices."""
    if not warehouse_ids:
        return {}
    today = office_today()
    rows_ = db.session.execute(
        select(StockLot.warehouse_id, Item, func.sum(StockLot.quantity))
        .join(Item, Item.id == StockLot.item_id)
        .where(
            StockLot.warehouse_id.in_(warehouse_ids),
            StockLot.quantity > 0,
            StockLot.expiry_date.is_(None) | (StockLot.expiry_date >= today),
            Item.active.is_(True),
        )
        .group_by(StockLot.warehouse_id, Item.id)
        .order_by(StockLot.warehouse_id, Item.name)
    )
    found: dict[int, list] = defaultdict(list)
    for warehouse_id, item, total in rows_:
        found[warehouse_id].append((item, Decimal(str(total))))
    return dict(found)


# --- recipient search -----------------------------------------------------------------------------


@dataclass
class Candidate:
    """A household (with its members) or a person without household found by the search."""

    household: Household | None
    person: Person | None
    members: list[Person]
    matched: set[int]
    kelurahan_code: str


def search_recipients(event_id, text) -> list[Candidate]:
    """The event's victims by whole NIK, whole nomor KK or part of a name (3+ characters),
    grouped by household."""
    event = _event(event_id)
    query = (text or "").strip() if isinstance(text, str) else ""
    digits = query.replace(" ", "").replace(".", "")
    base = (
        select(Person, Household, Victim.kelurahan_code)
        .join(Victim, (Victim.person_id == Person.id) & (Victim.event_id == event.id))
        .outerjoin(Household, Household.id == Person.household_id)
    )
    if digits.isdigit():
        if len(digits) != 16:
            raise DomainError(
                "Tulis NIK atau nomor KK lengkap 16 digit, atau nama (minimal 3 huruf).",
                field="q",
            )
        # Whole numbers only: a prefix search would let anyone probe NIKs digit by digit.
        # The few persons of the NIK or KK first, by their indexes; then whether they are
        # victims of the event (a planner without statistics would walk every victim instead).
        family = select(Household.id).where(Household.no_kk == digits)
        ids = db.session.scalars(
            select(Person.id).where(or_(Person.nik == digits, Person.household_id.in_(family)))
        ).all()
        base = base.where(Person.id.in_(ids))
    else:
        if len(query) < 3:
            raise DomainError("Tulis minimal 3 huruf nama, atau NIK/nomor KK 16 digit.", field="q")
        base = base.where(func.lower(Person.name).contains(query.lower(), autoescape=True))
    found = db.session.execute(base.order_by(Person.name, Person.id).limit(SEARCH_LIMIT * 4)).all()
    candidates: dict[tuple, Candidate] = {}
    for person, household, kelurahan in found:
        if person.merged_into_id is not None:
            continue  # merged away: the person it was merged into is the one to serve
        key = ("household", household.id) if household else ("person", person.id)
        if key not in candidates:
            if len(candidates) >= SEARCH_LIMIT:
                continue
            candidates[key] = Candidate(
                household, None if household else person, [], set(), kelurahan
            )
        candidates[key].matched.add(person.id)
    household_ids = [c.household.id for c in candidates.values() if c.household]
    if household_ids:
        members = db.session.scalars(
            select(Person)
            .where(Person.household_id.in_(household_ids))
            .order_by(Person.relation != "kepala_keluarga", Person.birth_date, Person.id)
        )
        for member in members:
            if member.merged_into_id is None:
                candidates[("household", member.household_id)].members.append(member)
    for candidate in candidates.values():
        if candidate.person is not None:
            candidate.members = [candidate.person]
    return list(candidates.values())
