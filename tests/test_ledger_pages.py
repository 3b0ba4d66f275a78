"""Stock ledger pages: forms that save documents, warehouse stock, stock card with CSV/XLSX,
stock count, expiry reports, and who may see and write what."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.ledger import item_id, past, soon, stock_in, today

# A BAST names who signs it: these offices have their profile with the Kepala Dinas.
pytestmark = pytest.mark.usefixtures("bekasi_office")


@pytest.fixture
def stores(db, bekasi):
    from logistics.stock.warehouses import create_warehouse

    main = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    posko = create_warehouse(name="Gudang Posko", tier="posko", kelurahan_code=MARGAHAYU)
    db.session.commit()
    return main, posko


@pytest.fixture
def operator(as_role):
    return as_role("operator")


def documents(db, kind=None):
    from logistics.stock.models import StockDocument

    db.session.expire_all()
    query = select(StockDocument).order_by(StockDocument.id)
    if kind:
        query = query.where(StockDocument.kind == kind)
    return list(db.session.scalars(query))


def test_receipt_form_saves_a_document_and_shows_it(app, db, stores, operator):
    main, _ = stores
    page = operator.get(f"/logistik/penerimaan/baru?gudang={main.id}")
    assert page.status_code == 200
    assert 'name="client_id"' in page.text and "Simpan penerimaan" in page.text
    form = {
        "client_id": "form-1",
        "warehouse_id": str(main.id),
        "source": "csr",
        "source_document": "SJ-9",
        "giver_name": "PT Peduli",
        "receiver_name": "Budi",
        "item_id": [str(item_id("makanan_siap_saji")), str(item_id("selimut")), ""],
        "lot_code": ["L-7", "", ""],
        "expiry_date": [soon().isoformat(), "", ""],
        "quantity": ["24", "10", ""],
    }
    response = operator.post("/logistik/penerimaan/baru", data=form)
    assert response.status_code == 302
    [document] = documents(db)
    assert (document.kind, document.source, len(document.movements)) == ("receipt", "csr", 2)
    assert response.headers["Location"].endswith(f"/logistik/dokumen/{document.id}")
    # A double tap sends the same form again: the first document answers, nothing new is saved.
    again = operator.post("/logistik/penerimaan/baru", data=form)
    assert again.status_code == 302 and len(documents(db)) == 1
    detail = operator.get(f"/logistik/dokumen/{document.id}")
    assert detail.status_code == 200
    assert document.number in detail.text and "Makanan siap saji" in detail.text
    pdf = f"/logistik/dokumen/{document.id}/bast.pdf"
    # The BAST PDF belongs to another module: linked only when that module is installed.
    assert (pdf in detail.text) == ("bast.document_pdf" in app.view_functions)


def test_form_error_is_shown_and_nothing_saved(db, stores, operator):
    main, _ = stores
    form = {
        "warehouse_id": str(main.id),
        "source": "apbd",
        "item_id": [str(item_id("makanan_siap_saji"))],
        "lot_code": [""],
        "expiry_date": [""],
        "quantity": ["5"],
    }
    response = operator.post("/logistik/penerimaan/baru", data=form)
    assert response.status_code == 422
    assert "tanggal kedaluwarsa" in response.text
    form |= {"expiry_date": [soon().isoformat()], "quantity": ["2,5"]}
    response = operator.post("/logistik/penerimaan/baru", data=form)
    assert response.status_code == 422 and "pecahan" in response.text
    assert documents(db) == []


def test_dispatch_transfer_receive_adjust_and_count_through_the_pages(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "selimut", 20, lot_code="B")
    blanket = str(item_id("selimut"))
    response = operator.post(
        "/logistik/pengiriman/baru",
        data={
            "warehouse_id": str(main.id),
            "kelurahan_code": MARGAHAYU,
            "item_id": [blanket],
            "quantity": ["4"],
            "expired_reason": [""],
        },
    )
    assert response.status_code == 302, response.text
    too_much = operator.post(
        "/logistik/pengiriman/baru",
        data={
            "warehouse_id": str(main.id),
            "kelurahan_code": MARGAHAYU,
            "item_id": [blanket],
            "quantity": ["99"],
        },
    )
    assert too_much.status_code == 409 and "tidak cukup" in too_much.text
    response = operator.post(
        "/logistik/transfer/baru",
        data={
            "warehouse_id": str(main.id),
            "to_warehouse_id": str(posko.id),
            "item_id": [blanket],
            "quantity": ["6"],
        },
    )
    assert response.status_code == 302
    [transfer] = documents(db, "transfer")
    detail = operator.get(f"/logistik/dokumen/{transfer.id}")
    assert "Terima transfer" in detail.text
    receive = operator.get(f"/logistik/dokumen/{transfer.id}/terima")
    assert receive.status_code == 200
    line = transfer.movements[0].id
    response = operator.post(
        f"/logistik/dokumen/{transfer.id}/terima", data={"line_id": [str(line)], "quantity": ["5"]}
    )
    assert response.status_code == 302
    detail = operator.get(f"/logistik/dokumen/{transfer.id}")
    assert "Selisih transfer" in detail.text and "Terima transfer" not in detail.text
    twice = operator.post(
        f"/logistik/dokumen/{transfer.id}/terima", data={"line_id": [str(line)], "quantity": ["5"]}
    )
    assert twice.status_code == 409

    lot = stock_in(operator, main, "selimut", 1, lot_code="B")["lines"][0]["lot_id"]
    page = operator.get(f"/logistik/gudang/{main.id}/penyesuaian")
    assert page.status_code == 200
    no_reason = operator.post(
        f"/logistik/gudang/{main.id}/penyesuaian", data={"lot_id": [str(lot)], "change": ["-1"]}
    )
    assert no_reason.status_code == 422
    response = operator.post(
        f"/logistik/gudang/{main.id}/penyesuaian",
        data={"reason": "rusak", "lot_id": [str(lot)], "change": ["-2"]},
    )
    assert response.status_code == 302
    sheet = operator.get(f"/logistik/gudang/{main.id}/opname")
    assert sheet.status_code == 200 and "9" in sheet.text  # 20 - 4 - 6 + 1 - 2
    response = operator.post(
        f"/logistik/gudang/{main.id}/opname", data={"lot_id": [str(lot)], "counted": ["8"]}
    )
    assert response.status_code == 302
    [count] = documents(db, "opname")
    assert [m.quantity for m in count.movements] == [-1]
    stock = operator.get(f"/logistik/gudang/{main.id}/stok")
    assert stock.status_code == 200 and "Selimut" in stock.text


def test_stock_card_page_and_exports(db, stores, operator):
    main, _ = stores
    stock_in(operator, main, "selimut", 10, lot_code="A")
    stock_in(operator, main, "selimut", 5, lot_code="B")
    blanket = item_id("selimut")
    page = operator.get(f"/logistik/gudang/{main.id}/kartu-stok?barang={blanket}")
    assert page.status_code == 200 and "Kartu stok Selimut" in page.text
    exported = operator.get(f"/logistik/gudang/{main.id}/kartu-stok?barang={blanket}&format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ["Tanggal", "Jenis", "Nomor dokumen", "Lot", "Masuk", "Keluar", "Saldo"]
    assert [(row[3], row[4], row[6]) for row in rows[1:]] == [("B", "5", "15"), ("A", "10", "10")]
    xlsx = operator.get(f"/logistik/gudang/{main.id}/kartu-stok?barang={blanket}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 3
    assert operator.get(f"/logistik/gudang/{main.id}/kartu-stok").status_code == 422
    oldest = operator.get(f"/logistik/gudang/{main.id}/kartu-stok?item_id={blanket}&page=last")
    assert oldest.status_code == 200 and "Halaman" not in oldest.text  # one page only


def test_warehouse_detail_and_index_show_and_link_the_stock(db, stores, operator):
    main, _ = stores
    stock_in(operator, main, "makanan_siap_saji", 6, past(), "OLD")
    stock_in(operator, main, "makanan_siap_saji", 4, soon(), "NEW")
    detail = operator.get(f"/logistik/gudang/{main.id}")
    summary = detail.text.split('class="stock-summary"')[1]
    assert "Makanan siap saji" in summary
    cells = [cell.split("<")[0].strip() for cell in summary.split('<td class="num">')[1:4]]
    assert cells == ["10 paket", "4", "6"]  # balance, issuable, expired
    assert f"/logistik/gudang/{main.id}/stok" in detail.text
    index = operator.get("/logistik/")
    assert "/logistik/dokumen" in index.text and f"/logistik/gudang/{main.id}/stok" in index.text


def test_expiry_pages_and_exports(db, stores, operator):
    main, _ = stores
    stock_in(operator, main, "makanan_siap_saji", 5, soon(), "SOON")
    stock_in(operator, main, "makanan_siap_saji", 7, past(), "OLD")
    stock_in(operator, main, "makanan_siap_saji", 9, today() + timedelta(days=400), "FAR")
    old = stock_in(operator, main, "makanan_siap_saji", 3, past(), "GONE")["lines"][0]["lot_id"]
    operator.post(
        "/api/v1/stock-adjustments",
        json={
            "warehouse_id": main.id,
            "reason": "kedaluwarsa",
            "lines": [{"lot_id": old, "change": -3}],
        },
    )
    page = operator.get("/logistik/kedaluwarsa")
    assert page.status_code == 200 and "SOON" in page.text and "OLD" not in page.text
    exported = operator.get("/logistik/kedaluwarsa?hari=30&format=csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["SOON"]
    check = operator.get("/logistik/kedaluwarsa/semester")
    assert check.status_code == 200
    text = check.text
    expiring = text.split('id="akan-kedaluwarsa"')[1].split('id="sudah-kedaluwarsa"')[0]
    expired = text.split('id="sudah-kedaluwarsa"')[1].split('id="penyesuaian"')[0]
    adjusted = text.split('id="penyesuaian"')[1]
    assert "SOON" in expiring and "FAR" not in expiring and "OLD" not in expiring
    assert "OLD" in expired and "GONE" not in expired  # written off, no longer in stock
    assert "GONE" in adjusted
    xlsx = operator.get("/logistik/kedaluwarsa/semester?format=xlsx")
    values = [c for row in load_workbook(io.BytesIO(xlsx.data)).active.values for c in row]
    assert "SOON" in values and "OLD" in values
    assert operator.get("/logistik/kedaluwarsa/semester?semester=3").status_code == 422


def test_documents_list_filters_and_export(db, stores, operator):
    main, posko = stores
    stock_in(operator, main, "selimut", 3)
    stock_in(operator, posko, "selimut", 4)
    page = operator.get(f"/logistik/dokumen?gudang={posko.id}")
    assert page.status_code == 200 and page.text.count('data-kind="receipt"') == 1
    exported = operator.get("/logistik/dokumen?format=csv&jenis=receipt")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0][1] == "Nomor BAST"


def test_pimpinan_reads_without_write_buttons_and_cannot_post(db, stores, operator, as_role):
    main, _ = stores
    body = stock_in(operator, main, "selimut", 3)
    reader = as_role("pimpinan")
    for url in (
        "/logistik/dokumen",
        f"/logistik/dokumen/{body['id']}",
        f"/logistik/gudang/{main.id}/stok",
        f"/logistik/gudang/{main.id}/kartu-stok?barang={item_id('selimut')}",
        "/logistik/kedaluwarsa",
        "/logistik/kedaluwarsa/semester",
    ):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert "/penerimaan/baru" not in response.text and "/opname" not in response.text
    for url in (
        "/logistik/penerimaan/baru",
        "/logistik/pengiriman/baru",
        "/logistik/transfer/baru",
        f"/logistik/gudang/{main.id}/penyesuaian",
        f"/logistik/gudang/{main.id}/opname",
    ):
        assert reader.post(url, data={"warehouse_id": str(main.id)}).status_code == 403, url
        assert reader.get(url).status_code == 403
    assert len(documents(db)) == 1
    page = operator.get(f"/logistik/gudang/{main.id}/stok")
    assert "/penerimaan/baru" in page.text and "/opname" in page.text


def test_anonymous_is_sent_to_login(db, stores, client):
    main, _ = stores
    for url in (
        "/logistik/dokumen",
        f"/logistik/gudang/{main.id}/stok",
        "/logistik/penerimaan/baru",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    response = client.post("/logistik/penerimaan/baru", data={})
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    from logistics.stock.models import StockDocument

    assert db.session.scalar(select(func.count(StockDocument.id))) == 0
