"""The roster board of an event: who is where doing what, the gaps at open shelters and the
members suggested to fill them."""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from logistics.areas import kab_kota as kab_kota_areas
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope, in_area, within
from logistics.core.time import utcnow
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Warehouse
from logistics.tagana.deployments import (
    PHASES,
    deployment_area,
    deployment_phase,
    effective_period,
    get_event,
    overlaps,
)
from logistics.tagana.members import get_competency
from logistics.tagana.models import PLACE_KINDS, Competency, Deployment, TaganaMember, Vehicle
from logistics.tagana.places import label_points, place_label, place_names

# The competency a place needs by default, for the suggestions on the roster board.
PLACE_COMPETENCY = {
    "shelter": "shelter",
    "dapur_umum": "dapur_umum",
    "gudang": "logistik",
    "kelurahan": "assessment",
    "posko": "komunikasi",
}


# A suggested member must be free for one working shift from now, not just this minute: a
# member due elsewhere in two hours is no answer to an empty shelter.
SHIFT = timedelta(hours=12)
SUGGESTIONS_PER_GAP = 5
# A member arriving a little after the planned start is not yet "late" on the board.
CHECK_IN_GRACE = timedelta(minutes=30)


@dataclass
class BoardEntry:
    """One deployment as the roster board shows it."""

    deployment: Deployment
    member: TaganaMember
    phase: str
    place_key: tuple
    place_label: str
    vehicle_plate: str = ""
    # Planned start passed (beyond the grace) and no check-in: the coordinator should call.
    late: bool = False
    kab_kota: str = ""  # the kab/kota the place lies in ("" for a province-wide place)

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]


@dataclass
class Suggestion:
    """An active member free for the next shift who has the competency a place needs."""

    member: TaganaMember
    kelurahan_name: str
    distance_km: float | None


@dataclass
class BoardPlace:
    """A place of the event and who is there: on duty now, planned, finished."""

    key: tuple
    kind: str
    label: str
    lat: float | None
    lng: float | None
    shelter_id: int | None = None
    kelurahan_code: str | None = None
    warehouse_id: int | None = None
    kab_kota: str = ""  # the kab/kota the place lies in ("" for a province-wide place)
    on_duty: list[BoardEntry] = field(default_factory=list)
    planned: list[BoardEntry] = field(default_factory=list)
    finished: list[BoardEntry] = field(default_factory=list)
    # Open shelter of the event with nobody on duty now.
    gap: bool = False
    persons: int | None = None  # the shelter's latest head count
    counted_on: date | None = None  # None: no head count yet
    competency: Competency | None = None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.kind, self.kind)


@dataclass
class KabKotaLine:
    """One kab/kota's share of a board: what a provinsi office reads first."""

    code: str
    name: str
    on_duty: int = 0
    planned: int = 0
    gaps: int = 0


@dataclass
class RosterBoard:
    """Who is where doing what for one event, at one moment (within a scope, and one kab/kota
    when `kab_kota` is set)."""

    event: Event
    now: datetime
    places: list[BoardPlace]
    by_role: dict[str, list[BoardEntry]]
    entries: list[BoardEntry]
    kab_kota: str = ""
    # Per kab/kota, for a provinsi office (empty for a kab/kota office: one line would repeat).
    kab_kota_lines: list[KabKotaLine] = field(default_factory=list)

    @property
    def gaps(self) -> list[BoardPlace]:
        return [p for p in self.places if p.gap]

    def count(self, phase: str) -> int:
        return sum(1 for e in self.entries if e.phase == phase)

    @property
    def finished_count(self) -> int:
        return self.count("selesai") + self.count("menunggu_laporan")

    @property
    def members_on_duty(self) -> int:
        return len({e.member.id for e in self.entries if e.phase == "bertugas"})


def _place_key(deployment: Deployment) -> tuple:
    if deployment.place_kind == "shelter":
        return ("shelter", deployment.shelter_id)
    if deployment.place_kind == "kelurahan":
        return ("kelurahan", deployment.kelurahan_code)
    if deployment.place_kind == "gudang" and deployment.warehouse_id:
        return ("warehouse", deployment.warehouse_id)
    return (
        deployment.place_kind,
        deployment.shelter_id,
        deployment.kelurahan_code,
        (deployment.place_name or "").strip().lower(),
    )


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    # Straight-line distance on the sphere: good enough to rank who lives nearest.
    radius = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def free_member_ids(member_ids: Iterable[int], start: datetime, end: datetime | None) -> set[int]:
    """Those of the members with no deployment (in any event) taking them during the period."""
    ids = set(member_ids)
    if not ids:
        return set()
    busy = set()
    rows = db.session.scalars(
        select(Deployment).where(
            Deployment.member_id.in_(ids),
            Deployment.status != "dibatalkan",
            or_(Deployment.checked_out_at.is_(None), Deployment.checked_out_at > start),
        )
    )
    for deployment in rows:
        other_start, other_end = effective_period(deployment)
        if overlaps(start, end, other_start, other_end):
            busy.add(deployment.member_id)
    return ids - busy


def suggest_members(
    competency_code: str,
    *,
    lat: float | None = None,
    lng: float | None = None,
    at: datetime | None = None,
    limit: int = SUGGESTIONS_PER_GAP,
    scope: Scope = WHOLE_OFFICE,
) -> list[Suggestion]:
    """Active members with the competency the scope sees, free for the next shift from `at`
    (default now), nearest home kelurahan first (straight line between the kelurahan's label
    point and the place); members without a home kelurahan come last, by name."""
    at = at or utcnow()
    query = (
        select(TaganaMember)
        .where(
            TaganaMember.active.is_(True),
            TaganaMember.competencies.any(Competency.code == competency_code),
        )
        .order_by(TaganaMember.name)
    )
    members = list(
        db.session.scalars(scope.narrow_covering(query, TaganaMember.home_kelurahan_code))
    )
    free = free_member_ids([m.id for m in members], at, at + SHIFT)
    points = label_points(m.home_kelurahan_code for m in members)
    suggestions = []
    for member in members:
        if member.id not in free:
            continue
        point = points.get(member.home_kelurahan_code or "")
        distance = None
        if point and lat is not None and lng is not None and point[0] is not None:
            distance = round(_haversine_km(lat, lng, point[0], point[1]), 1)
        suggestions.append(Suggestion(member, point[2] if point else "", distance))
    suggestions.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.member.name))
    return suggestions[:limit]


def roster_board(
    event_id: int,
    *,
    now: datetime | None = None,
    scope: Scope = WHOLE_OFFICE,
    kab_kota: str = "",
) -> RosterBoard:
    """The roster board of an event: places with who is on duty now, planned and finished,
    the same entries by role, and every open shelter of the event with nobody on duty as a gap,
    with suggested members who have the competency the place needs. Only the places the scope
    sees (a province-wide place is seen by all), and of one kab/kota when `kab_kota` is set."""
    from logistics.shelters.lists import shelter_summaries

    now = now or utcnow()
    event = get_event(event_id)
    query = (
        select(Deployment)
        .join(Event, Event.id == Deployment.event_id)
        .where(Deployment.event_id == event.id, Deployment.status != "dibatalkan")
        .order_by(Deployment.starts_at, Deployment.id)
    )
    query = scope.narrow_covering(query, deployment_area())
    if kab_kota:
        query = query.where(in_area(deployment_area(), kab_kota))
    deployments = list(db.session.scalars(query))
    summaries = [
        s
        for s in shelter_summaries(event.id, scope=scope)
        if s.status == "buka" and (not kab_kota or within(s.kelurahan_code, (kab_kota,)))
    ]
    locator = _Locator.load(deployments, summaries)
    places, entries = _deployment_places(deployments, locator, now, event.area_code)
    _open_shelters(places, summaries, locator, now, scope)
    kind_order = list(PLACE_KINDS)
    ordered = sorted(
        places.values(), key=lambda p: (not p.gap, kind_order.index(p.kind), p.label.lower())
    )
    by_role: dict[str, list[BoardEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.deployment.role.lower(), e.member.name)):
        by_role[entry.deployment.role].append(entry)
    return RosterBoard(
        event=event,
        now=now,
        places=ordered,
        by_role=dict(by_role),
        entries=entries,
        kab_kota=kab_kota,
        kab_kota_lines=_kab_kota_lines(ordered) if kab_kota_areas.by_kab_kota() else [],
    )


def _kab_kota_lines(places: list[BoardPlace]) -> list[KabKotaLine]:
    """On duty, planned and gaps per kab/kota, in code order; province-wide places last."""
    lines: dict[str, KabKotaLine] = {}
    for place in places:
        line = lines.setdefault(place.kab_kota, KabKotaLine(place.kab_kota, ""))
        line.on_duty += len(place.on_duty)
        line.planned += len(place.planned)
        line.gaps += place.gap
    names = kab_kota_areas.names_of(lines)
    for line in lines.values():
        line.name = names.get(line.code, line.code) if line.code else "Tingkat provinsi"
    return sorted(lines.values(), key=lambda line: (not line.code, line.code))


@dataclass
class _Locator:
    """Where the places of a board are: shelters and warehouses where they say they are, else
    at their kelurahan's label point."""

    shelters: dict[int, tuple]
    warehouses: dict[int, Warehouse]
    points: dict[str, tuple[float, float, str]]

    @classmethod
    def load(cls, deployments: list[Deployment], summaries: list) -> "_Locator":
        shelters = {
            s.id: (s.name, s.lat, s.lng, s.kelurahan_code, s.status)
            for s in db.session.scalars(
                select(Shelter).where(
                    Shelter.id.in_({d.shelter_id for d in deployments if d.shelter_id})
                )
            )
        }
        for summary in summaries:
            shelters.setdefault(
                summary.id,
                (summary.name, summary.lat, summary.lng, summary.kelurahan_code, summary.status),
            )
        warehouses = {
            w.id: w
            for w in db.session.scalars(
                select(Warehouse).where(
                    Warehouse.id.in_({d.warehouse_id for d in deployments if d.warehouse_id})
                )
            )
        }
        points = label_points(
            [d.kelurahan_code for d in deployments]
            + [s[3] for s in shelters.values()]
            + [w.kelurahan_code for w in warehouses.values()]
        )
        return cls(shelters, warehouses, points)

    def locate(self, shelter_id, code, warehouse_id=None) -> tuple[float | None, float | None]:
        warehouse = self.warehouses.get(warehouse_id) if warehouse_id else None
        if warehouse is not None:
            # A registered warehouse is where it says it is, else at its kelurahan.
            if warehouse.lat is not None and warehouse.lng is not None:
                return warehouse.lat, warehouse.lng
            point = self.points.get(warehouse.kelurahan_code or "")
            if point and point[0] is not None:
                return point[0], point[1]
        if shelter_id and shelter_id in self.shelters:
            _name, lat, lng, shelter_code, _status = self.shelters[shelter_id]
            if lat is not None and lng is not None:
                return lat, lng
            code = code or shelter_code
        point = self.points.get(code or "")
        return (point[0], point[1]) if point else (None, None)

    def area(self, deployment: Deployment, event_area: str | None) -> str | None:
        """Where a deployment lies, as `deployment_area` says in SQL."""
        warehouse = self.warehouses.get(deployment.warehouse_id or 0)
        shelter = self.shelters.get(deployment.shelter_id or 0)
        return (
            deployment.kelurahan_code
            or (shelter[3] if shelter else None)
            or (warehouse.kelurahan_code if warehouse else None)
            or event_area
        )


def _deployment_places(
    deployments: list[Deployment], locator: _Locator, now: datetime, event_area: str | None
) -> tuple[dict[tuple, BoardPlace], list[BoardEntry]]:
    """The places the deployments go to, each with its entries by phase, and all entries."""
    names = place_names(deployments)
    plates = dict(
        db.session.execute(
            select(Vehicle.id, Vehicle.plate).where(
                Vehicle.id.in_({d.vehicle_id for d in deployments if d.vehicle_id})
            )
        ).all()
    )
    places: dict[tuple, BoardPlace] = {}
    entries = []
    for deployment in deployments:
        key = _place_key(deployment)
        label = place_label(deployment, names)
        place = places.get(key)
        if place is None:
            warehouse_id = key[1] if key[0] == "warehouse" else None
            lat, lng = locator.locate(
                deployment.shelter_id, deployment.kelurahan_code, warehouse_id
            )
            place = places[key] = BoardPlace(
                key=key,
                kind=deployment.place_kind,
                label=label,
                lat=lat,
                lng=lng,
                shelter_id=deployment.shelter_id,
                kelurahan_code=deployment.kelurahan_code,
                warehouse_id=warehouse_id,
                kab_kota=kab_kota_areas.kab_kota_of(locator.area(deployment, event_area)),
            )
        phase = deployment_phase(deployment)
        entry = BoardEntry(
            deployment=deployment,
            member=deployment.member,
            phase=phase,
            place_key=key,
            place_label=label,
            vehicle_plate=plates.get(deployment.vehicle_id, ""),
            late=phase == "direncanakan" and deployment.starts_at + CHECK_IN_GRACE <= now,
            kab_kota=place.kab_kota,
        )
        entries.append(entry)
        if phase == "bertugas":
            place.on_duty.append(entry)
        elif phase == "direncanakan":
            place.planned.append(entry)
        else:
            place.finished.append(entry)
    return places, entries


def _open_shelters(
    places: dict[tuple, BoardPlace],
    summaries: list,
    locator: _Locator,
    now: datetime,
    scope: Scope,
) -> None:
    """Every open shelter of the event on the board, with its head count; one with nobody on
    duty is a gap, with the members suggested to fill it."""
    shelter_competency = get_competency(PLACE_COMPETENCY["shelter"])
    for summary in summaries:
        key = ("shelter", summary.id)
        place = places.get(key)
        if place is None:
            lat, lng = locator.locate(summary.id, summary.kelurahan_code)
            place = places[key] = BoardPlace(
                key=key,
                kind="shelter",
                label=f"{PLACE_KINDS['shelter']}: {summary.name}",
                lat=lat,
                lng=lng,
                shelter_id=summary.id,
                kelurahan_code=summary.kelurahan_code,
                kab_kota=kab_kota_areas.kab_kota_of(summary.kelurahan_code),
            )
        place.persons = summary.persons
        place.counted_on = summary.counted_on
        if not place.on_duty:
            place.gap = True
            place.competency = shelter_competency
            if shelter_competency is not None:
                place.suggestions = suggest_members(
                    shelter_competency.code, lat=place.lat, lng=place.lng, at=now, scope=scope
                )


def board_map_places(board: RosterBoard, url_for_deployment=None) -> list[dict]:
    """Plain dicts for geo.deployment_map: one per place with a location, who is there."""
    result = []
    for place in board.places:
        if place.lat is None or place.lng is None:
            continue
        people = [
            {
                "name": e.member.name,
                "role": e.deployment.role,
                "state": e.phase,
                "state_label": e.phase_label,
                "url": url_for_deployment(e.deployment.id) if url_for_deployment else "",
            }
            for e in place.on_duty + place.planned + place.finished
        ]
        if place.on_duty:
            state = "bertugas"
        elif place.gap:
            state = "kosong"
        elif place.planned:
            state = "direncanakan"
        else:
            state = "selesai"
        result.append(
            {
                "name": place.label,
                "kind": place.kind_label,
                "lat": place.lat,
                "lng": place.lng,
                "state": state,
                "people": people,
            }
        )
    return result
