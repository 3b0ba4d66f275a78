"""Home page with the office map, the public map and health check."""

from flask import Blueprint, render_template, send_from_directory
from flask_login import login_required
from sqlalchemy import func, select
from xstatic.pkg import leaflet

from logistics.areas.maps import overview_map
from logistics.areas.models import Area, BoundarySet
from logistics.core.extensions import db

bp = Blueprint("main", __name__)


def _area_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Area.level, func.count()).group_by(Area.level)).all())


def _latest_set():
    return db.session.scalar(select(BoundarySet).order_by(BoundarySet.id.desc()).limit(1))


@bp.route("/")
@login_required
def index():
    return render_template(
        "home/index.html", map=overview_map(), counts=_area_counts(), boundary_set=_latest_set()
    )


@bp.route("/peta")
def public_map():
    """Anonymous map for the public and partners: areas and aggregates only, never persons."""
    from logistics.events.services import active_events

    return render_template(
        "home/public_map.html", map=overview_map(), counts=_area_counts(), events=active_events()
    )


@bp.route("/vendor/leaflet/<path:filename>")
def vendor(filename: str):
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 24 * 3600)


@bp.route("/sehat")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
