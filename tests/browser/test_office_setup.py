"""A fresh, empty instance in a phone-sized Chromium: the setup wizard from first page to home."""

import os

import pytest
from sqlalchemy import func, select

from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen
from tests.support.office import HEAD_NAME, HEAD_NIP, STRONG_PASSWORD, png_logo

pytestmark = pytest.mark.browser


def count(db, model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


def test_setup_wizard_on_an_empty_office(browser, live_server, db, boundaries_dir, tmp_path):
    from logistics.admin.models import User
    from logistics.areas.models import Area
    from logistics.office.models import OfficeProfile

    os.makedirs(ARTIFACTS, exist_ok=True)
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_logo())
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())

    # Any page of an instance without accounts leads to the wizard.
    page.goto(live_server + "/kejadian/")
    page.wait_for_url(live_server + "/siapkan")
    assert fits_the_screen(page)
    page.fill("input[name=name]", "Dinas Sosial Kabupaten Serang")
    page.select_option("select[name=level]", "kabupaten")
    page.fill("input[name=area_code]", "36.04")
    page.select_option("select[name=timezone]", "Asia/Jakarta")
    page.fill("textarea[name=address]", "Jl. Veteran No. 1, Kota Serang")
    page.set_input_files("input[name=logo]", str(logo))
    page.fill("input[name=kepala_dinas_name]", HEAD_NAME)
    page.fill("input[name=kepala_dinas_nip]", HEAD_NIP)
    page.fill("input[name=username]", "admin.serang")
    # A weak password first: refused under its field, nothing stored.
    page.fill("input[name=password]", "serang2026")
    page.fill("input[name=password_confirm]", "serang2026")
    page.click("main form button[type=submit]")
    page.wait_for_selector("p.error")
    assert "mudah ditebak" in page.inner_text("main")
    page.set_input_files("input[name=logo]", str(logo))
    page.fill("input[name=password]", STRONG_PASSWORD)
    page.fill("input[name=password_confirm]", STRONG_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server + "/siapkan/batas")

    # The boundary file is previewed on a map with its count and load report, not stored.
    page.set_input_files("input[name=boundaries]", str(boundaries_dir / "kab_serang.geojson.gz"))
    page.click("button:text-is('Pratinjau')")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function(
        "() => document.querySelectorAll('path.leaflet-interactive').length >= 326"
    )
    assert page.inner_text(".area-count") == "326"
    assert "326 baru" in page.inner_text(".load-report")
    page.screenshot(path=f"{ARTIFACTS}/setup-preview-360.png", full_page=True)
    assert count(db, Area) == 0 and count(db, User) == 0 and count(db, OfficeProfile) == 0

    page.click("button:has-text('Selesai: simpan kantor')")
    page.wait_for_url(live_server + "/")
    assert "Dinas Sosial Kabupaten Serang" in page.inner_text("header")
    assert count(db, User) == 1 and count(db, OfficeProfile) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(Area).where(Area.level == "kelurahan"))
        == 326
    )

    # Closed for ever.
    response = page.goto(live_server + "/siapkan")
    assert response.status == 404
    context.close()
