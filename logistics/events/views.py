"""Event pages: registry, event page with map, decrees, chronology, areas, impact, hazard list."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.areas.search import expand_to_kelurahan
from logistics.areas.services import require_kelurahan
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import angka, tanggal_jam
from logistics.core.forms import attach_error, confirmed, submit
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.precompressed import send_precompressed
from logistics.core.privacy import mask_nik
from logistics.core.security import roles_required, user_scope
from logistics.core.time import from_local, local_naive, office_now, office_today
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER, LazyText, istilah
from logistics.events import areas as area_service
from logistics.events import chronology as chronology_service
from logistics.events import decrees as decree_service
from logistics.events import hazards as hazard_service
from logistics.events import impact as impact_service
from logistics.events import maps as event_maps
from logistics.events import services as service
from logistics.events.forms import (
    ChronologyForm,
    CloseEventForm,
    DecreeForm,
    DrawAreaForm,
    EventForm,
    HazardForm,
    PickAreasForm,
    field_name,
    impact_form_class,
)
from logistics.events.models import (
    AGE_GROUPS,
    DAMAGE_LEVELS,
    DECREE_STATUSES,
    FACILITIES,
    HAZARD_CLASSES,
    IMPACT_MEASURES,
    IMPACT_SOURCES,
    ISSUER_LEVELS,
    PEOPLE_STATUSES,
    PHASE_LABELS,
    SEXES,
)
from logistics.shelters.lists import shelter_summaries
from logistics.victims import lists as victim_lists
from logistics.victims.figures import (
    event_matrix,
    kelurahan_with_victims,
    registered_persons,
    registry_figures,
)

bp = Blueprint("events", __name__, url_prefix="/kejadian")
PAGE_SIZE = 50
VICTIMS_ON_PAGE = 50
# Above this many kelurahan the tick list grouped by kecamatan gets too long to scan on a
# phone: the office picks with the area search (any level) instead.
CHECKBOX_LIMIT = 300
LIST_HEADERS = [
    "Kode",
    "Judul",
    "Jenis bencana",
    "Kelompok",
    "Mulai",
    "Selesai",
    "Fase",
    LazyText(lambda: f"{istilah('wilayah').capitalize()} terdampak"),
    "Korban terdata (jiwa)",
    "Kaji cepat: jiwa terdampak",
    "Kaji cepat: mengungsi",
]
SUMMARY_STATUSES = list(PEOPLE_STATUSES)


def _show_nik() -> bool:
    """Whole NIKs go only into exports for office roles, and each export is logged; pages mask
    them (the victims module reveals one person's NIK on request, also logged)."""
    return current_user.is_authenticated and current_user.role in OFFICE_ROLES


def _form_error(form, exc: DomainError) -> None:
    """Impact fields arrive as 'figures.<measure>'; the form names them differently."""
    attach_error(form, exc, field=field_name((exc.field or "").removeprefix("figures.")))


def _codes_from(form) -> list[str]:
    """The ticked kelurahan and the picked areas; a picked kecamatan or kab/kota stands for every
    kelurahan/desa in it."""
    codes = list(form.kelurahan_codes.data or []) + list(form.kelurahan_text.data or [])
    return expand_to_kelurahan(codes)


def _pick_context() -> dict:
    total = area_service.kelurahan_count()
    groups: dict[tuple[str, str], list] = {}
    if total <= CHECKBOX_LIMIT:
        for kec_code, kec_name, code, name in area_service.kelurahan_choices():
            groups.setdefault((kec_code, kec_name), []).append((code, name))
    return {"kelurahan_groups": groups, "kelurahan_total": total}


def _hazard_choices(form, current: int | None = None) -> None:
    hazards = hazard_service.list_hazards()
    form.hazard_type_id.choices = [(0, "— pilih —")] + [
        (h.id, f"{h.name} ({h.code})") for h in hazards if h.active or h.id == current
    ]


# --- list ------------------------------------------------------------------------------------


def _filters() -> service.EventFilters:
    return service.EventFilters(
        q=request.args.get("q", "").strip(),
        hazard=request.args.get("jenis", "").strip(),
        year=request.args.get("tahun", type=int),
        status=request.args.get("status", "").strip()
        if request.args.get("status") in service.EVENT_STATUSES
        else "",
        kelurahan=request.args.get("kelurahan", "").strip(),
        scope=user_scope(),
    )


def _event_totals(events) -> dict:
    """Each listed event's size, with the persons the victim registry holds for it."""
    ids = [e.id for e in events]
    return service.event_totals(ids, registered_persons=registered_persons(ids))


@bp.route("/")
@login_required
def index():
    filters = _filters()
    query = service.events_query(filters)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        events = service.list_events(query)
        totals = _event_totals(events)
        rows = (
            [
                e.code,
                e.title,
                e.hazard_type.name,
                e.hazard_type.class_label,
                tanggal_jam(e.started_at, current_app.config["OFFICE_TIMEZONE"]),
                tanggal_jam(e.ended_at, current_app.config["OFFICE_TIMEZONE"])
                if e.ended_at
                else "",
                PHASE_LABELS[service.current_phase(e)],
                totals[e.id].kelurahan,
                totals[e.id].victims,
                totals[e.id].kaji_cepat_jiwa,
                totals[e.id].kaji_cepat_mengungsi,
            ]
            for e in events
        )
        return table_response("kejadian-bencana", LIST_HEADERS, rows, fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total, events = service.events_page(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "events/index.html",
        events=events,
        totals=_event_totals(events),
        phases={e.id: service.current_phase(e) for e in events},
        phase_labels=PHASE_LABELS,
        hazards=hazard_service.list_hazards(),
        years=service.event_years(),
        statuses=service.EVENT_STATUSES,
        filters=filters,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        can_create=current_user.role in OFFICE_ROLES,
    )


# --- create and edit -------------------------------------------------------------------------


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def create():
    form = EventForm()
    _hazard_choices(form)
    if request.method == "GET":
        form.started_at.data = office_now()
    scope = user_scope()

    def save():
        scope.require_record(scope.home_area)
        scope.require_records(_codes_from(form))
        return service.create_event(
            hazard_type_id=form.hazard_type_id.data,
            title=form.title.data,
            started_at=from_local(form.started_at.data),
            ended_at=from_local(form.ended_at.data),
            description=form.description.data or "",
            lat=form.lat.data,
            lng=form.lng.data,
            source=form.source.data or "",
            reporter=form.reporter.data or "",
            created_by_id=current_user.id,
            kelurahan_codes=_codes_from(form),
            area_code=scope.home_area,
            confirm=confirmed(),
        )

    outcome = submit(form, save)
    if outcome.done:
        flash(f"Kejadian {outcome.result.code} dibuka.", "success")
        return redirect(url_for("events.detail", event_id=outcome.result.id))
    context = _pick_context()
    return render_template("events/form.html", form=form, event=None, **context), outcome.status


@bp.route("/<int:event_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit(event_id: int):
    event = service.get_event(event_id)
    form = EventForm(obj=event if request.method == "GET" else None)
    _hazard_choices(form, event.hazard_type_id)
    if request.method == "GET":
        form.started_at.data = local_naive(event.started_at)
        form.ended_at.data = local_naive(event.ended_at)
        form.lat.data = "" if event.lat is None else str(event.lat)
        form.lng.data = "" if event.lng is None else str(event.lng)
    outcome = submit(
        form,
        lambda: service.update_event(
            event,
            hazard_type_id=form.hazard_type_id.data,
            title=form.title.data,
            started_at=from_local(form.started_at.data),
            ended_at=from_local(form.ended_at.data),
            description=form.description.data or "",
            lat=form.lat.data,
            lng=form.lng.data,
            source=form.source.data or "",
            reporter=form.reporter.data or "",
            confirm=confirmed(),
        ),
    )
    if outcome.done:
        flash("Data kejadian disimpan.", "success")
        return redirect(url_for("events.detail", event_id=event.id))
    status = outcome.status
    return render_template("events/form.html", form=form, event=event), status


# --- the event page --------------------------------------------------------------------------


def _event_map(event, matrix, shelters: list, *, public: bool = False):
    """The rendered event map; markers link to shelter pages when that module is on."""
    shelter_pages = not public and "shelters.detail" in current_app.view_functions
    return event_maps.event_map(
        event,
        matrix,
        shelters,
        public=public,
        shelter_url=(lambda sid: url_for("shelters.detail", shelter_id=sid))
        if shelter_pages
        else None,
        static_url=url_for("main.vendor", filename="leaflet.js"),
        areas_url=lambda version: url_for("events.map_areas", event_id=event.id, v=version),
    )


def _impact_matrix(event, kelurahan_code: str | None = None):
    """The event's impact matrix with terdata counted from the victim registry."""
    return impact_service.impact_matrix(event, kelurahan_code, terdata=registry_figures(event))


def _kelurahan_rows(matrix, kecamatan: str):
    if not kecamatan:
        return matrix.rows
    return [r for r in matrix.rows if r.kecamatan == kecamatan]


@bp.route("/<int:event_id>")
@login_required
def detail(event_id: int):
    event = service.get_event(event_id)
    matrix = event_matrix(event)
    shelters = shelter_summaries(event.id, scope=user_scope())
    victims_total, victims = victim_lists.event_victims(
        event, limit=VICTIMS_ON_PAGE, scope=user_scope()
    )
    kecamatan = request.args.get("kecamatan", "").strip()
    # A provincial account reads a kab/kota's event but does not change it (core/scope.py).
    own_event = user_scope().records_event(event.area_code)
    return render_template(
        "events/detail.html",
        trail=breadcrumbs(crumb("Kejadian Bencana", "events.index"), crumb(event.title)),
        event=event,
        phase=service.current_phase(event),
        phase_labels=PHASE_LABELS,
        extended=decree_service.tanggap_darurat_extended(event),
        tanggap_days=decree_service.tanggap_darurat_days(event),
        usual_days=decree_service.TANGGAP_DARURAT_USUAL_DAYS,
        decree_days=decree_service.decree_days,
        matrix=matrix,
        rows=_kelurahan_rows(matrix, kecamatan),
        kecamatan=kecamatan,
        kecamatan_names=sorted({r.kecamatan for r in matrix.rows if r.kecamatan}),
        summary=matrix.summary,
        statuses=PEOPLE_STATUSES,
        shelters=shelters,
        victims=victims,
        victims_total=victims_total,
        institutions=victim_lists.event_institutions(event),
        show_nik=False,
        mask_nik=mask_nik,
        map=_event_map(event, matrix, shelters),
        decree_statuses=DECREE_STATUSES,
        issuer_levels=ISSUER_LEVELS,
        sources=IMPACT_SOURCES,
        can_office=own_event and current_user.role in OFFICE_ROLES,
        can_write=own_event and current_user.role in WRITER_ROLES,
        kab_kota_event=not own_event and current_user.role in WRITER_ROLES,
        victims_module="victims.index" in current_app.view_functions,
        shelters_module="shelters.detail" in current_app.view_functions,
        close_form=CloseEventForm(),
        num=angka,
    )


def _impact_headers() -> list[str]:
    headers = ["Kode", AREA_HEADER, "Kecamatan", "Cara ditandai", "Sumber peta"]
    for label in ("Jiwa terdampak", "Mengungsi", "Meninggal", "Hilang", "Terluka"):
        headers += [f"{label} (kaji cepat)", f"{label} (terdata)", f"{label} (selisih)"]
    headers += ["KK mengungsi (kaji cepat)", "KK mengungsi (terdata)", "Rumah rusak (kaji cepat)"]
    headers += [f"KC: {impact_service.measure_label(m)}" for m in IMPACT_MEASURES]
    headers += [f"TD: {impact_service.measure_label(m)}" for m in impact_service.terdata_measures()]
    return headers


def _impact_row(row) -> list:
    values = [
        row.code,
        row.name,
        row.kecamatan,
        row.how or "korban",
        IMPACT_SOURCES[row.best_source],
    ]
    for status in (None, "mengungsi", "meninggal", "hilang", "terluka"):
        values += [
            row.jiwa("kaji_cepat", status),
            row.jiwa("terdata", status),
            row.difference(status),
        ]
    values += [
        row.kk("kaji_cepat", "mengungsi"),
        row.kk("terdata", "mengungsi"),
        row.houses_damaged("kaji_cepat"),
    ]
    values += [row.kaji_cepat.get(m, "") for m in IMPACT_MEASURES]
    values += [row.terdata.get(m, 0) for m in impact_service.terdata_measures()]
    return values


@bp.route("/<int:event_id>/tabel-dampak")
@login_required
def impact_export(event_id: int):
    """The per-kelurahan table, both sources and their difference, with the full matrix."""
    event = service.get_event(event_id)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    matrix = _impact_matrix(event)
    rows = _kelurahan_rows(matrix, request.args.get("kecamatan", "").strip())
    return table_response(
        f"dampak-{event.code}", _impact_headers(), (_impact_row(r) for r in rows), fmt
    )


@bp.route("/<int:event_id>/korban")
@login_required
def victims(event_id: int):
    """Every registered victim of the event; NIK masked unless the role may see it."""
    event = service.get_event(event_id)
    kelurahan = request.args.get("kelurahan", "").strip() or None
    status = request.args.get("status", "").strip() or None
    if status not in PEOPLE_STATUSES:
        status = None
    show_nik = _show_nik()
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        _total, rows = victim_lists.event_victims(
            event, kelurahan_code=kelurahan, status=status, scope=user_scope()
        )
        if show_nik:
            with transaction():
                record_action(
                    "view_nik",
                    "persons",
                    None,
                    {"export": fmt, "event": event.code, "rows": len(rows)},
                )
        headers = [
            "Nama",
            "NIK",
            "L/P",
            "Status",
            AREA_CODE_HEADER,
            AREA_HEADER,
            "Pengungsian",
        ]
        return table_response(
            f"korban-{event.code}",
            headers,
            (
                [
                    r.name,
                    (r.nik or "") if show_nik else mask_nik(r.nik),
                    r.sex,
                    PEOPLE_STATUSES[r.status],
                    r.kelurahan_code,
                    r.kelurahan_name,
                    r.shelter_name,
                ]
                for r in rows
            ),
            fmt,
        )
    page = max(1, request.args.get("hal", 1, type=int))
    total, rows = victim_lists.event_victims(
        event,
        kelurahan_code=kelurahan,
        status=status,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        scope=user_scope(),
    )
    matrix_codes = _impact_matrix(event).rows
    return render_template(
        "events/victims.html",
        event=event,
        victims=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        show_nik=False,
        mask_nik=mask_nik,
        statuses=PEOPLE_STATUSES,
        kelurahan_options=[(r.code, r.name) for r in matrix_codes],
        selected_kelurahan=kelurahan or "",
        selected_status=status or "",
    )


# --- decrees, chronology, closing ------------------------------------------------------------


@bp.route("/<int:event_id>/status", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def add_decree(event_id: int):
    event = service.get_event(event_id)
    form = DecreeForm()
    if request.method == "GET":
        form.starts_on.data = office_today()
    if form.validate_on_submit():
        try:
            with transaction():
                decree_service.add_decree(
                    event,
                    status=form.status.data,
                    decree_number=form.decree_number.data,
                    issuer_level=form.issuer_level.data,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    confirm=confirmed(),
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash(f"SK {DECREE_STATUSES[form.status.data]} dicatat.", "success")
            return redirect(url_for("events.detail", event_id=event.id) + "#status")
    status = 422 if request.method == "POST" else 200
    return render_template("events/decree.html", form=form, event=event, decree=None), status


@bp.route("/<int:event_id>/status/<int:decree_id>", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_decree(event_id: int, decree_id: int):
    event = service.get_event(event_id)
    decree = decree_service.get_decree(event, decree_id)
    form = DecreeForm(obj=decree if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction():
                decree_service.update_decree(
                    event,
                    decree,
                    status=form.status.data,
                    decree_number=form.decree_number.data,
                    issuer_level=form.issuer_level.data,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    confirm=confirmed(),
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash("SK diperbarui.", "success")
            return redirect(url_for("events.detail", event_id=event.id) + "#status")
    status = 422 if request.method == "POST" else 200
    return render_template("events/decree.html", form=form, event=event, decree=decree), status


@bp.route("/<int:event_id>/kronologi", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def add_chronology(event_id: int):
    event = service.get_event(event_id)
    form = ChronologyForm()
    if request.method == "GET":
        form.occurred_at.data = office_now()
    if form.validate_on_submit():
        try:
            with transaction():
                chronology_service.add_chronology(
                    event,
                    occurred_at=from_local(form.occurred_at.data),
                    text=form.text.data,
                    author_id=current_user.id,
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash("Kronologi ditambahkan.", "success")
            return redirect(url_for("events.detail", event_id=event.id) + "#kronologi")
    status = 422 if request.method == "POST" else 200
    return render_template("events/chronology.html", form=form, event=event), status


@bp.route("/<int:event_id>/tutup", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def close(event_id: int):
    event = service.get_event(event_id)
    form = CloseEventForm()
    if not form.validate_on_submit():
        flash("Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("events.detail", event_id=event.id))
    try:
        with transaction():
            service.close_event(event)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("events.detail", event_id=event.id))
    flash(f"Kejadian {event.code} ditutup; fase sekarang pasca bencana.", "success")
    return redirect(url_for("events.detail", event_id=event.id))


# --- affected areas --------------------------------------------------------------------------


@bp.route("/<int:event_id>/wilayah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def pick_areas(event_id: int):
    event = service.get_event(event_id)
    form = PickAreasForm()
    current = sorted(a.kelurahan_code for a in event.areas)
    if request.method == "GET":
        form.kelurahan_codes.data = current
    if form.validate_on_submit():
        try:
            with transaction():
                result = area_service.set_affected_areas(
                    event, _codes_from(form), codes_with_victims=kelurahan_with_victims(event)
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash(
                f"Wilayah terdampak disimpan: {len(result['added'])} ditambah, "
                f"{len(result['removed'])} dilepas.",
                "success",
            )
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    context = _pick_context()
    if not context["kelurahan_groups"] and request.method == "GET":
        form.kelurahan_text.data = current
    return render_template("events/areas.html", form=form, event=event, **context), status


@bp.route("/<int:event_id>/gambar", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def draw_area(event_id: int):
    event = service.get_event(event_id)
    form = DrawAreaForm()
    if request.method == "GET" and event.area_geojson:
        form.geometry.data = event.area_geojson
    if form.validate_on_submit():
        try:
            with transaction():
                codes = area_service.derive_areas_from_drawing(event, form.geometry.data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash(
                f"Area disimpan; {len(codes)} {istilah('wilayah')} di dalamnya ditandai.", "success"
            )
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    matrix = _impact_matrix(event)
    return render_template(
        "events/draw.html",
        form=form,
        event=event,
        map=_event_map(event, matrix, []),
    ), status


# --- impact ----------------------------------------------------------------------------------


@bp.route("/<int:event_id>/dampak")
@roles_required(*WRITER_ROLES)
def impact_index(event_id: int):
    """Choose the kelurahan to fill in: the affected ones, or any by code."""
    event = service.get_event(event_id)
    code = request.args.get("kode", "").strip()
    if code:
        try:
            area = require_kelurahan(code)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            return redirect(url_for("events.impact", event_id=event.id, code=area.code))
    matrix = _impact_matrix(event)
    return render_template("events/impact_index.html", event=event, rows=matrix.rows)


@bp.route("/<int:event_id>/dampak/<code>", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def impact(event_id: int, code: str):
    """One kelurahan's kaji cepat figures on one screen (numeric keypad on a phone)."""
    event = service.get_event(event_id)
    area = require_kelurahan(code)
    form = impact_form_class()()
    if request.method == "GET":
        for measure, value in impact_service.impact_figures(event, area.code).items():
            getattr(form, field_name(measure)).data = str(value)
    if form.validate_on_submit():
        # An empty cell keeps its figure (a form sent blank must not wipe the kelurahan); "-"
        # removes one, and "Hapus semua angka" all of them.
        typed = {m: (getattr(form, field_name(m)).data or "").strip() for m in IMPACT_MEASURES}
        figures = {m: None if value == "-" else value for m, value in typed.items()}
        clear = bool(form.clear_all.data)
        try:
            with transaction():
                impact_service.set_impact(event, area.code, {} if clear else figures, clear=clear)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            done = "dihapus" if clear else "disimpan"
            flash(f"Angka kaji cepat {area.name} {done}.", "success")
            return redirect(url_for("events.detail", event_id=event.id) + "#wilayah")
    status = 422 if request.method == "POST" else 200
    matrix = _impact_matrix(event, area.code)
    return render_template(
        "events/impact.html",
        form=form,
        event=event,
        area=area,
        row=matrix.row(area.code),
        field_name=field_name,
        statuses=PEOPLE_STATUSES,
        ages=AGE_GROUPS,
        sexes=SEXES,
        facilities=FACILITIES,
        damages=DAMAGE_LEVELS,
    ), status


# --- public ----------------------------------------------------------------------------------


@bp.route("/publik")
def public_index():
    """Active events for the public and partners, each with its public map."""
    events = service.active_events()
    return render_template(
        "events/public_index.html",
        events=events,
        phases={e.id: service.current_phase(e) for e in events},
        phase_labels=PHASE_LABELS,
    )


@bp.route("/<int:event_id>/peta-publik")
def public_map(event_id: int):
    """Aggregate numbers per kelurahan and shelters' occupancy: no names, NIK or contacts."""
    event = service.get_event(event_id)
    matrix = event_matrix(event)
    shelters = shelter_summaries(event.id)
    return render_template(
        "events/public_map.html",
        event=event,
        phase=service.current_phase(event),
        phase_labels=PHASE_LABELS,
        matrix=matrix,
        summary=matrix.summary,
        statuses=PEOPLE_STATUSES,
        sources=IMPACT_SOURCES,
        shelters_open=sum(1 for s in shelters if s.status == "buka"),
        sheltered=sum(s.persons for s in shelters if s.status == "buka"),
        map=_event_map(event, matrix, shelters, public=True),
    )


@bp.route("/<int:event_id>/wilayah.geojson")
def map_areas(event_id: int):
    """The outlines of the kelurahan an event map draws (names, no figures: the page has them),
    for the event page and its public map alike."""
    from logistics.areas.layers import layer

    event = service.get_event(event_id)
    codes = event_maps.map_codes(event, registry_figures(event).cells)
    return send_precompressed(
        layer("kelurahan", codes=codes), "application/geo+json", public=True, max_age=300
    )


# --- hazard types ----------------------------------------------------------------------------


@bp.route("/jenis", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def hazards():
    form = HazardForm()
    if form.validate_on_submit():
        try:
            with transaction():
                hazard = hazard_service.create_hazard(
                    code=form.code.data,
                    name=form.name.data,
                    hazard_class=form.hazard_class.data,
                    sort_order=form.sort_order.data,
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash(f"Jenis bencana {hazard.name} ({hazard.code}) ditambahkan.", "success")
            return redirect(url_for("events.hazards"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "events/hazards.html",
        form=form,
        hazards=hazard_service.list_hazards(),
        classes=HAZARD_CLASSES,
    ), status


@bp.route("/jenis/<int:hazard_id>", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_hazard(hazard_id: int):
    hazard = hazard_service.get_hazard_type(hazard_id)
    form = HazardForm(obj=hazard if request.method == "GET" else None)
    form.code.data = hazard.code
    if request.method == "GET":
        form.sort_order.data = str(hazard.sort_order)
    if form.validate_on_submit():
        try:
            with transaction():
                hazard_service.update_hazard(
                    hazard.id,
                    name=form.name.data,
                    hazard_class=form.hazard_class.data,
                    active=form.active.data,
                    sort_order=form.sort_order.data,
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash("Jenis bencana disimpan.", "success")
            return redirect(url_for("events.hazards"))
    status = 422 if request.method == "POST" else 200
    return render_template("events/hazard_form.html", form=form, hazard=hazard), status
