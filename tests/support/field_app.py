"""Driving the field app on a phone: cutting the network (service worker included) and waiting."""

import time

from tests.support.browser import ARTIFACTS, fits_the_screen
from tests.support.distributions import KEL, make_world
from tests.support.tagana import deploy, make_member, make_shelter, wib

APP = "/lapangan/app/"


def cut_network(context) -> None:
    """No signal: the browser is offline and every request, the service worker's too, fails.

    `set_offline` alone leaves the worker's own fetches going out, so they are aborted as well.
    """
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def restore_network(context) -> None:
    context.unroute("**/*")
    context.set_offline(False)


def wait_for_worker(page) -> None:
    """Until the service worker controls the page and has kept the app's files."""
    page.wait_for_function(
        "async () => { const r = await navigator.serviceWorker.ready;"
        " return !!navigator.serviceWorker.controller && !!r.active; }"
    )
    page.wait_for_function(
        "async () => { const names = await caches.keys();"
        " return names.some((n) => n.startsWith('posko-field-')); }"
    )


def open_app(page, url: str) -> float:
    """Seconds from navigation until the app has drawn its screen from what the phone holds."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    return time.perf_counter() - started


def field_world(db, make_event, make_user):
    """make_world plus a Tagana coordinator deployed to a shelter in the family's kelurahan."""
    from logistics.core.time import office_now

    world = make_world(db, make_event, make_user)
    user = make_user("tagana", "wawan", full_name="Wawan Setiawan")
    shelter = make_shelter(world.event, "SDN Bekasijaya 1", KEL)
    member = make_member("3275-2026-013", "Wawan Setiawan", user_id=user.id)
    now = office_now()
    deploy(member, world.event, shelter, wib(now.year, now.month, now.day, 0, 0))
    return world, user, shelter


def office_hand_out(db, office: dict, warehouse_id: int, item: str, quantity: int) -> None:
    """The office hands out from the same warehouse while the phone is offline."""
    from logistics.admin.models import User
    from logistics.core.database import transaction
    from logistics.distributions.services import parse_hand_out, record_distribution

    body = {
        "event_id": office["event_id"],
        "component": "sandang",
        "person_id": office["person_id"],
        "warehouse_id": warehouse_id,
        "lines": [{"item_id": item, "quantity": quantity}],
    }
    with transaction():
        record_distribution(parse_hand_out(body), db.session.get(User, office["operator"]))
    db.session.remove()


def wait_until_settled(page) -> None:
    """Until the outbox holds nothing waiting or being sent."""
    page.wait_for_function(
        "() => document.querySelector('[data-pending]').dataset.waiting === '0'"
        " && !document.querySelector('[data-state=mengirim]')"
    )


def open_signed_in(page, base: str) -> None:
    """Open the app online and wait until it has signed the device in and fetched the data."""
    page.goto(base + APP)
    page.wait_for_function("() => Number(document.body.dataset.synced || 0) >= 1")
    page.wait_for_function(
        "() => (document.querySelector('[data-reference-label]').textContent || '')"
        ".startsWith('data per')"
    )
    wait_for_worker(page)


def record_hand_out(page, base: str, query: str, component: str, item: str, quantity: str):
    page.goto(base + APP + "penyaluran")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.fill("input[name=q]", query)
    page.click(".candidate button")
    page.select_option("select[name=component]", component)
    row = page.locator(".line-row").first
    if item is None:  # the first item the warehouse holds
        row.locator("select").select_option(index=1)
    else:
        row.locator("select").select_option(label=item)
    row.locator("input").fill(quantity)
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/field-app-hand-out-360.png", full_page=True)
    page.click("[data-handout-form] button[type=submit]")
    page.wait_for_selector("[data-notice]:has-text('Tersimpan di ponsel')")


def state_of(page, summary_part: str) -> str:
    return page.locator(f".record:has-text('{summary_part}')").get_attribute("data-state")


def phone_store(page, store: str, key=None):
    """A value (or with no key, every value) of the phone's IndexedDB store."""
    return page.evaluate(
        "async ([store, key]) => { const db = await import('/static/field/db.js');"
        " return key === null ? db.getAll(store) : (await db.get(store, key)) ?? null; }",
        [store, key],
    )
