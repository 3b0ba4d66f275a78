"""The "Pekerjaan latar" page: every background job, its progress, result or error, and retry."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from logistics.core import jobs
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.queue import (
    SITREP_GENERATE,
    VICTIM_IMPORT,
    VICTIM_IMPORT_DRY_RUN,
    YEAR_REPORT_GENERATE,
)

bp = Blueprint("jobs", __name__, url_prefix="/pekerjaan")

# Jobs whose result has a page of its own: the jobs page links there once they finish.
RESULT_PAGES = {
    VICTIM_IMPORT_DRY_RUN: ("victims.import_job", "Lihat laporan pemeriksaan"),
    VICTIM_IMPORT: ("victims.import_job", "Lihat hasil impor"),
    SITREP_GENERATE: ("sitrep.job_result", "Lihat dan unduh laporan situasi"),
    YEAR_REPORT_GENERATE: ("year_report.index", "Lihat laporan tahunan"),
}


def visible_jobs_query():
    query = select(JobRecord).order_by(JobRecord.created_at.desc())
    if current_user.role not in ("admin", "pimpinan"):
        query = query.where(JobRecord.user_id == current_user.id)
    return query


def get_visible(job_id: str) -> JobRecord:
    record = db.session.get(JobRecord, job_id)
    if record is None:
        abort(404)
    if current_user.role not in ("admin", "pimpinan") and record.user_id != current_user.id:
        abort(404)
    return record


@bp.route("/")
@login_required
def index():
    records = list(db.session.scalars(visible_jobs_query().limit(100)))
    if jobs.reconcile([r for r in records if not r.done]):
        db.session.commit()
    progress = {r.id: jobs.live_progress(r) for r in records}
    return render_template("admin/jobs/index.html", records=records, progress=progress)


@bp.route("/<job_id>")
@login_required
def detail(job_id: str):
    record = get_visible(job_id)
    if not record.done and jobs.reconcile([record]):
        db.session.commit()
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
    record = get_visible(job_id)
    if not current_user.can_write:
        abort(403)
    jobs.retry(record)
    db.session.commit()
    if jobs.submit(record):
        flash("Pekerjaan dikirim ulang ke antrean.", "success")
    else:
        flash("Antrean belum tersedia; pekerjaan akan dikirim otomatis.", "warning")
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=record.id))
