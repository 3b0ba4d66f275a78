"""Tagana pages: members, deployments, check-in/out and task reports from the phone,
the roster board with its map, KSB, vehicles and the year figures."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.utils import secure_filename

from geo.deployment_map import STATE_COLOURS, STATE_LABELS, deployment_map
from geo.maps import render_map_html
from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.areas import kab_kota as kab_kota_areas
from logistics.areas.maps import use_local_assets
from logistics.core.database import transaction
from logistics.core.errors import DomainError, NeedsConfirmation, NotFound
from logistics.core.exports import table_response
from logistics.core.formatting import tanggal, tanggal_jam
from logistics.core.forms import attach_error, confirmed, submit
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.pdf import html_to_pdf
from logistics.core.security import local_target, require_visible, roles_required, user_scope
from logistics.core.time import local_input_value, office_date, utcnow
from logistics.tagana import board as board_service
from logistics.tagana import deployments as deployment_service
from logistics.tagana import duty, tables
from logistics.tagana import figures as figures_service
from logistics.tagana import ksb as ksb_service
from logistics.tagana import members as member_service
from logistics.tagana import places as place_service
from logistics.tagana import trainings as training_service
from logistics.tagana import vehicles as vehicle_service
from logistics.tagana.forms import (
    CancelForm,
    CheckForm,
    DeploymentForm,
    KsbForm,
    MemberForm,
    TaskReportForm,
    TrainingForm,
    VehicleForm,
    deployment_form_choices,
    deployment_values,
    fill_deployment_form,
    ksb_form_choices,
    ksb_values,
    member_form_choices,
    member_values,
)
from logistics.tagana.models import LEVELS, PLACE_KINDS, Deployment

bp = Blueprint("tagana", __name__, url_prefix="/tagana")
PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


def _tz() -> str:
    return current_app.config["OFFICE_TIMEZONE"]


def _local_redirect(default: str):
    """Back to where the person came from (a form's `next`), only within this site."""
    return redirect(local_target(request.form.get("next") or request.args.get("next"), default))


def _actor():
    return current_user._get_current_object()


def _export_format() -> str | None:
    fmt = request.args.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def _when(value) -> str:
    return tanggal_jam(value, _tz()) if value else ""


@bp.app_template_filter("tagana_place")
def place_filter(deployment: Deployment, names: dict | None = None) -> str:
    return place_service.place_label(deployment, names)


@bp.app_template_filter("tagana_phase_badge")
def phase_badge_filter(deployment: Deployment) -> Markup:
    phase = deployment_service.deployment_phase(deployment)
    return Markup('<span class="phase phase-{}">{}</span>').format(
        phase, deployment_service.PHASES[phase]
    )


@bp.app_template_filter("tagana_level")
def level_filter(level: str) -> str:
    return LEVELS.get(level, level)


# --- Landing page and "Tugas saya" ----------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    member = member_service.member_for_user(current_user)
    scope = user_scope()
    events = place_service.recent_events(20, open_only=True, scope=scope)
    counts = {
        "members": member_service.active_member_count(scope),
        "ksb": ksb_service.ksb_count(scope),
    }
    tasks = _tasks(deployment_service.my_deployments(current_user)) if member else []
    open_tasks = [t for t in tasks if t["phase"] != "selesai"]
    return render_template(
        "tagana/index.html",
        member=member,
        open_tasks=open_tasks,
        phases=deployment_service.PHASES,
        events=events,
        on_duty=deployment_service.on_duty_counts(e.id for e in events),
        counts=counts,
    )


@bp.route("/tugas-saya")
@login_required
def my_tasks():
    member = member_service.member_for_user(current_user)
    return render_template(
        "tagana/my_tasks.html",
        member=member,
        tasks=_tasks(deployment_service.my_deployments(current_user)) if member else [],
        phases=deployment_service.PHASES,
        check_form=CheckForm(),
    )


def _tasks(rows) -> list[dict]:
    """What a task card shows: the deployment, its event, phase and place label."""
    names = place_service.place_names(d for d, _e in rows)
    return [
        {
            "d": d,
            "event": event,
            "phase": deployment_service.deployment_phase(d),
            "label": place_service.place_label(d, names),
        }
        for d, event in rows
    ]


# --- Members --------------------------------------------------------------------------------------


def _member_filters() -> member_service.MemberFilters:
    return member_service.MemberFilters(
        q=request.args.get("q", ""),
        level=request.args.get("tingkat", ""),
        competency=request.args.get("kompetensi", ""),
        kecamatan_code=request.args.get("kecamatan", ""),
        active=request.args.get("aktif", "ya"),
        scope=user_scope(),
    )


@bp.route("/anggota")
@login_required
def members():
    filters = _member_filters()
    fmt = _export_format()
    if fmt:
        people = member_service.list_members(filters)
        return table_response(
            "anggota-tagana", tables.MEMBER_HEADERS, tables.member_rows(people), fmt
        )
    page = max(1, request.args.get("hal", 1, type=int))
    people, total = member_service.member_page(filters, page, PAGE_SIZE)
    return render_template(
        "tagana/members.html",
        members=people,
        names=place_service.area_names(m.home_kelurahan_code for m in people),
        filters=filters,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        levels=LEVELS,
        competencies=member_service.competency_choices(),
    )


def _render_member_form(form, member, status=200):
    return render_template(
        "tagana/member_form.html",
        form=form,
        member=member,
    ), status


@bp.route("/anggota/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_member():
    form = MemberForm()
    member_form_choices(form, None)
    if form.validate_on_submit():
        try:
            with transaction():
                values = member_values(form)
                user_scope().require_records((values.get("home_kelurahan_code"),))
                member = member_service.create_member(**values)
        except DomainError as exc:
            attach_error(form, exc, "nia")
            return _render_member_form(form, None, exc.status)
        flash(f"Anggota {member.name} tersimpan.", "success")
        return redirect(url_for("tagana.member", member_id=member.id))
    return _render_member_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/anggota/<int:member_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_member(member_id: int):
    member = member_service.get_member(member_id)
    form = MemberForm(obj=member if request.method == "GET" else None)
    member_form_choices(form, member)
    if request.method == "GET":
        form.competencies.data = [c.code for c in member.competencies]
        form.user_id.data = str(member.user_id) if member.user_id else ""
        for key in ("birth_date", "decree_date", "joined_on"):
            value = getattr(member, key)
            getattr(form, key).data = value.isoformat() if value else ""
    if form.validate_on_submit():
        try:
            with transaction():
                values = member_values(form)
                user_scope().require_records((values.get("home_kelurahan_code"),))
                member_service.update_member(member, **values)
        except DomainError as exc:
            attach_error(form, exc, "nia")
            return _render_member_form(form, member, exc.status)
        flash("Perubahan data anggota tersimpan.", "success")
        return redirect(url_for("tagana.member", member_id=member.id))
    return _render_member_form(form, member, 422 if request.method == "POST" else 200)


@bp.route("/anggota/<int:member_id>")
@login_required
def member(member_id: int):
    return _member_page(member_service.get_member(member_id), TrainingForm())


def _member_page(person, training_form: TrainingForm, status: int = 200):
    """The member's page; a refused training comes back open with its errors."""
    rows = deployment_service.list_deployments(
        deployment_service.DeploymentFilters(member_id=person.id, scope=user_scope())
    )
    user = member_service.linked_user(person)
    return render_template(
        "tagana/member.html",
        member=person,
        user=user,
        rows=rows,
        names=place_service.place_names(d for d, _e in rows),
        area_names=place_service.area_names([person.home_kelurahan_code]),
        training_form=training_form,
        person_days=sum(deployment_service.person_days(d) for d, _e in rows),
    ), status


@bp.route("/anggota/<int:member_id>/pelatihan", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def add_training(member_id: int):
    person = member_service.get_member(member_id)
    form = TrainingForm()
    outcome = submit(
        form,
        lambda: training_service.add_training(
            person,
            name=form.name.data,
            organizer=form.organizer.data,
            started_on=form.started_on.data,
            ended_on=form.ended_on.data,
            certificate_number=form.certificate_number.data,
        ),
        fallback="name",
    )
    if outcome.done:
        flash("Pelatihan tercatat.", "success")
        return redirect(url_for("tagana.member", member_id=person.id) + "#pelatihan")
    return _member_page(member_service.get_member(member_id), form, outcome.status)


@bp.route("/pelatihan/<int:training_id>/hapus", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def delete_training(training_id: int):
    training = training_service.get_training(training_id)
    member_id = training.member_id
    with transaction():
        training_service.delete_training(training)
    flash("Pelatihan dihapus.", "success")
    return redirect(url_for("tagana.member", member_id=member_id) + "#pelatihan")


# --- Deployments ----------------------------------------------------------------------------------


@bp.route("/pengerahan")
@login_required
def deployments():
    filters = deployment_service.DeploymentFilters(
        event_id=request.args.get("kejadian", type=int),
        place_kind=request.args.get("jenis", ""),
        phase=request.args.get("status", ""),
        q=request.args.get("q", ""),
        scope=user_scope(),
    )
    fmt = _export_format()
    if fmt:
        rows = deployment_service.list_deployments(filters)
        return table_response(
            "pengerahan-tagana", tables.DEPLOYMENT_HEADERS, tables.deployment_rows(rows), fmt
        )
    page = max(1, request.args.get("hal", 1, type=int))
    rows, total = deployment_service.deployment_page(filters, page, PAGE_SIZE)
    return render_template(
        "tagana/deployments.html",
        rows=rows,
        names=place_service.place_names(d for d, _e in rows),
        filters=filters,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        events=place_service.recent_events(100, scope=filters.scope),
        place_kinds=PLACE_KINDS,
        phases=deployment_service.PHASES,
    )


def _render_deployment_form(form, event, deployment=None, status=200, suggestions=None):
    return render_template(
        "tagana/deployment_form.html",
        form=form,
        event=event,
        deployment=deployment,
        roles=deployment_service.ROLE_SUGGESTIONS,
        suggestions=suggestions,
    ), status


@bp.route("/kejadian/<int:event_id>/tugaskan", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def new_deployment(event_id: int):
    event = deployment_service.get_event(event_id)
    form = DeploymentForm()
    deployment_form_choices(form, event)
    if request.method == "GET":
        # Prefilled from a gap on the roster board ("Tugaskan" next to a suggestion).
        form.member_id.data = request.args.get("member_id", "")
        form.shelter_id.data = request.args.get("shelter_id", "")
        form.place_kind.data = request.args.get("place_kind", "shelter")
        form.kelurahan_code.data = request.args.get("kelurahan_code", "")
        form.warehouse_id.data = request.args.get("warehouse_id", "")
        form.role.data = request.args.get("role", "")
        form.competency.data = request.args.get("competency", "")
        form.starts_at.data = local_input_value(utcnow())
    if form.validate_on_submit():
        try:
            with transaction():
                member_id = str(form.member_id.data or "")
                if member_id.isdigit():
                    require_visible("member_id", int(member_id))
                deployment = deployment_service.deploy_member(
                    member_id=form.member_id.data or None,
                    event_id=event.id,
                    actor=_actor(),
                    **deployment_values(form),
                )
        except DomainError as exc:
            attach_error(form, exc, "member_id")
            return _render_deployment_form(form, event, status=exc.status)
        flash(
            f"{deployment.member.name} ditugaskan ke {place_service.place_label(deployment)}.",
            "success",
        )
        return redirect(url_for("tagana.board", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return _render_deployment_form(form, event, status=status)


@bp.route("/pengerahan/<int:deployment_id>/ubah", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def edit_deployment(deployment_id: int):
    deployment = deployment_service.get_deployment(deployment_id)
    # Refuse someone else's deployment before showing the form, not only when it is sent.
    duty.require_actor(deployment, _actor(), "mengubah")
    event = deployment_service.get_event(deployment.event_id)
    form = DeploymentForm()
    deployment_form_choices(form, event, deployment)
    if request.method == "GET":
        fill_deployment_form(form, deployment)
    if form.validate_on_submit():
        try:
            with transaction():
                deployment_service.update_deployment(
                    deployment, _actor(), **deployment_values(form)
                )
        except DomainError as exc:
            attach_error(form, exc, "role")
            return _render_deployment_form(form, event, deployment, exc.status)
        flash("Perubahan penugasan tersimpan.", "success")
        return redirect(url_for("tagana.deployment", deployment_id=deployment.id))
    status = 422 if request.method == "POST" else 200
    return _render_deployment_form(form, event, deployment, status)


@bp.route("/pengerahan/<int:deployment_id>")
@login_required
def deployment(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    event = deployment_service.get_event(item.event_id)
    vehicle = vehicle_service.find_vehicle(item.vehicle_id)
    sub_kegiatan = deployment_service.deployment_sub_kegiatan(item)
    report = deployment_service.get_report(item)
    may_act = False
    if current_user.role in WRITER_ROLES:
        try:
            duty.require_actor(item, _actor(), "mengubah")
            may_act = True
        except DomainError:
            may_act = False
    return render_template(
        "tagana/deployment.html",
        trail=breadcrumbs(
            crumb("Tagana", "tagana.index"),
            crumb(f"Papan tugas {event.code}", "tagana.board", event_id=event.id),
            crumb(item.member.name),
        ),
        d=item,
        event=event,
        vehicle=vehicle,
        sub_kegiatan=sub_kegiatan,
        report=report,
        phase=deployment_service.deployment_phase(item),
        phases=deployment_service.PHASES,
        label=place_service.place_label(item),
        may_act=may_act,
        check_form=CheckForm(),
        cancel_form=CancelForm(),
        person_days=deployment_service.person_days(item),
    )


@bp.route("/pengerahan/<int:deployment_id>/check-in", methods=["POST"])
@roles_required(*WRITER_ROLES)
def check_in(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    form = CheckForm()
    try:
        with transaction():
            duty.check_in(
                item,
                _actor(),
                lat=form.lat.data or None,
                lng=form.lng.data or None,
                confirm=confirmed(),
            )
    except NeedsConfirmation as exc:
        # The deployment page asks again, with the warning beside a "Ya, check-in" button.
        flash(exc.message, "warning")
        return redirect(url_for("tagana.deployment", deployment_id=item.id, konfirmasi="check-in"))
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))
    where = " dengan lokasi" if item.check_in_lat is not None else ""
    flash(f"Check-in tercatat {_when(item.checked_in_at)}{where}. Selamat bertugas.", "success")
    return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))


@bp.route("/pengerahan/<int:deployment_id>/check-out", methods=["POST"])
@roles_required(*WRITER_ROLES)
def check_out(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    try:
        with transaction():
            duty.check_out(item, _actor())
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))
    flash(
        f"Check-out tercatat {_when(item.checked_out_at)}. Isi laporan pelaksanaan tugas.",
        "success",
    )
    return redirect(url_for("tagana.report", deployment_id=item.id))


@bp.route("/pengerahan/<int:deployment_id>/batal", methods=["POST"])
@roles_required(*WRITER_ROLES)
def cancel(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    form = CancelForm()
    try:
        with transaction():
            duty.cancel_deployment(item, _actor(), reason=form.reason.data)
    except DomainError as exc:
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return redirect(url_for("tagana.deployment", deployment_id=item.id))
    flash("Penugasan dibatalkan.", "success")
    return redirect(url_for("tagana.board", event_id=item.event_id))


@bp.route("/pengerahan/<int:deployment_id>/laporan", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def report(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    # Refuse someone else's deployment before showing the form, not only when it is sent.
    duty.require_actor(item, _actor(), "melaporkan")
    existing = deployment_service.get_report(item)
    if existing is not None:
        flash("Laporan penugasan ini sudah dikirim.", "info")
        return redirect(url_for("tagana.deployment", deployment_id=item.id))
    form = TaskReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            with transaction():
                duty.submit_task_report(
                    item,
                    _actor(),
                    activities=form.activities.data,
                    people_served=form.people_served.data,
                    problems=form.problems.data,
                )
        except DomainError as exc:
            attach_error(form, exc, "activities")
            status = exc.status
        else:
            flash("Laporan pelaksanaan tugas terkirim. Terima kasih.", "success")
            return redirect(url_for("tagana.deployment", deployment_id=item.id))
    elif request.method == "POST":
        status = 422
    event = deployment_service.get_event(item.event_id)
    return render_template(
        "tagana/report_form.html",
        form=form,
        d=item,
        event=event,
        label=place_service.place_label(item),
    ), status


@bp.route("/pengerahan/<int:deployment_id>/laporan.pdf")
@login_required
def report_pdf(deployment_id: int):
    item = deployment_service.get_deployment(deployment_id)
    found = deployment_service.get_report(item)
    if found is None:
        raise NotFound("Laporan pelaksanaan tugas penugasan ini belum dikirim.")
    event = deployment_service.get_event(item.event_id)
    vehicle = vehicle_service.find_vehicle(item.vehicle_id)
    reporter = deployment_service.report_author(found)
    html = render_template(
        "tagana/report_pdf.html",
        d=item,
        report=found,
        event=event,
        vehicle=vehicle,
        reporter=reporter,
        label=place_service.place_label(item),
        level=LEVELS[item.member.level],
        person_days=deployment_service.person_days(item),
        printed_on=tanggal(office_date(utcnow())),
    )
    pdf = html_to_pdf(html, base_url=request.url_root)
    filename = f"laporan-tugas-{item.id}-{secure_filename(item.member.nia) or 'anggota'}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- Roster board ---------------------------------------------------------------------------------


@bp.route("/kejadian/<int:event_id>/papan")
@login_required
def board(event_id: int):
    scope = user_scope()
    names = kab_kota_areas.kab_kota_names() if kab_kota_areas.by_kab_kota() else {}
    kab_kota = request.args.get("kab_kota", "").strip()
    if kab_kota not in names or not scope.sees_covering(kab_kota):
        kab_kota = ""  # not a kab/kota the user sees: the whole board, as without a filter
    roster = board_service.roster_board(event_id, scope=scope, kab_kota=kab_kota)
    show = request.args.get("tampil", "")
    if show not in deployment_service.PHASES:
        show = ""
    fmt = _export_format()
    if fmt:
        entries = [e for e in roster.entries if not show or e.phase == show]
        headers, rows = tables.board_table(entries)
        return table_response(f"papan-tagana-{roster.event.code}", headers, rows, fmt)
    places = board_service.board_map_places(
        roster, lambda deployment_id: url_for("tagana.deployment", deployment_id=deployment_id)
    )
    fmap = deployment_map(places)
    use_local_assets(fmap)
    return render_template(
        "tagana/board.html",
        board=roster,
        show=show,
        phases=deployment_service.PHASES,
        map=render_map_html(fmap),
        located=len(places),
        state_colours=STATE_COLOURS,
        state_labels=STATE_LABELS,
        place_competency=board_service.PLACE_COMPETENCY,
        kab_kota_names=names,
        kab_kota_options=[(c, n) for c, n in sorted(names.items()) if scope.sees_covering(c)],
    )


# --- Kampung Siaga Bencana ------------------------------------------------------------------------


@bp.route("/ksb")
@login_required
def ksb_list():
    items = ksb_service.list_ksb(
        request.args.get("kecamatan", ""), request.args.get("q", ""), user_scope()
    )
    names = place_service.area_names(k.kelurahan_code for k in items)
    warehouses = ksb_service.ksb_warehouses(items)
    fmt = _export_format()
    if fmt:
        rows = tables.ksb_rows(items, names, warehouses)
        return table_response("kampung-siaga-bencana", tables.KSB_HEADERS, rows, fmt)
    return render_template(
        "tagana/ksb.html",
        items=items,
        names=names,
        warehouses=warehouses,
    )


def _render_ksb_form(form, ksb, status=200):
    return render_template(
        "tagana/ksb_form.html",
        form=form,
        ksb=ksb,
        lumbung_count=len(form.warehouse_id.choices) - 1,
    ), status


@bp.route("/ksb/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_ksb():
    form = KsbForm()
    ksb_form_choices(form, None)
    if form.validate_on_submit():
        try:
            with transaction():
                values = ksb_values(form)
                user_scope().require_records((values.get("kelurahan_code"),))
                ksb_service.register_ksb(**values)
        except DomainError as exc:
            attach_error(form, exc, "name")
            return _render_ksb_form(form, None, exc.status)
        flash("Kampung Siaga Bencana tersimpan.", "success")
        return redirect(url_for("tagana.ksb_list"))
    return _render_ksb_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/ksb/<int:ksb_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_ksb(ksb_id: int):
    ksb = ksb_service.get_ksb(ksb_id)
    form = KsbForm(obj=ksb if request.method == "GET" else None)
    ksb_form_choices(form, ksb)
    if request.method == "GET":
        form.facilitation_years.data = ", ".join(str(y) for y in ksb.facilitation_years or [])
        form.warehouse_id.data = str(ksb.warehouse_id or "")
    if form.validate_on_submit():
        try:
            with transaction():
                values = ksb_values(form)
                user_scope().require_records((values.get("kelurahan_code"),))
                ksb_service.update_ksb(ksb, **values)
        except DomainError as exc:
            attach_error(form, exc, "name")
            return _render_ksb_form(form, ksb, exc.status)
        flash("Perubahan KSB tersimpan.", "success")
        return redirect(url_for("tagana.ksb_list"))
    return _render_ksb_form(form, ksb, 422 if request.method == "POST" else 200)


# --- Vehicles -------------------------------------------------------------------------------------


@bp.route("/kendaraan")
@login_required
def vehicles():
    items = vehicle_service.list_vehicles(request.args.get("q", ""), request.args.get("aktif", ""))
    fmt = _export_format()
    if fmt:
        return table_response("kendaraan", tables.VEHICLE_HEADERS, tables.vehicle_rows(items), fmt)
    return render_template("tagana/vehicles.html", items=items)


def _render_vehicle_form(form, vehicle, status=200):
    return render_template(
        "tagana/vehicle_form.html", form=form, vehicle=vehicle, kinds=vehicle_service.VEHICLE_KINDS
    ), status


@bp.route("/kendaraan/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_vehicle():
    form = VehicleForm()
    if form.validate_on_submit():
        try:
            with transaction():
                vehicle_service.register_vehicle(
                    plate=form.plate.data,
                    kind=form.kind.data,
                    assigned_unit=form.assigned_unit.data,
                    active=form.active.data,
                )
        except DomainError as exc:
            attach_error(form, exc, "plate")
            return _render_vehicle_form(form, None, exc.status)
        flash("Kendaraan tersimpan.", "success")
        return redirect(url_for("tagana.vehicles"))
    return _render_vehicle_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/kendaraan/<int:vehicle_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_vehicle(vehicle_id: int):
    vehicle = vehicle_service.get_vehicle(vehicle_id)
    form = VehicleForm(obj=vehicle if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction():
                vehicle_service.update_vehicle(
                    vehicle,
                    plate=form.plate.data,
                    kind=form.kind.data,
                    assigned_unit=form.assigned_unit.data,
                    active=form.active.data,
                )
        except DomainError as exc:
            attach_error(form, exc, "plate")
            return _render_vehicle_form(form, vehicle, exc.status)
        flash("Perubahan kendaraan tersimpan.", "success")
        return redirect(url_for("tagana.vehicles"))
    return _render_vehicle_form(form, vehicle, 422 if request.method == "POST" else 200)


# --- Year figures ---------------------------------------------------------------------------------


@bp.route("/rekap")
@login_required
def figures():
    this_year = office_date(utcnow()).year
    year = request.args.get("tahun", this_year, type=int)
    result = figures_service.year_figures(year, scope=user_scope())
    fmt = _export_format()
    if fmt:
        table, headers, rows = tables.figures_table(result, request.args.get("tabel", "ringkasan"))
        return table_response(f"rekap-tagana-{year}-{table}", headers, rows, fmt)
    return render_template(
        "tagana/figures.html",
        figures=result,
        year=year,
        years=list(range(this_year, this_year - 6, -1)),
    )
