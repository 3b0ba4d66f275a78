"""Victim pages: list and exports with masked NIK, registration on a phone, duplicates, import."""

import csv
import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from logistics.core.job_models import JobRecord
from logistics.core.models import AuditEntry
from logistics.victims.models import Household, InstitutionVictim, Person, Victim
from logistics.victims.persons import PersonInput
from logistics.victims.services import register_household, register_person
from logistics.victims.services import register_victim as register
from tests.support.db import count

KEL = "32.75.01.1001"
NIK = "3275011708850009"
MASKED = "3275********0009"


def seed(db, make_event):
    event = make_event()
    register(
        event,
        PersonInput(name="Budi Santoso", nik=NIK, disability=True),
        status="mengungsi",
        kelurahan_code=KEL,
    )
    db.session.commit()
    return event


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/korban/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_list_and_exports_mask_nik_for_tagana_and_pimpinan(
    client, db, make_event, make_user, login
):
    event = seed(db, make_event)
    for role in ("tagana", "pimpinan"):
        login(make_user(role))
        page = client.get(f"/korban/?kejadian={event.id}").get_data(as_text=True)
        assert "Budi Santoso" in page and MASKED in page and NIK not in page
        assert "Tampilkan NIK" not in client.get("/korban/orang/1").get_data(as_text=True)
        exported = client.get("/korban/?format=csv").get_data(as_text=True)
        assert MASKED in exported and NIK not in exported
        xlsx = client.get("/korban/?format=xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        assert [c.value for c in sheet[2]][2] == MASKED
        assert client.post("/korban/orang/1/nik").status_code == 403
        client.post("/keluar")
    assert count_nik_views(db) == 0


def count_nik_views(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "view_nik")
    )


def test_operator_sees_full_nik_on_request_and_it_is_logged(
    client, db, make_event, make_user, login
):
    seed(db, make_event)
    operator = make_user("operator")
    login(operator)
    page = client.get("/korban/orang/1").get_data(as_text=True)
    assert MASKED in page and NIK not in page and "Tampilkan NIK" in page
    revealed = client.post("/korban/orang/1/nik")
    assert revealed.status_code == 200 and NIK in revealed.get_data(as_text=True)
    assert revealed.headers["Cache-Control"] == "no-store"
    exported = client.get("/korban/?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[1][2] == NIK
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_nik")).all()
    assert len(entries) == 2 and all(e.user_id == operator.id for e in entries)
    assert entries[0].entity_id == "1"


def test_list_filters(client, db, make_event, make_user, login):
    event = seed(db, make_event)
    login(make_user("pimpinan"))
    assert "Budi Santoso" in client.get("/korban/?rentan=disabilitas").get_data(as_text=True)
    assert "Budi Santoso" not in client.get("/korban/?rentan=lansia").get_data(as_text=True)
    assert "Budi Santoso" not in client.get("/korban/?status=hilang").get_data(as_text=True)
    assert "Budi Santoso" in client.get(f"/korban/?q={NIK}").get_data(as_text=True)
    assert "Budi Santoso" in client.get(f"/korban/?kelurahan={KEL}").get_data(as_text=True)
    page = client.get(f"/korban/?kejadian={event.id}&rentan=entah").get_data(as_text=True)
    assert "tidak dikenal" in page


def test_phone_registration_household_then_members(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("tagana"))
    form = client.get(f"/korban/daftar?kejadian={event.id}").get_data(as_text=True)
    assert 'inputmode="numeric"' in form and "victims.css" in form
    response = client.post(
        "/korban/daftar",
        data={
            "event_id": str(event.id),
            "kelurahan_code": KEL,
            "no_kk": "3275010101200001",
            "head_name": "Budi Santoso",
            "status": "mengungsi",
            "shelter_id": "",
        },
    )
    assert response.status_code == 302
    member_url = response.headers["Location"]
    assert "/anggota" in member_url
    page = client.get(member_url).get_data(as_text=True)
    assert 'name="client_id"' in page and "Anggota ke-1" in page
    member = {
        "nik": NIK,
        "no_nik_reason": "",
        "name": "Budi Santoso",
        "sex": "",
        "relation": "kepala_keluarga",
        "status": "mengungsi",
        "client_id": "web-abc-1",
    }
    first = client.post(member_url, data=member)
    assert first.status_code == 302
    # The household exists from its first member on; the next members go to its own page.
    member_url = first.headers["Location"]
    assert member_url.startswith("/korban/kk/")
    # The phone resends the same screen (bad signal): still one record.
    assert client.post(member_url, data=member).status_code == 302
    child = {
        "nik": "",
        "no_nik_reason": "anak_belum_ber_nik",
        "name": "Rina",
        "sex": "P",
        "birth_date": "2023-05-01",
        "relation": "anak",
        "status": "mengungsi",
        "client_id": "web-abc-2",
    }
    assert client.post(member_url, data=child).status_code == 302
    bad = client.post(member_url, data={**child, "client_id": "web-abc-3", "nik": "123"})
    assert bad.status_code == 422 and "16 digit" in bad.get_data(as_text=True)
    assert count(db, Victim) == 2 and count(db, Person) == 2 and count(db, Household) == 1
    household = db.session.scalar(select(Household))
    page = client.get(f"/korban/kk/{household.id}").get_data(as_text=True)
    assert "Budi Santoso" in page and "Rina" in page and "Balita" in page
    assert "3275********0001" in page and MASKED in page and NIK not in page


def test_registration_form_errors(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("operator"))
    response = client.post(
        "/korban/daftar",
        data={"event_id": str(event.id), "kelurahan_code": KEL, "no_kk": "32750101",
              "status": "mengungsi"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "16 digit" in response.get_data(as_text=True)


def test_read_only_and_field_roles(client, db, make_event, make_user, login):
    login(make_user("pimpinan"))
    for url in ("/korban/daftar", "/korban/lembaga/baru", "/korban/impor", "/korban/duplikat"):
        assert client.get(url).status_code == 403, url
    client.post("/keluar")
    login(make_user("tagana"))
    assert client.get("/korban/daftar").status_code == 200
    assert client.get("/korban/impor").status_code == 403
    assert client.get("/korban/duplikat").status_code == 403


def test_institution_form(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("tagana"))
    data = {
        "event_id": str(event.id),
        "name": "Panti Asuhan Harapan",
        "kind": "panti",
        "kelurahan_code": KEL,
        "headcount": "0",
        "status": "mengungsi",
        "shelter_id": "",
        "client_id": "web-inst-1",
    }
    assert client.post("/korban/lembaga/baru", data=data).status_code == 302
    assert client.post("/korban/lembaga/baru", data=data).status_code == 302
    assert count(db, InstitutionVictim) == 1
    page = client.get(f"/korban/lembaga?kejadian={event.id}").get_data(as_text=True)
    assert "Panti Asuhan Harapan" in page
    assert "Panti Asuhan Harapan" in client.get("/korban/lembaga?format=csv").get_data(as_text=True)


def test_duplicates_page_and_merge(client, db, make_event, make_user, login):
    event = make_event()
    household, _ = register_household(no_kk="3275010101200001", kelurahan_code=KEL)
    born = date(2019, 4, 2)
    first, _ = register(
        event,
        PersonInput(name="Muhammad Rizki", no_nik_reason="anak_belum_ber_nik", sex="L",
                    birth_date=born),
        status="mengungsi",
        kelurahan_code=KEL,
        household=household,
    )  # fmt: skip
    other, _ = register_person(
        PersonInput(name="Moh Rizky", no_nik_reason="dokumen_hilang", sex="L", birth_date=born),
        household,
    )
    db.session.commit()
    login(make_user("operator"))
    page = client.get("/korban/duplikat").get_data(as_text=True)
    assert "Muhammad Rizki" in page and "Moh Rizky" in page
    response = client.post(
        "/korban/duplikat/gabung",
        data={"keep_id": str(first.person_id), "duplicate_id": str(other.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, other.id).merged_into_id == first.person_id
    assert "Tidak ada kemungkinan duplikat" in client.get("/korban/duplikat").get_data(as_text=True)
    again = client.post(
        "/korban/duplikat/gabung",
        data={"keep_id": str(first.person_id), "duplicate_id": str(other.id)},
        follow_redirects=True,
    )
    assert "sudah digabung" in again.get_data(as_text=True)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nik", "nama", "status", "kode_kelurahan"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_pages_dry_run_report_confirm_and_result(
    client, db, make_event, make_user, login, run_jobs, app
):
    event = make_event()
    login(make_user("operator"))
    template = client.get("/korban/impor/templat.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.data))["Korban"]["A1"].value == "nik"
    assert client.get("/korban/impor/templat.csv").get_data(as_text=True).startswith("\ufeffnik,")

    content = xlsx_bytes(
        [
            [NIK, "Budi Santoso", "mengungsi", KEL],
            ["3275015708870002", "Siti Aminah", "", KEL],
            ["12345", "NIK Pendek", "mengungsi", KEL],
            ["3275014505880001", "Kode Asing", "mengungsi", "32.75.01.1099"],
        ]
    )
    response = client.post(
        "/korban/impor",
        data={"event_id": str(event.id), "default_status": "menderita",
              "file": (io.BytesIO(content), "daftar korban.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    check_url = response.headers["Location"]
    check = db.session.scalar(select(JobRecord))
    assert check_url.endswith(f"/korban/impor/{check.id}")
    waiting = client.get(check_url).get_data(as_text=True)
    assert "jobs.js" in waiting and "Menunggu" in waiting
    run_jobs()

    page = client.get(check_url).get_data(as_text=True)
    assert "Hasil pemeriksaan" in page
    assert "NIK harus 16 digit; yang diisi 5 digit" in page
    assert "Kode kelurahan &#39;32.75.01.1099&#39; tidak dikenal" in page
    assert "Konfirmasi: impor 2 baris" in page
    assert count(db, Victim) == 0
    report = client.get(f"{check_url}/ditolak.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["4", "5"] and "3275********0001" in report

    confirm = client.post(f"{check_url}/konfirmasi")
    assert confirm.status_code == 302
    import_url = confirm.headers["Location"]
    # A second click leads to the same import, never a second one.
    assert client.post(f"{check_url}/konfirmasi").headers["Location"] == import_url
    run_jobs()
    page = client.get(import_url).get_data(as_text=True)
    assert "Hasil impor" in page and "Lihat daftar korban kejadian ini" in page
    statuses = dict(db.session.execute(select(Person.name, Victim.status).join(Victim)).all())
    assert statuses == {"Budi Santoso": "mengungsi", "Siti Aminah": "menderita"}
    # The uploaded personal data is removed once imported.
    record = db.session.get(JobRecord, import_url.rsplit("/", 1)[1])
    assert record.status == "finished"
    uploads = Path(app.config["INSTANCE_DIR"]) / "uploads"
    assert list(uploads.glob("korban-*/*")) == []


def test_import_upload_refuses_other_files(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("operator"))
    response = client.post(
        "/korban/impor",
        data={"event_id": str(event.id), "file": (io.BytesIO(b"%PDF"), "daftar.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "tidak didukung" in response.get_data(as_text=True)
    assert count(db, JobRecord) == 0


def test_registration_given_up_after_step_one_leaves_no_household(
    client, db, make_event, make_user, login
):
    event = make_event()
    login(make_user("tagana"))
    step_one = {
        "event_id": str(event.id),
        "kelurahan_code": KEL,
        "no_kk": "",
        "head_name": "Siti",
        "status": "mengungsi",
        "shelter_id": "",
    }
    response = client.post("/korban/daftar", data=step_one)
    assert response.status_code == 302
    member_url = response.headers["Location"]
    assert member_url.startswith("/korban/daftar/anggota")
    page = client.get(member_url).get_data(as_text=True)
    assert "Anggota ke-1" in page and "Batal, kembali ke data keluarga" in page
    # The operator walks away here: nothing was written.
    assert count(db, Household) == 0
    with client.session_transaction() as saved:
        draft = dict(saved["household_draft"])
    member = {"nik": NIK, "name": "Siti Aminah", "sex": "", "relation": "kepala_keluarga",
              "status": "mengungsi", "client_id": "web-siti-1"}  # fmt: skip
    response = client.post(member_url, data=member)
    assert response.status_code == 302
    household = db.session.scalar(select(Household))
    assert household.head_name == "Siti" and household.kelurahan_code == KEL
    assert response.headers["Location"].startswith(f"/korban/kk/{household.id}/anggota")
    # A resend from a phone that never got the answer still holds the draft: no second household.
    with client.session_transaction() as saved:
        saved["household_draft"] = draft
    assert client.post(member_url, data=member).status_code == 302
    assert count(db, Household) == 1 and count(db, Victim) == 1
    # Without a draft, step 2 sends the operator back to step 1.
    response = client.get(member_url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/korban/daftar")


def test_registration_of_a_known_kk_goes_straight_to_its_household(
    client, db, make_event, make_user, login
):
    event = make_event()
    household, _ = register_household(no_kk="3275010101200001", kelurahan_code=KEL)
    db.session.commit()
    login(make_user("operator"))
    response = client.post(
        "/korban/daftar",
        data={"event_id": str(event.id), "kelurahan_code": KEL, "no_kk": "3275010101200001",
              "head_name": "Budi", "status": "mengungsi", "shelter_id": ""},
    )  # fmt: skip
    assert response.headers["Location"].startswith(f"/korban/kk/{household.id}/anggota")
    assert count(db, Household) == 1
    assert db.session.get(Household, household.id).head_name == "Budi"
