"""Office pages for field work: "Perlu ditinjau" (refused and conflicting records) and the
"Perangkat lapangan" list where an admin revokes a lost phone and sets the credential lifetime."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import roles_required, user_scope
from logistics.field import devices, review
from logistics.field.models import KINDS, STATUSES

bp = Blueprint("field_review", __name__, url_prefix="/lapangan")


@bp.app_template_filter("pretty_json")
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@bp.route("/tinjau")
@roles_required(*OFFICE_ROLES)
def to_review():
    return render_template(
        "field/review.html",
        records=review.records_to_review(scope=user_scope()),
        total=review.count_to_review(user_scope()),
        kinds=KINDS,
        statuses=STATUSES,
    )


@bp.post("/tinjau/<int:record_id>/terima")
@roles_required(*OFFICE_ROLES)
def accept(record_id: int):
    row = review.get_record(record_id)
    try:
        with transaction():
            target_id = review.accept_record(row, current_user, request.form.get("reason"))
    except DomainError as error:
        flash(f"Data #{record_id} belum dapat diterima: {error.message}", "error")
        return redirect(url_for("field_review.to_review"))
    flash(f"Data #{record_id} diterima dan disimpan (#{target_id}).", "success")
    return redirect(url_for("field_review.to_review"))


@bp.post("/tinjau/<int:record_id>/tolak")
@roles_required(*OFFICE_ROLES)
def reject(record_id: int):
    row = review.get_record(record_id)
    try:
        with transaction():
            review.reject_record(row, current_user, request.form.get("note"))
    except DomainError as error:
        flash(f"Data #{record_id} belum dapat ditolak: {error.message}", "error")
        return redirect(url_for("field_review.to_review"))
    flash(f"Data #{record_id} ditolak; catatan dikirim ke ponsel pengirim.", "success")
    return redirect(url_for("field_review.to_review"))


def _devices_page(error: str | None = None, status: int = 200):
    with transaction():
        days = devices.settings().device_days
    page = render_template(
        "field/devices.html", devices=devices.list_devices(), device_days=days, error=error
    )
    return page, status


@bp.route("/perangkat")
@roles_required("admin")
def device_list():
    return _devices_page()


@bp.post("/perangkat/<device_id>/cabut")
@roles_required("admin")
def revoke(device_id: str):
    device = devices.get_device(device_id)
    try:
        with transaction():
            devices.revoke_device(device, current_user, request.form.get("reason"))
    except DomainError as error:
        return _devices_page(error.message, error.status)
    flash(f"Perangkat {device.name} dicabut; ponsel itu tidak dapat mengirim lagi.", "success")
    return redirect(url_for("field_review.device_list"))


@bp.post("/perangkat/pengaturan")
@roles_required("admin")
def settings():
    try:
        with transaction():
            devices.set_device_days(request.form.get("device_days"))
    except DomainError as error:
        return _devices_page(error.message, error.status)
    flash(
        "Masa berlaku perangkat disimpan; berlaku untuk perangkat yang didaftarkan berikutnya.",
        "success",
    )
    return redirect(url_for("field_review.device_list"))
