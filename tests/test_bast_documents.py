"""BAST PDFs read back with pypdf: receipt, transfer, kitchen and distribution batch; numbers."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from logistics.core.database import transaction
from logistics.core.errors import DomainError
from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.kitchens import (
    NIKS,
    distribution,
    make_site,
    meal,
    register_victims,
    stock,
    today,
)

# A BAST names who signs it: these offices have their profile with the Kepala Dinas.
pytestmark = pytest.mark.usefixtures("bekasi_office")


@pytest.fixture
def site(db, make_event):
    return make_site(db, make_event)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def new_document(db, **fields):
    from logistics.stock.bast import next_number
    from logistics.stock.models import StockDocument

    values = {"doc_date": today(), "number": next_number(fields.get("doc_date", today()))}
    values.update(fields)
    document = StockDocument(**values)
    db.session.add(document)
    db.session.flush()
    return document


# --- numbers -------------------------------------------------------------------------------------


def test_numbers_are_sequential_within_a_year_and_restart_the_next(db):
    from logistics.stock.bast import next_number

    numbers = [next_number(date(2026, month, 5)) for month in (1, 11, 12)]
    assert numbers == [
        "0001/BAST/DINSOS-3275/I/2026",
        "0002/BAST/DINSOS-3275/XI/2026",
        "0003/BAST/DINSOS-3275/XII/2026",
    ]
    assert next_number(date(2027, 1, 2)) == "0001/BAST/DINSOS-3275/I/2027"
    assert next_number(date(2026, 12, 31)).startswith("0004/")


# --- PDFs ----------------------------------------------------------------------------------------


def test_receipt_pdf_has_number_parties_items_lots_and_quantities(app, db, site):
    from logistics.bast.services import render_document_pdf
    from logistics.stock import ledger

    expiry = date(2027, 6, 30)
    with transaction():
        document = new_document(
            db,
            kind="receipt",
            warehouse_id=site.warehouse.id,
            event_id=site.event.id,
            source="apbn",
            source_document="SPPB-0099/2026",
            giver_name="Andi Kemensos",
            receiver_name="Budi Gudang",
        )
        beras = ledger.get_item("beras")
        lot = ledger.find_or_create_lot(site.warehouse, beras, "LOT-BR-77", expiry, today())
        ledger.put(lot, Decimal("1250.5"), "receipt", document=document)
        selimut = ledger.get_item("selimut")
        lot = ledger.find_or_create_lot(site.warehouse, selimut, "", None, today())
        ledger.put(lot, Decimal(40), "receipt", document=document)
    text = pdf_text(render_document_pdf(document))
    assert "BERITA ACARA SERAH TERIMA" in text
    assert app.config["OFFICE_NAME"].upper() in text
    assert document.number in text
    assert "Andi Kemensos" in text and "Budi Gudang" in text
    assert "APBN/Kemensos (SPPB-0099/2026)" in text
    assert "LOT-BR-77" in text and "30 Juni 2027" in text
    assert "1.250,5" in text and "Beras" in text and "kg" in text
    assert "Selimut" in text and "40" in text
    assert site.event.code in text
    for block in ("Yang menyerahkan", "Yang menerima", "Mengetahui"):
        assert block in text
    # The letterhead and the Kepala Dinas come from the office profile.
    assert "PEMERINTAH KOTA BEKASI" in text
    assert "Jl. Jenderal Ahmad Yani No. 1" in text
    assert "Drs. Hendra Gunawan, M.Si." in text and "NIP 197003151995031002" in text
    assert "Kepala Dinas Sosial Kota Bekasi" in text


def test_transfer_pdf_shows_sent_received_and_difference(db, site):
    from logistics.bast.services import render_document_pdf
    from logistics.stock import ledger
    from logistics.stock.warehouses import create_warehouse

    posko = create_warehouse(name="Gudang Posko Margahayu", tier="posko", kelurahan_code=MARGAHAYU)
    with transaction():
        document = new_document(
            db,
            kind="transfer",
            warehouse_id=site.warehouse.id,
            to_warehouse_id=posko.id,
            status="received",
            received_on=today(),
            giver_name="Budi Gudang",
            receiver_name="Citra Posko",
        )
        ledger.take(site.mi, Decimal(8), "transfer_out", document=document)
        arrived = ledger.find_or_create_lot(
            posko, site.mi.item, site.mi.lot_code, site.mi.expiry_date, today()
        )
        ledger.put(arrived, Decimal(7), "transfer_in", document=document)
    text = pdf_text(render_document_pdf(document))
    assert "Gudang Dinsos" in text and "Gudang Posko Margahayu" in text
    assert "Dikirim" in text and "Diterima" in text and "Selisih" in text
    row = next(line for line in text.splitlines() if "Mi instan" in line)
    assert row.split()[-3:] == ["8", "7", "1"]


def test_dispatch_pdf_names_the_shelter_it_went_to(db, site):
    from logistics.bast.services import render_document_pdf
    from logistics.stock import ledger

    with transaction():
        document = new_document(
            db,
            kind="dispatch",
            warehouse_id=site.warehouse.id,
            shelter_id=site.shelter.id,
            kelurahan_code=site.shelter.kelurahan_code,
            event_id=site.event.id,
            giver_name="Budi Gudang",
            receiver_name="Koordinator GOR",
        )
        ledger.issue(site.warehouse, site.mi.item, Decimal(6), "dispatch", document=document)
    text = pdf_text(render_document_pdf(document))
    assert "Pengiriman barang" in text
    assert "GOR Bekasijaya, Kel. Bekasijaya" in text
    row = next(line for line in text.splitlines() if "Mi instan" in line)
    assert row.split()[-1] == "6" and "dus" in row


def test_kitchen_pdf_lists_the_ingredients_taken(db, site):
    from logistics.bast.services import get_document, render_document_pdf

    result = meal(site.kitchen, ingredients=[{"item_id": "beras", "quantity": "12,5"}])
    text = pdf_text(render_document_pdf(get_document(result.meal.document_id)))
    assert "Bahan dapur umum" in text
    assert "Dapur umum Dapur Umum GOR" in text
    assert "Sari Dapur" in text and "Budi Gudang" in text
    assert "12,5" in text and "L-1" in text
    assert "Nomor: -" in text


def test_batch_pdf_lists_recipients_with_masked_nik_only(db, site):
    from logistics.bast.services import create_distribution_batch, render_document_pdf
    from logistics.stock import ledger
    from logistics.victims.models import Household, Person

    persons = register_victims(db, site.event, site.shelter)
    head = db.session.get(Person, persons[0])
    household = Household(no_kk="3275010101010001", head_name=head.name, kelurahan_code=BEKASIJAYA)
    db.session.add(household)
    db.session.flush()
    head.household_id, head.relation = household.id, "kepala_keluarga"
    sandang = stock(site.warehouse, "sandang_dewasa", 20, lot_code="SD-01")
    with transaction():
        by_household = distribution(
            db, site, recipient_kind="household", household_id=household.id, persons_served=4
        )
        ledger.take(sandang, Decimal(4), "distribution", distribution_id=by_household.id)
        by_person = distribution(db, site, person_id=persons[1])
        ledger.take(sandang, Decimal(1), "distribution", distribution_id=by_person.id)
    document = create_distribution_batch(
        site.event,
        today(),
        shelter=site.shelter,
        giver_name="Budi Gudang",
        receiver_name="Koordinator GOR",
    )
    text = pdf_text(render_document_pdf(document))
    assert document.number in text
    assert "Daftar penerima (2)" in text
    assert "Warga 1 (KK)" in text and "Warga 2" in text
    assert "3275********0001" in text and "3275********0002" in text
    for full in (NIKS[0], NIKS[1], "3275010101010001"):
        assert full not in text
    assert "4 paket Sandang dewasa" in text and "1 paket Sandang dewasa" in text
    assert "SD-01" in text and "Koordinator GOR" in text
    item_row = next(line for line in text.splitlines() if line.startswith("1 Sandang dewasa"))
    assert item_row.split()[-1] == "5"


def test_adjustments_have_no_bast(db, site):
    from logistics.bast.services import document_content

    document = new_document(db, kind="adjustment", number=None, reason="rusak")
    with pytest.raises(DomainError) as caught:
        document_content(document)
    assert caught.value.status == 422


# --- batches -------------------------------------------------------------------------------------


def test_batch_takes_the_days_unbatched_rows_at_the_site_only(db, site):
    from logistics.bast.services import create_distribution_batch
    from logistics.distributions.models import Distribution

    persons = register_victims(db, site.event, site.shelter)
    here = [distribution(db, site, person_id=p) for p in persons[:2]]
    other_day = distribution(db, site, person_id=persons[2], distributed_on=today() - timedelta(1))
    outside = distribution(
        db, site, person_id=persons[2], shelter_id=None, kelurahan_code=MARGAHAYU
    )
    kitchen_meal = meal(site.kitchen).distribution
    db.session.commit()

    first = create_distribution_batch(
        site.event, today().isoformat(), shelter=site.shelter.id, giver_name="A", receiver_name="B"
    )
    linked = db.session.scalars(
        select(Distribution.id).where(Distribution.batch_document_id == first.id)
    ).all()
    assert sorted(linked) == sorted(d.id for d in here)
    assert first.kind == "distribution" and first.doc_date == today()
    for row in (other_day, outside, kitchen_meal):
        db.session.refresh(row)
        assert row.batch_document_id is None

    second = create_distribution_batch(
        site.event, today(), kelurahan_code=MARGAHAYU, giver_name="A", receiver_name="C"
    )
    db.session.refresh(outside)
    assert outside.batch_document_id == second.id
    assert int(second.number[:4]) == int(first.number[:4]) + 1


def test_nothing_to_batch_is_422(db, site):
    from logistics.bast.services import create_distribution_batch

    with pytest.raises(DomainError) as caught:
        create_distribution_batch(
            site.event, today(), shelter=site.shelter, giver_name="A", receiver_name="B"
        )
    assert caught.value.status == 422 and "belum dibuatkan BAST" in caught.value.message
    distribution(db, site, person_id=register_victims(db, site.event, site.shelter, NIKS[:1])[0])
    db.session.commit()
    create_distribution_batch(
        site.event, today(), shelter=site.shelter, giver_name="A", receiver_name="B"
    )
    with pytest.raises(DomainError) as caught:  # already batched
        create_distribution_batch(
            site.event, today(), shelter=site.shelter, giver_name="A", receiver_name="B"
        )
    assert caught.value.status == 422


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"giver_name": ""}, "giver_name"),
        ({"receiver_name": " "}, "receiver_name"),
        ({"shelter": None}, "shelter_id"),
        ({"kelurahan_code": BEKASIJAYA}, "kelurahan_code"),
        ({"distributed_on": "kemarin"}, "distributed_on"),
    ],
)
def test_batch_input_is_checked(db, site, overrides, field):
    from logistics.bast.services import create_distribution_batch

    values = {
        "distributed_on": today(),
        "shelter": site.shelter,
        "giver_name": "A",
        "receiver_name": "B",
    }
    values.update(overrides)
    with pytest.raises(DomainError) as caught:
        create_distribution_batch(site.event, values.pop("distributed_on"), **values)
    assert caught.value.field == field
