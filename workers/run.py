"""Worker start-up: an rq worker on the Posko queue, with jobs that were lost re-sent first."""

import logging

from rq import Worker
from rq.serializers import JSONSerializer

from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.extensions import db
from logistics.core.queue import get_queue

log = logging.getLogger(__name__)


def start_worker(burst: bool = False, name: str | None = None) -> bool:
    """Run a worker in the current app context until stopped (or the queue is empty with burst)."""
    queue = get_queue()
    with transaction():
        resent = jobs.reconcile()
    if resent:
        log.info("reconciled %d job records with the queue", resent)
    db.session.remove()
    worker = Worker([queue], connection=queue.connection, serializer=JSONSerializer, name=name)
    return worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
