"""Field devices (per-phone credentials), the records phones send, and the office's settings."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.admin.models import User
from logistics.core.extensions import db
from logistics.core.time import utcnow

KINDS = {
    "hand_out": "Penyaluran bantuan",
    "head_count": "Hitungan pengungsi",
    "check_in": "Check-in",
    "check_out": "Check-out",
    "task_report": "Laporan tugas",
}
# stored: written by the server; refused: a rule said no, nothing written; conflict: the
# client_id already holds other content; accepted/rejected: the office's review outcome;
# superseded: a refused attempt the phone later sent again and got stored.
STATUSES = {
    "stored": "Tersimpan",
    "refused": "Ditolak",
    "conflict": "Konflik",
    "accepted": "Diterima kantor",
    "rejected": "Ditolak kantor",
    "superseded": "Diganti kiriman ulang",
}
DEFAULT_DEVICE_DAYS = 14
MAX_DEVICE_DAYS = 365


class FieldDevice(db.Model):
    """One phone's credential: issued at sign-in, sent as a bearer token, revocable."""

    __tablename__ = "field_devices"
    __audit__ = True
    __audit_exclude__ = ("token_hash", "last_seen_at")

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(160), default="")
    # Only a SHA-256 of the token: a copy of the database never holds a usable credential.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class FieldRecord(db.Model):
    """One record a phone sent, as sent: who, from which device, made when, received when, and
    what became of it. One row per (client_id, content): a re-send of the same content is found
    again, other content under a taken client_id is a row of its own kept for review."""

    __tablename__ = "field_records"
    # Not in the row audit: this table is itself the trail of what phones sent; the rows the
    # records wrote are audited, and reviews are logged as actions.
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(KINDS)!r}", name="kind_known"),
        CheckConstraint(f"status IN {tuple(STATUSES)!r}", name="status_known"),
        UniqueConstraint("client_id", "content_hash", name="uq_field_records_client_content"),
        # "Perlu ditinjau" lists refused and conflicting records, newest first.
        Index("ix_field_records_status", "status", "received_at"),
        # The distribution pages look up the field record behind a hand-out.
        Index("ix_field_records_target", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(ForeignKey("field_devices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(12))
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # The phone's clock when the record was made, and the server's when it arrived (naive UTC).
    made_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the phone's time cannot be right (ahead of arrival, or before the device existed).
    clock_suspect: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12))
    message: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(64))
    # The row the record wrote: distribution, shelter count, deployment or task report id.
    target_id: Mapped[int | None]
    sends: Mapped[int] = mapped_column(default=1)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")

    device: Mapped[FieldDevice] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class FieldSettings(db.Model):
    """The office's settings for field devices (one row)."""

    __tablename__ = "field_settings"
    __audit__ = True
    __table_args__ = (
        CheckConstraint(f"device_days BETWEEN 1 AND {MAX_DEVICE_DAYS}", name="days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_days: Mapped[int] = mapped_column(default=DEFAULT_DEVICE_DAYS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
