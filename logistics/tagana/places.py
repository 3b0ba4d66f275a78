"""Where Tagana members are sent: place labels and names, the areas, shelters, warehouses and
events the deployment pages choose from."""

from collections.abc import Iterable, Mapping

from sqlalchemy import or_, select

from logistics.areas.models import Area
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Warehouse
from logistics.stock.models.catalogue import WAREHOUSE_TIERS
from logistics.tagana.models import PLACE_KINDS, Deployment
from logistics.tagana.parsing import parse_id


def event_label(event_id: int) -> str:
    event = db.session.get(Event, event_id)
    return f"{event.code} {event.title}" if event else f"kejadian {event_id}"


def place_label(deployment: Deployment, names: Mapping | None = None) -> str:
    """'Tempat pengungsian: SDN Margahayu 1', 'Dapur umum: Dapur Masjid Al-Ikhlas', ..."""
    kind = PLACE_KINDS.get(deployment.place_kind, deployment.place_kind)
    names = names or {}
    shelter_name = ""
    if deployment.shelter_id:
        shelter_name = names.get(("shelter", deployment.shelter_id)) or _shelter_name(
            deployment.shelter_id
        )
    area_name = ""
    if deployment.kelurahan_code:
        area_name = names.get(("area", deployment.kelurahan_code)) or _area_name(
            deployment.kelurahan_code
        )
    if deployment.place_kind == "shelter":
        return f"{kind}: {shelter_name}"
    if deployment.place_kind == "kelurahan":
        return f"{kind}: {area_name}"
    if deployment.place_kind == "gudang" and deployment.warehouse_id:
        warehouse_name = names.get(("warehouse", deployment.warehouse_id)) or _warehouse_name(
            deployment.warehouse_id
        )
        if warehouse_name:
            return f"{kind}: {warehouse_name}"
    parts = [deployment.place_name or ""]
    if shelter_name:
        parts.append(f"di {shelter_name}")
    elif area_name:
        parts.append(f"Kel. {area_name}")
    return f"{kind}: " + " ".join(p for p in parts if p)


def _shelter_name(shelter_id: int) -> str:
    return db.session.scalar(select(Shelter.name).where(Shelter.id == shelter_id)) or ""


def _warehouse_name(warehouse_id: int) -> str:
    return db.session.scalar(select(Warehouse.name).where(Warehouse.id == warehouse_id)) or ""


def _area_name(code: str) -> str:
    return db.session.scalar(select(Area.name).where(Area.code == code)) or code


def place_names(deployments: Iterable[Deployment]) -> dict:
    """Shelter, warehouse and kelurahan names of many deployments in three queries at most
    (for lists and exports)."""
    deployments = list(deployments)
    shelter_ids = {d.shelter_id for d in deployments if d.shelter_id}
    codes = {d.kelurahan_code for d in deployments if d.kelurahan_code}
    warehouse_ids = {d.warehouse_id for d in deployments if d.warehouse_id}
    names: dict = {}
    if warehouse_ids:
        for warehouse_id, name in db.session.execute(
            select(Warehouse.id, Warehouse.name).where(Warehouse.id.in_(warehouse_ids))
        ):
            names[("warehouse", warehouse_id)] = name
    if shelter_ids:
        for shelter_id, name in db.session.execute(
            select(Shelter.id, Shelter.name).where(Shelter.id.in_(shelter_ids))
        ):
            names[("shelter", shelter_id)] = name
    for code, name in area_names(codes).items():
        names[("area", code)] = name
    return names


def area_names(codes: Iterable[str | None]) -> dict[str, str]:
    """code -> name of the given areas, in one query."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(wanted))).all())


def get_warehouse(value, field: str = "warehouse_id", label: str = "Gudang") -> Warehouse | None:
    """The warehouse with this id (None for a blank value), or DomainError on the field."""
    warehouse_id = parse_id(value, field, label)
    if warehouse_id is None:
        return None
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise DomainError(
            f"{label} {warehouse_id} tidak ditemukan di daftar gudang; pilih gudang yang "
            "terdaftar.",
            field=field,
        )
    return warehouse


def warehouse_choices(
    include_id: int | None = None, scope: Scope = WHOLE_OFFICE
) -> list[Warehouse]:
    """Active warehouses of the wilayah (and the current one) for the deployment form, by tier
    and name."""
    query = select(Warehouse).where(
        or_(Warehouse.active.is_(True), Warehouse.id == (include_id or -1))
    )
    query = scope.narrow_covering(query, Warehouse.kelurahan_code)
    tiers = list(WAREHOUSE_TIERS)
    found = db.session.scalars(query.order_by(Warehouse.name, Warehouse.code))
    return sorted(found, key=lambda w: tiers.index(w.tier) if w.tier in tiers else len(tiers))


def shelter_choices(
    event_id: int, include_id: int | None = None, scope: Scope = WHOLE_OFFICE
) -> list[Shelter]:
    """Open shelters of the event or of no event (and the current one) in the wilayah, for a
    select."""
    query = scope.narrow(select(Shelter), Shelter.kelurahan_code).where(
        or_(
            Shelter.id == (include_id or -1),
            (Shelter.status == "buka")
            & or_(Shelter.event_id == event_id, Shelter.event_id.is_(None)),
        )
    )
    return list(db.session.scalars(query.order_by(Shelter.name)))


def recent_events(
    limit: int = 50, *, open_only: bool = False, scope: Scope = WHOLE_OFFICE
) -> list[Event]:
    """Events over the wilayah, newest first; open_only leaves out closed ones (pasca bencana)."""
    query = scope.narrow_covering(select(Event), Event.area_code)
    if open_only:
        query = query.where(Event.closed_at.is_(None))
    return list(db.session.scalars(query.order_by(Event.started_at.desc()).limit(limit)))


def label_points(codes: Iterable[str | None]) -> dict[str, tuple[float, float, str]]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Area.code, Area.label_lat, Area.label_lng, Area.name).where(Area.code.in_(wanted))
    )
    return {code: (lat, lng, name) for code, lat, lng, name in rows}
