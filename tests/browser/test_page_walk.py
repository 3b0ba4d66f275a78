"""Every page each role can reach, on a 360 px phone: loads, no console error, fits, big tap targets,
and no WCAG 2.1 A/AA violation that axe-core finds."""

import shutil
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select, update

from logistics.admin.models import User
from logistics.areas import imports as area_imports
from logistics.areas.models import Area
from logistics.budget.models import BudgetNode
from logistics.core import jobs
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.queue import (
    BUDGET_IMPORT_DRY_RUN,
    SITREP_GENERATE,
    SPM_REBUILD,
    TAGANA_IMPORT_DRY_RUN,
    VICTIM_IMPORT_DRY_RUN,
)
from logistics.core.time import office_date
from logistics.demo.office import PROFILE, SIGNATORIES
from logistics.demo.seed import seed_demo
from logistics.distributions.models import Distribution
from logistics.events.models import Event, EventArea, EventDecree, HazardType
from logistics.kitchens.models import FieldKitchen
from logistics.office.services import save_profile
from logistics.shelters.models import Shelter
from logistics.spm import aggregates as spm_aggregates
from logistics.spm.aggregates import KELURAHAN
from logistics.spm.models import SpmDaily
from logistics.stock.models import Item, StockDocument, StockLot, Warehouse
from logistics.tagana.models import (
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    TaskReport,
    Vehicle,
)
from logistics.victims.models import Household, Person
from tests.conftest import BOUNDARIES, PASSWORD
from tests.support.browser import PHONE, log_in
from tests.support.office import HEAD_NAME, HEAD_NIP, STRONG_PASSWORD, png_logo

pytestmark = pytest.mark.browser
BEKASI = BOUNDARIES / "kota_bekasi.geojson"

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
# Files the browser saves, never pages: a stored report file and a victim import's rejected rows.
NO_DEMO_VALUE = {"file_id"}
DOWNLOADS = {"victims.import_rejected"}
# A boundary file being loaded: each role's own upload (an upload is its uploader's only).
UPLOAD_PAGES = {"wilayah.preview"}
# A job's page, by endpoint: the kind of job it shows. Each role opens a job of its own (a job
# is visible to whoever started it, and to those who see all jobs).
JOB_PAGES = {
    "jobs.detail": SPM_REBUILD,
    "victims.import_job": VICTIM_IMPORT_DRY_RUN,
    "budget_import.job": BUDGET_IMPORT_DRY_RUN,
    "tagana_import.job": TAGANA_IMPORT_DRY_RUN,
    "sitrep.job_result": SITREP_GENERATE,  # a sitrep job leads to its report's page
}
# Values that are not rows: a download format and a vendored file (both skipped by content type).
FIXED_VALUES = {"fmt": "csv", "filename": "leaflet.js"}
# The first-run wizard exists only in an office without a profile: walked by its own test below.
FIRST_RUN = {"office.setup_office", "office.setup_boundaries"}
# A provinsi office's recap of its kab/kota: the demo is a kota, where it answers 404
# (test_province_recap.py opens it in a provinsi office).
PROVINSI_ONLY = {"province_recap.index", "province_recap.download"}


def _first(query):
    row = db.session.execute(query.limit(1)).first()
    assert row is not None, f"the demo has no row for {query}"
    return row


def _spm_cell() -> dict:
    """A number on the SPM dashboard: the event, day, kelurahan and component it counts."""
    row = _first(
        select(SpmDaily).where(SpmDaily.shelter_key == KELURAHAN, SpmDaily.persons_needing > 0)
    )[0]
    return {
        "kejadian": row.event_id,
        "tanggal": row.day.isoformat(),
        "kelurahan": row.kelurahan_code,
        "komponen": row.component,
    }


def _stock_card() -> dict:
    warehouse_id, item_id = _first(select(StockLot.warehouse_id, StockLot.item_id))
    return {"warehouse_id": warehouse_id, "barang": item_id}


def _decree() -> dict:
    event_id, decree_id = _first(select(EventDecree.event_id, EventDecree.id))
    return {"event_id": event_id, "decree_id": decree_id}


def _impact() -> dict:
    event_id, code = _first(select(EventArea.event_id, EventArea.kelurahan_code))
    return {"event_id": event_id, "code": code}


def _sitrep_day() -> dict:
    event = _first(select(Event).order_by(Event.id))[0]
    return {"event_id": event.id, "day": office_date(event.started_at).isoformat()}


# Pages a bare URL cannot open, by endpoint: the row inside a row (a decree of its event), or the
# query the page that links to them adds. Path arguments and query values, read from the demo.
ENDPOINT_VALUES = {
    "ledger.stock_card": _stock_card,
    "spm.drill_gap": _spm_cell,
    "spm.drill_households": _spm_cell,
    "spm.drill_needing": _spm_cell,
    "spm.drill_delivered": _spm_cell,
    "events.edit_decree": _decree,
    "events.impact": _impact,
    "sitrep.show": _sitrep_day,
    # The deployment whose task report was filed (the others answer 404 by design).
    "tagana.report_pdf": lambda: {"deployment_id": _first(select(TaskReport.deployment_id))[0]},
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


def page_paths(app, role: str, uploads: dict[int, str]) -> tuple[list[str], list[str]]:
    """(the GET pages the role opens, the rules left out for want of demo data), from the url
    map; uploads are the boundary uploads' tokens by user id."""
    paths, missing = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint.split(".")[0] in ("api", "static"):
                continue
            if rule.endpoint in FIRST_RUN | DOWNLOADS | PROVINSI_ONLY:
                continue
            if rule.endpoint in UPLOAD_PAGES:
                user_id = db.session.scalar(select(User.id).where(User.username == role))
                paths.append(rule.build({"token": uploads[user_id]})[1])
                continue
            if rule.endpoint in JOB_PAGES:
                job_id = db.session.scalar(
                    select(JobRecord.id)
                    .join(User, User.id == JobRecord.user_id)
                    .where(User.username == role, JobRecord.func == JOB_PAGES[rule.endpoint])
                )
                paths.append(rule.build({"job_id": job_id})[1])
                continue
            if rule.endpoint in ENDPOINT_VALUES:
                # Query values beyond the rule's arguments go into the query string.
                paths.append(rule.build(ENDPOINT_VALUES[rule.endpoint](), append_unknown=True)[1])
                continue
            values = {}
            for name in rule.arguments:
                if name in NO_DEMO_VALUE:
                    break
                choices = getattr(rule._converters[name], "items", None)
                if choices:
                    values[name] = sorted(choices)[0]  # an any(...) part: one of its values
                elif name in FIXED_VALUES:
                    values[name] = FIXED_VALUES[name]
                elif name in ARGUMENT_ROWS and len(rule.arguments) == 1:
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
def demo_office(app, db) -> dict[int, str]:
    """The demo office with what its pages need that the demo leaves for later; returns the
    tokens of each role's boundary upload, by user id."""
    seed_demo()
    # The demo accounts take the test password, so the shared log-in helper works.
    for user in db.session.scalars(select(User)):
        user.set_password(PASSWORD)
    # What the demo leaves for later, made now: the SPM figures (otherwise the live server's
    # worker makes them while the walk runs) and a letterhead logo.
    spm_aggregates.rebuild()
    # Approximate boundaries, so every map that draws them carries the notice the walk checks.
    db.session.execute(update(Area).where(Area.level == "kelurahan").values(approximate=True))
    save_profile(PROFILE, SIGNATORIES, ("logo.png", png_logo()), app.config["INSTANCE_DIR"])
    # A boundary file each role has uploaded and not yet confirmed (the preview step).
    uploads = {}
    for user in db.session.scalars(select(User).where(User.username.in_(ROLES))):
        choices = {"level": "kelurahan", "version": None, "mapping": None, "layer": None}
        staged = area_imports.stage(app.config["INSTANCE_DIR"], BEKASI.name, choices, user.id)
        shutil.copyfile(BEKASI, staged.path)
        uploads[user.id] = staged.token
    # A job of each kind per role, ended (a file that could not be read), as its page shows it.
    for user in db.session.scalars(select(User).where(User.username.in_(ROLES))):
        for func in JOB_PAGES.values():
            arguments = _sitrep_day() if func == SITREP_GENERATE else {}
            record = jobs.create_job(func, f"Pekerjaan {user.username}", arguments, user.id)
            jobs.mark_failed(record, "berkas tidak terbaca", "Berkas tidak dapat dibaca")
    db.session.commit()
    return uploads


def phone_context(browser, live_server):
    """A 360 px phone whose console errors and page errors land in the returned list."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # No internet in the test: map tiles come from the tile server, answered here with a blank.
    context.route(
        lambda url: url.startswith("http") and not url.startswith(live_server), _blank_tile
    )
    return context, page, errors


def page_problems(page, axe, path: str, errors: list[str]) -> list[str]:
    """What is wrong with the page on screen, by the walk's rules."""
    problems = []
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
    return problems


def walk(page, errors, live_server, paths) -> tuple[int, list[str]]:
    """(pages walked, problems found) for the role signed in on the page."""
    axe = Axe()
    problems, walked = [], 0
    for path in paths:
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
        if status != 200:
            problems.append(f"{path}: status {status}")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a download, an image or an export: it answered, there is no page to check
        walked += 1
        problems += page_problems(page, axe, path, errors)
    return walked, problems


# Four roles' walks in one test (one demo office and server for all): more than one test's time.
@pytest.mark.timeout(1800)
def test_every_page_each_role_reaches_works_on_a_phone(app, demo_office, live_server, browser):
    # One demo office, one live server and one browser for every role: the data is made once.
    problems, timings = [], {}
    for role in ROLES:
        paths, missing = page_paths(app, role, demo_office)
        assert not missing, f"pages without demo data to open them: {missing}"
        assert len(paths) > 100
        started = time.monotonic()
        context, page, errors = phone_context(browser, live_server)
        log_in(page, live_server, role)
        walked, found = walk(page, errors, live_server, paths)
        context.close()
        timings[role] = f"{walked} pages in {time.monotonic() - started:.0f} s"
        print(f"page walk, {role}: {timings[role]}, {len(found)} problems", flush=True)
        assert walked > 10, role
        problems += [f"{role} {p}" for p in found]
    print("page walk per role:", timings)
    assert not problems, "\n".join(problems)


def test_first_run_pages_work_on_a_phone(app, live_server, browser):
    """The setup wizard of an office without a profile or accounts, by the walk's rules."""
    context, page, errors = phone_context(browser, live_server)
    axe = Axe()
    assert page.goto(live_server + "/siapkan").status == 200
    problems = page_problems(page, axe, "/siapkan", errors)
    page.fill("input[name=name]", "Dinas Sosial Kabupaten Serang")
    page.select_option("select[name=level]", "kabupaten")
    page.fill("input[name=area_code]", "36.04")
    page.fill("input[name=kepala_dinas_name]", HEAD_NAME)
    page.fill("input[name=kepala_dinas_nip]", HEAD_NIP)
    page.fill("input[name=username]", "admin.serang")
    page.fill("input[name=password]", STRONG_PASSWORD)
    page.fill("input[name=password_confirm]", STRONG_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server + "/siapkan/batas")
    errors.clear()
    problems += page_problems(page, axe, "/siapkan/batas", errors)
    context.close()
    assert not problems, "\n".join(problems)
