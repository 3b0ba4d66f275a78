"""Hand-outs in one field batch are checked against each other as one POST at a time would be:
stock left by the batch's earlier hand-outs (first expiry first out, expired lots), double aid
among its own records, and the audit trail and stock movements of each."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import balance, make_world, payload, stock
from tests.support.field import hand_out_record, register_phone, sync


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


def _posko(db, world):
    """A posko with 12 kg of beras in two good lots and 5 kg in a lot that has expired."""
    from logistics.core.time import office_today
    from logistics.stock.warehouses import create_warehouse

    posko = create_warehouse(name="Posko RW 05", tier="posko", kelurahan_code="32.75.01.1001")
    db.session.commit()
    today = office_today()
    lots = {
        "A": stock(posko, "beras", 6, expiry=today + timedelta(days=30), lot_code="A"),
        "B": stock(posko, "beras", 6, expiry=today + timedelta(days=60), lot_code="B"),
        "LAMA": stock(posko, "beras", 5, expiry=today - timedelta(days=10), lot_code="LAMA"),
    }
    return posko, lots


def _bodies(world, posko, lots) -> list[dict]:
    def beras(quantity, **line):
        return [{"item_id": "beras", "quantity": quantity, **line}]

    family = {"household_id": None}
    return [
        # 1. the family: 4 kg from lot A (first to expire)
        payload(world, warehouse_id=posko.id, lines=beras(4)),
        # 2. a member of that family, same component, same day: double aid
        payload(
            world, warehouse_id=posko.id, lines=beras(1), person_id=world.members[1].id, **family
        ),
        # 3. Rina: 2 kg left in A, then 5 from B
        payload(world, warehouse_id=posko.id, lines=beras(7), person_id=world.rina.id, **family),
        # 4. the panti asks 2 kg: 1 kg is left that may be handed out (LAMA has expired)
        payload(
            world, warehouse_id=posko.id, lines=beras(2), institution_id=world.panti.id, **family
        ),
        # 5. the expired lot named without a reason
        payload(
            world,
            component="sandang",
            warehouse_id=posko.id,
            lines=beras(2, lot_id=lots["LAMA"].id),
            institution_id=world.panti.id,
            **family,
        ),
        # 6. another component to the panti: the last kilo of B
        payload(
            world,
            component="sandang",
            warehouse_id=posko.id,
            lines=beras(1),
            institution_id=world.panti.id,
            **family,
        ),
    ]


def _online(client, bodies) -> list[tuple[str, str | None, str | None]]:
    answers = []
    for body in bodies:
        response = client.post("/api/v1/distributions", json=body)
        answer = response.get_json()
        if response.status_code == 201:
            answers.append(("stored", None, None))
        else:
            answers.append(("refused", answer.get("field"), answer.get("message")))
    return answers


def _batch(app, client_for, world, bodies) -> list[tuple[str, str | None, str | None]]:
    token = register_phone(client_for, world.tagana)["token"]
    records = [hand_out_record(world, world.tagana) for _ in bodies]
    for record, body in zip(records, bodies, strict=True):
        record["payload"] = body
    status, answer = sync(app.test_client(), token, records)
    assert status == 200, answer
    return [(r["status"], r["field"], r["message"]) for r in answer["results"]]


@pytest.mark.parametrize("via", ["batch", "online"])
def test_a_batch_checks_each_hand_out_against_the_ones_before_it_as_online(
    app, db, world, client_for, via
):
    from logistics.core.models import AuditEntry
    from logistics.distributions.models import Distribution
    from logistics.stock.models import StockMovement

    posko, lots = _posko(db, world)
    bodies = _bodies(world, posko, lots)
    online = via == "online"
    answers = (
        _online(client_for(world.tagana), bodies)
        if online
        else _batch(app, client_for, world, bodies)
    )
    assert [(status, field) for status, field, _message in answers] == [
        ("stored", None),
        ("refused", "override_reason"),
        ("stored", None),
        ("refused", "quantity"),
        ("refused", "lot_id"),
        ("stored", None),
    ]
    messages = [message for _status, _field, message in answers]
    assert "Siti Aminah sudah menerima bantuan permakanan" in messages[1]
    assert "dicatat oleh Agus Tagana" in messages[1]
    assert "tinggal 1 kg; tidak cukup untuk 2 kg" in messages[3]
    assert "Lot LAMA" in messages[4] and "sudah kedaluwarsa" in messages[4]
    assert balance(db, posko, "beras") == 5
    db.session.expire_all()
    taken = db.session.execute(
        select(StockMovement.distribution_id, StockMovement.lot_id, StockMovement.quantity)
        .where(StockMovement.kind == "distribution", StockMovement.warehouse_id == posko.id)
        .order_by(StockMovement.distribution_id, StockMovement.lot_id)
    ).all()
    first, rina, panti = sorted({row.distribution_id for row in taken})
    assert [(d, lot, float(q)) for d, lot, q in taken] == [
        (first, lots["A"].id, -4.0),
        (rina, lots["A"].id, -2.0),
        (rina, lots["B"].id, -5.0),
        (panti, lots["B"].id, -1.0),
    ]
    assert count(db, Distribution) == 3
    audited = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "distributions", AuditEntry.action == "create"
        )
    ).all()
    assert sorted(int(entry.entity_id) for entry in audited) == [first, rina, panti]
    entry = next(e for e in audited if int(e.entity_id) == rina)
    assert entry.user_id == world.tagana.id and entry.changes["person_id"] == world.rina.id
    assert entry.changes["persons_served"] == 1


def test_an_office_override_in_a_batch_is_kept_and_the_next_double_still_refused(
    app, db, world, client_for
):
    from logistics.distributions.models import Distribution

    token = register_phone(client_for, world.operator)["token"]
    records = [hand_out_record(world, world.operator) for _ in range(3)]
    records[1]["payload"]["override_reason"] = "Keluarga besar, dua dapur"
    status, answer = sync(app.test_client(), token, records)
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["stored", "stored", "refused"]
    assert answer["results"][2]["field"] == "override_reason"
    # The refusal names the latest of the two hand-outs before it: the overridden one.
    assert f"penyaluran #{answer['results'][1]['id']}" in answer["results"][2]["message"]
    kept = db.session.get(Distribution, answer["results"][1]["id"])
    assert kept.override_reason == "Keluarga besar, dua dapur"
    assert balance(db, world.warehouse, "makanan_siap_saji") == 94
