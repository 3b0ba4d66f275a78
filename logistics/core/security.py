"""Role checks for views and the API, and who acts in a request (for the audit trail)."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, has_request_context, request
from flask_login import current_user

from logistics.core.extensions import login_manager


def roles_required(*roles: str):
    """Only logged-in users with one of the roles; others get 401/403 (JSON under /api/)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def local_target(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: a crafted `next` link must not
    send someone elsewhere ("//host" and "/\\host" leave the site in a browser)."""
    target = target or ""
    parts = urlsplit(target)
    safe = target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target
    return target if safe and not parts.netloc and not parts.scheme else default


def request_actor() -> tuple[int | None, str, str | None] | None:
    """(user id, name, client IP) of the request's signed-in user, "anonim" when none; None
    outside a request. The audit trail asks this whenever it writes an entry."""
    if not has_request_context():
        return None
    ip = request.remote_addr
    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username, ip
    return None, "anonim", ip
