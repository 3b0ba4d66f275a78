"""Office users and their roles."""

import time
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from logistics.core.extensions import db
from logistics.core.scope import Scope, split_codes
from logistics.core.time import utcnow

ROLES = {
    "admin": "Administrator",
    "operator": "Operator Dinas Sosial",
    "tagana": "Koordinator Tagana",
    "pimpinan": "Pimpinan (hanya baca)",
}
# Roles that may change data at all; pimpinan only reads.
WRITER_ROLES = ("admin", "operator", "tagana")
# Roles that work in the office: manage reference data such as boundaries.
OFFICE_ROLES = ("admin", "operator")


class User(UserMixin, db.Model):
    """A person who logs in; the role decides what they may see and change."""

    __tablename__ = "users"
    __audit__ = True
    __audit_exclude__ = ("password_hash", "last_login_at", "session_version")
    __table_args__ = (CheckConstraint(f"role IN {tuple(ROLES)!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(160), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of every session and remember-me cookie: raising it (logout, new password, role
    # change, deactivation) makes every cookie issued before it fail.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Wilayah scope: Kemendagri codes separated by spaces, for what the user may see and what
    # they may record; empty means the whole office area.
    see_areas: Mapped[str] = mapped_column(String(400), default="", server_default="")
    record_areas: Mapped[str] = mapped_column(String(400), default="", server_default="")

    def get_id(self) -> str:
        """What Flask-Login puts in the session and the remember-me cookie at sign-in: the id,
        the session version and the sign-in time (the loader refuses a stale version and a
        sign-in older than the remember-me limit, whatever expiry the browser was told)."""
        return f"{self.id}:{self.session_version}:{int(time.time())}"

    def end_sessions(self) -> None:
        """Sign the user out everywhere: cookies issued before this no longer load them."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def scope(self) -> Scope:
        return Scope(see=split_codes(self.see_areas), record=split_codes(self.record_areas))

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class LoginThrottle(db.Model):
    """Login attempts per client and time window, counted here only while Redis is unreachable, so
    the limit holds across every web process instead of once per process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(default=0)
