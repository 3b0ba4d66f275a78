"""Per-phone credentials: issued at sign-in, checked on every sync, revoked by an admin."""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update

from logistics.admin.models import WRITER_ROLES
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.time import utcnow
from logistics.field.models import (
    DEFAULT_DEVICE_DAYS,
    MAX_DEVICE_DAYS,
    FieldDevice,
    FieldSettings,
)


class DeviceRefused(DomainError):
    """The phone's credential cannot be used: 401 with a code the app acts on."""

    status = 401

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    def to_dict(self) -> dict:
        return {**super().to_dict(), "code": self.code}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def settings() -> FieldSettings:
    """The office's field settings, created with the defaults on first use."""
    row = db.session.scalar(select(FieldSettings).order_by(FieldSettings.id).limit(1))
    if row is None:
        row = FieldSettings(device_days=DEFAULT_DEVICE_DAYS)
        db.session.add(row)
        db.session.flush()
    return row


def set_device_days(days) -> FieldSettings:
    """Change how long a newly issued device credential lasts (1-365 days)."""
    number = inputs.whole_number(days, "device_days", "Masa berlaku perangkat", required=True)
    if not 1 <= number <= MAX_DEVICE_DAYS:
        raise DomainError(
            f"Masa berlaku perangkat harus 1 sampai {MAX_DEVICE_DAYS} hari.", field="device_days"
        )
    row = settings()
    row.device_days = number
    row.updated_at = utcnow()
    db.session.flush()
    return row


def issue_device(user, name, now: datetime | None = None) -> tuple[FieldDevice, str]:
    """A new credential for the phone `user` signed in on: (device, token). The token is shown
    once; only its hash is kept."""
    if getattr(user, "role", None) not in WRITER_ROLES:
        raise Forbidden("Peran Anda tidak mencatat pekerjaan lapangan.")
    now = now or utcnow()
    label = inputs.text(name, "name", "Nama perangkat", 160) or "Perangkat tanpa nama"
    token = secrets.token_urlsafe(32)
    device = FieldDevice(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=label,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=settings().device_days),
    )
    db.session.add(device)
    db.session.flush()
    return device, token


def authenticate(token: str | None, now: datetime | None = None) -> FieldDevice:
    """The device a bearer token belongs to, or DeviceRefused (unknown, revoked, expired,
    or its user switched off)."""
    now = now or utcnow()
    device = None
    if token:
        device = db.session.scalar(
            select(FieldDevice).where(FieldDevice.token_hash == token_hash(token))
        )
    if device is None:
        raise DeviceRefused("unauthenticated", "Perangkat belum terdaftar. Masuk kembali.")
    if device.revoked_at is not None:
        raise DeviceRefused(
            "device_revoked",
            "Perangkat ini sudah dicabut oleh admin. Data yang belum terkirim tetap di ponsel; "
            "masuk kembali atau ekspor datanya.",
        )
    if device.expires_at <= now:
        raise DeviceRefused(
            "device_expired", "Masa berlaku perangkat ini sudah habis. Masuk kembali dengan sinyal."
        )
    if not device.user.active:
        raise DeviceRefused("device_revoked", "Akun pengguna perangkat ini sudah dinonaktifkan.")
    return device


def mark_seen(device: FieldDevice, now: datetime) -> None:
    """Note when the device last sent. A Core UPDATE, run first in a sync on purpose: on SQLite
    it opens the write transaction, so each record's savepoint nests inside it (the sqlite3
    driver begins no transaction for a SAVEPOINT, and its outermost RELEASE would commit)."""
    db.session.execute(
        update(FieldDevice.__table__)
        .where(FieldDevice.__table__.c.id == device.id)
        .values(last_seen_at=now)
    )


def list_devices() -> list[FieldDevice]:
    return list(
        db.session.scalars(
            select(FieldDevice).order_by(
                FieldDevice.revoked_at.is_not(None), FieldDevice.created_at.desc()
            )
        )
    )


def get_device(device_id: str) -> FieldDevice:
    device = db.session.get(FieldDevice, device_id)
    if device is None:
        raise NotFound("Perangkat tidak ditemukan.")
    return device


def revoke_device(device: FieldDevice, by, reason: str = "", now: datetime | None = None) -> None:
    """Stop a device's credential (a lost phone); what it already sent stays."""
    if device.revoked_at is not None:
        raise DomainError("Perangkat ini sudah dicabut.")
    device.revoked_at = now or utcnow()
    device.revoked_by_id = by.id
    device.revoke_reason = inputs.text(reason, "reason", "Alasan pencabutan", 255)
    record_action("revoke_device", "field_devices", device.id, {"reason": device.revoke_reason})
    db.session.flush()
