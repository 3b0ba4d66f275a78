"""Map layers of the office's areas per zoom level, simplified once, cached and precompressed."""

# A map page carries no geometry: the browser fetches each level from an endpoint. Simplifying
# 5,957 desa as one coverage takes seconds, so each level's simplified outlines are kept in memory
# and in the instance folder, keyed by the level's data revision (a boundary load or rollback
# makes a new key); each body a user asks for (their scope, one kab/kota) is compressed once.

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import shapely
from flask import current_app
from sqlalchemy import Integer, cast, func, select

from geo.zoom_layers import TIERS, collection_text, feature_text, geometry_texts, simplify_coverage
from logistics.areas.models import Area
from logistics.core.extensions import db
from logistics.core.precompressed import Precompressed
from logistics.core.scope import WHOLE_OFFICE, Scope

LEVELS = tuple(TIERS)
# Up to this many desa the whole grid is drawn at once, as a city's map always was; above it
# (a province) the map starts with kab/kota outlines and fetches detail for what is in view.
WHOLE_GRID_UP_TO = 600
BODY_CACHE_SIZE = 256

_lock = threading.Lock()
# Per level: (version, areas by code); one version per level, an older one is never asked again.
_features: dict[str, tuple[str, dict[str, "AreaFeature"]]] = {}
_bodies: OrderedDict[tuple, Precompressed] = OrderedDict()
_extents: dict[tuple, "MapExtent"] = {}


@dataclass(frozen=True)
class AreaFeature:
    """One area of a level as the map draws it: its tooltip properties and simplified outline."""

    properties: dict
    geometry: str


def _revisions() -> tuple:
    """Per level: how many current areas have an outline and when the latest changed. Areas
    with an outline are those with bounds (the store writes both); asking for the bounds lets
    the index answer without reading the rows' outlines. One query for every level."""
    rows = db.session.execute(
        select(Area.level, func.count(Area.id), func.max(Area.updated_at))
        .where(Area.retired_at.is_(None), Area.min_lng.is_not(None))
        .group_by(Area.level)
    ).all()
    return (str(db.engine.url), tuple(sorted(tuple(row) for row in rows)))


def _version(revisions: tuple, level: str) -> str:
    own = next((row for row in revisions[1] if row[0] == level), (level, 0, None))
    key = (revisions[0], own, TIERS[level])
    return hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest()


def level_version(level: str) -> str:
    """A short key that changes with the level's data and with how it is simplified."""
    if level not in TIERS:
        raise KeyError(level)
    return _version(_revisions(), level)


def _cache_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "map-layers"


def _names() -> dict[str, tuple[str, str | None]]:
    """Every area's name and parent code, to name a desa's kecamatan and kab/kota."""
    rows = db.session.execute(select(Area.code, Area.name, Area.parent_code)).all()
    return {code: (name, parent) for code, name, parent in rows}


def _build(level: str) -> dict[str, AreaFeature]:
    rows = db.session.execute(
        select(Area.code, Area.name, Area.parent_code, Area.approximate, Area.geometry_wkb)
        .where(Area.level == level, Area.geometry_wkb.is_not(None), Area.retired_at.is_(None))
        .order_by(Area.code)
    ).all()
    if not rows:
        return {}
    tier = TIERS[level]
    names = _names()
    geoms = simplify_coverage(shapely.from_wkb([r.geometry_wkb for r in rows]), tier.tolerance)
    texts = geometry_texts(geoms, tier.precision)
    features = {}
    for row, text in zip(rows, texts, strict=True):
        if text is None:
            continue
        props = {"code": row.code, "name": row.name}
        parent = row.parent_code
        if level == "kelurahan" and parent in names:
            props["kecamatan"] = names[parent][0]
            parent = names[parent][1]
        if level in ("kelurahan", "kecamatan") and parent in names:
            props["kab_kota"] = names[parent][0]
        if row.approximate:
            props["approximate"] = True
        features[row.code] = AreaFeature(props, text)
    return features


def _read_disk(path: Path) -> dict[str, AreaFeature] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {code: AreaFeature(props, geometry) for code, props, geometry in stored}


def _write_disk(path: Path, features: dict[str, AreaFeature]) -> None:
    """Written aside and renamed into place, so a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        rows = [[code, f.properties, f.geometry] for code, f in features.items()]
        partial.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        current_app.logger.warning("map layer cache not written: %s", path)


def level_features(level: str, version: str | None = None) -> dict[str, AreaFeature]:
    """The level's simplified areas by code: from memory, else the instance folder, else built."""
    version = version or level_version(level)
    with _lock:
        cached = _features.get(level)
    if cached is not None and cached[0] == version:
        return cached[1]
    path = _cache_dir() / f"{level}-{version}.json"
    features = _read_disk(path)
    if features is None:
        features = _build(level)
        _write_disk(path, features)
    with _lock:
        _features[level] = (version, features)
    return features


def layer(
    level: str,
    *,
    scope: Scope = WHOLE_OFFICE,
    within: str | None = None,
    codes: Iterable[str] | None = None,
    extra: Mapping[str, dict] | None = None,
) -> Precompressed:
    """The level's areas as compressed GeoJSON: those the scope sees (and the areas above it, so
    a kecamatan user still sees their kab/kota's outline), only below `within` (a kab/kota code)
    when given, only `codes` when given; `extra` adds properties per code."""
    version = level_version(level)
    wanted = None if codes is None else frozenset(codes)
    extra_key = hashlib.blake2b(
        json.dumps(extra or {}, sort_keys=True, default=str).encode(), digest_size=8
    ).hexdigest()
    key = (version, scope.see, within, wanted, extra_key)
    with _lock:
        body = _bodies.get(key)
        if body is not None:
            _bodies.move_to_end(key)
            return body
    prefix = within + "." if within else None
    texts = []
    for code, feature in level_features(level, version).items():
        if wanted is not None and code not in wanted:
            continue
        if prefix and not code.startswith(prefix):
            continue
        if not scope.sees_covering(code):
            continue
        props = feature.properties
        if extra and code in extra:
            props = {**props, **extra[code]}
        texts.append(feature_text(code, props, feature.geometry))
    body = Precompressed.of(collection_text(texts).encode())
    with _lock:
        _bodies[key] = body
        while len(_bodies) > BODY_CACHE_SIZE:
            _bodies.popitem(last=False)
    return body


def warm_layers() -> None:
    """Simplify every level now (after a boundary load), into memory and the instance folder."""
    for level in LEVELS:
        try:
            level_features(level)
        except Exception:  # a map built on demand later is still correct, only slower
            current_app.logger.exception("map layer %s not prepared", level)


def clear_cache() -> None:
    """Forget the layers held in memory (the files in the instance folder stay)."""
    with _lock:
        _features.clear()
        _bodies.clear()
        _extents.clear()


@dataclass(frozen=True)
class MapExtent:
    """What a map page needs before any geometry: the bounds of the areas a user sees, how many
    desa, kecamatan and kab/kota they are, and each level's version (part of the layer URLs)."""

    bounds: tuple[float, float, float, float] | None
    counts: dict[str, int]
    versions: dict[str, str]
    kab_kota: tuple[tuple[str, str], ...]
    approximate: bool = False

    @property
    def whole_grid(self) -> bool:
        return self.counts.get("kelurahan", 0) <= WHOLE_GRID_UP_TO


def map_extent(scope: Scope = WHOLE_OFFICE) -> MapExtent:
    """The extent of the areas the scope sees: one query while the areas do not change, a few
    aggregate queries (no geometry) when they did."""
    revisions = _revisions()
    key = (revisions, scope.see)
    with _lock:
        cached = _extents.get(key)
    if cached is not None:
        return cached
    extent = _extent(scope, revisions)
    with _lock:
        if len(_extents) >= BODY_CACHE_SIZE:
            _extents.clear()
        _extents[key] = extent
    return extent


def _extent(scope: Scope, revisions: tuple) -> MapExtent:
    kelurahan = scope.narrow(
        select(
            func.min(Area.min_lng),
            func.min(Area.min_lat),
            func.max(Area.max_lng),
            func.max(Area.max_lat),
            func.max(cast(Area.approximate, Integer)),  # PostgreSQL has no max(boolean)
        ).where(Area.level == "kelurahan", Area.retired_at.is_(None), Area.min_lng.is_not(None)),
        Area.code,
    )
    *bounds, approximate = db.session.execute(kelurahan).one()
    counts = dict(
        db.session.execute(
            scope.narrow(
                select(Area.level, func.count(Area.id))
                .where(Area.retired_at.is_(None), Area.min_lng.is_not(None))
                .group_by(Area.level),
                Area.code,
            )
        ).all()
    )
    kab_kota = db.session.execute(
        scope.narrow_covering(
            select(Area.code, Area.name)
            .where(Area.level == "kab_kota", Area.retired_at.is_(None))
            .order_by(Area.code),
            Area.code,
        )
    ).all()
    return MapExtent(
        bounds=None if None in bounds else tuple(float(b) for b in bounds),
        counts=counts,
        versions={level: _version(revisions, level) for level in LEVELS},
        kab_kota=tuple((code, name) for code, name in kab_kota),
        approximate=bool(approximate),
    )
