"""The daily situation report (laporan situasi harian) of an event: data, HTML, PDF, XLSX, WhatsApp."""

import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app, has_request_context, render_template, request
from sqlalchemy import func, or_, select

from logistics.areas.models import Area
from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.formatting import angka, persen, tanggal
from logistics.core.time import office_date, office_today, office_zone
from logistics.distributions.models import SPM_COMPONENTS, Distribution, DistributionRecipient
from logistics.events.impact import impact_matrix
from logistics.events.models import DECREE_STATUSES, ISSUER_LEVELS, PHASE_LABELS, Event
from logistics.events.services import get_event
from logistics.kitchens.models import FieldKitchen, KitchenMeal
from logistics.reports.models import SitrepNote
from logistics.shelters.checks import check_shelter
from logistics.shelters.models import SHELTER_KINDS, Shelter, ShelterCount
from logistics.spm import dashboard as spm_dashboard
from logistics.spm import rules as spm
from logistics.spm.models import SpmDaily
from logistics.stock.models import Item, StockMovement
from logistics.tagana.models import Deployment
from logistics.victims.models import Person

KIND = "sitrep"
NOTE_MAX_LENGTH = 4000
INDEX_EVENTS = 200  # events offered on the index page, newest first
NOTE_FIELDS = {
    "problems": "Kendala",
    "actions": "Upaya / tindak lanjut",
    "needs": "Kebutuhan mendesak",
}
# Impact columns of the sitrep: (key, label); jiwa and KK as the national database counts them.
IMPACT_COLUMNS = [
    ("kk_terdampak", "KK terdampak"),
    ("jiwa_terdampak", "Jiwa terdampak"),
    ("mengungsi", "Mengungsi (jiwa)"),
    ("meninggal", "Meninggal"),
    ("hilang", "Hilang"),
    ("terluka", "Terluka"),
    ("rumah_rusak", "Rumah rusak"),
    ("rumah_terendam", "Rumah terendam"),
    ("jiwa_kaji_cepat", "Jiwa (kaji cepat)"),
    ("jiwa_terdata", "Jiwa (terdata)"),
]
SOURCE_LABELS = {"kaji_cepat": "Kaji cepat", "terdata": "Terdata"}


# --- inputs ----------------------------------------------------------------------------------


def parse_day(value) -> date:
    """The report date from 'TTTT-BB-HH' text (or a date); a DomainError says what is wrong."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise DomainError(
            f"Tanggal laporan harus berformat TTTT-BB-HH, bukan '{value}'.", field="day"
        )
    return inputs.day(value, "day", "Tanggal laporan", required=True)


def event_days(event: Event) -> tuple[date, date]:
    """First and last day a sitrep can be made for: from the start to today or the closing day."""
    first = office_date(event.started_at)
    last = office_today()
    if event.closed_at is not None:
        last = min(last, office_date(event.closed_at))
    return first, max(first, last)


def check_day(event: Event, day: date) -> None:
    """Refuse a date before the event started, after it closed, or still in the future."""
    first, last = event_days(event)
    if day < first:
        raise DomainError(
            f"Tanggal {tanggal(day)} sebelum kejadian dimulai ({tanggal(first)}).", field="day"
        )
    if day > last:
        if event.closed_at is not None and day > office_date(event.closed_at):
            message = f"Tanggal {tanggal(day)} setelah kejadian ditutup ({tanggal(last)})."
        else:
            message = f"Tanggal {tanggal(day)} belum terjadi; laporan paling akhir {tanggal(last)}."
        raise DomainError(message, field="day")


def default_day(event: Event) -> date:
    """Today, or the event's last day once it is closed."""
    return event_days(event)[1]


def report_key(event_id: int, day: date) -> str:
    return f"event:{event_id}:{day.isoformat()}"


def filename(data: dict, fmt: str) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "-", data["event"]["code"]).strip("-").lower()
    return f"sitrep-{code}-{data['day'].isoformat()}.{fmt}"


# --- notes -----------------------------------------------------------------------------------


def get_note(event_id: int, day: date) -> SitrepNote | None:
    return db.session.scalar(
        select(SitrepNote).where(SitrepNote.event_id == event_id, SitrepNote.day == day)
    )


def save_note(event: Event, day: date, values: dict, user_id: int | None) -> SitrepNote:
    """Write the day's kendala, upaya and kebutuhan mendesak; fields not given stay as they are."""
    check_day(event, day)
    unknown = sorted(set(values) - set(NOTE_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    cleaned = {
        name: inputs.text(values[name], name, NOTE_FIELDS[name], NOTE_MAX_LENGTH)
        for name in NOTE_FIELDS
        if name in values
    }
    note = get_note(event.id, day)
    if note is None:
        note = SitrepNote(event_id=event.id, day=day, problems="", actions="", needs="")
        db.session.add(note)
    for name, value in cleaned.items():
        setattr(note, name, value)
    note.updated_by_id = user_id
    db.session.flush()
    return note


# --- building the data -----------------------------------------------------------------------


def _event_part(event: Event, day: date) -> dict:
    first = office_date(event.started_at)
    phase = event.phase_on(day)
    decrees = [
        {
            "status": d.status,
            "status_label": DECREE_STATUSES[d.status],
            "decree_number": d.decree_number,
            "issuer": ISSUER_LEVELS.get(d.issuer_level, d.issuer_level),
            "starts_on": d.starts_on,
            "ends_on": d.ends_on,
        }
        for d in event.decrees
    ]
    response = [d for d in event.decrees if d.status == "tanggap_darurat"]
    tanggap = None
    if response:
        starts_on = min(d.starts_on for d in response)
        ends = [d.ends_on for d in response]
        ends_on = None if any(e is None for e in ends) else max(ends)
        in_force = starts_on <= day and (ends_on is None or day <= ends_on)
        tanggap = {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "days": (ends_on - starts_on).days + 1 if ends_on else None,
            # "Hari ke-N" counts from the first tanggap darurat decree, across extensions.
            "day_number": (day - starts_on).days + 1 if in_force else None,
        }
    return {
        "id": event.id,
        "code": event.code,
        "title": event.title,
        "hazard": event.hazard_type.name,
        "hazard_class": event.hazard_type.class_label,
        "started_on": first,
        "closed_on": office_date(event.closed_at) if event.closed_at else None,
        "day_number": (day - first).days + 1,
        "phase": phase,
        "phase_label": PHASE_LABELS[phase],
        "decrees": decrees,
        "tanggap_darurat": tanggap,
    }


def _impact_part(event: Event) -> dict:
    """Per kelurahan from the registry once it counts at least as many jiwa as the rapid
    assessment, else from the assessment; both jiwa figures are shown side by side."""
    matrix = impact_matrix(event)
    rows = []
    totals = dict.fromkeys((key for key, _label in IMPACT_COLUMNS), 0)
    for row in matrix.rows:
        # Unlike the map (registry as soon as it has anyone), a sitrep to the mayor must not
        # shrink the disaster to the few already registered by name in the first days.
        registered, assessed = row.jiwa("terdata"), row.jiwa("kaji_cepat")
        source = "terdata" if registered >= assessed and registered > 0 else "kaji_cepat"
        figures = row.figures(source)
        values = {
            "kk_terdampak": row.kk(source, "menderita") + row.kk(source, "mengungsi"),
            # Every status, as the event page counts jiwa terdampak.
            "jiwa_terdampak": row.jiwa(source),
            "mengungsi": row.jiwa(source, "mengungsi"),
            "meninggal": row.jiwa(source, "meninggal"),
            "hilang": row.jiwa(source, "hilang"),
            "terluka": row.jiwa(source, "terluka"),
            "rumah_rusak": row.houses_damaged(source),
            "rumah_terendam": figures.get("rumah.terendam", 0),
            # Both sources side by side: the registry usually lags the rapid assessment.
            "jiwa_kaji_cepat": row.jiwa("kaji_cepat"),
            "jiwa_terdata": row.jiwa("terdata"),
        }
        for key, value in values.items():
            totals[key] += value
        rows.append(
            {
                "kelurahan_code": row.code,
                "kelurahan_name": row.name,
                "kecamatan": row.kecamatan,
                "source": source,
                "source_label": SOURCE_LABELS[source],
                **values,
            }
        )
    return {"rows": rows, "totals": totals, "kelurahan": len(rows)}


def _shelters_part(event_id: int, day: date) -> dict:
    """Shelters open at the end of the day with their latest head count on or before it."""
    shelters = list(
        db.session.scalars(
            select(Shelter).where(Shelter.event_id == event_id).order_by(Shelter.name)
        )
    )
    codes = {s.kelurahan_code for s in shelters}
    names = dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all())
    counts: dict[int, ShelterCount] = {}
    if shelters:
        for count in db.session.scalars(
            select(ShelterCount)
            .where(
                ShelterCount.shelter_id.in_([s.id for s in shelters]),
                ShelterCount.counted_on <= day,
            )
            .order_by(ShelterCount.counted_on)
        ):
            counts[count.shelter_id] = count
    rows = []
    totals = {"units": 0, "capacity": 0, "persons": 0, "households": 0, "over_capacity": 0}
    for shelter in shelters:
        opened = office_date(shelter.opened_at)
        closed = office_date(shelter.closed_at) if shelter.closed_at else None
        if not (opened <= day and (closed is None or closed > day)):
            continue
        count = counts.get(shelter.id)
        persons = count.persons if count else 0
        warnings = check_shelter(shelter, count)
        rows.append(
            {
                "name": shelter.name,
                "kind_label": SHELTER_KINDS.get(shelter.kind, shelter.kind),
                "kelurahan_name": names.get(shelter.kelurahan_code, shelter.kelurahan_code),
                "capacity": shelter.capacity,
                "persons": persons,
                "households": count.households if count else 0,
                "counted_on": count.counted_on if count else None,
                "occupancy": spm.capaian(persons, shelter.capacity) if shelter.capacity else None,
                "warnings": [message for _code, message in warnings],
            }
        )
        totals["units"] += 1
        totals["capacity"] += shelter.capacity
        totals["persons"] += persons
        totals["households"] += count.households if count else 0
        if any(code == "kapasitas" for code, _message in warnings):
            totals["over_capacity"] += 1
    totals["occupancy"] = (
        spm.capaian(totals["persons"], totals["capacity"]) if totals["capacity"] else None
    )
    return {"rows": rows, "totals": totals}


def _aid_part(event_id: int, day: date) -> dict:
    """Per SPM component the day's and the cumulative hand-outs; item quantities; kitchens."""
    base = Distribution.event_id == event_id
    periods = {
        "day": Distribution.distributed_on == day,
        "cumulative": Distribution.distributed_on <= day,
    }
    components = {
        c: {"component": c, "label": label, "day": _zero_aid(), "cumulative": _zero_aid()}
        for c, label in SPM_COMPONENTS.items()
    }
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    items: dict[tuple[str, str], dict] = {}
    for period, condition in periods.items():
        for component, handouts, served in db.session.execute(
            select(
                Distribution.component,
                func.count(Distribution.id),
                func.coalesce(func.sum(Distribution.persons_served), 0),
            )
            .where(base, condition)
            .group_by(Distribution.component)
        ):
            components[component][period]["handouts"] = int(handouts)
            components[component][period]["persons_served"] = int(served)
        for component, distinct in db.session.execute(
            select(Distribution.component, func.count(func.distinct(canonical)))
            .select_from(DistributionRecipient)
            .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
            .join(Person, Person.id == DistributionRecipient.person_id)
            .where(base, condition)
            .group_by(Distribution.component)
        ):
            components[component][period]["distinct_persons"] = int(distinct)
        for code, name, unit, component, total in db.session.execute(
            select(
                Item.code,
                Item.name,
                Item.unit,
                Distribution.component,
                func.sum(StockMovement.quantity),
            )
            .join(Distribution, Distribution.id == StockMovement.distribution_id)
            .join(Item, Item.id == StockMovement.item_id)
            .where(base, condition)
            .group_by(Item.code, Item.name, Item.unit, Distribution.component)
        ):
            entry = items.setdefault(
                (component, code),
                {
                    "component": component,
                    "component_label": SPM_COMPONENTS.get(component, component),
                    "item_code": code,
                    "item_name": name,
                    "unit": unit,
                    "day": Decimal(0),
                    "cumulative": Decimal(0),
                },
            )
            # Hand-outs are stock leaving the warehouse: negative movements.
            entry[period] = -Decimal(str(total))
    kitchens = {"day": _zero_meals(), "cumulative": _zero_meals()}
    kitchen_base = FieldKitchen.event_id == event_id
    for period, condition in (
        ("day", KitchenMeal.served_on == day),
        ("cumulative", KitchenMeal.served_on <= day),
    ):
        meals, cooked, served = db.session.execute(
            select(
                func.count(KitchenMeal.id),
                func.coalesce(func.sum(KitchenMeal.portions_cooked), 0),
                func.coalesce(func.sum(KitchenMeal.portions_served), 0),
            )
            .join(FieldKitchen, FieldKitchen.id == KitchenMeal.kitchen_id)
            .where(kitchen_base, condition)
        ).one()
        kitchens[period] = {
            "meals": int(meals),
            "portions_cooked": int(cooked),
            "portions_served": int(served),
        }
    kitchens["active"] = db.session.scalar(
        select(func.count(FieldKitchen.id)).where(kitchen_base, FieldKitchen.active.is_(True))
    )
    ordered_items = sorted(items.values(), key=lambda e: (e["component"], e["item_name"]))
    return {"components": list(components.values()), "items": ordered_items, "kitchens": kitchens}


def _zero_aid() -> dict:
    return {"handouts": 0, "persons_served": 0, "distinct_persons": 0}


def _zero_meals() -> dict:
    return {"meals": 0, "portions_cooked": 0, "portions_served": 0}


def _needs_day(event_id: int, day: date) -> date | None:
    """The day whose SPM rows describe needs on `day`: itself, else the latest earlier one."""
    return db.session.scalar(
        select(func.max(SpmDaily.day)).where(SpmDaily.event_id == event_id, SpmDaily.day <= day)
    )


def _needs_part(event_id: int, day: date) -> dict:
    """Needs and gaps per kelurahan x component from the SPM aggregates (not recomputed here)."""
    as_of = _needs_day(event_id, day)
    if as_of is None:
        return {"as_of": None, "rows": [], "totals": [], "quantities": []}
    carried = as_of != day
    rows = []
    totals: dict[str, dict] = {}
    for row in spm_dashboard.needs_table(event_id, as_of):
        if carried:
            # Rows exist only for days with a hand-out or head count: a day without any
            # carries the needs forward and delivered nothing.
            row = dict(row, persons_delivered=0, portions_delivered=0, delivered=0)
            row["gap"] = spm.gap(row["persons_needing"], 0)
        rows.append(
            {
                key: row[key]
                for key in (
                    "kelurahan_code",
                    "kelurahan_name",
                    "component",
                    "component_label",
                    "persons_needing",
                    "households_needing",
                    "delivered",
                    "gap",
                    "estimated",
                )
            }
        )
        total = totals.setdefault(
            row["component"],
            {
                "component": row["component"],
                "component_label": row["component_label"],
                "persons_needing": 0,
                "delivered": 0,
                "gap": 0,
            },
        )
        total["persons_needing"] += row["persons_needing"]
        total["delivered"] += row["delivered"]
        # Over-supply in one kelurahan does not cover a shortage in another.
        total["gap"] += max(row["gap"], 0)
    quantities = [
        {
            "need_label": q["standard"].need,
            "component": q["standard"].component,
            "persons": q["persons"],
            "households": q["households"],
            "need": q["need"],
            "unit": q["standard"].unit,
            "source": q["standard"].source,
        }
        for q in spm_dashboard.quantities(event_id, as_of)
    ]
    ordered = [totals[c] for c in SPM_COMPONENTS if c in totals]
    return {
        "as_of": as_of,
        "carried": carried,
        "rows": rows,
        "totals": ordered,
        "quantities": quantities,
    }


def _stock_part(event_id: int, day: date) -> list[dict]:
    as_of = _needs_day(event_id, day) or day
    names = dict(db.session.execute(select(Item.code, Item.name)).all())
    return [
        {
            "code": row["code"],
            "need_label": row["need_label"],
            "item_code": row["item_code"],
            "item_name": names.get(row["item_code"], row["item_code"]),
            "unit": row["unit"],
            "stock": row["stock"],
            "need": row["need"],
            "daily": row["daily"],
            "days_of_cover": row["days_of_cover"],
            "share": row["share"],
            "warning": row["warning"],
        }
        for row in spm_dashboard.stock_cover(event_id, as_of)
    ]


def _tagana_part(event_id: int, day: date) -> dict:
    """Members on duty for the event at any time of the day: counts per place and role only."""
    from logistics.tagana.services import effective_period, place_label

    zone = office_zone()
    start = datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)
    end = start + timedelta(days=1)
    members: set[int] = set()
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    for deployment in db.session.scalars(
        select(Deployment).where(
            Deployment.event_id == event_id,
            Deployment.status != "dibatalkan",
            # A member may check in before the planned start.
            or_(Deployment.starts_at < end, Deployment.checked_in_at < end),
        )
    ):
        began, ended = effective_period(deployment)
        if began >= end or (ended is not None and ended <= start):
            continue
        members.add(deployment.member_id)
        groups[(place_label(deployment), deployment.role)].add(deployment.member_id)
    rows = [
        {"place": place, "role": role, "members": len(ids)}
        for (place, role), ids in sorted(groups.items())
    ]
    return {"members": len(members), "places": len({p for p, _r in groups}), "rows": rows}


def build(event_id: int, day: date) -> dict:
    """Everything the day's sitrep says, as plain aggregate data (no names, NIK or addresses)."""
    event = get_event(event_id)
    check_day(event, day)
    note = get_note(event.id, day)
    return {
        "office_name": current_app.config["OFFICE_NAME"],
        "day": day,
        "event": _event_part(event, day),
        "impact": _impact_part(event),
        "shelters": _shelters_part(event.id, day),
        "aid": _aid_part(event.id, day),
        "needs": _needs_part(event.id, day),
        "stock": _stock_part(event.id, day),
        "tagana": _tagana_part(event.id, day),
        "notes": {name: getattr(note, name) if note else "" for name in NOTE_FIELDS},
    }


# --- rendering -------------------------------------------------------------------------------


def template_context(data: dict) -> dict:
    return {
        "s": data,
        "note_labels": NOTE_FIELDS,
        "impact_columns": IMPACT_COLUMNS,
        "printed_on": tanggal(office_today()),
        "head_title": current_app.config.get("OFFICE_HEAD_TITLE")
        or f"Kepala {current_app.config['OFFICE_NAME']}",
    }


def render_html(data: dict) -> str:
    """The sitrep as one self-contained HTML document (the snapshot and the PDF's source)."""
    return render_template("reports/sitrep/document.html", **template_context(data))


def render_pdf(data: dict) -> bytes:
    """The sitrep on A4 with the office letterhead (WeasyPrint)."""
    from logistics.tagana.services import html_to_pdf

    base_url = request.url_root if has_request_context() else None
    return html_to_pdf(render_html(data), base_url=base_url)


# Excel shows these with the reader's separators; [$-421] asks for Indonesian month names.
NUMBER = "#,##0"
DECIMAL = "#,##0.0##"
PERCENT = '#,##0.00"%"'
DATE = "[$-421]d mmmm yyyy"


def render_xlsx(data: dict) -> bytes:
    """One formatted sheet per section; numbers stay numbers, dates stay dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    ev = data["event"]

    def sheet(title: str, headers: list[str], rows: list[list], formats: list[str | None]):
        ws = workbook.create_sheet(title)
        ws.append([f"{data['office_name']} — Laporan situasi {ev['code']}"])
        ws.append([f"{ev['title']}, {tanggal(data['day'])}"])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([])
        ws.append(headers)
        for cell in ws[4]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(row)
            for cell, fmt in zip(ws[ws.max_row], formats, strict=False):
                if fmt and cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = fmt
        ws.freeze_panes = "A5"
        for index, header in enumerate(headers, start=1):
            width = max(
                [len(str(header))] + [len(str(r[index - 1] or "")) for r in rows if len(r) >= index]
            )
            ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
        return ws

    summary = workbook.active
    summary.title = "Ringkasan"
    summary.append([data["office_name"]])
    summary.append(["LAPORAN SITUASI HARIAN"])
    summary["A1"].font = Font(bold=True, size=12)
    summary["A2"].font = Font(bold=True, size=12)
    summary.append([])
    tanggap = ev["tanggap_darurat"] or {}
    facts = [
        ("Kejadian", f"{ev['title']} ({ev['code']})", None),
        ("Jenis bencana", ev["hazard"], None),
        ("Tanggal laporan", data["day"], DATE),
        ("Mulai kejadian", ev["started_on"], DATE),
        ("Hari ke-", ev["day_number"], NUMBER),
        ("Status", ev["phase_label"], None),
        ("Tanggap darurat mulai", tanggap.get("starts_on"), DATE),
        ("Tanggap darurat sampai", tanggap.get("ends_on"), DATE),
        ("Hari ke- tanggap darurat", tanggap.get("day_number"), NUMBER),
        ("Kelurahan terdampak", data["impact"]["kelurahan"], NUMBER),
        ("Jiwa terdampak", data["impact"]["totals"]["jiwa_terdampak"], NUMBER),
        ("Mengungsi (jiwa)", data["impact"]["totals"]["mengungsi"], NUMBER),
        ("Tempat pengungsian buka", data["shelters"]["totals"]["units"], NUMBER),
        ("Orang di pengungsian", data["shelters"]["totals"]["persons"], NUMBER),
        ("Tagana bertugas (orang)", data["tagana"]["members"], NUMBER),
    ]
    for decree in ev["decrees"]:
        facts.append(
            (
                f"SK {decree['status_label']}",
                f"{decree['decree_number']} ({decree['issuer']}), "
                f"{tanggal(decree['starts_on'])} s.d. "
                f"{tanggal(decree['ends_on']) if decree['ends_on'] else 'belum ditentukan'}",
                None,
            )
        )
    for label, value, fmt in facts:
        summary.append([label, value])
        summary.cell(summary.max_row, 1).font = bold
        if fmt and value is not None:
            summary.cell(summary.max_row, 2).number_format = fmt
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 70

    impact = data["impact"]
    sheet(
        "Dampak",
        ["Kode", "Kelurahan/desa", "Kecamatan", "Sumber"] + [label for _k, label in IMPACT_COLUMNS],
        [
            [r["kelurahan_code"], r["kelurahan_name"], r["kecamatan"], r["source_label"]]
            + [r[key] for key, _label in IMPACT_COLUMNS]
            for r in impact["rows"]
        ]
        + [["", "Jumlah", "", ""] + [impact["totals"][key] for key, _label in IMPACT_COLUMNS]],
        [None] * 4 + [NUMBER] * len(IMPACT_COLUMNS),
    )
    shelters = data["shelters"]
    sheet(
        "Pengungsian",
        ["Tempat", "Jenis", "Kelurahan/desa", "Kapasitas", "Jiwa", "KK", "Keterisian (%)",
         "Dihitung", "Peringatan"],
        [
            [r["name"], r["kind_label"], r["kelurahan_name"], r["capacity"], r["persons"],
             r["households"], _float(r["occupancy"]), r["counted_on"], " ".join(r["warnings"])]
            for r in shelters["rows"]
        ]
        + [["Jumlah", f"{shelters['totals']['units']} lokasi", "", shelters["totals"]["capacity"],
            shelters["totals"]["persons"], shelters["totals"]["households"],
            _float(shelters["totals"]["occupancy"]), None, ""]],
        [None, None, None, NUMBER, NUMBER, NUMBER, PERCENT, DATE, None],
    )  # fmt: skip
    aid = data["aid"]
    sheet(
        "Bantuan",
        ["Komponen SPM", "Penyaluran hari ini", "Layanan (orang) hari ini",
         "Orang berbeda hari ini", "Penyaluran kumulatif", "Layanan (orang) kumulatif",
         "Orang berbeda kumulatif"],
        [
            [c["label"], c["day"]["handouts"], c["day"]["persons_served"],
             c["day"]["distinct_persons"], c["cumulative"]["handouts"],
             c["cumulative"]["persons_served"], c["cumulative"]["distinct_persons"]]
            for c in aid["components"]
        ],
        [None] + [NUMBER] * 6,
    )  # fmt: skip
    sheet(
        "Barang",
        ["Komponen SPM", "Kode barang", "Barang", "Satuan", "Hari ini", "Kumulatif"],
        [
            [i["component_label"], i["item_code"], i["item_name"], i["unit"],
             _float(i["day"]), _float(i["cumulative"])]
            for i in aid["items"]
        ]
        + [["Dapur umum (porsi dibagikan)", "", "", "porsi",
            aid["kitchens"]["day"]["portions_served"],
            aid["kitchens"]["cumulative"]["portions_served"]]],
        [None, None, None, None, DECIMAL, DECIMAL],
    )  # fmt: skip
    needs = data["needs"]
    sheet(
        "Kebutuhan",
        ["Kode", "Kelurahan/desa", "Komponen SPM", "Membutuhkan (jiwa)", "KK", "Tersalurkan",
         "Kesenjangan", "Perkiraan (kaji cepat)"],
        [
            [r["kelurahan_code"], r["kelurahan_name"], r["component_label"], r["persons_needing"],
             r["households_needing"], r["delivered"], r["gap"], "ya" if r["estimated"] else ""]
            for r in needs["rows"]
        ],
        [None, None, None, NUMBER, NUMBER, NUMBER, NUMBER, None],
    )  # fmt: skip
    sheet(
        "Kebutuhan standar",
        ["Kebutuhan", "Jiwa", "KK", "Jumlah", "Satuan", "Sumber standar"],
        [
            [
                q["need_label"],
                q["persons"],
                q["households"],
                _float(q["need"]),
                q["unit"],
                q["source"],
            ]
            for q in needs["quantities"]
        ],
        [None, NUMBER, NUMBER, DECIMAL, None, None],
    )
    sheet(
        "Tagana",
        ["Tempat", "Peran", "Jumlah anggota"],
        [[r["place"], r["role"], r["members"]] for r in data["tagana"]["rows"]]
        + [["Jumlah (orang berbeda)", "", data["tagana"]["members"]]],
        [None, None, NUMBER],
    )
    sheet(
        "Stok",
        ["Kebutuhan", "Barang", "Satuan", "Stok", "Kebutuhan", "Cukup (hari)", "Cakupan (%)",
         "Peringatan"],
        [
            [r["need_label"], r["item_name"], r["unit"], _float(r["stock"]), _float(r["need"]),
             _float(r["days_of_cover"]), _float(r["share"]), "PERLU DITAMBAH" if r["warning"] else ""]
            for r in data["stock"]
        ],
        [None, None, None, DECIMAL, DECIMAL, DECIMAL, PERCENT, None],
    )  # fmt: skip
    notes = workbook.create_sheet("Catatan")
    notes.append(["Catatan hari ini", tanggal(data["day"])])
    notes["A1"].font = Font(bold=True, size=12)
    for name, label in NOTE_FIELDS.items():
        notes.append([label, data["notes"][name] or "-"])
        notes.cell(notes.max_row, 1).font = bold
        notes.cell(notes.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _float(value):
    """Decimals as floats for a spreadsheet cell (openpyxl writes numbers, not text)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def whatsapp_text(data: dict) -> str:
    """A short plain-text summary to paste into the WhatsApp groups of the mayor's office and BPBD."""
    ev = data["event"]
    impact = data["impact"]["totals"]
    shelters = data["shelters"]["totals"]
    lines = [
        "*LAPORAN SITUASI HARIAN*",
        f"*{ev['title']}* ({ev['code']})",
        f"{tanggal(data['day'])} — hari ke-{ev['day_number']} kejadian",
    ]
    status = ev["phase_label"]
    tanggap = ev["tanggap_darurat"]
    if tanggap and tanggap["day_number"]:
        status += f", hari ke-{tanggap['day_number']}"
        if tanggap["days"]:
            status += f" dari {tanggap['days']}"
    in_force = [
        d for d in ev["decrees"]
        if d["starts_on"] <= data["day"] and (d["ends_on"] is None or data["day"] <= d["ends_on"])
    ]  # fmt: skip
    if in_force:
        status += f" (SK {in_force[-1]['decree_number']})"
    lines.append(f"Status: {status}")
    lines.append("")
    lines.append(
        f"*Dampak:* {angka(data['impact']['kelurahan'])} kelurahan/desa, "
        f"{angka(impact['jiwa_terdampak'])} jiwa ({angka(impact['kk_terdampak'])} KK) terdampak, "
        f"{angka(impact['mengungsi'])} jiwa mengungsi"
    )
    casualties = [
        f"{angka(impact[k])} {label}"
        for k, label in (("meninggal", "meninggal"), ("hilang", "hilang"), ("terluka", "luka"))
        if impact[k]
    ]
    if casualties:
        lines.append("Korban jiwa: " + ", ".join(casualties))
    shelter_line = (
        f"*Pengungsian:* {angka(shelters['units'])} lokasi, {angka(shelters['persons'])} jiwa"
    )
    if shelters["capacity"]:
        shelter_line += (
            f" / kapasitas {angka(shelters['capacity'])} ({persen(shelters['occupancy'], 0)})"
        )
    if shelters["over_capacity"]:
        shelter_line += f"; {angka(shelters['over_capacity'])} lokasi melebihi kapasitas"
    lines.append(shelter_line)
    today_aid = [
        f"{_short(c['label'])} {angka(c['day']['persons_served'])} orang"
        for c in data["aid"]["components"]
        if c["day"]["handouts"]
    ]
    lines.append("*Bantuan hari ini:* " + ("; ".join(today_aid) if today_aid else "belum ada"))
    total_aid = [
        f"{_short(c['label'])} {angka(c['cumulative']['persons_served'])} orang"
        for c in data["aid"]["components"]
        if c["cumulative"]["handouts"]
    ]
    if total_aid:
        lines.append("*Kumulatif:* " + "; ".join(total_aid))
    kitchens = data["aid"]["kitchens"]
    if kitchens["day"]["meals"]:
        lines.append(
            f"*Dapur umum:* {angka(kitchens['day']['portions_served'])} porsi hari ini "
            f"({angka(kitchens['cumulative']['portions_served'])} porsi kumulatif)"
        )
    gaps = [
        f"{_short(t['component_label'])} {angka(t['gap'])} jiwa"
        for t in data["needs"]["totals"]
        if t["gap"] > 0
    ]
    if gaps:
        lines.append("*Belum terlayani:* " + "; ".join(gaps))
    tagana = data["tagana"]
    if tagana["members"]:
        lines.append(
            f"*Tagana bertugas:* {angka(tagana['members'])} orang di {angka(tagana['places'])} lokasi"
        )
    low = [
        f"{r['item_name']} "
        + (
            f"cukup {angka(r['days_of_cover'], 1)} hari"
            if r["days_of_cover"] is not None
            else f"{persen(r['share'], 0)} kebutuhan"
        )
        for r in data["stock"]
        if r["warning"]
    ]
    if low:
        lines.append("*Stok perlu ditambah:* " + "; ".join(low))
    for name, label in NOTE_FIELDS.items():
        text = " ".join(data["notes"][name].split())
        if text:
            lines.append(f"*{label}:* {text}")
    lines.append("")
    lines.append(f"— {data['office_name']}")
    return "\n".join(lines)


def _short(label: str) -> str:
    """'Penyediaan makanan (permakanan)' -> 'Permakanan' for the short message."""
    short = {
        "permakanan": "Permakanan",
        "sandang": "Sandang",
        "tempat_penampungan": "Penampungan",
        "kelompok_rentan": "Kelompok rentan",
        "psikososial": "Psikososial",
    }
    for code, name in SPM_COMPONENTS.items():
        if name == label:
            return short[code]
    return label


# --- events to report on ---------------------------------------------------------------------


def events_for_index() -> list[dict]:
    """Open events, those in tanggap darurat today first, then the closed ones, newest first."""
    today = office_today()
    rows = []
    newest = select(Event).order_by(Event.started_at.desc()).limit(INDEX_EVENTS)
    for event in db.session.scalars(newest):
        phase = event.phase_on(today)
        rows.append(
            {
                "event": event,
                "phase": phase,
                "phase_label": PHASE_LABELS[phase],
                "first": office_date(event.started_at),
                "last": default_day(event),
            }
        )
    order = {"tanggap_darurat": 0, "siaga_darurat": 1, "transisi_darurat": 2}
    rows.sort(key=lambda r: (r["event"].closed_at is not None, order.get(r["phase"], 3)))
    return rows


def to_json(value):
    """The sitrep data as JSON values: dates as ISO text, quantities as numbers."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
