"""API: administrative areas and point lookup (public: areas are not personal data)."""

import json

import shapely
from flask import jsonify, request

from logistics.areas.browse import area_geometry_wkb, areas_of_level
from logistics.areas.models import LEVELS, Area
from logistics.areas.search import DEFAULT_LIMIT, search_areas
from logistics.areas.services import area_chain, get_area, lookup_point
from logistics.core.api import bp, float_arg
from logistics.core.errors import DomainError
from logistics.core.security import user_scope


def area_json(area: Area, with_chain: bool = False) -> dict:
    body = {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "kind": area.kind,
        "parent_code": area.parent_code,
        "area_km2": area.area_km2,
        "label": None if area.label_lat is None else {"lat": area.label_lat, "lng": area.label_lng},
        "approximate": area.approximate,
    }
    if with_chain:
        chain = area_chain(area)
        for level in ("kecamatan", "kab_kota", "provinsi"):
            node = chain.get(level)
            body[level] = None if node is None else {"code": node.code, "name": node.name}
    return body


def _level_arg() -> str:
    level = request.args.get("level", "kelurahan")
    if level not in LEVELS:
        raise DomainError(f"Tingkat '{level}' tidak dikenal.", field="level")
    return level


@bp.get("/wilayah/lookup")
def wilayah_lookup():
    """The kelurahan/desa containing a point."""
    lat, lng = float_arg("lat"), float_arg("lng")
    return jsonify(area_json(lookup_point(lat, lng, _level_arg()), with_chain=True))


@bp.get("/wilayah")
def wilayah_list():
    areas = areas_of_level(_level_arg(), request.args.get("parent"))
    return jsonify({"count": len(areas), "items": [area_json(a) for a in areas]})


@bp.get("/wilayah/search")
def wilayah_search():
    """Areas by name or code for a picker, within the caller's wilayah."""
    levels = [level for level in request.args.get("level", "").split(",") if level]
    return jsonify(
        search_areas(
            request.args.get("q", ""),
            user_scope(),
            purpose="record" if request.args.get("purpose") == "record" else "see",
            levels=levels,
            parent=request.args.get("parent", ""),
            limit=request.args.get("limit", DEFAULT_LIMIT, type=int),
        )
    )


@bp.get("/wilayah/<code>")
def wilayah_detail(code: str):
    area = get_area(code)
    body = area_json(area, with_chain=True)
    if request.args.get("geometry") in ("1", "true"):
        wkb = area_geometry_wkb(area)
        body["geometry"] = (
            None if wkb is None else json.loads(shapely.to_geojson(shapely.from_wkb(wkb)))
        )
    return jsonify(body)
