"""A coordinator deploys three members to two shelters on a phone, sees the board and the map
layer; a member checks in, checks out and files the task report on a 360 px screen."""

import os

import pytest

from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in, open_menu
from tests.support.tagana import make_member, make_shelter

pytestmark = pytest.mark.browser


def deploy(page, base: str, event_id: int, member: str, shelter: str, letter: str) -> None:
    page.goto(f"{base}/tagana/kejadian/{event_id}/tugaskan")
    page.select_option("select[name=member_id]", label=member)
    page.select_option("select[name=place_kind]", "shelter")
    page.select_option("select[name=shelter_id]", label=shelter)
    page.fill("input[name=role]", "Petugas shelter")
    page.select_option("select[name=competency]", "shelter")
    page.fill("input[name=letter_number]", letter)
    # Mulai tugas is prefilled with now; the deployment stays open until check-out.
    page.click("#deployment-form button[type=submit]")
    page.wait_for_url(f"**/tagana/kejadian/{event_id}/papan")
    assert "ditugaskan ke Tempat pengungsian: " + shelter in page.inner_text(".flash-success")


def test_deploy_board_map_and_task_report_on_a_phone(
    browser, live_server, make_event, make_user, db
):
    os.makedirs(ARTIFACTS, exist_ok=True)
    event = make_event()
    school = make_shelter(event, "SDN Margahayu 1", "32.75.01.1002")
    mosque = make_shelter(event, "Masjid Al-Ikhlas", "32.75.04.1002")
    budi_user = make_user("tagana", "budi", full_name="Budi Santoso")
    make_user("operator", "siti", full_name="Siti Rahmawati")
    make_member("3275-001", "Budi Santoso", user_id=budi_user.id)
    make_member("3275-002", "Sari Wulandari", sex="P", home_kelurahan_code="32.75.04.1003")
    make_member("3275-003", "Joko Prasetyo", home_kelurahan_code="32.75.04.1002")
    make_member("3275-004", "Gita Permata", sex="P", home_kelurahan_code="32.75.04.1001")
    event_id, school_name, mosque_name = event.id, school.name, mosque.name
    db.session.remove()

    # The coordinator, on a phone.
    coordinator = browser.new_context(viewport=PHONE)
    page = coordinator.new_page()
    page.set_default_timeout(30_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, live_server, "siti")
    open_menu(page)
    page.click("nav >> text=Tagana")
    page.wait_for_url("**/tagana/")
    assert "Banjir Kali Bekasi" in page.inner_text("main")
    page.screenshot(path=f"{ARTIFACTS}/tagana-home-360.png", full_page=True)
    page.goto(live_server + "/tagana/anggota/baru")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/tagana-member-form-360.png", full_page=True)
    deploy(
        page,
        live_server,
        event_id,
        "Budi Santoso · 3275-001 · Muda",
        school_name,
        "800/101/Linjamsos",
    )
    deploy(
        page,
        live_server,
        event_id,
        "Sari Wulandari · 3275-002 · Muda",
        school_name,
        "800/102/Linjamsos",
    )
    deploy(
        page,
        live_server,
        event_id,
        "Joko Prasetyo · 3275-003 · Muda",
        mosque_name,
        "800/103/Linjamsos",
    )

    # A fourth deployment of Budi at the same time is refused, naming the first one.
    page.goto(f"{live_server}/tagana/kejadian/{event_id}/tugaskan")
    page.select_option("select[name=member_id]", label="Budi Santoso · 3275-001 · Muda")
    page.select_option("select[name=shelter_id]", label=mosque_name)
    page.fill("input[name=role]", "Petugas shelter")
    page.fill("input[name=letter_number]", "800/104/Linjamsos")
    page.click("#deployment-form button[type=submit]")
    refusal = page.inner_text("main")
    assert "sudah ditugaskan pada waktu yang bertumpuk" in refusal
    assert "800/101/Linjamsos" in refusal
    page.screenshot(path=f"{ARTIFACTS}/tagana-overlap-360.png", full_page=True)

    # The board: both shelters have people planned and nobody on duty yet, so both are gaps
    # with a suggestion; the map layer has a marker per shelter listing who is there.
    page.goto(f"{live_server}/tagana/kejadian/{event_id}/papan")
    board = page.inner_text("main")
    assert "Direncanakan (2)" in board and "Direncanakan (1)" in board
    gaps = page.inner_text("#kosong")
    assert school_name in gaps and mosque_name in gaps
    assert "Gita Permata" in gaps
    per_role = page.inner_text("#per-peran")
    for name in ("Budi Santoso", "Sari Wulandari", "Joko Prasetyo"):
        assert name in per_role
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length == 2"
    )
    assert "Pengungsian tanpa petugas" in page.inner_text(".posko-map-legend")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/tagana-board-360.png", full_page=True)
    page.locator("#peta").scroll_into_view_if_needed()
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.wait_for_selector(".posko-deployment-popup")
    popup_text = popup.inner_text()
    assert "Petugas shelter" in popup_text
    assert ("Budi Santoso" in popup_text) or ("Joko Prasetyo" in popup_text)
    # The popup pans the map into view: wait for Leaflet's pan animation to end.
    page.wait_for_function("() => !document.querySelector('.leaflet-pan-anim')")
    page.screenshot(path=f"{ARTIFACTS}/tagana-map-360.png")
    coordinator.close()

    # Budi on his phone: check in (the phone gives its location), check out, report.
    member = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": -6.2478, "longitude": 107.0049},
        permissions=["geolocation"],
    )
    page = member.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "budi")
    page.goto(live_server + "/tagana/tugas-saya")
    tasks = page.inner_text("main")
    assert school_name in tasks and "800/101/Linjamsos" in tasks
    button = page.locator("button", has_text="Check-in sekarang")
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 280  # a thumb-sized, full-width button
    page.screenshot(path=f"{ARTIFACTS}/tagana-tasks-360.png", full_page=True)
    button.click()
    page.wait_for_selector(".flash-success")
    assert "dengan lokasi" in page.inner_text(".flash-success")
    page.click("button:has-text('Check-out')")
    page.wait_for_url("**/laporan")
    page.fill("textarea[name=activities]", "Mendata 120 pengungsi dan membagikan 60 selimut.")
    page.fill("input[name=people_served]", "120")
    page.fill("textarea[name=problems]", "Air bersih kurang untuk malam hari.")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/tagana-report-360.png", full_page=True)
    page.click("button:has-text('Kirim laporan')")
    page.wait_for_selector("text=Laporan pelaksanaan tugas terkirim")
    detail = page.inner_text("main")
    assert "Selesai" in detail and "Mendata 120 pengungsi" in detail
    with page.expect_download() as download_info:
        page.evaluate(
            "() => { const a = document.querySelector('a[href$=\"laporan.pdf\"]');"
            " a.setAttribute('download', ''); a.click(); }"
        )
    pdf_path = download_info.value.path()
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "LAPORAN PELAKSANAAN TUGAS" in text and "800/101/Linjamsos" in text
    page.screenshot(path=f"{ARTIFACTS}/tagana-done-360.png", full_page=True)

    # The board now shows Budi's shift as finished, and the school still needs someone.
    page.goto(f"{live_server}/tagana/kejadian/{event_id}/papan")
    assert "Selesai (1)" in page.inner_text("#per-tempat")
    assert school_name in page.inner_text("#kosong")
    member.close()
