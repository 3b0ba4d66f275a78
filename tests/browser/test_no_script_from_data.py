"""Names holding script (kelurahan, shelters, events, warehouses, items) stay text on every map."""

import os

import pytest

from tests.conftest import PASSWORD
from tests.hostile_data import seed_poisoned_office

pytestmark = pytest.mark.browser
ARTIFACTS = "test-artifacts"

# Reports every Content-Security-Policy violation: an escaping mistake that the policy blocks
# (an inline onerror) shows here even though the payload never runs.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""

# Hover and click every interactive map shape (areas and markers) through Leaflet's own
# event handling, and collect what the opened tooltips and popups show.
EXERCISE = """
() => {
  var shown = [];
  var shapes = Array.from(document.querySelectorAll("path.leaflet-interactive"));
  shapes.forEach(function (path) {
    var box = path.getBoundingClientRect();
    var at = {bubbles: true, cancelable: true, view: window,
              clientX: box.left + box.width / 2, clientY: box.top + box.height / 2};
    ["mouseover", "mousemove"].forEach(function (type) {
      path.dispatchEvent(new MouseEvent(type, at));
    });
    document.querySelectorAll(".leaflet-tooltip").forEach(function (t) { shown.push(t.textContent); });
    ["mousedown", "mouseup", "click"].forEach(function (type) {
      path.dispatchEvent(new MouseEvent(type, at));
    });
    document.querySelectorAll(".leaflet-popup-content").forEach(function (p) { shown.push(p.textContent); });
    path.dispatchEvent(new MouseEvent("mouseout", at));
  });
  // The layer list opens on hover; its names are HTML to Leaflet too.
  document.querySelectorAll(".leaflet-control-layers").forEach(function (c) {
    c.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    shown.push(c.textContent);
  });
  return {shapes: shapes.length, shown: shown};
}
"""


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def visit(page, url: str, dialogs: list, errors: list, with_map: bool) -> list[str]:
    """Open a page, exercise its map, and return the tooltip and popup texts seen."""
    page.goto(url)
    page.wait_for_load_state("load")
    shown: list[str] = []
    if with_map:
        page.wait_for_function(
            "() => document.querySelectorAll('path.leaflet-interactive').length > 0"
        )
        # A real pointer too: hover and click the first few shapes where they are drawn.
        shapes = page.locator("path.leaflet-interactive")
        for i in range(min(shapes.count(), 4)):
            shapes.nth(i).hover(force=True)
            shapes.nth(i).click(force=True)
        result = page.evaluate(EXERCISE)
        assert result["shapes"] > 0
        shown = result["shown"]
    assert page.evaluate("typeof window.__xss") == "undefined", url
    assert page.evaluate("window.__violations") == [], url
    assert dialogs == [], url
    assert errors == [], url
    return shown


def test_names_with_script_stay_text_for_admins_and_the_public(
    browser, live_server, db, make_user, boundaries_dir, tmp_path
):
    os.makedirs(ARTIFACTS, exist_ok=True)
    event_id = seed_poisoned_office(db, boundaries_dir, tmp_path)["event_id"]
    make_user("admin", "kepala")
    db.session.remove()

    map_pages = [
        "/peta",
        f"/kejadian/{event_id}/peta-publik",
        "/peta-wilayah",
        f"/kejadian/{event_id}",
        "/pengungsian/peta",
        f"/tagana/kejadian/{event_id}/papan",
        "/spm/?komponen=semua",  # the gap map comes with the per-kelurahan detail
    ]
    list_pages = [
        "/kejadian/",
        "/kejadian/publik",
        "/pengungsian/",
        "/logistik/gudang",
        "/logistik/barang",
        "/tagana/anggota",
    ]
    public = {"/peta", f"/kejadian/{event_id}/peta-publik", "/kejadian/publik"}
    for role in ("anonymous", "admin"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        dialogs: list[str] = []
        errors: list[str] = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
        if role == "admin":
            log_in(page, live_server, "kepala")
        shown: list[str] = []
        for path in map_pages + list_pages:
            if role == "anonymous" and path not in public:
                continue
            shown += visit(page, live_server + path, dialogs, errors, path in map_pages)
        page.screenshot(path=f"{ARTIFACTS}/no-script-{role}.png", full_page=True)
        # The payloads were on screen, as the text people typed: escaped once, not twice.
        text = "\n".join(shown)
        assert 'onerror="window.__xss=1"' in text, text[:2000]
        assert "<script>window.__xss=1</script>" in text
        assert "${window.__xss=1}" in text
        assert "&lt;" not in text and "&amp;" not in text
        context.close()


def test_page_scripts_run_under_the_policy(browser, live_server, db, make_user):
    """The scripts our pages need (nonce'd blocks, files, confirm before a form posts) run,
    and nothing on these pages breaks the Content-Security-Policy."""
    from sqlalchemy import select

    from logistics.demo.seed import seed_demo
    from logistics.events.models import Event

    seed_demo()
    db.session.commit()
    event_id = db.session.scalar(select(Event.id))
    make_user("admin", "kepala")
    db.session.remove()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, "kepala")

    def clean(url: str) -> None:
        assert page.evaluate("window.__violations") == [], url
        assert errors == [], url

    # The kelurahan picker filters as one types (an inline, nonce'd script).
    page.goto(f"{live_server}/kejadian/{event_id}/wilayah")
    page.fill("#pick-filter", "jatiasih")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.pick-group'))"
        ".some(g => g.style.display === 'none')"
    )
    clean(page.url)

    # Drawing an area: the tool script works with the map's own script.
    page.goto(f"{live_server}/kejadian/{event_id}/gambar")
    page.wait_for_selector(".leaflet-container")
    page.click("#draw-start")
    box = page.locator(".leaflet-container").bounding_box()
    for dx, dy in ((0.4, 0.4), (0.6, 0.4), (0.5, 0.6)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    page.click("#draw-finish")
    assert '"Polygon"' in page.input_value("textarea[name=geometry]")
    clean(page.url)

    for path in (
        "/pengungsian/baru",
        f"/tagana/kejadian/{event_id}/tugaskan",
        "/tagana/tugas-saya",
        "/pekerjaan/",
        "/logistik/lapangan/penyaluran",
        f"/laporan/situasi/kejadian/{event_id}",
        "/spm/",
    ):
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        clean(page.url)

    # Closing an event asks first (data-confirm, bound by posko.js); "Batal" keeps it open.
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server}/kejadian/{event_id}")
    page.click("text=Tutup kejadian")
    assert dialogs == ["Tutup kejadian ini? Fase berubah menjadi pasca bencana."]
    assert page.url == f"{live_server}/kejadian/{event_id}"
    assert page.locator("text=Tutup kejadian").count() == 1
    clean(page.url)
    context.close()
