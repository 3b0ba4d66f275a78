"""Field-kitchen pages: kitchens of an event, a kitchen's coverage report, recording a meal."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import tanggal
from logistics.core.forms import attach_error
from logistics.core.security import roles_required, user_scope
from logistics.core.time import office_today
from logistics.events.services import get_event
from logistics.kitchens import meals, reports
from logistics.kitchens import services as kitchens
from logistics.kitchens.forms import KitchenForm, MealForm
from logistics.kitchens.models import MEAL_PERIODS
from logistics.stock.warehouses import kelurahan_name

bp = Blueprint("kitchens", __name__, url_prefix="/dapur-umum")
INGREDIENT_ROWS = 4  # empty ingredient rows on the meal form


def _kitchen_choices(form: KitchenForm, event_id: int) -> None:
    form.shelter_id.choices = [("", "— tidak ada —")] + [
        (str(i), name) for i, name in kitchens.shelter_choices(event_id, user_scope())
    ]
    form.warehouse_id.choices = [("", "— belum ditentukan —")] + [
        (str(i), name) for i, name in kitchens.warehouse_choices(user_scope())
    ]


def _kitchen_values(form: KitchenForm) -> dict:
    values = {name: getattr(form, name).data for name in kitchens.KITCHEN_FIELDS}
    values["pic_name"] = values["pic_name"] or ""
    return values


def _render_kitchen_form(form, event, kitchen, status=200):
    return render_template(
        "kitchens/kitchen_form.html",
        form=form,
        event=event,
        kitchen=kitchen,
    ), status


@bp.route("/kejadian/<int:event_id>")
@login_required
def index(event_id: int):
    event = get_event(event_id)
    rows = kitchens.list_kitchens(event.id, user_scope())
    return render_template(
        "kitchens/index.html",
        event=event,
        rows=[(k, kelurahan_name(k.kelurahan_code)) for k in rows],
        shelters=dict(kitchens.shelter_choices(event.id)),
        can_manage=current_user.role in OFFICE_ROLES,
        can_write=current_user.role in WRITER_ROLES,
    )


@bp.route("/kejadian/<int:event_id>/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def create(event_id: int):
    event = get_event(event_id)
    form = KitchenForm()
    _kitchen_choices(form, event.id)
    if form.validate_on_submit():
        try:
            values = _kitchen_values(form)
            values.pop("active")  # a new kitchen is active; the box shows on edit only
            with transaction():
                kitchen = kitchens.create_kitchen(event, user_scope(), **values)
        except DomainError as exc:
            attach_error(form, exc)
            return _render_kitchen_form(form, event, None, exc.status)
        flash(f"Dapur umum '{kitchen.name}' ditambahkan.", "success")
        return redirect(url_for("kitchens.detail", kitchen_id=kitchen.id))
    return _render_kitchen_form(form, event, None, 422 if request.method == "POST" else 200)


@bp.route("/<int:kitchen_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit(kitchen_id: int):
    kitchen = kitchens.get_kitchen(kitchen_id)
    event = get_event(kitchen.event_id)
    form = KitchenForm(obj=kitchen)
    _kitchen_choices(form, event.id)
    if request.method == "GET":
        form.shelter_id.data = str(kitchen.shelter_id or "")
        form.warehouse_id.data = str(kitchen.warehouse_id or "")
        form.capacity_portions.data = str(kitchen.capacity_portions)
    if form.validate_on_submit():
        try:
            with transaction():
                kitchens.update_kitchen(kitchen, user_scope(), **_kitchen_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_kitchen_form(form, event, kitchen, exc.status)
        flash("Perubahan disimpan.", "success")
        return redirect(url_for("kitchens.detail", kitchen_id=kitchen.id))
    return _render_kitchen_form(form, event, kitchen, 422 if request.method == "POST" else 200)


MEAL_HEADERS = [
    "Tanggal",
    "Waktu makan",
    "Jumlah orang",
    "Porsi dimasak",
    "Porsi dibagikan",
    "Cakupan (%)",
    "Tercatat per orang",
    "Makan per orang hari itu",
]


def _meal_rows(report: reports.KitchenReport):
    for day in report.days:
        per_person = "" if day.meals_per_person is None else round(day.meals_per_person, 2)
        for m in day.meals:
            coverage = "" if m.coverage is None else round(m.coverage, 1)
            yield [
                day.day.isoformat(),
                MEAL_PERIODS[m.period],
                m.head_count,
                m.portions_cooked,
                m.portions_served,
                coverage,
                m.known_persons,
                per_person,
            ]


@bp.route("/<int:kitchen_id>")
@login_required
def detail(kitchen_id: int):
    kitchen = kitchens.get_kitchen(kitchen_id)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        report = reports.kitchen_report(kitchen)
        return table_response(f"dapur-umum-{kitchen.id}", MEAL_HEADERS, _meal_rows(report), fmt)
    return render_template(
        "kitchens/detail.html",
        kitchen=kitchen,
        event=get_event(kitchen.event_id),
        shelter=kitchens.kitchen_shelter(kitchen),
        warehouse=kitchens.kitchen_warehouse(kitchen),
        kelurahan_name=kelurahan_name(kitchen.kelurahan_code),
        report=reports.kitchen_report(kitchen),
        periods=MEAL_PERIODS,
        can_manage=current_user.role in OFFICE_ROLES,
        can_write=current_user.role in WRITER_ROLES,
    )


def _ingredient_rows() -> list[tuple[str, str]]:
    pairs = zip(request.form.getlist("item_id"), request.form.getlist("quantity"), strict=False)
    return [(item, qty) for item, qty in pairs if item.strip() or qty.strip()]


@bp.route("/<int:kitchen_id>/makan", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def meal_new(kitchen_id: int):
    kitchen = kitchens.get_kitchen(kitchen_id)
    form = MealForm()
    form.known.choices = [("none", meals.KNOWN_PERSONS["none"])]
    registered = meals.shelter_victim_count(kitchen)
    if registered:
        form.known.choices.append(
            ("shelter", f"{meals.KNOWN_PERSONS['shelter']} ({registered} orang)")
        )
    rows: list[tuple[str, str]] = []
    status = 200
    if request.method == "GET":
        form.served_on.data = office_today().isoformat()
        suggested = kitchens.suggested_head_count(kitchen)
        form.head_count.data = "" if suggested is None else str(suggested)
        form.client_id.data = uuid.uuid4().hex
    elif form.validate_on_submit():
        rows = _ingredient_rows()
        try:
            with transaction():
                result = meals.record_meal(
                    kitchen,
                    served_on=form.served_on.data,
                    period=form.period.data,
                    head_count=form.head_count.data,
                    portions_cooked=form.portions_cooked.data,
                    portions_served=form.portions_served.data,
                    ingredients=[{"item_id": item, "quantity": qty} for item, qty in rows],
                    known=form.known.data,
                    note=form.note.data,
                    client_id=form.client_id.data,
                    actor=current_user,
                )
        except DomainError as exc:
            kitchen = kitchens.get_kitchen(kitchen_id)
            attach_error(form, exc)
            status = exc.status
        else:
            meal = result.meal
            flash(
                f"Makan {MEAL_PERIODS[meal.period].lower()} {tanggal(meal.served_on)} dicatat: "
                f"{meal.portions_served} porsi dibagikan.",
                "success",
            )
            return redirect(url_for("kitchens.detail", kitchen_id=kitchen.id))
    else:
        status = 422
    return render_template(
        "kitchens/meal_form.html",
        form=form,
        kitchen=kitchen,
        rows=rows + [("", "")] * INGREDIENT_ROWS,
        choices=meals.ingredient_choices() if kitchen.warehouse_id else [],
    ), status
