"""Field sync: idempotent per client_id, each record on its own, stock by arrival, both times
kept, device credentials (expired session, revoked, expired), the bad input of issue 13."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import balance, make_world, stock
from tests.support.field import hand_out_record, now_iso, register_phone, sync


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


@pytest.fixture
def phone(app, world, client_for):
    """The Tagana coordinator's phone: its credential and a client with no session at all."""
    issued = register_phone(client_for, world.tagana)
    return issued["token"], app.test_client()


def test_device_is_issued_with_the_office_lifetime_and_only_a_hash_kept(app, db, world, client_for):
    from logistics.field.models import FieldDevice

    issued = register_phone(client_for, world.tagana, "Samsung A03")
    assert issued["user"] == {
        "id": world.tagana.id,
        "username": world.tagana.username,
        "name": "Agus Tagana",
        "role": "tagana",
    }
    expires = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    device = db.session.get(FieldDevice, issued["device_id"])
    assert device.name == "Samsung A03" and issued["token"] not in device.token_hash
    assert len(device.token_hash) == 64


def test_a_batch_is_stored_each_record_once_with_both_times(app, db, world, phone):
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldRecord

    token, client = phone
    made = datetime.now(UTC) - timedelta(hours=3)
    records = [
        hand_out_record(world, world.tagana, made_at=now_iso(made), component=component)
        for component in ("permakanan", "sandang")
    ]
    records[1]["payload"]["lines"] = [{"item_id": "selimut", "quantity": 2}]
    status, body = sync(client, token, records)
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == ["stored", "stored"]
    assert [r["client_id"] for r in body["results"]] == [r["client_id"] for r in records]
    assert count(db, Distribution) == 2
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97
    assert balance(db, world.warehouse, "selimut") == 48
    row = db.session.scalar(
        select(FieldRecord).where(FieldRecord.client_id == records[0]["client_id"])
    )
    assert row.target_id == body["results"][0]["id"]
    assert abs(row.made_at - made.replace(tzinfo=None)) < timedelta(seconds=1)
    received = datetime.fromisoformat(body["received_at"]).replace(tzinfo=None)
    assert abs(row.received_at - received) < timedelta(seconds=1)
    assert row.clock_suspect is False and row.user_id == world.tagana.id
    assert db.session.get(Distribution, row.target_id).created_by_id == world.tagana.id


def test_the_same_record_three_times_is_stored_once(app, db, world, phone):
    from logistics.distributions.models import Distribution

    token, client = phone
    record = hand_out_record(world, world.tagana)
    first = sync(client, token, [record])[1]["results"][0]
    # Twice more: once alone (a retry), once twice in one batch (a re-sent outbox).
    again = sync(client, token, [record])[1]["results"][0]
    both = sync(client, token, [record, record])[1]["results"]
    assert first["status"] == "stored"
    assert [again["status"], *[r["status"] for r in both]] == ["duplicate"] * 3
    assert {again["id"], *[r["id"] for r in both]} == {first["id"]}
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_a_batch_cut_off_halfway_is_sent_again_whole(app, db, world, phone):
    """The first half arrived (the answer was lost); the phone sends all again: each once."""
    from logistics.distributions.models import Distribution

    token, client = phone
    records = [
        hand_out_record(world, world.tagana, component="permakanan"),
        hand_out_record(
            world, world.tagana, component="sandang", lines=[{"item_id": "selimut", "quantity": 1}]
        ),
        hand_out_record(world, world.tagana, person_id=world.rina.id, household_id=None),
        hand_out_record(
            world,
            world.tagana,
            component="tempat_penampungan",
            lines=[{"item_id": "selimut", "quantity": 1}],
        ),
    ]
    assert [r["status"] for r in sync(client, token, records[:2])[1]["results"]] == ["stored"] * 2
    results = sync(client, token, records)[1]["results"]
    assert [r["status"] for r in results] == ["duplicate", "duplicate", "stored", "stored"]
    assert count(db, Distribution) == 4
    assert balance(db, world.warehouse, "selimut") == 48
    assert balance(db, world.warehouse, "makanan_siap_saji") == 94


def test_edited_after_a_failed_send_is_a_conflict_kept_for_review(app, db, world, phone):
    from logistics.field.models import FieldRecord

    token, client = phone
    record = hand_out_record(world, world.tagana)
    stored = sync(client, token, [record])[1]["results"][0]
    edited = {
        **record,
        "payload": {
            **record["payload"],
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 5}],
        },
    }
    result = sync(client, token, [edited])[1]["results"][0]
    assert result["status"] == "conflict" and result["field"] == "client_id"
    assert "ditinjau" in result["message"]
    rows = db.session.scalars(
        select(FieldRecord)
        .where(FieldRecord.client_id == record["client_id"])
        .order_by(FieldRecord.id)
    ).all()
    assert [r.status for r in rows] == ["stored", "conflict"]
    assert rows[0].payload["lines"][0]["quantity"] == 3  # never overwritten
    assert rows[1].payload["lines"][0]["quantity"] == 5
    assert rows[0].target_id == stored["id"]
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_stock_ran_out_while_offline_stock_by_arrival(app, db, world, make_user, client_for):
    """Two phones hand out the last units offline; the one that arrives first gets them, even
    though the other made its record earlier."""
    from logistics.stock.warehouses import create_warehouse

    small = create_warehouse(name="Posko Kelurahan", tier="posko", kelurahan_code="32.75.01.1001")
    db.session.commit()
    stock(small, "beras", 10)
    second = make_user("tagana", full_name="Dewi Tagana")
    phone_a = register_phone(client_for, world.tagana)["token"]
    phone_b = register_phone(client_for, second)["token"]
    client = app.test_client()
    early = now_iso(datetime.now(UTC) - timedelta(hours=5))
    late = now_iso(datetime.now(UTC) - timedelta(hours=1))
    lines = [{"item_id": "beras", "quantity": 8}]
    made_late = hand_out_record(
        world, world.tagana, made_at=late, warehouse_id=small.id, lines=lines
    )
    made_early = hand_out_record(
        world,
        second,
        made_at=early,
        warehouse_id=small.id,
        lines=lines,
        person_id=world.rina.id,
        household_id=None,
    )
    assert sync(client, phone_a, [made_late])[1]["results"][0]["status"] == "stored"
    refused = sync(client, phone_b, [made_early])[1]["results"][0]
    assert refused["status"] == "refused" and refused["id"] is None
    assert "beras" in refused["message"].lower() and refused["field"]
    assert balance(db, small, "beras") == 2


def test_double_aid_recorded_by_another_phone_is_refused(app, db, world, make_user, client_for):
    second = make_user("tagana", full_name="Dewi Tagana")
    phone_a = register_phone(client_for, world.tagana)["token"]
    phone_b = register_phone(client_for, second)["token"]
    client = app.test_client()
    assert (
        sync(client, phone_a, [hand_out_record(world, world.tagana)])[1]["results"][0]["status"]
        == "stored"
    )
    result = sync(client, phone_b, [hand_out_record(world, second)])[1]["results"][0]
    assert result["status"] == "refused" and result["field"] == "override_reason"
    assert "Agus Tagana" in result["message"]
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_one_refused_record_does_not_fail_the_others(app, db, world, phone):
    """Event closed, item unknown, a malformed body and a good record, in one batch."""
    from logistics.distributions.models import Distribution
    from logistics.events.services import create_event

    token, client = phone
    closed = make_closed_event(db, world)
    records = [
        hand_out_record(world, world.tagana, lines=[{"item_id": "tidak_ada", "quantity": 1}]),
        hand_out_record(world, world.tagana, event_id=closed.id),
        {
            "client_id": "hp-rusak-1",
            "kind": "hand_out",
            "made_at": "kemarin",
            "user_id": world.tagana.id,
            "payload": {},
        },
        {
            "client_id": "hp-rusak-2",
            "kind": "hand_out",
            "made_at": now_iso(),
            "user_id": world.tagana.id,
            "payload": {"event_id": "x"},
        },
        {"kind": "hand_out"},
        hand_out_record(world, world.tagana),
    ]
    status, body = sync(client, token, records)
    assert status == 200
    results = body["results"]
    assert [r["status"] for r in results] == ["refused"] * 5 + ["stored"]
    assert results[0]["field"] == "item_id" and "tidak_ada" in results[0]["message"]
    assert results[1]["field"] == "event_id" and "ditutup" in results[1]["message"]
    assert results[2]["field"] == "made_at"
    assert results[3]["field"] == "event_id"
    assert results[4]["field"] == "client_id"
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97
    del create_event


def make_closed_event(db, world):
    from logistics.events.models import Event

    event = db.session.get(Event, world.event.id)
    # A second event that closed before today: a hand-out today cannot be recorded on it.
    from logistics.events.services import create_event

    other = create_event(
        hazard_type_id=event.hazard_type_id,
        title="Banjir lama",
        started_at=datetime(2026, 11, 1, 2, 0),
    )
    other.closed_at = datetime(2026, 11, 10, 2, 0)
    db.session.commit()
    return other


@pytest.mark.parametrize("records", [[], "semua", None, [{}] * 201])
def test_a_batch_that_is_not_a_list_of_1_to_200_is_422(app, db, world, phone, records):
    from logistics.field.models import FieldRecord

    token, client = phone
    status, body = sync(client, token, records)
    assert status == 422 and body["field"] == "records" and "1 sampai 200" in body["message"]
    assert count(db, FieldRecord) == 0


def test_a_refused_record_fixed_under_the_same_id_is_stored_and_the_old_content_never_returns(
    app, db, world, phone
):
    """Refused (too much), corrected on the phone and sent again under the same client_id:
    stored; the first content sent again later is a conflict, never a second hand-out."""
    from logistics.distributions.models import Distribution
    from logistics.field.models import FieldRecord

    token, client = phone
    record = hand_out_record(
        world, world.tagana, lines=[{"item_id": "makanan_siap_saji", "quantity": 500}]
    )
    assert sync(client, token, [record])[1]["results"][0]["status"] == "refused"
    assert sync(client, token, [record])[1]["results"][0]["status"] == "refused"  # tried again
    fixed = {
        **record,
        "payload": {
            **record["payload"],
            "lines": [{"item_id": "makanan_siap_saji", "quantity": 5}],
        },
    }
    assert sync(client, token, [fixed])[1]["results"][0]["status"] == "stored"
    old = sync(client, token, [record])[1]["results"][0]
    assert old["status"] == "conflict" and old["id"] is None
    rows = db.session.scalars(select(FieldRecord).order_by(FieldRecord.id)).all()
    assert [(r.status, r.sends) for r in rows] == [("superseded", 2), ("stored", 1)]
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 95


@pytest.mark.parametrize("stale_reads", [1, 2])
def test_an_outbox_sent_twice_at_once_is_stored_once(
    app, db, world, phone, monkeypatch, stale_reads
):
    """The phone gave up waiting and sent again while the first request was still writing: the
    second request's reads missed the first's rows (once: before the lock; twice: as
    PostgreSQL's side-by-side transactions may). Answered as duplicates, nothing twice."""
    from logistics.distributions.models import Distribution
    from logistics.field import sync as field_sync

    token, client = phone
    records = [
        hand_out_record(world, world.tagana),
        hand_out_record(world, world.tagana, person_id=world.rina.id, household_id=None),
    ]
    first = sync(client, token, records)[1]["results"]
    real = field_sync._rows_by_client_id
    calls = []

    def stale(client_ids):
        calls.append(client_ids)
        return {} if len(calls) <= stale_reads else real(client_ids)

    monkeypatch.setattr(field_sync, "_rows_by_client_id", stale)
    status, body = sync(client, token, records)
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate"]
    assert [r["id"] for r in body["results"]] == [r["id"] for r in first]
    assert count(db, Distribution) == 2
    assert balance(db, world.warehouse, "makanan_siap_saji") == 94
