"""Tagana pages: members and import, deployments, check-in/out and task reports from the phone,
the roster board with its map, KSB, vehicles and the year figures."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.utils import secure_filename
from wtforms.fields.choices import SelectChoice

from geo.deployment_map import STATE_COLOURS, STATE_LABELS, deployment_map
from geo.maps import render_map_html
from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES, User
from logistics.areas.maps import use_local_assets
from logistics.budget import services as budget
from logistics.budget.models import BudgetNode
from logistics.budget.tree_cache import sub_kegiatan_code
from logistics.core.errors import DomainError, NotFound
from logistics.core.exports import table_response
from logistics.core.extensions import db
from logistics.core.formatting import tanggal, tanggal_jam
from logistics.core.forms import attach_error
from logistics.core.security import local_target, roles_required
from logistics.core.time import local_input_value, office_date, utcnow
from logistics.events.models import Event
from logistics.tagana import services as service
from logistics.tagana.forms import (
    CancelForm,
    CheckForm,
    DeploymentForm,
    KsbForm,
    MemberForm,
    MemberImportForm,
    TaskReportForm,
    TrainingForm,
    VehicleForm,
)
from logistics.tagana.imports import import_members, member_template
from logistics.tagana.models import LEVELS, PLACE_KINDS, Deployment, TaganaMember, Vehicle

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
    return service.place_label(deployment, names)


@bp.app_template_filter("tagana_phase_badge")
def phase_badge_filter(deployment: Deployment) -> Markup:
    phase = service.deployment_phase(deployment)
    return Markup('<span class="phase phase-{}">{}</span>').format(phase, service.PHASES[phase])


@bp.app_template_filter("tagana_level")
def level_filter(level: str) -> str:
    return LEVELS.get(level, level)


# --- Landing page and "Tugas saya" ----------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    member = service.member_for_user(current_user)
    events = service.recent_events(20, open_only=True)
    counts = {
        "members": db.session.scalar(
            select(func.count(TaganaMember.id)).where(TaganaMember.active.is_(True))
        ),
        "ksb": db.session.scalar(select(func.count()).select_from(service.ksb_query().subquery())),
    }
    tasks = _tasks(service.my_deployments(current_user)) if member else []
    open_tasks = [t for t in tasks if t["phase"] != "selesai"]
    return render_template(
        "tagana/index.html",
        member=member,
        open_tasks=open_tasks,
        phases=service.PHASES,
        events=events,
        on_duty=service.on_duty_counts(e.id for e in events),
        counts=counts,
    )


@bp.route("/tugas-saya")
@login_required
def my_tasks():
    member = service.member_for_user(current_user)
    return render_template(
        "tagana/my_tasks.html",
        member=member,
        tasks=_tasks(service.my_deployments(current_user)) if member else [],
        phases=service.PHASES,
        check_form=CheckForm(),
    )


def _tasks(rows) -> list[dict]:
    """What a task card shows: the deployment, its event, phase and place label."""
    names = service.place_names(d for d, _e in rows)
    return [
        {
            "d": d,
            "event": event,
            "phase": service.deployment_phase(d),
            "label": service.place_label(d, names),
        }
        for d, event in rows
    ]


# --- Members --------------------------------------------------------------------------------------


def _member_filters() -> service.MemberFilters:
    return service.MemberFilters(
        q=request.args.get("q", ""),
        level=request.args.get("tingkat", ""),
        competency=request.args.get("kompetensi", ""),
        kecamatan_code=request.args.get("kecamatan", ""),
        active=request.args.get("aktif", "ya"),
    )


MEMBER_HEADERS = [
    "NIA",
    "Nama",
    "Jenis kelamin",
    "Tingkat",
    "Kompetensi",
    "Telepon",
    "Kode kelurahan",
    "Kelurahan",
    "Nomor SK",
    "Tanggal SK",
    "Tanggal bergabung",
    "Jumlah pelatihan",
    "Aktif",
]


@bp.route("/anggota")
@login_required
def members():
    filters = _member_filters()
    query = service.members_query(filters)
    fmt = _export_format()
    if fmt:
        people = list(db.session.scalars(query))
        names = service.area_names(m.home_kelurahan_code for m in people)
        rows = (
            [
                m.nia,
                m.name,
                m.sex,
                LEVELS[m.level],
                ", ".join(c.name for c in m.competencies),
                m.phone,
                m.home_kelurahan_code or "",
                names.get(m.home_kelurahan_code or "", ""),
                m.decree_number,
                m.decree_date.isoformat() if m.decree_date else "",
                m.joined_on.isoformat() if m.joined_on else "",
                len(m.trainings),
                "ya" if m.active else "tidak",
            ]
            for m in people
        )
        return table_response("anggota-tagana", MEMBER_HEADERS, rows, fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    people = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return render_template(
        "tagana/members.html",
        members=people,
        names=service.area_names(m.home_kelurahan_code for m in people),
        filters=filters,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        levels=LEVELS,
        competencies=service.competency_choices(),
        kecamatan=service.kecamatan_options(),
    )


def _member_form_choices(form: MemberForm, member: TaganaMember | None) -> None:
    form.competencies.choices = [SelectChoice(c.code, c.name) for c in service.competency_choices()]
    users = service.unlinked_tagana_users(member)
    form.user_id.choices = [SelectChoice("", "— tidak ditautkan —")] + [
        SelectChoice(str(u.id), u.username + (f" ({u.full_name})" if u.full_name else ""))
        for u in users
    ]


def _member_values(form: MemberForm) -> dict:
    return {
        "nia": form.nia.data,
        "name": form.name.data,
        "sex": form.sex.data,
        "level": form.level.data,
        "phone": form.phone.data,
        "home_kelurahan_code": form.home_kelurahan_code.data,
        "birth_date": form.birth_date.data,
        "decree_number": form.decree_number.data,
        "decree_date": form.decree_date.data,
        "joined_on": form.joined_on.data,
        "competencies": form.competencies.data or [],
        "user_id": form.user_id.data or None,
        "active": form.active.data,
    }


def _render_member_form(form, member, status=200):
    return render_template(
        "tagana/member_form.html",
        form=form,
        member=member,
        kelurahan=service.kelurahan_options(),
    ), status


@bp.route("/anggota/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_member():
    form = MemberForm()
    _member_form_choices(form, None)
    if form.validate_on_submit():
        try:
            member = service.create_member(**_member_values(form))
        except DomainError as exc:
            attach_error(form, exc, "nia")
            return _render_member_form(form, None, exc.status)
        db.session.commit()
        flash(f"Anggota {member.name} tersimpan.", "success")
        return redirect(url_for("tagana.member", member_id=member.id))
    return _render_member_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/anggota/<int:member_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_member(member_id: int):
    member = service.get_member(member_id)
    form = MemberForm(obj=member if request.method == "GET" else None)
    _member_form_choices(form, member)
    if request.method == "GET":
        form.competencies.data = [c.code for c in member.competencies]
        form.user_id.data = str(member.user_id) if member.user_id else ""
        for key in ("birth_date", "decree_date", "joined_on"):
            value = getattr(member, key)
            getattr(form, key).data = value.isoformat() if value else ""
    if form.validate_on_submit():
        try:
            service.update_member(member, **_member_values(form))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "nia")
            return _render_member_form(form, member, exc.status)
        db.session.commit()
        flash("Perubahan data anggota tersimpan.", "success")
        return redirect(url_for("tagana.member", member_id=member.id))
    return _render_member_form(form, member, 422 if request.method == "POST" else 200)


@bp.route("/anggota/<int:member_id>")
@login_required
def member(member_id: int):
    person = service.get_member(member_id)
    rows = db.session.execute(
        service.deployments_query(service.DeploymentFilters(member_id=person.id))
    ).all()
    user = db.session.get(User, person.user_id) if person.user_id else None
    return render_template(
        "tagana/member.html",
        member=person,
        user=user,
        rows=rows,
        names=service.place_names(d for d, _e in rows),
        area_names=service.area_names([person.home_kelurahan_code]),
        training_form=TrainingForm(),
        person_days=sum(service.person_days(d) for d, _e in rows),
    )


@bp.route("/anggota/<int:member_id>/pelatihan", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def add_training(member_id: int):
    person = service.get_member(member_id)
    form = TrainingForm()
    try:
        service.add_training(
            person,
            name=form.name.data,
            organizer=form.organizer.data,
            started_on=form.started_on.data,
            ended_on=form.ended_on.data,
            certificate_number=form.certificate_number.data,
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("tagana.member", member_id=person.id) + "#pelatihan")
    db.session.commit()
    flash("Pelatihan tercatat.", "success")
    return redirect(url_for("tagana.member", member_id=person.id) + "#pelatihan")


@bp.route("/pelatihan/<int:training_id>/hapus", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def delete_training(training_id: int):
    training = service.get_training(training_id)
    member_id = training.member_id
    service.delete_training(training)
    db.session.commit()
    flash("Pelatihan dihapus.", "success")
    return redirect(url_for("tagana.member", member_id=member_id) + "#pelatihan")


@bp.route("/anggota/impor", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def import_members_page():
    form = MemberImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        name = secure_filename(upload.filename or "anggota.xlsx") or "anggota.xlsx"
        try:
            report = import_members(upload.read(), source_name=name, dry_run=form.dry_run.data)
        except DomainError as exc:
            attach_error(form, exc, "file")
            status = exc.status
        else:
            if report.applied:
                db.session.commit()
                flash(
                    f"{report.members_imported} anggota dan {report.trainings_imported} "
                    "pelatihan diimpor.",
                    "success",
                )
            else:
                db.session.rollback()
                status = 422 if report.errors else 200
    elif request.method == "POST":
        status = 422
    return render_template("tagana/member_import.html", form=form, report=report), status


@bp.route("/anggota/impor/templat.xlsx")
@roles_required(*OFFICE_ROLES)
def import_template():
    return Response(
        member_template(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="templat-anggota-tagana.xlsx"'},
    )


# --- Deployments ----------------------------------------------------------------------------------

DEPLOYMENT_HEADERS = [
    "ID",
    "Kejadian",
    "NIA",
    "Nama",
    "Telepon",
    "Jenis tempat",
    "Tempat",
    "Peran",
    "Nomor surat tugas",
    "Mulai",
    "Selesai",
    "Check-in",
    "Check-out",
    "Status",
    "Kendaraan",
    "Hari-orang",
]


def _deployment_rows(deployments: list[tuple[Deployment, Event]]):
    names = service.place_names(d for d, _e in deployments)
    plates = dict(db.session.execute(select(Vehicle.id, Vehicle.plate)).all())
    for d, event in deployments:
        yield [
            d.id,
            event.code,
            d.member.nia,
            d.member.name,
            d.member.phone,
            PLACE_KINDS[d.place_kind],
            service.place_label(d, names),
            d.role,
            d.letter_number,
            _when(d.starts_at),
            _when(d.ends_at),
            _when(d.checked_in_at),
            _when(d.checked_out_at),
            service.PHASES[service.deployment_phase(d)],
            plates.get(d.vehicle_id, ""),
            service.person_days(d),
        ]


@bp.route("/pengerahan")
@login_required
def deployments():
    filters = service.DeploymentFilters(
        event_id=request.args.get("kejadian", type=int),
        place_kind=request.args.get("jenis", ""),
        phase=request.args.get("status", ""),
        q=request.args.get("q", ""),
    )
    query = service.deployments_query(filters)
    fmt = _export_format()
    if fmt:
        rows = db.session.execute(query).all()
        return table_response("pengerahan-tagana", DEPLOYMENT_HEADERS, _deployment_rows(rows), fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "tagana/deployments.html",
        rows=rows,
        names=service.place_names(d for d, _e in rows),
        filters=filters,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        events=service.recent_events(100),
        place_kinds=PLACE_KINDS,
        phases=service.PHASES,
    )


def _deployment_form_choices(form: DeploymentForm, event: Event, deployment=None) -> None:
    members = service.member_choices(deployment.member_id if deployment else None)
    form.member_id.choices = [SelectChoice("", "— pilih anggota —")] + [
        SelectChoice(str(m.id), f"{m.name} · {m.nia} · {LEVELS[m.level]}") for m in members
    ]
    shelters = service.shelter_choices(event.id, deployment.shelter_id if deployment else None)
    form.shelter_id.choices = [SelectChoice("", "— tidak ada —")] + [
        SelectChoice(str(s.id), s.name) for s in shelters
    ]
    form.competency.choices = [SelectChoice("", "— tidak ditentukan —")] + [
        SelectChoice(c.code, c.name) for c in service.competency_choices()
    ]
    warehouses = service.warehouse_choices(deployment.warehouse_id if deployment else None)
    form.warehouse_id.choices = [SelectChoice("", "— belum terdaftar (tulis namanya) —")] + [
        SelectChoice(str(w.id), f"{w.name} · {w.code}") for w in warehouses
    ]
    vehicles = service.vehicle_choices(deployment.vehicle_id if deployment else None)
    form.vehicle_id.choices = [SelectChoice("", "— tanpa kendaraan —")] + [
        SelectChoice(str(v.id), f"{v.plate} · {v.kind}") for v in vehicles
    ]
    form.sub_kegiatan.choices = [SelectChoice("", "— tidak ditautkan —")] + [
        SelectChoice(code, label) for code, label in budget.sub_kegiatan_choices()
    ]


def _deployment_values(form: DeploymentForm) -> dict:
    return {
        "place_kind": form.place_kind.data,
        "shelter_id": form.shelter_id.data or None,
        "kelurahan_code": form.kelurahan_code.data,
        "place_name": form.place_name.data,
        # The select stays in the form (hidden) for other kinds of place.
        "warehouse_id": (form.warehouse_id.data or None)
        if form.place_kind.data == "gudang"
        else None,
        "role": form.role.data,
        "competency": form.competency.data or None,
        "letter_number": form.letter_number.data,
        "starts_at": form.starts_at.data,
        "ends_at": form.ends_at.data,
        "vehicle_id": form.vehicle_id.data or None,
        "sub_kegiatan": form.sub_kegiatan.data or None,
    }


def _render_deployment_form(form, event, deployment=None, status=200, suggestions=None):
    return render_template(
        "tagana/deployment_form.html",
        form=form,
        event=event,
        deployment=deployment,
        kelurahan=service.kelurahan_options(),
        roles=service.ROLE_SUGGESTIONS,
        suggestions=suggestions,
    ), status


@bp.route("/kejadian/<int:event_id>/tugaskan", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def new_deployment(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = DeploymentForm()
    _deployment_form_choices(form, event)
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
            deployment = service.deploy_member(
                member_id=form.member_id.data or None,
                event_id=event.id,
                created_by_id=current_user.id,
                **_deployment_values(form),
            )
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "member_id")
            return _render_deployment_form(form, event, status=exc.status)
        db.session.commit()
        flash(
            f"{deployment.member.name} ditugaskan ke {service.place_label(deployment)}.",
            "success",
        )
        return redirect(url_for("tagana.board", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return _render_deployment_form(form, event, status=status)


@bp.route("/pengerahan/<int:deployment_id>/ubah", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def edit_deployment(deployment_id: int):
    deployment = service.get_deployment(deployment_id)
    event = db.session.get(Event, deployment.event_id)
    form = DeploymentForm()
    _deployment_form_choices(form, event, deployment)
    if request.method == "GET":
        form.member_id.data = str(deployment.member_id)
        form.place_kind.data = deployment.place_kind
        form.shelter_id.data = str(deployment.shelter_id or "")
        form.kelurahan_code.data = deployment.kelurahan_code or ""
        form.place_name.data = deployment.place_name
        form.warehouse_id.data = str(deployment.warehouse_id or "")
        form.role.data = deployment.role
        competency = next(
            (c for c in service.competency_choices() if c.id == deployment.competency_id), None
        )
        form.competency.data = competency.code if competency else ""
        form.letter_number.data = deployment.letter_number
        form.starts_at.data = local_input_value(deployment.starts_at)
        form.ends_at.data = local_input_value(deployment.ends_at)
        form.vehicle_id.data = str(deployment.vehicle_id or "")
        form.sub_kegiatan.data = sub_kegiatan_code(deployment.sub_kegiatan_id) or ""
    if form.validate_on_submit():
        try:
            service.update_deployment(deployment, **_deployment_values(form))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "role")
            return _render_deployment_form(form, event, deployment, exc.status)
        db.session.commit()
        flash("Perubahan penugasan tersimpan.", "success")
        return redirect(url_for("tagana.deployment", deployment_id=deployment.id))
    status = 422 if request.method == "POST" else 200
    return _render_deployment_form(form, event, deployment, status)


@bp.route("/pengerahan/<int:deployment_id>")
@login_required
def deployment(deployment_id: int):
    item = service.get_deployment(deployment_id)
    event = db.session.get(Event, item.event_id)
    vehicle = db.session.get(Vehicle, item.vehicle_id) if item.vehicle_id else None
    sub_kegiatan = (
        db.session.get(BudgetNode, item.sub_kegiatan_id) if item.sub_kegiatan_id else None
    )
    report = service.get_report(item)
    may_act = False
    if current_user.role in WRITER_ROLES:
        try:
            service.require_actor(item, _actor(), "mengubah")
            may_act = True
        except DomainError:
            may_act = False
    return render_template(
        "tagana/deployment.html",
        d=item,
        event=event,
        vehicle=vehicle,
        sub_kegiatan=sub_kegiatan,
        report=report,
        phase=service.deployment_phase(item),
        phases=service.PHASES,
        label=service.place_label(item),
        may_act=may_act,
        check_form=CheckForm(),
        cancel_form=CancelForm(),
        person_days=service.person_days(item),
    )


@bp.route("/pengerahan/<int:deployment_id>/check-in", methods=["POST"])
@roles_required(*WRITER_ROLES)
def check_in(deployment_id: int):
    item = service.get_deployment(deployment_id)
    form = CheckForm()
    try:
        service.check_in(item, _actor(), lat=form.lat.data or None, lng=form.lng.data or None)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))
    db.session.commit()
    where = " dengan lokasi" if item.check_in_lat is not None else ""
    flash(f"Check-in tercatat {_when(item.checked_in_at)}{where}. Selamat bertugas.", "success")
    return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))


@bp.route("/pengerahan/<int:deployment_id>/check-out", methods=["POST"])
@roles_required(*WRITER_ROLES)
def check_out(deployment_id: int):
    item = service.get_deployment(deployment_id)
    try:
        service.check_out(item, _actor())
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "danger")
        return _local_redirect(url_for("tagana.deployment", deployment_id=item.id))
    db.session.commit()
    flash(
        f"Check-out tercatat {_when(item.checked_out_at)}. Isi laporan pelaksanaan tugas.",
        "success",
    )
    return redirect(url_for("tagana.report", deployment_id=item.id))


@bp.route("/pengerahan/<int:deployment_id>/batal", methods=["POST"])
@roles_required(*WRITER_ROLES)
def cancel(deployment_id: int):
    item = service.get_deployment(deployment_id)
    form = CancelForm()
    try:
        service.cancel_deployment(item, reason=form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("tagana.deployment", deployment_id=item.id))
    db.session.commit()
    flash("Penugasan dibatalkan.", "success")
    return redirect(url_for("tagana.board", event_id=item.event_id))


@bp.route("/pengerahan/<int:deployment_id>/laporan", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def report(deployment_id: int):
    item = service.get_deployment(deployment_id)
    # Refuse someone else's deployment before showing the form, not only when it is sent.
    service.require_actor(item, _actor(), "melaporkan")
    existing = service.get_report(item)
    if existing is not None:
        flash("Laporan penugasan ini sudah dikirim.", "info")
        return redirect(url_for("tagana.deployment", deployment_id=item.id))
    form = TaskReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.submit_task_report(
                item,
                _actor(),
                activities=form.activities.data,
                people_served=form.people_served.data,
                problems=form.problems.data,
            )
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "activities")
            status = exc.status
        else:
            db.session.commit()
            flash("Laporan pelaksanaan tugas terkirim. Terima kasih.", "success")
            return redirect(url_for("tagana.deployment", deployment_id=item.id))
    elif request.method == "POST":
        status = 422
    event = db.session.get(Event, item.event_id)
    return render_template(
        "tagana/report_form.html",
        form=form,
        d=item,
        event=event,
        label=service.place_label(item),
    ), status


@bp.route("/pengerahan/<int:deployment_id>/laporan.pdf")
@login_required
def report_pdf(deployment_id: int):
    item = service.get_deployment(deployment_id)
    found = service.get_report(item)
    if found is None:
        raise NotFound("Laporan pelaksanaan tugas penugasan ini belum dikirim.")
    event = db.session.get(Event, item.event_id)
    vehicle = db.session.get(Vehicle, item.vehicle_id) if item.vehicle_id else None
    reporter = db.session.get(User, found.submitted_by_id) if found.submitted_by_id else None
    html = render_template(
        "tagana/report_pdf.html",
        d=item,
        report=found,
        event=event,
        vehicle=vehicle,
        reporter=reporter,
        label=service.place_label(item),
        level=LEVELS[item.member.level],
        person_days=service.person_days(item),
        printed_on=tanggal(office_date(utcnow())),
    )
    pdf = service.html_to_pdf(html, base_url=request.url_root)
    filename = f"laporan-tugas-{item.id}-{secure_filename(item.member.nia) or 'anggota'}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- Roster board ---------------------------------------------------------------------------------

BOARD_HEADERS = [
    "Tempat",
    "Jenis tempat",
    "Nama",
    "NIA",
    "Telepon",
    "Peran",
    "Status",
    "Mulai",
    "Selesai",
    "Check-in",
    "Check-out",
    "Kendaraan",
    "Nomor surat tugas",
]


@bp.route("/kejadian/<int:event_id>/papan")
@login_required
def board(event_id: int):
    roster = service.roster_board(event_id)
    show = request.args.get("tampil", "")
    if show not in service.PHASES:
        show = ""
    fmt = _export_format()
    if fmt:
        entries = [e for e in roster.entries if not show or e.phase == show]
        rows = (
            [
                e.place_label,
                PLACE_KINDS[e.deployment.place_kind],
                e.member.name,
                e.member.nia,
                e.member.phone,
                e.deployment.role,
                e.phase_label,
                _when(e.deployment.starts_at),
                _when(e.deployment.ends_at),
                _when(e.deployment.checked_in_at),
                _when(e.deployment.checked_out_at),
                e.vehicle_plate,
                e.deployment.letter_number,
            ]
            for e in sorted(entries, key=lambda e: (e.place_label, e.member.name))
        )
        return table_response(f"papan-tagana-{roster.event.code}", BOARD_HEADERS, rows, fmt)
    places = service.board_map_places(
        roster, lambda deployment_id: url_for("tagana.deployment", deployment_id=deployment_id)
    )
    fmap = deployment_map(places)
    use_local_assets(fmap)
    return render_template(
        "tagana/board.html",
        board=roster,
        show=show,
        phases=service.PHASES,
        map=render_map_html(fmap),
        located=len(places),
        state_colours=STATE_COLOURS,
        state_labels=STATE_LABELS,
        place_competency=service.PLACE_COMPETENCY,
    )


# --- Kampung Siaga Bencana ------------------------------------------------------------------------

KSB_HEADERS = [
    "Nama KSB",
    "Kode kelurahan",
    "Kelurahan/desa",
    "Tahun terbentuk",
    "Tahun pembinaan",
    "Nomor SK",
    "Kontak",
    "Telepon",
    "Lumbung sosial",
    "Kode gudang",
    "Aktif",
]


@bp.route("/ksb")
@login_required
def ksb_list():
    query = service.ksb_query(request.args.get("kecamatan", ""), request.args.get("q", ""))
    items = list(db.session.scalars(query))
    names = service.area_names(k.kelurahan_code for k in items)
    warehouses = service.ksb_warehouses(items)
    fmt = _export_format()
    if fmt:
        rows = (
            [
                k.name,
                k.kelurahan_code,
                names.get(k.kelurahan_code, ""),
                k.formed_year,
                ", ".join(str(y) for y in k.facilitation_years or []),
                k.decree_number,
                k.contact_name,
                k.contact_phone,
                warehouses[k.warehouse_id].name if k.warehouse_id in warehouses else "",
                warehouses[k.warehouse_id].code if k.warehouse_id in warehouses else "",
                "ya" if k.active else "tidak",
            ]
            for k in items
        )
        return table_response("kampung-siaga-bencana", KSB_HEADERS, rows, fmt)
    return render_template(
        "tagana/ksb.html",
        items=items,
        names=names,
        warehouses=warehouses,
        kecamatan=service.kecamatan_options(),
    )


def _ksb_values(form: KsbForm) -> dict:
    return {
        "name": form.name.data,
        "kelurahan_code": form.kelurahan_code.data,
        "formed_year": form.formed_year.data,
        "facilitation_years": form.facilitation_years.data,
        "decree_number": form.decree_number.data,
        "contact_name": form.contact_name.data,
        "contact_phone": form.contact_phone.data,
        "warehouse_id": form.warehouse_id.data or None,
        "active": form.active.data,
    }


def _ksb_form_choices(form: KsbForm, ksb) -> None:
    form.warehouse_id.choices = [SelectChoice("", "— belum ditautkan —")] + [
        SelectChoice(str(w.id), f"{w.name} · {w.code}" + ("" if w.active else " (tidak aktif)"))
        for w in service.lumbung_choices(ksb)
    ]


def _render_ksb_form(form, ksb, status=200):
    return render_template(
        "tagana/ksb_form.html",
        form=form,
        ksb=ksb,
        kelurahan=service.kelurahan_options(),
        lumbung_count=len(form.warehouse_id.choices) - 1,
    ), status


@bp.route("/ksb/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_ksb():
    form = KsbForm()
    _ksb_form_choices(form, None)
    if form.validate_on_submit():
        try:
            service.register_ksb(**_ksb_values(form))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "name")
            return _render_ksb_form(form, None, exc.status)
        db.session.commit()
        flash("Kampung Siaga Bencana tersimpan.", "success")
        return redirect(url_for("tagana.ksb_list"))
    return _render_ksb_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/ksb/<int:ksb_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_ksb(ksb_id: int):
    ksb = service.get_ksb(ksb_id)
    form = KsbForm(obj=ksb if request.method == "GET" else None)
    _ksb_form_choices(form, ksb)
    if request.method == "GET":
        form.facilitation_years.data = ", ".join(str(y) for y in ksb.facilitation_years or [])
        form.warehouse_id.data = str(ksb.warehouse_id or "")
    if form.validate_on_submit():
        try:
            service.update_ksb(ksb, **_ksb_values(form))
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "name")
            return _render_ksb_form(form, ksb, exc.status)
        db.session.commit()
        flash("Perubahan KSB tersimpan.", "success")
        return redirect(url_for("tagana.ksb_list"))
    return _render_ksb_form(form, ksb, 422 if request.method == "POST" else 200)


# --- Vehicles -------------------------------------------------------------------------------------


@bp.route("/kendaraan")
@login_required
def vehicles():
    query = service.vehicles_query(request.args.get("q", ""), request.args.get("aktif", ""))
    items = list(db.session.scalars(query))
    fmt = _export_format()
    if fmt:
        rows = ([v.plate, v.kind, v.assigned_unit, "ya" if v.active else "tidak"] for v in items)
        return table_response(
            "kendaraan", ["Nomor polisi", "Jenis", "Unit pemegang", "Aktif"], rows, fmt
        )
    return render_template("tagana/vehicles.html", items=items)


def _render_vehicle_form(form, vehicle, status=200):
    return render_template(
        "tagana/vehicle_form.html", form=form, vehicle=vehicle, kinds=service.VEHICLE_KINDS
    ), status


@bp.route("/kendaraan/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def new_vehicle():
    form = VehicleForm()
    if form.validate_on_submit():
        try:
            service.register_vehicle(
                plate=form.plate.data,
                kind=form.kind.data,
                assigned_unit=form.assigned_unit.data,
                active=form.active.data,
            )
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "plate")
            return _render_vehicle_form(form, None, exc.status)
        db.session.commit()
        flash("Kendaraan tersimpan.", "success")
        return redirect(url_for("tagana.vehicles"))
    return _render_vehicle_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/kendaraan/<int:vehicle_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_vehicle(vehicle_id: int):
    vehicle = service.get_vehicle(vehicle_id)
    form = VehicleForm(obj=vehicle if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.update_vehicle(
                vehicle,
                plate=form.plate.data,
                kind=form.kind.data,
                assigned_unit=form.assigned_unit.data,
                active=form.active.data,
            )
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc, "plate")
            return _render_vehicle_form(form, vehicle, exc.status)
        db.session.commit()
        flash("Perubahan kendaraan tersimpan.", "success")
        return redirect(url_for("tagana.vehicles"))
    return _render_vehicle_form(form, vehicle, 422 if request.method == "POST" else 200)


# --- Year figures ---------------------------------------------------------------------------------


@bp.route("/rekap")
@login_required
def figures():
    this_year = office_date(utcnow()).year
    year = request.args.get("tahun", this_year, type=int)
    result = service.year_figures(year)
    fmt = _export_format()
    if fmt:
        table = request.args.get("tabel", "ringkasan")
        if table == "anggota":
            rows = [[r.label, r.men, r.women, r.total] for r in result.levels]
            rows.append(["Jumlah", result.men, result.women, result.members_total])
            headers = ["Tingkat", "Laki-laki", "Perempuan", "Jumlah"]
        elif table == "kejadian":
            rows = [
                [e.code, e.title, e.deployments, e.members, e.person_days] for e in result.events
            ]
            rows.append(
                ["Jumlah", "", result.deployments, result.deployed_members, result.person_days]
            )
            headers = ["Kode kejadian", "Kejadian", "Penugasan", "Anggota", "Hari-orang"]
        else:
            table = "ringkasan"
            rows = [[label, value] for label, value in result.summary_rows()]
            headers = ["Uraian", f"Tahun {year}"]
        return table_response(f"rekap-tagana-{year}-{table}", headers, rows, fmt)
    return render_template(
        "tagana/figures.html",
        figures=result,
        year=year,
        years=list(range(this_year, this_year - 6, -1)),
    )
