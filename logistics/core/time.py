"""Time: UTC timestamps for storage, the office's local time for people."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL, shown in office time."""
    return datetime.now(UTC).replace(tzinfo=None)
