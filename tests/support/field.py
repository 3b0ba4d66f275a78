"""Field app helpers: a phone's credential, records as the phone builds them, a sync call."""

import uuid
from datetime import UTC, datetime

from tests.support.distributions import payload as hand_out_body


def register_phone(client_for, user, name: str = "Android Go") -> dict:
    """Sign the user in and have the phone issued its credential; the 201 body."""
    response = client_for(user).post("/api/v1/field/devices", json={"name": name})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def now_iso(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).isoformat()


def hand_out_record(world, user, client_id: str | None = None, made_at=None, **values) -> dict:
    """A hand-out as the phone queues it: the body of POST /distributions in an envelope."""
    body = hand_out_body(world, **values)
    return {
        "client_id": client_id or f"hp-{uuid.uuid4()}",
        "kind": "hand_out",
        "made_at": made_at or now_iso(),
        "user_id": user.id,
        "payload": body,
    }


def sync(client, token: str, records: list) -> tuple[int, dict]:
    response = client.post("/api/v1/field/sync", json={"records": records}, headers=bearer(token))
    return response.status_code, response.get_json()


def duty_record(kind: str, user, payload: dict, client_id: str | None = None, made_at=None):
    return {
        "client_id": client_id or f"hp-{uuid.uuid4()}",
        "kind": kind,
        "made_at": made_at or now_iso(),
        "user_id": user.id,
        "payload": payload,
    }


def deploy_coordinator(world):
    """The world's Tagana coordinator as a member on duty at a shelter of the world's event,
    in the kelurahan of the family and the warehouse: (shelter, deployment)."""
    from datetime import timedelta

    from logistics.core.time import utcnow
    from tests.support.distributions import KEL
    from tests.support.tagana import deploy, make_member, make_shelter

    shelter = make_shelter(world.event, "SDN Margahayu 1", KEL)
    member = make_member("3275-001", "Agus Tagana", user_id=world.tagana.id)
    deployment = deploy(
        member,
        world.event,
        shelter,
        utcnow() - timedelta(days=1),
        utcnow() + timedelta(days=5),
    )
    return shelter, deployment
