"""SPM pages: the dashboard, drill-downs, exports, standards, the "terpenuhi" setting and targets."""

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import annotate, by_kab_kota
from logistics.core import inputs, jobs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.privacy import mask_nik
from logistics.core.queue import SPM_REBUILD
from logistics.core.security import require_visible, roles_required, user_scope
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import default_year, office_today
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.distributions.models import RECIPIENT_KINDS
from logistics.events.models import PEOPLE_STATUSES
from logistics.spm import dashboard as spm_dashboard
from logistics.spm import settings as spm_settings
from logistics.spm import tracking as spm_tracking
from logistics.spm.kab_kota_table import needs_groups
from logistics.spm.models import AGGREGATION_MODES, ALL_COMPONENTS, BASES, INDICATORS, PERIODS
from logistics.spm.year_scope import (
    require_settings_writer,
    require_year_figures,
    year_figures_allowed,
)

bp = Blueprint("spm", __name__, url_prefix="/spm")
# Registered with the blueprint so every app (web, worker, CLI) keeps the aggregates current.

DAILY_HEADERS = [
    "Kejadian",
    "Tanggal",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Tempat pengungsian",
    "Komponen",
    "Jiwa membutuhkan",
    "KK membutuhkan",
    "Jiwa terlayani",
    "Porsi tanpa nama",
    "Tersalurkan",
    "Kesenjangan",
    "Perkiraan kaji cepat",
]
YEAR_HEADERS = [
    "Tahun",
    "Indikator",
    "Jiwa membutuhkan",
    "Jiwa terpenuhi",
    "Realisasi",
    "Satuan",
    "Target",
    "Capaian (%)",
    "Perkiraan kaji cepat (jiwa)",
]


# Pages that change the office's own SPM settings (their GET only shows them).
SETTINGS_ENDPOINTS = {
    "spm.rebuild",
    "spm.standards",
    "spm.met_rules",
    "spm.targets",
    "spm.target_import",
    "spm.target_delete",
}


@bp.before_request
def _settings_for_the_whole_office():
    if request.method == "POST" and request.endpoint in SETTINGS_ENDPOINTS:
        require_settings_writer(user_scope())


def _can_manage() -> bool:
    # The settings apply to the whole office area (year_scope.py).
    return current_user.role in OFFICE_ROLES and year_figures_allowed(user_scope())


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _component_arg(name: str = "komponen", allow_all: bool = False) -> str | None:
    value = request.args.get(name) or None
    allowed = set(SPM_COMPONENTS) | ({ALL_COMPONENTS} if allow_all else set())
    return value if value in allowed else None


def _selection(scope):
    """The year, event and day the dashboard shows: from the query, else the latest; only
    events the scope sees."""
    years = spm_dashboard.years()
    year = _int_arg("tahun") or default_year(years)
    events = spm_dashboard.events_with_rows(scope)
    event_id = _int_arg("kejadian")
    event = next((e for e in events if e.id == event_id), events[0] if events else None)
    days = spm_dashboard.days_of(event.id) if event else []
    try:
        day = inputs.day(request.args.get("tanggal"), "tanggal", "Tanggal")
    except DomainError:
        day = None
    if day not in days:
        day = days[0] if days else None
    return year, years, event, events, day, days


@bp.route("/")
@login_required
def dashboard():
    """A short summary per component first; the per-area rows and the map only for the component
    asked for (komponen=..., or "semua"), so that the page stays short on a phone."""
    scope = user_scope()
    year, years, event, events, day, days = _selection(scope)
    component = _component_arg(allow_all=True)
    chosen = None if component == ALL_COMPONENTS else component
    day_rows = spm_dashboard.needs_table(event.id, day, scope=scope) if event and day else []
    shown = component and event and day
    kelurahan_rows = [r for r in day_rows if chosen in (None, r["component"])] if shown else []
    shelter_rows = (
        [
            r
            for r in spm_dashboard.needs_table(event.id, day, chosen, True, scope)
            if r["shelter_key"] > 0
        ]
        if shown
        else []
    )
    year_allowed = year_figures_allowed(scope)
    return render_template(
        "spm/dashboard.html",
        year=year,
        years=years,
        event=event,
        events=events,
        day=day,
        days=days,
        component=component,
        components=SPM_COMPONENTS,
        summary=spm_dashboard.year_summary(year) if year_allowed else None,
        short=spm_dashboard.short_by_component(day_rows),
        kelurahan_rows=kelurahan_rows,
        kab_kota=needs_groups(kelurahan_rows),
        shelter_rows=shelter_rows,
        quantities=spm_dashboard.quantities(event.id, day, scope) if event and day else [],
        map=spm_dashboard.gap_map(event.id, day, chosen or "permakanan", scope) if shown else None,
        map_component=SPM_COMPONENTS[chosen or "permakanan"],
        gap_classes=spm_dashboard.GAP_CLASSES,
        cover=spm_dashboard.stock_cover(event.id if event else None, day, scope),
        stale=spm_tracking.stale_count(),
        can_manage=_can_manage(),
        warning_days=spm_dashboard.COVER_WARNING_DAYS,
    )


@bp.route("/ekspor/harian")
@login_required
def export_daily():
    scope = user_scope()
    _year, _years, event, _events, day, _days = _selection(scope)
    if event is None or day is None:
        abort(404)
    rows = spm_dashboard.needs_table(event.id, day, _component_arg(), scope=scope)
    rows += [
        r
        for r in spm_dashboard.needs_table(event.id, day, _component_arg(), True, scope)
        if r["shelter_key"] > 0
    ]
    # A provinsi office reads the table per kab/kota: its code and name lead each row.
    kab = by_kab_kota()
    if kab:
        annotate(rows, "kelurahan_code")
        rows.sort(key=lambda r: r["kab_kota_code"])
    headers = (["Kode kab/kota", "Kab/kota"] if kab else []) + DAILY_HEADERS
    return table_response(
        f"spm-{event.code}-{day.isoformat()}",
        headers,
        (
            ([r["kab_kota_code"], r["kab_kota_name"]] if kab else [])
            + [
                event.code,
                r["day"].isoformat(),
                r["kelurahan_code"],
                r["kelurahan_name"],
                r["shelter_name"] if r["shelter_key"] > 0 else "",
                r["component_label"],
                r["persons_needing"],
                r["households_needing"],
                r["persons_delivered"],
                r["portions_delivered"],
                r["delivered"],
                r["gap"],
                "ya" if r["estimated"] else "tidak",
            ]
            for r in rows
        ),
        request.args.get("format", "csv"),
    )


@bp.route("/ekspor/tahun")
@login_required
def export_year():
    require_year_figures(user_scope())
    year = _int_arg("tahun") or office_today().year
    return table_response(
        f"capaian-spm-{year}",
        YEAR_HEADERS,
        (
            [
                year,
                r["label"],
                r["needing"],
                r["met"],
                r["realisation"],
                r["unit"],
                r["target"],
                r["capaian"],
                r["estimated"],
            ]
            for r in spm_dashboard.year_summary(year)
        ),
        request.args.get("format", "csv"),
    )


def _drill_args(need_day: bool = False):
    """(event id, day, kelurahan, component, shelter key) of a drill-down link; 404 if broken
    or outside what the user sees (the event, or the kelurahan)."""
    event_id, kelurahan = _int_arg("kejadian"), request.args.get("kelurahan", "")
    component = _component_arg()
    day = inputs.day(request.args.get("tanggal"), "tanggal", "Tanggal", required=need_day)
    shelter = request.args.get("tempat", "")
    shelter_key = int(shelter) if shelter.lstrip("-").isdigit() else None
    if not event_id or not component:
        abort(404)
    require_visible("event_id", event_id)
    if not user_scope().sees(kelurahan):
        abort(404)
    return event_id, day, kelurahan, component, shelter_key


def _table_or_page(name: str, headers: list[str], table, template: str, **context):
    """The drill-down page, or its table (a callable giving the rows) as CSV/XLSX on ?format=."""
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return table_response(name, headers, table(), fmt)
    export = {
        f: url_for(request.endpoint, **{**request.args.to_dict(), "format": f})
        for f in ("csv", "xlsx")
    }
    return render_template(template, export=export, **context)


@bp.route("/rincian/penyaluran")
@login_required
def drill_delivered():
    event_id, day, kelurahan, component, shelter_key = _drill_args(need_day=True)
    rows = spm_dashboard.delivered_rows(event_id, day, kelurahan, component, shelter_key)
    return _table_or_page(
        f"penyaluran-{component}-{kelurahan}-{day.isoformat()}",
        ["No.", "Penerima", "Jiwa terlayani", "Porsi tanpa nama", "Penerima tanda tangan"],
        lambda: (
            [
                d.id,
                RECIPIENT_KINDS.get(d.recipient_kind, d.recipient_kind),
                len(d.recipients),
                d.anonymous_portions,
                d.receiver_name,
            ]
            for d in rows
        ),
        "spm/drill_delivered.html",
        rows=rows,
        day=day,
        kelurahan=spm_dashboard.kelurahan_label(kelurahan),
        component_label=SPM_COMPONENTS[component],
        kinds=RECIPIENT_KINDS,
    )


def _victim_table(rows):
    """Header and rows of an export of (victim, person) pairs: name, masked NIK, status."""
    return ["Nama", "NIK", "Status"], lambda: (
        [p.name, mask_nik(p.nik), PEOPLE_STATUSES.get(v.status, v.status)] for v, p in rows
    )


@bp.route("/rincian/korban")
@login_required
def drill_needing():
    event_id, day, kelurahan, component, shelter_key = _drill_args()
    rows = spm_dashboard.needing_rows(event_id, kelurahan, component, shelter_key)
    on = day or office_today()
    return _table_or_page(
        f"membutuhkan-{component}-{kelurahan}",
        *_victim_table(rows),
        "spm/drill_needing.html",
        rows=rows,
        kelurahan=spm_dashboard.kelurahan_label(kelurahan),
        component_label=SPM_COMPONENTS[component],
        statuses=PEOPLE_STATUSES,
        mask_nik=mask_nik,
        estimates=[
            r
            for r in spm_dashboard.estimated_rows([event_id], component)
            if r["kelurahan_code"] == kelurahan
        ],
        counts=spm_dashboard.shelter_counts_behind(event_id, on, kelurahan, shelter_key)
        if component in spm_settings.met_rules().get("mengungsi", ())
        else [],
        day=day,
    )


@bp.route("/rincian/kk")
@login_required
def drill_households():
    event_id, _day, kelurahan, component, shelter_key = _drill_args()
    rows = spm_dashboard.needing_households(event_id, kelurahan, component, shelter_key)
    return _table_or_page(
        f"kk-membutuhkan-{component}-{kelurahan}",
        ["Kepala keluarga", "Nomor KK", "Jiwa membutuhkan"],
        lambda: ([h.head_name, mask_nik(h.no_kk), n] for h, n in rows),
        "spm/drill_households.html",
        rows=rows,
        kelurahan=spm_dashboard.kelurahan_label(kelurahan),
        component_label=SPM_COMPONENTS[component],
        mask_nik=mask_nik,
    )


@bp.route("/rincian/kesenjangan")
@login_required
def drill_gap():
    event_id, day, kelurahan, component, shelter_key = _drill_args(need_day=True)
    rows = spm_dashboard.gap_rows(event_id, day, kelurahan, component, shelter_key)
    return _table_or_page(
        f"kesenjangan-{component}-{kelurahan}-{day.isoformat()}",
        *_victim_table(rows),
        "spm/drill_gap.html",
        rows=rows,
        row=spm_dashboard.daily_row(event_id, day, kelurahan, component, shelter_key),
        day=day,
        kelurahan=spm_dashboard.kelurahan_label(kelurahan),
        component_label=SPM_COMPONENTS[component],
        statuses=PEOPLE_STATUSES,
        mask_nik=mask_nik,
        links={
            "needing": url_for("spm.drill_needing", **request.args.to_dict()),
            "delivered": url_for("spm.drill_delivered", **request.args.to_dict()),
        },
    )


YEAR_WHICH = {"terlayani": "served", "terpenuhi": "met", "membutuhkan": "needing"}
YEAR_WHICH_LABELS = {
    "served": "Jiwa terlayani",
    "met": "Jiwa terpenuhi",
    "needing": "Jiwa membutuhkan",
}


@bp.route("/rincian/tahun")
@login_required
def drill_year():
    require_year_figures(user_scope())
    year = _int_arg("tahun") or office_today().year
    component = _component_arg(allow_all=True) or ALL_COMPONENTS
    which = YEAR_WHICH.get(request.args.get("jenis", ""), "needing")
    persons = spm_dashboard.year_persons(year, component, which)
    return _table_or_page(
        f"{which}-{component}-{year}",
        ["Nama", "NIK"],
        lambda: ([p.name, mask_nik(p.nik)] for p in persons),
        "spm/drill_year.html",
        persons=persons,
        year=year,
        which=which,
        which_label=YEAR_WHICH_LABELS[which],
        component_label=SPM_COMPONENTS.get(component, "Semua komponen"),
        mask_nik=mask_nik,
    )


@bp.route("/rincian/kaji-cepat")
@login_required
def drill_estimated():
    year = _int_arg("tahun") or office_today().year
    event_id = _int_arg("kejadian")
    component = _component_arg(allow_all=True) or ALL_COMPONENTS
    scope = user_scope()
    require_visible("event_id", event_id)
    event_ids = [event_id] if event_id else spm_dashboard.year_event_ids(year, scope)
    rows = spm_dashboard.estimated_rows(event_ids, component, scope)
    return _table_or_page(
        f"kaji-cepat-{component}-{year}",
        ["Kejadian", AREA_CODE_HEADER, AREA_HEADER, "Jiwa (perkiraan)", "KK (perkiraan)"],
        lambda: (
            [
                r["event"].code,
                r["kelurahan_code"],
                r["kelurahan_name"],
                r["persons"],
                r["households"],
            ]
            for r in rows
        ),
        "spm/drill_estimated.html",
        rows=rows,
        year=year,
        component_label=SPM_COMPONENTS.get(component, "Semua komponen"),
    )


@bp.route("/rincian/stok")
@login_required
def drill_stock():
    item_code = request.args.get("barang", "")
    day = inputs.day(request.args.get("tanggal"), "tanggal", "Tanggal")
    lots = spm_dashboard.stock_lots(item_code, day, user_scope())
    return _table_or_page(
        f"stok-{item_code}",
        ["Gudang", "Barang", "Lot", "Kedaluwarsa", "Jumlah", "Satuan"],
        lambda: (
            [
                lot.warehouse.name,
                lot.item.name,
                lot.lot_code,
                lot.expiry_date.isoformat() if lot.expiry_date else "",
                lot.quantity,
                lot.item.unit,
            ]
            for lot in lots
        ),
        "spm/drill_stock.html",
        lots=lots,
        item_code=item_code,
        day=day or office_today(),
        total=sum((lot.quantity for lot in lots), Decimal(0)),
    )


@bp.route("/ekspor/kebutuhan")
@login_required
def export_quantities():
    scope = user_scope()
    _year, _years, event, _events, day, _days = _selection(scope)
    if event is None or day is None:
        abort(404)
    return table_response(
        f"kebutuhan-standar-{event.code}-{day.isoformat()}",
        ["Kebutuhan", "Standar", "Satuan", "Dasar", "Periode", "Jiwa", "KK", "Jumlah", "Sumber"],
        (
            [
                q["standard"].need,
                q["standard"].quantity,
                q["standard"].unit,
                BASES.get(q["standard"].basis, q["standard"].basis),
                PERIODS.get(q["standard"].period, q["standard"].period),
                q["persons"],
                q["households"],
                q["need"],
                q["standard"].source,
            ]
            for q in spm_dashboard.quantities(event.id, day, scope)
        ),
        request.args.get("format", "csv"),
    )


@bp.route("/ekspor/stok")
@login_required
def export_cover():
    scope = user_scope()
    _year, _years, event, _events, day, _days = _selection(scope)
    return table_response(
        f"ketersediaan-stok-{(day or office_today()).isoformat()}",
        [
            "Kebutuhan",
            "Barang",
            "Stok",
            "Kebutuhan",
            "Satuan",
            "Per hari",
            "Cukup (hari)",
            "Cukup (% kebutuhan)",
            "Peringatan",
        ],
        (
            [
                c["need_label"],
                c["item_code"],
                c["stock"],
                c["need"],
                c["unit"],
                "ya" if c["daily"] else "tidak",
                c["days_of_cover"],
                c["share"],
                "kurang" if c["warning"] else "",
            ]
            for c in spm_dashboard.stock_cover(event.id if event else None, day, scope)
        ),
        request.args.get("format", "csv"),
    )


@bp.route("/bangun-ulang", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def rebuild():
    year = _int_arg("tahun") or None
    with transaction():
        record = jobs.create_job(
            SPM_REBUILD,
            f"Bangun ulang tabel SPM{f' tahun {year}' if year else ''}",
            {"year": year},
            current_user.id,
        )
    # A second unit of work: the job is committed before it is sent, so it outlives the request.
    with transaction():
        queued = jobs.submit(record)
    if not queued:
        flash("Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning")
    return redirect(url_for("jobs.detail", job_id=record.id))


# --- settings -------------------------------------------------------------------------------


@bp.route("/standar", methods=["GET", "POST"])
@login_required
def standards():
    error = None
    if request.method == "POST":
        if not _can_manage():
            abort(403)
        standard_id = _int_arg("id") or None
        try:
            with transaction():
                standard = spm_settings.get_standard(standard_id) if standard_id else None
                spm_settings.save_standard(request.form.to_dict(), standard)
            flash("Standar disimpan.", "success")
            return redirect(url_for("spm.standards"))
        except DomainError as exc:
            error = exc
    editing = spm_settings.get_standard(_int_arg("ubah")) if _int_arg("ubah") else None
    return render_template(
        "spm/standards.html",
        standards=spm_settings.list_standards(),
        editing=editing,
        form=request.form if error else None,
        error=error,
        components=SPM_COMPONENTS,
        bases=BASES,
        periods=PERIODS,
        can_manage=_can_manage(),
    ), (422 if error else 200)


@bp.route("/terpenuhi", methods=["GET", "POST"])
@login_required
def met_rules():
    error = None
    if request.method == "POST":
        if not _can_manage():
            abort(403)
        chosen = {status: request.form.getlist(f"rule-{status}") for status in PEOPLE_STATUSES}
        try:
            with transaction():
                spm_settings.set_met_rules(chosen)
                record = jobs.create_job(
                    SPM_REBUILD, "Bangun ulang tabel SPM (aturan terpenuhi)", {}, current_user.id
                )
            with transaction():
                jobs.submit(record)
            flash("Aturan disimpan; tabel SPM dihitung ulang di latar belakang.", "success")
            return redirect(url_for("spm.met_rules"))
        except DomainError as exc:
            error = exc
    return render_template(
        "spm/met_rules.html",
        rules=spm_settings.met_rules(),
        statuses=PEOPLE_STATUSES,
        components=SPM_COMPONENTS,
        error=error,
        can_manage=_can_manage(),
    ), (422 if error else 200)


@bp.route("/target", methods=["GET", "POST"])
@login_required
def targets():
    error = None
    if request.method == "POST":
        if not _can_manage():
            abort(403)
        try:
            with transaction():
                target = spm_settings.save_target(request.form.to_dict())
            flash(f"Target {INDICATORS[target.indicator]} {target.year} disimpan.", "success")
            return redirect(url_for("spm.targets", tahun=target.year))
        except DomainError as exc:
            error = exc
    year = _int_arg("tahun")
    return render_template(
        "spm/targets.html",
        targets=spm_settings.list_targets(year),
        year=year,
        form=request.form if error else None,
        error=error,
        indicators=INDICATORS,
        modes=AGGREGATION_MODES,
        can_manage=_can_manage(),
    ), (422 if error else 200)


@bp.route("/target/impor", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def target_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Pilih berkas CSV atau XLSX berisi target.", "danger")
        return redirect(url_for("spm.targets"))
    try:
        with transaction():
            count = spm_settings.import_targets(
                spm_settings.read_table(upload.filename, upload.stream)
            )
        flash(f"{count} target diimpor.", "success")
    except DomainError as exc:
        flash(f"Impor dibatalkan, tidak ada target yang diubah. {exc.message}", "danger")
    return redirect(url_for("spm.targets"))


@bp.route("/target/<int:target_id>/hapus", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def target_delete(target_id: int):
    with transaction():
        spm_settings.delete_target(target_id)
    flash("Target dihapus.", "success")
    return redirect(url_for("spm.targets"))
