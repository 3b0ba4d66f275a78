"""Periodic upkeep run by every worker: send waiting jobs, fail dead ones, catch SPM up, tidy uploads."""

import logging

from flask import current_app

from logistics.core import jobs, uploads
from logistics.core.database import transaction
from logistics.core.extensions import db

log = logging.getLogger(__name__)


def run_once() -> dict:
    """One round of upkeep in the current app context; each task fails on its own, logged."""
    from logistics.areas import imports as boundary_uploads
    from logistics.spm import tracking as spm_tracking

    done = {}
    tasks = (
        # Jobs recorded while the queue was down are sent, jobs of a dead worker marked failed.
        ("jobs", jobs.reconcile),
        # Aggregates marked stale while the queue was down are recomputed now it is back.
        ("spm_catch_up", spm_tracking.catch_up_stale),
        (
            "uploads",
            lambda: uploads.discard_stale_uploads(
                current_app.config["IMPORT_UPLOAD_RETENTION_HOURS"] * 3600
            ),
        ),
        # Boundary files uploaded for a preview that was never confirmed or cancelled.
        (
            "boundary_uploads",
            lambda: boundary_uploads.purge_expired(current_app.config["INSTANCE_DIR"]),
        ),
    )
    for name, task in tasks:
        try:
            with transaction():
                done[name] = task()
        except Exception:  # noqa: BLE001 - one failing task must not stop the others or the worker
            log.exception("maintenance task %s failed", name)
        finally:
            db.session.remove()
    if any(done.values()):
        log.info("maintenance: %s", done)
    return done
