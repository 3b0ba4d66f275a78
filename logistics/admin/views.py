"""Administration: user accounts and the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from logistics.admin.forms import UserForm
from logistics.admin.models import User
from logistics.admin.users import create_user, update_user
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.extensions import db
from logistics.core.models import AuditEntry
from logistics.core.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.route("/pengguna")
@roles_required("admin")
def users():
    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=accounts)


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(
                form.username.data,
                form.password.data or "",
                form.role.data,
                form.full_name.data or "",
            )
        except DomainError as exc:
            getattr(form, exc.field or "username").errors.append(exc.message)
            return render_template("admin/user_form.html", form=form, user=None), exc.status
        db.session.commit()
        flash("Pengguna dibuat.", "success")
        return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            update_user(
                user,
                role=form.role.data,
                active=form.active.data,
                full_name=form.full_name.data or "",
                password=form.password.data or None,
            )
        except DomainError as exc:
            getattr(form, exc.field or "role").errors.append(exc.message)
            return render_template("admin/user_form.html", form=form, user=user), exc.status
        db.session.commit()
        flash("Perubahan pengguna disimpan.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/audit")
@roles_required("admin")
def audit():
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    for arg, column in (
        ("entitas", AuditEntry.entity),
        ("aksi", AuditEntry.action),
        ("pelaku", AuditEntry.actor),
    ):
        value = request.args.get(arg, "").strip()
        if value:
            query = query.where(column == value)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        rows = (
            [
                e.at.isoformat(sep=" ", timespec="seconds"),
                e.actor,
                e.action,
                e.entity,
                e.entity_id or "",
                str(e.changes),
                e.ip or "",
            ]
            for e in db.session.scalars(query.limit(100_000))
        )
        return table_response(
            "log-audit",
            ["Waktu (UTC)", "Pelaku", "Aksi", "Entitas", "ID", "Perubahan", "IP"],
            rows,
            fmt,
        )
    page = max(1, request.args.get("hal", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    entries = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "admin/audit.html",
        entries=entries,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
    )
