"""Role checks for views and the API, and who acts in a request (for the audit trail)."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, has_request_context, request
from flask_login import current_user

from logistics.core.extensions import login_manager
from logistics.core.office import office_info
from logistics.core.scope import READ_METHODS, WHOLE_OFFICE, Scope, check_view_args


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


def user_scope() -> Scope:
    """The wilayah scope of the request's signed-in user; the whole office area for anyone else
    (anonymous visitors only reach public pages, which show the whole office's public figures)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.scope
    return WHOLE_OFFICE


def request_scope() -> str | None:
    """The signed-in user's scope as the audit log writes it; None outside a request."""
    return user_scope().label if has_request_context() else None


def reads_only(view):
    """Mark a POST view that only shows data (revealing a NIK): the scope guard treats it as a
    read, so a user who may see the record, or holds a break-the-glass grant, may use it."""
    view.scope_reads_only = True
    return view


def enforce_scope() -> None:
    """Before every view: a route naming a record by id (event_id, victim_id, ...) answers 404
    for a record outside the user's see scope and 403 for a write outside the record scope."""
    if request.view_args and current_user and current_user.is_authenticated:
        view = current_app.view_functions.get(request.endpoint)
        method = "GET" if getattr(view, "scope_reads_only", False) else request.method
        check_view_args(current_user.scope, current_user.id, request.view_args, method)


def require_visible(parameter: str, record_id: int | None) -> None:
    """The scope guard for an id that arrives in a form or JSON body instead of the URL (a
    household_id, an event_id): 404 when the signed-in user may not see that record."""
    if record_id is not None and current_user and current_user.is_authenticated:
        check_view_args(current_user.scope, current_user.id, {parameter: record_id}, "GET")


def whole_office_only() -> None:
    """Before a view of what belongs to the office as a whole (its budget, its boundary loads):
    a user scoped to part of the office area may not read it, and may change it only when they
    record in all of it (403). Anonymous requests go on to the view's own login check."""
    if not (current_user and current_user.is_authenticated):
        return
    office = office_info().area_code
    scope = current_user.scope
    allowed = scope.sees(office) if request.method in READ_METHODS else scope.records(office)
    if not allowed:
        abort(403)


def whole_office_required(view):
    """`whole_office_only` as a view decorator (for routes on a shared blueprint)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        whole_office_only()
        return view(*args, **kwargs)

    return wrapped


def require_writable(parameter: str, record_id: int | None) -> None:
    """The scope guard of a write to a record named in a form or JSON body (a person to merge):
    404 outside what the user sees, 403 outside what they record."""
    if record_id is not None and current_user and current_user.is_authenticated:
        check_view_args(current_user.scope, current_user.id, {parameter: record_id}, "POST")


def require_in_scope(ids: dict[str, int | None], codes=()) -> None:
    """Before a write from a form or JSON body: every record it names ({"event_id": 3,
    "household_id": 9}) must be visible to the user (else 404) and every area code it writes
    must lie in their record scope (else 403)."""
    for parameter, record_id in ids.items():
        require_visible(parameter, record_id)
    user_scope().require_records(codes)
