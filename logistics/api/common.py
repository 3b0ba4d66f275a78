"""Helpers shared by the API modules: arguments, JSON bodies, login and role checks."""

from decimal import Decimal
from functools import wraps

from flask import jsonify, request
from flask_login import current_user

from logistics.errors import DomainError


def float_arg(name: str) -> float:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        raise DomainError(f"Parameter '{name}' wajib diisi.", field=name)
    try:
        return float(raw.replace(",", "."))
    except ValueError as exc:
        raise DomainError(
            f"Parameter '{name}' harus berupa angka, bukan '{raw}'.", field=name
        ) from exc


def json_number(value: Decimal | None):
    """A stored quantity as JSON: an int when whole, else a float; None stays None."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def json_payload() -> dict:
    """The request's JSON object, or a 422 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("Badan permintaan harus berupa objek JSON.")
    return data


def api_login_required(*roles: str):
    """401 JSON for anonymous callers; 403 JSON when roles are given and the user has none."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                body = {"error": "unauthorized", "message": "Silakan masuk terlebih dahulu."}
                return jsonify(body), 401
            if roles and current_user.role not in roles:
                body = {"error": "forbidden", "message": "Peran Anda tidak boleh melakukan ini."}
                return jsonify(body), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator
