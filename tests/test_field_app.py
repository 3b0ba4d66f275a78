"""The field app's shell: pages without user data, the manifest, the service worker and the
session probe the phone signs its device in with."""

import json
import re
from pathlib import Path

from logistics.field.app_views import STATIC_DIR

APP_PAGES = ("/lapangan/app/", "/lapangan/app/penyaluran", "/lapangan/app/pengungsi")
MORE_PAGES = ("/lapangan/app/kotak-keluar", "/lapangan/app/offline")


def test_shell_pages_open_without_login_and_hold_no_user_data(client, make_user, login):
    wawan = make_user("tagana", "wawan", full_name="Wawan Setiawan")
    anonymous = {path: client.get(path) for path in APP_PAGES + MORE_PAGES}
    for path, response in anonymous.items():
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert 'type="module"' in body and "/static/field/app.js" in body
        # No inline script: the cached page must run under the strict CSP without a nonce.
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
    login(wawan)
    for path in APP_PAGES:
        body = client.get(path).get_data(as_text=True)
        # The same shell for everyone: one cached copy serves whoever signs in on the phone.
        assert "Wawan" not in body and body == anonymous[path].get_data(as_text=True)


def test_manifest_makes_the_app_installable(client):
    response = client.get("/lapangan/app/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["start_url"] == "/lapangan/app/" and manifest["scope"] == "/lapangan/app/"
    assert manifest["display"] == "standalone" and manifest["lang"] == "id"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width = int.from_bytes(image.data[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]


def test_service_worker_covers_the_site_and_lists_every_app_file(client):
    response = client.get("/lapangan/app/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    release = re.search(r'^const RELEASE = "([0-9a-f]{12})";$', body, re.M)
    assets = json.loads(re.search(r"^const ASSETS = (.*);$", body, re.M).group(1))
    shell = json.loads(re.search(r"^const SHELL = (.*);$", body, re.M).group(1))
    assert release
    files = {p.name for p in Path(STATIC_DIR).iterdir() if p.name != "sw.js"}
    assert {a.rsplit("/", 1)[-1] for a in assets if a.startswith("/static/field/")} == files
    assert "/lapangan/app/manifest.webmanifest" in assets
    assert set(shell) == set(APP_PAGES + MORE_PAGES) and shell[0] == "/lapangan/app/"
    assert shell[-1] == "/lapangan/app/offline"  # the worker's page for office pages offline
    for url in assets + shell:
        assert client.get(url).status_code == 200, url


def test_every_module_the_app_imports_is_kept_offline():
    # A module missing from the worker's list would break the app without signal.
    names = {p.name for p in Path(STATIC_DIR).glob("*.js")}
    for path in Path(STATIC_DIR).glob("*.js"):
        for imported in re.findall(r'from "\./([\w.-]+)"', path.read_text(encoding="utf-8")):
            assert imported in names, f"{path.name} imports {imported}"


def test_session_probe_tells_who_is_signed_in(client, make_user, login):
    anonymous = client.get("/lapangan/app/sesi")
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert anonymous.get_json() == {"user": None, "csrf_token": None}
    # Asking who is signed in starts no session, so it cannot replace a login page's CSRF token.
    assert "Set-Cookie" not in anonymous.headers
    wawan = make_user("tagana", "wawan", full_name="Wawan Setiawan")
    viewer = make_user("pimpinan", "pak_kadis")
    login(wawan)
    body = client.get("/lapangan/app/sesi").get_json()
    assert body["user"]["username"] == "wawan" and body["user"]["name"] == "Wawan Setiawan"
    assert body["user"]["records_field_work"] is True and body["csrf_token"]
    client.post("/keluar")
    login(viewer)
    assert client.get("/lapangan/app/sesi").get_json()["user"]["records_field_work"] is False
