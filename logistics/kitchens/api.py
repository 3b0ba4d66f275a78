"""API: field kitchens of an event, their meals and coverage (office to manage, tagana to record)."""

from flask import jsonify
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core.api import api_login_required, bp, json_number, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import user_scope
from logistics.events.services import get_event
from logistics.kitchens import meals, reports
from logistics.kitchens import services as kitchens
from logistics.kitchens.models import MEAL_PERIODS, FieldKitchen, KitchenMeal

MEAL_FIELDS = (
    "served_on",
    "period",
    "head_count",
    "portions_cooked",
    "portions_served",
    "ingredients",
    "known",
    "person_ids",
    "note",
    "client_id",
)


def kitchen_json(kitchen: FieldKitchen) -> dict:
    return {
        "id": kitchen.id,
        "event_id": kitchen.event_id,
        "name": kitchen.name,
        "kelurahan_code": kitchen.kelurahan_code,
        "shelter_id": kitchen.shelter_id,
        "warehouse_id": kitchen.warehouse_id,
        "capacity_portions": kitchen.capacity_portions,
        "pic_name": kitchen.pic_name,
        "active": kitchen.active,
        "suggested_head_count": kitchens.suggested_head_count(kitchen),
    }


def meal_json(meal: KitchenMeal, distribution=None) -> dict:
    body = {
        "id": meal.id,
        "kitchen_id": meal.kitchen_id,
        "served_on": meal.served_on.isoformat(),
        "period": meal.period,
        "period_label": MEAL_PERIODS[meal.period],
        "head_count": meal.head_count,
        "portions_cooked": meal.portions_cooked,
        "portions_served": meal.portions_served,
        "document_id": meal.document_id,
        "note": meal.note,
        "client_id": meal.client_id,
        "ingredients": [
            {"item_id": item.id, "code": item.code, "unit": item.unit, "quantity": json_number(q)}
            for item, q in meals.meal_ingredients(meal)
        ],
    }
    if distribution is not None:
        body["distribution"] = {
            "id": distribution.id,
            "persons_served": distribution.persons_served,
            "anonymous_portions": distribution.anonymous_portions,
            "person_ids": sorted(r.person_id for r in distribution.recipients),
        }
    return body


def report_json(report: reports.KitchenReport) -> dict:
    return {
        "standard_meals_per_day": report.standard,
        "portions_served": report.portions_served,
        "days": [
            {
                "date": day.day.isoformat(),
                "head_count": day.head_count,
                "portions_served": day.portions_served,
                "meals_per_person": day.meals_per_person,
                "meets_standard": report.meets_standard(day),
                "meals": [
                    {
                        "period": m.period,
                        "head_count": m.head_count,
                        "portions_cooked": m.portions_cooked,
                        "portions_served": m.portions_served,
                        "coverage_percent": m.coverage,
                        "known_persons": m.known_persons,
                        "document_id": m.document_id,
                    }
                    for m in day.meals
                ],
            }
            for day in report.days
        ],
        "ingredients": [
            {
                "item_id": r.item_id,
                "name": r.name,
                "unit": r.unit,
                "quantity": json_number(r.quantity),
            }
            for r in report.ingredients
        ],
    }


@bp.get("/events/<int:event_id>/kitchens")
@api_login_required()
def kitchens_list(event_id: int):
    rows = kitchens.list_kitchens(get_event(event_id).id, user_scope())
    return jsonify({"count": len(rows), "items": [kitchen_json(k) for k in rows]})


@bp.post("/events/<int:event_id>/kitchens")
@api_login_required(*OFFICE_ROLES)
def kitchens_create(event_id: int):
    with transaction():
        kitchen = kitchens.create_kitchen(get_event(event_id), user_scope(), **json_payload())
    return jsonify(kitchen_json(kitchen)), 201


@bp.get("/kitchens/<int:kitchen_id>")
@api_login_required()
def kitchens_detail(kitchen_id: int):
    kitchen = kitchens.get_kitchen(kitchen_id)
    return jsonify(kitchen_json(kitchen) | {"report": report_json(reports.kitchen_report(kitchen))})


@bp.patch("/kitchens/<int:kitchen_id>")
@api_login_required(*OFFICE_ROLES)
def kitchens_update(kitchen_id: int):
    with transaction():
        kitchen = kitchens.update_kitchen(
            kitchens.get_kitchen(kitchen_id), user_scope(), **json_payload()
        )
    return jsonify(kitchen_json(kitchen))


@bp.get("/kitchens/<int:kitchen_id>/meals")
@api_login_required()
def kitchen_meals_list(kitchen_id: int):
    found = meals.list_meals(kitchens.get_kitchen(kitchen_id))
    return jsonify({"count": len(found), "items": [meal_json(m) for m in found]})


@bp.post("/kitchens/<int:kitchen_id>/meals")
@api_login_required(*WRITER_ROLES)
def kitchen_meals_create(kitchen_id: int):
    payload = json_payload()
    unknown = sorted(set(payload) - set(MEAL_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    with transaction():
        result = meals.record_meal(
            kitchens.get_kitchen(kitchen_id),
            **{key: payload.get(key) for key in MEAL_FIELDS},
            actor=current_user,
        )
    return jsonify(meal_json(result.meal, result.distribution)), 201 if result.created else 200
