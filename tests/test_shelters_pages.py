"""Shelter pages: list, export, map, detail, forms for opening, counting and closing; roles."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from logistics.shelters.models import Shelter, ShelterCount
from tests.conftest import PASSWORD
from tests.support.areas import BEKASIJAYA, MARGAHAYU, label_point
from tests.support.shelters import head_count, shelter_factory


@pytest.fixture
def make_shelter(db, bekasi):
    return shelter_factory(db)


@pytest.fixture
def three_shelters(db, make_shelter):
    """Half full, nearly full (90%) and over capacity (120%), plus a closed one."""
    half = make_shelter(name="Balai Warga Bekasijaya", kind="balai_warga", capacity=100)
    nearly = make_shelter(name="Masjid Al-Ikhlas", kind="masjid", capacity=50)
    over = make_shelter(name="SDN Margahayu 3", kind="gedung_sekolah", capacity=40)
    closed = make_shelter(name="Tenda Lapangan", kind="tenda", capacity=30)
    head_count(half, 50)
    head_count(nearly, 45)
    head_count(over, 48)
    from logistics.shelters.services import close_shelter
    from logistics.victims.figures import displaced_in_shelter

    close_shelter(closed, displaced_in_registry=displaced_in_shelter(closed))
    db.session.commit()
    return half, nearly, over, closed


def test_anonymous_is_sent_to_login_and_sees_no_contact_person(client, make_shelter):
    shelter = make_shelter(pic_name="Pak Darto Wibowo", pic_phone="081299998888")
    for path in [
        "/pengungsian/",
        "/pengungsian/peta",
        f"/pengungsian/{shelter.id}",
        "/pengungsian/baru",
        f"/pengungsian/{shelter.id}/hitung",
        f"/pengungsian/{shelter.id}/tutup",
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/masuk" in response.headers["Location"]
    public = client.get("/peta").get_data(as_text=True)
    assert "Darto" not in public and "081299998888" not in public


def test_contact_person_shows_to_logged_in_staff_only_on_the_detail_page(as_role, make_shelter):
    shelter = make_shelter(pic_name="Pak Darto Wibowo", pic_phone="081299998888")
    client = as_role("pimpinan")
    assert "Pak Darto Wibowo" in client.get(f"/pengungsian/{shelter.id}").get_data(as_text=True)
    listing = client.get("/pengungsian/").get_data(as_text=True)
    export = client.get("/pengungsian/?format=csv").get_data(as_text=True)
    assert "Darto" not in listing and "Darto" not in export


def test_pimpinan_reads_but_cannot_write(as_role, make_shelter):
    shelter = make_shelter()
    client = as_role("pimpinan")
    assert client.get("/pengungsian/").status_code == 200
    assert client.get("/pengungsian/peta").status_code == 200
    page = client.get(f"/pengungsian/{shelter.id}").get_data(as_text=True)
    assert "Catat hitungan" not in page and "Tutup tempat" not in page
    for path, data in [
        ("/pengungsian/baru", {"name": "X", "kind": "tenda", "capacity": "5"}),
        (f"/pengungsian/{shelter.id}/hitung", {"persons": "5"}),
        (f"/pengungsian/{shelter.id}/ubah", {"name": "X"}),
        (f"/pengungsian/{shelter.id}/tutup", {}),
        (f"/pengungsian/{shelter.id}/buka-kembali", {}),
    ]:
        assert client.post(path, data=data).status_code == 403, path
    assert client.get("/pengungsian/baru").status_code == 403


def test_tagana_counts_but_does_not_edit_open_or_close(as_role, make_shelter, db):
    shelter = make_shelter()
    name = shelter.name
    client = as_role("tagana")
    assert client.get(f"/pengungsian/{shelter.id}/hitung").status_code == 200
    assert client.get("/pengungsian/baru").status_code == 403
    assert client.get(f"/pengungsian/{shelter.id}/tutup").status_code == 403
    assert client.get(f"/pengungsian/{shelter.id}/ubah").status_code == 403
    refused = client.post(f"/pengungsian/{shelter.id}/ubah", data={"name": "Diganti"})
    assert refused.status_code == 403
    db.session.refresh(shelter)
    assert shelter.name == name
    assert "Ubah data tempat" not in client.get(f"/pengungsian/{shelter.id}").get_data(as_text=True)


def test_nav_links_to_the_shelter_list(as_role, bekasi):
    page = as_role("operator").get("/").get_data(as_text=True)
    assert 'href="/pengungsian/"' in page


def test_open_a_shelter_with_the_form_fills_the_kelurahan_from_the_point(as_role, db, bekasi):
    client = as_role("operator")
    page = client.get("/pengungsian/baru").get_data(as_text=True)
    assert "Pakai lokasi saya" in page and 'inputmode="numeric"' in page
    lat, lng = label_point(MARGAHAYU)
    response = client.post(
        "/pengungsian/baru",
        data={
            "name": "SDN Margahayu 3",
            "kind": "gedung_sekolah",
            "lat": f"{lat:.6f}".replace(".", ","),
            "lng": f"{lng:.6f}",
            "kelurahan_code": "",
            "capacity": "120",
            "floor_area_m2": "350",
            "toilets": "4",
            "water_points": "2",
            "pic_name": "Bu Wati",
            "pic_phone": "0812 3456 7890",
        },
    )
    assert response.status_code == 302
    shelter = db.session.scalar(select(Shelter))
    assert shelter.kelurahan_code == MARGAHAYU
    assert response.headers["Location"].endswith(f"/pengungsian/{shelter.id}")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "SDN Margahayu 3" in detail and "Margahayu" in detail


@pytest.mark.parametrize(
    ("code", "words"), [("32-75-01-1001", "salah format"), ("32.75.01.1099", "tidak dikenal")]
)
def test_form_shows_kelurahan_errors_on_the_field(as_role, db, bekasi, code, words):
    client = as_role("operator")
    response = client.post(
        "/pengungsian/baru",
        data={"name": "Tenda A", "kind": "tenda", "capacity": "10", "kelurahan_code": code},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page
    assert re.search(r'class="field has-error"[^>]*>\s*<label for="kelurahan_code"', page)
    assert db.session.scalar(select(Shelter)) is None


def test_count_over_capacity_is_saved_and_the_page_shows_the_warning(as_role, make_shelter, db):
    shelter = make_shelter(capacity=50)
    client = as_role("tagana")
    form = client.get(f"/pengungsian/{shelter.id}/hitung").get_data(as_text=True)
    client_id = re.search(r'name="client_id" type="hidden" value="([0-9a-f]+)"', form).group(1)
    from logistics.core.time import office_today

    assert f'value="{office_today().isoformat()}"' in form
    data = {"counted_on": office_today().isoformat(), "persons": "62", "households": "15",
            "balita": "4", "lansia": "", "client_id": client_id}  # fmt: skip
    response = client.post(f"/pengungsian/{shelter.id}/hitung", data=data, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Melebihi kapasitas" in page and "lebih 12 jiwa" in page
    assert db.session.scalar(select(ShelterCount.persons)) == 62
    # A double tap sends the same form again: saved once.
    again = client.post(f"/pengungsian/{shelter.id}/hitung", data=data, follow_redirects=True)
    assert "sudah tersimpan sebelumnya" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ShelterCount)).all()) == 1
    # The detail page shows the warning too.
    detail = client.get(f"/pengungsian/{shelter.id}").get_data(as_text=True)
    assert "Melebihi kapasitas" in detail


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"persons": "-5"}, "tidak boleh negatif"),
        ({"persons": "10", "anak": "12"}, "Anak (12) tidak boleh melebihi jumlah jiwa (10)"),
        ({"persons": ""}, "Jumlah jiwa wajib diisi"),
    ],
)
def test_count_form_refuses_bad_numbers(as_role, make_shelter, db, data, words):
    shelter = make_shelter()
    response = as_role("tagana").post(f"/pengungsian/{shelter.id}/hitung", data=data)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert db.session.scalar(select(ShelterCount)) is None


def test_closing_an_occupied_shelter_from_the_page(as_role, make_shelter, db):
    shelter = make_shelter(name="Masjid Al-Ikhlas")
    client = as_role("operator")
    client.post(f"/pengungsian/{shelter.id}/hitung", data={"persons": "35"})
    page = client.get(f"/pengungsian/{shelter.id}/tutup").get_data(as_text=True)
    assert "catat hitungan 0 jiwa" in page
    refused = client.post(f"/pengungsian/{shelter.id}/tutup", data={"note": ""})
    assert refused.status_code == 409
    assert "masih berisi 35 jiwa" in refused.get_data(as_text=True)
    client.post(f"/pengungsian/{shelter.id}/hitung", data={"persons": "0"})
    closed = client.post(f"/pengungsian/{shelter.id}/tutup", data={"note": "surut"})
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Shelter, shelter.id).status == "tutup"
    reopened = client.post(f"/pengungsian/{shelter.id}/buka-kembali", follow_redirects=True)
    assert "dibuka kembali" in reopened.get_data(as_text=True)


def test_list_is_sorted_by_free_capacity_and_shows_warnings(as_role, three_shelters):
    client = as_role("pimpinan")
    page = client.get("/pengungsian/?urut=sisa").get_data(as_text=True)
    order = [
        page.index(name)
        for name in (
            "Balai Warga Bekasijaya",
            "Masjid Al-Ikhlas",
            "SDN Margahayu 3",
            "Tenda Lapangan",
        )
    ]
    assert order == sorted(order)
    assert "⚠ Melebihi kapasitas" in page
    by_name = client.get("/pengungsian/?urut=nama").get_data(as_text=True)
    assert by_name.index("Masjid Al-Ikhlas") < by_name.index("SDN Margahayu 3")
    fullest = client.get("/pengungsian/?urut=okupansi").get_data(as_text=True)
    assert fullest.index("SDN Margahayu 3") < fullest.index("Masjid Al-Ikhlas")
    only_open = client.get("/pengungsian/?status=buka").get_data(as_text=True)
    assert "Tenda Lapangan" not in only_open
    masjid = client.get("/pengungsian/?jenis=masjid").get_data(as_text=True)
    assert "Masjid Al-Ikhlas" in masjid and "SDN Margahayu 3" not in masjid


def test_csv_export(as_role, three_shelters):
    client = as_role("operator")
    response = client.get("/pengungsian/?format=csv&urut=sisa")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    assert header[:3] == ["ID", "Nama", "Jenis"]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["Nama"] for r in table] == [
        "Balai Warga Bekasijaya",
        "Masjid Al-Ikhlas",
        "SDN Margahayu 3",
        "Tenda Lapangan",
    ]
    over = table[2]
    assert over["Jiwa"] == "48" and over["Kapasitas (jiwa)"] == "40"
    assert over["Keterisian (%)"] == "120.0" and over["Sisa kapasitas"] == "-8"
    assert "Melebihi kapasitas" in over["Peringatan"]
    assert over["Kelurahan"] == "Bekasijaya" and over["Kode kelurahan"] == BEKASIJAYA
    assert table[3]["Status"] == "Ditutup"
    xlsx = client.get("/pengungsian/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_map_colours_markers_by_occupancy(as_role, three_shelters):
    from geo.shelter_map import BAND_COLOURS

    page = as_role("pimpinan").get("/pengungsian/peta").get_data(as_text=True)
    assert "/vendor/leaflet/leaflet.js" in page  # served by Posko, not a CDN
    data = json.loads(re.search(r"var shelters = (\[.*?\]);\n", page).group(1))
    colours = {marker["name"]: marker["colour"] for marker in data}
    assert colours == {
        "Balai Warga Bekasijaya": BAND_COLOURS["longgar"],
        "Masjid Al-Ikhlas": BAND_COLOURS["hampir_penuh"],
        "SDN Margahayu 3": BAND_COLOURS["melebihi"],
        "Tenda Lapangan": BAND_COLOURS["tutup"],
    }
    assert BAND_COLOURS["longgar"] == "#2e9d4f" and BAND_COLOURS["melebihi"] == "#d7301f"
    over = next(m for m in data if m["name"] == "SDN Margahayu 3")
    assert over["occupancy"] == "48 dari 40 jiwa (120%)"
    assert any("Melebihi kapasitas" in w for w in over["warnings"])
    assert "Keterangan" in page and "Melebihi kapasitas" in page


def test_map_lists_shelters_without_coordinates(as_role, make_shelter):
    make_shelter(name="Posko Tanpa Titik", lat=None, lng=None, kelurahan_code=BEKASIJAYA)
    page = as_role("operator").get("/pengungsian/peta").get_data(as_text=True)
    assert "Tanpa koordinat (1)" in page and "Posko Tanpa Titik" in page


def test_edit_form_updates_the_registry(as_role, make_shelter, db):
    shelter = make_shelter(capacity=100, floor_area_m2="70")
    client = as_role("operator")
    page = client.get(f"/pengungsian/{shelter.id}/ubah").get_data(as_text=True)
    assert 'value="70.0"' in page
    data = {
        "name": "GOR Bekasijaya (aula)",
        "kind": "gor",
        "lat": str(shelter.lat),
        "lng": str(shelter.lng),
        "kelurahan_code": BEKASIJAYA,
        "capacity": "90",
        "floor_area_m2": "70",
        "toilets": "6",
        "water_points": "1",
        "opened_on": "",
    }
    data.pop("opened_on")
    response = client.post(f"/pengungsian/{shelter.id}/ubah", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    changed = db.session.get(Shelter, shelter.id)
    assert (changed.name, changed.capacity, changed.toilets) == ("GOR Bekasijaya (aula)", 90, 6)


def test_pages_work_before_any_area_or_shelter_exists(app, make_user):
    user = make_user("operator")
    client = app.test_client()
    client.post("/masuk", data={"username": user.username, "password": PASSWORD})
    assert "Belum ada tempat pengungsian" in client.get("/pengungsian/").get_data(as_text=True)
    page = client.get("/pengungsian/peta")
    assert page.status_code == 200
    assert (
        json.loads(re.search(r"var shelters = (\[.*?\]);\n", page.get_data(as_text=True))[1]) == []
    )
    assert client.get("/pengungsian/baru").status_code == 200
    assert client.get("/pengungsian/999").status_code == 404


def test_head_count_groups_have_no_dangling_separator(as_role, make_shelter, db):
    shelter = make_shelter(capacity=50)
    # The last group with a number is not the last group of the list (disabilitas is 0).
    head_count(shelter, 40, groups={"balita": 12, "lansia": 9, "disabilitas": 0})
    db.session.commit()
    page = as_role("operator").get(f"/pengungsian/{shelter.id}").get_data(as_text=True)
    groups = re.search(r'<td class="groups">(.*?)</td>', page, re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", groups.split("<div")[0]).split()
    assert shown == ["Balita", "12", "·", "Lansia", "9"]
