"""Worker start-up: an rq worker on the Posko queue that also runs the periodic upkeep."""

import ctypes
import logging
import os
import signal

from flask import current_app
from rq import Worker
from rq.serializers import JSONSerializer

from logistics.core.queue import get_queue
from workers import maintenance

log = logging.getLogger(__name__)

# rq waits on the queue at most worker_ttl - 15 seconds between its upkeep rounds.
QUEUE_WAIT_MARGIN = 15


# prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """A work horse whose worker is killed goes too: the job's transaction rolls back and the
    watchdog's "failed, Ulangi" is the truth, not a job still running unseen beside its retry."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: the job may finish unseen, the watchdog still marks it failed
    if os.getppid() != parent:
        os._exit(1)  # the worker died between the fork and the request


class PoskoWorker(Worker):
    """rq's worker, with our upkeep beside rq's own registry clean-up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._worker_pid = os.getpid()

    def main_work_horse(self, job, queue):
        _die_with_parent(self._worker_pid)
        super().main_work_horse(job, queue)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        maintenance.run_once()


def start_worker(burst: bool = False, name: str | None = None) -> bool:
    """Run a worker in the current app context until stopped (or the queue is empty with burst)."""
    queue = get_queue()
    settings = current_app.config
    upkeep = settings["WORKER_UPKEEP_SECONDS"]
    worker = PoskoWorker(
        [queue],
        connection=queue.connection,
        serializer=JSONSerializer,
        name=name,
        maintenance_interval=upkeep,
        worker_ttl=upkeep + QUEUE_WAIT_MARGIN,
        job_monitoring_interval=settings["WORKER_HEARTBEAT_SECONDS"],
    )
    # Waiting at most 10 s between attempts while Redis is away, so upkeep resumes soon after.
    worker.max_connection_wait_time = 10
    # The first loop runs the upkeep: jobs lost or recorded while no worker ran are handled first.
    return worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
