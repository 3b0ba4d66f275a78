"""API: Tagana members, deployments (check-in, check-out, task report), roster board, KSB,
vehicles and year figures. Login to read; office roles manage the roster; writers deploy."""

from datetime import date, datetime

from flask import jsonify, request
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.budget.tree_cache import sub_kegiatan_code
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError, NotFound
from logistics.core.security import require_in_scope, user_scope
from logistics.tagana import board as board_service
from logistics.tagana import deployments as deployment_service
from logistics.tagana import duty
from logistics.tagana import figures as figures_service
from logistics.tagana import ksb as ksb_service
from logistics.tagana import members as member_service
from logistics.tagana import places as place_service
from logistics.tagana import trainings as training_service
from logistics.tagana import vehicles as vehicle_service
from logistics.tagana.models import (
    LEVELS,
    PLACE_KINDS,
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    Vehicle,
)

MAX_ITEMS = 5000


def _iso(value: datetime | date | None) -> str | None:
    """Dates as TTTT-BB-HH; stored timestamps are UTC, so they carry a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DomainError(f"Parameter '{name}' harus bilangan bulat, bukan '{raw}'.", field=name)
    return int(raw)


def _only(data: dict, allowed) -> dict:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    return data


def _actor():
    return current_user._get_current_object()


# --- Members --------------------------------------------------------------------------------------


def member_json(member: TaganaMember, *, full: bool = False) -> dict:
    body = {
        "id": member.id,
        "nia": member.nia,
        "name": member.name,
        "sex": member.sex,
        "level": member.level,
        "level_label": LEVELS[member.level],
        "phone": member.phone,
        "home_kelurahan_code": member.home_kelurahan_code,
        "competencies": [c.code for c in member.competencies],
        "active": member.active,
        "user_id": member.user_id,
    }
    if full:
        body.update(
            birth_date=_iso(member.birth_date),
            decree_number=member.decree_number,
            decree_date=_iso(member.decree_date),
            joined_on=_iso(member.joined_on),
            trainings=[
                {
                    "id": t.id,
                    "name": t.name,
                    "organizer": t.organizer,
                    "started_on": _iso(t.started_on),
                    "ended_on": _iso(t.ended_on),
                    "certificate_number": t.certificate_number,
                }
                for t in member.trainings
            ],
        )
    return body


@bp.get("/tagana/competencies")
@api_login_required()
def tagana_competencies():
    items = [{"code": c.code, "name": c.name} for c in member_service.competency_choices()]
    return jsonify({"count": len(items), "items": items})


@bp.get("/tagana/members")
@api_login_required()
def tagana_members():
    filters = member_service.MemberFilters(
        q=request.args.get("q", ""),
        level=request.args.get("level", ""),
        competency=request.args.get("competency", ""),
        kecamatan_code=request.args.get("kecamatan_code", ""),
        active=request.args.get("active", ""),
        scope=user_scope(),
    )
    members = member_service.list_members(filters, limit=MAX_ITEMS)
    return jsonify({"count": len(members), "items": [member_json(m) for m in members]})


@bp.post("/tagana/members")
@api_login_required(*OFFICE_ROLES)
def tagana_members_create():
    data = _only(json_payload(), member_service.MEMBER_FIELDS)
    for required in ("nia", "name", "sex"):
        data.setdefault(required, None)
    user_scope().require_records((data.get("home_kelurahan_code"),))
    with transaction():
        member = member_service.create_member(**data)
    return jsonify(member_json(member, full=True)), 201


@bp.get("/tagana/members/<int:member_id>")
@api_login_required()
def tagana_member_detail(member_id: int):
    return jsonify(member_json(member_service.get_member(member_id), full=True))


@bp.patch("/tagana/members/<int:member_id>")
@api_login_required(*OFFICE_ROLES)
def tagana_member_update(member_id: int):
    member = member_service.get_member(member_id)
    changes = _only(json_payload(), member_service.MEMBER_FIELDS)
    user_scope().require_records((changes.get("home_kelurahan_code"),))
    with transaction():
        member_service.update_member(member, **changes)
    return jsonify(member_json(member, full=True))


@bp.post("/tagana/members/<int:member_id>/trainings")
@api_login_required(*OFFICE_ROLES)
def tagana_member_add_training(member_id: int):
    member = member_service.get_member(member_id)
    data = _only(
        json_payload(), ("name", "organizer", "started_on", "ended_on", "certificate_number")
    )
    data.setdefault("name", None)
    data.setdefault("started_on", None)
    with transaction():
        training_service.add_training(member, **data)
    return jsonify(member_json(member, full=True)), 201


# --- Deployments ----------------------------------------------------------------------------------


def deployment_json(
    deployment: Deployment, names: dict | None = None, codes: dict[int, str] | None = None
) -> dict:
    codes = codes if codes is not None else member_service.competency_codes()
    return {
        "id": deployment.id,
        "member": {
            "id": deployment.member.id,
            "nia": deployment.member.nia,
            "name": deployment.member.name,
        },
        "event_id": deployment.event_id,
        "place_kind": deployment.place_kind,
        "place_label": place_service.place_label(deployment, names),
        "shelter_id": deployment.shelter_id,
        "kelurahan_code": deployment.kelurahan_code,
        "place_name": deployment.place_name,
        "warehouse_id": deployment.warehouse_id,
        "role": deployment.role,
        "competency": codes.get(deployment.competency_id),
        "letter_number": deployment.letter_number,
        "starts_at": _iso(deployment.starts_at),
        "ends_at": _iso(deployment.ends_at),
        "vehicle_id": deployment.vehicle_id,
        "sub_kegiatan_id": deployment.sub_kegiatan_id,
        "sub_kegiatan": sub_kegiatan_code(deployment.sub_kegiatan_id),
        "status": deployment.status,
        "phase": deployment_service.deployment_phase(deployment),
        "checked_in_at": _iso(deployment.checked_in_at),
        "checked_out_at": _iso(deployment.checked_out_at),
        "check_in_location": None
        if deployment.check_in_lat is None
        else {"lat": deployment.check_in_lat, "lng": deployment.check_in_lng},
        "person_days": deployment_service.person_days(deployment),
        "client_id": deployment.client_id,
    }


def report_json(report) -> dict:
    return {
        "deployment_id": report.deployment_id,
        "activities": report.activities,
        "people_served": report.people_served,
        "problems": report.problems,
        "submitted_at": _iso(report.submitted_at),
        "submitted_by_id": report.submitted_by_id,
    }


def _deployment_list(rows) -> list[dict]:
    names = place_service.place_names(d for d, _e in rows)
    codes = member_service.competency_codes()
    return [deployment_json(d, names, codes) for d, _e in rows]


@bp.get("/tagana/deployments")
@api_login_required()
def tagana_deployments():
    filters = deployment_service.DeploymentFilters(
        event_id=_int_arg("event_id"),
        member_id=_int_arg("member_id"),
        place_kind=request.args.get("place_kind", ""),
        phase=request.args.get("phase", ""),
        q=request.args.get("q", ""),
        scope=user_scope(),
    )
    if filters.place_kind and filters.place_kind not in PLACE_KINDS:
        raise DomainError(f"Jenis tempat '{filters.place_kind}' tidak dikenal.", field="place_kind")
    if filters.phase and filters.phase not in deployment_service.PHASES:
        raise DomainError(f"Status '{filters.phase}' tidak dikenal.", field="phase")
    rows = deployment_service.list_deployments(filters, limit=MAX_ITEMS)
    items = _deployment_list(rows)
    return jsonify({"count": len(items), "items": items})


@bp.post("/tagana/deployments")
@api_login_required(*WRITER_ROLES)
def tagana_deployments_create():
    data = _only(
        json_payload(),
        ("member_id", "event_id", "client_id", *deployment_service.DEPLOYMENT_FIELDS),
    )
    for required in ("member_id", "event_id", "place_kind", "role", "letter_number", "starts_at"):
        data.setdefault(required, None)
    named = {key: data.get(key) for key in ("member_id", "event_id", "shelter_id")}
    require_in_scope(
        {key: value for key, value in named.items() if isinstance(value, int)},
        (data.get("kelurahan_code"),),
    )
    with transaction():
        deployment = deployment_service.deploy_member(actor=_actor(), **data)
    return jsonify(deployment_json(deployment)), 201


@bp.get("/tagana/deployments/<int:deployment_id>")
@api_login_required()
def tagana_deployment_detail(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    body = deployment_json(deployment)
    report = deployment_service.get_report(deployment)
    body["report"] = report_json(report) if report else None
    return jsonify(body)


@bp.patch("/tagana/deployments/<int:deployment_id>")
@api_login_required(*WRITER_ROLES)
def tagana_deployment_update(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    with transaction():
        deployment_service.update_deployment(
            deployment, _actor(), **_only(json_payload(), deployment_service.DEPLOYMENT_FIELDS)
        )
    return jsonify(deployment_json(deployment))


def _optional_payload() -> dict:
    """Check-in/out may come with no body at all (a bare button press)."""
    if not request.get_data():
        return {}
    return json_payload()


@bp.post("/tagana/deployments/<int:deployment_id>/check-in")
@api_login_required(*WRITER_ROLES)
def tagana_deployment_check_in(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    data = _only(_optional_payload(), ("lat", "lng", "at", "confirm"))
    data["confirm"] = inputs.flag(data.get("confirm"), "confirm", "confirm")
    with transaction():
        duty.check_in(deployment, _actor(), **data)
    return jsonify(deployment_json(deployment))


@bp.post("/tagana/deployments/<int:deployment_id>/check-out")
@api_login_required(*WRITER_ROLES)
def tagana_deployment_check_out(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    data = _only(_optional_payload(), ("at",))
    with transaction():
        duty.check_out(deployment, _actor(), **data)
    return jsonify(deployment_json(deployment))


@bp.post("/tagana/deployments/<int:deployment_id>/cancel")
@api_login_required(*WRITER_ROLES)
def tagana_deployment_cancel(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    data = _only(json_payload(), ("reason",))
    with transaction():
        duty.cancel_deployment(deployment, _actor(), reason=data.get("reason"))
    return jsonify(deployment_json(deployment))


@bp.get("/tagana/deployments/<int:deployment_id>/report")
@api_login_required()
def tagana_deployment_report(deployment_id: int):
    report = deployment_service.get_report(deployment_service.get_deployment(deployment_id))
    if report is None:
        raise NotFound("Laporan pelaksanaan tugas penugasan ini belum dikirim.")
    return jsonify(report_json(report))


@bp.post("/tagana/deployments/<int:deployment_id>/report")
@api_login_required(*WRITER_ROLES)
def tagana_deployment_submit_report(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    data = _only(json_payload(), ("activities", "people_served", "problems"))
    with transaction():
        report = duty.submit_task_report(
            deployment,
            _actor(),
            activities=data.get("activities"),
            people_served=data.get("people_served"),
            problems=data.get("problems", ""),
        )
    return jsonify(report_json(report)), 201


@bp.get("/tagana/me/deployments")
@api_login_required()
def tagana_my_deployments():
    member = member_service.member_for_user(current_user)
    rows = deployment_service.my_deployments(current_user)
    items = _deployment_list(rows)
    return jsonify(
        {
            "member": member_json(member) if member else None,
            "count": len(items),
            "items": items,
        }
    )


# --- Roster board ---------------------------------------------------------------------------------


def _entry_json(entry: board_service.BoardEntry) -> dict:
    return {
        "deployment_id": entry.deployment.id,
        "member_id": entry.member.id,
        "name": entry.member.name,
        "nia": entry.member.nia,
        "phone": entry.member.phone,
        "role": entry.deployment.role,
        "phase": entry.phase,
        "starts_at": _iso(entry.deployment.starts_at),
        "ends_at": _iso(entry.deployment.ends_at),
        "checked_in_at": _iso(entry.deployment.checked_in_at),
        "checked_out_at": _iso(entry.deployment.checked_out_at),
        "late": entry.late,
        "vehicle_plate": entry.vehicle_plate or None,
    }


@bp.get("/tagana/events/<int:event_id>/roster")
@api_login_required()
def tagana_roster(event_id: int):
    board = board_service.roster_board(event_id, scope=user_scope())
    places = []
    for place in board.places:
        places.append(
            {
                "kind": place.kind,
                "label": place.label,
                "shelter_id": place.shelter_id,
                "kelurahan_code": place.kelurahan_code,
                "kab_kota_code": place.kab_kota or None,
                "warehouse_id": place.warehouse_id,
                "lat": place.lat,
                "lng": place.lng,
                "gap": place.gap,
                "persons": place.persons,
                "on_duty": [_entry_json(e) for e in place.on_duty],
                "planned": [_entry_json(e) for e in place.planned],
                "finished": [_entry_json(e) for e in place.finished],
                "needed_competency": place.competency.code if place.competency else None,
                "suggestions": [
                    {
                        "member_id": s.member.id,
                        "name": s.member.name,
                        "nia": s.member.nia,
                        "level": s.member.level,
                        "kelurahan_name": s.kelurahan_name,
                        "distance_km": s.distance_km,
                    }
                    for s in place.suggestions
                ],
            }
        )
    return jsonify(
        {
            "event": {"id": board.event.id, "code": board.event.code, "title": board.event.title},
            "at": _iso(board.now),
            "counts": {
                "on_duty": board.count("bertugas"),
                "planned": board.count("direncanakan"),
                "finished": board.finished_count,
                "gaps": len(board.gaps),
            },
            "places": places,
            "by_role": {
                role: [e.deployment.id for e in entries] for role, entries in board.by_role.items()
            },
        }
    )


# --- Year figures ---------------------------------------------------------------------------------


@bp.get("/tagana/figures/<int:year>")
@api_login_required()
def tagana_figures(year: int):
    figures = figures_service.year_figures(year, scope=user_scope())
    return jsonify(
        {
            "year": figures.year,
            "members": {
                "total": figures.members_total,
                "men": figures.men,
                "women": figures.women,
                "by_level": [
                    {"level": r.level, "label": r.label, "men": r.men, "women": r.women}
                    for r in figures.levels
                ],
            },
            "trained_members": figures.trained_members,
            "trainings": figures.trainings,
            "deployments": figures.deployments,
            "deployed_members": figures.deployed_members,
            "person_days": figures.person_days,
            "events": [
                {
                    "event_id": e.event_id,
                    "code": e.code,
                    "title": e.title,
                    "deployments": e.deployments,
                    "members": e.members,
                    "person_days": e.person_days,
                }
                for e in figures.events
            ],
            "ksb": {
                "active": figures.ksb_total,
                "formed": figures.ksb_formed,
                "facilitated": figures.ksb_facilitated,
                "with_lumbung_sosial": figures.ksb_with_lumbung,
            },
        }
    )


# --- KSB and vehicles -----------------------------------------------------------------------------


def ksb_json(ksb: KampungSiagaBencana, warehouses: dict | None = None) -> dict:
    warehouses = warehouses if warehouses is not None else ksb_service.ksb_warehouses([ksb])
    lumbung = warehouses.get(ksb.warehouse_id) if ksb.warehouse_id else None
    return {
        "id": ksb.id,
        "name": ksb.name,
        "kelurahan_code": ksb.kelurahan_code,
        "formed_year": ksb.formed_year,
        "facilitation_years": list(ksb.facilitation_years or []),
        "decree_number": ksb.decree_number,
        "contact_name": ksb.contact_name,
        "contact_phone": ksb.contact_phone,
        "warehouse_id": ksb.warehouse_id,
        "lumbung_sosial": None
        if lumbung is None
        else {
            "id": lumbung.id,
            "code": lumbung.code,
            "name": lumbung.name,
            "kelurahan_code": lumbung.kelurahan_code,
            "active": lumbung.active,
        },
        "active": ksb.active,
    }


@bp.get("/tagana/ksb")
@api_login_required()
def tagana_ksb_list():
    items = ksb_service.list_ksb(
        request.args.get("kecamatan_code", ""), request.args.get("q", ""), user_scope()
    )
    warehouses = ksb_service.ksb_warehouses(items)
    return jsonify({"count": len(items), "items": [ksb_json(k, warehouses) for k in items]})


@bp.post("/tagana/ksb")
@api_login_required(*OFFICE_ROLES)
def tagana_ksb_create():
    data = _only(json_payload(), ksb_service.KSB_FIELDS)
    for required in ("name", "kelurahan_code", "formed_year"):
        data.setdefault(required, None)
    user_scope().require_records((data.get("kelurahan_code"),))
    with transaction():
        ksb = ksb_service.register_ksb(**data)
    return jsonify(ksb_json(ksb)), 201


@bp.patch("/tagana/ksb/<int:ksb_id>")
@api_login_required(*OFFICE_ROLES)
def tagana_ksb_update(ksb_id: int):
    ksb = ksb_service.get_ksb(ksb_id)
    changes = _only(json_payload(), ksb_service.KSB_FIELDS)
    user_scope().require_records((changes.get("kelurahan_code"),))
    with transaction():
        ksb_service.update_ksb(ksb, **changes)
    return jsonify(ksb_json(ksb))


def vehicle_json(vehicle: Vehicle) -> dict:
    return {
        "id": vehicle.id,
        "plate": vehicle.plate,
        "kind": vehicle.kind,
        "assigned_unit": vehicle.assigned_unit,
        "active": vehicle.active,
    }


@bp.get("/tagana/vehicles")
@api_login_required()
def tagana_vehicles():
    items = vehicle_service.list_vehicles()
    return jsonify({"count": len(items), "items": [vehicle_json(v) for v in items]})


@bp.post("/tagana/vehicles")
@api_login_required(*OFFICE_ROLES)
def tagana_vehicles_create():
    data = _only(json_payload(), vehicle_service.VEHICLE_FIELDS)
    data.setdefault("plate", None)
    data.setdefault("kind", None)
    with transaction():
        vehicle = vehicle_service.register_vehicle(**data)
    return jsonify(vehicle_json(vehicle)), 201


@bp.patch("/tagana/vehicles/<int:vehicle_id>")
@api_login_required(*OFFICE_ROLES)
def tagana_vehicle_update(vehicle_id: int):
    vehicle = vehicle_service.get_vehicle(vehicle_id)
    with transaction():
        vehicle_service.update_vehicle(
            vehicle, **_only(json_payload(), vehicle_service.VEHICLE_FIELDS)
        )
    return jsonify(vehicle_json(vehicle))
