"""One way to show a refused form: every error of a submit at once, a summary linking to each
field, aria-invalid on the refused inputs, item-line errors beside their rows, human labels."""

import re

import pytest
from sqlalchemy import func, select

from tests.support.areas import BEKASIJAYA
from tests.support.ledger import item_id, stock_in

pytestmark = pytest.mark.usefixtures("bekasi_office")


@pytest.fixture
def store(db, bekasi):
    from logistics.stock.warehouses import create_warehouse

    warehouse = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    return warehouse


@pytest.fixture
def operator(as_role):
    return as_role("operator")


def _summary(html: str) -> str:
    match = re.search(r'<div class="form-summary"[^>]*role="alert".*?</div>', html, re.S)
    assert match, "no error summary at the top of the form"
    return match.group(0)


def _document_count(db) -> int:
    from logistics.stock.models import StockDocument

    return db.session.scalar(select(func.count(StockDocument.id)))


def test_empty_receipt_names_every_missing_field_once_in_words(db, store, operator):
    response = operator.post("/logistik/penerimaan/baru", data={"item_id": ""})
    assert response.status_code == 422
    html = response.text
    summary = _summary(html)
    assert "Gudang penerima: Gudang wajib dipilih." in summary
    assert "Sumber barang: Sumber barang wajib dipilih: APBD" in summary
    assert "Isi paling sedikit satu baris barang." in html
    assert "Gudang &#39;&#39;" not in html and "Gudang ''" not in html
    # Each refusal once beside its field plus once in the summary, not a third time as a flash.
    assert html.count("Gudang wajib dipilih.") == 2
    assert re.search(
        r'<select[^>]*aria-describedby="warehouse_id-error"[^>]*aria-invalid="true"', html
    )
    assert 'href="#warehouse_id"' in summary and 'href="#source"' in summary
    assert 'src="/static/forms.js"' in html
    assert _document_count(db) == 0


def test_receipt_line_errors_are_all_shown_beside_their_rows(db, store, operator):
    form = {
        "warehouse_id": str(store.id),
        "source": "",
        "item_id": [str(item_id("selimut")), str(item_id("makanan_siap_saji")), "", "9999"],
        "lot_code": ["", "L-1", "", ""],
        "expiry_date": ["", "", "", ""],
        "quantity": ["dua", "", "", "3"],
    }
    response = operator.post("/logistik/penerimaan/baru", data=form)
    assert response.status_code == 422
    html = response.text
    summary = _summary(html)
    expected = {
        "line-0-quantity": "Jumlah Selimut harus berupa angka, bukan &#39;dua&#39;.",
        "line-1-expiry_date": "Makanan siap saji memiliki tanggal kedaluwarsa; isi tanggalnya.",
        "line-1-quantity": "Jumlah Makanan siap saji wajib diisi.",
        "line-2-item_id": "Barang &#39;9999&#39; tidak ada di katalog.",
    }
    for anchor, message in expected.items():
        assert f'href="#{anchor}"' in summary, anchor
        # Beside the row: the error text right under the row's inputs, named by the input.
        error = re.search(rf'<p class="error line-error" id="{anchor}-error">([^<]*)</p>', html)
        assert error and message in error.group(1), anchor
        assert re.search(
            rf'id="{anchor}" aria-invalid="true" aria-describedby="{anchor}-error"', html
        )
    assert "Sumber barang wajib dipilih" in summary
    # The entered values come back: the typed quantity and the chosen items.
    assert 'value="dua"' in html and 'value="L-1"' in html
    assert re.search(rf'<option value="{item_id("selimut")}" selected>', html)
    # Only rows that were refused are marked.
    assert 'id="line-0-item_id" aria-invalid' not in html
    assert _document_count(db) == 0


def test_dispatch_and_transfer_collect_header_and_line_errors(db, store, operator):
    lines = {"item_id": [str(item_id("selimut")), ""], "quantity": ["0", "5"]}
    dispatch = operator.post("/logistik/pengiriman/baru", data=lines)
    assert dispatch.status_code == 422
    summary = _summary(dispatch.text)
    assert "Gudang asal: Gudang wajib dipilih." in summary
    assert "Pilih tujuan pengiriman" in summary
    assert "Baris 1: Jumlah Selimut harus lebih dari nol." in summary
    assert "Baris 2: Barang wajib dipilih." in summary
    transfer = operator.post(
        "/logistik/transfer/baru",
        data={"warehouse_id": str(store.id), "to_warehouse_id": str(store.id)} | lines,
    )
    assert transfer.status_code == 422
    summary = _summary(transfer.text)
    assert "Gudang tujuan harus berbeda dari gudang asal." in summary
    assert "Baris 1: Jumlah Selimut harus lebih dari nol." in summary
    assert _document_count(db) == 0


def test_api_names_every_line_error_with_its_field(store, operator):
    response = operator.post(
        "/api/v1/stock-receipts",
        json={
            "warehouse_id": 9999,
            "source": "csr",
            "lines": [
                {"item_id": "selimut", "quantity": -1},
                {"item_id": "nothing", "quantity": 1},
            ],
        },
    )
    assert response.status_code == 422
    body = response.get_json()
    fields = [error["field"] for error in body["errors"]]
    assert fields == ["warehouse_id", "lines[0].quantity", "lines[1].item_id"]
    assert body["errors"][0]["error"] == "not_found"


def test_shelter_form_shows_all_errors_with_labels_not_codes(db, operator):
    response = operator.post(
        "/pengungsian/baru",
        data={"name": "", "kind": "", "capacity": "banyak", "opened_on": "2026-11-01"},
    )
    assert response.status_code == 422
    html = response.text
    summary = _summary(html)
    for field in ("name", "kind", "capacity", "kelurahan_code"):
        assert f'href="#{field}"' in summary, field
        assert re.search(
            rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html
        )
    assert "Jenis tempat wajib dipilih: Tenda, Barak, Gedung sekolah" in summary
    for code in ("gedung_sekolah", "balai_warga", "kantor_pemerintah"):
        assert code not in summary


def test_count_sheet_errors_stand_beside_their_lot(db, store, operator):
    from logistics.stock.counts import count_sheet

    stock_in(operator, store, "selimut", 10)
    stock_in(operator, store, "kasur", 4)
    lots = count_sheet(store.id)
    # Only the second lot on the sheet is counted, with a word where the number belongs.
    form = {"lot_id": [str(lot.id) for lot in lots], "counted": ["", "empat"]}
    response = operator.post(f"/logistik/gudang/{store.id}/opname", data=form)
    assert response.status_code == 422
    html = response.text
    assert 'href="#line-1-counted"' in _summary(html)
    assert re.search(r'id="line-1-counted" aria-invalid="true"', html)
    assert re.search(r'<p class="error line-error" id="line-1-counted-error">Baris 2: ', html)
    assert 'id="line-0-counted" aria-invalid' not in html


def test_tagana_deployment_form_shows_every_refusal(db, make_event, operator):
    from tests.support.tagana import make_member

    event = make_event()
    member = make_member("3275-001", "Budi Santoso")
    response = operator.post(
        f"/tagana/kejadian/{event.id}/tugaskan",
        data={
            "member_id": str(member.id),
            "place_kind": "shelter",
            "starts_at": "2026-11-20T08:00",
        },
    )
    assert response.status_code == 422
    summary = _summary(response.text)
    for field in ("role", "letter_number", "shelter_id"):
        assert f'href="#{field}"' in summary, field
    assert 'aria-describedby="role-error"' in response.text
