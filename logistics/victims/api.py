"""API: victims (create, read, update, list with filters) and institution victims."""

from datetime import date

from flask import jsonify, request, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.demography import age_group, is_balita
from logistics.core.errors import DomainError, Forbidden
from logistics.core.privacy import mask_nik
from logistics.core.security import require_visible, user_scope
from logistics.core.time import office_today
from logistics.events.models import Event
from logistics.victims.access import require_own_household
from logistics.victims.lists import (
    VictimFilters,
    find_event,
    institutions,
    victim_count,
    victim_rows,
    victims_query,
    vulnerable_groups,
)
from logistics.victims.models import Household, InstitutionVictim, Person, Victim
from logistics.victims.persons import PersonInput
from logistics.victims.services import (
    PERSON_FIELDS,
    check_household,
    get_household,
    get_victim,
    register_institution,
    register_victim,
    update_person,
    update_victim,
)

MAX_PER_PAGE = 500
HOUSEHOLD_FIELDS = ("no_kk", "head_name", "address", "rt", "rw")
VICTIM_FIELDS = ("status", "kelurahan_code", "shelter_id", "note")
FLAGS = ("pregnant", "breastfeeding", "disability", "chronic_illness")


def _show_nik() -> bool:
    """Whole NIKs only on request and only for the office roles; every such read is logged."""
    if request.args.get("show_nik") not in ("1", "true"):
        return False
    if current_user.role not in OFFICE_ROLES:
        raise Forbidden("Peran Anda hanya boleh melihat NIK yang disamarkan.", field="show_nik")
    return True


def person_json(person: Person, household: Household | None, full_nik: bool, today: date) -> dict:
    return {
        "id": person.id,
        "nik": (person.nik if full_nik else mask_nik(person.nik)) or None,
        "nik_masked": not full_nik,
        "no_nik_reason": person.no_nik_reason,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "age_group": age_group(person.birth_date, today),
        "balita": is_balita(person.birth_date, today),
        "relation": person.relation,
        **{flag: getattr(person, flag) for flag in FLAGS},
        "vulnerable_groups": vulnerable_groups(person, today),
        "household": None
        if household is None
        else {
            "id": household.id,
            "no_kk": (household.no_kk if full_nik else mask_nik(household.no_kk)) or None,
            "head_name": household.head_name,
            "kelurahan_code": household.kelurahan_code,
        },
        "merged_into_id": person.merged_into_id,
    }


def victim_json(victim: Victim, person: Person, household, full_nik: bool, today: date) -> dict:
    return {
        "id": victim.id,
        "event_id": victim.event_id,
        "status": victim.status,
        "kelurahan_code": victim.kelurahan_code,
        "shelter_id": victim.shelter_id,
        "note": victim.note,
        "client_id": victim.client_id,
        "registered_at": victim.registered_at.isoformat() + "Z",
        "person": person_json(person, household, full_nik, today),
    }


def _one(victim: Victim, full_nik: bool) -> dict:
    person = victim.person
    return victim_json(victim, person, person.household, full_nik, office_today())


def _parse_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DomainError("Tanggal ditulis sebagai teks TTTT-BB-HH.", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            f"Tanggal '{value}' tidak valid; tulis TTTT-BB-HH, mis. 1985-08-17.", field=field
        ) from None


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"'{field}' harus berupa bilangan bulat.", field=field)
    return value


def _object(payload: dict, key: str) -> dict:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DomainError(f"'{key}' harus berupa objek JSON.", field=key)
    return value


def _person_changes(body: dict) -> dict:
    """Person fields of a request body, typed; unknown keys are an error, not silently dropped."""
    unknown = set(body) - set(PERSON_FIELDS)
    if unknown:
        raise DomainError(
            f"Kolom person tidak dikenal: {', '.join(sorted(unknown))}.", field="person"
        )
    changes = {}
    for key, value in body.items():
        if key == "birth_date":
            changes[key] = _parse_date(value, "birth_date")
        elif key in FLAGS:
            if not isinstance(value, bool):
                raise DomainError(f"'{key}' harus true atau false.", field=key)
            changes[key] = value
        else:
            if value is not None and not isinstance(value, str):
                raise DomainError(f"'{key}' harus berupa teks.", field=key)
            changes[key] = value.strip() if isinstance(value, str) else value
    return changes


def _event(payload: dict) -> Event:
    event_id = _int(payload.get("event_id"), "event_id")
    event = find_event(event_id)
    if event is None:
        raise DomainError("event_id wajib diisi dengan kejadian yang ada.", field="event_id")
    return event


@bp.get("/victims")
@api_login_required()
def victims_list():
    """Victims, filtered by event, kelurahan, status, vulnerable group or name/whole NIK."""
    per_page = min(max(request.args.get("per_page", 100, type=int), 1), MAX_PER_PAGE)
    page = max(request.args.get("page", 1, type=int), 1)
    filters = VictimFilters(
        event_id=request.args.get("event_id", type=int),
        kelurahan_code=request.args.get("kelurahan_code") or None,
        status=request.args.get("status") or None,
        group=request.args.get("group") or None,
        text=request.args.get("q") or None,
        scope=user_scope(),
    )
    full = _show_nik()
    today = office_today()
    query = victims_query(filters, today)
    total = victim_count(query)
    rows = victim_rows(query, limit=per_page, offset=(page - 1) * per_page)
    if full and rows:
        with transaction():
            record_action(
                "view_nik",
                "persons",
                None,
                {"api": "victims", "ids": [p.id for _, p, _, _ in rows]},
            )
    return jsonify(
        {
            "count": total,
            "page": page,
            "per_page": per_page,
            "items": [victim_json(v, p, h, full, today) for v, p, h, _ in rows],
        }
    )


def _refuse_other_areas_kk(household_data: dict | None) -> None:
    """As the form: a new member may not join, through its nomor KK, a family registered in
    another kab/kota (409, nothing written); an invalid KK is left to the service's message."""
    if not household_data or not household_data.get("no_kk"):
        return
    try:
        _values, existing = check_household(**household_data)
    except DomainError:
        return
    if existing is not None:
        require_own_household(existing.id)


@bp.post("/victims")
@api_login_required(*WRITER_ROLES)
def victims_create():
    """Register a victim; a retry with the same client_id returns the first record (200)."""
    payload = json_payload()
    event = _event(payload)
    person_body = _object(payload, "person")
    if not person_body:
        raise DomainError(
            "'person' wajib diisi (nama, NIK atau alasan tanpa NIK, ...).", field="person"
        )
    person = PersonInput(**{"name": "", **_person_changes(person_body)})
    household = None
    household_data = None
    household_id = _int(payload.get("household_id"), "household_id")
    if household_id is not None:
        household = get_household(household_id)
    else:
        household_data = _object(payload, "household")
        unknown = set(household_data) - set(HOUSEHOLD_FIELDS)
        if unknown:
            raise DomainError(
                f"Kolom household tidak dikenal: {', '.join(sorted(unknown))}.", field="household"
            )
    shelter_id = _int(payload.get("shelter_id"), "shelter_id")
    require_visible("household_id", household_id)
    require_visible("event_id", event.id)
    user_scope().require_records((payload.get("kelurahan_code"),))
    _refuse_other_areas_kk(household_data)
    with transaction():
        victim, created = register_victim(
            event,
            person,
            status=payload.get("status") or "",
            kelurahan_code=payload.get("kelurahan_code") or "",
            shelter_id=shelter_id,
            client_id=payload.get("client_id"),
            household=household,
            household_data=household_data or None,
            note=payload.get("note") or "",
            registered_by_id=current_user.id,
        )
    body = _one(victim, full_nik=False)
    if not created:
        return jsonify(body), 200
    location = url_for("api.victims_detail", victim_id=victim.id)
    return jsonify(body), 201, {"Location": location}


@bp.get("/victims/<int:victim_id>")
@api_login_required()
def victims_detail(victim_id: int):
    victim = get_victim(victim_id)
    full = _show_nik()
    if full:
        with transaction():
            record_action("view_nik", "persons", victim.person_id, {"api": "victim"})
    return jsonify(_one(victim, full))


@bp.patch("/victims/<int:victim_id>")
@api_login_required(*WRITER_ROLES)
def victims_update(victim_id: int):
    """Change status, kelurahan, shelter or note; person data only for the office roles."""
    victim = get_victim(victim_id)
    payload = json_payload()
    unknown = set(payload) - set(VICTIM_FIELDS) - {"person"}
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(sorted(unknown))}.")
    person_body = _object(payload, "person")
    if person_body and current_user.role not in OFFICE_ROLES:
        raise Forbidden("Data orang hanya dapat diubah oleh operator atau admin.", field="person")
    changes = {}
    if "status" in payload:
        changes["status"] = payload["status"] or ""
    if "kelurahan_code" in payload:
        changes["kelurahan_code"] = payload["kelurahan_code"] or ""
        user_scope().require_records((changes["kelurahan_code"],))
    if "shelter_id" in payload:
        changes["shelter_id"] = _int(payload["shelter_id"], "shelter_id")
    if "note" in payload:
        changes["note"] = payload["note"] or ""
    with transaction():
        update_victim(victim, **changes)
        if person_body:
            update_person(victim.person, **_person_changes(person_body))
    return jsonify(_one(victim, full_nik=False))


def institution_json(record: InstitutionVictim) -> dict:
    return {
        "id": record.id,
        "event_id": record.event_id,
        "name": record.name,
        "kind": record.kind,
        "kelurahan_code": record.kelurahan_code,
        "headcount": record.headcount,
        "status": record.status,
        "shelter_id": record.shelter_id,
        "address": record.address,
        "contact": record.contact,
        "client_id": record.client_id,
    }


@bp.get("/institution-victims")
@api_login_required()
def institution_victims_list():
    records = institutions(
        request.args.get("event_id", type=int),
        request.args.get("kelurahan_code"),
        user_scope(),
    )
    return jsonify(
        {
            "count": len(records),
            "headcount": sum(r.headcount for r in records),
            "items": [institution_json(r) for r in records],
        }
    )


@bp.post("/institution-victims")
@api_login_required(*WRITER_ROLES)
def institution_victims_create():
    payload = json_payload()
    event = _event(payload)
    headcount = payload.get("headcount")
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise DomainError("'headcount' harus berupa bilangan bulat.", field="headcount")
    shelter_id = _int(payload.get("shelter_id"), "shelter_id")
    with transaction():
        record, created = register_institution(
            event,
            name=payload.get("name") or "",
            kind=payload.get("kind") or "",
            kelurahan_code=payload.get("kelurahan_code") or "",
            headcount=headcount,
            status=payload.get("status") or "menderita",
            shelter_id=shelter_id,
            address=payload.get("address") or "",
            contact=payload.get("contact") or "",
            client_id=payload.get("client_id"),
        )
    return jsonify(institution_json(record)), 201 if created else 200
