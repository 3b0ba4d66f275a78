"""The year-end report page: pick a fiscal year, preview it, generate XLSX and PDF in the background."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.budget import services as budget
from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.security import roles_required, user_scope
from logistics.core.time import default_year
from logistics.reports import year_report
from logistics.reports.office_documents import require_whole_office

bp = Blueprint("year_report", __name__, url_prefix="/laporan/tahunan")


@bp.before_request
def _whole_office_only():
    require_whole_office(user_scope())


def _year() -> int:
    raw = request.values.get("tahun")
    if raw:
        return budget.fiscal_year(raw, "tahun")
    # In January the planner reports on the year just ended.
    return default_year(year_report.years())


@bp.route("/")
@login_required
def index():
    year = _year()
    record = None
    job_id = request.args.get("job_id")
    if job_id:
        record = year_report.visible_job(job_id, current_user)
        if record is not None and record.kwargs.get("year"):
            year = int(record.kwargs["year"])
    percent, message = jobs.live_progress(record) if record is not None else (0, "")
    report = year_report.build(year)
    return render_template(
        "reports/year_report/index.html",
        year=year,
        years=sorted(set(year_report.years()) | {year}, reverse=True),
        r=report,
        preview=year_report.render_html(report, "reports/year_report/_tables.html"),
        files=year_report.latest_files(year),
        record=record,
        percent=percent,
        message=message,
        can_generate=current_user.role in year_report.GENERATOR_ROLES,
    )


@bp.route("/buat", methods=["POST"])
@roles_required(*year_report.GENERATOR_ROLES)
def generate():
    year = _year()
    with transaction():
        record = year_report.create_generation_job(year, current_user.id)
    # A second unit of work: the job is committed before it is sent, so it outlives the request.
    with transaction():
        queued = jobs.submit(record)
    if not queued:
        flash("Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning")
    return redirect(url_for("year_report.index", tahun=year, job_id=record.id))
