"""API: status and progress of background jobs, polled by the progress bars."""

from flask import jsonify

from logistics.core import jobs
from logistics.core.api import api_login_required, bp
from logistics.core.extensions import db


@bp.get("/jobs/<job_id>")
@api_login_required()
def job_status(job_id: str):
    from logistics.admin.jobs_views import get_visible

    record = get_visible(job_id)
    if not record.done and jobs.reconcile([record]):
        db.session.commit()
    percent, message = jobs.live_progress(record)
    return jsonify(
        {
            "id": record.id,
            "title": record.title,
            "status": record.status,
            "status_label": record.status_label,
            "progress": percent,
            "message": message,
            "result": record.result,
            "error": record.error,
            "attempts": record.attempts,
        }
    )
