"""The installable field app: its shell pages, web app manifest, service worker and session probe."""

import functools
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from logistics.admin.models import WRITER_ROLES
from logistics.core.config import ROOT

bp = Blueprint("field_app", __name__, url_prefix="/lapangan/app")
STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "field"
SHELL_PAGES = (
    ("home", "app_home.html"),
    ("handout", "app_handout.html"),
    ("count", "app_count.html"),
    ("outbox", "app_outbox.html"),
    ("offline", "app_offline.html"),
)
# The worker is one file: this prefix hands it the release and the files it keeps offline.
WORKER_PREFIX = "const RELEASE = {release};\nconst SHELL = {shell};\nconst ASSETS = {assets};\n"


@functools.cache
def release() -> str:
    """A fingerprint of the app's files: a new release installs a new worker and a new cache."""
    digest = hashlib.sha256()
    templates = sorted((ROOT / "templates" / "field").glob("app*.html"))
    for path in sorted(STATIC_DIR.iterdir()) + templates:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _asset_urls() -> list[str]:
    files = sorted(p.name for p in STATIC_DIR.iterdir() if p.name != "sw.js")
    return [url_for("static", filename=f"field/{name}") for name in files] + [
        url_for("field_app.manifest")
    ]


@functools.cache
def modules() -> tuple[str, ...]:
    """The app's ES modules, announced up front so the browser fetches them side by side
    instead of discovering them one import at a time."""
    return tuple(sorted(p.name for p in STATIC_DIR.glob("*.js") if p.name != "sw.js"))


def _shell(page: str, template: str) -> str:
    # The shell holds no user data (the app reads that from the device), so one cached copy
    # serves whoever signs in on the phone.
    return render_template(f"field/{template}", page=page, modules=modules())


@bp.get("/")
def home():
    return _shell(*SHELL_PAGES[0])


@bp.get("/penyaluran")
def handout():
    return _shell(*SHELL_PAGES[1])


@bp.get("/pengungsi")
def count():
    return _shell(*SHELL_PAGES[2])


@bp.get("/kotak-keluar")
def outbox():
    return _shell(*SHELL_PAGES[3])


@bp.get("/offline")
def offline():
    return _shell(*SHELL_PAGES[4])


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": f"Posko Lapangan · {current_app.config['OFFICE_NAME']}",
        "short_name": "Posko Lapangan",
        "description": "Catat penyaluran, hitung pengungsi dan tugas Tagana tanpa sinyal.",
        "lang": "id",
        "start_url": url_for("field_app.home"),
        "scope": url_for("field_app.home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "icons": [
            {
                "src": url_for("static", filename=f"field/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    shell = [url_for(f"field_app.{page}") for page, _ in SHELL_PAGES]
    prefix = WORKER_PREFIX.format(
        release=json.dumps(release()), shell=json.dumps(shell), assets=json.dumps(_asset_urls())
    )
    body = prefix + (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    response = Response(body, mimetype="text/javascript")
    # Scope "/" lets the worker tell a person offline that the office pages need signal.
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sesi")
def session_probe():
    """Who is signed in on this browser and the CSRF token for registering the device."""
    user = None
    if current_user.is_authenticated:
        user = {
            "id": current_user.id,
            "username": current_user.username,
            "name": current_user.full_name or current_user.username,
            "role": current_user.role,
            "records_field_work": current_user.role in WRITER_ROLES,
        }
    # No token for a visitor who is not signed in: making one starts a session cookie, and a probe
    # answered while the same browser opens the login page would replace that page's token.
    token = generate_csrf() if user is not None else None
    response = jsonify({"user": user, "csrf_token": token})
    response.headers["Cache-Control"] = "no-store"
    return response
