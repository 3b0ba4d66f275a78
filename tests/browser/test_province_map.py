"""A provinsi office's area map in Chromium at 360 px and on a desktop: kab/kota outlines first,
desa once zoomed in, fetched from the layer endpoints, without a console error."""

import base64

import pytest

from tests.support.browser import ARTIFACTS, log_in
from tests.support.provinces import load_bengkulu

pytestmark = pytest.mark.browser

# Three kabupaten of Bengkulu, 617 desa: more than a city's whole grid, so drawn as a province.
KABUPATEN = ("17.03", "17.04", "17.05")
SIZES = [(360, 740), (1366, 800)]
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _paths(page, pane: str) -> int:
    return page.evaluate(f"() => document.querySelectorAll('.leaflet-{pane}-pane path').length")


def test_the_province_map_starts_with_kab_kota_and_shows_desa_zoomed_in(
    browser, app, db, tmp_path, make_user, live_server
):
    from sqlalchemy import select

    from logistics.areas.models import Area

    load_bengkulu(tmp_path, KABUPATEN)
    make_user("operator", "op-prov")
    spot = db.session.execute(
        select(Area.label_lat, Area.label_lng)
        .where(Area.level == "kelurahan", Area.code.startswith(KABUPATEN[-1] + "."))
        .order_by(Area.code)
    ).first()
    db.session.commit()
    for width, height in SIZES:
        _walk_the_map(browser, live_server, tuple(spot), width, height)


def _walk_the_map(browser, live_server, spot, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    # Blank background tiles: the machine may have no internet, and the areas are the test.
    context.route(
        "**/*tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "op-prov")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(live_server + "/peta-wilayah")
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-poskoKabKota-pane path').length === 3"
    )
    # At province zoom: the three kab/kota outlines, no desa and no kecamatan yet.
    assert _paths(page, "poskoDesa") == 0 and _paths(page, "poskoKecamatan") == 0
    assert not any("/kelurahan.geojson" in url for url in fetched)
    page.screenshot(path=f"{ARTIFACTS}/province-map-{width}.png")
    # Zoomed in on one desa: the desa of the kab/kota in view only, with their kecamatan.
    # Leaflet drops a setView made while the page's own fitBounds is still animating, so it is
    # asked again until the map is there.
    page.wait_for_function(
        """([lat, lng]) => {
            const box = document.querySelector('.leaflet-container');
            const map = Object.values(window).find(v => v && v._container === box);
            if (map.getZoom() !== 13) { map.setView([lat, lng], 13, {animate: false}); }
            return map.getZoom() === 13;
        }""",
        arg=list(spot),
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-poskoDesa-pane path').length > 0"
    )
    desa_requests = [url for url in fetched if "/kelurahan.geojson" in url]
    assert desa_requests and all("induk=17.0" in url for url in desa_requests)
    assert len(desa_requests) < len(KABUPATEN)
    # Its kecamatan come in their own request, drawn as outlines over the desa.
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-poskoKecamatan-pane path').length > 0"
    )
    # The desa under the pointer (the map's centre): its tooltip names kecamatan and kab/kota.
    box = page.locator(".leaflet-container").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Another kab/kota's desa may arrive first: wait for the desa under the centre itself.
    page.wait_for_function(
        """([x, y]) => !!document.elementFromPoint(x, y)?.closest('.leaflet-poskoDesa-pane')""",
        arg=list(centre),
    )
    page.mouse.move(centre[0] - 5, centre[1] - 5)
    page.mouse.move(*centre)
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for()
    assert "Kec. " in tooltip.inner_text() and "Kabupaten" in tooltip.inner_text()
    page.screenshot(path=f"{ARTIFACTS}/province-map-desa-{width}.png")
    assert errors == [], errors
    context.close()
