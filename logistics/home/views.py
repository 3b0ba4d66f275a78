"""Home page by role, the office area map, the public map and health check."""

import hashlib

from flask import Blueprint, abort, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from xstatic.pkg import leaflet

from geo.maps import MapListing
from logistics.areas import layers
from logistics.areas.browse import area_counts, latest_boundary_set
from logistics.areas.maps import layers_map, listing_of, serve_assets_from
from logistics.core.database import ping
from logistics.core.precompressed import send_precompressed
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
            areas_url=lambda version: url_for("events.map_areas", event_id=event.id, v=version),
        )
    return render_template(
        "home/pimpinan.html", events=events, map=affected_map, labels=command.figure_labels()
    )


@bp.route("/peta-wilayah")
@login_required
def area_map():
    """The office's area map (the user's wilayah), which was the home page of every role before."""
    scope = user_scope()
    extent = layers.map_extent(scope)
    # The scope is part of each URL, so a browser shared by two users never mixes their layers.
    token = hashlib.blake2b(repr(scope.see).encode(), digest_size=4).hexdigest()
    levels = ("kelurahan", "kecamatan") if extent.whole_grid else layers.LEVELS
    urls = {
        level: url_for("main.map_layer", level=level, v=extent.versions[level] + token)
        for level in levels
    }
    return render_template(
        "home/index.html",
        map=layers_map(extent, urls, script_url=_layer_script(), listing=listing_of(extent, scope)),
        counts=extent.counts,
        boundary_set=latest_boundary_set(),
    )


@bp.route("/peta")
def public_map():
    """Anonymous map for the public and partners: kab/kota outlines and the areas affected by
    active events, with the events' names; never persons."""
    from logistics.events.services import active_events

    extent = layers.map_extent()
    affected = event_maps.active_affected_areas()
    token = hashlib.blake2b(repr(sorted(affected.items())).encode(), digest_size=8).hexdigest()
    urls = {
        "kab_kota": url_for("main.public_layer", name="kab_kota", v=extent.versions["kab_kota"])
    }
    affected_url = url_for(
        "main.public_layer", name="terdampak", v=extent.versions["kelurahan"] + token
    )
    listing = MapListing(
        "Wilayah terdampak",
        ("Kelurahan/Desa", "Kejadian"),
        tuple((name, "; ".join(affected[code])) for code, name in _names(affected)),
    )
    return render_template(
        "home/public_map.html",
        map=layers_map(
            extent, urls, script_url=_layer_script(), affected_url=affected_url, listing=listing
        ),
        counts=area_counts(),
        events=active_events(),
    )


def _names(affected: dict) -> list[tuple[str, str]]:
    from logistics.areas.browse import area_names

    names = area_names(list(affected))
    return [(code, names.get(code, code)) for code in sorted(affected)]


def _layer_script() -> str:
    return url_for("static", filename="maps/area-layers.js")


@bp.route("/peta/lapisan/<any(kab_kota, kecamatan, kelurahan):level>.geojson")
@login_required
def map_layer(level: str):
    """One level of the areas the user sees as GeoJSON, simplified for the zoom it is drawn at;
    `induk` (a kab/kota code) limits it to that kab/kota."""
    if level not in layers.LEVELS:
        abort(404)
    body = layers.layer(level, scope=user_scope(), within=request.args.get("induk") or None)
    return send_precompressed(body, "application/geo+json", public=False)


@bp.route("/peta/publik/<any(kab_kota, terdampak):name>.geojson")
def public_layer(name: str):
    """The public map's layers: kab/kota outlines, and the desa of active events."""
    if name == "kab_kota":
        body = layers.layer("kab_kota")
    elif name == "terdampak":
        affected = event_maps.active_affected_areas()
        extra = {code: {"events": "; ".join(titles)} for code, titles in affected.items()}
        body = layers.layer("kelurahan", codes=affected, extra=extra)
    else:
        abort(404)
    return send_precompressed(body, "application/geo+json", public=True, max_age=300)


@bp.route("/vendor/leaflet/<path:filename>")
def vendor(filename: str):
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 24 * 3600)


@bp.route("/sehat")
def health():
    ping()
    return {"status": "ok"}
