"""The event map: impact per kelurahan and shelter markers, rendered and cached."""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import shapely
from sqlalchemy import func, select

from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.events.impact import ImpactMatrix
from logistics.events.models import (
    IMPACT_SOURCES,
    Event,
)

_map_lock = threading.Lock()
_map_cache: OrderedDict[str, object] = OrderedDict()
_geometry_cache: OrderedDict[str, dict] = OrderedDict()
MAP_CACHE_SIZE = 32
# Outline simplification (degrees) by the number of kelurahan on the map: a city event keeps
# street-level detail, a province event of hundreds of desa stays a few hundred kB on a phone.
SIMPLIFY_TOLERANCE = ((100, 0.0001), (300, 0.0005), (float("inf"), 0.001))


def _area_revision() -> tuple:
    count, latest = db.session.execute(
        select(func.count(Area.id), func.max(Area.updated_at)).where(Area.level == "kelurahan")
    ).one()
    return (str(db.engine.url), count, str(latest))


def _remember(cache: OrderedDict, key: str, value) -> None:
    with _map_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAP_CACHE_SIZE:
            cache.popitem(last=False)


def _area_features(codes: list[str], revision: tuple) -> dict:
    """Simplified GeoJSON geometry per kelurahan code, cached per boundary revision."""
    key = hashlib.sha256(repr((revision, codes)).encode()).hexdigest()
    with _map_lock:
        cached = _geometry_cache.get(key)
    if cached is not None:
        return cached
    rows = []
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        rows += db.session.execute(
            select(Area.code, Area.geometry_wkb, Area.approximate).where(
                Area.code.in_(chunk), Area.geometry_wkb.is_not(None)
            )
        ).all()
    geometries: dict[str, dict] = {}
    approximate = False
    if rows:
        geoms = shapely.from_wkb([r[1] for r in rows])
        tolerance = next(t for limit, t in SIMPLIFY_TOLERANCE if len(rows) <= limit)
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
        geoms = shapely.set_precision(geoms, 1e-5)
        texts = shapely.to_geojson(geoms)
        for (code, _, approx), text in zip(rows, texts, strict=True):
            geometries[code] = json.loads(text)
            approximate = approximate or bool(approx)
    result = {"geometries": geometries, "approximate": approximate}
    _remember(_geometry_cache, key, result)
    return result


def _map_areas(matrix: ImpactMatrix) -> list[dict]:
    """Per kelurahan: what the map colours and its popup shows, from the better source."""
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


def _render(event: Event, areas: list[dict], markers: list[dict], revision: tuple) -> object:
    """Build and render the map (geo.event_map) of the given areas and markers."""
    from geo.event_map import event_map as build_map
    from geo.maps import render_map_html
    from logistics.areas.maps import use_local_assets

    features = _area_features([a["code"] for a in areas], revision)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": a["code"], "properties": a, "geometry": geometry}
            for a in areas
            if (geometry := features["geometries"].get(a["code"])) is not None
        ],
    }
    drawn = json.loads(event.area_geojson) if event.area_geojson else None
    center = zoom = None
    if not collection["features"] and not markers and not drawn:
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
        approximate=features["approximate"],
        center=center,
        zoom=zoom,
        point=(event.lat, event.lng) if event.lat is not None else None,
    )
    use_local_assets(fmap)
    return render_map_html(fmap)


def event_map(
    event: Event,
    matrix: ImpactMatrix,
    shelters: list,
    *,
    public: bool = False,
    shelter_url: Callable[[int], str] | None = None,
    static_url: str = "",
):
    """The event map (geo.event_map) rendered into page parts, cached per data revision.

    shelter_url gives a marker's link (None: markers link nowhere) and static_url the map
    script's address; the views build both. The cache key is a hash of everything drawn (values
    per kelurahan, shelter markers, drawn area, boundary revision), so a change to any of them
    shows on the next request and an unchanged event costs no rendering.
    """
    revision = _area_revision()
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
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with _map_lock:
        cached = _map_cache.get(key)
    if cached is not None:
        return cached
    rendered = _render(event, areas, markers, revision)
    _remember(_map_cache, key, rendered)
    return rendered
