"""Background jobs seen from the office: start, track progress, reconcile with rq, retry."""

import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC

from flask import current_app
from redis.exceptions import RedisError
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now as rq_now
from sqlalchemy import select

from logistics.core import queue
from logistics.core.audit import record_action
from logistics.core.database import transaction
from logistics.core.errors import Conflict, DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.office import office_info
from logistics.core.time import utcnow

log = logging.getLogger(__name__)

# Enqueue helpers by job function, so a retry re-sends the same job with the same arguments.
QUEUE_UNAVAILABLE = "Antrean belum tersedia; pekerjaan akan dikirim begitu antrean kembali."


# A running job's worker sends a heartbeat every WORKER_HEARTBEAT_SECONDS (workers/run.py); a
# job silent for WORKER_SILENT_SECONDS belongs to a worker that died: shown failed with a retry.
WORKER_DIED = "Gagal: pekerja berhenti saat menjalankan pekerjaan ini. Klik Ulangi."

# Roles that see every job; others see the jobs they started.
SEE_ALL_ROLES = ("admin", "pimpinan")
# The reports a pimpinan has made and so may make again when the job failed.
PIMPINAN_RETRIES = (queue.YEAR_REPORT_GENERATE, queue.SITREP_GENERATE)


def sees_all_jobs(user) -> bool:
    """Admin and pimpinan who see the whole office area see every job; anyone else, and a user
    scoped to part of it (a job's title and result may name another area's records), their own."""
    return user.role in SEE_ALL_ROLES and user.scope.sees(office_info().area_code)


def visible_jobs(user, limit: int) -> list[JobRecord]:
    """The latest jobs this user may see, newest first."""
    query = select(JobRecord).order_by(JobRecord.created_at.desc())
    if not sees_all_jobs(user):
        query = query.where(JobRecord.user_id == user.id)
    return list(db.session.scalars(query.limit(limit)))


def get_visible(job_id: str, user) -> JobRecord:
    """The job if this user may see it; NotFound otherwise, so another's job stays unknown."""
    record = db.session.get(JobRecord, job_id)
    if record is None or (not sees_all_jobs(user) and record.user_id != user.id):
        raise NotFound("Halaman atau data tidak ditemukan.")
    return record


def require_may_retry(record: JobRecord, user) -> None:
    """Whoever started a job may retry it, and an admin any job (also one the system started);
    pimpinan, who change no office data, retry only the reports they asked for (PIMPINAN_RETRIES)."""
    if record.user_id != user.id and user.role != "admin":
        raise Forbidden("Hanya yang memulai pekerjaan ini (atau admin) yang dapat mengulanginya.")
    if user.role == "pimpinan" and record.func not in PIMPINAN_RETRIES:
        raise Forbidden(
            "Peran pimpinan hanya dapat mengulang pembuatan laporan situasi dan laporan akhir tahun."
        )


def create_job(func: str, title: str, kwargs: dict, user_id: int | None) -> JobRecord:
    """Record a job before it is queued, so it can never be lost between the two."""
    record = JobRecord(
        id=str(uuid.uuid4()),
        func=func,
        title=title,
        kwargs=kwargs,
        user_id=user_id,
        status="queued",
        message="Menunggu pekerja",
    )
    db.session.add(record)
    db.session.flush()
    return record


def submit(record: JobRecord) -> bool:
    """Send a committed job record to rq; if Redis is down the record waits and says so."""
    try:
        queue.enqueue(record.func, record.id, **record.kwargs)
    except (RedisError, ConnectionError, OSError) as exc:
        log.warning("queue unavailable for job %s: %s", record.id, exc)
        record.message = QUEUE_UNAVAILABLE
        return False
    return True


def start(func: str, title: str, kwargs: dict, user_id: int | None) -> tuple[JobRecord, bool]:
    """Record a job, commit it, then send it: (record, whether the queue took it now).

    For a page's own request, outside any other transaction: a refused submission notes on the
    committed record that it waits, and the upkeep sends it when the queue returns.
    """
    with transaction():
        record = create_job(func, title, kwargs, user_id)
    with transaction():
        submitted = submit(record)
    return record, submitted


def follow_up(record: JobRecord) -> JobRecord | None:
    """The job that confirmed this checked import (named in its result), if one was started."""
    job_id = (record.result or {}).get("confirm_job_id")
    return db.session.get(JobRecord, job_id) if job_id else None


def import_job_state(record: JobRecord, dry_run_func: str) -> dict:
    """What a spreadsheet import's job page shows: progress brought up to date, the report once
    finished, and the import a confirmation started."""
    if not record.done:
        with transaction():
            reconcile([record])
    percent, message = live_progress(record)
    return {
        "record": record,
        "percent": percent,
        "message": message,
        "report": record.result if record.status == "finished" else None,
        "is_dry_run": record.func == dry_run_func,
        "confirm_job": follow_up(record),
    }


def confirmation_refused(record: JobRecord, dry_run_func: str) -> str | None:
    """Why a checked spreadsheet import cannot be confirmed now, for its page; None if it can.
    (A confirmation already started is `follow_up`'s to find, before this is asked.)"""
    from logistics.core.uploads import upload_available

    if record.func != dry_run_func or record.status != "finished":
        return "Impor hanya dapat dikonfirmasi setelah pemeriksaan selesai."
    if (record.result or {}).get("error_count"):
        return "Berkas ini berisi kesalahan; perbaiki baris yang disebut lalu unggah lagi."
    if not upload_available(record.kwargs["path"]):
        return (
            "Berkas pemeriksaan ini sudah dihapus karena terlalu lama tidak dikonfirmasi; "
            "unggah ulang berkasnya."
        )
    return None


def start_follow_up(
    record: JobRecord, func: str, title: str, kwargs: dict, user_id: int | None
) -> tuple[JobRecord, bool]:
    """Start the import that confirms a finished check, and note it on the check's result, so
    a second click finds it (`follow_up`) instead of importing twice."""
    with transaction():
        confirm = create_job(func, title, dict(kwargs, dry_run_job_id=record.id), user_id)
        record.result = dict(record.result or {}, confirm_job_id=confirm.id)
    with transaction():
        submitted = submit(confirm)
    return confirm, submitted


def report_progress(percent: int, message: str = "") -> None:
    """Called from inside a running job: progress goes to rq's job.meta for the progress bar."""
    job = get_current_job()
    if job is None:
        return
    job.meta["progress"] = max(0, min(100, int(percent)))
    job.meta["message"] = message
    job.save_meta()


def live_progress(record: JobRecord) -> tuple[int, str]:
    """Progress of a running job from rq's meta, falling back to the stored record."""
    if record.status != "started":
        return record.progress, record.message
    try:
        job = Job.fetch(record.id, connection=queue.get_redis(), serializer=JSONSerializer)
        meta = job.get_meta(refresh=True)
        return int(meta.get("progress", record.progress)), meta.get("message", record.message)
    except (NoSuchJobError, RedisError, ConnectionError, OSError):
        return record.progress, record.message


def mark_started(record: JobRecord) -> None:
    record.status = "started"
    record.attempts += 1
    record.started_at = utcnow()
    record.ended_at = None
    record.error = None
    record.message = "Berjalan"


def mark_finished(record: JobRecord, result: dict, message: str) -> None:
    record.status = "finished"
    record.progress = 100
    record.result = result
    record.message = message[:255]
    record.ended_at = utcnow()


def mark_failed(record: JobRecord, error: str, message: str) -> None:
    record.status = "failed"
    record.error = error
    record.message = message[:255]
    record.ended_at = utcnow()


def run_tracked(job_id: str, work: Callable[[], tuple[dict, str]]) -> dict:
    """Run a job's work inside the record's lifecycle; the work returns (result, message).

    The record is committed as started first, so the jobs page shows it running; a failure
    rolls back the work's changes and keeps the error on the record.
    """
    with transaction():
        record = db.session.get(JobRecord, job_id)
        if record is None:
            raise LookupError(f"job record {job_id} not found")
        mark_started(record)
    try:
        result, message = work()
    except DomainError as exc:
        db.session.rollback()
        _record_failure(job_id, exc.message, exc.message)
        # A bad file stays bad: the job is done (visibly failed), not retried by rq.
        return {"ok": False, "error": exc.message}
    except Exception as exc:
        db.session.rollback()
        _record_failure(job_id, f"{type(exc).__name__}: {exc}", "Gagal karena kesalahan sistem")
        raise
    # The work's changes and the finished record commit together.
    with transaction():
        mark_finished(db.session.get(JobRecord, job_id), result, message)
    return {"ok": True, "job_id": job_id}


def _record_failure(job_id: str, error: str, message: str) -> None:
    with transaction():
        mark_failed(db.session.get(JobRecord, job_id), error, message)


def reconcile(records: list[JobRecord] | None = None) -> int:
    """Bring unfinished job records in line with rq; returns how many changed.

    A job whose rq entry failed or vanished (worker killed, Redis restarted) is marked failed
    with a message, never left looking busy; a record that never reached the queue is sent.
    """
    if records is None:
        records = list(
            db.session.scalars(select(JobRecord).where(JobRecord.status.in_(("queued", "started"))))
        )
    if not records:
        return 0
    try:
        connection = queue.get_redis()
        connection.ping()
    except (RedisError, ConnectionError, OSError):
        return 0
    changed = 0
    for record in records:
        try:
            job = Job.fetch(record.id, connection=connection, serializer=JSONSerializer)
            status = job.get_status(refresh=True)
        except NoSuchJobError:
            job, status = None, None
        if job is None:
            if record.status == "queued":
                if submit(record):
                    record.message = "Dikirim ulang ke antrean"
                    changed += 1
            else:
                mark_failed(
                    record,
                    "Entri antrean hilang (antrean dimulai ulang).",
                    "Terputus: pekerja atau antrean berhenti. Klik Ulangi.",
                )
                changed += 1
        elif status == JobStatus.STARTED and _worker_silent(job):
            # Deleted from rq too, so its own clean-up never runs the job again behind the retry.
            with suppress(RedisError, ConnectionError, OSError):
                job.delete()
            mark_failed(
                record,
                f"Pekerja {job.worker_name or ''} tidak lagi memberi tanda hidup.",
                WORKER_DIED,
            )
            changed += 1
        elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            exc_info = job.latest_result().exc_string if job.latest_result() else None
            mark_failed(
                record,
                exc_info or "Pekerjaan dihentikan.",
                "Gagal: pekerja berhenti saat menjalankan pekerjaan ini. Klik Ulangi.",
            )
            changed += 1
    return changed


def _worker_silent(job: Job) -> bool:
    beat = job.last_heartbeat or job.started_at
    if beat is None:
        return False
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=UTC)
    return (rq_now() - beat).total_seconds() > current_app.config["WORKER_SILENT_SECONDS"]


def retry(record: JobRecord) -> JobRecord:
    """Queue a failed job again with the same arguments."""
    if record.status != "failed":
        raise Conflict("Hanya pekerjaan yang gagal yang dapat diulang.")
    with suppress(NoSuchJobError, RedisError, ConnectionError, OSError):
        Job.fetch(record.id, connection=queue.get_redis(), serializer=JSONSerializer).delete()
    record.status = "queued"
    record.progress = 0
    record.error = None
    record.result = None
    record.ended_at = None
    record.message = "Menunggu pekerja (diulang)"
    record_action("job_retry", "jobs", record.id)
    db.session.flush()
    return record
