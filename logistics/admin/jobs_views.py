"""The "Pekerjaan latar" page: every background job, its progress, result or error, and retry."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.queue import (
    BUDGET_IMPORT,
    BUDGET_IMPORT_DRY_RUN,
    SITREP_GENERATE,
    TAGANA_IMPORT,
    TAGANA_IMPORT_DRY_RUN,
    VICTIM_IMPORT,
    VICTIM_IMPORT_DRY_RUN,
    YEAR_REPORT_GENERATE,
)

bp = Blueprint("jobs", __name__, url_prefix="/pekerjaan")

# Jobs whose result has a page of its own: the jobs page links there once they finish.
RESULT_PAGES = {
    VICTIM_IMPORT_DRY_RUN: ("victims.import_job", "Lihat laporan pemeriksaan"),
    VICTIM_IMPORT: ("victims.import_job", "Lihat hasil impor"),
    TAGANA_IMPORT_DRY_RUN: ("tagana_import.job", "Lihat laporan pemeriksaan"),
    TAGANA_IMPORT: ("tagana_import.job", "Lihat hasil impor"),
    BUDGET_IMPORT_DRY_RUN: ("budget_import.job", "Lihat laporan pemeriksaan"),
    BUDGET_IMPORT: ("budget_import.job", "Lihat hasil impor"),
    SITREP_GENERATE: ("sitrep.job_result", "Lihat dan unduh laporan situasi"),
    YEAR_REPORT_GENERATE: ("year_report.index", "Lihat laporan tahunan"),
}


@bp.route("/")
@login_required
def index():
    records = jobs.visible_jobs(current_user, 100)
    unfinished = [r for r in records if not r.done]
    if unfinished:
        with transaction():
            jobs.reconcile(unfinished)
    progress = {r.id: jobs.live_progress(r) for r in records}
    return render_template("admin/jobs/index.html", records=records, progress=progress)


@bp.route("/<job_id>")
@login_required
def detail(job_id: str):
    record = jobs.get_visible(job_id, current_user)
    if not record.done:
        with transaction():
            jobs.reconcile([record])
    percent, message = jobs.live_progress(record)
    result_page = None
    if record.status == "finished" and record.func in RESULT_PAGES:
        endpoint, label = RESULT_PAGES[record.func]
        result_page = (url_for(endpoint, job_id=record.id), label)
    return render_template(
        "admin/jobs/detail.html",
        record=record,
        percent=percent,
        message=message,
        result_page=result_page,
    )


@bp.route("/<job_id>/ulangi", methods=["POST"])
@login_required
def retry(job_id: str):
    record = jobs.get_visible(job_id, current_user)
    jobs.require_may_retry(record, current_user)
    with transaction():
        jobs.retry(record)
    # Committed first: a retry is on record even when the queue cannot take it now.
    with transaction():
        queued = jobs.submit(record)
    if queued:
        flash("Pekerjaan dikirim ulang ke antrean.", "success")
    else:
        flash("Antrean belum tersedia; pekerjaan akan dikirim otomatis.", "warning")
    return redirect(url_for("jobs.detail", job_id=record.id))
