"""Hand-out pages: the field form without JavaScript, retries, the guard on the form, the office
list with export, detail and the household's history."""

import csv
import io

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import (
    NIK_BUDI,
    NIK_SITI,
    NO_KK,
    balance,
    form_values,
    hand_out,
    make_world,
    open_form,
    submit,
)


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


def test_find_the_household_by_nik_kk_or_name_without_javascript(db, world, client_for):
    client = client_for(world.tagana)
    for query in (NIK_SITI, NO_KK, "budi sant"):
        page = client.get(f"/lapangan/penyaluran?kejadian={world.event.id}&q={query}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert f"kk={world.household.id}" in text, query
        results = text.split('class="narrow results"')[1]
        assert "Siti Aminah" in results and NIK_SITI not in results  # members shown, NIK masked
    short = client.get(f"/lapangan/penyaluran?kejadian={world.event.id}&q=bu").get_data(
        as_text=True
    )
    assert "minimal 3 huruf" in short


def test_tagana_records_on_the_field_form_and_a_resend_saves_once(db, world, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    values = open_form(client, world)
    line = {
        "warehouse_id": str(world.warehouse.id),
        "item_id": [str(_item_id("makanan_siap_saji")), ""],
        "quantity": ["4", ""],
    }
    response = submit(client, values, **line)
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"])
    text = confirmation.get_data(as_text=True)
    assert "tersimpan" in text and "4 paket Makanan siap saji" in text
    assert "Data untuk BAST" in text and "1.06.06.2.01.0001" in text
    assert "Riwayat bantuan pada kejadian ini" in text and "3 jiwa" in text
    assert balance(db, world.warehouse, "makanan_siap_saji") == 96
    again = submit(client, values, **line)  # the double tap / the resend after a timeout
    assert again.headers["Location"] == response.headers["Location"]
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 96


def test_the_form_shows_the_guard_and_lets_an_operator_override(db, world, client_for):
    from logistics.distributions.models import Distribution

    hand_out(world)
    tagana = client_for(world.tagana)
    values = open_form(tagana, world)
    stock_line = {
        "warehouse_id": str(world.warehouse.id),
        "item_id": [str(_item_id("makanan_siap_saji"))],
        "quantity": ["2"],
    }
    refused = submit(tagana, values, **stock_line)
    assert refused.status_code == 409
    assert "sudah menerima bantuan permakanan" in refused.get_data(as_text=True)
    ignored = submit(tagana, values, override_reason="Diminta warga", **stock_line)
    assert ignored.status_code == 409  # tagana's form has no override; the reason is not taken

    form_url = f"/lapangan/penyaluran?kejadian={world.event.id}&kk={world.household.id}"
    assert 'name="override_reason"' not in tagana.get(form_url).get_data(as_text=True)
    operator = client_for(world.operator)
    assert 'name="override_reason"' in operator.get(form_url).get_data(as_text=True)
    values = open_form(operator, world)
    accepted = submit(operator, values, override_reason="Paket pertama rusak", **stock_line)
    assert accepted.status_code == 302
    stored = db.session.scalars(select(Distribution).order_by(Distribution.id.desc())).first()
    assert stored.override_reason == "Paket pertama rusak"


def test_bad_quantity_is_shown_on_the_form_and_nothing_is_saved(db, world, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    values = open_form(client, world)
    response = submit(
        client,
        values,
        warehouse_id=str(world.warehouse.id),
        item_id=[str(_item_id("makanan_siap_saji"))],
        quantity=["2,5"],
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "tidak boleh pecahan" in text and 'value="2,5"' in text
    assert form_values(text)["client_id"] == values["client_id"]
    assert count(db, Distribution) == 0


def test_service_without_goods_on_the_form(db, world, client_for):
    client = client_for(world.tagana)
    values = open_form(client, world)
    response = submit(
        client, values, component="psikososial", service_note="Sesi bermain anak di posko"
    )
    assert response.status_code == 302
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sesi bermain anak di posko" in text and "Tanpa barang" in text


def test_pimpinan_reads_the_office_pages_but_cannot_record(db, world, client_for, make_user):
    hand_out(world, receiver_name="Siti Aminah")
    hand_out(
        world,
        household_id=None,
        person_id=world.rina.id,
        component="sandang",
        lines=[{"item_id": "selimut", "quantity": 2}],
    )
    client = client_for(make_user("pimpinan"))
    assert client.get("/lapangan/penyaluran").status_code == 403
    listing = client.get(f"/penyaluran/?kejadian={world.event.id}&komponen=permakanan")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "Budi Santoso" in text and "Rina Marlina" not in text
    assert "3 paket Makanan siap saji" in text
    by_kelurahan = client.get("/penyaluran/?kelurahan=32.75.01.1002").get_data(as_text=True)
    assert "Rina Marlina" in by_kelurahan and "Budi Santoso" not in by_kelurahan
    future = client.get("/penyaluran/?dari=2099-01-01").get_data(as_text=True)
    assert "Belum ada penyaluran" in future


def test_export_masks_the_nik(db, world, client_for):
    hand_out(world)
    client = client_for(world.operator)
    response = client.get("/penyaluran/?format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][8] == "NIK (disamarkan)"
    assert rows[1][7] == "Budi Santoso"
    assert rows[1][8] == NIK_BUDI[:4] + "********" + NIK_BUDI[-4:]
    assert NIK_BUDI not in response.get_data(as_text=True)
    assert NO_KK not in response.get_data(as_text=True)
    assert rows[1][13] == "3 paket Makanan siap saji"
    xlsx = client.get("/penyaluran/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_detail_and_household_history_pages(db, world, client_for):
    first, _ = hand_out(world)
    second, _ = hand_out(world, component="sandang", lines=[{"item_id": "selimut", "quantity": 3}])
    client = client_for(world.operator)
    detail = client.get(f"/penyaluran/{first.id}").get_data(as_text=True)
    assert "Anggota yang terlayani" in detail and "Joko Santoso" in detail
    history = client.get(f"/penyaluran/kk/{world.household.id}")
    text = history.get_data(as_text=True)
    assert history.status_code == 200
    assert f"#{first.id}" in text and f"#{second.id}" in text
    assert "3 lembar Selimut" in text and "2 kali" in text
    assert client.get("/penyaluran/999999").status_code == 404


def _item_id(code: str) -> int:
    from logistics.stock.ledger import get_item

    return get_item(code).id
