"""Administration: user accounts and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from logistics.admin.audit_labels import action_label, entity_label
from logistics.admin.audit_log import (
    AuditFilters,
    audit_query,
    change_lines,
    export_rows,
    filter_choices,
    page_of,
)
from logistics.admin.forms import UserForm
from logistics.admin.scopes import set_scope
from logistics.admin.users import create_user, get_user, list_users, update_user
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.forms import submit
from logistics.core.inputs import day
from logistics.core.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.route("/pengguna")
@roles_required("admin")
def users():
    return render_template("admin/users.html", users=list_users())


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = UserForm()

    def save():
        user = create_user(
            form.username.data,
            form.password.data or "",
            form.role.data,
            form.full_name.data or "",
        )
        set_scope(user, record=form.record_areas.data, see=form.see_areas.data)

    outcome = submit(form, save, fallback="username")
    if outcome.done:
        flash("Pengguna dibuat.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), outcome.status


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = get_user(user_id)
    form = UserForm(obj=user)
    form.username.render_kw = {"readonly": True}

    def save():
        update_user(
            user,
            role=form.role.data,
            active=form.active.data,
            full_name=form.full_name.data or "",
            password=form.password.data or None,
        )
        set_scope(user, record=form.record_areas.data, see=form.see_areas.data)

    outcome = submit(form, save, fallback="role")
    if outcome.done:
        flash("Perubahan pengguna disimpan.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), outcome.status


@bp.route("/audit")
@roles_required("admin")
def audit():
    args = request.args
    error = None
    try:
        day_from = day(args.get("dari"), "dari", "Tanggal awal")
        day_to = day(args.get("sampai"), "sampai", "Tanggal akhir")
    except DomainError as exc:
        error, day_from, day_to = exc.message, None, None
    filters = AuditFilters(
        entity=args.get("entitas", "").strip(),
        action=args.get("aksi", "").strip(),
        actor=args.get("pelaku", "").strip(),
        day_from=day_from,
        day_to=day_to,
    )
    query = audit_query(filters)
    fmt = args.get("format")
    if fmt in ("csv", "xlsx") and error is None:
        return table_response(
            "log-audit",
            ["Waktu", "Pelaku", "Aksi", "Objek", "ID", "Perubahan", "IP"],
            export_rows(query),
            fmt,
        )
    page = max(1, args.get("hal", 1, type=int))
    total, entries = page_of(query, page, PAGE_SIZE)
    return render_template(
        "admin/audit.html",
        entries=entries,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        choices=filter_choices(),
        error=error,
        change_lines=change_lines,
        action_label=action_label,
        entity_label=entity_label,
    ), (422 if error else 200)
