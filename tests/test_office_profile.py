"""The office profile page, the profile in the app config, and the letterhead on printed BASTs."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from logistics.office.models import OfficeProfile
from tests.support.kitchens import make_site, today
from tests.support.office import HEAD_NAME, HEAD_NIP, SERANG, png_logo, save_serang_profile


def form_data(**changes) -> dict:
    data = dict(SERANG)
    data.update(
        kepala_dinas_name=HEAD_NAME,
        kepala_dinas_nip=HEAD_NIP,
        kepala_dinas_position="Kepala Dinas Sosial Kabupaten Serang",
    )
    data.update(changes)
    return data


def test_admin_saves_the_profile_and_every_page_reads_it(app, db, as_role):
    admin = as_role("admin")
    assert "Profil kantor" in admin.get("/").get_data(as_text=True)
    page = admin.get("/admin/profil-kantor")
    assert page.status_code == 200
    data = form_data(logo=(io.BytesIO(png_logo()), "logo.png"))
    response = admin.post("/admin/profil-kantor", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert app.config["OFFICE_AREA_CODE"] == "36.04"
    assert app.config["OFFICE_LEVEL"] == "kabupaten"
    assert "Dinas Sosial Kabupaten Serang" in admin.get("/").get_data(as_text=True)
    assert admin.get("/kantor/logo").data == png_logo()
    # A second save is a new revision of the same profile.
    admin.post("/admin/profil-kantor", data=form_data(address="Jl. Baru No. 2"))
    assert db.session.scalar(select(func.count()).select_from(OfficeProfile)) == 1
    assert db.session.scalar(select(OfficeProfile.revision)) == 2
    assert app.config["OFFICE_ADDRESS"] == "Jl. Baru No. 2"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kepala_dinas_nip": "12345"}, "harus 18 angka"),
        ({"area_code": "32.75"}, "bukan kode kabupaten"),
        ({"kepala_dinas_name": ""}, "Nama Kepala Dinas wajib diisi"),
        ({"pengelola_gudang_name": "Rina", "pengelola_gudang_nip": ""}, "harus 18 angka"),
        ({"logo": (io.BytesIO(b"GIF89a......"), "logo.gif")}, "bukan gambar PNG atau JPEG"),
        ({"email": "bukan-surel"}, "tidak sah"),
    ],
)
def test_profile_page_refuses_bad_input(app, db, as_role, changes, message):
    admin = as_role("admin")
    response = admin.post(
        "/admin/profil-kantor", data=form_data(**changes), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OfficeProfile)) == 0
    assert app.config["OFFICE_AREA_CODE"] == "32.75"


def test_only_the_admin_sets_the_profile(db, as_role):
    assert as_role("operator").get("/admin/profil-kantor").status_code == 403
    assert as_role("pimpinan").post("/admin/profil-kantor", data=form_data()).status_code == 403


def test_a_profile_saved_elsewhere_reaches_this_worker(app, db):
    """Another gunicorn worker saved it: this one sees the new revision on its next check."""
    from logistics.office.services import refresh_office_config

    app.config["OFFICE_CHECK_SECONDS"] = 0
    refresh_office_config(app)
    assert app.config["OFFICE_NAME"] == "Dinas Sosial Kota Bekasi"
    from logistics.office.services import save_profile
    from tests.support.office import signatories

    save_profile(SERANG, signatories(), None, app.config["INSTANCE_DIR"])
    db.session.commit()
    refresh_office_config(app)
    assert app.config["OFFICE_NAME"] == "Dinas Sosial Kabupaten Serang"
    assert app.config["OFFICE_SIGNATORIES"][0]["nip"] == HEAD_NIP


# --- the BAST and its signatories -------------------------------------------------------------


def receipt(db, site, **names):
    from logistics.core.database import transaction
    from logistics.stock import ledger
    from logistics.stock.bast import next_number
    from logistics.stock.models import StockDocument

    values = {"giver_name": "Andi Kemensos", "receiver_name": "Budi Gudang"}
    values.update(names)
    with transaction():
        document = StockDocument(
            kind="receipt",
            doc_date=today(),
            number=next_number(today()),
            warehouse_id=site.warehouse.id,
            event_id=site.event.id,
            **values,
        )
        db.session.add(document)
        db.session.flush()
        lot = ledger.find_or_create_lot(
            site.warehouse, ledger.get_item("selimut"), "", None, today()
        )
        ledger.put(lot, Decimal(10), "receipt", document=document)
    return document


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages[0].images)


def test_bast_carries_the_letterhead_logo_and_signatories(app, db, make_event, as_role):
    save_serang_profile(app, db)
    site = make_site(db, make_event)
    document = receipt(db, site)
    response = as_role("operator").get(f"/logistik/dokumen/{document.id}/bast.pdf")
    assert response.status_code == 200
    text, images = pdf_text(response.data)
    assert "PEMERINTAH KABUPATEN SERANG" in text
    assert "DINAS SOSIAL KABUPATEN SERANG" in text
    assert "Jl. Veteran No. 1, Kota Serang" in text
    assert HEAD_NAME in text and f"NIP {HEAD_NIP}" in text
    assert images == 1  # the logo


def test_bast_without_the_kepala_dinas_is_refused_with_where_to_set_it(db, make_event, as_role):
    site = make_site(db, make_event)
    document = receipt(db, site)
    page = as_role("operator").get(f"/logistik/dokumen/{document.id}/bast.pdf")
    assert page.status_code == 422
    assert "Profil kantor" in page.get_data(as_text=True)
    api = as_role("operator").get(f"/api/v1/stock-documents/{document.id}/bast.pdf")
    assert api.status_code == 422 and "Profil kantor" in api.get_json()["message"]


def test_bast_with_a_blank_party_name_is_refused(app, db, make_event, as_role):
    save_serang_profile(app, db, logo=False)
    site = make_site(db, make_event)
    document = receipt(db, site, receiver_name="  ")
    page = as_role("operator").get(f"/logistik/dokumen/{document.id}/bast.pdf")
    assert page.status_code == 422
    assert "yang menerima (pihak kedua)" in page.get_data(as_text=True)
