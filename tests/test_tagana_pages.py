"""Tagana pages: who may see and do what, forms with Indonesian errors, exports, board, PDF."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from logistics.tagana import duty
from logistics.tagana.models import (
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    TaskReport,
    Vehicle,
)
from tests.support.tagana import deploy, make_member, make_shelter, wib


@pytest.fixture
def world(db, make_event, make_user):
    event = make_event()
    budi_user = make_user("tagana", "budi", full_name="Budi Santoso")
    return {
        "event": event,
        "sd": make_shelter(event, "SDN Margahayu 1"),
        "masjid": make_shelter(event, "Masjid Al-Ikhlas", "32.75.04.1002"),
        "budi": make_member("3275-001", "Budi Santoso", user_id=budi_user.id),
        "sari": make_member("3275-002", "Sari Wulandari", sex="P"),
        "budi_user": budi_user,
        "operator": make_user("operator", "siti"),
        "pimpinan": make_user("pimpinan", "kadis"),
        "other_tagana": make_user("tagana", "tono"),
    }


def test_anonymous_sees_nothing(client, world):
    for url in (
        "/tagana/",
        "/tagana/anggota",
        f"/tagana/kejadian/{world['event'].id}/papan",
        "/tagana/rekap",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.location


@pytest.mark.parametrize("role", ["operator", "pimpinan", "tagana"])
def test_every_page_renders_for_readers(client, login, make_user, world, role):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    login(make_user(role))
    pages = [
        "/tagana/",
        "/tagana/tugas-saya",
        "/tagana/anggota",
        f"/tagana/anggota/{world['budi'].id}",
        "/tagana/pengerahan",
        f"/tagana/pengerahan/{deployment.id}",
        f"/tagana/kejadian/{world['event'].id}/papan",
        "/tagana/ksb",
        "/tagana/kendaraan",
        "/tagana/rekap?tahun=2026",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Tagana" in response.get_data(as_text=True), url


def test_pimpinan_changes_nothing(client, login, world):
    login(world["pimpinan"])
    assert client.get("/tagana/anggota/baru").status_code == 403
    assert client.post("/tagana/anggota/baru", data={"nia": "X"}).status_code == 403
    url = f"/tagana/kejadian/{world['event'].id}/tugaskan"
    assert client.post(url, data={"member_id": world["budi"].id}).status_code == 403
    assert client.get("/tagana/ksb/baru").status_code == 403


def test_tagana_user_cannot_manage_members(client, login, world):
    login(world["budi_user"])
    assert client.get("/tagana/anggota/baru").status_code == 403
    assert client.get("/tagana/anggota/impor").status_code == 403


def test_add_member_through_the_form(client, login, world, db):
    login(world["operator"])
    form = {
        "nia": "3275-010",
        "name": "Rina Marlina",
        "sex": "P",
        "level": "madya",
        "phone": "081200001111",
        "home_kelurahan_code": "32.75.01.1002",
        "joined_on": "2021-01-10",
        "competencies": ["dapur_umum", "psikososial"],
        "active": "y",
    }
    response = client.post("/tagana/anggota/baru", data=form)
    assert response.status_code == 302
    member = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "3275-010"))
    assert sorted(c.code for c in member.competencies) == ["dapur_umum", "psikososial"]
    page = client.get(response.location).get_data(as_text=True)
    assert "Rina Marlina" in page and "Dapur umum" in page and "Margahayu" in page


def test_duplicate_nia_shows_under_the_field(client, login, world):
    login(world["operator"])
    response = client.post(
        "/tagana/anggota/baru",
        data={"nia": "3275-001", "name": "Budi Lain", "sex": "L", "level": "muda"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "NIA 3275-001 sudah dipakai oleh Budi Santoso" in page
    assert 'class="field has-error"' in page


def test_edit_member_links_account_and_deactivates(client, login, world, make_user, db):
    login(world["operator"])
    sari_user = make_user("tagana", "sari")
    url = f"/tagana/anggota/{world['sari'].id}/ubah"
    page = client.get(url).get_data(as_text=True)
    assert 'value="3275-002"' in page and "sari" in page
    response = client.post(
        url,
        data={
            "nia": "3275-002",
            "name": "Sari Wulandari",
            "sex": "P",
            "level": "utama",
            "competencies": ["shelter"],
            "user_id": str(sari_user.id),
        },
    )
    assert response.status_code == 302
    db.session.refresh(world["sari"])
    assert world["sari"].user_id == sari_user.id
    assert world["sari"].level == "utama"
    assert world["sari"].active is False  # the box was not ticked


def test_training_form(client, login, world):
    login(world["operator"])
    url = f"/tagana/anggota/{world['budi'].id}/pelatihan"
    client.post(url, data={"name": "Diklat Dasar", "started_on": "2025-03-01"})
    response = client.post(
        url, data={"name": "Salah", "started_on": "2025-03-05", "ended_on": "2025-03-01"}
    )
    # A refused training comes back on the member page, beside its field.
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Diklat Dasar" in page
    assert 'id="ended_on-error">Tanggal selesai pelatihan tidak boleh sebelum' in page


def test_member_export(client, login, world):
    login(world["pimpinan"])
    csv_text = client.get("/tagana/anggota?format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("NIA,Nama,Jenis kelamin,Tingkat")
    assert "Budi Santoso" in csv_text and "Sari Wulandari" in csv_text
    filtered = client.get("/tagana/anggota?format=csv&q=Sari").get_data(as_text=True)
    assert "Budi Santoso" not in filtered
    xlsx = client.get("/tagana/anggota?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 3


def test_import_page_reports_rows(client, login, world, db, run_jobs):
    from tests.support.tagana import GOOD_ROWS, workbook_bytes

    login(world["operator"])
    template = client.get("/tagana/anggota/impor/templat.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.data)).sheetnames[0] == "Anggota"
    bad = GOOD_ROWS + [["3275-001", "Budi Lagi", "L", None, None, None, "Muda"]]
    response = client.post(
        "/tagana/anggota/impor",
        data={"file": (io.BytesIO(workbook_bytes(bad)), "anggota.xlsx")},
        content_type="multipart/form-data",
    )
    # The file is checked by a background job; its page shows the report.
    assert response.status_code == 302
    run_jobs()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tidak ada data yang disimpan" in page
    assert "sudah terdaftar atas nama Budi Santoso" in page
    assert db.session.scalar(select(func.count(TaganaMember.id))) == 2
    response = client.post(
        "/tagana/anggota/impor",
        data={"file": (io.BytesIO(workbook_bytes(GOOD_ROWS)), "anggota.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    run_jobs()
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "3 anggota dan 0 pelatihan disimpan" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TaganaMember.id))) == 5


def test_deploy_through_the_form(client, login, world, db):
    login(world["operator"])
    url = f"/tagana/kejadian/{world['event'].id}/tugaskan"
    page = client.get(f"{url}?member_id={world['budi'].id}&shelter_id={world['sd'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "SDN Margahayu 1" in text and "Budi Santoso" in text
    form = {
        "member_id": str(world["budi"].id),
        "place_kind": "shelter",
        "shelter_id": str(world["sd"].id),
        "role": "Petugas shelter",
        "competency": "shelter",
        "letter_number": "800/45/Linjamsos/2026",
        "starts_at": "2026-11-20T08:00",
        "ends_at": "2026-11-20T20:00",
    }
    response = client.post(url, data=form)
    assert response.status_code == 302
    deployment = db.session.scalar(select(Deployment))
    assert deployment.starts_at == wib(2026, 11, 20, 8)
    assert deployment.competency_id is not None
    # The same person again in the overlapping evening: refused, the other one named.
    overlap = dict(
        form, shelter_id=str(world["masjid"].id), starts_at="2026-11-20T19:00", ends_at=""
    )
    response = client.post(url, data=overlap)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert f"penugasan #{deployment.id}" in text and "800/45/Linjamsos/2026" in text
    # End before start, under its field.
    response = client.post(
        url, data=dict(form, starts_at="2026-11-22T08:00", ends_at="2026-11-21T08:00")
    )
    assert response.status_code == 422
    assert "harus sesudah waktu mulai" in response.get_data(as_text=True)


def test_check_in_out_and_report_from_the_phone(client, login, world, db):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    login(world["budi_user"])
    tasks = client.get("/tagana/tugas-saya").get_data(as_text=True)
    assert "Check-in sekarang" in tasks and "SDN Margahayu 1" in tasks
    response = client.post(
        f"/tagana/pengerahan/{deployment.id}/check-in",
        data={"lat": "-6.2451", "lng": "107.0120", "next": "/tagana/tugas-saya"},
    )
    assert response.status_code == 302 and response.location.endswith("/tagana/tugas-saya")
    db.session.refresh(deployment)
    assert deployment.check_in_lat == -6.2451
    tasks = client.get("/tagana/tugas-saya").get_data(as_text=True)
    assert "Check-out" in tasks and "Isi laporan tugas" in tasks
    response = client.post(f"/tagana/pengerahan/{deployment.id}/check-out")
    assert response.location.endswith(f"/tagana/pengerahan/{deployment.id}/laporan")
    response = client.post(
        f"/tagana/pengerahan/{deployment.id}/laporan",
        data={"activities": "", "people_served": "banyak"},
    )
    assert response.status_code == 422
    assert "Kegiatan yang dilakukan wajib diisi" in response.get_data(as_text=True)
    response = client.post(
        f"/tagana/pengerahan/{deployment.id}/laporan",
        data={
            "activities": "Mendata pengungsi dan membagikan selimut.",
            "people_served": "85",
            "problems": "Listrik padam malam hari.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(deployment)
    assert deployment.status == "selesai"
    detail = client.get(f"/tagana/pengerahan/{deployment.id}").get_data(as_text=True)
    assert "Unduh laporan (PDF)" in detail and "Listrik padam" in detail


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/"])
def test_check_in_never_redirects_off_site(client, login, world, target):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    login(world["budi_user"])
    response = client.post(f"/tagana/pengerahan/{deployment.id}/check-in", data={"next": target})
    assert response.location.endswith(f"/tagana/pengerahan/{deployment.id}")


def test_check_out_without_check_in_says_so(client, login, world):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    login(world["budi_user"])
    response = client.post(f"/tagana/pengerahan/{deployment.id}/check-out", follow_redirects=True)
    assert "Belum check-in" in response.get_data(as_text=True)


def test_report_on_someone_elses_deployment_is_forbidden(client, login, world, db):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    duty.check_in(deployment, world["operator"], now=wib(2026, 11, 20, 8))
    db.session.commit()
    login(world["other_tagana"])
    assert client.get(f"/tagana/pengerahan/{deployment.id}/laporan").status_code == 403
    response = client.post(
        f"/tagana/pengerahan/{deployment.id}/laporan",
        data={"activities": "bukan tugas saya", "people_served": "1"},
    )
    assert response.status_code == 403
    assert "penugasan Anda sendiri" in response.get_data(as_text=True)
    assert client.post(f"/tagana/pengerahan/{deployment.id}/check-out").status_code == 403
    assert db.session.scalar(select(func.count(TaskReport.id))) == 0
    # And the detail page offers no buttons for it.
    detail = client.get(f"/tagana/pengerahan/{deployment.id}").get_data(as_text=True)
    assert "/check-out" not in detail and "Isi laporan tugas" not in detail


def test_report_pdf(client, login, world, db, bekasi_office):
    deployment = deploy(
        world["budi"],
        world["event"],
        world["sd"],
        wib(2026, 11, 20, 8),
        wib(2026, 11, 21, 8),
        letter_number="800/77/Linjamsos/2026",
    )
    duty.check_in(deployment, world["budi_user"], now=wib(2026, 11, 20, 8))
    duty.submit_task_report(
        deployment,
        world["budi_user"],
        activities="Memasak 300 porsi makan siang.",
        people_served=300,
        problems="Gas elpiji habis.",
        now=wib(2026, 11, 21, 7),
    )
    db.session.commit()
    login(world["pimpinan"])
    response = client.get(f"/tagana/pengerahan/{deployment.id}/laporan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (
        "LAPORAN PELAKSANAAN TUGAS",
        "800/77/Linjamsos/2026",
        "Budi Santoso",
        "3275-001",
        "SDN Margahayu 1",
        "Memasak 300 porsi makan siang.",
        "Gas elpiji habis.",
        "300 orang",
        "20 November 2026",
        "Sri Mulyani Rahayu, S.Sos., M.M.",
        "NIP 197808212003122004",
        "Kepala Bidang",
    ):
        assert expected in text, expected
    missing = client.get(f"/tagana/pengerahan/{deployment.id + 99}/laporan.pdf")
    assert missing.status_code == 404


def test_board_page_shows_places_gaps_and_map(client, login, world, db, make_user):
    gita = make_member("3275-003", "Gita Permata", sex="P", home_kelurahan_code="32.75.04.1003")
    on_duty = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    duty.check_in(on_duty, world["operator"], now=wib(2026, 11, 20, 8))
    db.session.commit()
    login(world["operator"])
    page = client.get(f"/tagana/kejadian/{world['event'].id}/papan").get_data(as_text=True)
    assert "Bertugas sekarang (1)" in page
    assert "Pengungsian tanpa petugas" in page
    gap = page.split('id="kosong"')[1].split('id="per-tempat"')[0]
    assert "Masjid Al-Ikhlas" in gap and "SDN Margahayu 1" not in gap
    assert "Gita Permata" in gap
    assert f"member_id={gita.id}" in gap  # one tap to deploy the suggestion
    assert "var places" in page and "/vendor/leaflet/leaflet.js" in page
    csv_text = client.get(f"/tagana/kejadian/{world['event'].id}/papan?format=csv").get_data(
        as_text=True
    )
    assert "Budi Santoso" in csv_text and "Bertugas" in csv_text
    only_planned = client.get(
        f"/tagana/kejadian/{world['event'].id}/papan?format=csv&tampil=direncanakan"
    ).get_data(as_text=True)
    assert "Budi Santoso" not in only_planned


def test_deployment_list_filters_and_export(client, login, world):
    deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20))
    deploy(world["sari"], world["event"], world["masjid"], wib(2026, 11, 20, 8))
    login(world["pimpinan"])
    page = client.get("/tagana/pengerahan?q=Sari").get_data(as_text=True)
    assert "Sari Wulandari" in page and "Budi Santoso" not in page
    xlsx = client.get(f"/tagana/pengerahan?format=xlsx&kejadian={world['event'].id}")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "Kejadian", "NIA", "Nama")
    assert len(rows) == 3


def test_cancel_through_the_page(client, login, world, db):
    deployment = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    login(world["operator"])
    client.post(f"/tagana/pengerahan/{deployment.id}/batal", data={"reason": "Salah orang"})
    db.session.refresh(deployment)
    assert deployment.status == "dibatalkan"


def test_ksb_and_vehicle_forms(client, login, world, db):
    login(world["operator"])
    response = client.post(
        "/tagana/ksb/baru",
        data={
            "name": "KSB Margahayu Tangguh",
            "kelurahan_code": "32.75.01.1002",
            "formed_year": "2024",
            "facilitation_years": "2025",
            "active": "y",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/tagana/ksb/baru",
        data={"name": "KSB Dua", "kelurahan_code": "32.75.01.1002", "formed_year": "2024"},
    )
    assert response.status_code == 409
    assert "sudah punya KSB" in response.get_data(as_text=True)
    ksb = db.session.scalar(select(KampungSiagaBencana))
    edit = client.get(f"/tagana/ksb/{ksb.id}/ubah").get_data(as_text=True)
    assert 'value="2025"' in edit
    listing = client.get("/tagana/ksb?format=csv").get_data(as_text=True)
    assert "KSB Margahayu Tangguh" in listing and "Margahayu" in listing

    response = client.post(
        "/tagana/kendaraan/baru", data={"plate": "b 9123 kd", "kind": "Truk", "active": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Vehicle.plate)) == "B 9123 KD"
    response = client.post("/tagana/kendaraan/baru", data={"plate": "B9123KD", "kind": "Truk"})
    assert response.status_code == 409
    assert "sudah terdaftar" in response.get_data(as_text=True)
    client.post("/tagana/kendaraan/baru", data={"plate": "B 77 DS", "kind": "Perahu karet"})
    found = client.get("/tagana/kendaraan?q=perahu&format=csv").get_data(as_text=True)
    assert "B 77 DS" in found and "B 9123 KD" not in found


def test_figures_page_and_exports(client, login, world, db):
    login(world["pimpinan"])
    page = client.get("/tagana/rekap?tahun=2026").get_data(as_text=True)
    assert "Anggota aktif per tingkat" in page and "Hari-orang" in page
    for table, first in (
        ("ringkasan", "Uraian"),
        ("anggota", "Tingkat"),
        ("kejadian", "Kode kejadian"),
    ):
        text = client.get(f"/tagana/rekap?tahun=2026&tabel={table}&format=csv").get_data(
            as_text=True
        )
        assert text.lstrip("\ufeff").startswith(first), table


def test_tagana_edits_and_cancels_only_their_own_deployments(client, login, world, db):
    mine = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    theirs = deploy(world["sari"], world["event"], world["masjid"], wib(2026, 11, 20, 8))
    login(world["budi_user"])
    assert client.get(f"/tagana/pengerahan/{theirs.id}/ubah").status_code == 403
    edit = client.post(
        f"/tagana/pengerahan/{theirs.id}/ubah", data={"role": "Diganti", "place_kind": "posko"}
    )
    assert edit.status_code == 403
    cancel = client.post(f"/tagana/pengerahan/{theirs.id}/batal", data={"reason": "Bukan saya"})
    assert cancel.status_code == 403
    assert "penugasan Anda sendiri" in cancel.get_data(as_text=True)
    # Deploying someone else is refused too; nothing was written.
    url = f"/tagana/kejadian/{world['event'].id}/tugaskan"
    other = client.post(url, data={"member_id": str(world["sari"].id)})
    assert other.status_code == 403
    assert "menugaskan diri sendiri" in other.get_data(as_text=True)
    db.session.refresh(theirs)
    assert theirs.status == "direncanakan" and theirs.role == "Petugas shelter"
    assert db.session.scalar(select(func.count(Deployment.id))) == 2
    # Their own deployment they change and cancel.
    assert client.get(f"/tagana/pengerahan/{mine.id}/ubah").status_code == 200
    client.post(f"/tagana/pengerahan/{mine.id}/batal", data={"reason": "Sakit"})
    db.session.refresh(mine)
    assert mine.status == "dibatalkan"
