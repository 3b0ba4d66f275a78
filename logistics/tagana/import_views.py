"""Tagana member import pages: upload, the background check and its report, confirm, template."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from logistics.admin.models import OFFICE_ROLES
from logistics.core import jobs
from logistics.core.job_models import JobRecord
from logistics.core.queue import TAGANA_IMPORT, TAGANA_IMPORT_DRY_RUN
from logistics.core.security import roles_required
from logistics.tagana.forms import MemberImportForm
from logistics.tagana.imports import ERRORS_IN_RESULT, member_template, store_upload

bp = Blueprint("tagana_import", __name__, url_prefix="/tagana")


@bp.route("/anggota/impor", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def upload():
    form = MemberImportForm()
    if form.validate_on_submit():
        sent = form.file.data
        name = secure_filename(sent.filename or "anggota.xlsx") or "anggota.xlsx"
        path = store_upload(sent)
        # "Periksa saja" checks and waits for a confirmation; otherwise the job checks and
        # saves in one go, all or nothing, as the upload always did.
        func, title = (
            (TAGANA_IMPORT_DRY_RUN, f"Periksa anggota Tagana: {name}")
            if form.dry_run.data
            else (TAGANA_IMPORT, f"Impor anggota Tagana: {name}")
        )
        record, submitted = jobs.start(
            func, title, {"path": str(path), "source_name": name}, current_user.id
        )
        if submitted:
            flash("Berkas diterima. Pemeriksaan berjalan di latar belakang.", "success")
        else:
            flash(
                "Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning"
            )
        return redirect(url_for("tagana_import.job", job_id=record.id))
    status = 422 if request.method == "POST" else 200
    return render_template("tagana/member_import.html", form=form), status


def _record(job_id: str) -> JobRecord:
    record = jobs.get_visible(job_id, current_user)
    if record.func not in (TAGANA_IMPORT_DRY_RUN, TAGANA_IMPORT):
        abort(404)
    return record


@bp.route("/anggota/impor/<job_id>")
@roles_required(*OFFICE_ROLES)
def job(job_id: str):
    state = jobs.import_job_state(_record(job_id), TAGANA_IMPORT_DRY_RUN)
    return render_template("tagana/member_import_job.html", limit=ERRORS_IN_RESULT, **state)


@bp.route("/anggota/impor/<job_id>/konfirmasi", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def confirm(job_id: str):
    record = _record(job_id)
    existing = jobs.follow_up(record)
    if existing:
        # One confirmation per checked file: a second click shows the running import.
        return redirect(url_for("tagana_import.job", job_id=existing.id))
    refusal = jobs.confirmation_refused(record, TAGANA_IMPORT_DRY_RUN)
    if refusal:
        flash(refusal, "warning")
        return redirect(url_for("tagana_import.job", job_id=record.id))
    kwargs = record.kwargs
    name = kwargs.get("source_name") or "anggota.xlsx"
    confirm_job, submitted = jobs.start_follow_up(
        record,
        TAGANA_IMPORT,
        f"Impor anggota Tagana: {name}",
        {"path": kwargs["path"], "source_name": name},
        current_user.id,
    )
    if submitted:
        flash("Impor dikonfirmasi dan berjalan di latar belakang.", "success")
    else:
        flash("Antrean belum tersedia; impor disimpan dan akan dikirim otomatis.", "warning")
    return redirect(url_for("tagana_import.job", job_id=confirm_job.id))


@bp.route("/anggota/impor/templat.xlsx")
@roles_required(*OFFICE_ROLES)
def template():
    return Response(
        member_template(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="templat-anggota-tagana.xlsx"'},
    )
