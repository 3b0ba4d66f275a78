"""Budget pages and API: reading per role, pagu and realisation forms, import page, exports."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.support.budget import GOOD_ROWS, PERMAKANAN, SANDANG, xlsx

YEAR = 2026


@pytest.fixture
def planned(db):
    from logistics.budget import services as budget

    budget.seed_structure()
    budget.set_budget(
        budget.get_node(PERMAKANAN), YEAR, pagu_awal=400_000_000, plan=[100_000_000] * 4
    )
    budget.set_budget(
        budget.get_node(SANDANG), YEAR, pagu_awal=200_000_000, pagu_perubahan=250_000_000
    )
    budget.record_realisation(
        budget.get_node(PERMAKANAN),
        YEAR,
        paid_on="2026-02-03",
        amount_value=289_540_000,
        document_number="SP2D-0042",
    )
    db.session.commit()
    return budget


@pytest.mark.parametrize("role", ["admin", "operator", "tagana", "pimpinan"])
def test_everyone_logged_in_reads_the_tree(as_role, planned, role):
    client = as_role(role)
    page = client.get(f"/anggaran/?tahun={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rp 400.000.000" in html and "Rp 250.000.000" in html
    # 289.540.000 / 650.000.000 = 44,544...% at program level; 72,385% -> 72,39% for permakanan
    assert "72,39%" in html and "44,54%" in html
    writes = ("Catat realisasi" in html, "Impor rencana" in html)
    assert writes == ((True, True) if role in ("admin", "operator") else (False, False))
    detail = client.get(f"/anggaran/{PERMAKANAN}?tahun={YEAR}")
    assert detail.status_code == 200 and "SP2D-0042" in detail.get_data(as_text=True)
    # the zero-padded form of the code leads to the same page
    other = client.get(f"/anggaran/1.06.06.02.01.0001?tahun={YEAR}")
    assert other.status_code == 302 and PERMAKANAN in other.headers["Location"]


def test_anonymous_is_sent_to_login(client, planned):
    assert client.get("/anggaran/").status_code in (302, 401)
    assert client.get("/api/v1/budget/tree").status_code == 401


@pytest.mark.parametrize("role", ["tagana", "pimpinan"])
def test_readers_cannot_write(as_role, planned, role):
    client = as_role(role)
    assert client.get("/anggaran/pagu").status_code == 403
    assert client.post("/anggaran/realisasi", data={}).status_code == 403
    assert client.post("/anggaran/impor", data={}).status_code == 403
    assert client.post("/anggaran/struktur-standar").status_code == 403
    response = client.post("/api/v1/budget/realisations", json={"code": PERMAKANAN})
    assert response.status_code == 403


def test_operator_sets_pagu_and_records_realisation(as_role, planned):
    client = as_role("operator")
    assert client.get(f"/anggaran/pagu?kode={PERMAKANAN}&tahun={YEAR}").status_code == 200
    data = {
        "code": PERMAKANAN,
        "fiscal_year": "2026",
        "pagu_awal": "400.000.000",
        "pagu_perubahan": "300.000.000",
        "plan_q1": "100.000.000",
        "plan_q2": "100.000.000",
        "plan_q3": "100.000.000",
        "plan_q4": "50.000.000",
        "note": "",
    }
    refused = client.post("/anggaran/pagu", data=data)
    assert refused.status_code == 422
    assert "melebihi pagu perubahan Rp 300.000.000" in refused.get_data(as_text=True)
    saved = client.post("/anggaran/pagu", data=data | {"plan_q4": "0"})
    assert saved.status_code == 302
    line = planned.get_line(planned.get_node(PERMAKANAN), YEAR)
    assert (line.pagu_perubahan, line.plan_q4) == (300_000_000, 0)

    entry = {
        "code": PERMAKANAN,
        "fiscal_year": "2026",
        "paid_on": "2026-05-20",
        "amount_value": "10.000.001",
        "document_number": "SP2D-0100",
        "note": "",
    }
    over = client.post("/anggaran/realisasi", data=entry | {"amount_value": "10.460.001"})
    assert over.status_code == 422 and "sisa Rp 10.460.000" in over.get_data(as_text=True)
    outside = client.post("/anggaran/realisasi", data=entry | {"paid_on": "2025-05-20"})
    assert outside.status_code == 422 and "di luar tahun anggaran" in outside.get_data(as_text=True)
    assert client.post("/anggaran/realisasi", data=entry).status_code == 302
    rows = {r.code: r.amounts for r in planned.year_tree(YEAR)}
    assert rows[PERMAKANAN].realised == [289_540_000, 10_000_001, 0, 0]


def test_delete_realisation(as_role, planned):
    client = as_role("admin")
    [entry] = planned.realisations(planned.get_node(PERMAKANAN), YEAR)
    response = client.post(f"/anggaran/realisasi/{entry.id}/hapus")
    assert response.status_code == 302
    assert planned.realisations(planned.get_node(PERMAKANAN), YEAR) == []


def test_seed_button_on_an_empty_tree(as_role, db):
    client = as_role("operator")
    assert "Muat Program Penanganan Bencana" in client.get("/anggaran/").get_data(as_text=True)
    assert client.post("/anggaran/struktur-standar").status_code == 302
    assert PERMAKANAN in client.get("/anggaran/").get_data(as_text=True)


def test_import_page_shows_errors_and_flags(as_role, db, run_jobs):
    client = as_role("operator")
    assert client.get("/anggaran/impor").status_code == 200
    assert client.get("/anggaran/impor/templat.xlsx").status_code == 200
    bad = [*GOOD_ROWS, ["1.06.06.2.01.0003", "Tempat", "abc", None, None, None, None, None]]
    response = client.post(
        "/anggaran/impor",
        data={"file": (io.BytesIO(xlsx(bad)), "rencana.xlsx"), "fiscal_year": "2026"},
        content_type="multipart/form-data",
    )
    # The plan is checked by a background job; its page shows the report.
    assert response.status_code == 302
    run_jobs()
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tidak ada data yang disimpan" in html and "harus berupa angka rupiah" in html
    response = client.post(
        "/anggaran/impor",
        data={"file": (io.BytesIO(xlsx(GOOD_ROWS)), "rencana.xlsx"), "fiscal_year": "2026"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    run_jobs()
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "tercetak Rp 650.000.000, jumlah rincian Rp 700.000.000" in html
    tree = client.get(f"/anggaran/?tahun={YEAR}").get_data(as_text=True)
    # the kegiatan's own pagu is used and flagged against the sum of its sub-kegiatan
    assert "pagu tidak sama dengan rincian" in tree and "Rp 650.000.000" in tree
    assert 'diisi <span class="num">Rp 650.000.000</span>, jumlah rincian' in tree


def test_exports(as_role, planned):
    client = as_role("pimpinan")
    response = client.get(f"/anggaran/?tahun={YEAR}&format=csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Kode", "Tingkat", "Uraian"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["1.06.06"][4:7] == ["600000000", "650000000", "650000000"]
    assert by_code[PERMAKANAN][17] == "72.39"
    response = client.get(f"/anggaran/?tahun={YEAR}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["1.06.06.2.01"][15] == 289_540_000
    # Numbers stay numbers: whole rupiah without decimals, serapan with two decimals.
    cells = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert cells[PERMAKANAN][17].value == 72.39
    assert cells[PERMAKANAN][17].number_format == "#,##0.00"
    assert cells["1.06.06"][4].number_format == "#,##0"


def test_api_tree_pagu_and_realisation(as_role, planned):
    reader = as_role("pimpinan")
    body = reader.get(f"/api/v1/budget/tree?year={YEAR}").get_json()
    rows = {r["code"]: r for r in body["rows"]}
    assert body["fiscal_year"] == YEAR
    assert rows[PERMAKANAN]["serapan"] == "72.39"
    assert (
        rows["1.06.06"]["pagu"] == 650_000_000 and rows["1.06.06"]["pagu_perubahan"] == 650_000_000
    )
    assert rows["1.06.06.2.02"]["serapan"] is None

    writer = as_role("operator")
    response = writer.post(
        "/api/v1/budget/pagu",
        json={
            "code": "1.06.06.02.02.0001",
            "fiscal_year": YEAR,
            "pagu_awal": 75_000_000,
            "plan": [0, 25_000_000, 25_000_000, 25_000_000],
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["code"] == "1.06.06.2.02.0001"
    # A kegiatan may carry its own pagu, but not a cash plan of its own.
    response = writer.post(
        "/api/v1/budget/pagu",
        json={"code": "1.06.06.2.02", "fiscal_year": YEAR, "pagu_awal": 1, "plan": [1, 0, 0, 0]},
    )
    assert response.status_code == 422 and response.get_json()["field"] == "plan_q1"
    response = writer.post(
        "/api/v1/budget/pagu",
        json={
            "code": "1.06.06.2.02.0001",
            "fiscal_year": YEAR,
            "pagu_awal": 10,
            "plan": [5, 5, 5, 5],
        },
    )
    assert response.status_code == 422 and response.get_json()["field"] == "plan_q1"

    entry = {
        "code": "1.06.06.2.02.0001",
        "fiscal_year": YEAR,
        "paid_on": "2026-07-01",
        "amount": 20_000_000,
        "document_number": "SP2D-KSB-1",
    }
    response = writer.post("/api/v1/budget/realisations", json=entry)
    assert response.status_code == 201 and response.get_json()["amount"] == 20_000_000
    assert writer.post("/api/v1/budget/realisations", json=entry).status_code == 409
    response = writer.post("/api/v1/budget/realisations", json=entry | {"amount": -3})
    assert response.status_code == 422 and response.get_json()["field"] == "amount"
    response = writer.post("/api/v1/budget/realisations", json=entry | {"extra": 1})
    assert response.status_code == 422
    response = writer.post(
        "/api/v1/budget/realisations", json=entry | {"code": "9.99.99.9.99.9999"}
    )
    assert response.status_code == 404
    body = reader.get(f"/api/v1/budget/tree?year={YEAR}").get_json()
    ksb = {r["code"]: r for r in body["rows"]}["1.06.06.2.02"]
    assert ksb["realised"] == [0, 0, 20_000_000, 0] and ksb["serapan"] == "26.67"
