"""Issue 3 on a phone: open an event in three kelurahan, register a family, open a shelter,
record a head count, and see the choropleth and the shelter marker change."""

import os
import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
ARTIFACTS = "test-artifacts"
JATIASIH, JATIRASA, BOJONG = "32.75.09.1002", "32.75.09.1004", "32.75.05.1001"
GREEN, RED = "#2e9d4f", "#d7301f"


def fills(page) -> list[str]:
    return page.eval_on_selector_all(
        "path.leaflet-interactive", "paths => paths.map(p => p.getAttribute('fill'))"
    )


def test_event_family_shelter_and_map_on_phone(browser, live_server, make_user, bekasi, db):
    os.makedirs(ARTIFACTS, exist_ok=True)
    from sqlalchemy import select

    from logistics.events.models import HazardType

    flood = str(db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR")))
    make_user("operator", "siti")
    db.session.remove()
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.set_default_timeout(30_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())

    page.goto(live_server + "/masuk")
    page.fill("input[name=username]", "siti")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")

    # A new flood in three kelurahan, in one screen.
    page.goto(live_server + "/kejadian/baru")
    page.select_option("select[name=hazard_type_id]", value=flood)
    page.fill("input[name=title]", "Banjir Kali Bekasi uji")
    for kecamatan, codes in (("jatiasih", (JATIASIH, JATIRASA)), ("rawalumbu", (BOJONG,))):
        group = page.locator(f"details.pick-group[data-kecamatan='{kecamatan}']")
        if group.get_attribute("open") is None:
            group.locator("summary").click()
        for code in codes:
            page.check(f"input[name=kelurahan_codes][value='{code}']")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/kejadian/\d+$"))
    event_url = page.url
    event_id = event_url.rsplit("/", 1)[1]
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 3"
    )
    before = fills(page)
    page.screenshot(path=f"{ARTIFACTS}/event-new-360.png", full_page=True)

    # A household of three in Jatirasa: a grandmother (lansia), a father and a toddler (balita).
    page.goto(f"{live_server}/korban/daftar?kejadian={event_id}")
    page.select_option("select[name=event_id]", value=event_id)
    # The area picker: type part of the name, take the first answer with the keyboard.
    picker = page.locator("[role=combobox]#kelurahan_code")
    picker.fill("jatirasa")
    page.wait_for_selector("[role=option]:has-text('Jatirasa')")
    picker.press("ArrowDown")
    picker.press("Enter")
    assert page.input_value("input[name=kelurahan_code]") == JATIRASA
    page.fill("input[name=no_kk]", "3275091205190001")
    page.fill("input[name=head_name]", "Bambang Hidayat")
    page.select_option("select[name=status]", value="mengungsi")
    page.click("main form button[type=submit]")
    # A new family card is written with its first member, on the next screen.
    page.wait_for_url(re.compile(r".*/daftar/anggota.*"))
    members = [
        ("Bambang Hidayat", "3275091504800002", "kepala_keluarga"),
        ("Suryani", "3275095203540003", "orang_tua"),
        ("Rizki Hidayat", "3275090107240004", "anak"),
    ]
    for name, nik, relation in members:
        page.fill("input[name=nik]", nik)
        page.fill("input[name=name]", name)
        page.select_option("select[name=relation]", value=relation)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert name in page.inner_text("main"), page.inner_text("main")[:500]
    page.screenshot(path=f"{ARTIFACTS}/household-360.png", full_page=True)

    # A shelter in Jatirasa, then a head count over its capacity.
    page.goto(f"{live_server}/pengungsian/baru")
    page.select_option("select[name=event_id]", value=event_id)
    page.fill("input[name=name]", "Masjid Al-Ikhlas uji")
    page.select_option("select[name=kind]", value="masjid")
    page.fill("input[name=lat]", "-6.2941")
    page.fill("input[name=lng]", "106.9712")
    page.fill("input[name=capacity]", "50")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/pengungsian/\d+$"))
    shelter_url = page.url

    page.goto(event_url)
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 4"
    )
    after_family = fills(page)
    assert GREEN in after_family  # the empty shelter
    # The family moved Jatirasa up the colour scale.
    assert sorted(after_family) != sorted(before + [GREEN])

    page.goto(shelter_url + "/hitung")
    page.fill("input[name=persons]", "64")
    page.fill("input[name=households]", "16")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/pengungsian/\d+$"))
    assert "kapasitas" in page.inner_text("main").lower()  # over capacity: saved, with a warning

    page.goto(event_url)
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 4"
    )
    after_count = fills(page)
    assert RED in after_count and GREEN not in after_count
    page.screenshot(path=f"{ARTIFACTS}/event-after-360.png", full_page=True)
