"""What the SPM dashboard shows: needs, deliveries and gaps, stock cover, the year against targets."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import office_date, office_today
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events import services as events_service
from logistics.events.models import Event
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm import rules as spm
from logistics.spm import settings as spm_settings
from logistics.spm.aggregates import KELURAHAN, _estimated_needs, _registered_kelurahan
from logistics.spm.models import (
    ALL_COMPONENTS,
    INDICATORS,
    OUTPUT_INDICATORS,
    SpmDaily,
    SpmMetRule,
    SpmYear,
)
from logistics.stock.models import Item, StockLot, Warehouse
from logistics.victims.models import Household, Person, Victim

COVER_WARNING_DAYS = 3  # fewer days of stock than this is flagged


def events_with_rows(scope: Scope = WHOLE_OFFICE) -> list[Event]:
    """Events with SPM rows that the scope sees (an event over the whole province included)."""
    ids = select(SpmDaily.event_id).distinct()
    query = select(Event).where(Event.id.in_(ids)).order_by(Event.started_at.desc())
    return list(db.session.scalars(scope.narrow_covering(query, Event.area_code)))


def days_of(event_id: int) -> list[date]:
    return list(
        db.session.scalars(
            select(SpmDaily.day)
            .where(SpmDaily.event_id == event_id)
            .distinct()
            .order_by(SpmDaily.day.desc())
        )
    )


def _delivered(row) -> int:
    return row.persons_delivered + row.portions_delivered


def needs_table(
    event_id: int,
    day: date,
    component: str | None = None,
    shelters=False,
    scope: Scope = WHOLE_OFFICE,
):
    """Rows per kelurahan (or per shelter) and component in the scope: needing, delivered, gap
    (signed)."""
    condition = SpmDaily.shelter_key >= 0 if shelters else SpmDaily.shelter_key == KELURAHAN
    query = (
        select(SpmDaily, Area.name, Shelter.name)
        .outerjoin(Area, Area.code == SpmDaily.kelurahan_code)
        .outerjoin(Shelter, Shelter.id == SpmDaily.shelter_key)
        .where(SpmDaily.event_id == event_id, SpmDaily.day == day, condition)
        .order_by(Area.name, SpmDaily.kelurahan_code, SpmDaily.shelter_key, SpmDaily.component)
    )
    if component:
        query = query.where(SpmDaily.component == component)
    query = scope.narrow(query, SpmDaily.kelurahan_code)
    rows = []
    for row, kelurahan_name, shelter_name in db.session.execute(query):
        delivered = _delivered(row)
        rows.append(
            {
                "event_id": row.event_id,
                "day": row.day,
                "kelurahan_code": row.kelurahan_code,
                "kelurahan_name": kelurahan_name or row.kelurahan_code,
                "shelter_key": row.shelter_key,
                "shelter_name": shelter_name if row.shelter_key > 0 else "Di rumah",
                "component": row.component,
                "component_label": SPM_COMPONENTS.get(row.component, row.component),
                "persons_needing": row.persons_needing,
                "households_needing": row.households_needing,
                "persons_delivered": row.persons_delivered,
                "portions_delivered": row.portions_delivered,
                "delivered": delivered,
                "gap": spm.gap(row.persons_needing, delivered),
                "estimated": row.estimated,
            }
        )
    return rows


def short_by_component(rows) -> dict[str, int]:
    """Persons still lacking each component on the day: the kelurahan's shortfalls added up, an
    over-supply in one kelurahan never hiding a shortfall in another."""
    short: dict[str, int] = defaultdict(int)
    for row in rows:
        short[row["component"]] += max(row["gap"], 0)
    return short


def quantities(event_id: int, day: date, scope: Scope = WHOLE_OFFICE) -> list[dict]:
    """The standards applied to the day's needs in the scope: how much of each (beras kg, ...)."""
    event = events_service.get_event(event_id)
    day_number = (day - office_date(event.started_at)).days + 1
    totals: dict[str, tuple[int, int]] = {}
    query = (
        select(
            SpmDaily.component,
            func.sum(SpmDaily.persons_needing),
            func.sum(SpmDaily.households_needing),
        )
        .where(
            SpmDaily.event_id == event_id,
            SpmDaily.day == day,
            SpmDaily.shelter_key == KELURAHAN,
        )
        .group_by(SpmDaily.component)
    )
    for component, persons, households in db.session.execute(
        scope.narrow(query, SpmDaily.kelurahan_code)
    ):
        totals[component] = (int(persons or 0), int(households or 0))
    result = []
    in_force = spm_settings.pure_standards()
    for standard in spm_settings.list_standards():
        pure = spm.standard_in_force(in_force, standard.code, day)
        if pure is None or pure.valid_from != standard.valid_from:
            continue
        if not spm.applies_on(pure, day_number):
            continue
        persons, households = totals.get(standard.component, (0, 0))
        result.append(
            {
                "standard": standard,
                "persons": persons,
                "households": households,
                "need": spm.need(pure, persons, households),
            }
        )
    return result


def stock_cover(
    event_id: int | None = None, day: date | None = None, scope: Scope = WHOLE_OFFICE
) -> list[dict]:
    """Per item with a standard: stock in the scope's active warehouses against the scope's
    need; days of cover."""
    on = day or office_today()
    needs: dict[str, Decimal] = defaultdict(Decimal)
    standards = {s.code: s for s in spm_settings.list_standards()}
    pure = spm_settings.pure_standards()
    if event_id:
        for entry in quantities(event_id, on, scope):
            if entry["standard"].item_code:
                needs[entry["standard"].code] += entry["need"]
    held = (
        select(Item.code, func.sum(StockLot.quantity))
        .join(StockLot, StockLot.item_id == Item.id)
        .join(Warehouse, Warehouse.id == StockLot.warehouse_id)
        .where(
            Warehouse.active.is_(True),
            (StockLot.expiry_date.is_(None)) | (StockLot.expiry_date >= on),
        )
        .group_by(Item.code)
    )
    stock = dict(db.session.execute(scope.narrow(held, Warehouse.kelurahan_code)).all())
    rows = []
    for code in sorted({s.code for s in pure if s.item_code}):
        version = spm.standard_in_force(pure, code, on)
        if version is None:
            continue
        available = Decimal(stock.get(version.item_code) or 0)
        need = needs.get(code, Decimal(0))
        daily = version.period == "day"
        cover = spm.days_of_cover(available, need) if daily else None
        share = spm.capaian(available, need) if not daily and need else None
        warn = (cover is not None and cover < COVER_WARNING_DAYS) or (
            share is not None and share < 100
        )
        rows.append(
            {
                "code": code,
                "need_label": standards[code].need if code in standards else code,
                "item_code": version.item_code,
                "unit": version.unit,
                "stock": available,
                "need": need,
                "daily": daily,
                "days_of_cover": cover,
                "share": share,
                "warning": warn,
            }
        )
    return rows


def year_summary(year: int) -> list[dict]:
    """Per indicator: realisation (distinct persons), target, capaian; plus the SPM percentage."""
    rows = {
        (r.quarter, r.component): r
        for r in db.session.scalars(select(SpmYear).where(SpmYear.year == year))
    }
    targets = {t.indicator: t for t in spm_settings.list_targets(year)}
    result = []
    # The outputs (Tagana, KSB, ...) are the year-end report's; the SPM engine counts persons.
    for indicator, label in INDICATORS.items():
        if indicator in OUTPUT_INDICATORS:
            continue
        target = targets.get(indicator)
        if indicator == "capaian_spm":
            total = rows.get((0, ALL_COMPONENTS))
            needing = total.persons_needing if total else 0
            met = total.persons_met if total else 0
            realisation = spm.spm_achievement(met, needing)
            unit = "%"
            quarters = {
                q: spm.spm_achievement(r.persons_met, r.persons_needing)
                for q in range(1, 5)
                if (r := rows.get((q, ALL_COMPONENTS))) is not None
            }
        else:
            year_row = rows.get((0, indicator))
            needing = year_row.persons_needing if year_row else 0
            met = year_row.persons_met if year_row else 0
            quarters = {
                q: rows[(q, indicator)].persons_served
                for q in range(1, 5)
                if (q, indicator) in rows
            }
            realisation = year_row.persons_served if year_row else 0
            unit = "orang"
        if target is not None and indicator != "capaian_spm":
            mode_value = spm.year_realisation(quarters, target.mode)
            # "sum" over quarters would count a person served in two quarters twice; the year row
            # already holds distinct persons, so it is the realisation of an additive target.
            realisation = realisation if target.mode == "sum" else mode_value
        achieved = (
            spm.capaian(realisation, target.value, target.lower_is_better)
            if target is not None and realisation is not None
            else None
        )
        result.append(
            {
                "indicator": indicator,
                "label": label,
                "needing": needing,
                "met": met,
                "realisation": realisation,
                "unit": target.unit if target else unit,
                "target": target.value if target else None,
                "mode": target.mode if target else None,
                "capaian": achieved,
                "bar": min(float(achieved), 100.0) if achieved is not None else 0.0,
                "estimated": _estimated(rows, indicator),
            }
        )
    return result


def _estimated(rows, indicator: str) -> int:
    row = rows.get((0, indicator if indicator in SPM_COMPONENTS else ALL_COMPONENTS))
    return row.persons_estimated if row else 0


def years() -> list[int]:
    found = set(db.session.scalars(select(SpmYear.year).distinct()))
    found |= set(db.session.scalars(select(Event.year).distinct()))
    return sorted(found, reverse=True)


# --- drill-down: the rows behind a number ---------------------------------------------------


def _in_shelter(shelter_key) -> bool:
    """Whether a cell is one shelter (0 = at home) rather than the kelurahan's total row."""
    return shelter_key is not None and shelter_key >= 0


def _handouts_of_cell(event_id: int, day: date, kelurahan_code: str, component: str, shelter_key):
    """Conditions on Distribution for the hand-outs counted in one dashboard cell."""
    conditions = [
        Distribution.event_id == event_id,
        Distribution.distributed_on == day,
        Distribution.kelurahan_code == kelurahan_code,
        Distribution.component == component,
    ]
    if _in_shelter(shelter_key):
        conditions.append(func.coalesce(Distribution.shelter_id, 0) == shelter_key)
    return conditions


def _victims_of_cell(event_id: int, kelurahan_code: str, component: str, shelter_key):
    """Conditions on Victim for the registered victims needing a component in one cell."""
    statuses = select(SpmMetRule.status).where(SpmMetRule.component == component)
    conditions = [
        Victim.event_id == event_id,
        Victim.kelurahan_code == kelurahan_code,
        Victim.status.in_(statuses),
    ]
    if _in_shelter(shelter_key):
        conditions.append(func.coalesce(Victim.shelter_id, 0) == shelter_key)
    return conditions


def delivered_rows(event_id: int, day: date, kelurahan_code: str, component: str, shelter_key):
    """The hand-outs behind a delivered figure."""
    cell = _handouts_of_cell(event_id, day, kelurahan_code, component, shelter_key)
    return list(db.session.scalars(select(Distribution).where(*cell).order_by(Distribution.id)))


def needing_rows(event_id: int, kelurahan_code: str, component: str, shelter_key):
    """The registered victims behind a needing figure (statuses whose rule lists the component)."""
    query = (
        select(Victim, Person)
        .join(Person, Person.id == Victim.person_id)
        .where(*_victims_of_cell(event_id, kelurahan_code, component, shelter_key))
    )
    return list(db.session.execute(query.order_by(Person.name)))


def _year_pairs(year: int, which: str) -> set[tuple[int, str]]:
    """(canonical person, component) pairs of the year: needed by status, or served."""
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    if which == "served":
        query = (
            select(canonical, Distribution.component)
            .select_from(DistributionRecipient)
            .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
            .join(Event, Event.id == Distribution.event_id)
            .join(Person, Person.id == DistributionRecipient.person_id)
        )
    else:
        query = (
            select(canonical, SpmMetRule.component)
            .select_from(Victim)
            .join(Event, Event.id == Victim.event_id)
            .join(Person, Person.id == Victim.person_id)
            .join(SpmMetRule, SpmMetRule.status == Victim.status)
        )
    return set(db.session.execute(query.where(Event.year == year).distinct()).all())


def _met_ids(year: int, component: str) -> set[int]:
    """Persons "terpenuhi" in the year, as the year table counts them (quarter 0)."""
    needs = _year_pairs(year, "needing")
    served = _year_pairs(year, "served")
    if component != ALL_COMPONENTS:
        return {pid for pid, c in needs & served if c == component}
    # All components: every component the person's statuses need was served.
    unmet = {pid for pid, c in needs - served}
    return {pid for pid, _c in needs} - unmet


def year_persons(year: int, component: str, which: str) -> list[Person]:
    """Persons behind a year figure: 'served' (got the component in the year's events),
    'needing', or 'met' (needing and served, for every needed component with 'semua')."""
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    if which == "met":
        ids = sorted(_met_ids(year, component))
        found: list[Person] = []
        for start in range(0, len(ids), 900):
            found += db.session.scalars(
                select(Person).where(Person.id.in_(ids[start : start + 900]))
            )
        return sorted(found, key=lambda p: (p.name, p.id))
    if which == "served":
        query = (
            select(canonical)
            .select_from(DistributionRecipient)
            .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
            .join(Event, Event.id == Distribution.event_id)
            .join(Person, Person.id == DistributionRecipient.person_id)
            .where(Event.year == year)
        )
        if component != ALL_COMPONENTS:
            query = query.where(Distribution.component == component)
    else:
        query = (
            select(canonical)
            .select_from(Victim)
            .join(Event, Event.id == Victim.event_id)
            .join(Person, Person.id == Victim.person_id)
            .join(SpmMetRule, SpmMetRule.status == Victim.status)
            .where(Event.year == year)
        )
        if component != ALL_COMPONENTS:
            query = query.where(SpmMetRule.component == component)
    ids = select(query.distinct().subquery().c[0])
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.name)))


def kelurahan_label(code: str) -> str:
    """'Sukamaju (36.04.01.2001)' for a drill-down heading; the code alone if unknown."""
    name = db.session.scalar(select(Area.name).where(Area.code == code)) if code else None
    return f"{name} ({code})" if name else code


def needing_households(event_id: int, kelurahan_code: str, component: str, shelter_key):
    """The households behind a KK figure: distinct households of the needing victims."""
    query = (
        select(Household, func.count(func.distinct(Person.id)))
        .select_from(Victim)
        .join(Person, Person.id == Victim.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(*_victims_of_cell(event_id, kelurahan_code, component, shelter_key))
        .group_by(Household.id)
    )
    return list(db.session.execute(query.order_by(Household.head_name, Household.id)))


def daily_row(event_id: int, day: date, kelurahan_code: str, component: str, shelter_key):
    """The one dashboard row a drill-down explains (None when the day has no such row)."""
    key = shelter_key if _in_shelter(shelter_key) else KELURAHAN
    return next(
        (
            r
            for r in needs_table(event_id, day, component, shelters=key != KELURAHAN)
            if r["kelurahan_code"] == kelurahan_code and r["shelter_key"] == key
        ),
        None,
    )


def gap_rows(event_id: int, day: date, kelurahan_code: str, component: str, shelter_key):
    """The registered victims behind a gap: needing the component, not served it that day."""
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    served = (
        select(canonical)
        .select_from(DistributionRecipient)
        .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
        .join(Person, Person.id == DistributionRecipient.person_id)
        .where(*_handouts_of_cell(event_id, day, kelurahan_code, component, shelter_key))
    )
    served_ids = set(db.session.scalars(served))
    return [
        (victim, person)
        for victim, person in needing_rows(event_id, kelurahan_code, component, shelter_key)
        if (person.merged_into_id or person.id) not in served_ids
    ]


def shelter_counts_behind(event_id: int, day: date, kelurahan_code: str, shelter_key):
    """Head counts that replace the registry in a needing figure: each shelter's latest count."""
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .where(ShelterCount.counted_on <= day)
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    query = (
        select(Shelter, ShelterCount)
        .join(latest, latest.c.shelter_id == Shelter.id)
        .join(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
        )
        .where(Shelter.event_id == event_id, Shelter.kelurahan_code == kelurahan_code)
    )
    if shelter_key is not None and shelter_key > 0:
        query = query.where(Shelter.id == shelter_key)
    return list(db.session.execute(query.order_by(Shelter.name)))


def estimated_rows(
    event_ids: list[int], component: str | None = None, scope: Scope = WHOLE_OFFICE
) -> list[dict]:
    """Rapid-assessment figures standing in for a registry (kelurahan nobody is registered in),
    of the kelurahan in the scope."""
    if not event_ids:
        return []
    rules = {status: sorted(parts) for status, parts in spm_settings.met_rules().items()}
    needs = _estimated_needs(event_ids, rules, _registered_kelurahan(event_ids))
    events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(event_ids)))}
    codes = {k[0] for per_event in needs.values() for k in per_event}
    names = dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all())
    rows = []
    for event_id, per_event in needs.items():
        by_kelurahan: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for (kelurahan, _key, part), values in per_event.items():
            by_kelurahan[kelurahan][part] = values
        for kelurahan, parts in by_kelurahan.items():
            if not scope.sees(kelurahan):
                continue
            if component and component != ALL_COMPONENTS:
                if component not in parts:
                    continue
                persons, households = parts[component]
            else:
                # As the year table counts "semua": the largest component need of the kelurahan.
                persons = max(p for p, _h in parts.values())
                households = max(h for _p, h in parts.values())
            rows.append(
                {
                    "event": events[event_id],
                    "kelurahan_code": kelurahan,
                    "kelurahan_name": names.get(kelurahan, kelurahan),
                    "persons": persons,
                    "households": households,
                }
            )
    return sorted(rows, key=lambda r: (r["event"].code, r["kelurahan_name"]))


def year_event_ids(year: int, scope: Scope = WHOLE_OFFICE) -> list[int]:
    query = select(Event.id).where(Event.year == year)
    return list(db.session.scalars(scope.narrow_covering(query, Event.area_code)))


def stock_lots(
    item_code: str, day: date | None = None, scope: Scope = WHOLE_OFFICE
) -> list[StockLot]:
    """The lots behind a stock-cover figure: the scope's active warehouses, not expired on the
    day."""
    on = day or office_today()
    query = (
        select(StockLot)
        .join(Item, Item.id == StockLot.item_id)
        .join(Warehouse, Warehouse.id == StockLot.warehouse_id)
        .where(
            Item.code == item_code,
            Warehouse.active.is_(True),
            (StockLot.expiry_date.is_(None)) | (StockLot.expiry_date >= on),
            StockLot.quantity != 0,
        )
        .order_by(Warehouse.name, StockLot.expiry_date, StockLot.id)
    )
    return list(db.session.scalars(scope.narrow(query, Warehouse.kelurahan_code)))


# The gap map's classes, in legend order: blue for over-supply, near-white for met, then a
# ramp that darkens as more of the need is unmet. Neighbouring classes differ in lightness
# (contrast 2:1 or more), so they stay apart without telling red from green.
GAP_CLASSES = (
    ("Lebih dari kebutuhan", "#2166ac"),
    ("Terpenuhi", "#f7f7f7"),
    ("Kurang dari 25% belum terpenuhi", "#fc9a52"),
    ("25–50% belum terpenuhi", "#d7301f"),
    ("Lebih dari 50% belum terpenuhi", "#67000d"),
)


def gap_class(gap: int, needing: int) -> tuple[str, str]:
    """(label, colour) of a kelurahan's gap on the map: the unmet share of the need."""
    share = gap / (needing or 1)
    if share <= 0:
        return GAP_CLASSES[0] if share < 0 else GAP_CLASSES[1]
    if share < 0.25:
        return GAP_CLASSES[2]
    return GAP_CLASSES[3] if share < 0.5 else GAP_CLASSES[4]


def gap_map(event_id: int, day: date, component: str, scope: Scope = WHOLE_OFFICE):
    """A choropleth of the day's gap per kelurahan for one component; None without boundaries."""
    import folium
    import shapely

    from geo.maps import add_approximate_notice, render_map_html
    from logistics.areas.maps import use_local_assets

    rows = needs_table(event_id, day, component, scope=scope)
    if not rows:
        return None
    by_code = {r["kelurahan_code"]: r for r in rows}
    shapes = db.session.execute(
        select(Area.code, Area.geometry_wkb, Area.approximate).where(
            Area.code.in_(by_code), Area.geometry_wkb.is_not(None)
        )
    ).all()
    if not shapes:
        return None
    features = []
    for code, wkb, _approximate in shapes:
        row = by_code[code]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "nama": row["kelurahan_name"],
                    "membutuhkan": row["persons_needing"],
                    "tersalurkan": row["delivered"],
                    "kesenjangan": row["gap"],
                    "keadaan": gap_class(row["gap"], row["persons_needing"])[0],
                },
                "geometry": shapely.geometry.mapping(shapely.from_wkb(wkb)),
            }
        )

    def style(feature):
        props = feature["properties"]
        _label, colour = gap_class(props["kesenjangan"], props["membutuhkan"])
        return {"fillColor": colour, "color": "#333", "weight": 1, "fillOpacity": 0.85}

    collection = {"type": "FeatureCollection", "features": features}
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True)
    layer = folium.GeoJson(
        collection,
        name=f"Kesenjangan {SPM_COMPONENTS.get(component, component)}",
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["nama", "membutuhkan", "tersalurkan", "kesenjangan", "keadaan"],
            aliases=["Kelurahan/desa", "Membutuhkan", "Tersalurkan", "Kesenjangan", "Keadaan"],
        ),
    )
    layer.add_to(fmap)
    folium.LayerControl().add_to(fmap)
    if any(approximate for _c, _w, approximate in shapes):
        add_approximate_notice(fmap)
    bounds = shapely.union_all([shapely.from_wkb(w) for _c, w, _a in shapes]).bounds
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    use_local_assets(fmap)
    return render_map_html(fmap)
