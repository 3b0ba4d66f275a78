"""Role checks for views and the API."""

from functools import wraps

from flask import abort
from flask_login import current_user

from logistics.extensions import login_manager


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
