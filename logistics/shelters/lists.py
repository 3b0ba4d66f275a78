"""Shelter lists, summaries, totals per day, and the pick lists and outlines of the pages."""

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import geopandas as gpd
import shapely
from sqlalchemy import func, select

from geo.maps import simplify_for_zoom, to_geojson
from geo.shelter_map import occupancy_band
from logistics.areas.models import Area
from logistics.areas.search import area_above_kelurahan
from logistics.areas.services import _revision, require_kelurahan
from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope, in_area
from logistics.core.time import office_date, office_today
from logistics.events.models import Event
from logistics.shelters.checks import WARNING_BADGES, check_shelter
from logistics.shelters.models import SHELTER_KINDS, Shelter, ShelterCount
from logistics.shelters.services import STATUSES, parse_kind

SORTS = {"sisa": "Sisa kapasitas terbanyak", "okupansi": "Paling penuh", "nama": "Nama"}


@dataclass
class ShelterSummary:
    """What a list or a map needs to know about one shelter today."""

    id: int
    name: str
    kind: str
    status: str
    event_id: int | None
    kelurahan_code: str
    lat: float | None
    lng: float | None
    capacity: int
    persons: int  # the latest head count, 0 if none yet
    households: int
    counted_on: date | None
    warnings: list[str] = field(default_factory=list)
    # Added for the shelter list and its export; defaults keep older callers working.
    kelurahan_name: str = ""
    address: str = ""
    floor_area_m2: Decimal | None = None
    toilets: int = 0
    water_points: int = 0
    has_dapur_umum: bool = False
    warning_codes: list[str] = field(default_factory=list)

    @property
    def occupancy(self) -> float | None:
        """Persons / capacity (1.0 = full); None when the capacity is unknown (0)."""
        return self.persons / self.capacity if self.capacity else None

    @property
    def free(self) -> int:
        return max(self.capacity - self.persons, 0)

    @property
    def band(self) -> str:
        """Occupancy band for colours: longgar, hampir_penuh, melebihi, tutup, tanpa_kapasitas."""
        return occupancy_band(self.persons, self.capacity, self.status)

    @property
    def kind_label(self) -> str:
        return SHELTER_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def badges(self) -> list[tuple[str, str]]:
        """(short label, full message) of each warning, for the list's badges."""
        return [
            (WARNING_BADGES.get(code, code), message)
            for code, message in zip(self.warning_codes, self.warnings, strict=False)
        ]


@dataclass
class ShelterTotals:
    """Shelters counted both ways plans count them: units open and persons sheltered."""

    day: date
    units: int  # shelters open at the end of the day
    persons: int  # sum of each open shelter's latest head count on or before the day
    households: int


@dataclass
class ShelterRow:
    """A shelter with its latest head count and its kelurahan's name."""

    shelter: Shelter
    count: ShelterCount | None
    kelurahan_name: str


def _filters(kelurahan_code, status, kind) -> dict:
    filters = {}
    if not inputs.is_blank(kelurahan_code):
        # A kecamatan or kab/kota picked in the filter keeps the shelters inside it.
        above = area_above_kelurahan(kelurahan_code)
        filters["kelurahan_code"] = above or require_kelurahan(kelurahan_code).code
    if not inputs.is_blank(status):
        if status not in STATUSES:
            raise DomainError("Status harus 'buka' atau 'tutup'.", field="status")
        filters["status"] = status
    if not inputs.is_blank(kind):
        filters["kind"] = parse_kind(kind)
    return filters


def list_shelters(
    event_id: int | None = None,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    scope: Scope = WHOLE_OFFICE,
) -> list[ShelterRow]:
    """Shelters (filtered, within the user's scope) with their latest head count, by name."""
    filters = _filters(kelurahan_code, status, kind)
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    query = (
        select(Shelter, ShelterCount, Area.name)
        .outerjoin(latest, latest.c.shelter_id == Shelter.id)
        .outerjoin(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
        )
        .outerjoin(Area, Area.code == Shelter.kelurahan_code)
        .order_by(Shelter.name, Shelter.id)
    )
    query = scope.narrow(query, Shelter.kelurahan_code)
    if event_id is not None:
        query = query.where(Shelter.event_id == event_id)
    for key, value in filters.items():
        column = getattr(Shelter, key)
        query = query.where(in_area(column, value) if key == "kelurahan_code" else column == value)
    return [ShelterRow(s, c, name or "") for s, c, name in db.session.execute(query)]


def shelter_summaries(
    event_id: int | None = None,
    *,
    kelurahan_code: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    scope: Scope = WHOLE_OFFICE,
) -> list[ShelterSummary]:
    """Every shelter (of one event when given) with its latest head count and its warnings."""
    summaries = []
    rows = list_shelters(
        event_id, kelurahan_code=kelurahan_code, status=status, kind=kind, scope=scope
    )
    for row in rows:
        shelter, count = row.shelter, row.count
        checks = check_shelter(shelter, count)
        summaries.append(
            ShelterSummary(
                id=shelter.id,
                name=shelter.name,
                kind=shelter.kind,
                status=shelter.status,
                event_id=shelter.event_id,
                kelurahan_code=shelter.kelurahan_code,
                lat=shelter.lat,
                lng=shelter.lng,
                capacity=shelter.capacity,
                persons=count.persons if count else 0,
                households=count.households if count else 0,
                counted_on=count.counted_on if count else None,
                warnings=[message for _code, message in checks],
                warning_codes=[code for code, _message in checks],
                kelurahan_name=row.kelurahan_name,
                address=shelter.address,
                floor_area_m2=shelter.floor_area_m2,
                toilets=shelter.toilets,
                water_points=shelter.water_points,
                has_dapur_umum=shelter.has_dapur_umum,
            )
        )
    return summaries


def sort_summaries(summaries: list[ShelterSummary], order: str = "sisa") -> list[ShelterSummary]:
    """Order a list: "sisa" most free places first, "okupansi" fullest first, "nama" by name.

    Closed shelters come last in "sisa" and "okupansi": they take nobody, whatever is free.
    """
    by_name = sorted(summaries, key=lambda s: (s.name.casefold(), s.id))
    if order == "nama":
        return by_name
    if order == "okupansi":
        return sorted(
            by_name,
            key=lambda s: (s.status != "buka", s.occupancy is None, -(s.occupancy or 0)),
        )
    # Over-full shelters sort below full ones by how far over they are.
    return sorted(by_name, key=lambda s: (s.status != "buka", -(s.capacity - s.persons)))


def _open_at_end_of(shelter_opened: date, shelter_closed: date | None, day: date) -> bool:
    return shelter_opened <= day and (shelter_closed is None or shelter_closed > day)


def daily_shelter_totals(event_id: int | None, start: date, end: date) -> list[ShelterTotals]:
    """Units and persons sheltered for each day from start to end (inclusive).

    A shelter counts as a unit on a day when it was open at the end of that day; its persons
    are its latest head count on or before that day (a day without a count carries the last
    one forward).
    """
    if end < start:
        raise DomainError("Tanggal akhir tidak boleh sebelum tanggal awal.", field="end")
    query = select(Shelter.id, Shelter.opened_at, Shelter.closed_at)
    if event_id is not None:
        query = query.where(Shelter.event_id == event_id)
    shelters = {
        sid: (office_date(opened), office_date(closed) if closed else None)
        for sid, opened, closed in db.session.execute(query)
    }
    counts: dict[int, list[tuple[date, int, int]]] = {sid: [] for sid in shelters}
    if shelters:
        rows = db.session.execute(
            select(
                ShelterCount.shelter_id,
                ShelterCount.counted_on,
                ShelterCount.persons,
                ShelterCount.households,
            )
            .where(ShelterCount.shelter_id.in_(shelters), ShelterCount.counted_on <= end)
            .order_by(ShelterCount.counted_on)
        )
        for sid, day, persons, households in rows:
            counts[sid].append((day, persons, households))
    totals = []
    day = start
    while day <= end:
        units = persons = households = 0
        for sid, (opened, closed) in shelters.items():
            if not _open_at_end_of(opened, closed, day):
                continue
            units += 1
            latest = [c for c in counts[sid] if c[0] <= day]
            if latest:
                persons += latest[-1][1]
                households += latest[-1][2]
        totals.append(ShelterTotals(day, units, persons, households))
        day += timedelta(days=1)
    return totals


def shelter_totals(event_id: int | None = None, on: date | None = None) -> ShelterTotals:
    """Open shelters (units) and persons sheltered on a day (today by default), for one event
    or for all; the figures plans report either as "unit/lokasi" or as "orang"."""
    day = on or office_today()
    return daily_shelter_totals(event_id, day, day)[0]


def filter_options(scope: Scope = WHOLE_OFFICE) -> dict:
    """Choices for the shelter list's filters: events, and kelurahan that have shelters, of
    the user's wilayah."""
    events = select(Event.id, Event.code, Event.title).order_by(Event.started_at.desc())
    events = db.session.execute(scope.narrow_covering(events, Event.area_code)).all()
    kelurahan = select(Area.code, Area.name).where(
        Area.code.in_(select(Shelter.kelurahan_code).distinct())
    )
    kelurahan = db.session.execute(scope.narrow(kelurahan, Area.code).order_by(Area.name)).all()
    return {"events": events, "kelurahan": kelurahan}


_outline_lock = threading.Lock()
_outline_cache: dict[tuple, dict] = {}
# Coarse enough to keep a province's kecamatan small, fine enough at kota zoom (about 50 m).
OUTLINE_TOLERANCE_DEG = 0.0005


def kecamatan_outlines() -> dict:
    """Simplified kecamatan outlines as GeoJSON for the shelter map, cached per area revision."""
    key = _revision("kecamatan")
    with _outline_lock:
        cached = _outline_cache.get(key)
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(Area.code, Area.name, Area.geometry_wkb).where(
            Area.level == "kecamatan", Area.geometry_wkb.is_not(None)
        )
    ).all()
    frame = gpd.GeoDataFrame(
        {"code": [r.code for r in rows], "name": [r.name for r in rows]},
        geometry=shapely.from_wkb([r.geometry_wkb for r in rows]) if rows else [],
        crs="EPSG:4326",
    )
    outlines = to_geojson(simplify_for_zoom(frame, OUTLINE_TOLERANCE_DEG), ["code", "name"], 5)
    with _outline_lock:
        _outline_cache.clear()
        _outline_cache[key] = outlines
    return outlines


def area_center() -> tuple[float, float] | None:
    """The middle of the office's kelurahan, for a map without any shelter to fit."""
    bounds = db.session.execute(
        select(
            func.min(Area.min_lat),
            func.max(Area.max_lat),
            func.min(Area.min_lng),
            func.max(Area.max_lng),
        ).where(Area.level == "kelurahan")
    ).one()
    if any(value is None for value in bounds):
        return None
    return ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2)
