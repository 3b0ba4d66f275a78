"""Job functions for rq workers: open an app context, call a service, commit, return a pointer."""

import os
from contextlib import contextmanager

from flask import current_app, has_app_context

from logistics.extensions import db
from logistics.models import JobRecord
from logistics.services import jobs
from logistics.services.areas import load_boundary_file, summarize
from logistics.services.audit import acting_as

_app = None


@contextmanager
def job_context(job_id: str):
    """An app context (the worker's, or a new one) acting as the user who started the job."""
    global _app
    if has_app_context():
        app = current_app._get_current_object()
        ctx = None
    else:
        if _app is None:
            from logistics import create_app

            _app = create_app()
        app = _app
        ctx = app.app_context()
        ctx.push()
    try:
        # A forked work horse must not reuse the parent's database connections.
        if app.extensions.get("posko_pid") != os.getpid():
            db.engine.dispose(close=False)
            app.extensions["posko_pid"] = os.getpid()
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None
        name = record.user.username if record and record.user else "sistem"
        with acting_as(user_id, name):
            yield
    finally:
        # Only clean up a context we opened: in-process runs share the caller's session.
        if ctx is not None:
            db.session.remove()
            ctx.pop()


def load_boundaries(
    job_id: str,
    path: str,
    level: str = "kelurahan",
    mapping: dict | None = None,
    version: str | None = None,
    source_name: str | None = None,
) -> dict:
    """Load an uploaded boundary file into the administrative spine."""
    with job_context(job_id):

        def work():
            result = load_boundary_file(
                path,
                level=level,
                mapping=mapping,
                version=version,
                source_name=source_name,
                progress=jobs.report_progress,
            )
            return result, f"{result['features']} wilayah dimuat. {summarize(result['stats'])}"

        return jobs.run_tracked(job_id, work)


def victim_import_dry_run(
    job_id: str,
    path: str,
    event_id: int,
    default_status: str | None = None,
    source_name: str | None = None,
) -> dict:
    """Check an uploaded victim list and report accepted and rejected rows; writes no victims."""
    from logistics.services import victim_import

    with job_context(job_id):

        def work():
            result = victim_import.dry_run(
                path, event_id, job_id, default_status, progress=jobs.report_progress
            )
            result.update(source_name=source_name, default_status=default_status)
            return result, "Pemeriksaan selesai: " + victim_import.summarize(
                result["counts"], imported=False
            )

        return jobs.run_tracked(job_id, work)


def import_victims(
    job_id: str,
    path: str,
    event_id: int,
    dry_run_job_id: str | None = None,
    default_status: str | None = None,
    source_name: str | None = None,
) -> dict:
    """Import the accepted rows of a checked victim list, all in one transaction."""
    from logistics.services import victim_import

    with job_context(job_id):
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None

        def work():
            result = victim_import.import_victims(
                path,
                event_id,
                job_id,
                default_status,
                user_id=user_id,
                source_name=source_name,
                progress=jobs.report_progress,
            )
            result.update(dry_run_job_id=dry_run_job_id, source_name=source_name)
            return result, victim_import.summarize(result["counts"], imported=True)

        outcome = jobs.run_tracked(job_id, work)
        if outcome.get("ok"):
            # Imported rows live in the registry now; the uploaded copy of personal data goes.
            victim_import.discard_upload(path)
        return outcome
