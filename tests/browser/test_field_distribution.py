"""A Tagana volunteer on a 360 px phone finds a family by NIK, records a food hand-out with items
and sees the confirmation; the warehouse stock went down and nothing scrolls sideways."""

import os

import pytest

from logistics.stock.models import Warehouse
from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in
from tests.support.distributions import NIK_SITI, balance, make_world

pytestmark = pytest.mark.browser


def test_tagana_records_permakanan_on_a_phone(browser, live_server, make_event, make_user, db):
    os.makedirs(ARTIFACTS, exist_ok=True)
    world = make_world(db, make_event, make_user)
    make_user("tagana", "wawan", full_name="Wawan Setiawan")
    warehouse_id = world.warehouse.id
    db.session.remove()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    log_in(page, live_server, "wawan")

    # Step 1: the only open event is already chosen; find the family by the wife's NIK.
    page.goto(live_server + "/lapangan/penyaluran")
    assert fits_the_screen(page)
    page.fill("input[name=q]", NIK_SITI)
    page.click("main form.pick-form button[type=submit]")
    page.wait_for_selector(".candidate")
    results = page.inner_text(".results")
    assert "Keluarga Budi Santoso" in results and "3 jiwa" in results
    assert NIK_SITI not in results
    page.screenshot(path=f"{ARTIFACTS}/distribution-search-360.png", full_page=True)
    page.click("text=Pilih keluarga ini")

    # Step 2: permakanan from the one warehouse with stock, 5 food packets and 10 kg of rice.
    page.wait_for_selector("#distribution-form")
    assert fits_the_screen(page)
    page.select_option("select[name=component]", "permakanan")
    assert page.input_value("select[name=warehouse_id]") == str(warehouse_id)
    # With the warehouse left on "no goods", picking an item picks the warehouse holding it.
    page.select_option("select[name=warehouse_id]", "")
    rows = page.locator(".line-row")
    rows.nth(0).locator("select").select_option(label="Makanan siap saji (stok 100 paket)")
    assert page.input_value("select[name=warehouse_id]") == str(warehouse_id)
    rows.nth(0).locator("input").fill("5")
    rows.nth(1).locator("select").select_option(label="Beras (stok 200 kg)")
    rows.nth(1).locator("input").fill("10")
    page.fill("input[name=receiver_name]", "Siti Aminah")
    page.screenshot(path=f"{ARTIFACTS}/distribution-form-360.png", full_page=True)
    page.click("#distribution-form button[type=submit]")

    page.wait_for_url("**/lapangan/penyaluran/*")
    confirmation = page.inner_text("main")
    assert "tersimpan" in confirmation
    assert "5 paket Makanan siap saji" in confirmation and "10 kg Beras" in confirmation
    assert "Data untuk BAST" in confirmation and "Siti Aminah" in confirmation
    assert "Riwayat bantuan pada kejadian ini" in confirmation and "3 jiwa" in confirmation
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/distribution-confirmation-360.png", full_page=True)
    context.close()

    db.session.remove()
    warehouse = db.session.get(Warehouse, warehouse_id)
    assert balance(db, warehouse, "makanan_siap_saji") == 95
    assert balance(db, warehouse, "beras") == 190
