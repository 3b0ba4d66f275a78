"""BAST documents: what a printed BAST shows, its PDF, and distribution batches."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from flask import render_template
from sqlalchemy import func, select, update

from logistics.areas.models import Area
from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import LOCALE, angka, tanggal
from logistics.core.office import office_info
from logistics.core.privacy import mask_nik
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_today
from logistics.core.wording import istilah, office_level
from logistics.distributions.models import RECIPIENT_KINDS, Distribution
from logistics.events.models import Event
from logistics.kitchens.models import KitchenMeal
from logistics.shelters.models import Shelter
from logistics.stock import wilayah
from logistics.stock.bast import next_number
from logistics.stock.models import StockDocument, StockMovement, Warehouse
from logistics.stock.models.ledger import DOCUMENT_KINDS, RECEIPT_SOURCES
from logistics.victims.models import Household, InstitutionVictim, Person

# --- documents -----------------------------------------------------------------------------------

# The hand-overs a BAST is printed for; adjustments and opname are internal decisions.
PRINTABLE_KINDS = ("receipt", "dispatch", "transfer", "distribution", "kitchen")


@dataclass
class BastLine:
    item: str
    unit: str
    lot: str
    expiry: date | None
    quantity: Decimal
    # Transfers only: what the receiving warehouse recorded (None while in transit).
    received: Decimal | None = None

    @property
    def difference(self) -> Decimal | None:
        """Sent minus received: what went missing or was damaged on the way."""
        return None if self.received is None else self.quantity - self.received


@dataclass
class BastRecipient:
    name: str
    nik: str  # masked
    kelurahan: str
    items: str


@dataclass
class BastContent:
    document: StockDocument
    title: str
    event: Event | None
    origin: str
    destination: str
    lines: list[BastLine]
    recipients: list[BastRecipient] = field(default_factory=list)
    is_transfer: bool = False


def get_document(document_id: int) -> StockDocument:
    document = db.session.get(StockDocument, document_id)
    if document is None:
        raise NotFound(f"Dokumen stok #{document_id} tidak ditemukan.")
    return document


def _area_name(code: str | None) -> str:
    if not code:
        return ""
    return db.session.scalar(select(Area.name).where(Area.code == code)) or code


def _kel() -> str:
    """How a printed BAST abbreviates the office's smallest area before its name."""
    return "Kel." if office_level() == "kota" else "Kel./Desa"


def _site(shelter_id: int | None, kelurahan_code: str | None) -> str:
    kelurahan = _area_name(kelurahan_code)
    shelter = db.session.get(Shelter, shelter_id) if shelter_id else None
    if shelter is not None:
        return f"{shelter.name}, {_kel()} {kelurahan}" if kelurahan else shelter.name
    return f"{_kel()} {kelurahan}" if kelurahan else ""


def _warehouse_label(warehouse: Warehouse | None) -> str:
    return f"{warehouse.name} ({warehouse.code})" if warehouse is not None else ""


def _lines(movements, sign: int = -1) -> list[BastLine]:
    """Movements summed per item and lot; `sign` turns outgoing (negative) lines positive."""
    totals: dict[tuple, BastLine] = {}
    for movement in movements:
        lot = movement.lot
        key = (movement.item.name, movement.item_id, lot.lot_code, lot.expiry_date)
        line = totals.get(key)
        if line is None:
            line = totals[key] = BastLine(
                movement.item.name, movement.item.unit, lot.lot_code or "-", lot.expiry_date,
                Decimal(0),
            )  # fmt: skip
        line.quantity += sign * movement.quantity
    return [totals[key] for key in sorted(totals, key=lambda k: (k[0], k[2], k[3] or date.max))]


def _transfer_lines(movements, done: bool) -> list[BastLine]:
    """Sent (out of the source lot) against received (into the destination lot), per lot."""
    sent = {
        (line.item, line.lot, line.expiry): line
        for line in _lines([m for m in movements if m.kind == "transfer_out"], sign=-1)
    }
    arrived = _lines([m for m in movements if m.kind == "transfer_in"], sign=1)
    for line in arrived:
        key = (line.item, line.lot, line.expiry)
        if key in sent:
            sent[key].received = line.quantity
        else:  # arrived under another lot: show it with nothing sent against it
            sent[key] = BastLine(
                line.item, line.unit, line.lot, line.expiry, Decimal(0), line.quantity
            )
    if done:
        for line in sent.values():
            if line.received is None:
                line.received = Decimal(0)
    return sorted(sent.values(), key=lambda line: (line.item, line.lot, line.expiry or date.max))


def _recipient(distribution: Distribution) -> tuple[str, str]:
    """(name, masked NIK) of whoever a distribution was handed to."""
    if distribution.household_id:
        household = db.session.get(Household, distribution.household_id)
        head = next(
            (p for p in household.members if p.relation == "kepala_keluarga"),
            household.members[0] if household.members else None,
        )
        name = household.head_name or (head.name if head else "")
        return f"{name} (KK)", mask_nik(head.nik) if head is not None else ""
    if distribution.person_id:
        person = db.session.get(Person, distribution.person_id)
        return person.name, mask_nik(person.nik)
    if distribution.institution_id:
        return db.session.get(InstitutionVictim, distribution.institution_id).name, ""
    return distribution.receiver_name or RECIPIENT_KINDS[distribution.recipient_kind], ""


def _item_summary(movements, fallback: str) -> str:
    lines = _lines(movements)
    if not lines:
        return fallback
    return ", ".join(f"{angka(line.quantity)} {line.unit} {line.item}" for line in lines)


def _batch(document: StockDocument) -> tuple[list[BastLine], list[BastRecipient], str]:
    distributions = list(
        db.session.scalars(
            select(Distribution)
            .where(Distribution.batch_document_id == document.id)
            .order_by(Distribution.id)
        )
    )
    ids = [d.id for d in distributions]
    movements = list(
        db.session.scalars(
            select(StockMovement)
            .where(
                (StockMovement.distribution_id.in_(ids)) | (StockMovement.document_id == document.id)
            )
            .order_by(StockMovement.id)
        )
    ) if ids else list(document.movements)  # fmt: skip
    by_distribution: dict[int, list[StockMovement]] = {}
    for movement in movements:
        by_distribution.setdefault(movement.distribution_id, []).append(movement)
    recipients = []
    for distribution in distributions:
        name, nik = _recipient(distribution)
        recipients.append(
            BastRecipient(
                name,
                nik,
                _area_name(distribution.kelurahan_code),
                _item_summary(
                    by_distribution.get(distribution.id, []),
                    distribution.service_note or SPM_COMPONENTS[distribution.component],
                ),
            )
        )
    warehouse_ids = sorted({d.warehouse_id for d in distributions if d.warehouse_id})
    origin = ", ".join(_warehouse_label(db.session.get(Warehouse, i)) for i in warehouse_ids)
    return _lines(movements), recipients, origin


def document_content(document: StockDocument) -> BastContent:
    """What a BAST shows: parties, origin and destination, items per lot, batch recipients."""
    if document.kind not in PRINTABLE_KINDS:
        raise DomainError(
            f"{DOCUMENT_KINDS.get(document.kind, document.kind)} adalah keputusan internal "
            "gudang; tidak ada berita acara serah terima untuk dokumen ini."
        )
    event = db.session.get(Event, document.event_id) if document.event_id else None
    warehouse = _warehouse_label(document.warehouse)
    site = _site(document.shelter_id, document.kelurahan_code)
    movements = list(document.movements)
    content = BastContent(
        document, DOCUMENT_KINDS[document.kind], event, warehouse, site, _lines(movements)
    )
    if document.kind == "receipt":
        source = RECEIPT_SOURCES.get(document.source, "") if document.source else ""
        if document.source_document:
            source = (
                f"{source} ({document.source_document})" if source else document.source_document
            )
        content.origin = source or "-"
        content.destination = warehouse
        content.lines = _lines(movements, sign=1)
    elif document.kind == "transfer":
        content.destination = _warehouse_label(document.to_warehouse)
        content.lines = _transfer_lines(movements, document.status == "received")
        content.is_transfer = True
    elif document.kind == "dispatch":
        content.destination = _warehouse_label(document.to_warehouse) or site
    elif document.kind == "distribution":
        content.lines, content.recipients, origin = _batch(document)
        content.origin = origin or warehouse or "-"
    elif document.kind == "kitchen":
        meal = db.session.scalar(select(KitchenMeal).where(KitchenMeal.document_id == document.id))
        if meal is not None:
            kitchen = meal.kitchen
            content.destination = f"Dapur umum {kitchen.name}" + (f" ({site})" if site else "")
    return content


def refuse_unsigned(document: StockDocument, head_name: str) -> None:
    """A BAST names everyone who signs it: refuse to print one with a blank name, saying where
    to fill it in."""
    if not head_name:
        raise DomainError(
            "BAST tidak dapat dicetak: nama dan NIP Kepala Dinas (yang mengetahui) belum diisi. "
            "Admin mengisinya di menu Profil kantor."
        )
    missing = [
        label
        for label, value in (
            ("yang menyerahkan (pihak pertama)", document.giver_name),
            ("yang menerima (pihak kedua)", document.receiver_name),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise DomainError(
            f"BAST dokumen #{document.id} tidak dapat dicetak: nama {' dan '.join(missing)} "
            "belum diisi. Lengkapi nama itu pada dokumen stok (halaman dokumen di menu Logistik)."
        )


def render_document_pdf(document: StockDocument, base_url: str | None = None) -> bytes:
    """The BAST of a hand-over as a PDF (A4), ready to print and sign.

    `base_url` (the site's root URL, when there is a request) resolves the template's links.
    """
    from logistics.core.pdf import html_to_pdf

    content = document_content(document)
    head = office_info().head
    refuse_unsigned(document, head.name)
    html = render_template(
        "bast/document_pdf.html",
        c=content,
        d=document,
        weekday=format_date(document.doc_date, "EEEE", locale=LOCALE),
        kind_label=DOCUMENT_KINDS[document.kind],
        head=head,
        printed_on=tanggal(office_today()),
    )
    return html_to_pdf(html, base_url=base_url)


def pdf_filename(document: StockDocument) -> str:
    label = document.number or f"{document.kind}-{document.id}"
    return "bast-" + re.sub(r"[^A-Za-z0-9-]+", "-", label).strip("-").lower() + ".pdf"


# --- distribution batches ------------------------------------------------------------------------


def _batch_site(shelter, kelurahan_code) -> tuple[Shelter | None, str]:
    if shelter is not None and not isinstance(shelter, Shelter):
        number = inputs.whole_number(shelter, "shelter_id", "Tempat pengungsian")
        shelter = db.session.get(Shelter, number) if number is not None else None
        if shelter is None and number is not None:
            raise NotFound(f"Tempat pengungsian #{number} tidak ditemukan.", field="shelter_id")
    code = kelurahan_code.strip() if isinstance(kelurahan_code, str) else ""
    if shelter is not None and code:
        raise DomainError(
            f"Pilih tempat pengungsian atau {istilah('wilayah')}, tidak keduanya.",
            field="kelurahan_code",
        )
    if shelter is not None:
        return shelter, shelter.kelurahan_code
    if not code:
        raise DomainError(
            f"Pilih tempat pengungsian atau {istilah('wilayah')} tempat bantuan diserahkan.",
            field="shelter_id",
        )
    return None, require_kelurahan(code).code


def _unbatched(event_id: int, on: date, shelter: Shelter | None, kelurahan_code: str):
    query = select(Distribution.id).where(
        Distribution.event_id == event_id,
        Distribution.distributed_on == on,
        Distribution.batch_document_id.is_(None),
        # Field-kitchen meals are signed for on their own ingredients document.
        Distribution.recipient_kind != "kitchen",
    )
    if shelter is not None:
        return query.where(Distribution.shelter_id == shelter.id)
    # A kelurahan batch is the door-to-door hand-outs there; shelters sign their own.
    return query.where(
        Distribution.kelurahan_code == kelurahan_code, Distribution.shelter_id.is_(None)
    )


def create_distribution_batch(
    event: Event,
    distributed_on,
    *,
    shelter=None,
    kelurahan_code=None,
    giver_name=None,
    receiver_name=None,
    note=None,
    actor=None,
) -> StockDocument:
    """One BAST (kind "distribution") for the day's hand-outs at one site that have none yet.

    A site is a shelter, or a kelurahan for the hand-outs outside shelters. The caller commits.
    """
    on = inputs.day(distributed_on, "distributed_on", "Tanggal penyaluran", required=True)
    site_shelter, code = _batch_site(shelter, kelurahan_code)
    # The BAST of a site is signed by whoever records there (403 elsewhere, nothing written).
    wilayah.actor_scope(actor).require_record(code)
    giver = inputs.text(giver_name, "giver_name", "Nama yang menyerahkan", 160, required=True)
    receiver = inputs.text(receiver_name, "receiver_name", "Nama yang menerima", 160, required=True)
    text = inputs.text(note, "note", "Catatan", 2000)
    ids = list(db.session.scalars(_unbatched(event.id, on, site_shelter, code)))
    if not ids:
        place = site_shelter.name if site_shelter is not None else f"{_kel()} {_area_name(code)}"
        raise DomainError(
            f"Tidak ada penyaluran {event.code} tanggal {tanggal(on)} di {place} yang belum "
            "dibuatkan BAST. Periksa tanggal dan tempatnya.",
            field="distributed_on",
        )
    warehouse_ids = set(
        db.session.scalars(
            select(Distribution.warehouse_id).where(Distribution.id.in_(ids)).distinct()
        )
    )
    document = StockDocument(
        kind="distribution",
        number=next_number(on),
        doc_date=on,
        warehouse_id=warehouse_ids.pop() if len(warehouse_ids) == 1 else None,
        shelter_id=site_shelter.id if site_shelter is not None else None,
        kelurahan_code=code,
        event_id=event.id,
        giver_name=giver,
        receiver_name=receiver,
        note=text,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    # Claim only rows still without a batch: a batch made at the same moment keeps its own.
    claimed = db.session.execute(
        update(Distribution)
        .where(Distribution.id.in_(ids), Distribution.batch_document_id.is_(None))
        .values(batch_document_id=document.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != len(ids):
        raise Conflict(
            "Sebagian penyaluran ini baru saja dibuatkan BAST oleh pengguna lain; "
            "muat ulang lalu coba lagi."
        )
    record_action("batch", "Distribution", document.id, {"distribution_ids": ids})
    for distribution_id in ids:
        cached = db.session.get(Distribution, distribution_id)
        if cached is not None:
            db.session.expire(cached, ["batch_document_id"])
    return document


@dataclass
class PendingBatch:
    event_id: int
    event_code: str
    distributed_on: date
    shelter_id: int | None
    kelurahan_code: str
    site: str
    count: int


def find_event(event_id: int) -> Event | None:
    """The event a batch is for, or None: each caller words its own refusal."""
    return db.session.get(Event, event_id)


def batch_distribution_ids(document: StockDocument) -> list[int]:
    """The hand-outs a distribution batch covers, oldest first."""
    return list(
        db.session.scalars(
            select(Distribution.id)
            .where(Distribution.batch_document_id == document.id)
            .order_by(Distribution.id)
        )
    )


def pending_batches(
    event_id: int | None = None, limit: int = 200, scope: Scope = WHOLE_OFFICE
) -> list[PendingBatch]:
    """Days and sites with hand-outs still without a BAST, newest first, within the scope."""
    query = (
        select(
            Distribution.event_id,
            Event.code,
            Distribution.distributed_on,
            Distribution.shelter_id,
            Distribution.kelurahan_code,
            func.count(Distribution.id),
        )
        .join(Event, Event.id == Distribution.event_id)
        .where(Distribution.batch_document_id.is_(None), Distribution.recipient_kind != "kitchen")
        .group_by(
            Distribution.event_id,
            Event.code,
            Distribution.distributed_on,
            Distribution.shelter_id,
            Distribution.kelurahan_code,
        )
        .order_by(Distribution.distributed_on.desc(), Event.code)
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(Distribution.event_id == event_id)
    query = scope.narrow(query, Distribution.kelurahan_code)
    merged: dict[tuple, PendingBatch] = {}
    for event_id_, code, on, shelter_id, kelurahan, count in db.session.execute(query):
        # A shelter's hand-outs are one site whatever kelurahan each row names.
        key = (event_id_, on, shelter_id, None if shelter_id else kelurahan)
        if key in merged:
            merged[key].count += count
            continue
        site_code = kelurahan if shelter_id is None else ""
        merged[key] = PendingBatch(
            event_id_, code, on, shelter_id, site_code, _site(shelter_id, site_code), count
        )
    return list(merged.values())
