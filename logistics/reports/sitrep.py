"""The daily situation report (laporan situasi harian) of an event: data, HTML, PDF, XLSX, WhatsApp."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app, render_template
from sqlalchemy import func, or_, select

from logistics.areas.kab_kota import annotate, by_kab_kota, grouped, report_scope, scope_label
from logistics.areas.models import Area
from logistics.core import inputs, jobs
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.formatting import tanggal
from logistics.core.job_models import JobRecord
from logistics.core.queue import SITREP_GENERATE
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_date, office_today, office_zone
from logistics.distributions.models import Distribution, DistributionRecipient
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
from logistics.victims.figures import registry_figures
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
# Columns that are one of the defined figures (events.figures), shown with its definition.
IMPACT_FIGURES = {
    "kk_terdampak": "kk",
    "jiwa_terdampak": "terdampak",
    "jiwa_kaji_cepat": "kaji_cepat",
    "jiwa_terdata": "terdata",
}


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


def event_and_day(event_id: int, day) -> tuple[Event, date]:
    """The event and the report date of a request, refused when the date is out of range."""
    event = get_event(event_id)
    the_day = parse_day(day)
    check_day(event, the_day)
    return event, the_day


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


# --- generation jobs -------------------------------------------------------------------------


def scope_codes(scope: Scope) -> list[str] | None:
    """The see codes a sitrep is made for, as a job keeps them; None for the whole office."""
    scope = report_scope(scope)
    return sorted(scope.see) if scope.see else None


def create_generation_job(
    event: Event, day: date, user_id: int | None, scope: Scope = WHOLE_OFFICE
) -> JobRecord:
    """Record one generation job for the scope of whoever asks (its files hold that scope's
    figures only); the caller commits it before submitting it to the queue."""
    return jobs.create_job(
        SITREP_GENERATE,
        f"Laporan situasi {event.code} {day.isoformat()}",
        {"event_id": event.id, "day": day.isoformat(), "scope": scope_codes(scope)},
        user_id,
    )


def pending_job(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> JobRecord | None:
    """The newest unfinished generation of this sitrep for the scope, if any (the jobs table
    keeps kwargs)."""
    codes = scope_codes(scope)
    records = db.session.scalars(
        select(JobRecord)
        .where(JobRecord.func == SITREP_GENERATE, JobRecord.status.in_(("queued", "started")))
        .order_by(JobRecord.created_at.desc())
        .limit(20)
    )
    for record in records:
        kwargs = record.kwargs or {}
        same = kwargs.get("event_id") == event_id and kwargs.get("day") == day.isoformat()
        if same and kwargs.get("scope") == codes:
            return record
    return None


def generation_job(job_id: str) -> JobRecord | None:
    """A sitrep generation job by id; None when there is none or it is another kind of job."""
    record = db.session.get(JobRecord, job_id)
    if record is None or record.func != SITREP_GENERATE:
        return None
    return record


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


def _impact_part(event: Event, matrix=None, scope: Scope = WHOLE_OFFICE) -> dict:
    """Per kelurahan in the scope from the registry once it counts at least as many jiwa as the
    rapid assessment, else from the assessment; both jiwa figures are shown side by side. A
    caller that draws the event map as well passes the impact matrix it already has. A provinsi
    office also gets the rows per kab/kota with subtotals (`groups`). Kept with the matrix (one
    kept until the next write serves every home page view); the result is read-only."""
    matrix = matrix or impact_matrix(event, terdata=registry_figures(event))
    key = ("sitrep_impact", scope, by_kab_kota())
    if key not in matrix.derived:
        matrix.derived[key] = _impact_rows(matrix, scope)
    return matrix.derived[key]


def _impact_rows(matrix, scope: Scope) -> dict:
    rows = []
    totals = dict.fromkeys((key for key, _label in IMPACT_COLUMNS), 0)
    for row in matrix.rows:
        if not scope.sees(row.code):
            continue
        # Terdampak as defined once (events.figures), as the map and the event page show it.
        source = row.best_source
        figures = row.figures(source)
        values = {
            "kk_terdampak": row.kk_total(source),
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
    groups = None
    if by_kab_kota():
        annotate(rows, "kelurahan_code")
        groups = grouped(rows, "kelurahan_code", totals)
        rows = [row for group in groups for row in group["rows"]]
    return {"rows": rows, "totals": totals, "kelurahan": len(rows), "groups": groups}


def _shelters_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """Shelters in the scope open at the end of the day with their latest head count on or
    before it."""
    query = select(Shelter).where(Shelter.event_id == event_id).order_by(Shelter.name)
    shelters = list(db.session.scalars(scope.narrow(query, Shelter.kelurahan_code)))
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
                "kelurahan_code": shelter.kelurahan_code,
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
    if by_kab_kota():
        annotate(rows, "kelurahan_code")
    return {"rows": rows, "totals": totals}


def _aid_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """Per SPM component the day's and the cumulative hand-outs in the scope; item quantities;
    kitchens."""
    base = (Distribution.event_id == event_id) & scope.condition(Distribution.kelurahan_code)
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
    ordered_items = sorted(items.values(), key=lambda e: (e["component"], e["item_name"]))
    return {
        "components": list(components.values()),
        "items": ordered_items,
        "kitchens": _kitchens_part(event_id, day, scope),
    }


def _kitchens_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """The scope's field kitchens' meals and portions of the day and to date, and how many are
    active."""
    kitchens = {"day": _zero_meals(), "cumulative": _zero_meals()}
    kitchen_base = (FieldKitchen.event_id == event_id) & scope.condition(
        FieldKitchen.kelurahan_code
    )
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
    return kitchens


def _zero_aid() -> dict:
    return {"handouts": 0, "persons_served": 0, "distinct_persons": 0}


def _zero_meals() -> dict:
    return {"meals": 0, "portions_cooked": 0, "portions_served": 0}


def _needs_day(event_id: int, day: date) -> date | None:
    """The day whose SPM rows describe needs on `day`: itself, else the latest earlier one."""
    return db.session.scalar(
        select(func.max(SpmDaily.day)).where(SpmDaily.event_id == event_id, SpmDaily.day <= day)
    )


def _needs_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """Needs and gaps per kelurahan x component in the scope from the SPM aggregates (not
    recomputed here)."""
    as_of = _needs_day(event_id, day)
    if as_of is None:
        return {"as_of": None, "rows": [], "totals": [], "quantities": []}
    carried = as_of != day
    rows = []
    totals: dict[str, dict] = {}
    for row in spm_dashboard.needs_table(event_id, as_of, scope=scope):
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
        for q in spm_dashboard.quantities(event_id, as_of, scope)
    ]
    ordered = [totals[c] for c in SPM_COMPONENTS if c in totals]
    if by_kab_kota():
        annotate(rows, "kelurahan_code")
        rows.sort(key=lambda r: r["kab_kota_code"])
    return {
        "as_of": as_of,
        "carried": carried,
        "rows": rows,
        "totals": ordered,
        "quantities": quantities,
    }


def _stock_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> list[dict]:
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
        for row in spm_dashboard.stock_cover(event_id, as_of, scope)
    ]


def _tagana_part(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """Members on duty for the event at any time of the day: counts per place and role only.
    A scoped report counts the deployments to a place in its wilayah (a shelter's or the
    deployment's kelurahan; a warehouse's place is the office's logistics, not an area's)."""
    from logistics.tagana.deployments import effective_period
    from logistics.tagana.places import place_label

    zone = office_zone()
    start = datetime.combine(day, time(0), zone).astimezone(UTC).replace(tzinfo=None)
    end = start + timedelta(days=1)
    members: set[int] = set()
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    query = (
        select(Deployment)
        .outerjoin(Shelter, Shelter.id == Deployment.shelter_id)
        .where(
            Deployment.event_id == event_id,
            Deployment.status != "dibatalkan",
            # A member may check in before the planned start.
            or_(Deployment.starts_at < end, Deployment.checked_in_at < end),
        )
    )
    place = func.coalesce(Shelter.kelurahan_code, Deployment.kelurahan_code)
    for deployment in db.session.scalars(scope.narrow(query, place)):
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


def headline(event: Event, day: date, matrix=None, scope: Scope = WHOLE_OFFICE) -> dict:
    """The parts of the day's sitrep a summary shows, computed as the report computes them:
    status, impact, shelters, needs and gaps, stock cover, Tagana (no hand-outs or notes);
    every figure of the scope's wilayah only."""
    scope = report_scope(scope)
    return {
        "day": day,
        "scope_label": scope_label(scope),
        "by_kab_kota": by_kab_kota(),
        "event": _event_part(event, day),
        "impact": _impact_part(event, matrix, scope),
        "shelters": _shelters_part(event.id, day, scope),
        "needs": _needs_part(event.id, day, scope),
        "stock": _stock_part(event.id, day, scope),
        "tagana": _tagana_part(event.id, day, scope),
    }


def build(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> dict:
    """Everything the day's sitrep says for the scope's wilayah, as plain aggregate data (no
    names, NIK or addresses)."""
    event = get_event(event_id)
    check_day(event, day)
    note = get_note(event.id, day)
    scope = report_scope(scope)
    return {
        "office_name": current_app.config["OFFICE_NAME"],
        **headline(event, day, scope=scope),
        "aid": _aid_part(event.id, day, scope),
        "notes": {name: getattr(note, name) if note else "" for name in NOTE_FIELDS},
    }


# --- rendering -------------------------------------------------------------------------------


def template_context(data: dict) -> dict:
    return {
        "s": data,
        "note_labels": NOTE_FIELDS,
        "impact_columns": IMPACT_COLUMNS,
        "impact_figures": IMPACT_FIGURES,
        "printed_on": tanggal(office_today()),
    }


def render_html(data: dict) -> str:
    """The sitrep as one self-contained HTML document (the snapshot and the PDF's source)."""
    return render_template("reports/sitrep/document.html", **template_context(data))


def render_pdf(data: dict, base_url: str | None = None) -> bytes:
    """The sitrep on A4 with the office letterhead (WeasyPrint); base_url resolves links."""
    from logistics.core.pdf import html_to_pdf

    return html_to_pdf(render_html(data), base_url=base_url)


# --- events to report on ---------------------------------------------------------------------


def events_for_index(scope: Scope = WHOLE_OFFICE) -> list[dict]:
    """Open events the scope sees, those in tanggap darurat today first, then the closed ones,
    newest first."""
    today = office_today()
    rows = []
    newest = select(Event).order_by(Event.started_at.desc()).limit(INDEX_EVENTS)
    newest = scope.narrow_covering(newest, Event.area_code)
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
