"""The field app on a 360 px phone opens from its cache without signal; office pages say they
need signal instead of showing a browser error."""

import os

import pytest

from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in
from tests.support.field_app import APP, cut_network, open_app, restore_network, wait_for_worker

pytestmark = pytest.mark.browser


def test_app_shell_opens_offline_and_office_pages_say_so(browser, live_server, make_user, db):
    os.makedirs(ARTIFACTS, exist_ok=True)
    make_user("tagana", "wawan", full_name="Wawan Setiawan")
    db.session.remove()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
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
