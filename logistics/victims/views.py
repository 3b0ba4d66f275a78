"""Victim registry pages: list, households, persons, field registration, institutions,
duplicates and bulk import."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.core import jobs
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.demography import age_years
from logistics.core.errors import Collector, DomainError
from logistics.core.exports import XLSX_MIME, table_response
from logistics.core.forms import attach_error, submit
from logistics.core.job_models import JobRecord
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.privacy import mask_nik
from logistics.core.queue import VICTIM_IMPORT, VICTIM_IMPORT_DRY_RUN
from logistics.core.security import (
    reads_only,
    require_writable,
    roles_required,
    user_scope,
)
from logistics.core.time import office_today
from logistics.core.uploads import upload_available
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.events.models import PEOPLE_STATUSES, SEXES
from logistics.events.services import get_event
from logistics.victims import import_cells, import_templates
from logistics.victims import imports as victim_import
from logistics.victims.access import require_own_household
from logistics.victims.duplicates import likely_duplicates, merge_persons
from logistics.victims.forms import (
    HouseholdForm,
    ImportForm,
    InstitutionForm,
    MemberForm,
    MergeForm,
    PersonEditForm,
    VictimStatusForm,
    event_choices,
    new_client_id,
    shelter_choices,
)
from logistics.victims.lists import (
    VULNERABLE_GROUPS,
    VictimFilters,
    find_event,
    has_head,
    household_members,
    institution_rows,
    institutions_query,
    kelurahan_names,
    merged_from,
    person_history,
    shelter_names,
    survivor_of,
    victim_rows,
    victim_totals,
    victims_query,
    vulnerable_groups,
)
from logistics.victims.models import (
    INSTITUTION_KINDS,
    NO_NIK_REASONS,
    RELATIONS,
    Household,
    Person,
)
from logistics.victims.persons import PersonInput
from logistics.victims.services import (
    check_household,
    get_household,
    get_person,
    get_victim,
    register_household,
    register_institution,
    register_victim,
    update_person,
    update_victim,
)

bp = Blueprint("victims", __name__, url_prefix="/korban")
PAGE_SIZE = 50
DUPLICATES_PAGE = 100
# Roles that may see a whole NIK (UU 27/2022 PDP: only those who need it; every look is logged).
NIK_ROLES = OFFICE_ROLES


def can_see_nik() -> bool:
    return current_user.is_authenticated and current_user.role in NIK_ROLES


def shown_number(value: str | None, full: bool) -> str:
    return (value or "") if full else mask_nik(value)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


# --- list ---------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "Kejadian",
    "Nama",
    "NIK",
    "Alasan tanpa NIK",
    "Nomor KK",
    "Jenis kelamin",
    "Tanggal lahir",
    "Kelompok umur",
    "Kelompok rentan",
    "Hubungan",
    "Status",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Tempat pengungsian",
    "Didaftarkan (UTC)",
]


def _filters() -> VictimFilters:
    return VictimFilters(
        event_id=_int_arg("kejadian"),
        kelurahan_code=request.args.get("kelurahan", "").strip() or None,
        status=request.args.get("status", "").strip() or None,
        group=request.args.get("rentan", "").strip() or None,
        text=request.args.get("q", "").strip() or None,
        scope=user_scope(),
    )


def _export(query, fmt: str) -> Response:
    full = can_see_nik()
    today = office_today()
    names = kelurahan_names()
    shelters = shelter_names()
    rows = victim_rows(query)
    if full:
        with transaction():
            record_action(
                "view_nik",
                "persons",
                None,
                {"export": fmt, "rows": len(rows), "filters": dict(request.args)},
            )
    table = []
    for victim, person, household, event in rows:
        groups = vulnerable_groups(person, today)
        age = next((g for g in ("anak", "lansia") if g in groups), None)
        table.append(
            [
                event.code,
                person.name,
                shown_number(person.nik, full),
                NO_NIK_REASONS.get(person.no_nik_reason or "", ""),
                shown_number(household.no_kk if household else None, full),
                person.sex,
                person.birth_date.isoformat() if person.birth_date else "",
                (age or "dewasa") if person.birth_date else "",
                ", ".join(VULNERABLE_GROUPS[g] for g in groups),
                RELATIONS.get(person.relation, person.relation),
                PEOPLE_STATUSES[victim.status],
                victim.kelurahan_code,
                names.get(victim.kelurahan_code, ""),
                shelters.get(victim.shelter_id, ""),
                victim.registered_at.isoformat(sep=" ", timespec="seconds"),
            ]
        )
    return table_response("daftar-korban", EXPORT_HEADERS, table, fmt)


@bp.route("/")
@login_required
def index():
    filters = _filters()
    try:
        query = victims_query(filters)
    except DomainError as exc:
        flash(exc.message, "warning")
        filters = VictimFilters(event_id=filters.event_id, scope=filters.scope)
        query = victims_query(filters)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(query, fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total, persons, households = victim_totals(query)
    rows = victim_rows(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    today = office_today()
    return render_template(
        "victims/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        events=event_choices("Semua kejadian"),
        statuses=PEOPLE_STATUSES,
        groups=VULNERABLE_GROUPS,
        names=kelurahan_names(),
        today=today,
        vulnerable_groups=vulnerable_groups,
        age_years=age_years,
        mask_nik=mask_nik,
        persons=persons,
        households=households,
    )


# --- persons and households -----------------------------------------------------------------------


def _person_page(person: Person, full_nik: bool = False, status: int = 200, refused=None):
    """The person's page; `refused` is (victim id, its status form) after a refused change,
    shown open with its errors while the other events' forms show what is stored."""
    today = office_today()
    history = person_history(person)
    status_forms = {}
    if current_user.role in WRITER_ROLES:
        for victim, event in history:
            if refused is not None and refused[0] == victim.id:
                status_forms[victim.id] = refused[1]
                continue
            form = VictimStatusForm(formdata=None, prefix=f"v{victim.id}", obj=victim)
            form.shelter_id.choices = shelter_choices(event.id)
            form.shelter_id.data = str(victim.shelter_id or "")
            status_forms[victim.id] = form
    return render_template(
        "victims/person.html",
        person=person,
        household=person.household,
        history=history,
        merged=merged_from(person),
        survivor=survivor_of(person),
        groups=[VULNERABLE_GROUPS[g] for g in vulnerable_groups(person, today)],
        full_nik=full_nik,
        can_see_nik=can_see_nik(),
        status_forms=status_forms,
        refused_id=refused[0] if refused is not None else None,
        names=kelurahan_names(),
        shelters=shelter_names(),
        relations=RELATIONS,
        reasons=NO_NIK_REASONS,
        sexes=SEXES,
        statuses=PEOPLE_STATUSES,
        mask_nik=mask_nik,
    ), status


@bp.route("/orang/<int:person_id>")
@login_required
def person(person_id: int):
    return _person_page(get_person(person_id))


@bp.route("/orang/<int:person_id>/nik", methods=["POST"])
@reads_only
@roles_required(*NIK_ROLES)
def reveal_nik(person_id: int):
    """Show the whole NIK once, to a role that may see it, and log that it was seen."""
    person = get_person(person_id)
    with transaction():
        record_action("view_nik", "persons", person.id, {"page": "orang"})
    response, status = _person_page(person, full_nik=True)
    # Never cached: the page holds a whole NIK.
    return response, status, {"Cache-Control": "no-store"}


def _person_input(form) -> PersonInput:
    return PersonInput(
        name=form.name.data or "",
        nik=(form.nik.data or "").strip() or None,
        no_nik_reason=form.no_nik_reason.data or None,
        sex=form.sex.data or None,
        birth_date=form.birth_date.data,
        relation=form.relation.data or "lainnya",
        pregnant=form.pregnant.data,
        breastfeeding=form.breastfeeding.data,
        disability=form.disability.data,
        chronic_illness=form.chronic_illness.data,
    )


@bp.route("/orang/<int:person_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def edit_person(person_id: int):
    person = get_person(person_id)
    form = PersonEditForm(obj=person)
    if request.method == "GET":
        # The edit form never pre-fills a whole NIK; leaving it empty keeps the stored one.
        form.nik.data = ""
        form.no_nik_reason.data = person.no_nik_reason or ""
        form.sex.data = person.sex
    outcome = submit(
        form, lambda: update_person(person, **_person_changes(form, person)), fallback="name"
    )
    if outcome.done:
        flash("Data orang disimpan.", "success")
        return redirect(url_for("victims.person", person_id=person.id))
    return render_template(
        "victims/person_form.html", form=form, person=person, mask_nik=mask_nik
    ), outcome.status


def _person_changes(form: PersonEditForm, person: Person) -> dict:
    """What the edit form changes: a blank NIK, sex or birth date keeps the stored one."""
    data = _person_input(form)
    changes = {
        "name": data.name,
        "relation": data.relation,
        "pregnant": data.pregnant,
        "breastfeeding": data.breastfeeding,
        "disability": data.disability,
        "chronic_illness": data.chronic_illness,
    }
    if data.nik:
        changes["nik"] = data.nik
    elif not person.nik:
        changes["no_nik_reason"] = data.no_nik_reason
    if data.sex:
        changes["sex"] = data.sex
    if data.birth_date:
        changes["birth_date"] = data.birth_date
    return changes


@bp.route("/data/<int:victim_id>/status", methods=["POST"])
@roles_required(*WRITER_ROLES)
def victim_status(victim_id: int):
    victim = get_victim(victim_id)
    form = VictimStatusForm(prefix=f"v{victim.id}")
    form.shelter_id.choices = shelter_choices(victim.event_id)

    def save():
        user_scope().require_records((form.kelurahan_code.data,))
        update_victim(
            victim,
            status=form.status.data,
            kelurahan_code=form.kelurahan_code.data,
            shelter_id=form.shelter_id.data or None,
            note=form.note.data or "",
        )

    outcome = submit(form, save, fallback="status")
    if outcome.done:
        flash("Status korban disimpan.", "success")
        return redirect(url_for("victims.person", person_id=victim.person_id))
    person = get_person(victim.person_id)
    return _person_page(person, status=outcome.status, refused=(victim.id, form))


@bp.route("/kk/<int:household_id>")
@login_required
def household(household_id: int):
    household = get_household(household_id)
    members = household_members(household)
    histories = {m.id: person_history(m) for m in members}
    return render_template(
        "victims/household.html",
        trail=breadcrumbs(
            crumb("Korban", "victims.index"), crumb(f"Keluarga {household.head_name}".strip())
        ),
        household=household,
        members=members,
        histories=histories,
        events=event_choices(),
        today=office_today(),
        groups=VULNERABLE_GROUPS,
        vulnerable_groups=vulnerable_groups,
        names=kelurahan_names(),
        relations=RELATIONS,
        statuses=PEOPLE_STATUSES,
        mask_nik=mask_nik,
    )


# --- field registration ---------------------------------------------------------------------------


# A new household waits here between step 1 and its first member, so that a registration given
# up after step 1 leaves no empty household behind (an existing KK is simply reused).
DRAFT_KEY = "household_draft"


@bp.route("/daftar", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def register():
    """Step 1: event, kelurahan and family card; then one member per screen."""
    form = HouseholdForm()
    form.event_id.choices = event_choices("Pilih kejadian")
    selected_event = _int_arg("kejadian") or (
        int(form.event_id.data) if (form.event_id.data or "").isdigit() else None
    )
    form.shelter_id.choices = shelter_choices(selected_event)
    if request.method == "GET" and selected_event:
        form.event_id.data = str(selected_event)
    if request.method == "POST":
        outcome = submit(form, lambda: _household_step(form), fallback="no_kk")
        if not outcome.done:
            return render_template("victims/register.html", form=form), outcome.status
        event, draft, existing = outcome.result
        args = {
            "kejadian": event.id,
            "status": form.status.data,
            "kelurahan": form.kelurahan_code.data,
            "pengungsian": form.shelter_id.data or None,
        }
        if existing is None:
            session[DRAFT_KEY] = draft
            return redirect(url_for("victims.first_member", **args))
        flash("Nomor KK ini sudah terdaftar; anggota baru ditambahkan ke keluarga itu.", "info")
        return redirect(url_for("victims.add_member", household_id=existing.id, **args))
    status = 422 if request.method == "POST" else 200
    return render_template("victims/register.html", form=form), status


def _household_step(form: HouseholdForm):
    """(event, the household's clean values, the household with that KK if there is one);
    an existing household gets the blanks it lacked filled in."""
    given = {
        "no_kk": form.no_kk.data,
        "head_name": form.head_name.data or "",
        "address": form.address.data or "",
        "rt": form.rt.data or "",
        "rw": form.rw.data or "",
        "kelurahan_code": form.kelurahan_code.data,
    }
    user_scope().require_records((form.kelurahan_code.data,))
    errors = Collector()
    event_id = form.event_id.data or ""
    event = errors.check(_chosen_event, event_id) if event_id.isdigit() else None
    draft, existing = errors.check(check_household, **given) or (None, None)
    errors.raise_any()
    if existing is not None:
        require_own_household(existing.id)
        register_household(**given)
    return event, draft, existing


def _chosen_event(event_id: str):
    """The event picked in step 1; one that is gone is named beside the choice."""
    try:
        return get_event(int(event_id))
    except DomainError as exc:
        raise DomainError(exc.message, field="event_id") from None


@bp.route("/daftar/anggota", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def first_member():
    """Step 2 for a new household: it is written together with its first member."""
    draft = session.get(DRAFT_KEY)
    if not draft:
        flash("Isi data keluarga terlebih dahulu.", "warning")
        return redirect(url_for("victims.register", kejadian=_int_arg("kejadian")))
    return _member_step(None, draft)


@bp.route("/kk/<int:household_id>/anggota", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def add_member(household_id: int):
    """One member per screen; the hidden client_id makes a double tap or a resend save once."""
    return _member_step(get_household(household_id), None)


def _member_step(household: Household | None, draft: dict | None):
    event_id = _int_arg("kejadian")
    if event_id is None:
        flash("Pilih kejadian bencana terlebih dahulu.", "warning")
        if household is None:
            return redirect(url_for("victims.register"))
        return redirect(url_for("victims.household", household_id=household.id))
    event = get_event(event_id)
    kelurahan_code = (
        request.args.get("kelurahan")
        or (household.kelurahan_code if household else draft["kelurahan_code"])
        or ""
    )
    shelter_id = _int_arg("pengungsian")
    form = MemberForm()
    if request.method == "GET":
        form.status.data = request.args.get("status") or "mengungsi"
        form.client_id.data = new_client_id()
        form.relation.data = "anak" if household and has_head(household) else "kepala_keluarga"
    members = household_members(household, head_first=False) if household else []
    context = {
        "form": form,
        "household": household,
        "event": event,
        "members": members,
        "kelurahan_name": kelurahan_names().get(kelurahan_code, kelurahan_code),
        "mask_nik": mask_nik,
        "relations": RELATIONS,
    }
    if request.method != "POST":
        return render_template("victims/member.html", **context)

    def save():
        user_scope().require_records((kelurahan_code,))
        # Written only after the resend check, so a resent first member adds no household.
        victim, created = register_victim(
            event,
            _person_input(form),
            status=form.status.data,
            kelurahan_code=kelurahan_code,
            shelter_id=shelter_id,
            client_id=form.client_id.data or None,
            household=household,
            household_data=draft,
            registered_by_id=current_user.id,
        )
        return victim.person.name, victim.person.household_id, created

    outcome = submit(form, save, fallback="name")
    if outcome.done:
        name, household_id, created = outcome.result
        session.pop(DRAFT_KEY, None)
        flash(
            f"{name} tersimpan sebagai korban."
            if created
            else f"{name} sudah tersimpan sebelumnya.",
            "success",
        )
        return redirect(url_for("victims.add_member", household_id=household_id, **request.args))
    return render_template("victims/member.html", **context), outcome.status


# --- institutions ---------------------------------------------------------------------------------


@bp.route("/lembaga")
@login_required
def institutions():
    query = institutions_query(
        event_id=_int_arg("kejadian"),
        kind=request.args.get("jenis", "").strip(),
        text=request.args.get("q", "").strip(),
        scope=user_scope(),
    )
    names = kelurahan_names()
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        rows = (
            [
                event.code,
                record.name,
                INSTITUTION_KINDS[record.kind],
                record.headcount,
                PEOPLE_STATUSES[record.status],
                record.kelurahan_code,
                names.get(record.kelurahan_code, ""),
                record.address,
                record.contact,
            ]
            for record, event in institution_rows(query)
        )
        headers = ["Kejadian", "Lembaga", "Jenis", "Jumlah jiwa", "Status", AREA_CODE_HEADER,
                   AREA_HEADER, "Alamat", "Narahubung"]  # fmt: skip
        return table_response("korban-lembaga", headers, rows, fmt)
    rows = institution_rows(query, limit=500)
    return render_template(
        "victims/institutions.html",
        rows=rows,
        events=event_choices("Semua kejadian"),
        kinds=INSTITUTION_KINDS,
        statuses=PEOPLE_STATUSES,
        names=names,
        total_people=sum(record.headcount for record, _ in rows),
    )


@bp.route("/lembaga/baru", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def new_institution():
    form = InstitutionForm()
    form.event_id.choices = event_choices("Pilih kejadian")
    form.shelter_id.choices = shelter_choices()
    if request.method == "GET":
        form.client_id.data = new_client_id()
        if _int_arg("kejadian"):
            form.event_id.data = str(_int_arg("kejadian"))
    if request.method == "POST":
        outcome = submit(form, lambda: _register_institution(form), fallback="name")
        if outcome.done:
            record, created = outcome.result
            flash(
                f"Lembaga {record.name} tersimpan ({record.headcount} jiwa)."
                if created
                else f"Lembaga {record.name} sudah tersimpan sebelumnya.",
                "success",
            )
            return redirect(url_for("victims.institutions", kejadian=record.event_id))
        return render_template("victims/institution_form.html", form=form), outcome.status
    return render_template("victims/institution_form.html", form=form)


def _register_institution(form: InstitutionForm):
    return register_institution(
        form.event_id.data,
        name=form.name.data,
        kind=form.kind.data,
        kelurahan_code=form.kelurahan_code.data,
        headcount=form.headcount.data,
        status=form.status.data,
        shelter_id=form.shelter_id.data or None,
        address=form.address.data or "",
        contact=form.contact.data or "",
        client_id=form.client_id.data or None,
    )


# --- duplicates -----------------------------------------------------------------------------------


@bp.route("/duplikat")
@roles_required(*OFFICE_ROLES)
def duplicates():
    pairs = likely_duplicates(limit=DUPLICATES_PAGE, scope=user_scope())
    histories = {}
    for pair in pairs:
        for person in (pair.keep, pair.duplicate):
            histories.setdefault(person.id, person_history(person))
    return render_template(
        "victims/duplicates.html",
        pairs=pairs,
        histories=histories,
        form=MergeForm(),
        mask_nik=mask_nik,
        relations=RELATIONS,
        statuses=PEOPLE_STATUSES,
    )


@bp.route("/duplikat/gabung", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def merge():
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction():
            keep = get_person(int(form.keep_id.data))
            duplicate = get_person(int(form.duplicate_id.data))
            # Both rows change: the user must record in the areas of each.
            require_writable("person_id", keep.id)
            require_writable("person_id", duplicate.id)
            summary = merge_persons(keep, duplicate)
    except (DomainError, ValueError) as exc:
        flash(getattr(exc, "message", "Data penggabungan tidak valid."), "danger")
        return redirect(url_for("victims.duplicates"))
    flash(
        f"{duplicate.name} digabung ke {keep.name}: {len(summary['victims_moved'])} data kejadian "
        "dipindahkan.",
        "success",
    )
    return redirect(url_for("victims.duplicates"))


# --- bulk import ----------------------------------------------------------------------------------


@bp.route("/impor/templat.<fmt>")
@login_required
def import_template(fmt: str):
    if fmt == "xlsx":
        return Response(
            import_templates.template_workbook(),
            mimetype=XLSX_MIME,
            headers={"Content-Disposition": 'attachment; filename="templat-daftar-korban.xlsx"'},
        )
    if fmt == "csv":
        return Response(
            import_templates.template_csv(),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="templat-daftar-korban.csv"'},
        )
    abort(404)


def _start(func: str, title: str, kwargs: dict) -> JobRecord:
    record, submitted = jobs.start(func, title, kwargs, current_user.id)
    if not submitted:
        flash("Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning")
    return record


@bp.route("/impor", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def import_upload():
    form = ImportForm()
    form.event_id.choices = event_choices("Pilih kejadian")
    if request.method == "GET" and _int_arg("kejadian"):
        form.event_id.data = str(_int_arg("kejadian"))
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "daftar.xlsx").name[:120]
        try:
            event = get_event(int(form.event_id.data))
            path = victim_import.store_upload(upload, name)
        except DomainError as exc:
            attach_error(form, exc, "file")
            return render_template("victims/import_upload.html", form=form), exc.status
        record = _start(
            VICTIM_IMPORT_DRY_RUN,
            f"Periksa daftar korban: {name}",
            {
                "path": str(path),
                "event_id": event.id,
                "default_status": form.default_status.data or None,
                "source_name": name,
            },
        )
        flash("Berkas diterima. Pemeriksaan berjalan di latar belakang.", "success")
        return redirect(url_for("victims.import_job", job_id=record.id))
    status = 422 if request.method == "POST" else 200
    return render_template("victims/import_upload.html", form=form), status


def _import_record(job_id: str) -> JobRecord:
    from logistics.core.jobs import get_visible

    record = get_visible(job_id, current_user)
    if record.func not in (VICTIM_IMPORT_DRY_RUN, VICTIM_IMPORT):
        abort(404)
    return record


@bp.route("/impor/<job_id>")
@roles_required(*OFFICE_ROLES)
def import_job(job_id: str):
    record = _import_record(job_id)
    if not record.done:
        with transaction():
            jobs.reconcile([record])
    percent, message = jobs.live_progress(record)
    result = record.result or {}
    event = find_event(record.kwargs.get("event_id"))
    confirm_job = jobs.follow_up(record)
    return render_template(
        "victims/import_job.html",
        record=record,
        percent=percent,
        message=message,
        result=result,
        counts=result.get("counts", {}),
        event=event,
        is_dry_run=record.func == VICTIM_IMPORT_DRY_RUN,
        confirm_job=confirm_job,
        column_labels=import_cells.TEMPLATE_COLUMNS,
        limit=victim_import.REJECTED_IN_RECORD,
    )


@bp.route("/impor/<job_id>/konfirmasi", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def import_confirm(job_id: str):
    record = _import_record(job_id)
    if record.func != VICTIM_IMPORT_DRY_RUN or record.status != "finished":
        flash("Impor hanya dapat dikonfirmasi setelah pemeriksaan selesai.", "warning")
        return redirect(url_for("victims.import_job", job_id=record.id))
    result = record.result or {}
    existing = jobs.follow_up(record)
    if existing:
        # One confirmation per checked file: a second click shows the running import.
        return redirect(url_for("victims.import_job", job_id=existing.id))
    if not result.get("counts", {}).get("accepted"):
        flash("Tidak ada baris yang diterima; perbaiki berkas lalu unggah ulang.", "warning")
        return redirect(url_for("victims.import_job", job_id=record.id))
    kwargs = record.kwargs
    if not upload_available(kwargs["path"]):
        flash(
            "Berkas pemeriksaan ini sudah dihapus karena terlalu lama tidak dikonfirmasi; "
            "unggah ulang berkasnya.",
            "warning",
        )
        return redirect(url_for("victims.import_job", job_id=record.id))
    name = kwargs.get("source_name") or "daftar korban"
    confirm, submitted = jobs.start_follow_up(
        record,
        VICTIM_IMPORT,
        f"Impor daftar korban: {name}",
        {
            "path": kwargs["path"],
            "event_id": kwargs["event_id"],
            "default_status": kwargs.get("default_status"),
            "source_name": name,
        },
        current_user.id,
    )
    if not submitted:
        flash("Antrean belum tersedia; impor disimpan dan akan dikirim otomatis.", "warning")
    else:
        flash("Impor dikonfirmasi dan berjalan di latar belakang.", "success")
    return redirect(url_for("victims.import_job", job_id=confirm.id))


@bp.route("/impor/<job_id>/ditolak.csv")
@roles_required(*OFFICE_ROLES)
def import_rejected(job_id: str):
    record = _import_record(job_id)
    path = victim_import.rejected_report_path(record.id)
    if not record.done or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="text/csv; charset=utf-8",
        as_attachment=True,
        download_name=f"baris-ditolak-{record.id[:8]}.csv",
        max_age=0,
    )
