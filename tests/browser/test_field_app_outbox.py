"""Issue 13 on a 360 px phone without signal: hand-outs and a head count queue on the phone,
survive a reload, go out once when the signal returns; a refused one is fixed and re-sent; a
record made by one user is never sent under another user's login on the same phone."""

import os

import pytest
from sqlalchemy import func, select

from tests.support.browser import ARTIFACTS, PHONE, fits_the_screen, log_in
from tests.support.distributions import balance
from tests.support.field_app import (
    APP,
    cut_network,
    field_world,
    office_hand_out,
    open_signed_in,
    phone_store,
    record_hand_out,
    restore_network,
    state_of,
    wait_until_settled,
)
from tests.support.tagana import deploy, make_member, wib

pytestmark = pytest.mark.browser


def test_offline_hand_outs_and_head_count_are_sent_once_and_a_refusal_fixed(
    browser, live_server, make_event, make_user, db
):
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldRecord
    from logistics.shelters.models import ShelterCount
    from logistics.stock.models import Warehouse

    os.makedirs(ARTIFACTS, exist_ok=True)
    world, user, shelter = field_world(db, make_event, make_user)
    ids = {"user": user.id, "shelter": shelter.id, "warehouse": world.warehouse.id}
    office = {"event_id": world.event.id, "person_id": world.rina.id, "operator": world.operator.id}
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    assert "Masuk sebagai Wawan Setiawan" in page.inner_text("[data-account-text]")
    assert "1 keluarga" in page.inner_text("[data-reference-summary]")

    # No signal from here: two hand-outs and a head count go into the outbox.
    cut_network(context)
    record_hand_out(
        page, live_server, "budi", "permakanan", "Makanan siap saji (stok 100 paket)", "5"
    )
    assert "1 menunggu dikirim" in page.inner_text("[data-pending]")
    # The phone takes the queued packets off the stock it shows.
    page.locator(".line-row").first.locator("select").select_option(
        label="Makanan siap saji (stok 95 paket)"
    )
    record_hand_out(page, live_server, "siti aminah", "sandang", "Selimut (stok 50 lembar)", "30")
    page.goto(live_server + APP + "pengungsi")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    assert page.input_value("select[name=shelter_id]") == str(ids["shelter"])
    page.fill("input[name=persons]", "42")
    page.fill("input[name=households]", "12")
    page.click("[data-count-form] button[type=submit]")
    page.wait_for_selector("[data-notice]:has-text('Tersimpan di ponsel')")
    assert "3 menunggu dikirim" in page.inner_text("[data-pending]")

    # A reload without signal: the app and its outbox are still there.
    page.goto(live_server + APP + "kotak-keluar")
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('.record').length === 3")
    assert "3 menunggu dikirim" in page.inner_text("[data-pending]")
    assert fits_the_screen(page)
    page.screenshot(path=f"{ARTIFACTS}/field-app-outbox-offline-360.png", full_page=True)

    # Meanwhile the office hands 40 of the 50 blankets to someone else.
    office_hand_out(db, office, ids["warehouse"], "selimut", 40)

    restore_network(context)
    wait_until_settled(page)
    assert state_of(page, "5 paket") == "terkirim"
    assert state_of(page, "42 jiwa") == "terkirim"
    assert state_of(page, "30 lembar") == "ditolak"
    reason = page.inner_text(".record[data-state=ditolak] .reason")
    assert "tidak cukup" in reason
    assert "1 perlu diperbaiki" in page.inner_text("[data-pending]")
    page.screenshot(path=f"{ARTIFACTS}/field-app-outbox-refused-360.png", full_page=True)

    # The volunteer gives 10 instead, and the corrected record goes out.
    page.click(".record[data-state=ditolak] >> text=Perbaiki")
    page.wait_for_selector("[data-editing]:has-text('tidak cukup')")
    assert page.input_value("#qty-1") == "30"
    page.fill("#qty-1", "10")
    page.click("[data-handout-form] button[type=submit]")
    page.wait_for_url("**/kotak-keluar")
    wait_until_settled(page)
    page.wait_for_function("() => !document.querySelector('.record[data-state=ditolak]')")
    assert state_of(page, "10 lembar") == "terkirim"
    assert "Semua data terkirim" in page.inner_text("[data-pending]")

    # "Kirim sekarang" again, then a fresh start online: nothing goes twice.
    page.click("[data-send-now]")
    page.wait_for_selector("[data-notice]:has-text('Pengiriman selesai')")
    page.reload()
    page.wait_for_function("() => document.body.dataset.synced === '1'")
    assert errors == []
    context.close()

    db.session.remove()
    warehouse = db.session.get(Warehouse, ids["warehouse"])
    phone = select(Distribution).where(Distribution.created_by_id == ids["user"])
    handed = db.session.scalars(phone).all()
    assert sorted(d.component for d in handed) == ["permakanan", "sandang"]
    assert balance(db, warehouse, "makanan_siap_saji") == 95
    assert balance(db, warehouse, "selimut") == 0
    counts = db.session.scalars(
        select(ShelterCount).where(ShelterCount.shelter_id == ids["shelter"])
    )
    assert [c.persons for c in counts] == [42]
    stored = db.session.execute(
        select(FieldRecord.status, func.count()).group_by(FieldRecord.status)
    ).all()
    assert dict(stored) == {"stored": 3, "refused": 1}


def test_a_record_is_never_sent_under_another_users_login(
    browser, live_server, make_event, make_user, db
):
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldDevice, FieldRecord

    world, wawan, shelter = field_world(db, make_event, make_user)
    dedi = make_user("tagana", "dedi", full_name="Dedi Kurniawan")
    member = make_member("3275-2026-014", "Dedi Kurniawan", user_id=dedi.id)
    deploy(member, world.event, shelter, wib(2026, 12, 1, 7, 0))
    ids = {"wawan": wawan.id, "dedi": dedi.id}
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)

    # Wawan's hand-out waits in the outbox; the sync is kept from getting through meanwhile.
    cut_network(context)
    record_hand_out(
        page, live_server, "budi", "permakanan", "Makanan siap saji (stok 100 paket)", "5"
    )
    made_by_wawan = phone_store(page, "outbox")[0]["client_id"]
    # A page left while sending leaves its record "mengirim": the app, opened again, lets it wait.
    page.evaluate(
        """async (id) => { const db = await import('/static/field/db.js');
            const record = (await db.getAll('outbox')).find((r) => r.client_id === id);
            record.state = 'mengirim'; await db.put('outbox', record); }""",
        made_by_wawan,
    )
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    stuck = page.locator(f".record[data-client-id='{made_by_wawan}']")
    assert stuck.get_attribute("data-state") == "menunggu"
    context.route("**/api/v1/field/sync", lambda route: route.abort("internetdisconnected"))
    restore_network(context)

    # Dedi signs in on the same phone: his own credential, Wawan's record stays Wawan's.
    context.clear_cookies()
    log_in(page, live_server, "dedi")
    open_signed_in(page, live_server)
    assert "Masuk sebagai Dedi Kurniawan" in page.inner_text("[data-account-text]")
    assert phone_store(page, "device", "current")["user"]["id"] == ids["dedi"]
    context.unroute("**/api/v1/field/sync")
    page.goto(live_server + APP + "pengungsi")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.fill("input[name=persons]", "30")
    page.click("[data-count-form] button[type=submit]")
    # Leaving before the phone has kept the count would abort its IndexedDB write.
    page.wait_for_selector("[data-notice]:has-text('Tersimpan di ponsel')")
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function("() => document.querySelector('[data-state=terkirim]') !== null")
    page.click("[data-send-now]")
    page.wait_for_selector("[data-notice]:has-text('Pengiriman selesai')")
    wawans = page.locator(f".record[data-client-id='{made_by_wawan}']")
    assert wawans.get_attribute("data-state") == "menunggu"
    assert "Milik Wawan Setiawan: tidak dikirim dengan akun ini" in wawans.inner_text()
    assert "1 menunggu dikirim" in page.inner_text("[data-pending]")
    page.screenshot(path=f"{ARTIFACTS}/field-app-other-user-360.png", full_page=True)

    # Dedi signs out: an unsent record blocks it until it is saved to a file.
    page.goto(live_server + APP)
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    assert "1 data belum terkirim" in page.inner_text("[data-logout-warning]")
    assert page.is_disabled("[data-logout]")
    with page.expect_download() as download:
        page.click("[data-logout-panel] [data-export=json]")
    saved = download.value.path().read_text(encoding="utf-8")
    assert made_by_wawan in saved and '"kind": "hand_out"' in saved
    page.wait_for_function("() => !document.querySelector('[data-logout]').disabled")
    page.click("[data-logout]")
    page.wait_for_url("**/masuk")
    assert phone_store(page, "device", "current") is None
    assert phone_store(page, "reference", "data") is None
    assert [r["client_id"] for r in phone_store(page, "outbox") if r["state"] == "menunggu"] == [
        made_by_wawan
    ]

    db.session.remove()
    assert (
        db.session.scalar(
            select(func.count()).select_from(FieldRecord).where(FieldRecord.user_id == ids["wawan"])
        )
        == 0
    )

    # Back under Wawan's own login, his record goes out with his own credential.
    log_in(page, live_server, "wawan")
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function(
        f"() => document.querySelector(\".record[data-client-id='{made_by_wawan}']\")?.dataset.state === 'terkirim'"
    )
    context.close()

    db.session.remove()
    record = db.session.scalar(select(FieldRecord).where(FieldRecord.client_id == made_by_wawan))
    assert record.user_id == ids["wawan"]
    assert db.session.get(FieldDevice, record.device_id).user_id == ids["wawan"]
    handed = db.session.scalars(
        select(Distribution).where(Distribution.created_by_id == ids["wawan"])
    )
    assert len(handed.all()) == 1
    dedi_records = db.session.scalars(select(FieldRecord).where(FieldRecord.user_id == ids["dedi"]))
    assert [r.kind for r in dedi_records] == ["head_count"]


def test_a_revoked_phone_keeps_its_records_until_its_user_signs_in_again(
    browser, live_server, make_event, make_user, db
):
    from logistics.admin.models import User
    from logistics.core.database import transaction
    from logistics.field import devices
    from logistics.field.models import FieldRecord

    field_world(db, make_event, make_user)
    admin = make_user("admin", "admin_kantor")
    admin_id = admin.id
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    revoked_id = phone_store(page, "device", "current")["device_id"]
    cut_network(context)
    record_hand_out(
        page, live_server, "budi", "permakanan", "Makanan siap saji (stok 100 paket)", "5"
    )

    # The phone is reported lost while it is out of signal.
    with transaction():
        devices.revoke_device(
            devices.get_device(revoked_id), db.session.get(User, admin_id), "Ponsel hilang"
        )
    db.session.remove()

    restore_network(context)
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_selector("[data-sync-info]:has-text('dicabut oleh admin')")
    assert page.get_attribute(".record", "data-state") == "menunggu"
    # The next attempt ends the browser session too: a finder of the phone needs the password.
    page.click("[data-send-now]")
    page.wait_for_selector("[data-notice]:has-text('dicabut oleh admin')")
    page.goto(live_server + "/penyaluran/")
    assert "/masuk" in page.url
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(FieldRecord)) == 0

    # Its user signs in again: a new credential, and the record goes out under it.
    log_in(page, live_server, "wawan")
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function("() => document.querySelector('.record')?.dataset.state === 'terkirim'")
    renewed = phone_store(page, "device", "current")["device_id"]
    context.close()
    db.session.remove()
    record = db.session.scalar(select(FieldRecord))
    assert renewed != revoked_id and record.device_id == renewed


def test_check_in_check_out_and_task_report_from_the_home_screen_without_signal(
    browser, live_server, make_event, make_user, db
):
    from logistics.tagana.models import Deployment, TaskReport

    field_world(db, make_event, make_user)
    deployment_id = db.session.scalar(select(Deployment.id))
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)
    card = page.locator(f"[data-deployment='{deployment_id}']")
    assert "Belum check-in" in card.inner_text()

    cut_network(context)
    page.reload()
    card.locator("button[data-kind=check_in]").click()
    card.locator("button[data-kind=check_out]").click()
    page.wait_for_selector(f"[data-deployment='{deployment_id}'] :text('Sudah check-out')")
    card.locator("summary").click()
    card.locator("textarea[name=note]").fill("Membagikan makanan dan mendata pengungsi baru")
    card.locator("input[name=people_served]").fill("120")
    card.locator("button:has-text('Simpan laporan')").click()
    page.wait_for_selector("[data-pending]:has-text('3 menunggu dikirim')")
    assert fits_the_screen(page)

    # The unsent records saved as CSV, for a phone that would never see signal again.
    page.goto(live_server + APP + "kotak-keluar")
    page.wait_for_function("() => document.querySelectorAll('.record').length === 3")
    with page.expect_download() as download:
        page.click("[data-export=csv]")
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("client_id,jenis,dibuat_di_ponsel,user_id,pengguna,status")
    assert [row.split(",")[1] for row in rows[1:]] == ["Check-in", "Check-out", "Laporan tugas"]

    restore_network(context)
    wait_until_settled(page)
    states = page.eval_on_selector_all(".record", "(rows) => rows.map((r) => r.dataset.state)")
    assert states == ["terkirim"] * 3
    context.close()

    db.session.remove()
    deployment = db.session.get(Deployment, deployment_id)
    assert deployment.checked_in_at is not None and deployment.checked_out_at is not None
    report = db.session.scalar(select(TaskReport).where(TaskReport.deployment_id == deployment_id))
    assert report.people_served == 120 and "mendata pengungsi" in report.activities


def test_the_office_review_comes_back_to_the_phone_and_a_rejected_record_is_discarded(
    browser, live_server, make_event, make_user, db
):
    from logistics.admin.models import User
    from logistics.core.database import transaction
    from logistics.field import review
    from logistics.field.models import FieldRecord

    world, _user, _shelter = field_world(db, make_event, make_user)
    operator_id = world.operator.id
    db.session.remove()
    context = browser.new_context(viewport=PHONE, timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "wawan")
    open_signed_in(page, live_server)

    # Three food hand-outs to the same family: the second and third are double aid.
    cut_network(context)
    for packets in ("1", "2", "3"):
        record_hand_out(page, live_server, "budi", "permakanan", None, packets)
    queued = phone_store(page, "outbox")
    ids = {r["payload"]["lines"][0]["quantity"]: r["client_id"] for r in queued}
    record = {n: page.locator(f".record[data-client-id='{ids[n]}']") for n in (1, 2, 3)}
    restore_network(context)
    page.goto(live_server + APP + "kotak-keluar")
    wait_until_settled(page)
    states = [record[n].get_attribute("data-state") for n in (1, 2, 3)]
    assert states == ["terkirim", "ditolak", "ditolak"]

    # The office accepts one with an override reason and rejects the other with a note.
    operator = db.session.get(User, operator_id)
    with transaction():
        rows = {
            r.client_id: r
            for r in db.session.scalars(select(FieldRecord).where(FieldRecord.status == "refused"))
        }
        review.accept_record(rows[ids[2]], operator, "Keluarga bertambah 4 jiwa")
        review.reject_record(rows[ids[3]], operator, "Sudah menerima hari ini")
    db.session.remove()

    page.click("[data-send-now]")
    page.wait_for_function(
        "() => document.querySelectorAll('.record[data-state=terkirim]').length === 2"
    )
    assert "Diterima kantor: Keluarga bertambah 4 jiwa" in record[2].inner_text()
    rejected = record[3]
    assert rejected.get_attribute("data-state") == "ditolak"
    assert "Ditolak kantor: Sudah menerima hari ini" in rejected.inner_text()

    rejected.locator("text=Buang").click()
    page.wait_for_function("() => document.querySelectorAll('.record').length === 2")
    assert "Semua data terkirim" in page.inner_text("[data-pending]")
    context.close()
