"""The login limit while Redis is down: counted in the database, shared by every web process."""

import logging
import time

from flask import current_app
from limits import parse
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from logistics.admin.models import LoginThrottle
from logistics.core.extensions import db, limiter

log = logging.getLogger(__name__)

TOO_MANY = "Terlalu banyak percobaan masuk dari alamat ini. Coba lagi dalam {minutes} menit."


def _limiter_storage_up() -> bool:
    """Whether Flask-Limiter's own storage answers (it then counts for every process itself)."""
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - any failure to reach it means "use the shared fallback"
        return False


def refusal(key: str) -> str | None:
    """Count one attempt for `key` unless Redis counts it; a message if the limit is passed.

    Flask-Limiter's in-memory fallback counts per web process, which lets a client try the limit
    once per process; this count lives in the database that all of them share.
    """
    if _limiter_storage_up():
        return None
    item = parse(current_app.config["LOGIN_RATE_LIMIT"])
    seconds = item.get_expiry()
    window = int(time.time() // seconds)
    # A connection of its own: the attempt counts even when the login's transaction rolls back.
    with db.engine.begin() as connection:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(
            insert(LoginThrottle)
            .values(key=key, window=window, hits=1)
            .on_conflict_do_update(
                index_elements=["key", "window"], set_={"hits": LoginThrottle.hits + 1}
            )
        )
        hits = connection.scalar(
            select(LoginThrottle.hits).where(
                LoginThrottle.key == key, LoginThrottle.window == window
            )
        )
        connection.execute(delete(LoginThrottle).where(LoginThrottle.window < window))
    if hits <= item.amount:
        return None
    log.warning("login throttle (database fallback): %s over %s", key, item)
    left = seconds - int(time.time()) % seconds
    return TOO_MANY.format(minutes=max(1, -(-left // 60)))
