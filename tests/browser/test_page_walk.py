"""Every page each role can reach, on a 360 px phone: loads, no console error, fits, big tap targets,
and no WCAG 2.1 A/AA violation that axe-core finds."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from logistics.admin.models import User
from logistics.budget.models import BudgetNode
from logistics.core.extensions import db
from logistics.demo.seed import seed_demo
from logistics.distributions.models import Distribution
from logistics.events.models import Event, EventDecree, HazardType
from logistics.kitchens.models import FieldKitchen
from logistics.shelters.models import Shelter
from logistics.stock.models import Item, StockDocument, Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana, TaganaMember, Vehicle
from logistics.victims.models import Household, Person
from tests.conftest import PASSWORD
from tests.support.browser import PHONE, log_in

pytestmark = pytest.mark.browser

ROLES = ["admin", "operator", "pimpinan", "tagana"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# The value of each route argument (model, column), read from the demo office. A page with an
# argument missing here fails the walk, so a new page cannot be left out by accident.
ARGUMENT_ROWS = {
    "event_id": (Event, "id"),
    "shelter_id": (Shelter, "id"),
    "warehouse_id": (Warehouse, "id"),
    "item_id": (Item, "id"),
    "document_id": (StockDocument, "id"),
    "distribution_id": (Distribution, "id"),
    "household_id": (Household, "id"),
    "person_id": (Person, "id"),
    "kitchen_id": (FieldKitchen, "id"),
    "member_id": (TaganaMember, "id"),
    "deployment_id": (Deployment, "id"),
    "vehicle_id": (Vehicle, "id"),
    "ksb_id": (KampungSiagaBencana, "id"),
    "hazard_id": (HazardType, "id"),
    "decree_id": (EventDecree, "id"),
    "user_id": (User, "id"),
    "code": (BudgetNode, "code"),
}
# Arguments the demo holds no value for: a background job's id exists only after someone starts
# an import or a report, an upload token only while a boundary file is being loaded, and a stored
# report file (a download, which the walk would skip) only after someone generates one.
NO_DEMO_VALUE = {"job_id", "token", "file_id"}
# Values that are not rows: a download format and a vendored file (both skipped by content type).
FIXED_VALUES = {"fmt": "csv", "filename": "leaflet.js"}

# Pages a bare URL cannot open, by endpoint: they need a query the page that links to them adds,
# or data the demo does not hold. Each answers 4xx on its own, by design.
NEEDS_MORE = {
    "ledger.stock_card": "the item (?barang=) whose card to show",
    "spm.drill_gap": "the SPM component and area of the number it explains",
    "spm.drill_households": "the SPM component and area of the number it explains",
    "spm.drill_needing": "the SPM component and area of the number it explains",
    "spm.drill_delivered": "the SPM component and area of the number it explains",
    "office.setup_office": "an office without a profile (first run only)",
    "office.setup_boundaries": "an office without a profile (first run only)",
    "office.logo": "an uploaded letterhead logo",
    "tagana.report_pdf": "a task report written for the deployment",
}


def rule_of(app, path: str) -> str:
    return app.url_map.bind("localhost").match(path)[0]


# The outermost elements that reach past the screen's right edge (what to fix when a page is wide).
TOO_WIDE = """() => [...document.body.querySelectorAll("*")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
  .slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""

# On a phone a map's scale bar must not sit under its attribution line, and the approximate-
# boundaries notice starts folded so it does not cover the top of the map.
MAP_CONTROLS_CLASH = """() => {
  const found = [];
  for (const map of document.querySelectorAll(".leaflet-container")) {
    const scale = map.querySelector(".leaflet-control-scale");
    const credit = map.querySelector(".leaflet-control-attribution");
    if (scale && credit) {
      const a = scale.getBoundingClientRect(), b = credit.getBoundingClientRect();
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      if (overlap) found.push("scale bar under the attribution");
    }
    const notice = map.querySelector(".posko-map-notice details");
    if (notice && notice.open) found.push("map notice open on a phone");
  }
  return found.join(", ");
}"""

# Visible interactive elements lower than 44 px on the phone, except inline links in running
# text (inside <p>, where the line around them is the target and WCAG 2.5.5 exempts them) and the
# map's licence line (Leaflet's attribution, text that must stay small to leave the map visible).
SMALL_TARGETS = """() => {
  const found = [];
  const selector = "a[href], button, input, select, textarea, summary, [role=button]";
  for (const el of document.querySelectorAll(selector)) {
    if (el.type === "hidden" || el.closest("p, .leaflet-control-attribution")) continue;
    // Not shown: inside a closed <details> (content-visibility), display:none or hidden.
    if (!el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) continue;
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // A check box or radio is tapped through its label.
    if (el.type === "checkbox" || el.type === "radio") {
      const label = el.closest("label") || document.querySelector(`label[for="${el.id}"]`);
      if (label) box = label.getBoundingClientRect();
    }
    if (box.height < 43.5) {  // half a pixel for sub-pixel layout rounding
      const text = (el.innerText || el.value || el.name || el.getAttribute("aria-label") || "");
      const where = el.className || (el.parentElement && el.parentElement.className) || "";
      found.push(`${el.tagName.toLowerCase()}.${where} "${text.trim().slice(0, 20)}" ${box.height.toFixed(1)}px`);
    }
  }
  return found;
}"""


def page_paths(app) -> tuple[list[str], list[str]]:
    """(the GET pages to open, the rules left out for want of demo data), from the url map."""
    paths, missing = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint.split(".")[0] in ("api", "static"):
                continue
            if len(rule.arguments) > 1:
                continue  # pages of a row inside a row (a decree of an event): reached from there
            values = {}
            for name in rule.arguments:
                if name in NO_DEMO_VALUE:
                    break
                choices = getattr(rule._converters[name], "items", None)
                if choices:
                    values[name] = sorted(choices)[0]  # an any(...) part: one of its values
                elif name in FIXED_VALUES:
                    values[name] = FIXED_VALUES[name]
                elif name in ARGUMENT_ROWS:
                    model, column = ARGUMENT_ROWS[name]
                    value = db.session.scalar(select(getattr(model, column)).limit(1))
                    if value is None:
                        missing.append(f"{rule.rule} (no {model.__name__})")
                        break
                    values[name] = value
                else:
                    missing.append(f"{rule.rule} (no value for {name})")
                    break
            else:
                paths.append(rule.build(values, append_unknown=False)[1])
    return paths, missing


# A 1x1 transparent PNG.
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def _blank_tile(route):
    route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)


@pytest.fixture
def demo_office(app, db):
    seed_demo()
    # The demo accounts take the test password, so the shared log-in helper works.
    for user in db.session.scalars(select(User)):
        user.set_password(PASSWORD)
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_works_on_a_phone(app, demo_office, live_server, browser, role):
    paths, missing = page_paths(app)
    assert not missing, f"pages without demo data to open them: {missing}"
    assert len(paths) > 100
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    # No internet in the test: map tiles come from the tile server, answered here with a blank.
    context.route(
        lambda url: url.startswith("http") and not url.startswith(live_server), _blank_tile
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, role)
    axe = Axe()
    problems, walked = [], 0
    for path in paths:
        if rule_of(app, path) in NEEDS_MORE:
            continue
        errors.clear()
        try:
            response = page.goto(live_server + path, wait_until="load")
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file the browser saves (attachment): not a page
            raise
        status = response.status
        if status == 403:
            continue  # not this role's page
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/html"):
            continue  # a download or an export
        walked += 1
        if status != 200:
            problems.append(f"{path}: status {status}")
            continue
        if errors:
            problems.append(f"{path}: console errors {errors[:3]}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide, because of {page.evaluate(TOO_WIDE)}")
        clash = page.evaluate(MAP_CONTROLS_CLASH)
        if clash:
            problems.append(f"{path}: {clash}")
        small = page.evaluate(SMALL_TARGETS)
        if small:
            problems.append(f"{path}: {len(small)} small targets, e.g. {small[:4]}")
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            found = [f"{v['id']} at {v['nodes'][0]['target']}" for v in violations]
            problems.append(f"{path}: WCAG 2.1 AA {found}")
    context.close()
    assert walked > 10
    assert not problems, "\n".join(problems)
