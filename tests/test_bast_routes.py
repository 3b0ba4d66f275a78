"""BAST routes: the PDF page and API, the batch page and API, and who may use them."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.support.kitchens import distribution, make_site, meal, register_victims, today

# A BAST names who signs it: these offices have their profile with the Kepala Dinas.
pytestmark = pytest.mark.usefixtures("bekasi_office")


@pytest.fixture
def site(db, make_event):
    return make_site(db, make_event)


def text_of(response) -> str:
    assert response.mimetype == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_pdf_page_and_api_need_a_login(app, db, site, as_role):
    document_id = meal(
        site.kitchen, ingredients=[{"item_id": "beras", "quantity": 3}]
    ).meal.document_id
    anonymous = app.test_client()
    assert anonymous.get(f"/logistik/dokumen/{document_id}/bast.pdf").status_code == 302
    assert anonymous.get(f"/api/v1/stock-documents/{document_id}/bast.pdf").status_code == 401

    pimpinan = as_role("pimpinan")
    page = pimpinan.get(f"/logistik/dokumen/{document_id}/bast.pdf")
    assert page.status_code == 200
    assert "Dapur Umum GOR" in text_of(page)
    assert f'filename="bast-kitchen-{document_id}.pdf"' in page.headers["Content-Disposition"]
    api = pimpinan.get(f"/api/v1/stock-documents/{document_id}/bast.pdf")
    assert api.status_code == 200 and "BERITA ACARA SERAH TERIMA" in text_of(api)
    missing = pimpinan.get("/api/v1/stock-documents/9999/bast.pdf")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_api_batch_and_its_pdf(db, site, as_role):
    persons = register_victims(db, site.event, site.shelter)
    rows = [distribution(db, site, person_id=p) for p in persons]
    db.session.commit()
    operator = as_role("operator")
    payload = {
        "event_id": site.event.id,
        "distributed_on": today().isoformat(),
        "shelter_id": site.shelter.id,
        "giver_name": "Budi Gudang",
        "receiver_name": "Koordinator GOR",
    }
    created = operator.post("/api/v1/distribution-batches", json=payload)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["distribution_ids"] == [r.id for r in rows]
    assert body["number"].endswith(f"/{today().year}")
    text = text_of(operator.get(body["pdf_url"]))
    assert body["number"] in text and "Koordinator GOR" in text and "Daftar penerima (3)" in text

    again = operator.post("/api/v1/distribution-batches", json=payload)
    assert again.status_code == 422 and again.get_json()["field"] == "distributed_on"
    unknown = operator.post("/api/v1/distribution-batches", json=payload | {"site": "x"})
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "site"
    tagana = as_role("tagana")
    assert tagana.post("/api/v1/distribution-batches", json=payload).status_code == 403


def test_batch_page_lists_pending_sites_and_makes_the_bast(db, site, as_role):
    from logistics.stock.models import StockDocument

    persons = register_victims(db, site.event, site.shelter, ["3275014101900009"])
    distribution(db, site, person_id=persons[0])
    db.session.commit()
    operator = as_role("operator")
    page = operator.get("/logistik/penyaluran/bast").get_data(as_text=True)
    assert "GOR Bekasijaya" in page and site.event.code in page
    response = operator.post(
        "/logistik/penyaluran/bast",
        data={
            "event_id": str(site.event.id),
            "distributed_on": today().isoformat(),
            "shelter_id": str(site.shelter.id),
            "kelurahan_code": "",
            "giver_name": "Budi Gudang",
            "receiver_name": "Koordinator GOR",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    document = db.session.scalar(select(StockDocument).where(StockDocument.kind == "distribution"))
    html = response.get_data(as_text=True)
    assert document.number in html
    assert f"/logistik/dokumen/{document.id}/bast.pdf" in html
    assert "Semua penyaluran sudah punya BAST" in html

    empty = operator.post(
        "/logistik/penyaluran/bast",
        data={
            "event_id": str(site.event.id),
            "distributed_on": today().isoformat(),
            "shelter_id": str(site.shelter.id),
            "giver_name": "A",
            "receiver_name": "B",
        },
    )
    assert empty.status_code == 422 and "belum dibuatkan BAST" in empty.get_data(as_text=True)
    assert as_role("tagana").get("/logistik/penyaluran/bast").status_code == 403
