"""Configuration defaults, overridden by environment variables and then by test overrides."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
MAX_REMEMBER_DAYS = 30


class Config:
    """Defaults for a single-machine office install; every one can be set from the environment."""

    ENV_NAME = "development"
    SECRET_KEY = DEFAULT_SECRET_KEY
    INSTANCE_DIR = str(ROOT / "instance")
    SQLALCHEMY_DATABASE_URI = None  # set in load_config from DATABASE_URL or the instance dir
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = None  # None means "the run command starts an embedded server"
    RQ_QUEUE = "posko"
    RQ_JOB_TIMEOUT = 3600
    OFFICE_NAME = "Dinas Sosial Kota Bekasi"
    OFFICE_AREA_CODE = "32.75"
    OFFICE_TIMEZONE = "Asia/Jakarta"
    # The rest of the office's profile (level, address, logo, signatories) has no default: an
    # instance without a saved profile prints its documents with blank signature names.
    # Decimals of the serapan efisiensi is taken from (0: the LKIP's whole percent).
    OFFICE_SERAPAN_PLACES = 0
    OFFICE_CHECK_SECONDS = 2  # how often a worker asks whether the saved profile changed
    # The rq worker: its heartbeat while a job runs, the silence after which the job's worker is
    # taken for dead (the job shows failed, with Ulangi), and how often it runs the upkeep.
    WORKER_HEARTBEAT_SECONDS = 10
    WORKER_SILENT_SECONDS = 40
    WORKER_UPKEEP_SECONDS = 15
    FIRST_RUN_SETUP = True  # an instance without users sends every page to the setup wizard
    UPLOAD_MAX_MB = 200
    # Data rows an import reads at most (victims, Tagana, budget); a larger file is refused whole.
    IMPORT_MAX_ROWS = 200_000
    # Hours an uploaded list whose dry run was never confirmed stays on disk (it holds NIKs).
    IMPORT_UPLOAD_RETENTION_HOURS = 24
    LOGIN_RATE_LIMIT = "10 per 15 minutes"
    OPEN_DATA_RATE_LIMIT = "120 per minute"  # per client, on the public open-data files
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Ingat saya" keeps a phone signed in this many days at most (1-30); every sign-in, with
    # or without it, ends that long after it began.
    REMEMBER_DAYS = MAX_REMEMBER_DAYS
    WTF_CSRF_TIME_LIMIT = None  # a form left open through a long night shift still submits
    # Days within which the same SPM component to the same household or person counts as
    # double aid (0 = no check); a partial dict overrides only the components it names.
    # The reasons per component are with the defaults in distributions/services.py.
    DOUBLE_AID_DAYS: dict = {}
    # Minutes a "break the glass" lookup (a victim found by NIK/KK outside the user's wilayah,
    # with a reason) keeps that person's and household's pages open to the user.
    BREAK_GLASS_MINUTES = 30
    # Responses compressed for the phones on a slow link: brotli, else gzip. Map geometry is
    # compressed once when cached (core/precompressed.py) and passes through untouched.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "application/manifest+json",
        "image/svg+xml",
    ]


# Environment variable -> (config key, converter)
ENV_VARS = {
    "POSKO_ENV": ("ENV_NAME", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "REDIS_URL": ("REDIS_URL", str),
    "POSKO_INSTANCE_DIR": ("INSTANCE_DIR", str),
    "POSKO_QUEUE": ("RQ_QUEUE", str),
    "POSKO_OFFICE_NAME": ("OFFICE_NAME", str),
    "POSKO_OFFICE_AREA_CODE": ("OFFICE_AREA_CODE", str),
    "POSKO_TIMEZONE": ("OFFICE_TIMEZONE", str),
    "POSKO_UPLOAD_MAX_MB": ("UPLOAD_MAX_MB", int),
    "POSKO_IMPORT_MAX_ROWS": ("IMPORT_MAX_ROWS", int),
    "POSKO_IMPORT_UPLOAD_RETENTION_HOURS": ("IMPORT_UPLOAD_RETENTION_HOURS", float),
    "POSKO_LOGIN_RATE_LIMIT": ("LOGIN_RATE_LIMIT", str),
    "POSKO_OPEN_DATA_RATE_LIMIT": ("OPEN_DATA_RATE_LIMIT", str),
    "POSKO_REMEMBER_DAYS": ("REMEMBER_DAYS", int),
    "POSKO_BREAK_GLASS_MINUTES": ("BREAK_GLASS_MINUTES", int),
    "POSKO_WORKER_HEARTBEAT_SECONDS": ("WORKER_HEARTBEAT_SECONDS", int),
    "POSKO_WORKER_SILENT_SECONDS": ("WORKER_SILENT_SECONDS", int),
    "POSKO_WORKER_UPKEEP_SECONDS": ("WORKER_UPKEEP_SECONDS", int),
    "POSKO_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in ("1", "true", "yes")),
}


def load_config(app, test_config: dict | None = None) -> None:
    """Apply defaults, then environment variables, then explicit overrides (tests)."""
    app.config.from_object(Config)
    for env_name, (key, convert) in ENV_VARS.items():
        value = os.environ.get(env_name)
        if value not in (None, ""):
            app.config[key] = convert(value)
    if test_config:
        app.config.update(test_config)

    instance_dir = Path(app.config["INSTANCE_DIR"])
    instance_dir.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_dir / 'posko.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy wants a driver name.
    if uri.startswith(("postgres://", "postgresql://")):
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    else:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config["REMEMBER_COOKIE_SECURE"] = True
    days = app.config["REMEMBER_DAYS"]
    if not 1 <= days <= MAX_REMEMBER_DAYS:
        raise RuntimeError(f"POSKO_REMEMBER_DAYS must be 1 to {MAX_REMEMBER_DAYS}, not {days}.")
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=days)
    app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_MB"] * 1024 * 1024

    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set in production (POSKO_ENV=production).")
