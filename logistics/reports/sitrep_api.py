"""API: one day's sitrep of an event as JSON, its notes, queueing its files, the latest files."""

from flask import jsonify, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import scope_key
from logistics.core import jobs
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.database import transaction
from logistics.core.security import reads_only, user_scope
from logistics.reports import files as report_files
from logistics.reports import sitrep, sitrep_today, sitrep_whatsapp


def _note_json(event_id: int, the_day) -> dict:
    note = sitrep.get_note(event_id, the_day)
    body = {name: getattr(note, name) if note else "" for name in sitrep.NOTE_FIELDS}
    body.update(event_id=event_id, day=the_day.isoformat())
    body["updated_at"] = note.updated_at.isoformat() + "Z" if note and note.updated_at else None
    return body


@bp.get("/events/<int:event_id>/sitrep/<day>")
@api_login_required()
def sitrep_data(event_id: int, day: str):
    _event, the_day = sitrep.event_and_day(event_id, day)
    data = sitrep.build(event_id, the_day, user_scope())
    body = sitrep.to_json(data)
    body["whatsapp_text"] = sitrep_whatsapp.whatsapp_text(data)
    return jsonify(body)


@bp.put("/events/<int:event_id>/sitrep/<day>/notes")
@api_login_required(*OFFICE_ROLES)
def sitrep_notes_put(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    with transaction():
        sitrep.save_note(event, the_day, json_payload(), current_user.id)
    return jsonify(_note_json(event.id, the_day))


@bp.post("/events/<int:event_id>/sitrep/<day>/generate")
@reads_only  # a report of the user's own wilayah; the event is not changed
@api_login_required(*sitrep_today.CREATOR_ROLES)
def sitrep_generate(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    with transaction():
        record = sitrep.create_generation_job(event, the_day, current_user.id, user_scope())
    # A second unit of work: the job is committed before it is sent, so it outlives the request.
    with transaction():
        jobs.submit(record)
    return jsonify(
        {
            "job_id": record.id,
            "status": record.status,
            "message": record.message,
            "job_url": url_for("api.job_status", job_id=record.id),
            "files_url": url_for("api.sitrep_files", event_id=event.id, day=the_day.isoformat()),
        }
    ), 202


@bp.get("/events/<int:event_id>/sitrep/<day>/files")
@api_login_required()
def sitrep_files(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    key = sitrep.report_key(event.id, the_day)
    files = report_files.latest_of_kind(sitrep.KIND, key, scope_key(user_scope()))
    return jsonify(
        {
            "event_id": event.id,
            "day": the_day.isoformat(),
            "files": [
                {
                    "id": f.id,
                    "format": fmt,
                    "filename": f.filename,
                    "size": f.size,
                    "created_at": f.created_at.isoformat() + "Z",
                    "job_id": f.job_id,
                    "url": url_for("reports.download", file_id=f.id),
                }
                for fmt, f in files.items()
            ],
        }
    )
