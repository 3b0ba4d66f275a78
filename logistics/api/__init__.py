"""JSON API under /api/v1, described by openapi.json beside this module."""

import json
from pathlib import Path

from flask import Blueprint, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from logistics.errors import DomainError
from logistics.extensions import db
from logistics.models import Area
from logistics.models.areas import LEVELS
from logistics.services import jobs
from logistics.services.areas import area_chain, get_area, lookup_point

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI_FILE = Path(__file__).with_name("openapi.json")


def _area_json(area: Area, with_chain: bool = False) -> dict:
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


def _float_arg(name: str) -> float:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        raise DomainError(f"Parameter '{name}' wajib diisi.", field=name)
    try:
        return float(raw.replace(",", "."))
    except ValueError as exc:
        raise DomainError(
            f"Parameter '{name}' harus berupa angka, bukan '{raw}'.", field=name
        ) from exc


def _require_login():
    if not current_user.is_authenticated:
        return jsonify({"error": "unauthorized", "message": "Silakan masuk terlebih dahulu."}), 401
    return None


@bp.get("/openapi.json")
def openapi():
    return jsonify(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")))


@bp.get("/wilayah/lookup")
def wilayah_lookup():
    """The kelurahan/desa containing a point (public: areas are not personal data)."""
    lat, lng = _float_arg("lat"), _float_arg("lng")
    level = request.args.get("level", "kelurahan")
    if level not in LEVELS:
        raise DomainError(f"Tingkat '{level}' tidak dikenal.", field="level")
    return jsonify(_area_json(lookup_point(lat, lng, level), with_chain=True))


@bp.get("/wilayah")
def wilayah_list():
    level = request.args.get("level", "kelurahan")
    if level not in LEVELS:
        raise DomainError(f"Tingkat '{level}' tidak dikenal.", field="level")
    query = select(Area).where(Area.level == level).order_by(Area.code)
    parent = request.args.get("parent")
    if parent:
        query = query.where(Area.parent_code == parent)
    areas = db.session.scalars(query).all()
    return jsonify({"count": len(areas), "items": [_area_json(a) for a in areas]})


@bp.get("/wilayah/<code>")
def wilayah_detail(code: str):
    area = get_area(code)
    body = _area_json(area, with_chain=True)
    if request.args.get("geometry") in ("1", "true"):
        import shapely

        wkb = db.session.scalar(select(Area.geometry_wkb).where(Area.id == area.id))
        body["geometry"] = (
            None if wkb is None else json.loads(shapely.to_geojson(shapely.from_wkb(wkb)))
        )
    return jsonify(body)


@bp.get("/jobs/<job_id>")
def job_status(job_id: str):
    denied = _require_login()
    if denied:
        return denied
    from logistics.views.jobs import get_visible

    record = get_visible(job_id)
    if not record.done and jobs.reconcile([record]):
        db.session.commit()
    percent, message = jobs.live_progress(record)
    return jsonify(
        {
            "id": record.id,
            "title": record.title,
            "status": record.status,
            "status_label": record.status_label,
            "progress": percent,
            "message": message,
            "result": record.result,
            "error": record.error,
            "attempts": record.attempts,
        }
    )
