"""The province recap: per kab/kota its events, victims, shelters, stock and SPM figures, and the
provinsi's own stock with what it sent to the kab/kota in the year."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, literal_column, select, union
from sqlalchemy.orm import aliased

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.office import office_info
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_today, utcnow
from logistics.events.models import Event, EventArea
from logistics.reports.models import RecapFigures
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm import rules as spm_rules
from logistics.spm.models import SpmYear
from logistics.spm.regions import year_by_region
from logistics.stock.models import (
    ITEM_CATEGORIES,
    Item,
    StockDocument,
    StockLot,
    StockMovement,
    Warehouse,
)
from logistics.victims.models import InstitutionVictim, Person, Victim

KAB_KOTA = 5  # "32.04": a Kemendagri code's kab/kota is its first five characters
VICTIM_FIGURES = ("terdampak", "mengungsi", "meninggal", "hilang")
# The provinsi's own warehouses; Kemensos regional ones belong to neither side of the recap.
PROVINSI_TIERS = ("provinsi",)
OUTSIDE_KAB_KOTA = ("provinsi", "kemensos_regional")
NOTES = (
    "Kejadian dan korban dihitung per kabupaten/kota tempat desa terdampak atau korban tercatat;"
    " yang melintasi dua kabupaten/kota muncul di keduanya dan dihitung sekali pada baris jumlah.",
    "Korban: orang berbeda (jiwa) dari kejadian tahun ini, ditambah jumlah penghuni lembaga.",
    "Pengungsian: lokasi berstatus buka, dengan hitungan jiwa terakhir tiap lokasi.",
    "Stok: saldo gudang kabupaten/kota, lumbung sosial dan posko di kabupaten/kota itu; stok"
    " gudang provinsi ditampilkan terpisah.",
    "Kiriman dari provinsi: transfer dari gudang provinsi ke gudang kabupaten/kota dan pengiriman"
    " ke lokasi pengungsian atau desa di kabupaten/kota itu, menurut tanggal dokumen.",
    "SPM: korban yang membutuhkan (sasaran) dan yang terpenuhi kebutuhan dasarnya, dengan aturan"
    " dan perhitungan dasbor SPM; capaian = terpenuhi / sasaran x 100.",
)
SENT_KINDS = {"transfer_out": "sent", "dispatch": "sent", "transfer_in": "received"}


def _kab(column):
    # Literal positions, not bound parameters: PostgreSQL matches a GROUP BY expression to the
    # selected one by its text, and two bound copies of it would carry different names.
    return func.substr(column, literal_column("1"), literal_column(str(KAB_KOTA)))


class Quantities(defaultdict):
    """Stock quantities by (item category, unit): beras in kg and mi instan in dus never add up."""

    def __init__(self):
        super().__init__(Decimal)

    def add(self, other: "Quantities") -> "Quantities":
        for key, value in other.items():
            self[key] += value
        return self

    def by_category(self) -> dict[str, list[tuple[Decimal, str]]]:
        """{category: [(quantity, unit), ...]} in the catalogue's category order."""
        found: dict[str, list] = {}
        for category in ITEM_CATEGORIES:
            units = [(q, unit) for (c, unit), q in self.items() if c == category and q]
            if units:
                found[category] = sorted(units, key=lambda pair: pair[1])
        return found


@dataclass
class RecapRow:
    """One kab/kota (or the total) of the recap."""

    code: str
    name: str
    events_year: int = 0
    events_active: int = 0
    victims: dict = field(default_factory=lambda: dict.fromkeys(VICTIM_FIGURES, 0))
    shelters_open: int = 0
    sheltered: int = 0
    capacity: int = 0
    stock: Quantities = field(default_factory=Quantities)
    from_provinsi: Quantities = field(default_factory=Quantities)
    received_from_provinsi: Quantities = field(default_factory=Quantities)
    documents_from_provinsi: int = 0
    spm_needing: int = 0
    spm_met: int = 0

    @property
    def occupancy(self) -> Decimal | None:
        """Persons sheltered / capacity of the open shelters, in percent."""
        return (
            spm_rules.round2(Decimal(self.sheltered) * 100 / self.capacity)
            if self.capacity
            else None
        )

    @property
    def spm_capaian(self) -> Decimal | None:
        return spm_rules.spm_achievement(self.spm_met, self.spm_needing)


def kab_kota_areas(scope: Scope) -> list[Area]:
    """The office's kab/kota the user sees whole (a user scoped below a kab/kota gets none: a
    kab/kota row would show figures of areas outside their wilayah)."""
    office = office_info().area_code
    query = select(Area).where(Area.level == "kab_kota")
    if office:
        query = query.where(Area.parent_code == office)
    areas = db.session.scalars(query.order_by(Area.code))
    return [area for area in areas if scope.sees(area.code)]


def _event_counts(year: int, scope: Scope, codes: list[str]) -> tuple[dict, tuple[int, int]]:
    """Per kab/kota, (events of the year, active events) that touched it (an affected desa
    there, or the kab/kota as the event's own area); and the same counted once over the rows."""
    pairs = union(
        select(EventArea.event_id.label("event_id"), _kab(EventArea.kelurahan_code).label("kab")),
        select(Event.id.label("event_id"), _kab(Event.area_code).label("kab")).where(
            func.length(Event.area_code) >= KAB_KOTA
        ),
    ).subquery()
    counted = (
        func.count(func.distinct(case((Event.year == year, Event.id)))),
        func.count(func.distinct(case((Event.closed_at.is_(None), Event.id)))),
    )

    def over_pairs(*columns):
        return (
            select(*columns, *counted)
            .select_from(pairs)
            .join(Event, Event.id == pairs.c.event_id)
            .where(pairs.c.kab.in_(codes))
        )

    rows = {
        kab: (int(n_year), int(n_active))
        for kab, n_year, n_active in db.session.execute(
            over_pairs(pairs.c.kab).group_by(pairs.c.kab)
        )
    }
    if scope.whole_office:
        # The office's own count: province-wide events without a kab/kota count here too.
        total = db.session.execute(select(*counted).select_from(Event)).one()
    else:
        total = db.session.execute(over_pairs()).one()
    return rows, (int(total[0]), int(total[1]))


def _victim_counts(year: int) -> tuple[dict, dict]:
    """Per kab/kota and in total: distinct persons affected (any status), displaced, dead and
    missing among the year's victims, plus institutions' headcounts (as the year-end report)."""
    person = func.coalesce(Person.merged_into_id, Person.id)
    figures = (
        func.count(func.distinct(person)),
        *(
            func.count(func.distinct(case((Victim.status == s, person))))
            for s in VICTIM_FIGURES[1:]
        ),
    )

    def victims(*columns):
        query = (
            select(*columns, *figures)
            .select_from(Victim)
            .join(Person, Person.id == Victim.person_id)
            .join(Event, Event.id == Victim.event_id)
            .where(Event.year == year)
        )
        return query

    kab = _kab(Victim.kelurahan_code)
    rows = {
        code: dict(zip(VICTIM_FIGURES, map(int, values), strict=True))
        for code, *values in db.session.execute(victims(kab).group_by(kab))
    }
    total = dict(zip(VICTIM_FIGURES, map(int, db.session.execute(victims()).one()), strict=True))
    headcount = InstitutionVictim.headcount
    inst_kab = _kab(InstitutionVictim.kelurahan_code)
    institutions = (
        select(
            inst_kab,
            func.sum(headcount),
            *(
                func.sum(case((InstitutionVictim.status == s, headcount), else_=0))
                for s in VICTIM_FIGURES[1:]
            ),
        )
        .join(Event, Event.id == InstitutionVictim.event_id)
        .where(Event.year == year)
        .group_by(inst_kab)
    )
    for code, *values in db.session.execute(institutions):
        row = rows.setdefault(code, dict.fromkeys(VICTIM_FIGURES, 0))
        for key, value in zip(VICTIM_FIGURES, values, strict=True):
            row[key] += int(value or 0)
            total[key] += int(value or 0)
    return rows, total


def _shelters(scope: Scope) -> dict[str, tuple[int, int, int]]:
    """Per kab/kota: open shelters, persons in them (each one's latest head count, as the
    shelter list reads it) and their capacity; grouped in SQL over the province's shelters."""
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    kab = _kab(Shelter.kelurahan_code)
    query = scope.narrow(
        select(
            kab,
            func.count(Shelter.id),
            func.coalesce(func.sum(ShelterCount.persons), 0),
            func.coalesce(func.sum(Shelter.capacity), 0),
        )
        .outerjoin(latest, latest.c.shelter_id == Shelter.id)
        .outerjoin(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
        )
        .where(Shelter.status == "buka")
        .group_by(kab),
        Shelter.kelurahan_code,
    )
    return {code: (int(n), int(p), int(c)) for code, n, p, c in db.session.execute(query)}


def _stock(scope: Scope) -> tuple[dict[str, Quantities], Quantities]:
    """Stock on hand per kab/kota (its own warehouses: kab/kota, lumbung sosial, posko), and the
    provinsi's own warehouses' stock."""
    key = _kab(Warehouse.kelurahan_code)
    query = (
        select(Warehouse.tier, key, Item.category, Item.unit, func.sum(StockLot.quantity))
        .select_from(StockLot)
        .join(Warehouse, Warehouse.id == StockLot.warehouse_id)
        .join(Item, Item.id == StockLot.item_id)
        .where(StockLot.quantity > 0)
        .group_by(Warehouse.tier, key, Item.category, Item.unit)
    )
    rows: dict[str, Quantities] = defaultdict(Quantities)
    provinsi = Quantities()
    for tier, code, category, unit, quantity in db.session.execute(query):
        if tier in PROVINSI_TIERS:
            provinsi[(category, unit)] += quantity
        elif tier not in OUTSIDE_KAB_KOTA and code:
            rows[code][(category, unit)] += quantity
    # The provinsi's stock is the office's own, not a kab/kota's: shown to the whole office only.
    return {
        c: q for c, q in rows.items() if scope.sees(c)
    }, provinsi if scope.whole_office else Quantities()


def _from_provinsi(start: date, end: date, scope: Scope) -> tuple[dict, dict]:
    """What the provinsi's warehouses sent to each kab/kota in the period: transfers to its
    warehouses and dispatches to its shelters or desa. Per kab/kota: sent and received
    quantities, and the documents."""
    source, destination = aliased(Warehouse), aliased(Warehouse)
    place = func.coalesce(
        destination.kelurahan_code, StockDocument.kelurahan_code, Shelter.kelurahan_code
    )
    query = scope.narrow(
        select(
            _kab(place),
            StockDocument.id,
            StockMovement.kind,
            Item.category,
            Item.unit,
            func.sum(StockMovement.quantity),
        )
        .select_from(StockMovement)
        .join(StockDocument, StockDocument.id == StockMovement.document_id)
        .join(source, source.id == StockDocument.warehouse_id)
        .outerjoin(destination, destination.id == StockDocument.to_warehouse_id)
        .outerjoin(Shelter, Shelter.id == StockDocument.shelter_id)
        .join(Item, Item.id == StockMovement.item_id)
        .where(
            source.tier.in_(PROVINSI_TIERS),
            StockDocument.kind.in_(("transfer", "dispatch")),
            StockDocument.doc_date.between(start, end),
            StockMovement.kind.in_(tuple(SENT_KINDS)),
            destination.tier.is_(None) | destination.tier.not_in(PROVINSI_TIERS),
        )
        .group_by(_kab(place), StockDocument.id, StockMovement.kind, Item.category, Item.unit),
        place,
    )
    sent: dict[str, Quantities] = defaultdict(Quantities)
    received: dict[str, Quantities] = defaultdict(Quantities)
    documents: dict[str, set[int]] = defaultdict(set)
    for code, document_id, kind, category, unit, quantity in db.session.execute(query):
        if not code:
            continue
        documents[code].add(document_id)
        if SENT_KINDS[kind] == "sent":
            sent[code][(category, unit)] -= quantity
        else:
            received[code][(category, unit)] += quantity
    return {"sent": sent, "received": received}, {c: len(ids) for c, ids in documents.items()}


def _spm_stamp(year: int) -> datetime | None:
    """When the SPM engine last computed the year (None: never)."""
    return db.session.scalar(select(func.max(SpmYear.computed_at)).where(SpmYear.year == year))


def _kept_figures(year: int) -> dict:
    """The year's victims and SPM figures per kab/kota and for the office: the heavy part of the
    recap (every victim and aid line of the year), kept while the SPM engine's year row is the
    one they were computed with. Every write to a year's victims or hand-outs reaches that row
    through the SPM tracking jobs, so the kept figures are never older than the SPM dashboard's."""
    stamp = _spm_stamp(year)
    kept = db.session.get(RecapFigures, year)
    if kept is not None and kept.spm_stamp == stamp:
        return kept.figures
    victims, victims_total = _victim_counts(year)
    spm, spm_total = year_by_region(year, KAB_KOTA)
    plain = {code: {"needing": f["needing"], "met": f["met"]} for code, f in spm.items()}
    figures = {
        "victims": victims,
        "victims_total": victims_total,
        "spm": plain,
        "spm_total": {"needing": spm_total["needing"], "met": spm_total["met"]},
    }
    if stamp is None:
        return figures  # no SPM computation yet to know when these go stale: not kept
    if kept is None:
        db.session.add(RecapFigures(year=year, spm_stamp=stamp, figures=figures))
    else:
        kept.spm_stamp, kept.figures, kept.computed_at = stamp, figures, utcnow()
    db.session.flush()
    return figures


def years() -> list[int]:
    """The years that have events, and this one, newest first."""
    found = set(db.session.scalars(select(Event.year).distinct()))
    return sorted(found | {office_today().year}, reverse=True)


def build(year: int, scope: Scope) -> dict:
    """The recap of a year as the user may see it: a row per kab/kota in their see scope, the
    total over those rows, and (for the whole office) the provinsi's stock and what it sent.

    Events and persons are counted once in the total: one that touched two kab/kota is in both
    rows (the notes say so); shelters, stock and what the provinsi sent add up row by row.
    """
    label = ", ".join(scope.see)
    if scope.sees(office_info().area_code):
        scope = WHOLE_OFFICE  # provincial staff who see the whole province see the office's figures
    areas = kab_kota_areas(scope)
    codes = [area.code for area in areas]
    rows = [RecapRow(area.code, area.name) for area in areas]
    total = RecapRow("", "Jumlah")
    events, (total.events_year, total.events_active) = _event_counts(year, scope, codes)
    kept = _kept_figures(year)
    victims, spm_rows = kept["victims"], kept["spm"]
    shelters = _shelters(scope)
    stock, provinsi_stock = _stock(scope)
    moved, documents = _from_provinsi(date(year, 1, 1), date(year, 12, 31), scope)
    for row in rows:
        row.events_year, row.events_active = events.get(row.code, (0, 0))
        row.victims = dict(victims.get(row.code, row.victims))
        row.shelters_open, row.sheltered, row.capacity = shelters.get(row.code, (0, 0, 0))
        row.stock = stock.get(row.code, row.stock)
        row.from_provinsi = moved["sent"].get(row.code, row.from_provinsi)
        row.received_from_provinsi = moved["received"].get(row.code, row.received_from_provinsi)
        row.documents_from_provinsi = documents.get(row.code, 0)
        spm = spm_rows.get(row.code, {})
        row.spm_needing, row.spm_met = spm.get("needing", 0), spm.get("met", 0)
        for key in VICTIM_FIGURES:
            total.victims[key] += row.victims[key]
        total.shelters_open += row.shelters_open
        total.sheltered += row.sheltered
        total.capacity += row.capacity
        total.stock.add(row.stock)
        total.from_provinsi.add(row.from_provinsi)
        total.received_from_provinsi.add(row.received_from_provinsi)
        total.documents_from_provinsi += row.documents_from_provinsi
    if scope.whole_office:
        # Persons counted once over the office, as the dashboard and the year-end report do.
        total.victims = dict(kept["victims_total"])
        total.spm_needing, total.spm_met = kept["spm_total"]["needing"], kept["spm_total"]["met"]
    else:
        total.spm_needing = sum(row.spm_needing for row in rows)
        total.spm_met = sum(row.spm_met for row in rows)
    return {
        "year": year,
        "rows": rows,
        "total": total,
        "provinsi_stock": provinsi_stock,
        "whole_office": scope.whole_office,
        "scope_label": "" if scope.whole_office else label,
        "office_name": office_info().name,
        "generated_at": utcnow(),
        "categories": ITEM_CATEGORIES,
        "stock_categories": [c for c in ITEM_CATEGORIES if c in total.stock.by_category()],
        "notes": NOTES,
        "spm_stamp": _spm_stamp(year),
    }
