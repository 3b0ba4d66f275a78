"""The province recap: per kab/kota figures against hand counts on the two-kab/kota province, the
total against the sum of rows and the office-wide figures, scope, and the provinsi's dispatches."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from logistics.core.database import transaction
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.shelters.models import ShelterCount
from logistics.stock.models import Warehouse
from tests.support.province import DESA_A, DESA_B

YEAR = 2026
URL = f"/laporan/rekap-provinsi/?tahun={YEAR}"


def _warehouse(db, code, tier, kelurahan):
    warehouse = Warehouse(code=code, name=f"Gudang {code}", tier=tier, kelurahan_code=kelurahan)
    db.session.add(warehouse)
    db.session.flush()
    return warehouse


def _lines(code, quantity, **extra):
    from logistics.stock import ledger

    return [{"item_id": ledger.get_item(code).id, "quantity": quantity, **extra}]


def _hand_out(event, victim, component):
    from logistics.distributions.services import parse_hand_out, record_distribution

    record_distribution(
        parse_hand_out(
            {
                "event_id": event.id,
                "component": component,
                "person_id": victim.person_id,
                "distributed_on": "2026-11-21",
                "service_note": "Layanan tanpa barang",
            }
        )
    )


@pytest.fixture
def recap(province, db):
    """The province plus: head counts in both shelters, a provinsi warehouse and one per kab/kota
    with stock, a transfer provinsi -> 17.01 (received), a dispatch provinsi -> 17.02's shelter,
    and victim A served every component their status needs (met), victim B not."""
    from logistics.stock.documents import record_dispatch, record_receipt
    from logistics.stock.transfers import receive_transfer, send_transfer

    a, b = province["a"], province["b"]
    for key, persons, capacity in (("a", 30, 50), ("b", 80, 60)):
        shelter = province[key]["shelter"]
        shelter.capacity = capacity
        db.session.add(
            ShelterCount(shelter_id=shelter.id, counted_on=date(2026, 11, 21), persons=persons)
        )
    prov = _warehouse(db, "GPROV", "provinsi", "17.01.01.2001")
    wh_a = _warehouse(db, "GA", "kab_kota", DESA_A)
    wh_b = _warehouse(db, "GB", "kab_kota", DESA_B)
    on = {"doc_date": "2026-11-20", "giver_name": "A", "receiver_name": "B"}
    for warehouse, quantity in ((prov, 1000), (wh_a, 100), (wh_b, 40)):
        record_receipt(
            {
                "warehouse_id": warehouse.id,
                "source": "apbd",
                "lines": _lines("beras", quantity, expiry_date="2027-06-30"),
                **on,
            }
        )
    record_receipt({"warehouse_id": wh_b.id, "source": "apbd", "lines": _lines("selimut", 7), **on})
    transfer, _ = send_transfer(
        {"warehouse_id": prov.id, "to_warehouse_id": wh_a.id, "lines": _lines("beras", 300), **on}
    )
    receive_transfer(transfer.id, {"received_on": "2026-11-21", "lines": []})
    record_dispatch(
        {"warehouse_id": prov.id, "shelter_id": b["shelter"].id, "lines": _lines("beras", 50), **on}
    )
    for component in ("permakanan", "sandang", "tempat_penampungan"):
        _hand_out(a["event"], a["victim"], component)
    db.session.commit()
    return province


def _build(scope):
    from logistics.reports import province_recap

    with transaction():
        return province_recap.build(YEAR, scope)


def _row(data, code):
    return next(row for row in data["rows"] if row.code == code)


def test_each_kab_kota_row_holds_its_own_figures_and_the_provinsi_dispatches(recap):
    data = _build(WHOLE_OFFICE)
    assert [row.code for row in data["rows"]] == ["17.01", "17.02"]
    a, b = _row(data, "17.01"), _row(data, "17.02")
    assert (a.events_year, a.events_active, b.events_year, b.events_active) == (1, 1, 1, 1)
    assert a.victims == {"terdampak": 1, "mengungsi": 1, "meninggal": 0, "hilang": 0}
    assert (a.shelters_open, a.sheltered, a.capacity, a.occupancy) == (1, 30, 50, Decimal("60"))
    assert (b.sheltered, b.capacity, b.occupancy) == (80, 60, Decimal("133.33"))
    # 100 received + 300 from the provinsi's transfer; B keeps its 40 kg and 7 blankets.
    assert a.stock == {("pangan", "kg"): Decimal(400)}
    assert b.stock == {("pangan", "kg"): Decimal(40), ("hunian", "lembar"): Decimal(7)}
    assert (a.spm_needing, a.spm_met, a.spm_capaian) == (1, 1, Decimal("100.00"))
    assert (b.spm_needing, b.spm_met, b.spm_capaian) == (1, 0, Decimal("0.00"))
    # The kab/kota side: what arrived from the provinsi; the provinsi side: what it holds now.
    assert (a.documents_from_provinsi, a.from_provinsi) == (1, {("pangan", "kg"): Decimal(300)})
    assert a.received_from_provinsi == {("pangan", "kg"): Decimal(300)}
    assert (b.documents_from_provinsi, b.from_provinsi) == (1, {("pangan", "kg"): Decimal(50)})
    assert data["provinsi_stock"] == {("pangan", "kg"): Decimal(650)}
    assert data["total"].from_provinsi == {("pangan", "kg"): Decimal(350)}


def test_the_total_is_the_sum_of_rows_and_the_office_wide_figures(recap, db):
    from logistics.shelters.lists import shelter_totals
    from logistics.spm.aggregates import rebuild
    from logistics.spm.dashboard import year_summary
    from logistics.stock.models import StockLot

    data = _build(WHOLE_OFFICE)
    rows, total = data["rows"], data["total"]
    assert total.events_year == sum(r.events_year for r in rows) == 2
    for key in ("terdampak", "mengungsi", "meninggal", "hilang"):
        assert total.victims[key] == sum(r.victims[key] for r in rows)
    assert total.sheltered == sum(r.sheltered for r in rows) == shelter_totals().persons
    assert total.shelters_open == shelter_totals().units == 2
    assert total.capacity == 110
    stock_sum = sum(sum(r.stock.values()) for r in rows) + sum(data["provinsi_stock"].values())
    assert stock_sum == sum(lot.quantity for lot in db.session.query(StockLot))
    assert (total.spm_needing, total.spm_met) == (2, 1)
    assert total.spm_capaian == Decimal("50.00")
    # The SPM engine's own year row, as the dashboard and year-end report read it.
    with transaction():
        rebuild(YEAR)
    spm = next(r for r in year_summary(YEAR) if r["indicator"] == "capaian_spm")
    assert (spm["needing"], spm["met"]) == (total.spm_needing, total.spm_met)


def test_a_scoped_operator_sees_only_their_kab_kota(recap, client_for):
    data = _build(Scope(see=("17.02",), record=("17.02",)))
    assert [row.code for row in data["rows"]] == ["17.02"]
    assert data["total"].victims == data["rows"][0].victims
    assert (data["total"].spm_needing, data["total"].spm_met) == (1, 0)
    assert data["provinsi_stock"] == {}
    client = client_for(recap["op_b"])
    page = client.get(URL).get_data(as_text=True)
    assert "Rejang Lebong" in page and "Bengkulu Selatan" not in page
    api = client.get(f"/api/v1/province-recap/{YEAR}").get_json()
    assert [row["code"] for row in api["rows"]] == ["17.02"]
    assert api["provinsi_stock"] is None
    xlsx = load_workbook(
        io.BytesIO(client.get(f"/laporan/rekap-provinsi/unduh.xlsx?tahun={YEAR}").data)
    )
    names = [cell.value for cell in xlsx.active["B"]]
    assert "Rejang Lebong" in names and "Bengkulu Selatan" not in names


def test_the_page_api_and_files_for_the_provincial_viewer(recap, client_for):
    client = client_for(recap["viewer"])
    page = client.get(URL).get_data(as_text=True)
    assert 'class="table-wrap"' in page and 'data-kab-kota="17.01"' in page
    assert "Rekap kab/kota" in page  # the menu links it in a provinsi office
    api = client.get(f"/api/v1/province-recap/{YEAR}").get_json()
    assert api["total"]["spm"] == {"needing": 2, "met": 1, "capaian": 50}
    assert api["provinsi_stock"] == [{"category": "pangan", "unit": "kg", "quantity": 650}]
    book = load_workbook(
        io.BytesIO(client.get(f"/laporan/rekap-provinsi/unduh.xlsx?tahun={YEAR}").data)
    )
    sheet = book.active
    header = [cell.value for cell in sheet[3]]
    total = [cell.value for cell in sheet[6]]
    assert total[1] == "Jumlah"
    assert total[header.index("Korban terdampak (jiwa)")] == 2
    assert total[header.index("Stok Pangan (kg)")] == 440
    pdf = client.get(f"/laporan/rekap-provinsi/unduh.pdf?tahun={YEAR}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_kab_kota_office_has_no_recap(app, as_role):
    app.config.update(OFFICE_AREA_CODE="32.75", OFFICE_LEVEL="kota")
    client = as_role("pimpinan")
    assert client.get(URL).status_code == 404
    assert client.get(f"/api/v1/province-recap/{YEAR}").status_code == 404
    assert "Rekap kab/kota" not in client.get("/").get_data(as_text=True)


def test_the_kept_figures_follow_the_spm_engine(recap, db):
    """Victims and SPM per kab/kota are kept with the SPM year they were computed with, and
    computed again once the SPM engine has computed the year anew after a write."""
    from logistics.reports.models import RecapFigures
    from logistics.spm.aggregates import recompute_year
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_victim

    with transaction():
        recompute_year(YEAR)
    assert _build(WHOLE_OFFICE)["total"].victims["terdampak"] == 2
    assert db.session.get(RecapFigures, YEAR) is not None
    with transaction():
        register_victim(
            recap["b"]["event"],
            PersonInput(name="Warga C", no_nik_reason="lainnya", sex="P"),
            status="menderita",
            kelurahan_code=DESA_B,
        )
    # Until the SPM engine has seen the write, the kept figures stand (as the dashboard's do).
    assert _row(_build(WHOLE_OFFICE), "17.02").victims["terdampak"] == 1
    with transaction():
        recompute_year(YEAR)
    data = _build(WHOLE_OFFICE)
    assert _row(data, "17.02").victims["terdampak"] == 2
    assert (data["total"].spm_needing, _row(data, "17.02").spm_needing) == (3, 2)
