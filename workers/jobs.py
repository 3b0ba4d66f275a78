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
