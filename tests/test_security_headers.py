"""Content-Security-Policy and the other headers on every page; maps carry no live payload."""

import re

import pytest

from geo.maps import tile_origins
from tests.conftest import ROOT
from tests.hostile_data import IMG, SCRIPT, seed_poisoned_office

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def nonce_of(response) -> str | None:
    """The request's nonce; a page without inline scripts needs (and gets) none."""
    nonces = re.findall(r"'nonce-([^']+)'", policy(response)["script-src"])
    assert len(nonces) <= 1
    return nonces[0] if nonces else None


def assert_scripts_allowed(body: str, nonce: str | None) -> None:
    """Every <script> either loads a file from this server or carries this request's nonce."""
    for tag in SCRIPT_TAG.findall(body):
        src = re.search(r'\ssrc="([^"]*)"', tag)
        assert (src and src.group(1).startswith("/")) or (nonce and f'nonce="{nonce}"' in tag), tag


def test_every_response_has_the_policy_and_headers(client):
    for path in ("/masuk", "/peta", "/kejadian/publik", "/sehat", "/tidak-ada"):
        response = client.get(path)
        directives = policy(response)
        assert directives["default-src"] == "'self'"
        assert directives["script-src"].startswith("'self'")
        assert "unsafe-inline" not in directives["script-src"]
        assert "unsafe-eval" not in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'self'"
        assert directives["frame-ancestors"] == "'self'"
        assert directives["form-action"] == "'self'"
        assert set(tile_origins()) <= set(directives["img-src"].split())
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_map_pages_nonce_every_inline_script_anew_per_request(client, bekasi):
    first, second = client.get("/peta"), client.get("/peta")
    assert first.status_code == second.status_code == 200
    assert nonce_of(first) and nonce_of(second) and nonce_of(first) != nonce_of(second)
    body = first.get_data(as_text=True)
    assert "L.map(" in body and "/vendor/leaflet/leaflet.js" in body
    assert_scripts_allowed(body, nonce_of(first))
    # The tiles the map loads come from an origin the policy allows.
    (tiles,) = re.findall(r'L\.tileLayer\(\s*"(https://[^/"]+)/', body)
    assert tiles in policy(first)["img-src"].split()


def test_templates_have_no_inline_event_handlers_or_unnonced_scripts():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert not INLINE_HANDLER.search(source), path
        for tag in SCRIPT_TAG.findall(source):
            assert " src=" in tag or 'nonce="{{ csp_nonce() }}"' in tag, (path, tag)


@pytest.fixture
def poisoned_office(db, boundaries_dir, tmp_path):
    return seed_poisoned_office(db, boundaries_dir, tmp_path)


def test_pages_with_poisoned_names_carry_no_live_payload(poisoned_office, client, as_role):
    event_id = poisoned_office["event_id"]
    admin = as_role("admin")
    pages = [
        (client, "/peta"),
        (client, f"/kejadian/{event_id}/peta-publik"),
        (client, "/kejadian/publik"),
        (admin, "/"),
        (admin, f"/kejadian/{event_id}"),
        (admin, "/pengungsian/peta"),
        (admin, f"/tagana/kejadian/{event_id}/papan"),
        (admin, "/spm/"),
        (admin, "/logistik/gudang"),
        (admin, "/logistik/barang"),
    ]
    for who, path in pages:
        response = who.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert IMG not in body and SCRIPT not in body, path
        assert_scripts_allowed(body, nonce_of(response))

    # The area layers are no part of the page: the browser fetches them as data (GeoJSON, never
    # sniffed as HTML) and the layer script puts their names in tooltips as DOM text.
    body = client.get("/peta").get_data(as_text=True)
    assert "_add({" not in body and '"coordinates"' not in body
    urls = re.findall(r"/peta/publik/[a-z_]+\.geojson\?v=[0-9a-f]+", body)
    assert len(urls) == 2
    names = []
    for url in urls:
        layer = client.get(url, headers={"Accept-Encoding": "identity"})
        assert layer.mimetype == "application/geo+json"
        assert layer.headers["X-Content-Type-Options"] == "nosniff"
        names += [
            value
            for feature in layer.get_json(force=True)["features"]
            for value in feature["properties"].values()
            if isinstance(value, str)
        ]
    assert any(payload in name for payload in (IMG, SCRIPT) for name in names)
    script = (ROOT / "logistics" / "static" / "maps" / "area-layers.js").read_text()
    assert "textContent" in script and "innerHTML" not in script
