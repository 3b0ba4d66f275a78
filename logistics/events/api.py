"""API: disaster events, their status decrees, chronology, affected areas and impact figures."""

import json

from flask import jsonify, request
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import user_scope
from logistics.core.time import parse_datetime
from logistics.events import areas as area_service
from logistics.events import chronology as chronology_service
from logistics.events import decrees as decree_service
from logistics.events import hazards as hazard_service
from logistics.events import impact as impact_service
from logistics.events import services as service
from logistics.events.models import IMPACT_SOURCES, PHASE_LABELS, Event
from logistics.victims.figures import kelurahan_with_victims, registry_figures

MAX_LIMIT = 500
SUMMARY_STATUSES = ("meninggal", "hilang", "terluka", "menderita", "mengungsi")


def _impact_matrix(event: Event, kelurahan_code: str | None = None):
    """The event's impact matrix with terdata counted from the victim registry."""
    return impact_service.impact_matrix(event, kelurahan_code, terdata=registry_figures(event))


def _iso(value) -> str | None:
    """Stored naive UTC -> ISO 8601 with the UTC offset."""
    return None if value is None else value.isoformat() + "Z"


def decree_json(decree) -> dict:
    return {
        "id": decree.id,
        "status": decree.status,
        "decree_number": decree.decree_number,
        "issuer_level": decree.issuer_level,
        "starts_on": decree.starts_on.isoformat(),
        "ends_on": decree.ends_on.isoformat() if decree.ends_on else None,
    }


def event_json(event: Event, *, full: bool = False) -> dict:
    phase = service.current_phase(event)
    body = {
        "id": event.id,
        "code": event.code,
        "hazard": {
            "id": event.hazard_type.id,
            "code": event.hazard_type.code,
            "name": event.hazard_type.name,
            "hazard_class": event.hazard_type.hazard_class,
        },
        "title": event.title,
        "started_at": _iso(event.started_at),
        "ended_at": _iso(event.ended_at),
        "closed_at": _iso(event.closed_at),
        "status": "ditutup" if event.closed_at else "aktif",
        "phase": phase,
        "phase_label": PHASE_LABELS[phase],
        "location": None if event.lat is None else {"lat": event.lat, "lng": event.lng},
    }
    if full:
        body.update(
            description=event.description,
            source=event.source,
            reporter=event.reporter,
            area=json.loads(event.area_geojson) if event.area_geojson else None,
            tanggap_darurat_days=decree_service.tanggap_darurat_days(event),
            tanggap_darurat_extended=decree_service.tanggap_darurat_extended(event),
            decrees=[decree_json(d) for d in event.decrees],
            chronology=[
                {"id": c.id, "occurred_at": _iso(c.occurred_at), "text": c.text}
                for c in event.chronology
            ],
            kelurahan=[
                {"code": a.kelurahan_code, "how": a.how}
                for a in sorted(event.areas, key=lambda a: a.kelurahan_code)
            ],
        )
    return body


def _summary(row) -> dict:
    """Jiwa per status, KK and houses damaged of one kelurahan (or the total) for one source."""
    return {
        source: {
            "jiwa": row.jiwa(source),
            **{status: row.jiwa(source, status) for status in SUMMARY_STATUSES},
            "kk": row.kk_total(source),
            "kk_menderita": row.kk(source, "menderita"),
            "kk_mengungsi": row.kk(source, "mengungsi"),
            "rumah_rusak": row.houses_damaged(source) if source == "kaji_cepat" else None,
        }
        for source in IMPACT_SOURCES
    } | {
        "selisih": {
            "jiwa": row.difference(),
            **{status: row.difference(status) for status in SUMMARY_STATUSES},
        }
    }


def impact_json(row) -> dict:
    return {
        "kelurahan_code": row.code,
        "kelurahan_name": row.name,
        "kecamatan_name": row.kecamatan,
        "how": row.how,
        "map_source": row.best_source,
        "kaji_cepat": row.kaji_cepat,
        "terdata": row.terdata,
        "summary": _summary(row),
    }


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DomainError(f"Parameter '{name}' harus bilangan bulat, bukan '{raw}'.", field=name)
    return int(raw)


def _event_values(data: dict, *, partial: bool) -> dict:
    """The service's keyword arguments from a JSON body (times as ISO 8601)."""
    values = {}
    if "hazard_type_id" in data or "hazard" in data or not partial:
        raw = data.get("hazard_type_id", data.get("hazard"))
        values["hazard_type_id"] = hazard_service.find_hazard(raw).id
    for key in ("title", "description", "source", "reporter", "lat", "lng"):
        if key in data:
            values[key] = data[key]
    if "started_at" in data or not partial:
        values["started_at"] = parse_datetime(
            data.get("started_at"), "started_at", "Waktu mulai", required=True
        )
    if "ended_at" in data:
        values["ended_at"] = parse_datetime(data["ended_at"], "ended_at", "Waktu selesai")
    return values


@bp.get("/events")
@api_login_required()
def events_list():
    """Events, newest first, filtered by hazard, year, status (aktif/ditutup) and kelurahan."""
    status = request.args.get("status", "").strip()
    status = {"active": "aktif", "closed": "ditutup"}.get(status, status)
    filters = service.EventFilters(
        q=request.args.get("q", "").strip(),
        hazard=request.args.get("hazard", "").strip(),
        year=_int_arg("year"),
        status=status,
        kelurahan=request.args.get("kelurahan", "").strip(),
        scope=user_scope(),
    )
    query = service.events_query(filters)
    limit = min(_int_arg("limit") or 100, MAX_LIMIT)
    offset = _int_arg("offset") or 0
    total, events = service.events_page(query, limit=limit, offset=offset)
    return jsonify({"count": total, "items": [event_json(e) for e in events]})


@bp.post("/events")
@api_login_required(*OFFICE_ROLES)
def events_create():
    data = json_payload()
    values = _event_values(data, partial=False)
    codes = data.get("kelurahan_codes")
    scope = user_scope()
    scope.require_record(scope.home_area)
    if isinstance(codes, list):
        scope.require_records(str(code) for code in codes)
    with transaction():
        event = service.create_event(
            **values,
            created_by_id=current_user.id,
            kelurahan_codes=codes if codes is not None else None,
            area_code=scope.home_area,
            confirm=inputs.flag(data.get("confirm"), "confirm", "confirm"),
        )
        if data.get("area"):
            area_service.derive_areas_from_drawing(event, data["area"])
    return jsonify(event_json(event, full=True)), 201


@bp.get("/events/<int:event_id>")
@api_login_required()
def events_detail(event_id: int):
    event = service.get_event(event_id)
    body = event_json(event, full=True)
    body["summary"] = _summary(_impact_matrix(event).summary)
    return jsonify(body)


@bp.patch("/events/<int:event_id>")
@api_login_required(*OFFICE_ROLES)
def events_update(event_id: int):
    event = service.get_event(event_id)
    data = json_payload()
    with transaction():
        service.update_event(
            event,
            confirm=inputs.flag(data.get("confirm"), "confirm", "confirm"),
            **_event_values(data, partial=True),
        )
        if "kelurahan_codes" in data:
            area_service.set_affected_areas(
                event,
                data["kelurahan_codes"],
                codes_with_victims=kelurahan_with_victims(event),
            )
        if data.get("area"):
            area_service.derive_areas_from_drawing(event, data["area"])
    return jsonify(event_json(event, full=True))


@bp.post("/events/<int:event_id>/decrees")
@api_login_required(*OFFICE_ROLES)
def events_add_decree(event_id: int):
    event = service.get_event(event_id)
    data = json_payload()
    with transaction():
        decree = decree_service.add_decree(
            event,
            status=data.get("status"),
            decree_number=data.get("decree_number"),
            issuer_level=data.get("issuer_level"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            confirm=inputs.flag(data.get("confirm"), "confirm", "confirm"),
        )
    return jsonify(decree_json(decree)), 201


@bp.post("/events/<int:event_id>/close")
@api_login_required(*OFFICE_ROLES)
def events_close(event_id: int):
    with transaction():
        event = service.close_event(service.get_event(event_id))
    return jsonify(event_json(event, full=True))


@bp.post("/events/<int:event_id>/chronology")
@api_login_required(*WRITER_ROLES)
def events_add_chronology(event_id: int):
    event = service.get_event(event_id)
    data = json_payload()
    occurred_at = parse_datetime(data.get("occurred_at"), "occurred_at", "Waktu", required=True)
    with transaction():
        entry = chronology_service.add_chronology(
            event, occurred_at=occurred_at, text=data.get("text"), author_id=current_user.id
        )
    return jsonify(
        {"id": entry.id, "occurred_at": _iso(entry.occurred_at), "text": entry.text}
    ), 201


@bp.get("/events/<int:event_id>/impacts")
@api_login_required()
def events_impacts(event_id: int):
    """Both sources per kelurahan (kaji cepat typed in, terdata counted) and the difference."""
    event = service.get_event(event_id)
    code = request.args.get("kelurahan", "").strip() or None
    matrix = _impact_matrix(event, code)
    return jsonify(
        {
            "event_id": event.id,
            "count": len(matrix.rows),
            "items": [impact_json(r) for r in matrix.rows],
            "total": _summary(matrix.summary) if not code else None,
            "unknown_age": matrix.unknown_age,
        }
    )


@bp.put("/events/<int:event_id>/impacts")
@api_login_required(*WRITER_ROLES)
def events_set_impact(event_id: int):
    """Set kaji cepat figures of one kelurahan: {kelurahan_code, figures: {measure: value}}."""
    event = service.get_event(event_id)
    data = json_payload()
    figures = data.get("figures")
    if not isinstance(figures, dict):
        raise DomainError("'figures' harus objek {ukuran: angka}.", field="figures")
    clear = data.get("clear", False)
    if not isinstance(clear, bool):
        raise DomainError("'clear' harus true atau false.", field="clear")
    code = data.get("kelurahan_code")
    with transaction():
        impact_service.set_impact(event, code, figures, clear=clear)
    row = _impact_matrix(event, code.strip()).rows[0]
    return jsonify(impact_json(row))
