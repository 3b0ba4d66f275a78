"""The field app on a 360 px phone opens from its cache without signal; office pages say they
need signal instead of showing a browser error; an app update keeps the queued records."""

import os

import pytest
from sqlalchemy import select

from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in
from tests.support.field_app import (
    APP,
    cut_network,
    field_world,
    open_app,
    open_signed_in,
    phone_store,
    record_hand_out,
    restore_network,
    wait_for_worker,
    wait_until_settled,
)

pytestmark = pytest.mark.browser


def test_app_shell_opens_offline_and_office_pages_say_so(browser, live_server, make_user, db):
    os.makedirs(ARTIFACTS, exist_ok=True)
    make_user("tagana", "wawan", full_name="Wawan Setiawan")
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")

    open_app(page, live_server + APP)
    wait_for_worker(page)
    assert page.evaluate("() => document.querySelector('link[rel=manifest]') !== null")
    assert fits_the_screen(page)

    cut_network(context)
    seconds = open_app(page, live_server + APP)
    print(f"\nfield app opened from cache without network in {seconds * 1000:.0f} ms")
    assert "Catat penyaluran" in page.inner_text("main")
    assert page.inner_text("[data-net]") == "Offline"
    page.screenshot(path=f"{ARTIFACTS}/field-app-home-offline-360.png", full_page=True)

    # Every app page is kept; an office page answers with the offline notice.
    for path, heading in (("penyaluran", "Catat penyaluran"), ("pengungsi", "Hitung pengungsi")):
        open_app(page, f"{live_server}{APP}{path}")
        assert heading in page.inner_text("h1")
        assert fits_the_screen(page)
    page.goto(live_server + "/penyaluran/")
    assert "Tidak ada sinyal" in page.inner_text("h1")
    assert "hanya bisa dibuka saat ada sinyal" in page.inner_text("main")

    restore_network(context)
    page.goto(live_server + "/penyaluran/")
    assert "Tidak ada sinyal" not in page.inner_text("body")
    context.close()


def next_release(route) -> None:
    """The worker script of a newer release: same code, another release name."""
    response = route.fetch()
    body = response.text().replace('const RELEASE = "', 'const RELEASE = "next-', 1)
    route.fulfill(response=response, body=body)


def test_an_app_update_keeps_the_queued_records_and_sends_them(
    browser, live_server, make_event, make_user, db
):
    from logistics.field.models import FieldRecord

    field_world(db, make_event, make_user)
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    cut_network(context)
    record_hand_out(
        page, live_server, "budi", "permakanan", "Makanan siap saji (stok 100 paket)", "5"
    )
    queued = phone_store(page, "outbox")
    old_caches = page.evaluate("() => caches.keys()")
    assert len(queued) == 1 and len(old_caches) == 1

    # Signal back, but the sync is held off while the new release installs and takes over.
    context.route("**/api/v1/field/sync", lambda route: route.abort("internetdisconnected"))
    restore_network(context)
    context.route("**/lapangan/app/sw.js", next_release)
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    page.wait_for_function(
        "async () => { const names = await caches.keys();"
        " return names.length === 1 && names[0].startsWith('posko-field-next-'); }"
    )
    kept = phone_store(page, "outbox")
    assert [(r["client_id"], r["state"], r["payload"]) for r in kept] == [
        (queued[0]["client_id"], "menunggu", queued[0]["payload"])
    ]

    context.unroute("**/api/v1/field/sync")
    page.goto(live_server + APP + "kotak-keluar")
    wait_until_settled(page)
    assert page.get_attribute(".record", "data-state") == "terkirim"
    context.close()
    db.session.remove()
    stored = db.session.scalars(select(FieldRecord.client_id)).all()
    assert stored == [queued[0]["client_id"]]


SMALL_TARGETS = """() => [...document.querySelectorAll('button, a, input, select, textarea, summary')]
    .filter((el) => el.offsetParent !== null && !el.closest('.sr-only'))
    .filter((el) => el.getBoundingClientRect().height < 44)
    .map((el) => el.outerHTML.slice(0, 80))"""


def test_every_tap_target_is_44_px_on_every_app_screen(
    browser, live_server, make_event, make_user, db
):
    field_world(db, make_event, make_user)
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    for path in ("", "penyaluran", "pengungsi", "kotak-keluar"):
        open_app(page, f"{live_server}{APP}{path}")
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
        if path == "penyaluran":
            page.fill("input[name=q]", "budi")
            page.wait_for_selector(".candidate button")
        assert page.evaluate(SMALL_TARGETS) == [], path
        assert fits_the_screen(page), path
    context.close()
