"""API: the year-end report's figures as JSON, generating its files, and the latest files."""

from datetime import date, datetime
from decimal import Decimal

from flask import jsonify, url_for
from flask_login import current_user

from logistics.budget import services as budget
from logistics.core import jobs
from logistics.core.api import api_login_required, bp
from logistics.core.database import transaction
from logistics.core.security import user_scope
from logistics.reports import year_report
from logistics.reports.office_documents import require_whole_office


def _plain(value):
    """Decimals as JSON numbers (percentages already rounded half up), dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@bp.get("/year-report/<int:year>")
@api_login_required()
def year_report_data(year: int):
    """Every table of the year-end report for a fiscal year."""
    require_whole_office(user_scope())
    return jsonify(_plain(year_report.build(year)))


@bp.post("/year-report/<int:year>/generate")
@api_login_required(*year_report.GENERATOR_ROLES)
def year_report_generate(year: int):
    """Queue the XLSX and PDF of a year's report; poll the job for progress."""
    require_whole_office(user_scope())
    year = budget.fiscal_year(year, "year")
    with transaction():
        record = year_report.create_generation_job(year, current_user.id)
    # A second unit of work: the job is committed before it is sent, so it outlives the request.
    with transaction():
        queued = jobs.submit(record)
    status_url = url_for("api.job_status", job_id=record.id)
    body = {"job_id": record.id, "queued": queued, "status_url": status_url}
    return jsonify(body), 202, {"Location": status_url}


@bp.get("/year-report/<int:year>/files")
@api_login_required()
def year_report_files(year: int):
    """The newest stored file of a year's report per format."""
    require_whole_office(user_scope())
    files = year_report.latest_files(year)
    return jsonify(
        {
            "year": year,
            "files": {
                fmt: {
                    "id": record.id,
                    "filename": record.filename,
                    "size": record.size,
                    "created_at": record.created_at.isoformat() + "Z",
                    "url": url_for("reports.download", file_id=record.id),
                }
                for fmt, record in files.items()
            },
        }
    )
