"""The office's side of field records: "Perlu ditinjau" (what the phone sent, why refused,
accept with an override reason, reject with a note the phone reads back), the audit trail of
who sent what from which device, and both times on the distribution pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import balance, make_world
from tests.support.field import bearer, hand_out_record, now_iso, register_phone, sync


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


@pytest.fixture
def phone(app, world, client_for):
    return register_phone(client_for, world.tagana, "Redmi 9A"), app.test_client()


def _status(client, token, client_ids):
    response = client.post(
        "/api/v1/field/status", json={"client_ids": client_ids}, headers=bearer(token)
    )
    return response.get_json()["results"]


def test_the_review_list_shows_what_was_sent_and_why_and_a_rejection_goes_back(
    app, db, world, phone
):
    issued, client = phone
    token = issued["token"]
    refused = hand_out_record(world, world.tagana, lines=[{"item_id": "selimut", "quantity": 999}])
    result = sync(client, token, [refused])[1]["results"][0]
    assert result["status"] == "refused"
    operator = app.test_client()
    operator.post("/masuk", data={"username": world.operator.username, "password": "rahasia-123"})
    page = operator.get("/lapangan/tinjau").get_data(as_text=True)
    assert refused["client_id"] in page and "Redmi 9A" in page and "Agus Tagana" in page
    assert "999" in page  # what the phone sent
    assert "Diterima server" in page and "Dibuat di ponsel" in page
    from logistics.field.models import FieldRecord

    row = db.session.scalar(
        select(FieldRecord).where(FieldRecord.client_id == refused["client_id"])
    )
    assert result["message"] in page.replace("&#39;", "'")
    empty = operator.post(f"/lapangan/tinjau/{row.id}/tolak", data={"note": ""})
    assert empty.status_code == 302
    assert _status(client, token, [refused["client_id"]])[0]["status"] == "refused"
    rejected = operator.post(
        f"/lapangan/tinjau/{row.id}/tolak",
        data={"note": "Stok selimut hanya 50; catat ulang 2 lembar"},
    )
    assert rejected.status_code == 302
    answer = _status(client, token, [refused["client_id"]])[0]
    assert answer == {
        "client_id": refused["client_id"],
        "status": "rejected",
        "message": "Stok selimut hanya 50; catat ulang 2 lembar",
        "id": None,
    }
    assert refused["client_id"] not in operator.get("/lapangan/tinjau").get_data(as_text=True)
    assert balance(db, world.warehouse, "selimut") == 50


def test_accepting_a_conflict_stores_it_as_a_new_hand_out(app, db, world, phone):
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldRecord

    issued, client = phone
    record = hand_out_record(
        world, world.tagana, component="sandang", lines=[{"item_id": "selimut", "quantity": 1}]
    )
    sync(client, issued["token"], [record])
    edited = {
        **record,
        "payload": {**record["payload"], "person_id": world.rina.id, "household_id": None},
    }
    assert sync(client, issued["token"], [edited])[1]["results"][0]["status"] == "conflict"
    conflict = db.session.scalar(select(FieldRecord).where(FieldRecord.status == "conflict"))
    operator = app.test_client()
    operator.post("/masuk", data={"username": world.operator.username, "password": "rahasia-123"})
    assert (
        operator.post(
            f"/lapangan/tinjau/{conflict.id}/terima", data={"reason": "Dua penerima berbeda"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(FieldRecord, conflict.id).status == "accepted"
    assert count(db, Distribution) == 2
    assert balance(db, world.warehouse, "selimut") == 48
    again = operator.post(f"/lapangan/tinjau/{conflict.id}/terima", data={"reason": "lagi"})
    assert again.status_code == 302 and count(db, Distribution) == 2


def test_accept_that_still_breaks_a_rule_changes_nothing_and_tagana_cannot_review(
    app, db, world, phone, client_for
):
    from logistics.field.models import FieldRecord

    issued, client = phone
    short = hand_out_record(world, world.tagana, lines=[{"item_id": "selimut", "quantity": 999}])
    sync(client, issued["token"], [short])
    row = db.session.scalar(select(FieldRecord).where(FieldRecord.client_id == short["client_id"]))
    tagana = client_for(world.tagana)
    assert tagana.get("/lapangan/tinjau").status_code == 403
    assert tagana.post(f"/lapangan/tinjau/{row.id}/terima", data={"reason": "x"}).status_code == 403
    operator = client_for(world.operator)
    response = operator.post(
        f"/lapangan/tinjau/{row.id}/terima", data={"reason": "Darurat"}, follow_redirects=True
    )
    assert "belum dapat diterima" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FieldRecord, row.id).status == "refused"
    assert balance(db, world.warehouse, "selimut") == 50


def test_audit_names_who_sent_what_from_which_device(app, db, world, phone):
    from logistics.core.models import AuditEntry

    issued, client = phone
    results = sync(client, issued["token"], [hand_out_record(world, world.tagana)])[1]["results"]
    created = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "distributions", AuditEntry.entity_id == str(results[0]["id"])
        )
    )
    assert created.user_id == world.tagana.id and created.actor == world.tagana.username
    batch = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "field_sync"))
    assert batch.entity_id == issued["device_id"] and batch.changes["stored"] == 1
    assert batch.user_id == world.tagana.id


def test_distribution_pages_show_made_on_the_phone_and_received(app, db, world, phone, client_for):
    issued, client = phone
    made = datetime.now(UTC) - timedelta(days=1, hours=2)
    record = hand_out_record(world, world.tagana, made_at=now_iso(made))
    stored = sync(client, issued["token"], [record])[1]["results"][0]
    operator = client_for(world.operator)
    for url in (f"/penyaluran/{stored['id']}", "/penyaluran/"):
        page = operator.get(url).get_data(as_text=True)
        assert "dari ponsel Redmi 9A" in page, url
        assert "dibuat" in page and "diterima" in page
    from logistics.core.formatting import tanggal_jam

    detail = operator.get(f"/penyaluran/{stored['id']}").get_data(as_text=True)
    assert tanggal_jam(made.replace(tzinfo=None)) in detail
