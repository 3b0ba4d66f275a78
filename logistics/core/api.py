"""The JSON API blueprint under /api/v1, its OpenAPI document, and the helpers every domain API uses."""

import functools
import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import wraps
from pathlib import Path

from flask import Blueprint, jsonify, request
from flask_login import current_user

from logistics.core.errors import DomainError
from logistics.core.schema_api import check_request, validate_request

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Malformed input is refused here, against the document, before any view or service sees it.
bp.before_request(validate_request)
PACKAGE_DIR = Path(__file__).resolve().parents[1]


@functools.cache
def openapi_document() -> dict:
    """core/openapi.json plus every domain's fragments (`<domain>/*openapi.json`), read once;
    callers must not change it."""
    document = json.loads((PACKAGE_DIR / "core" / "openapi.json").read_text(encoding="utf-8"))
    for path in sorted(PACKAGE_DIR.glob("*/*openapi.json")):
        if path.parent.name == "core":
            continue
        fragment = json.loads(path.read_text(encoding="utf-8"))
        document["paths"].update(fragment.get("paths", {}))
        for kind, items in fragment.get("components", {}).items():
            document["components"].setdefault(kind, {}).update(items)
    return document


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


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


def json_timestamp(value: datetime | None) -> str | None:
    """A stored timestamp (naive UTC) as ISO 8601 with its offset, so no client reads it as
    local time; None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat()


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
            check_request()
            return view(*args, **kwargs)

        # The blueprint's before_request leaves the schema check to this decorator.
        wrapped.checks_schema = True
        return wrapped

    return decorator
