"""Wilayah scope on the logistics surfaces: warehouses, lots, stock documents, kitchens and field
records of one kab/kota stay out of reach of another's operator (page, API, export, picker, id
guessing, writes); a provincial viewer sees both, with kab/kota columns and subtotals."""

import csv
import io
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from logistics.core.time import utcnow
from logistics.distributions.models import Distribution
from logistics.field.models import FieldDevice, FieldRecord
from logistics.kitchens.models import FieldKitchen, KitchenMeal
from logistics.stock.models import StockDocument, StockLot, StockMovement
from tests.support.db import count
from tests.support.field import register_phone, sync
from tests.support.province import DESA_A, DESA_B

LATER = "2027-06-30"


def _receipt(warehouse, code: str, quantity: int):
    from logistics.stock import documents, ledger

    line = {"item_id": ledger.get_item(code).id, "quantity": quantity, "expiry_date": LATER}
    values = {"warehouse_id": warehouse.id, "source": "apbd", "lines": [line]}
    return documents.record_receipt(values)[0]


def _refused_record(device, user, desa: str) -> FieldRecord:
    return FieldRecord(
        client_id=f"hp-{uuid.uuid4()}",
        content_hash=uuid.uuid4().hex,
        device_id=device.id,
        user_id=user.id,
        kind="hand_out",
        payload={"kelurahan_code": desa, "component": "permakanan"},
        status="refused",
        message="Stok habis.",
    )


@pytest.fixture
def depots(province, db, make_user):
    """The `province` office with a provinsi warehouse (standing in 17.01), a kab/kota warehouse
    with a lot of beras in each kab/kota, a transfer from the provinsi to 17.02, a province-wide
    event with a field kitchen in each kab/kota, and a refused field record from each."""
    from logistics.admin.scopes import set_scope
    from logistics.events.services import create_event
    from logistics.kitchens.services import create_kitchen
    from logistics.stock import ledger, transfers
    from logistics.stock.warehouses import create_warehouse

    world = dict(province)
    prov = create_warehouse(name="Gudang Provinsi", tier="provinsi", kelurahan_code=DESA_A)
    _receipt(prov, "beras", 500)
    wide = create_event(
        hazard_type_id=province["hazard"],
        title="Banjir se-Bengkulu",
        started_at=datetime(2026, 11, 20, 2, 0),
        area_code="17",
    )
    for key, desa, name in (("a", DESA_A, "Gudang Manna"), ("b", DESA_B, "Gudang Curup")):
        warehouse = create_warehouse(name=name, tier="kab_kota", kelurahan_code=desa)
        document = _receipt(warehouse, "beras", 100)
        kitchen = create_kitchen(
            wide, name=f"Dapur {name[7:]}", kelurahan_code=desa, warehouse_id=warehouse.id
        )
        world[key] = {**province[key], "warehouse": warehouse, "receipt": document}
        world[key]["kitchen"] = kitchen
        world[key]["lot"] = db.session.scalar(
            select(StockLot).where(StockLot.warehouse_id == warehouse.id)
        )
    beras = ledger.get_item("beras").id
    transfer = transfers.send_transfer(
        {
            "warehouse_id": prov.id,
            "to_warehouse_id": world["b"]["warehouse"].id,
            "lines": [{"item_id": beras, "quantity": 40}],
        }
    )[0]
    for key in ("a", "b"):
        operator = province[f"op_{key}"]
        device = FieldDevice(
            id=str(uuid.uuid4()),
            user_id=operator.id,
            token_hash=uuid.uuid4().hex * 2,
            expires_at=utcnow() + timedelta(days=5),
        )
        db.session.add(device)
        db.session.flush()
        world[key]["record"] = _refused_record(device, operator, DESA_A if key == "a" else DESA_B)
        db.session.add(world[key]["record"])
    # Sees the whole province, records only in 17.02: reaches 17.01's records, writes nothing there.
    wide_op = make_user("operator", "kab-op-lihat-prov")
    set_scope(wide_op, record="17.02", see="17")
    db.session.commit()
    world.update(prov=prov, wide=wide, transfer=transfer, beras=beras, wide_op=wide_op)
    return world


def _pages(w) -> list[str]:
    warehouse, document, kitchen = w["warehouse"].id, w["receipt"].id, w["kitchen"].id
    return [
        f"/logistik/gudang/{warehouse}",
        f"/logistik/gudang/{warehouse}/stok",
        f"/logistik/gudang/{warehouse}/ubah",
        f"/logistik/gudang/{warehouse}/penyesuaian",
        f"/logistik/gudang/{warehouse}/opname",
        f"/logistik/dokumen/{document}",
        f"/dapur-umum/{kitchen}",
        f"/dapur-umum/{kitchen}/ubah",
        f"/dapur-umum/{kitchen}/makan",
        f"/api/v1/warehouses/{warehouse}",
        f"/api/v1/warehouses/{warehouse}/stock",
        f"/api/v1/stock-documents/{document}",
        f"/api/v1/kitchens/{kitchen}",
        f"/api/v1/kitchens/{kitchen}/meals",
    ]


def test_an_operator_cannot_open_another_kab_kotas_logistics_by_id(depots, client_for):
    client = client_for(depots["op_b"])
    hidden = _pages(depots["a"]) + [
        f"/logistik/gudang/{depots['a']['warehouse'].id}/kartu-stok?barang={depots['beras']}",
        f"/logistik/dokumen/{depots['a']['receipt'].id}/bast.pdf",
        # The provinsi's own store is not a kab/kota operator's to open ...
        f"/logistik/gudang/{depots['prov'].id}",
        f"/api/v1/warehouses/{depots['prov'].id}/stock",
    ]
    for url in hidden:
        assert client.get(url).status_code == 404, url
    for url in _pages(depots["b"]):
        assert client.get(url).status_code == 200, url
    # ... but a transfer from it to their warehouse is theirs to see.
    transfer = client.get(f"/logistik/dokumen/{depots['transfer'].id}")
    assert transfer.status_code == 200 and "Gudang Provinsi" in transfer.get_data(as_text=True)
    assert client.get(f"/api/v1/stock-documents/{depots['transfer'].id}").status_code == 200


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data(as_text=True).removeprefix("\ufeff")  # the BOM Excel reads
    return list(csv.reader(io.StringIO(text)))


def test_lists_exports_and_pickers_hold_only_the_users_wilayah(depots, client_for):
    client = client_for(depots["op_b"])
    page = client.get("/logistik/gudang").get_data(as_text=True)
    assert "Gudang Curup" in page and "Gudang Manna" not in page and "Gudang Provinsi" not in page
    names = [row[2] for row in _csv(client.get("/logistik/gudang?format=csv"))[1:] if row[0]]
    assert names == ["Gudang Curup"]
    api = client.get("/api/v1/warehouses").get_json()
    assert [w["name"] for w in api["items"]] == ["Gudang Curup"]
    assert "Gudang Manna" not in client.get("/logistik/").get_data(as_text=True)

    documents = client.get("/api/v1/stock-documents").get_json()
    ids = {d["id"] for d in documents["items"]}
    assert ids == {depots["b"]["receipt"].id, depots["transfer"].id}
    exported = [row[0] for row in _csv(client.get("/logistik/dokumen?format=csv"))[1:]]
    assert sorted(map(int, exported)) == sorted(ids)
    lots = client.get("/api/v1/stock-lots/expiring?days=3650").get_json()
    assert {lot["warehouse_id"] for lot in lots["items"]} == {depots["b"]["warehouse"].id}
    hidden = f"/api/v1/stock-lots/expiring?days=3650&warehouse_id={depots['a']['warehouse'].id}"
    assert client.get(hidden).status_code == 404
    expiring = client.get("/logistik/kedaluwarsa?hari=3650&format=csv").get_data(as_text=True)
    assert "Gudang Curup" in expiring and "Gudang Manna" not in expiring

    # A document's source offers only warehouses the user records in; a transfer's
    # destination only those they see.
    for form in (
        "/logistik/pengiriman/baru",
        "/logistik/transfer/baru",
        "/logistik/penerimaan/baru",
    ):
        text = client.get(form).get_data(as_text=True)
        assert "Gudang Curup" in text and "Gudang Manna" not in text, form
        assert "Gudang Provinsi" not in text, form

    wide = depots["wide"].id
    kitchens = client.get(f"/api/v1/events/{wide}/kitchens").get_json()
    assert [k["name"] for k in kitchens["items"]] == ["Dapur Curup"]
    kitchen_page = client.get(f"/dapur-umum/kejadian/{wide}").get_data(as_text=True)
    assert "Dapur Curup" in kitchen_page and "Dapur Manna" not in kitchen_page
    new_kitchen = client.get(f"/dapur-umum/kejadian/{wide}/baru").get_data(as_text=True)
    assert "Gudang Curup" in new_kitchen and "Gudang Manna" not in new_kitchen

    review = client.get("/lapangan/tinjau").get_data(as_text=True)
    assert f"#{depots['b']['record'].id}" in review and f"#{depots['a']['record'].id}" not in review


def _state(db) -> tuple:
    lots = tuple(db.session.scalars(select(StockLot.quantity).order_by(StockLot.id)))
    tables = (StockDocument, StockMovement, FieldKitchen, KitchenMeal, Distribution)
    statuses = tuple(db.session.scalars(select(FieldRecord.status).order_by(FieldRecord.id)))
    return lots, tuple(count(db, table) for table in tables), statuses


def test_writes_into_another_kab_kota_are_refused_and_write_nothing(depots, client_for, db):
    before = _state(db)
    a, b, beras = depots["a"], depots["b"], depots["beras"]
    line = [{"item_id": beras, "quantity": 5}]
    for user, refused in ((depots["op_b"], 404), (depots["wide_op"], 403)):
        client = client_for(user)
        writes = [
            ("/api/v1/stock-dispatches", {"warehouse_id": a["warehouse"].id, "lines": line,
                                          "kelurahan_code": DESA_B}),
            ("/api/v1/stock-receipts", {"warehouse_id": a["warehouse"].id, "source": "apbd",
                                        "lines": [{**line[0], "expiry_date": LATER}]}),
            ("/api/v1/stock-transfers", {"warehouse_id": a["warehouse"].id, "lines": line,
                                         "to_warehouse_id": b["warehouse"].id}),
            ("/api/v1/stock-adjustments", {"warehouse_id": a["warehouse"].id, "reason": "rusak",
                                           "lines": [{"lot_id": a["lot"].id, "change": "-1"}]}),
            (f"/api/v1/kitchens/{a['kitchen'].id}/meals", {"period": "siang", "head_count": 10,
                                                           "portions_cooked": 10,
                                                           "portions_served": 10}),
            ("/api/v1/distributions", {"event_id": b["event"].id, "component": "permakanan",
                                       "person_id": b["victim"].person_id,
                                       "warehouse_id": a["warehouse"].id, "lines": line}),
        ]  # fmt: skip
        for url, body in writes:
            response = client.post(url, json=body)
            assert response.status_code == refused, (user.username, url, response.get_json())
        patched = client.patch(f"/api/v1/kitchens/{a['kitchen'].id}", json={"name": "X"})
        assert patched.status_code == refused
        page = client.post(
            f"/logistik/gudang/{a['warehouse'].id}/penyesuaian",
            data={"reason": "rusak", "lot_id": str(a["lot"].id), "change": "-1"},
        )
        assert page.status_code == refused
        for action in ("terima", "tolak"):
            url = f"/lapangan/tinjau/{a['record'].id}/{action}"
            assert client.post(url, data={"reason": "x", "note": "x"}).status_code == refused
    op_b = client_for(depots["op_b"])
    # Their own warehouse may not send goods to the other kab/kota either.
    outside = op_b.post(
        "/api/v1/stock-transfers",
        json={"warehouse_id": b["warehouse"].id, "to_warehouse_id": a["warehouse"].id,
              "lines": line},
    )  # fmt: skip
    assert outside.status_code == 404
    dispatched = op_b.post(
        "/api/v1/stock-dispatches",
        json={"warehouse_id": b["warehouse"].id, "kelurahan_code": DESA_A, "lines": line},
    )
    assert dispatched.status_code == 403
    kitchen = op_b.post(
        f"/api/v1/events/{depots['wide'].id}/kitchens",
        json={"name": "Dapur Liar", "kelurahan_code": DESA_A},
    )
    assert kitchen.status_code == 403
    # Only the receiving end takes a transfer in: the provinsi's to 17.02 is not 17.01's.
    receive = client_for(depots["op_a"]).post(
        f"/api/v1/stock-transfers/{depots['transfer'].id}/receive", json={}
    )
    assert receive.status_code == 404
    db.session.expire_all()
    assert _state(db) == before


def test_a_scoped_phone_may_not_send_records_outside_its_users_wilayah(
    depots, client_for, make_user, app, db
):
    from logistics.admin.scopes import set_scope

    tagana = make_user("tagana", "tagana-curup")
    set_scope(tagana, record="17.02", see="")
    db.session.commit()
    token = register_phone(client_for, tagana)["token"]
    records = []
    for key, desa in (("b", DESA_B), ("a", DESA_A)):
        record = {
            "client_id": f"hp-{uuid.uuid4()}",
            "kind": "hand_out",
            "made_at": datetime.now().astimezone().isoformat(),
            "user_id": tagana.id,
            "payload": {
                "event_id": depots[key]["event"].id,
                "component": "psikososial",
                "person_id": depots[key]["victim"].person_id,
                "kelurahan_code": desa,
                "service_note": "Pendampingan psikososial",
            },
        }
        records.append(record)
    before = count(db, Distribution)
    status, body = sync(app.test_client(), token, records)
    assert status == 200, body
    stored, refused = body["results"]
    assert stored["status"] == "stored", stored
    assert refused["status"] == "refused" and "luar wilayah kerja" in refused["message"]
    assert "17.02" in refused["message"]
    assert count(db, Distribution) == before + 1
    # An office phone's reference data: another kab/kota's event is not found, and a
    # province-wide one carries only the user's own warehouses.
    office_phone = {
        "Authorization": f"Bearer {register_phone(client_for, depots['op_b'])['token']}"
    }
    phone = app.test_client()
    url = "/api/v1/field/reference?event_id={}"
    assert phone.get(url.format(depots["a"]["event"].id), headers=office_phone).status_code == 404
    assert phone.get(url.format(depots["b"]["event"].id), headers=office_phone).status_code == 200
    wide = phone.get(url.format(depots["wide"].id), headers=office_phone).get_json()
    assert [w["name"] for w in wide["warehouses"]] == ["Gudang Curup"]


def test_a_provincial_viewer_sees_both_with_kab_kota_subtotals(depots, client_for):
    client = client_for(depots["viewer"])
    page = client.get("/logistik/gudang").get_data(as_text=True)
    assert page.count('class="warehouse-row') == 3 and page.count('class="subtotal"') == 3
    for name in ("Gudang Curup", "Gudang Manna", "Gudang Provinsi"):
        assert name in page
    for label in ("Subtotal Provinsi: 1 gudang", "Subtotal Bengkulu Selatan: 1 gudang",
                  "Subtotal Rejang Lebong: 1 gudang"):  # fmt: skip
        assert label in page
    rows = _csv(client.get("/logistik/gudang?format=csv"))
    assert rows[0][4] == "Kabupaten/kota"
    by_name = {row[2]: row[4] for row in rows[1:] if row[0]}
    assert by_name == {
        "Gudang Provinsi": "Provinsi",
        "Gudang Manna": "Bengkulu Selatan",
        "Gudang Curup": "Rejang Lebong",
    }
    assert rows[-1][2] == "Jumlah: 3 gudang"

    lots = _csv(client.get("/logistik/kedaluwarsa?hari=3650&format=csv"))
    assert lots[0][:2] == ["Gudang", "Kabupaten/kota"]
    assert {row[0]: row[1] for row in lots[1:]} == {
        "Gudang Provinsi": "Provinsi",
        "Gudang Manna": "Bengkulu Selatan",
        "Gudang Curup": "Rejang Lebong",
    }

    handouts = client.get("/penyaluran/").get_data(as_text=True)
    assert "Subtotal per kabupaten/kota" in handouts
    assert "Bengkulu Selatan" in handouts and "Rejang Lebong" in handouts
    assert handouts.count('<td class="kab-kota">') == 2
    exported = _csv(client.get("/penyaluran/?format=csv"))
    header = exported[0]
    kab = header.index("Kabupaten/kota")
    listed = [row for row in exported[1:] if row[0]]
    assert [row[kab] for row in listed] == ["Bengkulu Selatan", "Rejang Lebong"]
    subtotals = [row[1] for row in exported[1:] if not row[0]]
    assert subtotals == [
        "Subtotal Bengkulu Selatan: 1 penyaluran",
        "Subtotal Rejang Lebong: 1 penyaluran",
        "Jumlah: 2 penyaluran",
    ]
    for url in _pages(depots["a"]) + _pages(depots["b"]):
        if not url.endswith(("/ubah", "/penyesuaian", "/opname", "/makan")):
            assert client.get(url).status_code == 200, url


def test_a_kab_kota_office_lists_have_no_kab_kota_column(depots, client_for, make_user, app):
    app.config.update(OFFICE_AREA_CODE="17.02", OFFICE_LEVEL="kabupaten")
    client = client_for(make_user("admin", "admin-kab"))
    assert "Kabupaten/kota" not in _csv(client.get("/penyaluran/?format=csv"))[0]
    assert "Kabupaten/kota" not in _csv(client.get("/logistik/gudang?format=csv"))[0]
    lots = _csv(client.get("/logistik/kedaluwarsa?hari=3650&format=csv"))
    assert "Kabupaten/kota" not in lots[0]
    page = client.get("/penyaluran/").get_data(as_text=True)
    assert "Subtotal per kabupaten/kota" not in page


def test_field_records_resolve_to_their_hand_outs_wilayah(depots, db):
    from logistics.field.review import record_area_codes

    assert record_area_codes(depots["a"]["record"].id) == [DESA_A]
    assert record_area_codes(depots["b"]["record"].id) == [DESA_B]
    assert record_area_codes(10**9) is None
    assert db.session.scalar(select(func.count(FieldRecord.id))) == 2
