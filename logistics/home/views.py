"""Home page with the office map, the public map and health check."""

from flask import Blueprint, render_template, send_from_directory, url_for
from flask_login import login_required
from xstatic.pkg import leaflet

from logistics.areas.browse import area_counts, latest_boundary_set
from logistics.areas.maps import overview_map, serve_assets_from
from logistics.core.database import ping

bp = Blueprint("main", __name__)


@bp.record_once
def _serve_leaflet_here(_state) -> None:
    # Every map of the app is built below the web layer; this blueprint serves Leaflet, so it
    # tells the maps where the files are (URLs still built per request, as url_for does).
    serve_assets_from(lambda filename: url_for("main.vendor", filename=filename))


@bp.route("/")
@login_required
def index():
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
