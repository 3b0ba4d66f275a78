"""The event map: impact per kelurahan and shelter markers, rendered and cached."""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from sqlalchemy import Integer, cast, func, select

from logistics.areas.layers import level_version
from logistics.areas.models import Area
from logistics.core.audit import audit_stamp
from logistics.core.extensions import db
from logistics.events.impact import ImpactMatrix
from logistics.events.models import (
    IMPACT_SOURCES,
    Event,
)

_map_lock = threading.Lock()
_map_cache: OrderedDict[str, object] = OrderedDict()
MAP_CACHE_SIZE = 32


def _remember(cache: OrderedDict, key: str, value) -> None:
    with _map_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAP_CACHE_SIZE:
            cache.popitem(last=False)


def _map_areas(matrix: ImpactMatrix) -> list[dict]:
    """Per kelurahan: what the map colours and its popup shows, from the better source; kept
    on the matrix, which a page may take from the matrix cache (victims.figures.event_matrix)."""
    if "_map_areas" not in matrix.__dict__:
        matrix.__dict__["_map_areas"] = _areas_of(matrix)
    return matrix.__dict__["_map_areas"]


def _areas_of(matrix: ImpactMatrix) -> list[dict]:
    return [
        {
            "code": row.code,
            "name": row.name,
            "kecamatan": row.kecamatan,
            "jiwa": row.jiwa(row.best_source),
            "mengungsi": row.jiwa(row.best_source, "mengungsi"),
            "source": IMPACT_SOURCES[row.best_source],
        }
        for row in matrix.rows
    ]


def _map_markers(
    shelters: list, *, public: bool, shelter_url: Callable[[int], str] | None
) -> list[dict]:
    """Shelters with a location; the public map shows no warnings."""
    return [
        {
            "name": s.name,
            "lat": s.lat,
            "lng": s.lng,
            "persons": s.persons,
            "capacity": s.capacity,
            "status": s.status,
            "subtitle": s.kelurahan_name or s.kelurahan_code,
            "warnings": [] if public else list(s.warnings),
            "url": shelter_url(s.id) if shelter_url else "",
        }
        for s in shelters
        if s.lat is not None and s.lng is not None
    ]


def _office_view() -> tuple[tuple[float, float] | None, int | None]:
    """Centre and zoom on the office's kelurahan, or (None, None) when none has bounds."""
    bounds = db.session.execute(
        select(
            func.min(Area.min_lat),
            func.max(Area.max_lat),
            func.min(Area.min_lng),
            func.max(Area.max_lng),
        ).where(Area.level == "kelurahan")
    ).one()
    if None in bounds:
        return None, None
    center = ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2)
    return center, 12 if bounds[1] - bounds[0] < 0.5 else 9


def _area_extent(codes: list[str]) -> tuple[tuple[float, float, float, float] | None, bool]:
    """The bounding box (min lng, min lat, max lng, max lat) of the kelurahan and whether any is
    approximate: from the stored bounds, no geometry read."""
    boxes, approximate = [], False
    for start in range(0, len(codes), 900):
        row = db.session.execute(
            select(
                func.min(Area.min_lng),
                func.min(Area.min_lat),
                func.max(Area.max_lng),
                func.max(Area.max_lat),
                func.max(cast(Area.approximate, Integer)),  # PostgreSQL has no max(boolean)
            ).where(Area.code.in_(codes[start : start + 900]), Area.geometry_wkb.is_not(None))
        ).one()
        if None not in row[:4]:
            boxes.append(row[:4])
        approximate = approximate or bool(row[4])
    if not boxes:
        return None, approximate
    bounds = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return bounds, approximate


def _render(event: Event, areas: list[dict], markers: list[dict], areas_url: str | None) -> object:
    """Build and render the map (geo.event_map) of the given areas and markers; the page
    carries their figures, the browser fetches their outlines from areas_url."""
    from geo.event_map import event_map as build_map
    from geo.maps import render_map_html
    from logistics.areas.maps import use_local_assets

    area_bounds, approximate = _area_extent([a["code"] for a in areas])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": a["code"], "properties": a, "geometry": None} for a in areas
        ],
    }
    drawn = json.loads(event.area_geojson) if event.area_geojson else None
    center = zoom = None
    if area_bounds is None and not markers and not drawn:
        # Nothing to fit yet (a new event): show the event's point, else the office's area,
        # so the operator can start drawing where the disaster is.
        if event.lat is not None:
            center, zoom = (event.lat, event.lng), 14
        else:
            center, zoom = _office_view()
    fmap = build_map(
        collection,
        markers,
        drawn_area=drawn,
        approximate=approximate,
        center=center,
        zoom=zoom,
        point=(event.lat, event.lng) if event.lat is not None else None,
        areas_url=areas_url,
        area_bounds=area_bounds,
    )
    use_local_assets(fmap)
    return render_map_html(fmap)


def map_codes(event: Event, terdata_codes) -> list[str]:
    """The kelurahan the event map draws: affected (picked or drawn), with kaji cepat figures,
    or with registered victims (terdata_codes), as the impact matrix lists them."""
    from logistics.events.models import EventArea, ImpactFigure

    picked = db.session.scalars(
        select(EventArea.kelurahan_code).where(EventArea.event_id == event.id)
    )
    figured = db.session.scalars(
        select(ImpactFigure.kelurahan_code).where(ImpactFigure.event_id == event.id).distinct()
    )
    return sorted(set(picked) | set(figured) | set(terdata_codes))


def areas_version(codes: list[str], revision: str) -> str:
    """Part of the outlines' URL: changes with the codes and with the boundary data."""
    return hashlib.blake2b(repr((revision, codes)).encode(), digest_size=8).hexdigest()


def event_map(
    event: Event,
    matrix: ImpactMatrix,
    shelters: list,
    *,
    public: bool = False,
    shelter_url: Callable[[int], str] | None = None,
    static_url: str = "",
    areas_url: Callable[[str], str] | None = None,
):
    """The event map (geo.event_map) rendered into page parts, cached per data revision.

    shelter_url gives a marker's link (None: markers link nowhere), static_url the map
    script's address and areas_url(version) the address of the areas' outlines (None: the map
    draws no areas); the views build them. The cache key is a hash of everything drawn (values
    per kelurahan, shelter markers, drawn area, boundary revision), so a change to any of them
    shows on the next request and an unchanged event costs no rendering.
    """
    revision = level_version("kelurahan")
    areas = _map_areas(matrix)
    markers = _map_markers(shelters, public=public, shelter_url=shelter_url)
    payload = {
        "event": event.id,
        "public": public,
        "revision": revision,
        "areas": areas,
        "markers": markers,
        "drawn": event.area_geojson,
        "point": (event.lat, event.lng),
        "static": static_url,
        "areas_url": areas_url("") if areas_url else None,
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with _map_lock:
        cached = _map_cache.get(key)
    if cached is not None:
        return cached
    codes = sorted(a["code"] for a in areas)
    url = areas_url(areas_version(codes, revision)) if areas_url and codes else None
    rendered = _render(event, areas, markers, url)
    _remember(_map_cache, key, rendered)
    return rendered


def active_affected_areas() -> dict[str, list[str]]:
    """The kelurahan affected by events not closed yet (picked, drawn or with kaji cepat
    figures), each with the titles of those events: what the public map shows. Kept until the
    next audited write (events, their areas and figures are audited); treat it as read-only."""
    key = (str(db.engine.url), audit_stamp())
    kept = current_app.extensions.get("active_affected_areas")
    if kept is not None and kept[0] == key:
        return kept[1]
    areas = _affected_areas()
    current_app.extensions["active_affected_areas"] = (key, areas)
    return areas


def _affected_areas() -> dict[str, list[str]]:
    from logistics.events.models import EventArea, ImpactFigure

    picked = select(EventArea.event_id, EventArea.kelurahan_code)
    figured = select(ImpactFigure.event_id, ImpactFigure.kelurahan_code).distinct()
    affected = picked.union(figured).subquery()
    rows = db.session.execute(
        select(affected.c.kelurahan_code, Event.title)
        .join(Event, Event.id == affected.c.event_id)
        .where(Event.closed_at.is_(None))
        .order_by(affected.c.kelurahan_code, Event.started_at.desc())
    ).all()
    areas: dict[str, list[str]] = {}
    for code, title in rows:
        areas.setdefault(code, []).append(title)
    return areas
