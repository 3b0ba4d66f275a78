"""Field devices and the rest of the sync: credentials (expired session, revoked, expired),
the user on the phone, a phone clock two days wrong, head counts and Tagana duty through the
sync, record status after review, and the reference data (scoped, NIK masked, versioned)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import NIK_BUDI, balance, make_world
from tests.support.field import (
    bearer,
    deploy_coordinator,
    duty_record,
    hand_out_record,
    now_iso,
    register_phone,
    sync,
)


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


def test_a_phone_offline_past_its_session_still_sends_with_its_device_token(app, world, client_for):
    signed_in = client_for(world.tagana)
    token = signed_in.post("/api/v1/field/devices", json={"name": "HP"}).get_json()["token"]
    assert signed_in.post("/keluar").status_code in (302, 303)
    status, body = sync(signed_in, token, [hand_out_record(world, world.tagana)])
    assert status == 200 and body["results"][0]["status"] == "stored"


def test_a_session_alone_is_not_enough_and_bad_tokens_are_401(app, world, client_for):
    signed_in = client_for(world.tagana)
    records = {"records": [hand_out_record(world, world.tagana)]}
    no_token = signed_in.post("/api/v1/field/sync", json=records)
    assert no_token.status_code == 401 and no_token.get_json()["code"] == "unauthenticated"
    wrong = signed_in.post("/api/v1/field/sync", json=records, headers=bearer("tebakan"))
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "unauthenticated"
    assert app.test_client().get("/api/v1/field/reference").status_code == 401


def test_a_revoked_device_is_401_and_its_records_wait_on_the_phone(
    app, db, world, client_for, make_user
):
    from logistics.distributions.models import Distribution

    issued = register_phone(client_for, world.tagana)
    admin = client_for(make_user("admin"))
    page = admin.get("/lapangan/perangkat")
    assert page.status_code == 200 and issued["device_id"] in page.get_data(as_text=True)
    revoked = admin.post(
        f"/lapangan/perangkat/{issued['device_id']}/cabut", data={"reason": "HP hilang"}
    )
    assert revoked.status_code == 302
    status, body = sync(app.test_client(), issued["token"], [hand_out_record(world, world.tagana)])
    assert status == 401 and body["code"] == "device_revoked" and body["message"]
    assert count(db, Distribution) == 0


def test_an_expired_device_is_401_and_the_lifetime_is_the_office_setting(
    app, db, world, client_for, make_user
):
    from logistics.field.models import FieldDevice

    admin = client_for(make_user("admin"))
    saved = admin.post("/lapangan/perangkat/pengaturan", data={"device_days": "3"})
    assert saved.status_code == 302
    issued = register_phone(client_for, world.tagana)
    expires = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=2, hours=23) < expires - datetime.now(UTC) <= timedelta(days=3)
    bad = admin.post("/lapangan/perangkat/pengaturan", data={"device_days": "0"})
    assert bad.status_code == 422 and "1 sampai 365" in bad.get_data(as_text=True)
    device = db.session.get(FieldDevice, issued["device_id"])
    device.expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    db.session.commit()
    status, body = sync(app.test_client(), issued["token"], [hand_out_record(world, world.tagana)])
    assert status == 401 and body["code"] == "device_expired"


def test_pimpinan_gets_no_device_and_tagana_cannot_open_the_devices_page(
    app, world, client_for, make_user
):
    response = client_for(make_user("pimpinan")).post("/api/v1/field/devices", json={})
    assert response.status_code == 403
    assert client_for(world.tagana).get("/lapangan/perangkat").status_code == 403


def test_a_record_made_by_another_user_on_this_phone_is_refused(app, db, world, client_for):
    from logistics.distributions.models import Distribution

    token = register_phone(client_for, world.tagana)["token"]
    # Made while the operator was signed in on this phone, now sent under the coordinator's.
    record = hand_out_record(world, world.operator)
    result = sync(app.test_client(), token, [record])[1]["results"][0]
    assert result["status"] == "refused" and result["field"] == "user_id"
    assert result["message"].startswith("Data dibuat oleh pengguna lain di perangkat ini")
    assert count(db, Distribution) == 0


def test_a_phone_clock_two_days_ahead_is_stored_flagged_and_dated_by_arrival(
    app, db, world, client_for
):
    from logistics.core.time import office_today
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldRecord

    token = register_phone(client_for, world.tagana)["token"]
    ahead = datetime.now(UTC) + timedelta(days=2)
    wrong_day = (ahead + timedelta(hours=7)).date().isoformat()  # the phone's own day, in WIB
    record = hand_out_record(world, world.tagana, made_at=now_iso(ahead), distributed_on=wrong_day)
    result = sync(app.test_client(), token, [record])[1]["results"][0]
    assert result["status"] == "stored", result
    row = db.session.scalar(select(FieldRecord).where(FieldRecord.client_id == record["client_id"]))
    assert row.clock_suspect is True
    assert abs(row.made_at - ahead.replace(tzinfo=None)) < timedelta(seconds=1)
    assert db.session.get(Distribution, result["id"]).distributed_on == office_today()
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_head_count_check_in_report_through_the_sync(app, db, world, client_for):
    from logistics.shelters.models import ShelterCount
    from logistics.tagana.models import Deployment, TaskReport

    shelter, deployment = deploy_coordinator(world)
    token = register_phone(client_for, world.tagana)["token"]
    made = datetime.now(UTC) - timedelta(hours=2)
    records = [
        duty_record(
            "check_in", world.tagana, {"deployment_id": deployment.id}, made_at=now_iso(made)
        ),
        duty_record(
            "head_count", world.tagana, {"shelter_id": shelter.id, "persons": 120, "households": 30}
        ),
        duty_record("head_count", world.tagana, {"shelter_id": shelter.id, "persons": "banyak"}),
        duty_record("check_out", world.tagana, {"deployment_id": deployment.id}),
        duty_record(
            "task_report",
            world.tagana,
            {"deployment_id": deployment.id, "note": "Membagikan 40 paket"},
        ),
    ]
    results = sync(app.test_client(), token, records)[1]["results"]
    assert [r["status"] for r in results] == ["stored", "stored", "refused", "stored", "stored"]
    assert results[2]["field"] == "persons"
    db.session.expire_all()
    stored = db.session.get(Deployment, deployment.id)
    assert abs(stored.checked_in_at - made.replace(tzinfo=None)) < timedelta(seconds=1)
    assert stored.checked_out_at is not None and stored.status == "selesai"
    assert db.session.get(ShelterCount, results[1]["id"]).persons == 120
    assert db.session.get(TaskReport, results[4]["id"]).activities == "Membagikan 40 paket"
    again = sync(app.test_client(), token, records[:2])[1]["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert count(db, ShelterCount) == 1


def test_status_tells_the_phone_the_review_outcome(app, db, world, client_for, make_user):
    token = register_phone(client_for, world.tagana)["token"]
    client = app.test_client()
    first = hand_out_record(world, world.tagana)
    double = hand_out_record(world, world.tagana)
    other = hand_out_record(world, world.tagana, person_id=world.rina.id, household_id=None)
    results = sync(client, token, [first, double, other])[1]["results"]
    assert [r["status"] for r in results] == ["stored", "refused", "stored"]
    operator = client_for(world.operator)
    rows = review_rows(db)
    accepted = operator.post(
        f"/lapangan/tinjau/{rows[0].id}/terima", data={"reason": "Keluarga besar, dua dapur"}
    )
    assert accepted.status_code == 302
    asked = client.post(
        "/api/v1/field/status",
        json={"client_ids": [first["client_id"], double["client_id"], "hp-tidak-ada"]},
        headers=bearer(token),
    ).get_json()["results"]
    assert [r["status"] for r in asked] == ["stored", "accepted", "unknown"]
    assert asked[1]["id"] and asked[1]["message"] == "Keluarga besar, dua dapur"
    assert balance(db, world.warehouse, "makanan_siap_saji") == 91


def review_rows(db):
    from logistics.field.models import FieldRecord

    return db.session.scalars(
        select(FieldRecord)
        .where(FieldRecord.status.in_(("refused", "conflict")))
        .order_by(FieldRecord.id)
    ).all()


def test_reference_is_scoped_masked_and_versioned(
    app, db, world, client_for, make_user, make_event
):
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_victim

    shelter, deployment = deploy_coordinator(world)
    elsewhere = make_event(title="Longsor lain")
    register_victim(
        elsewhere,
        PersonInput(name="Orang Lain", nik="3275010101800005"),
        status="menderita",
        kelurahan_code="32.75.01.1001",
    )
    db.session.commit()
    token = register_phone(client_for, world.tagana)["token"]
    client = app.test_client()
    body = client.get("/api/v1/field/reference", headers=bearer(token)).get_json()
    assert body["unchanged"] is False and body["label"].startswith("data per ")
    assert [d["id"] for d in body["deployments"]] == [deployment.id]
    assert body["deployments"][0]["area_code"] == "32.75.01.1001"
    assert [e["id"] for e in body["events"]] == [world.event.id]
    assert [h["id"] for h in body["households"]] == [world.household.id]
    niks = [m["nik_masked"] for m in body["households"][0]["members"]]
    assert "3275********0009" in niks and NIK_BUDI not in str(body)
    assert body["households"][0]["kk_masked"] == "3275********0001"
    assert [s["id"] for s in body["shelters"]] == [shelter.id]
    stock = {w["id"]: w["stock"] for w in body["warehouses"]}[world.warehouse.id]
    items = {i["id"]: i["code"] for i in body["items"]}
    available = {items[s["item_id"]]: s["available"] for s in stock}
    assert available == {"makanan_siap_saji": 100, "selimut": 50, "beras": 200}
    same = client.get(
        f"/api/v1/field/reference?since={body['version']}", headers=bearer(token)
    ).get_json()
    assert same == {"version": body["version"], "unchanged": True}
    sync(client, token, [hand_out_record(world, world.tagana)])
    changed = client.get(
        f"/api/v1/field/reference?since={body['version']}", headers=bearer(token)
    ).get_json()
    assert changed["unchanged"] is False and changed["version"] != body["version"]
    operator_token = register_phone(client_for, world.operator)["token"]
    asked = client.get(
        f"/api/v1/field/reference?event_id={elsewhere.id}", headers=bearer(operator_token)
    ).get_json()
    assert [e["id"] for e in asked["events"]] == [elsewhere.id]
    # Orang Lain has no household; the coordinator's family is not in that event.
    assert asked["households"] == [] and asked["deployments"] == []
    tagana_view = client.get("/api/v1/field/reference", headers=bearer(token)).get_json()
    assert "Orang Lain" not in str(tagana_view)


@pytest.mark.parametrize(
    ("zone", "name"),
    [("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")],
)
def test_reference_label_names_the_office_time_zone(app, world, client_for, zone, name):
    import re
    from zoneinfo import ZoneInfo

    token = register_phone(client_for, world.tagana)["token"]
    app.config["OFFICE_TIMEZONE"] = zone
    before = datetime.now(ZoneInfo(zone))
    body = app.test_client().get("/api/v1/field/reference", headers=bearer(token)).get_json()
    after = datetime.now(ZoneInfo(zone))
    found = re.fullmatch(r"data per (\d\d)\.(\d\d) (WIB|WITA|WIT)", body["label"])
    assert found and found.group(3) == name, body["label"]
    # The clock is the office's: the hour and minute of that zone, not the server's.
    shown = (int(found.group(1)), int(found.group(2)))
    assert shown in {(before.hour, before.minute), (after.hour, after.minute)}
