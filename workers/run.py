"""Worker start-up: an rq worker on the Posko queue that also runs the periodic upkeep."""

import logging

from rq import Worker
from rq.serializers import JSONSerializer

from logistics.core import jobs
from logistics.core.queue import get_queue
from workers import maintenance

log = logging.getLogger(__name__)

# Upkeep every 15 s while idle: the worker waits on the queue at most WORKER_TTL - 15 seconds.
MAINTENANCE_EVERY = 15
WORKER_TTL = 30


class PoskoWorker(Worker):
    """rq's worker, with our upkeep beside rq's own registry clean-up."""

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        maintenance.run_once()


def start_worker(burst: bool = False, name: str | None = None) -> bool:
    """Run a worker in the current app context until stopped (or the queue is empty with burst)."""
    queue = get_queue()
    worker = PoskoWorker(
        [queue],
        connection=queue.connection,
        serializer=JSONSerializer,
        name=name,
        maintenance_interval=MAINTENANCE_EVERY,
        worker_ttl=WORKER_TTL,
        job_monitoring_interval=jobs.WORKER_HEARTBEAT,
    )
    # Waiting at most 10 s between attempts while Redis is away, so upkeep resumes soon after.
    worker.max_connection_wait_time = 10
    # The first loop runs the upkeep: jobs lost or recorded while no worker ran are handled first.
    return worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
