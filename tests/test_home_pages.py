"""The home page by role: the pimpinan's command view, the office's work queue, the Tagana day."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from logistics.core import jobs
from logistics.core.job_models import JobRecord
from logistics.core.queue import SITREP_GENERATE
from logistics.core.time import office_today, utcnow
from logistics.field.devices import issue_device
from logistics.field.models import FieldRecord
from logistics.home import command, work_queue
from logistics.reports import sitrep
from logistics.reports.models import ReportFile
from logistics.shelters.models import ShelterCount
from logistics.stock.models import Item, StockDocument, StockLot, Warehouse
from logistics.tagana.models import Deployment, TaganaMember
from logistics.victims.models import InstitutionVictim, Person
from tests.support.areas import BEKASIJAYA
from tests.support.sitrep import hand_out


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def tile(page: str, key: str) -> int:
    """The count on one work-queue tile of the page."""
    found = re.search(rf'id="antrean-{key}"><a href="[^"]*"><strong>([\d.]+)</strong>', page)
    assert found, f"no tile {key}"
    return int(found.group(1).replace(".", ""))


# --- pimpinan ----------------------------------------------------------------------------------


def test_pimpinan_sees_the_figures_the_sitrep_sends_for_the_same_day(db, as_role, flood):
    event = flood["event"]
    day = sitrep.default_day(event)
    report = sitrep.build(event.id, day)
    summary = command.event_summary(event)
    assert summary["day"] == day
    # Worked out by hand in the flood: 3 registered + 37 assessed, 2 + 6 displaced.
    assert summary["terdampak"] == report["impact"]["totals"]["jiwa_terdampak"] == 40
    assert summary["mengungsi"] == report["impact"]["totals"]["mengungsi"] == 8
    # Budi, Ani and Siti each received food: three jiwa tertangani.
    assert summary["tertangani"] == 3
    assert summary["gaps"] == report["needs"]["totals"] and summary["gaps"]
    # The mosque's last count (60 for 50) still stands today.
    assert summary["over_capacity"] == ["Masjid Al-Ikhlas"]
    assert summary["shelters"]["over_capacity"] == report["shelters"]["totals"]["over_capacity"]
    assert summary["tagana"] == report["tagana"]

    page = text_of(as_role("pimpinan").get("/"))
    assert "Komando tanggap darurat" in page and event.title in page
    assert "<strong>40</strong> jiwa terdampak" in page
    assert "<strong>8</strong> jiwa mengungsi" in page
    assert "<strong>3</strong> jiwa tertangani" in page
    assert "Masjid Al-Ikhlas" in page
    for gap in report["needs"]["totals"]:
        assert gap["component_label"] in page
    # The affected-area map of the event, and the office map one link away.
    assert "folium-map" in page and 'href="/peta-wilayah"' in page


def test_the_day_number_counts_from_the_first_tanggap_darurat_decree(db, as_role, make_event):
    from logistics.events.decrees import add_decree

    today = office_today()
    event = make_event(started_at=datetime.combine(today - timedelta(days=4), datetime.min.time()))
    add_decree(
        event,
        status="tanggap_darurat",
        decree_number="360/Kep.1/2026",
        issuer_level="bupati_walikota",
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=11),
    )
    db.session.commit()
    page = text_of(as_role("pimpinan").get("/"))
    assert "hari ke-3 dari 14 tanggap darurat" in page


def test_tertangani_counts_persons_once_and_institutions_by_headcount(db, flood):
    event = flood["event"]
    assert command.handled_jiwa(event) == 3
    budi = db.session.scalar(select(Person).where(Person.name == "Budi Santosa"))
    # A second food parcel for Budi: still one person handled.
    hand_out(db, event, "permakanan", office_today(), [budi])
    panti = InstitutionVictim(
        event_id=event.id, name="Panti Asuhan Kasih", kind="panti",
        kelurahan_code=BEKASIJAYA, headcount=12,
    )  # fmt: skip
    db.session.add(panti)
    db.session.commit()
    assert command.handled_jiwa(event) == 3
    hand_out(
        db, event, "permakanan", office_today(), [], recipient_kind="institution",
        institution_id=panti.id, persons_served=12,
    )  # fmt: skip
    db.session.commit()
    assert command.handled_jiwa(event) == 3 + 12


def test_pimpinan_makes_todays_sitrep_once_and_the_second_tap_opens_it(
    db, as_role, flood, run_jobs
):
    event = flood["event"]
    day = sitrep.default_day(event).isoformat()
    client = as_role("pimpinan")
    assert "Buat &amp; bagikan laporan hari ini" in text_of(client.get("/"))

    first = client.post(f"/laporan/situasi/kejadian/{event.id}/hari-ini")
    assert first.status_code == 302
    assert first.headers["Location"] == f"/laporan/situasi/kejadian/{event.id}/{day}#kirim"
    assert db.session.scalar(select(func.count(JobRecord.id))) == 1
    # While the job runs, a second tap finds it instead of queueing another.
    again = client.post(f"/laporan/situasi/kejadian/{event.id}/hari-ini")
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(JobRecord.id))) == 1

    run_jobs()
    db.session.expire_all()
    made = db.session.scalar(select(func.count(ReportFile.id)))
    assert made >= 2  # PDF and XLSX at least
    third = client.post(f"/laporan/situasi/kejadian/{event.id}/hari-ini")
    assert third.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(JobRecord.id))) == 1
    assert db.session.scalar(select(func.count(ReportFile.id))) == made

    assert "Buka &amp; bagikan laporan hari ini" in text_of(client.get("/"))
    shown = text_of(client.get(f"/laporan/situasi/kejadian/{event.id}/{day}"))
    # The pimpinan may have the report made and share it, but writes no notes.
    assert "Buat &amp; kirim laporan" in shown and 'href="https://wa.me/?text=' in shown
    assert "Berkas terakhir" in shown
    assert "Simpan catatan" not in shown
    note = client.post(f"/laporan/situasi/kejadian/{event.id}/{day}/catatan", data={})
    assert note.status_code == 403


def test_a_failed_sitrep_job_is_made_again_by_the_next_tap(db, as_role, flood):
    event = flood["event"]
    client = as_role("pimpinan")
    client.post(f"/laporan/situasi/kejadian/{event.id}/hari-ini")
    record = db.session.scalar(select(JobRecord))
    assert record.func == SITREP_GENERATE
    jobs.mark_failed(record, "boom", "Gagal")
    db.session.commit()
    client.post(f"/laporan/situasi/kejadian/{event.id}/hari-ini")
    assert db.session.scalar(select(func.count(JobRecord.id))) == 2


def test_pimpinan_may_retry_the_sitrep_job_they_started(db, as_role, flood):
    client = as_role("pimpinan")
    client.post(f"/laporan/situasi/kejadian/{flood['event'].id}/hari-ini")
    record = db.session.scalar(select(JobRecord))
    jobs.mark_failed(record, "boom", "Gagal")
    db.session.commit()
    response = client.post(f"/pekerjaan/{record.id}/ulangi")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(JobRecord, record.id).status == "queued"


def test_pimpinan_without_an_open_event(db, as_role, bekasi):
    page = text_of(as_role("pimpinan").get("/"))
    assert "Tidak ada kejadian bencana yang sedang berlangsung." in page


# --- operator and admin ------------------------------------------------------------------------


def test_work_queue_counts_follow_what_waits(db, as_role, make_user, client_for, flood):
    operator = make_user("operator")
    client = client_for(operator)
    page = text_of(client.get("/"))
    # Both flood shelters are open and neither was counted today.
    start = {key: tile(page, key) for key in ("duplikat", "transit", "kedaluwarsa", "hitung")}
    assert start == {"duplikat": 0, "transit": 0, "kedaluwarsa": 0, "hitung": 2}
    assert (tile(page, "tinjau"), tile(page, "gagal")) == (0, 0)
    assert "Administrasi" not in page

    today = office_today()
    db.session.add(ShelterCount(shelter_id=flood["mosque"].id, counted_on=today, persons=40))
    budi = db.session.scalar(select(Person).where(Person.name == "Budi Santosa"))
    # Budi registered a second time without NIK by another post: a likely duplicate.
    budi.birth_date = date(1980, 1, 1)
    db.session.add(Person(name="Budi Santoso", sex="L", household=budi.household,
                          birth_date=budi.birth_date, no_nik_reason="lainnya"))  # fmt: skip
    gudang = db.session.scalar(select(Warehouse))
    other = Warehouse(code="GDG-2", name="Gudang Posko", tier="kab_kota")
    db.session.add(other)
    db.session.flush()
    db.session.add(
        StockDocument(kind="transfer", doc_date=today, warehouse_id=gudang.id,
                      to_warehouse_id=other.id, status="in_transit")
    )  # fmt: skip
    beras = db.session.scalar(select(Item).where(Item.code == "beras"))
    for days in (10, 45):  # only the first expires within 30 days
        db.session.add(
            StockLot(warehouse_id=gudang.id, item_id=beras.id, quantity=Decimal(5),
                     received_on=today, expiry_date=today + timedelta(days=days))
        )  # fmt: skip
    device, _token = issue_device(operator, "HP lapangan")
    db.session.add(
        FieldRecord(client_id="c-1", content_hash="h", device_id=device.id, user_id=operator.id,
                    kind="hand_out", status="refused", message="Stok tidak cukup")
    )  # fmt: skip
    mine = jobs.create_job(SITREP_GENERATE, "Laporan", {}, operator.id)
    someone_elses = jobs.create_job(SITREP_GENERATE, "Laporan", {}, None)
    for record in (mine, someone_elses):
        jobs.mark_failed(record, "boom", "Gagal")
    db.session.commit()

    page = text_of(client.get("/"))
    after = {key: tile(page, key) for key in ("duplikat", "transit", "kedaluwarsa", "hitung")}
    assert after == {"duplikat": 1, "transit": 1, "kedaluwarsa": 1, "hitung": 1}
    # The operator's own failed job; the jobs page shows an operator only theirs.
    assert (tile(page, "tinjau"), tile(page, "gagal")) == (1, 1)
    assert 'href="/lapangan/tinjau"' in page and 'href="/korban/duplikat"' in page

    admin = text_of(as_role("admin").get("/"))
    assert tile(admin, "gagal") == 2
    assert "Administrasi" in admin
    # Accounts: the operator and the admin; the operator's phone; audit entries of today.
    assert tile(admin, "pengguna") == 2 and tile(admin, "perangkat") == 1
    assert tile(admin, "audit") > 0
    assert 'href="/admin/audit"' in admin and 'href="/lapangan/perangkat"' in admin


def test_old_failed_jobs_leave_the_queue(db, make_user):
    operator = make_user("operator")
    record = jobs.create_job(SITREP_GENERATE, "Laporan", {}, operator.id)
    jobs.mark_failed(record, "boom", "Gagal")
    db.session.commit()
    assert work_queue.failed_jobs(operator) == 1
    record.created_at -= timedelta(days=work_queue.FAILED_JOBS_DAYS + 1)
    db.session.commit()
    assert work_queue.failed_jobs(operator) == 0


def test_the_office_area_map_stays_one_link_away(as_role, bekasi):
    page = text_of(as_role("operator").get("/peta-wilayah"))
    assert "Peta wilayah kerja" in page and "folium-map" in page


# --- tagana ------------------------------------------------------------------------------------


def _deploy(db, member, event, starts: datetime, ends: datetime, **extra) -> Deployment:
    deployment = Deployment(
        member_id=member.id, event_id=event.id, place_kind="posko", place_name="Posko Bekasi",
        role="Evakuasi", letter_number=f"ST-{starts:%d%H}", starts_at=starts, ends_at=ends,
        status="direncanakan", **extra,
    )  # fmt: skip
    db.session.add(deployment)
    db.session.commit()
    return deployment


def test_tagana_home_shows_todays_deployment_with_check_in_and_the_field_work(
    db, make_user, client_for, make_event
):
    event = make_event(started_at=utcnow() - timedelta(days=2))
    user = make_user("tagana")
    member = TaganaMember(nia="TGN-9", name="Dewi Relawan", sex="P", user_id=user.id)
    db.session.add(member)
    db.session.flush()
    now = utcnow()
    today = _deploy(db, member, event, now - timedelta(hours=1), now + timedelta(hours=6))
    _deploy(db, member, event, now + timedelta(days=3), now + timedelta(days=4))
    client = client_for(user)

    response = client.get("/")
    page = text_of(response)
    assert "Dewi Relawan" in page and f'id="tugas-{today.id}"' in page
    assert page.count('class="card task') == 1 and "1 penugasan terjadwal nanti" not in page
    assert f'action="/tagana/pengerahan/{today.id}/check-in"' in page
    assert 'href="/lapangan/app/penyaluran"' in page and 'href="/lapangan/app/pengungsi"' in page
    assert 'id="outbox-count"' in page and "home/outbox-count.js" in page
    # No map on a volunteer's phone unless asked: no Leaflet, a link to the map instead.
    assert "leaflet" not in page.lower() and 'href="/peta-wilayah"' in page
    assert len(response.data) < 100 * 1024

    # Check-in from the home page comes back to it, now with the check-out button.
    checked = client.post(f"/tagana/pengerahan/{today.id}/check-in", data={"next": "/"})
    assert checked.headers["Location"] == "/"
    page = text_of(client.get("/"))
    assert f'action="/tagana/pengerahan/{today.id}/check-out"' in page


def test_tagana_home_without_a_deployment_today_says_so(db, make_user, client_for, make_event):
    event = make_event(started_at=utcnow() - timedelta(days=2))
    user = make_user("tagana")
    member = TaganaMember(nia="TGN-8", name="Eko Relawan", sex="L", user_id=user.id)
    db.session.add(member)
    db.session.flush()
    now = utcnow()
    _deploy(db, member, event, now + timedelta(days=2), now + timedelta(days=3))
    page = text_of(client_for(user).get("/"))
    assert "Tidak ada penugasan hari ini. 1 penugasan terjadwal nanti." in page


def test_tagana_account_without_member_record(as_role, bekasi):
    page = text_of(as_role("tagana").get("/"))
    assert "belum ditautkan ke data anggota Tagana" in page
    assert 'href="/lapangan/app/penyaluran"' in page


def test_every_role_has_a_home_page_of_its_own(as_role, bekasi):
    headings = {
        "pimpinan": "Komando tanggap darurat",
        "operator": "Pekerjaan hari ini",
        "admin": "Pekerjaan hari ini",
        "tagana": "Tugas saya hari ini",
    }
    for role, heading in headings.items():
        assert f"<h1>{heading}</h1>" in text_of(as_role(role).get("/")), role


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_accounts_land_on_pages_with_something_to_show(db, app):
    from logistics.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

    seed_demo()
    db.session.commit()

    def home(username: str) -> str:
        client = app.test_client()
        client.post("/masuk", data={"username": username, "password": DEMO_PASSWORD})
        return text_of(client.get("/"))

    pimpinan = home("pimpinan")
    assert "Banjir luapan Kali Bekasi" in pimpinan and "tanggap darurat</strong>" in pimpinan
    handled = re.search(r"<strong>([\d.]+)</strong> jiwa tertangani", pimpinan)
    assert int(handled.group(1).replace(".", "")) > 0
    operator = home("operator")
    # The registry holds one person registered twice; stock moves between warehouses.
    assert tile(operator, "duplikat") == 1 and tile(operator, "transit") >= 1
    assert tile(home("admin"), "pengguna") == len(DEMO_USERS)
    tagana = home("tagana")
    assert 'class="card task task-' in tagana and "Check-out" in tagana
