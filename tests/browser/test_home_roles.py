"""Each role's home page on a phone (360 px) and a desktop (1,366 px): what it shows, that it
fits, the pimpinan's one tap to today's sitrep and the Tagana outbox count from the phone."""

import os
from datetime import timedelta

import pytest

from tests.support.browser import ARTIFACTS, fits_the_screen, log_in
from tests.support.tagana import make_member, make_shelter

pytestmark = pytest.mark.browser

SIZES = [(360, 740), (1366, 800)]


def _office(db, make_event, make_user) -> int:
    """An event in tanggap darurat since yesterday, a shelter not counted today, a volunteer
    deployed there today, and one account per role; returns the event id."""
    from logistics.core.time import office_today, utcnow
    from logistics.events.decrees import add_decree
    from logistics.tagana.models import Deployment

    event = make_event(started_at=utcnow() - timedelta(days=1))
    add_decree(
        event,
        status="tanggap_darurat",
        decree_number="360/Kep.7-BPBD/2026",
        issuer_level="bupati_walikota",
        starts_on=office_today() - timedelta(days=1),
        ends_on=office_today() + timedelta(days=12),
    )
    shelter = make_shelter(event, "SDN Margahayu 1", "32.75.01.1002")
    for role, name in (
        ("pimpinan", "Kepala Dinas"),
        ("operator", "Siti Rahmawati"),
        ("admin", "Admin Posko"),
    ):
        make_user(role, role, full_name=name)
    volunteer = make_user("tagana", "tagana", full_name="Budi Santoso")
    member = make_member("3275-001", "Budi Santoso", user_id=volunteer.id)
    db.session.add(
        Deployment(
            member_id=member.id, event_id=event.id, place_kind="shelter", shelter_id=shelter.id,
            role="Petugas shelter", letter_number="800/101/Linjamsos",
            starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow() + timedelta(hours=8),
            status="direncanakan",
        )
    )  # fmt: skip
    db.session.commit()
    event_id = event.id
    db.session.remove()
    return event_id


def _open(browser, live_server, role: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Map tiles are cut off above (no internet here): Chromium logs each as ERR_FAILED.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "net::ERR_FAILED" not in m.text else None
        ),
    )
    log_in(page, live_server, role)
    return context, page, errors


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_role_lands_on_its_own_home_page(
    browser, live_server, db, make_event, make_user, width, height
):
    os.makedirs(ARTIFACTS, exist_ok=True)
    event_id = _office(db, make_event, make_user)

    # Pimpinan: the command view, the map of the affected areas, one tap to today's sitrep.
    context, page, errors = _open(browser, live_server, "pimpinan", width, height)
    main = page.inner_text("main")
    assert "Komando tanggap darurat" in main and "Banjir Kali Bekasi" in main
    assert "hari ke-2 dari 14 tanggap darurat" in main
    page.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length > 0")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/home-pimpinan-{width}.png", full_page=True)
    page.click("text=Buat & bagikan laporan hari ini")
    page.wait_for_url(f"**/laporan/situasi/kejadian/{event_id}/*#kirim")
    assert (
        page.locator("a", has_text="Bagikan ke WhatsApp")
        .get_attribute("href")
        .startswith("https://wa.me/?text=")
    )
    page.goto(live_server + "/")
    assert page.locator("text=Buka & bagikan laporan hari ini").count() == 1
    assert errors == []
    context.close()

    # Operator and admin: the work queue; the uncounted shelter waits.
    for role in ("operator", "admin"):
        context, page, errors = _open(browser, live_server, role, width, height)
        assert page.inner_text("#antrean-hitung strong") == "1"
        assert (page.locator("#antrean-pengguna").count() == 1) == (role == "admin")
        assert fits_the_screen(page)
        if width == 360:
            heights = page.eval_on_selector_all(
                ".tile a", "links => links.map(a => a.getBoundingClientRect().height)"
            )
            assert min(heights) >= 44
        page.screenshot(path=f"{ARTIFACTS}/home-{role}-{width}.png", full_page=True)
        page.click("#antrean-hitung a")
        page.wait_for_url("**/pengungsian/?status=buka")
        assert errors == []
        context.close()

    # Tagana: today's deployment with check-in, the field app, the outbox count; no map.
    context, page, errors = _open(browser, live_server, "tagana", width, height)
    assert "Petugas shelter" in page.inner_text("main")
    assert page.locator(".leaflet-container").count() == 0
    page.wait_for_function(
        "() => document.getElementById('outbox-count').dataset.state !== 'loading'"
    )
    assert page.inner_text("#outbox-count") == "0"
    # A record waiting in the field app's outbox on this phone shows on the home page.
    page.evaluate(
        """async () => {
          const db = await import('/static/field/db.js');
          await db.put('outbox', {client_id: 'rumah-1', state: 'menunggu', kind: 'head_count'});
        }"""
    )
    page.reload()
    page.wait_for_function("() => document.getElementById('outbox-count').textContent === '1'")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/home-tagana-{width}.png", full_page=True)
    # Check-in asks the phone where it is first, then comes back to the home page.
    page.click("text=Check-in sekarang")
    page.locator(".flash-success", has_text="Check-in tercatat").wait_for()
    assert page.url == live_server + "/"
    assert page.locator("button", has_text="Check-out").count() == 1
    assert errors == []
    context.close()
