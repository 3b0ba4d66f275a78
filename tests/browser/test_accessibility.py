"""WCAG 2.1 A/AA on the demo office, for each role at desktop width, and the keyboard
walk: the menu closes with Escape and when focus leaves it, maps hold no unnamed tab stops,
detail pages show their trail, and each role's menu is its own."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import url_for
from sqlalchemy import select

from logistics.core.nav import MODULES, menu_for
from logistics.demo.seed import DEMO_PASSWORD, seed_demo
from tests.support.browser import log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 360, "height": 740}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Detail pages every role opens: (endpoint, model, argument name).
DETAILS = (
    ("events.detail", "logistics.events.models:Event", "event_id"),
    ("shelters.detail", "logistics.shelters.models:Shelter", "shelter_id"),
    ("stock.warehouse_detail", "logistics.stock.models.catalogue:Warehouse", "warehouse_id"),
    ("victims.household", "logistics.victims.models:Household", "household_id"),
    ("tagana.deployment", "logistics.tagana.models:Deployment", "deployment_id"),
    ("distributions.detail", "logistics.distributions.models:Distribution", "distribution_id"),
)


def _model(path: str):
    module, name = path.split(":")
    return getattr(__import__(module, fromlist=[name]), name)


@pytest.fixture
def demo(app, db):
    """The Kota Bekasi demo office; its four accounts log in with DEMO_PASSWORD."""
    seed_demo()
    db.session.commit()
    with app.test_request_context():
        details = [
            url_for(endpoint, **{arg: db.session.scalar(select(_model(model).id).limit(1))})
            for endpoint, model, arg in DETAILS
        ]
        menus = {
            role: [
                url_for(MODULES[key][1])
                for _title, keys in menu_for(role, "kota")  # the demo is Kota Bekasi
                for key in keys
                # The phone app's shell is a page of its own with its own checks.
                if key != "field_app"
            ]
            for role in ("admin", "operator", "pimpinan", "tagana")
        }
    db.session.remove()
    return {"details": details, "menus": menus}


def new_page(browser, base: str, role: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(60_000)
    # No internet here: the background tiles fail fast, the vector layers still draw.
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, base, role, DEMO_PASSWORD)
    return context, page


def test_pages_of_each_role_have_no_wcag_violations(browser, demo, live_server):
    """Every role's menu pages and the detail pages at desktop width, on one demo office (the
    phone width is scanned page by page in the walk of every page, test_page_walk.py)."""
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    found = []
    for role in ("admin", "operator", "pimpinan", "tagana"):
        context, page = new_page(browser, live_server, role, DESKTOP)
        for path in dict.fromkeys(demo["menus"][role] + demo["details"]):
            response = page.goto(live_server + path, wait_until="load")
            assert response.status == 200, (role, path, response.status)
            results = axe.run(page, options=options)
            if results.violations_count:
                found.append(f"{role} {path}:\n{results.generate_report()}")
        # The scanner itself works on these pages: a box without a label is caught.
        page.evaluate(
            "() => document.querySelector('main').append(document.createElement('input'))"
        )
        assert "label" in {v["id"] for v in axe.run(page, options=options).response["violations"]}
        context.close()
    assert not found, "\n".join(found)


def test_phone_menu_closes_with_escape_and_when_focus_leaves(browser, demo, live_server):
    context, page = new_page(browser, live_server, "operator", PHONE)
    toggle = page.locator("[data-nav-toggle]")
    menu = page.locator("#main-nav")
    assert menu.is_hidden()
    toggle.click()
    assert menu.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    # Opening moves focus into the menu; Escape closes it and hands focus back to the toggle.
    assert page.evaluate("() => document.activeElement.closest('#main-nav') !== null")
    page.keyboard.press("Escape")
    assert menu.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.hasAttribute('data-nav-toggle')")
    # Tabbing past the last item (Keluar) leaves the menu, which closes behind it.
    toggle.click()
    page.locator("#main-nav button[type=submit]").focus()
    page.keyboard.press("Tab")
    assert menu.is_hidden()
    context.close()


def test_desktop_shows_the_menu_without_a_click(browser, demo, live_server):
    context, page = new_page(browser, live_server, "operator", DESKTOP)
    assert page.locator("[data-nav-toggle]").is_hidden()
    assert page.locator("#main-nav >> text=Kejadian Bencana").is_visible()
    context.close()


def test_home_map_has_no_polygon_tab_stops_and_indonesian_zoom(browser, demo, live_server):
    context, page = new_page(browser, live_server, "operator", DESKTOP)
    page.goto(live_server + "/peta-wilayah")
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 56"
    )
    assert page.get_attribute(".leaflet-control-zoom-in", "aria-label") == "Perbesar"
    assert page.get_attribute(".leaflet-control-zoom-out", "aria-label") == "Perkecil"
    # Walk the page with Tab from the map onwards: never an SVG shape.
    page.focus(".leaflet-container")
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => document.activeElement.tagName.toLowerCase()"))
    assert "path" not in stops and "svg" not in stops, stops
    # The keyboard user gets the text list instead, one row per kelurahan.
    page.click("summary:has-text('Daftar kelurahan/desa di peta')")
    assert page.locator(".map-list table").first.locator("tbody tr").count() == 56
    context.close()


def test_detail_page_shows_its_breadcrumbs(browser, demo, live_server):
    context, page = new_page(browser, live_server, "pimpinan", PHONE)
    shelter = next(p for p in demo["details"] if p.startswith("/pengungsian/"))
    page.goto(live_server + shelter)
    trail = page.locator("nav[aria-label='Jejak halaman'] li")
    labels = trail.all_inner_texts()
    assert labels[:2] == ["Beranda", "Kejadian Bencana"] and "Pengungsian" in labels
    assert trail.last.locator("[aria-current=page]").count() == 1
    page.click("nav[aria-label='Jejak halaman'] >> text=Pengungsian")
    page.wait_for_url("**/pengungsian/")
    context.close()


def test_tagana_menu_has_their_tasks_and_no_budget(browser, demo, live_server):
    context, page = new_page(browser, live_server, "tagana", DESKTOP)
    items = page.locator("#main-nav li").all_inner_texts()
    assert items[0] == "Tugas saya"
    assert "Anggaran" not in items and "Wilayah" not in items
    page.click("#main-nav >> text=Tugas saya")
    page.wait_for_url("**/tagana/tugas-saya")
    context.close()
