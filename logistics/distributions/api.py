"""API: aid hand-outs (record, list, read) and the recipient search of the field form."""

from flask import jsonify, request, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.budget import tree_cache
from logistics.core.api import api_login_required, bp, json_number, json_payload
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.errors import DomainError, Forbidden
from logistics.core.privacy import mask_nik
from logistics.core.security import require_in_scope, user_scope
from logistics.core.spm_components import SPM_COMPONENTS, SPM_SUBKEGIATAN
from logistics.distributions import lists as handout_lists
from logistics.distributions import services as distributions
from logistics.distributions.models import PHASES, Distribution

MAX_PER_PAGE = 500
FIELDS = distributions.HAND_OUT_FIELDS | {"client_id"}


def movement_json(line: distributions.Taken) -> dict:
    return {
        "item_id": line.item_id,
        "item_code": line.item_code,
        "item_name": line.item_name,
        "unit": line.unit,
        "lot_id": line.lot_id,
        "lot": line.lot,
        "quantity": json_number(line.quantity),
        "expired_reason": line.expired_reason,
    }


def distribution_json(d: Distribution, lines: list[dict], person_ids: list[int]) -> dict:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "component": d.component,
        "component_label": SPM_COMPONENTS[d.component],
        "subkegiatan": SPM_SUBKEGIATAN[d.component],
        # The sub-kegiatan the hand-out is charged to (given, or the component's by default).
        "sub_kegiatan_id": d.sub_kegiatan_id,
        "sub_kegiatan": tree_cache.sub_kegiatan_code(d.sub_kegiatan_id),
        "phase": d.phase,
        "phase_label": PHASES[d.phase],
        "recipient_kind": d.recipient_kind,
        "household_id": d.household_id,
        "person_id": d.person_id,
        "institution_id": d.institution_id,
        "kelurahan_code": d.kelurahan_code,
        "shelter_id": d.shelter_id,
        "warehouse_id": d.warehouse_id,
        "distributed_on": d.distributed_on.isoformat(),
        "persons_served": d.persons_served,
        "recipient_person_ids": person_ids,
        "lines": lines,
        "receiver_name": d.receiver_name,
        "service_note": d.service_note,
        "note": d.note,
        "override_reason": d.override_reason,
        "client_id": d.client_id,
        "created_by_id": d.created_by_id,
        "created_at": d.created_at.isoformat() + "Z",
    }


def _stored(d: Distribution) -> dict:
    lines = [movement_json(m) for m in handout_lists.movements_of(d)]
    return distribution_json(d, lines, handout_lists.recipient_ids(d))


@bp.post("/distributions")
@api_login_required(*WRITER_ROLES)
def distributions_create():
    """Record a hand-out; 201 when new, 200 with the first record for a retried client_id."""
    payload = json_payload()
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    hand_out = distributions.parse_hand_out(payload)
    require_in_scope(
        {"event_id": hand_out.event_id, f"{hand_out.recipient_kind}_id": hand_out.recipient_id},
        (hand_out.kelurahan_code,),
    )
    with transaction():
        distribution, created = distributions.record_distribution(hand_out, current_user)
        # Built before the commit expires the objects, so they need not be read again.
        lines = [movement_json(line) for line in handout_lists.movements_of(distribution)]
        body = distribution_json(distribution, lines, handout_lists.recipient_ids(distribution))
    if not created:
        return jsonify(body), 200
    location = url_for("api.distributions_detail", distribution_id=body["id"])
    return jsonify(body), 201, {"Location": location}


@bp.get("/distributions")
@api_login_required()
def distributions_list():
    """Hand-outs filtered by event, component, kelurahan, household and date range, paginated."""
    per_page = min(max(request.args.get("per_page", 100, type=int), 1), MAX_PER_PAGE)
    page = max(request.args.get("page", 1, type=int), 1)
    query = handout_lists.distributions_query(
        handout_lists.parse_filters(request.args), user_scope()
    )
    total = handout_lists.count(query)
    found = handout_lists.rows(query, per_page, (page - 1) * per_page)
    items = []
    for row in found:
        d = row.distribution
        lines = [
            {"item_name": name, "quantity": json_number(amount), "unit": unit}
            for name, amount, unit in row.lines
        ]
        body = distribution_json(d, lines, [r.person_id for r in d.recipients])
        body["recipient_name"] = row.recipient_name
        body["nik"] = mask_nik(row.nik) or None
        body["recorded_by"] = row.recorded_by
        items.append(body)
    return jsonify({"count": total, "page": page, "per_page": per_page, "items": items})


@bp.get("/distributions/<int:distribution_id>")
@api_login_required()
def distributions_detail(distribution_id: int):
    return jsonify(_stored(handout_lists.get_distribution(distribution_id)))


def _show_nik() -> bool:
    """Whole NIKs only on request and only for the office roles; every such read is logged."""
    if request.args.get("show_nik") not in ("1", "true"):
        return False
    if current_user.role not in OFFICE_ROLES:
        raise Forbidden("Peran Anda hanya boleh melihat NIK yang disamarkan.", field="show_nik")
    return True


@bp.get("/distributions/recipients")
@api_login_required(*WRITER_ROLES)
def distributions_recipients():
    """Households (with members) and persons of an event found by NIK, nomor KK or name."""
    full = _show_nik()
    found = handout_lists.search_recipients(
        request.args.get("event_id"), request.args.get("q"), user_scope()
    )

    def number(value):
        return (value if full else mask_nik(value)) or None

    items = []
    for candidate in found:
        household = candidate.household
        items.append(
            {
                "recipient_kind": "household" if household else "person",
                "household_id": household.id if household else None,
                "person_id": None if household else candidate.person.id,
                "name": (household.head_name if household else "") or candidate.members[0].name,
                "no_kk": number(household.no_kk) if household else None,
                "kelurahan_code": candidate.kelurahan_code,
                "members": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "nik": number(p.nik),
                        "relation": p.relation,
                        "matched": p.id in candidate.matched,
                    }
                    for p in candidate.members
                ],
            }
        )
    if full and items:
        ids = [m["id"] for item in items for m in item["members"]]
        with transaction():
            record_action("view_nik", "persons", None, {"api": "distributions", "ids": ids})
    return jsonify({"count": len(items), "nik_masked": not full, "items": items})
