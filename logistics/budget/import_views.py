"""Budget plan import pages: upload, the background check and its report, confirm, template."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from logistics.admin.models import OFFICE_ROLES
from logistics.budget import imports as budget_import
from logistics.budget import services as budget
from logistics.budget.forms import BudgetImportForm
from logistics.core import inputs, jobs
from logistics.core.errors import DomainError
from logistics.core.exports import XLSX_MIME
from logistics.core.forms import attach_error
from logistics.core.job_models import JobRecord
from logistics.core.queue import BUDGET_IMPORT, BUDGET_IMPORT_DRY_RUN
from logistics.core.security import roles_required, whole_office_only
from logistics.core.time import office_today

bp = Blueprint("budget_import", __name__, url_prefix="/anggaran")
bp.before_request(whole_office_only)


def _year() -> int:
    raw = request.args.get("tahun")
    return office_today().year if inputs.is_blank(raw) else budget.fiscal_year(raw, "tahun")


@bp.route("/impor", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def upload():
    form = BudgetImportForm()
    if request.method == "GET":
        form.fiscal_year.data = str(_year())
        return render_template("budget/import.html", form=form)
    if not form.validate_on_submit():
        return render_template("budget/import.html", form=form), 422
    sent = form.file.data
    name = secure_filename(sent.filename or "anggaran.xlsx") or "anggaran.xlsx"
    try:
        # The year is checked here, so a wrong one is a form error, not a failed job.
        year = budget.fiscal_year(form.fiscal_year.data)
    except DomainError as exc:
        attach_error(form, exc, "fiscal_year")
        return render_template("budget/import.html", form=form), exc.status
    path = budget_import.store_upload(sent, name)
    # "Periksa saja" checks and waits for a confirmation; otherwise the job checks and saves
    # in one go, all or nothing, as the upload always did.
    func, title = (
        (BUDGET_IMPORT_DRY_RUN, f"Periksa rencana anggaran {year}: {name}")
        if form.dry_run.data
        else (BUDGET_IMPORT, f"Impor rencana anggaran {year}: {name}")
    )
    kwargs = {"path": str(path), "fiscal_year": year, "source_name": name}
    record, submitted = jobs.start(func, title, kwargs, current_user.id)
    if submitted:
        flash("Berkas diterima. Pemeriksaan berjalan di latar belakang.", "success")
    else:
        flash("Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning")
    return redirect(url_for("budget_import.job", job_id=record.id))


def _record(job_id: str) -> JobRecord:
    record = jobs.get_visible(job_id, current_user)
    if record.func not in (BUDGET_IMPORT_DRY_RUN, BUDGET_IMPORT):
        abort(404)
    return record


@bp.route("/impor/<job_id>")
@roles_required(*OFFICE_ROLES)
def job(job_id: str):
    state = jobs.import_job_state(_record(job_id), BUDGET_IMPORT_DRY_RUN)
    return render_template("budget/import_job.html", limit=budget_import.ERRORS_IN_RESULT, **state)


@bp.route("/impor/<job_id>/konfirmasi", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def confirm(job_id: str):
    record = _record(job_id)
    existing = jobs.follow_up(record)
    if existing:
        # One confirmation per checked file: a second click shows the running import.
        return redirect(url_for("budget_import.job", job_id=existing.id))
    refusal = jobs.confirmation_refused(record, BUDGET_IMPORT_DRY_RUN)
    if refusal:
        flash(refusal, "warning")
        return redirect(url_for("budget_import.job", job_id=record.id))
    kwargs = record.kwargs
    name = kwargs.get("source_name") or "anggaran.xlsx"
    confirm_job, submitted = jobs.start_follow_up(
        record,
        BUDGET_IMPORT,
        f"Impor rencana anggaran {kwargs['fiscal_year']}: {name}",
        {"path": kwargs["path"], "fiscal_year": kwargs["fiscal_year"], "source_name": name},
        current_user.id,
    )
    if submitted:
        flash("Impor dikonfirmasi dan berjalan di latar belakang.", "success")
    else:
        flash("Antrean belum tersedia; impor disimpan dan akan dikirim otomatis.", "warning")
    return redirect(url_for("budget_import.job", job_id=confirm_job.id))


@bp.route("/impor/templat.xlsx")
@roles_required(*OFFICE_ROLES)
def template():
    return Response(
        budget_import.plan_template(_year()),
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": 'attachment; filename="templat-anggaran.xlsx"'},
    )
