"""Public open-data pages for partners: datasets per event and year, with download links."""

from flask import Blueprint, render_template, request

from logistics.core.extensions import limiter
from logistics.core.wording import LazyText, istilah
from logistics.reports import open_data

bp = Blueprint("open_data", __name__, url_prefix="/data-terbuka")

LEVEL_LABELS = {
    "kelurahan": LazyText(lambda: f"per {istilah('wilayah')}"),
    "kecamatan": "per kecamatan",
    "kab_kota": "per kabupaten/kota",
    "shelters": "tempat pengungsian (titik)",
}


@bp.route("/")
@limiter.limit(open_data.rate_limit)
def index():
    """Every published event and year with its CSV (HXL) and GeoJSON files; no login needed."""
    return render_template(
        "reports/open_data/index.html",
        events=open_data.published_events(),
        years=open_data.published_years(),
        levels=open_data.offered_levels(),
        layers=open_data.offered_layers(),
        level_labels=LEVEL_LABELS,
        notes=open_data.NOTES,
        small_cell=open_data.SMALL_CELL,
    )


@bp.route("/kejadian/<int:event_id>")
@limiter.limit(open_data.rate_limit)
def event(event_id: int):
    """One event's published figures as tables (the same rows as the CSV files)."""
    scope = open_data.event_scope(event_id)
    level = request.args.get("tingkat", "kecamatan")
    level = level if level in open_data.offered_levels() else "kecamatan"
    return render_template(
        "reports/open_data/event.html",
        scope=scope,
        event_id=event_id,
        level=level,
        levels=open_data.offered_levels(),
        layers=open_data.offered_layers(),
        level_labels=LEVEL_LABELS,
        rows=open_data.figures(scope, level),
        columns=open_data.columns(level, scope.kind),
        notes=open_data.NOTES,
    )
