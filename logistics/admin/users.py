"""User accounts: create, authenticate, change roles."""

import re
import time
from datetime import timedelta

from sqlalchemy import bindparam, func, select

from logistics.admin.models import ROLES, User
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.time import utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 8


def list_users() -> list[User]:
    """Every account, by user name."""
    return db.session.scalars(select(User).order_by(User.username)).all()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Halaman atau data tidak ditemukan.")
    return user


def create_user(username: str, password: str, role: str, full_name: str = "") -> User:
    """Create an account; usernames are lower-case, passwords at least 8 characters."""
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise DomainError(
            "Nama pengguna 3-64 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.",
            field="username",
        )
    if role not in ROLES:
        raise DomainError(
            f"Peran '{role}' tidak dikenal. Pilih salah satu: {', '.join(ROLES)}.", field="role"
        )
    validate_password(password)
    exists = db.session.scalar(select(func.count()).where(User.username == username))
    if exists:
        raise Conflict(f"Nama pengguna '{username}' sudah dipakai.", field="username")
    user = User(username=username, role=role, full_name=(full_name or "").strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def validate_password(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.", field="password")


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; every attempt is audited."""
    username = (username or "").strip().lower()
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password or ""):
        record_action("login_failed", "users", user.id if user else None, {"username": username})
        return None
    user.last_login_at = utcnow()
    return user


def update_user(
    user: User,
    *,
    role: str | None = None,
    active: bool | None = None,
    full_name: str | None = None,
    password: str | None = None,
) -> User:
    """Change an account's role, status, name or password.

    A new role, a new password or deactivation ends the user's sessions on every device: what
    they may do changed, so they sign in again (an admin changing their own account too).
    """
    if role is not None:
        if role not in ROLES:
            raise DomainError(f"Peran '{role}' tidak dikenal.", field="role")
        if role != user.role:
            user.end_sessions()
        user.role = role
    if active is not None:
        if user.active and not active:
            user.end_sessions()
        user.active = active
    if full_name is not None:
        user.full_name = full_name.strip()
    if password:
        validate_password(password)
        user.set_password(password)
        user.end_sessions()
        record_action("password_changed", "users", user.id)
    db.session.flush()
    return user


# Every request of a logged-in user loads them: a statement built once costs about half of
# session.get(), which builds its query anew each time.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def session_user(identifier: str, max_age: timedelta) -> User | None:
    """The user a session or remember-me cookie names (Flask-Login's user loader), or None when
    the cookie is malformed, was issued more than `max_age` ago, or is older than the user's
    last logout, password change, role change or deactivation (its version no longer matches)."""
    parts = (identifier or "").split(":")
    if len(parts) != 3 or not all(part.isdigit() and len(part) <= 18 for part in parts):
        return None
    user_id, version, issued = (int(part) for part in parts)
    if issued < time.time() - max_age.total_seconds():
        return None
    user = db.session.execute(_USER_BY_ID, {"id": user_id}).scalar_one_or_none()
    if user is None or user.session_version != version:
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out on every device (logout): their older cookies stop working."""
    user.end_sessions()
    db.session.flush()
