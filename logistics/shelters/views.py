"""Shelter pages: list, map, detail, open/edit, daily head count, close and reopen."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from geo.maps import render_map_html
from geo.shelter_map import BAND_COLOURS, BAND_LABELS, occupancy_band, shelter_map
from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.areas.maps import use_local_assets
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import angka, tanggal
from logistics.core.forms import attach_error
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.security import roles_required, user_scope
from logistics.core.time import office_today
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.shelters import checks, counts, lists
from logistics.shelters import services as service
from logistics.shelters.forms import (
    SEX_GROUPS,
    VULNERABLE_GROUPS,
    CloseShelterForm,
    HeadCountForm,
    ShelterForm,
)
from logistics.shelters.models import COUNT_GROUPS, SHELTER_KINDS
from logistics.victims.figures import displaced_in_shelter

bp = Blueprint("shelters", __name__, url_prefix="/pengungsian")
PAGE_SIZE = 100
EXPORT_HEADERS = [
    "ID",
    "Nama",
    "Jenis",
    "Kejadian",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Alamat",
    "Lintang",
    "Bujur",
    "Status",
    "Kapasitas (jiwa)",
    "Jiwa",
    "KK",
    "Tanggal hitungan",
    "Keterisian (%)",
    "Sisa kapasitas",
    "Luas lantai (m2)",
    "Toilet",
    "Titik air",
    "Dapur umum",
    "Peringatan",
]


def _list_args() -> dict:
    """The list/map filters from the query string (Indonesian parameter names)."""
    return {
        "event_id": request.args.get("kejadian", type=int),
        "kelurahan_code": request.args.get("kelurahan", "").strip() or None,
        "status": request.args.get("status", "").strip() or None,
        "kind": request.args.get("jenis", "").strip() or None,
    }


def _event_codes() -> dict[int, str]:
    return {e.id: e.code for e in lists.filter_options(user_scope())["events"]}


@bp.route("/")
@login_required
def index():
    args = _list_args()
    order = request.args.get("urut", "sisa")
    if order not in lists.SORTS:
        order = "sisa"
    summaries = lists.sort_summaries(
        lists.shelter_summaries(
            args["event_id"],
            kelurahan_code=args["kelurahan_code"],
            status=args["status"],
            kind=args["kind"],
            scope=user_scope(),
        ),
        order,
    )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        events = _event_codes()
        rows = (
            [
                s.id,
                s.name,
                s.kind_label,
                events.get(s.event_id, "") if s.event_id else "",
                s.kelurahan_code,
                s.kelurahan_name,
                s.address,
                s.lat,
                s.lng,
                s.status_label,
                s.capacity,
                s.persons,
                s.households,
                s.counted_on.isoformat() if s.counted_on else "",
                round(s.occupancy * 100, 1) if s.occupancy is not None else "",
                s.capacity - s.persons,
                float(s.floor_area_m2) if s.floor_area_m2 is not None else "",
                s.toilets,
                s.water_points,
                "ya" if s.has_dapur_umum else "tidak",
                " | ".join(s.warnings),
            ]
            for s in summaries
        )
        return table_response("tempat-pengungsian", EXPORT_HEADERS, rows, fmt)
    open_ones = [s for s in summaries if s.status == "buka"]
    totals = {
        "units": len(open_ones),
        "persons": sum(s.persons for s in open_ones),
        "households": sum(s.households for s in open_ones),
        "free": sum(s.free for s in open_ones),
        "warned": sum(1 for s in open_ones if s.warnings),
    }
    page = max(1, request.args.get("hal", 1, type=int))
    pages = max(1, -(-len(summaries) // PAGE_SIZE))
    return render_template(
        "shelters/index.html",
        summaries=summaries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(summaries),
        totals=totals,
        page=page,
        pages=pages,
        order=order,
        sorts=lists.SORTS,
        kinds=SHELTER_KINDS,
        statuses=service.STATUSES,
        options=lists.filter_options(user_scope()),
        args=args,
        band_labels=BAND_LABELS,
    )


@bp.route("/peta")
@login_required
def map_page():
    args = _list_args()
    summaries = lists.shelter_summaries(
        args["event_id"],
        kelurahan_code=args["kelurahan_code"],
        status=args["status"],
        kind=args["kind"],
        scope=user_scope(),
    )
    shelters = [
        {
            "name": s.name,
            "lat": s.lat,
            "lng": s.lng,
            "persons": s.persons,
            "capacity": s.capacity,
            "status": s.status,
            "subtitle": " · ".join(p for p in (s.kind_label, s.kelurahan_name) if p),
            "warnings": s.warnings,
            "url": url_for("shelters.detail", shelter_id=s.id),
        }
        for s in summaries
    ]
    center = None if any(s.lat is not None for s in summaries) else lists.area_center()
    fmap = shelter_map(
        shelters,
        center=center,
        zoom=12 if center else None,
        outlines=lists.kecamatan_outlines(),
    )
    use_local_assets(fmap)
    return render_template(
        "shelters/map.html",
        map=render_map_html(fmap),
        summaries=summaries,
        unmapped=[s for s in summaries if s.lat is None],
        options=lists.filter_options(user_scope()),
        statuses=service.STATUSES,
        args=args,
        band_colours=BAND_COLOURS,
        band_labels=BAND_LABELS,
    )


def _event_choices(form: ShelterForm) -> None:
    form.event_id.choices = [("", "— tanpa kejadian (tempat siaga) —")] + [
        (str(e.id), f"{e.code} · {e.title}") for e in lists.filter_options(user_scope())["events"]
    ]


def _shelter_values(form: ShelterForm) -> dict:
    return {
        name: getattr(form, name).data for name in service.SHELTER_FIELDS if hasattr(form, name)
    }


def _flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "warning")


def _render_form(form, shelter, status=200):
    return render_template(
        "shelters/form.html",
        form=form,
        shelter=shelter,
    ), status


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new():
    form = ShelterForm()
    _event_choices(form)
    if request.method == "GET":
        form.event_id.data = request.args.get("kejadian", "")
        form.opened_on.data = office_today().isoformat()
    if form.validate_on_submit():
        try:
            user_scope().require_records((form.kelurahan_code.data,))
            with transaction():
                result = service.open_shelter(**_shelter_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_form(form, None, exc.status)
        flash(f"Tempat pengungsian '{result.shelter.name}' dibuka.", "success")
        _flash_warnings(result.warnings)
        return redirect(url_for("shelters.detail", shelter_id=result.shelter.id))
    return _render_form(form, None, 422 if request.method == "POST" else 200)


def _trail(shelter) -> list:
    event = service.event_of(shelter)
    steps = [crumb("Kejadian Bencana", "events.index")]
    if event is not None:
        steps.append(crumb(event.title, "events.detail", event_id=event.id))
    return breadcrumbs(*steps, crumb("Pengungsian", "shelters.index"), crumb(shelter.name))


@bp.route("/<int:shelter_id>")
@login_required
def detail(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    history = sorted(shelter.counts, key=lambda c: c.counted_on, reverse=True)
    latest = history[0] if history else None
    return render_template(
        "shelters/detail.html",
        trail=_trail(shelter),
        shelter=shelter,
        event=service.event_of(shelter),
        kelurahan=service.kelurahan_of(shelter),
        latest=latest,
        warnings=checks.shelter_checks(shelter, latest),
        history=[(c, checks.warning_badges(shelter, c)) for c in history],
        band=occupancy_band(latest.persons if latest else 0, shelter.capacity, shelter.status),
        kinds=SHELTER_KINDS,
        groups=COUNT_GROUPS,
        can_write=current_user.role in WRITER_ROLES,
        can_manage=current_user.role in OFFICE_ROLES,
    )


@bp.route("/<int:shelter_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    form = ShelterForm(obj=shelter)
    _event_choices(form)
    if request.method == "GET":
        form.event_id.data = str(shelter.event_id or "")
        form.opened_on.data = service.opened_on(shelter).isoformat()
        for name in ("lat", "lng", "floor_area_m2"):
            value = getattr(shelter, name)
            getattr(form, name).data = "" if value is None else str(value)
    if form.validate_on_submit():
        try:
            user_scope().require_records((form.kelurahan_code.data,))
            with transaction():
                result = service.update_shelter(shelter, **_shelter_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_form(form, shelter, exc.status)
        flash("Perubahan disimpan.", "success")
        _flash_warnings(result.warnings)
        return redirect(url_for("shelters.detail", shelter_id=shelter.id))
    return _render_form(form, shelter, 422 if request.method == "POST" else 200)


OUTCOME_MESSAGES = {
    "created": "Hitungan {day} disimpan: {persons} jiwa.",
    "replaced": "Hitungan {day} diperbarui: {persons} jiwa (menggantikan hitungan sebelumnya).",
    "duplicate": "Hitungan ini sudah tersimpan sebelumnya; tidak disimpan dua kali.",
}


@bp.route("/<int:shelter_id>/hitung", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def count(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    form = HeadCountForm()
    if request.method == "GET":
        form.counted_on.data = office_today().isoformat()
        form.client_id.data = uuid.uuid4().hex
    if form.validate_on_submit():
        try:
            with transaction():
                result = counts.record_head_count(
                    shelter,
                    persons=form.persons.data,
                    counted_on=form.counted_on.data,
                    households=form.households.data,
                    groups={key: getattr(form, key).data for key in COUNT_GROUPS},
                    note=form.note.data or "",
                    client_id=form.client_id.data or None,
                    recorded_by_id=current_user.id,
                )
        except DomainError as exc:
            attach_error(form, exc)
            return _render_count(form, shelter, exc.status)
        flash(
            OUTCOME_MESSAGES[result.outcome].format(
                day=tanggal(result.count.counted_on), persons=angka(result.count.persons)
            ),
            "success",
        )
        # The detail page lists the latest count's checks; flash only what it will not show.
        latest = service.latest_count(shelter)
        shown = checks.shelter_checks(shelter, latest) if latest == result.count else []
        _flash_warnings([w for w in result.warnings if w not in shown])
        return redirect(url_for("shelters.detail", shelter_id=shelter.id))
    return _render_count(form, shelter, 422 if request.method == "POST" else 200)


def _render_count(form, shelter, status):
    return render_template(
        "shelters/count_form.html",
        form=form,
        shelter=shelter,
        latest=service.latest_count(shelter),
        vulnerable=VULNERABLE_GROUPS,
        sexes=SEX_GROUPS,
    ), status


@bp.route("/<int:shelter_id>/tutup", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def close(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    form = CloseShelterForm()
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                service.close_shelter(
                    shelter,
                    displaced_in_registry=displaced_in_shelter(shelter),
                    note=form.note.data or "",
                )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            flash(f"Tempat pengungsian '{shelter.name}' ditutup.", "success")
            return redirect(url_for("shelters.detail", shelter_id=shelter.id))
    return render_template(
        "shelters/close.html", form=form, shelter=shelter, latest=service.latest_count(shelter)
    ), status


@bp.route("/<int:shelter_id>/buka-kembali", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def reopen(shelter_id: int):
    shelter = service.get_shelter(shelter_id)
    form = CloseShelterForm()
    if not form.validate_on_submit():
        flash("Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("shelters.detail", shelter_id=shelter.id))
    try:
        with transaction():
            service.reopen_shelter(shelter)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        flash(f"Tempat pengungsian '{shelter.name}' dibuka kembali.", "success")
    return redirect(url_for("shelters.detail", shelter_id=shelter.id))
