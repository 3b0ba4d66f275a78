"""The audit log: who changed what, when."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from logistics.core.extensions import db
from logistics.core.time import utcnow


class AuditEntry(db.Model):
    """One change to one row, or one named action (a login, a boundary load)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The actor's name is kept as written so the entry stays readable if the user is removed.
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(db.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
    # The wilayah scope the change was made under ("lihat 17.02; catat 17.02"); None: the whole
    # office area (or before scopes existed).
    scope: Mapped[str | None] = mapped_column(String(400))
