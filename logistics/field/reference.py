"""Reference data for the field app: the user's deployments, households, shelters, stock, items."""

import hashlib
import json
from collections import defaultdict

from sqlalchemy import func, select

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.models import Area
from logistics.core import inputs
from logistics.core.demography import age_group
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import zone_name
from logistics.core.office import office_info
from logistics.core.privacy import mask_nik
from logistics.core.scope import NOT_FOUND, WHOLE_OFFICE, Scope
from logistics.core.time import office_now, office_today, utcnow
from logistics.events.models import Event
from logistics.shelters.models import Shelter, ShelterCount
from logistics.stock import wilayah
from logistics.stock.models import Item, StockLot, Warehouse
from logistics.tagana.models import Deployment, TaganaMember
from logistics.victims.models import Household, Person, Victim

# The SPM component an item is usually handed out under, by catalogue category.
CATEGORY_COMPONENT = {
    "pangan": "permakanan",
    "sandang": "sandang",
    "hunian": "tempat_penampungan",
}


def _iso(value) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "+00:00"


def reference_for(user, *, event_id=None, since=None) -> dict:
    """What the phone keeps for offline work: only the user's deployments' events and areas
    (an office role: the event it asks for), NIK masked. `since` equal to the current version
    answers {"version", "unchanged": true} so the phone downloads nothing."""
    deployments = _deployments(user)
    # A scoped user's phone holds only their wilayah's families, shelters and warehouses.
    scope = getattr(user, "scope", None) or WHOLE_OFFICE
    if user.role in OFFICE_ROLES:
        event = _event(event_id)
        if not scope.sees_covering(event.area_code):
            raise NotFound(NOT_FOUND, field="event_id")
        events, areas = [event], None
    else:
        events = _events({d.event_id for d in deployments})
        areas = {code for d in deployments for code in _deployment_areas(d) if code}
    event_ids = [e.id for e in events]
    data = {
        "deployments": [_deployment_json(d) for d in deployments],
        "events": [{"id": e.id, "name": e.title, "code": e.code} for e in events],
        "households": _households(event_ids, areas, scope),
        "shelters": _shelters(event_ids, areas, scope),
        "warehouses": _warehouses(deployments, areas, scope),
        "items": _items(),
    }
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    version = hashlib.sha256(text.encode()).hexdigest()[:20]
    if since and str(since) == version:
        return {"version": version, "unchanged": True}
    return {
        "version": version,
        "unchanged": False,
        "generated_at": _iso(utcnow()),
        "label": f"data per {office_now():%H.%M} {zone_name(office_info().timezone)}".strip(),
        "user": {
            "id": user.id,
            "username": user.username,
            "name": user.full_name,
            "role": user.role,
        },
        **data,
    }


def _event(event_id) -> Event:
    number = inputs.whole_number(event_id, "event_id", "Kejadian bencana")
    if number is None:
        raise DomainError(
            "Pilih kejadian bencana (event_id) untuk data lapangan.", field="event_id"
        )
    event = db.session.get(Event, number)
    if event is None:
        raise NotFound(f"Kejadian bencana #{number} tidak ditemukan.", field="event_id")
    return event


def _events(ids: set[int]) -> list[Event]:
    if not ids:
        return []
    return list(db.session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)))


def _deployments(user) -> list[Deployment]:
    """The user's own deployments that are not cancelled or finished."""
    query = (
        select(Deployment)
        .join(TaganaMember, TaganaMember.id == Deployment.member_id)
        .where(
            TaganaMember.user_id == user.id,
            Deployment.status.not_in(("dibatalkan", "selesai")),
        )
        .order_by(Deployment.starts_at)
    )
    return list(db.session.scalars(query))


def _deployment_areas(deployment: Deployment) -> list[str | None]:
    shelter = db.session.get(Shelter, deployment.shelter_id) if deployment.shelter_id else None
    return [deployment.kelurahan_code, shelter.kelurahan_code if shelter else None]


def _deployment_json(d: Deployment) -> dict:
    codes = [c for c in _deployment_areas(d) if c]
    area_name = db.session.scalar(select(Area.name).where(Area.code == codes[0])) if codes else None
    event = db.session.get(Event, d.event_id)
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event_name": event.title if event else "",
        "area_code": codes[0] if codes else None,
        "area_name": area_name or "",
        "shelter_id": d.shelter_id,
        "warehouse_id": d.warehouse_id,
        "starts_at": _iso(d.starts_at),
        "ends_at": _iso(d.ends_at),
        "status": d.status,
        "checked_in_at": _iso(d.checked_in_at),
        "checked_out_at": _iso(d.checked_out_at),
    }


def _households(event_ids: list[int], areas: set[str] | None, scope: Scope) -> list[dict]:
    """Households with a member registered in the events, in the areas; members' NIK masked."""
    if not event_ids or areas == set():
        return []
    victims = select(Victim.person_id).where(Victim.event_id.in_(event_ids))
    victims = scope.narrow(victims, Victim.kelurahan_code)
    if areas is not None:
        victims = victims.where(Victim.kelurahan_code.in_(sorted(areas)))
    query = (
        select(Person, Household)
        .join(Household, Household.id == Person.household_id)
        .where(
            Person.merged_into_id.is_(None),
            Person.household_id.in_(select(Person.household_id).where(Person.id.in_(victims))),
        )
        .order_by(Household.id, Person.id)
    )
    today = office_today()
    found: dict[int, dict] = {}
    for person, household in db.session.execute(query):
        entry = found.get(household.id)
        if entry is None:
            entry = found[household.id] = {
                "id": household.id,
                "kk_masked": mask_nik(household.no_kk) or None,
                "head_name": household.head_name,
                "address": household.address,
                "area_code": household.kelurahan_code,
                "members": [],
            }
        entry["members"].append(
            {
                "id": person.id,
                "name": person.name,
                "nik_masked": mask_nik(person.nik) or None,
                "age_group": age_group(person.birth_date, today),
            }
        )
    return list(found.values())


def _shelters(event_ids: list[int], areas: set[str] | None, scope: Scope) -> list[dict]:
    if not event_ids or areas == set():
        return []
    query = select(Shelter).where(Shelter.event_id.in_(event_ids), Shelter.status == "buka")
    query = scope.narrow(query, Shelter.kelurahan_code)
    if areas is not None:
        query = query.where(Shelter.kelurahan_code.in_(sorted(areas)))
    shelters = list(db.session.scalars(query.order_by(Shelter.name)))
    latest = {}
    if shelters:
        rows = db.session.execute(
            select(ShelterCount.shelter_id, ShelterCount.persons, ShelterCount.counted_on)
            .where(ShelterCount.shelter_id.in_([s.id for s in shelters]))
            .order_by(ShelterCount.counted_on)
        )
        latest = {sid: {"persons": n, "counted_on": day.isoformat()} for sid, n, day in rows}
    return [
        {
            "id": s.id,
            "name": s.name,
            "area_code": s.kelurahan_code,
            "capacity": s.capacity,
            "last_count": latest.get(s.id),
        }
        for s in shelters
    ]


def _warehouses(deployments: list[Deployment], areas: set[str] | None, scope: Scope) -> list[dict]:
    """The deployments' posko warehouses and those in their areas (an office role: all), of
    those the user's scope sees."""
    query = wilayah.narrow(select(Warehouse), scope)
    if areas is not None:
        named = {d.warehouse_id for d in deployments if d.warehouse_id}
        query = query.where(
            Warehouse.id.in_(sorted(named)) | Warehouse.kelurahan_code.in_(sorted(areas))
        )
    warehouses = list(db.session.scalars(query.order_by(Warehouse.name)))
    if not warehouses:
        return []
    today = office_today()
    stock = defaultdict(list)
    rows = db.session.execute(
        select(StockLot.warehouse_id, StockLot.item_id, func.sum(StockLot.quantity))
        .where(
            StockLot.warehouse_id.in_([w.id for w in warehouses]),
            StockLot.quantity > 0,
            StockLot.expiry_date.is_(None) | (StockLot.expiry_date >= today),
        )
        .group_by(StockLot.warehouse_id, StockLot.item_id)
        .order_by(StockLot.warehouse_id, StockLot.item_id)
    )
    for warehouse_id, item_id, total in rows:
        number = int(total) if total == int(total) else float(total)
        stock[warehouse_id].append({"item_id": item_id, "available": number})
    return [{"id": w.id, "name": w.name, "stock": stock[w.id]} for w in warehouses]


def _items() -> list[dict]:
    items = db.session.scalars(select(Item).where(Item.active.is_(True)).order_by(Item.name))
    return [
        {
            "id": i.id,
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "component": CATEGORY_COMPONENT.get(i.category),
        }
        for i in items
    ]
