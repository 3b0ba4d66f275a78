"""Sitrep pages and API: who may read and write, bad inputs, queueing the files, the event link."""

from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select

from logistics.core.job_models import JobRecord
from logistics.core.models import AuditEntry
from logistics.core.queue import SITREP_GENERATE
from logistics.reports.models import SitrepNote
from tests.support.sitrep import ANI_NIK, BUDI_NIK, SECRET_NAMES

DAY = "2026-11-21"


def page_url(event, day=DAY, suffix=""):
    return f"/laporan/situasi/kejadian/{event.id}/{day}{suffix}"


def test_anonymous_is_sent_to_login(app, flood):
    client = app.test_client()
    for url in ("/laporan/situasi/", page_url(flood["event"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/masuk" in response.headers["Location"]
    response = client.post(page_url(flood["event"], suffix="/catatan"), data={"problems": "x"})
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert client.get(f"/api/v1/events/{flood['event'].id}/sitrep/{DAY}").status_code == 401


def test_pimpinan_reads_the_live_sitrep_without_personal_data(db, flood, as_role):
    client = as_role("pimpinan")
    index = client.get("/laporan/situasi/").get_data(as_text=True)
    assert flood["event"].code in index
    response = client.get(page_url(flood["event"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Masjid Al-Ikhlas" in html
    assert "LAPORAN SITUASI HARIAN" in html  # the WhatsApp text box
    assert "https://wa.me/?text=" + quote("*LAPORAN SITUASI HARIAN*", safe="") in html
    # The Kepala Dinas has the report made to forward it, but writes no notes.
    assert "Simpan catatan" not in html and "Buat &amp; kirim laporan" in html
    for secret in (BUDI_NIK, ANI_NIK, *SECRET_NAMES):
        assert secret not in html
    assert client.post(page_url(flood["event"], suffix="/catatan")).status_code == 403
    assert db.session.scalar(select(JobRecord)) is None
    assert client.post(page_url(flood["event"], suffix="/buat")).status_code == 302
    assert db.session.scalar(select(JobRecord)).func == SITREP_GENERATE


def test_tagana_cannot_write_notes_or_generate(db, flood, as_role):
    client = as_role("tagana")
    assert client.get(page_url(flood["event"])).status_code == 200
    response = client.post(page_url(flood["event"], suffix="/catatan"), data={"problems": "x"})
    assert response.status_code == 403
    assert client.post(page_url(flood["event"], suffix="/buat")).status_code == 403
    api = f"/api/v1/events/{flood['event'].id}/sitrep/{DAY}"
    assert client.put(api + "/notes", json={"problems": "x"}).status_code == 403
    assert client.post(api + "/generate").status_code == 403
    assert db.session.scalar(select(SitrepNote)) is None
    assert db.session.scalar(select(JobRecord)) is None


def test_operator_writes_notes_and_they_are_audited(db, flood, as_role):
    client = as_role("operator")
    response = client.post(
        page_url(flood["event"], suffix="/catatan"),
        data={
            "problems": "Listrik padam di Bekasijaya",
            "actions": "Genset dikirim",
            "needs": "Popok bayi",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_url(flood["event"]))
    html = client.get(page_url(flood["event"])).get_data(as_text=True)
    assert "Listrik padam di Bekasijaya" in html and "Popok bayi" in html
    assert "*Kendala:* Listrik padam di Bekasijaya" in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "sitrep_notes"))
    assert entry is not None and entry.action == "create"
    # Too long: the form shows why and nothing changes.
    response = client.post(
        page_url(flood["event"], suffix="/catatan"), data={"problems": "x" * 4001}
    )
    assert response.status_code == 422
    assert "paling panjang 4000 karakter" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(SitrepNote.problems)) == "Listrik padam di Bekasijaya"


def test_bad_dates_in_pages_give_clear_errors(db, flood, as_role):
    client = as_role("operator")
    event = flood["event"]
    response = client.get(page_url(event, day="21-11-2026"))
    assert response.status_code == 422
    assert "TTTT-BB-HH" in response.get_data(as_text=True)
    response = client.get(page_url(event, day="2026-11-19"))
    assert response.status_code == 422
    assert "sebelum kejadian dimulai" in response.get_data(as_text=True)
    assert client.get(f"/laporan/situasi/kejadian/999999/{DAY}").status_code == 404


def test_event_page_links_to_today_sitrep(db, flood, as_role):
    client = as_role("operator")
    event = flood["event"]
    detail = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert f"/laporan/situasi/kejadian/{event.id}" in detail
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()
    response = client.get(f"/laporan/situasi/kejadian/{event.id}")
    assert response.headers["Location"].endswith(page_url(event, day=today))
    # The picker on the index goes to the chosen date.
    response = client.get(f"/laporan/situasi/?kejadian={event.id}&tanggal={DAY}")
    assert response.headers["Location"].endswith(page_url(event))


def test_api_returns_the_data_and_refuses_bad_input(db, flood, as_role):
    client = as_role("pimpinan")
    event = flood["event"]
    body = client.get(f"/api/v1/events/{event.id}/sitrep/{DAY}").get_json()
    assert body["day"] == DAY
    assert body["event"]["tanggap_darurat"]["day_number"] == 2
    assert body["shelters"]["totals"]["persons"] == 80
    assert body["shelters"]["totals"]["occupancy"] == 53.33
    food = next(c for c in body["aid"]["components"] if c["component"] == "permakanan")
    assert food["cumulative"]["persons_served"] == 95
    beras = next(i for i in body["aid"]["items"] if i["item_code"] == "beras")
    assert (beras["day"], beras["cumulative"]) == (1.2, 2.8)
    assert body["whatsapp_text"].startswith("*LAPORAN SITUASI HARIAN*")

    response = client.get(f"/api/v1/events/999999/sitrep/{DAY}")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.get(f"/api/v1/events/{event.id}/sitrep/kemarin")
    assert response.status_code == 422
    assert response.get_json()["field"] == "day"
    response = client.get(f"/api/v1/events/{event.id}/sitrep/2026-11-19")
    assert response.status_code == 422
    assert "sebelum kejadian dimulai" in response.get_json()["message"]
    response = client.get(f"/api/v1/events/{event.id}/sitrep/2099-01-01")
    assert response.status_code == 422
    assert "belum terjadi" in response.get_json()["message"]


def test_api_notes_generate_and_files(db, flood, as_role, run_jobs):
    client = as_role("admin")
    base = f"/api/v1/events/{flood['event'].id}/sitrep/{DAY}"
    response = client.put(base + "/notes", json={"problems": "Kekurangan selimut"})
    assert response.status_code == 200
    assert response.get_json()["problems"] == "Kekurangan selimut"
    assert response.get_json()["needs"] == ""
    response = client.put(base + "/notes", json={"cuaca": "hujan"})
    assert response.status_code == 422 and response.get_json()["field"] == "cuaca"
    response = client.put(base + "/notes", json=["bukan objek"])
    assert response.status_code == 422

    assert client.get(base + "/files").get_json()["files"] == []
    response = client.post(base + "/generate")
    assert response.status_code == 202
    job_id = response.get_json()["job_id"]
    run_jobs()
    files = client.get(base + "/files").get_json()["files"]
    assert sorted(f["format"] for f in files) == ["html", "pdf", "xlsx"]
    assert {f["job_id"] for f in files} == {job_id}
    pdf = next(f for f in files if f["format"] == "pdf")
    download = client.get(pdf["url"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/jobs/{job_id}").get_json()["status"] == "finished"


def test_demo_flood_has_sitrep_notes_and_a_readable_sitrep(db, client_for, make_user):
    from logistics.demo.seed import seed_demo
    from logistics.reports import sitrep

    seed_demo()
    notes = db.session.scalars(select(SitrepNote).order_by(SitrepNote.day)).all()
    # The flood started two days ago: three days of notes, the first about flooded roads.
    assert len(notes) == 3
    assert "Akses jalan tergenang" in notes[0].problems and "Jatiasih" in notes[0].problems
    assert "popok bayi" in notes[1].problems and "Listrik" in notes[1].problems
    assert db.session.scalar(select(JobRecord)) is None  # no files generated by the demo
    event_id = notes[0].event_id
    data = sitrep.build(event_id, notes[-1].day)
    assert data["impact"]["kelurahan"] == 8
    assert data["shelters"]["totals"]["units"] == 6
    client = client_for(make_user("pimpinan"))
    response = client.get(f"/laporan/situasi/kejadian/{event_id}/{notes[-1].day.isoformat()}")
    assert response.status_code == 200
    assert "Alat kebersihan" in response.get_data(as_text=True)
