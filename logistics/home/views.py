"""Home page by role, the office area map, the public map and health check."""

from flask import Blueprint, render_template, send_from_directory, url_for
from flask_login import current_user, login_required
from xstatic.pkg import leaflet

from logistics.areas.browse import area_counts, latest_boundary_set
from logistics.areas.maps import overview_map, serve_assets_from
from logistics.core.database import ping
from logistics.core.security import user_scope
from logistics.events import maps as event_maps
from logistics.home import command, field_day, work_queue
from logistics.tagana.deployments import PHASES
from logistics.tagana.forms import CheckForm

bp = Blueprint("main", __name__)


@bp.record_once
def _serve_leaflet_here(_state) -> None:
    # Every map of the app is built below the web layer; this blueprint serves Leaflet, so it
    # tells the maps where the files are (URLs still built per request, as url_for does).
    serve_assets_from(lambda filename: url_for("main.vendor", filename=filename))


@bp.route("/")
@login_required
def index():
    role = current_user.role
    if role == "pimpinan":
        return _pimpinan_home()
    if role == "tagana":
        return render_template(
            "home/tagana.html",
            **field_day.todays_tasks(current_user, user_scope()),
            phases=PHASES,
            check_form=CheckForm(),
        )
    return render_template(
        "home/operator.html",
        queue=work_queue.operator_queue(current_user, user_scope()),
        admin=work_queue.admin_counts() if role == "admin" else None,
        expiry_days=work_queue.EXPIRY_DAYS,
        failed_days=work_queue.FAILED_JOBS_DAYS,
    )


def _pimpinan_home():
    scope = user_scope()
    events = command.command_view(scope)
    affected_map = None
    if events:
        # One small map, of the first event (in tanggap darurat, else the newest).
        event = events[0]["event"]
        affected_map = event_maps.event_map(
            event,
            events[0]["matrix"],
            command.shelters_of(event, scope),
            shelter_url=lambda sid: url_for("shelters.detail", shelter_id=sid),
            static_url=url_for("main.vendor", filename="leaflet.js"),
        )
    return render_template(
        "home/pimpinan.html", events=events, map=affected_map, labels=command.figure_labels()
    )


@bp.route("/peta-wilayah")
@login_required
def area_map():
    """The office's area map, which was the home page of every role before."""
    return render_template(
        "home/index.html",
        map=overview_map(),
        counts=area_counts(),
        boundary_set=latest_boundary_set(),
    )


@bp.route("/peta")
def public_map():
    """Anonymous map for the public and partners: areas and aggregates only, never persons."""
    from logistics.events.services import active_events

    return render_template(
        "home/public_map.html", map=overview_map(), counts=area_counts(), events=active_events()
    )


@bp.route("/vendor/leaflet/<path:filename>")
def vendor(filename: str):
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 24 * 3600)


@bp.route("/sehat")
def health():
    ping()
    return {"status": "ok"}
