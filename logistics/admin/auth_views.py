"""Logging in and out."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from logistics.admin import login_throttle
from logistics.admin.forms import LoginForm
from logistics.admin.users import authenticate, end_sessions
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.extensions import limiter
from logistics.core.security import local_target

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: f"login:{request.remote_addr}")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "POST":
        refused = login_throttle.refusal(f"login:{request.remote_addr}")
        if refused:
            flash(refused, "danger")
            return render_template("admin/auth/login.html", form=form), 429
    if form.validate_on_submit():
        # Committed either way: a failed attempt keeps its audit entry too.
        with transaction():
            user = authenticate(form.username.data, form.password.data)
            if user is not None:
                login_user(user, remember=form.remember.data)
                record_action("login", "users", user.id)
        if user is None:
            flash("Nama pengguna atau kata sandi salah, atau akun tidak aktif.", "danger")
            return render_template("admin/auth/login.html", form=form), 401
        return redirect(local_target(request.args.get("next"), url_for("main.index")))
    return render_template("admin/auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    # Ends the user's sessions on every device: a copied cookie must not outlive "Keluar".
    with transaction():
        end_sessions(current_user._get_current_object())
        record_action("logout", "users", current_user.id)
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
