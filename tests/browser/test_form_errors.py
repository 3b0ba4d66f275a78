"""A refused long form on a 360 px phone opens at its error summary: focused, in view without
scrolling by hand, every refusal listed, and a link that takes the reader to its field."""

import os

import pytest

from tests.support.areas import BEKASIJAYA
from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("bekasi_office")]


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "(node) => { const box = node.getBoundingClientRect();"
        " return box.top >= 0 && box.top < window.innerHeight && box.height > 0; }",
    )


def test_refused_stock_receipt_on_a_phone(browser, live_server, make_user, db, bekasi):
    from logistics.stock.warehouses import create_warehouse

    os.makedirs(ARTIFACTS, exist_ok=True)
    create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    make_user("operator", "siti", full_name="Siti Rahmawati")
    db.session.commit()
    db.session.remove()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "siti")
    page.goto(live_server + "/logistik/penerimaan/baru")
    # A line far down the long form: an item with a quantity that is not a number.
    page.select_option("select[name=item_id] >> nth=0", label="Selimut (lembar)")
    page.fill("input[name=quantity] >> nth=0", "dua")
    page.click("main form button.primary.wide")
    page.wait_for_selector("[data-form-summary]")
    # The module moves focus to the summary once it runs.
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.hasAttribute('data-form-summary')"
    )
    summary = page.inner_text("[data-form-summary]")
    assert "Gudang wajib dipilih." in summary
    assert "Sumber barang wajib dipilih" in summary
    assert "Baris 1: Jumlah Selimut harus berupa angka" in summary
    assert in_view(page, "[data-form-summary] li >> nth=0")
    assert page.get_attribute("#warehouse_id", "aria-invalid") == "true"
    assert page.get_attribute("#line-0-quantity", "aria-invalid") == "true"
    assert page.input_value("#line-0-quantity") == "dua"
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/form-errors-360.png")
    # The line's link takes the reader to the refused quantity, beside its error text.
    page.click("[data-form-summary] a[href='#line-0-quantity']")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'line-0-quantity'"
    )
    assert in_view(page, "#line-0-quantity")
    assert in_view(page, "#line-0-quantity-error")
    context.close()
