"""API: status and progress of background jobs, polled by the progress bars."""

from flask import jsonify
from flask_login import current_user

from logistics.core import jobs
from logistics.core.api import api_login_required, bp
from logistics.core.database import transaction


@bp.get("/jobs/<job_id>")
@api_login_required()
def job_status(job_id: str):
    record = jobs.get_visible(job_id, current_user)
    if not record.done:
        with transaction():
            jobs.reconcile([record])
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
