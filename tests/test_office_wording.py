"""Pages, messages and import templates speak the office's own words and show its own codes."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.support.office import save_serang_profile


@pytest.fixture
def serang(app, db):
    return save_serang_profile(app, db, logo=False)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_kabupaten_office_says_desa_and_shows_its_own_example_codes(
    serang, db, as_role, make_event
):
    client = as_role("admin")
    event = make_event()
    events = page(client, "/kejadian/")
    assert 'placeholder="mis. 36.04.01.2001"' in events
    assert "Kode kelurahan/desa" in events
    detail = page(client, f"/kejadian/{event.id}")
    assert "Pilih desa" in detail and "Per desa" in detail
    assert "Per kelurahan/desa" in detail
    forms = (
        "/kejadian/",
        "/kejadian/baru",
        "/pengungsian/baru",
        "/tagana/anggota/baru",
        "/tagana/ksb/baru",
        "/logistik/penyaluran/bast",
        "/logistik/pengiriman/baru",
        "/logistik/gudang/baru",
        "/korban/daftar",
    )
    for path in forms:
        html = page(client, path)
        # Examples and placeholders come from the office, never from the demo's Kota Bekasi.
        assert not re.search(r'placeholder="[^"]*32\.?75', html), path
    assert 'placeholder="3604xxxxxxxxxxxx"' in page(client, "/korban/daftar")
    assert 'placeholder="GDG-3604-01"' in page(client, "/logistik/gudang/baru")
    assert "Judul kejadian (mis. Banjir luapan sungai" in page(client, "/kejadian/baru")
    assert 'placeholder="36.04.01.2001"' in page(client, "/pengungsian/baru")
    form = page(client, f"/kejadian/{event.id}/status")
    assert '<option selected value="bupati_walikota">Bupati</option>' in form


def test_a_kota_office_says_kelurahan(db, as_role, make_event):
    """No profile: the defaults are a kota (32.75), whose areas are all kelurahan."""
    client = as_role("admin")
    event = make_event()
    detail = page(client, f"/kejadian/{event.id}")
    assert "Pilih kelurahan" in detail and "Per kelurahan" in detail
    assert "kelurahan/desa" not in detail.lower()
    form = page(client, f"/kejadian/{event.id}/status")
    assert '<option selected value="bupati_walikota">Wali Kota</option>' in form


def test_a_provinsi_office_has_the_gubernur_issue_its_decrees(app, db, as_role, make_event):
    app.config.update(OFFICE_LEVEL="provinsi", OFFICE_AREA_CODE="36")
    client = as_role("admin")
    event = make_event()
    form = page(client, f"/kejadian/{event.id}/status")
    assert '<option selected value="gubernur">Gubernur</option>' in form
    assert 'placeholder="mis. 36.01.01.2001"' in page(client, "/kejadian/")


def test_the_victim_import_template_uses_the_offices_codes(serang, as_role):
    response = as_role("operator").get("/korban/impor/templat.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    text = " ".join(cells)
    assert "36.04.01.2001" in text
    assert "Kode Kemendagri kelurahan/desa, mis. 36.04.01.2001." in text
    assert "3604014107850003" in text
    assert "32.75" not in text and "3275" not in text


def test_a_bad_code_message_gives_an_example_of_the_office(serang, db):
    from logistics.areas.services import require_kelurahan
    from logistics.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        require_kelurahan("36-04-01")
    assert "mis. 36.04.01.2001" in caught.value.message


def _csv(tmp_path, code: str):
    path = tmp_path / "korban.csv"
    path.write_text(
        "nama,jenis_kelamin,tanggal_lahir,alasan_tanpa_nik,status,kode_kelurahan\n"
        f"Budi,L,17-08-1985,dokumen_hilang,mengungsi,{code}\n"
    )
    return path


def _messages(client, make_event, tmp_path, prefix: str) -> dict[str, str]:
    """The refusals a person sees from the victim, event, shelter and import domains."""
    from logistics.victims.import_plan import build_plan

    event = make_event()
    victim = client.post(
        "/api/v1/victims",
        json={
            "event_id": event.id,
            "status": "mengungsi",
            "kelurahan_code": f"{prefix}.01.1099",
            "person": {"name": "Budi", "no_nik_reason": "dokumen_hilang", "sex": "L"},
        },
    )
    assert victim.status_code == 422 and victim.get_json()["field"] == "kelurahan_code"
    areas = client.post(
        "/api/v1/events",
        json={"hazard": "BJR", "title": "Banjir", "started_at": "2026-11-20T01:00:00+07:00",
              "kelurahan_codes": ["99-01"]},
    )  # fmt: skip
    assert areas.status_code == 422 and areas.get_json()["field"] == "kelurahan_codes"
    plan = build_plan(_csv(tmp_path, f"{prefix}.01.1099"), event.id)
    return {
        "victim": victim.get_json()["message"],
        "areas": areas.get_json()["message"],
        "shelter": page(client, "/pengungsian/baru"),
        "import": plan.rejected[0].reason,
        "export": client.get("/pengungsian/?format=csv").get_data(as_text=True).splitlines()[0],
    }


def test_a_kabupaten_office_is_told_about_its_desa(serang, as_role, make_event, tmp_path):
    messages = _messages(as_role("admin"), make_event, tmp_path, "36.04")
    assert "Kode kelurahan/desa '36.04.01.1099' tidak dikenal" in messages["victim"]
    assert "Kode kelurahan/desa salah format: 99-01" in messages["areas"]
    assert "Kelurahan/desa (kode; kosongkan agar terisi dari titik)" in messages["shelter"]
    assert "kelurahan/desa '36.04.01.1099' tidak dikenal" in messages["import"]
    assert "Kode kelurahan/desa,Kelurahan/desa" in messages["export"]


def test_a_kota_office_is_told_about_its_kelurahan(db, as_role, make_event, tmp_path):
    messages = _messages(as_role("admin"), make_event, tmp_path, "32.75")
    assert "Kode kelurahan '32.75.01.1099' tidak dikenal" in messages["victim"]
    assert "Kode kelurahan salah format: 99-01" in messages["areas"]
    assert "Kelurahan (kode; kosongkan agar terisi dari titik)" in messages["shelter"]
    assert "kelurahan '32.75.01.1099' tidak dikenal" in messages["import"]
    assert "Kode kelurahan,Kelurahan," in messages["export"]
    for name in ("victim", "areas", "import", "export"):
        assert "desa" not in messages[name], name


def test_a_kota_office_victim_import_template_says_kelurahan(db, as_role):
    response = as_role("operator").get("/korban/impor/templat.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Kode Kemendagri kelurahan, mis. 32.75.01.1001." in cells
