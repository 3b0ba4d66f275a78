"""JSON API under /api/v1: one module per domain on one blueprint, described by openapi/*.json."""

import importlib
import json
import pkgutil
from pathlib import Path

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI_DIR = Path(__file__).with_name("openapi")


def openapi_document() -> dict:
    """base.json plus every domain's fragment (paths and component schemas)."""
    document = json.loads((OPENAPI_DIR / "base.json").read_text(encoding="utf-8"))
    for path in sorted(OPENAPI_DIR.glob("*.json")):
        if path.name == "base.json":
            continue
        fragment = json.loads(path.read_text(encoding="utf-8"))
        document["paths"].update(fragment.get("paths", {}))
        for kind, items in fragment.get("components", {}).items():
            document["components"].setdefault(kind, {}).update(items)
    return document


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


# Each domain module adds its routes to bp; importing them all here keeps registration in one place.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
