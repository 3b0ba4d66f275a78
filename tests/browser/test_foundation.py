"""What an operator does first: log in, see the map, preview and load boundaries, watch the job."""

import os

import pytest

from tests.conftest import PASSWORD
from tests.support.browser import open_menu

pytestmark = pytest.mark.browser
ARTIFACTS = "test-artifacts"


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1280, 800)])
def test_login_map_and_boundary_load(
    browser, live_server, make_user, db, boundaries_dir, width, height
):
    from logistics.areas.services import load_demo_areas
    from tests.conftest import ROOT

    os.makedirs(ARTIFACTS, exist_ok=True)
    # An office without its own boundaries yet: approximate areas around one point per kelurahan.
    load_demo_areas(ROOT / "data" / "bekasi_gazetteer.csv")
    db.session.commit()
    make_user("operator", "siti")
    db.session.remove()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(30_000)
    # No internet for map tiles here: the polygons must show without them.
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())

    page.goto(live_server + "/")
    assert "/masuk" in page.url
    page.fill("input[name=username]", "siti")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    # The operator's home is the work queue; the office map is one link away.
    page.click("text=Peta wilayah kerja kantor")
    page.wait_for_url(live_server + "/peta-wilayah")

    # The folium map rendered with Leaflet served by Posko itself, polygons drawn, legend shown.
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 56"
    )
    # The page carries no geometry: the outlines come from the cached layer endpoint.
    fetched = "performance.getEntriesByType('resource').map(e => e.name)"
    assert any("/peta/lapisan/" in url for url in page.evaluate(fetched))
    body = page.inner_text("body")
    assert "perkiraan" in body.lower()
    page.screenshot(path=f"{ARTIFACTS}/home-{width}.png", full_page=True)

    # Navigation lives in the menu; the phone layout keeps it one tap away.
    open_menu(page)
    page.click("text=Wilayah")
    page.click("text=Muat berkas batas")
    page.set_input_files("input[name=file]", str(boundaries_dir / "kota_bekasi.geojson"))
    page.fill("input[name=version]", "Kepmendagri 2025")
    page.click("main button[type=submit]")

    # The preview: the file's areas on a map and the report; nothing is stored before confirming.
    page.wait_for_url("**/wilayah/muat/**")
    page.wait_for_function(
        "() => document.querySelectorAll('.map-frame path.leaflet-interactive').length >= 56"
    )
    # The approximate demo areas are replaced by the real outlines.
    assert "56 wilayah tingkat Kelurahan/Desa: 0 baru, 56 diperbarui" in page.inner_text("main")
    page.screenshot(path=f"{ARTIFACTS}/preview-{width}.png", full_page=True)
    page.click("text=Simpan sebagai versi baru")

    # The job page polls and shows the finished load with its result.
    page.wait_for_url("**/pekerjaan/**")
    page.wait_for_selector(".status-finished", timeout=120_000)
    # The page reloads itself once the job ends; wait for the server's page before using the menu.
    page.wait_for_selector(".progress[data-done='true']", timeout=30_000)
    assert "56 wilayah dimuat" in page.inner_text("body")
    page.screenshot(path=f"{ARTIFACTS}/job-{width}.png", full_page=True)

    open_menu(page)
    page.click("text=Pekerjaan latar")
    assert "Selesai" in page.inner_text(".jobs")
    page.goto(live_server + "/peta-wilayah")
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 56"
    )
    assert "perkiraan" not in page.inner_text("main").lower().split("sumber batas")[-1][:200]
    context.close()
