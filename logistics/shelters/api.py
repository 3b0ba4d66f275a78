"""API: shelters and their daily head counts (login to read; writer roles to write)."""

from flask import jsonify, request
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core.api import api_login_required, bp, json_payload, json_timestamp
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import require_in_scope, user_scope
from logistics.shelters import checks, counts, lists
from logistics.shelters import services as service
from logistics.shelters.models import COUNT_GROUPS, SHELTER_KINDS, Shelter, ShelterCount
from logistics.victims.figures import displaced_in_shelter

COUNT_FIELDS = {"counted_on", "persons", "households", "note", "client_id", *COUNT_GROUPS}


def count_json(count: ShelterCount | None) -> dict | None:
    if count is None:
        return None
    return {
        "id": count.id,
        "shelter_id": count.shelter_id,
        "counted_on": count.counted_on.isoformat(),
        "persons": count.persons,
        "households": count.households,
        **{key: getattr(count, key) for key in COUNT_GROUPS},
        "note": count.note,
        "client_id": count.client_id,
        "recorded_at": json_timestamp(count.recorded_at),
    }


def shelter_json(
    shelter: Shelter, latest: ShelterCount | None, kelurahan_name: str | None = None
) -> dict:
    persons = latest.persons if latest else 0
    return {
        "id": shelter.id,
        "event_id": shelter.event_id,
        "name": shelter.name,
        "kind": shelter.kind,
        "kind_label": SHELTER_KINDS.get(shelter.kind, shelter.kind),
        "kelurahan_code": shelter.kelurahan_code,
        "kelurahan_name": kelurahan_name,
        "address": shelter.address,
        "lat": shelter.lat,
        "lng": shelter.lng,
        "capacity": shelter.capacity,
        "floor_area_m2": None if shelter.floor_area_m2 is None else float(shelter.floor_area_m2),
        "toilets": shelter.toilets,
        "water_points": shelter.water_points,
        "has_dapur_umum": shelter.has_dapur_umum,
        "pic_name": shelter.pic_name,
        "pic_phone": shelter.pic_phone,
        "status": shelter.status,
        "opened_on": service.opened_on(shelter).isoformat(),
        "opened_at": json_timestamp(shelter.opened_at),
        "closed_at": json_timestamp(shelter.closed_at),
        "latest_count": count_json(latest),
        "occupancy": round(persons / shelter.capacity, 4) if shelter.capacity else None,
        "free": max(shelter.capacity - persons, 0),
        "warnings": checks.shelter_checks(shelter, latest),
    }


def _full(shelter: Shelter, extra_warnings: list[str] | None = None) -> dict:
    latest = service.latest_count(shelter)
    area = service.kelurahan_of(shelter)
    body = shelter_json(shelter, latest, area.name if area else None)
    if extra_warnings:
        body["warnings"] = [w for w in extra_warnings if w not in body["warnings"]] + body[
            "warnings"
        ]
    return body


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DomainError(f"Parameter '{name}' harus bilangan bulat, bukan '{raw}'.", field=name)
    return int(raw)


@bp.get("/shelters")
@api_login_required()
def shelters_list():
    rows = lists.list_shelters(
        _int_arg("event_id"),
        kelurahan_code=request.args.get("kelurahan_code"),
        status=request.args.get("status"),
        kind=request.args.get("kind"),
        scope=user_scope(),
    )
    items = [shelter_json(r.shelter, r.count, r.kelurahan_name) for r in rows]
    return jsonify({"count": len(items), "items": items})


@bp.post("/shelters")
@api_login_required(*OFFICE_ROLES)
def shelters_create():
    data = json_payload()
    unknown = sorted(set(data) - set(service.SHELTER_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    for required in ("name", "kind", "capacity"):
        data.setdefault(required, None)
    event_id = data.get("event_id")
    require_in_scope(
        {"event_id": event_id if isinstance(event_id, int) else None}, (data.get("kelurahan_code"),)
    )
    with transaction():
        result = service.open_shelter(**data)
    return jsonify(_full(result.shelter, result.warnings)), 201


@bp.get("/shelters/<int:shelter_id>")
@api_login_required()
def shelters_detail(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    body = _full(shelter)
    body["counts"] = [
        count_json(c) for c in sorted(shelter.counts, key=lambda c: c.counted_on, reverse=True)
    ]
    return jsonify(body)


@bp.patch("/shelters/<int:shelter_id>")
@api_login_required(*OFFICE_ROLES)
def shelters_update(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    data = json_payload()
    user_scope().require_records((data.get("kelurahan_code"),))
    with transaction():
        result = service.update_shelter(shelter, **data)
    return jsonify(_full(result.shelter, result.warnings))


@bp.post("/shelters/<int:shelter_id>/counts")
@api_login_required(*WRITER_ROLES)
def shelters_record_count(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    data = json_payload()
    unknown = sorted(set(data) - COUNT_FIELDS)
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    with transaction():
        result = counts.record_head_count(
            shelter,
            persons=data.get("persons"),
            counted_on=data.get("counted_on"),
            households=data.get("households"),
            groups={key: data.get(key) for key in COUNT_GROUPS},
            note=data.get("note") or "",
            client_id=data.get("client_id"),
            recorded_by_id=current_user.id,
        )
    body = {
        "outcome": result.outcome,
        "count": count_json(result.count),
        "warnings": result.warnings,
    }
    return jsonify(body), 201 if result.outcome == "created" else 200


@bp.post("/shelters/<int:shelter_id>/close")
@api_login_required(*OFFICE_ROLES)
def shelters_close(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    data = request.get_json(silent=True) or {}
    with transaction():
        service.close_shelter(
            shelter,
            displaced_in_registry=displaced_in_shelter(shelter),
            note=data.get("note", "") if isinstance(data, dict) else "",
        )
    return jsonify(_full(shelter))


@bp.post("/shelters/<int:shelter_id>/reopen")
@api_login_required(*OFFICE_ROLES)
def shelters_reopen(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    with transaction():
        service.reopen_shelter(shelter)
    return jsonify(_full(shelter))
