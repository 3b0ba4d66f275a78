"""The rq queue, and one enqueue helper per background job (jobs named by dotted path)."""

from pathlib import Path

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

# Job functions live in the workers package; the app only names them, never imports them.
LOAD_BOUNDARIES = "workers.jobs.load_boundaries"
VICTIM_IMPORT_DRY_RUN = "workers.jobs.victim_import_dry_run"
VICTIM_IMPORT = "workers.jobs.import_victims"
TAGANA_IMPORT_DRY_RUN = "workers.jobs.tagana_import_dry_run"
TAGANA_IMPORT = "workers.jobs.import_tagana_members"
BUDGET_IMPORT_DRY_RUN = "workers.jobs.budget_import_dry_run"
BUDGET_IMPORT = "workers.jobs.import_budget_plan"
SPM_RECOMPUTE = "workers.jobs.spm_recompute"
SPM_RECOMPUTE_YEAR = "workers.jobs.spm_recompute_year"
SPM_CATCH_UP = "workers.jobs.spm_catch_up"
SPM_REBUILD = "workers.jobs.spm_rebuild"
YEAR_REPORT_GENERATE = "workers.jobs.year_report_generate"
SITREP_GENERATE = "workers.jobs.sitrep_generate"
JOB_FUNCTIONS = (
    LOAD_BOUNDARIES,
    VICTIM_IMPORT_DRY_RUN,
    VICTIM_IMPORT,
    TAGANA_IMPORT_DRY_RUN,
    TAGANA_IMPORT,
    BUDGET_IMPORT_DRY_RUN,
    BUDGET_IMPORT,
    SPM_RECOMPUTE,
    SPM_RECOMPUTE_YEAR,
    SPM_CATCH_UP,
    SPM_REBUILD,
    SITREP_GENERATE,
    YEAR_REPORT_GENERATE,
)

EMBEDDED_URL_FILE = "embedded-redis.url"


def redis_url(app=None) -> str | None:
    """REDIS_URL, or the address of the embedded server the run command started."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if url:
        return url
    marker = Path(app.config["INSTANCE_DIR"]) / EMBEDDED_URL_FILE
    if marker.exists():
        return marker.read_text().strip() or None
    return None


def get_redis(app=None) -> Redis:
    url = redis_url(app)
    if not url:
        raise ConnectionError("No REDIS_URL configured and no embedded server running.")
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)


def get_queue(app=None) -> Queue:
    app = app or current_app
    return Queue(app.config["RQ_QUEUE"], connection=get_redis(app), serializer=JSONSerializer)


def enqueue(func: str, job_id: str, **kwargs) -> None:
    """Put a job on the queue under our job record's id; the function receives it as job_id.

    A job abandoned by a dying worker is re-queued once by rq before it counts as failed.
    """
    queue = get_queue()
    queue.enqueue(
        func,
        kwargs=dict(kwargs, job_id=job_id),
        job_id=job_id,
        job_timeout=current_app.config["RQ_JOB_TIMEOUT"],
        result_ttl=7 * 24 * 3600,
        failure_ttl=30 * 24 * 3600,
        retry=Retry(max=1),
    )
