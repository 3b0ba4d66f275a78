"""Break the glass: find a victim by NIK/KK across the whole office area, with a reason, audited."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.privacy import mask_nik
from logistics.core.security import user_scope
from logistics.events.models import PEOPLE_STATUSES
from logistics.victims.access import break_glass
from logistics.victims.lists import kelurahan_names

bp = Blueprint("victim_lookup", __name__, url_prefix="/korban/lintas-wilayah")


@bp.route("/", methods=["GET", "POST"])
@login_required
def lookup():
    """The form, and on POST the persons found; their pages stay open for the set minutes."""
    minutes = int(current_app.config["BREAK_GLASS_MINUTES"])
    found, error, status = None, None, 200
    number = request.form.get("number", "")
    reason = request.form.get("reason", "")
    if request.method == "POST":
        try:
            with transaction():
                found = break_glass(current_user.id, number, reason, minutes)
        except DomainError as exc:
            error, status = exc, exc.status
    return (
        render_template(
            "victims/lookup.html",
            found=found,
            error=error,
            number=number,
            reason=reason,
            minutes=minutes,
            scope=user_scope(),
            names=kelurahan_names(),
            statuses=PEOPLE_STATUSES,
            mask_nik=mask_nik,
        ),
        status,
        {"Cache-Control": "no-store"},
    )
