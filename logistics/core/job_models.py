"""Background jobs as the office sees them: durable records mirrored from the rq queue."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.core.extensions import db
from logistics.core.time import utcnow

JOB_STATUSES = ("queued", "started", "finished", "failed")
JOB_STATUS_LABELS = {
    "queued": "Menunggu",
    "started": "Berjalan",
    "finished": "Selesai",
    "failed": "Gagal",
}


class JobRecord(db.Model):
    """A job a user started; its id is also the rq job id. Survives a Redis restart."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_known"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    func: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    kwargs: Mapped[dict] = mapped_column(db.JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[dict | None] = mapped_column(db.JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    # Named, not imported: core knows no domain; the users table is admin's.
    user: Mapped["User | None"] = relationship("User")  # noqa: F821

    @property
    def status_label(self) -> str:
        return JOB_STATUS_LABELS[self.status]

    @property
    def done(self) -> bool:
        return self.status in ("finished", "failed")
