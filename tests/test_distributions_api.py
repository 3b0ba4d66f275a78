"""Hand-out API: create (201/200 replay/409), list with filters, detail, recipient search with
masked NIK, roles, and the last units taken by many phones at once."""

import threading

import pytest
from sqlalchemy import select

from tests.support.db import count
from tests.support.distributions import (
    KEL,
    NIK_BUDI,
    NIK_RINA,
    NO_KK,
    balance,
    make_world,
    payload,
    stock,
)


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


def test_create_then_replay_then_conflict(app, db, world, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    created = client.post("/api/v1/distributions", json=payload(world, client_id="hp-3-0001"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/distributions/{body['id']}")
    assert body["persons_served"] == 3 and len(body["recipient_person_ids"]) == 3
    assert body["lines"][0]["item_code"] == "makanan_siap_saji"
    assert body["lines"][0]["quantity"] == 3
    assert body["lines"][0]["lot"] == "tanpa kode (ED 30 Juni 2027)"
    assert body["subkegiatan"] == "1.06.06.2.01.0001" and body["kelurahan_code"] == KEL

    again = client.post("/api/v1/distributions", json=payload(world, client_id="hp-3-0001"))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert again.get_json()["lines"] == body["lines"]
    assert again.get_json()["recipient_person_ids"] == body["recipient_person_ids"]
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97

    other = payload(world, client_id="hp-3-0001", lines=[{"item_id": "selimut", "quantity": 1}])
    conflict = client.post("/api/v1/distributions", json=other)
    assert conflict.status_code == 409 and conflict.get_json()["field"] == "client_id"
    assert count(db, Distribution) == 1


def test_guard_over_the_api_for_tagana_and_operator(app, db, world, client_for):
    tagana = client_for(world.tagana)
    assert tagana.post("/api/v1/distributions", json=payload(world)).status_code == 201
    refused = tagana.post("/api/v1/distributions", json=payload(world))
    assert refused.status_code == 409
    assert refused.get_json()["field"] == "override_reason"
    assert "Agus Tagana" in refused.get_json()["message"]
    forbidden = tagana.post(
        "/api/v1/distributions", json=payload(world, override_reason="Warga meminta lagi")
    )
    assert forbidden.status_code == 403
    assert "operator atau admin" in forbidden.get_json()["message"]
    operator = client_for(world.operator)
    accepted = operator.post(
        "/api/v1/distributions", json=payload(world, override_reason="Paket pertama hanyut")
    )
    assert accepted.status_code == 201
    assert accepted.get_json()["override_reason"] == "Paket pertama hanyut"


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 1001}]}, 422),
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 0}]}, 422),
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 1.5}]}, 422),
        ({"lines": [{"item_id": "makanan_siap_saji", "quantity": 500}]}, 409),
        ({"lines": [{"item_id": 99999, "quantity": 1}]}, 404),
        ({"lines": "beras 5 kg"}, 422),
        ({"frobnicate": True}, 422),
        ({"household_id": None}, 422),
    ],
)
def test_bad_input_over_the_api(app, db, world, values, status, client_for):
    from logistics.distributions.models import Distribution

    client = client_for(world.tagana)
    response = client.post("/api/v1/distributions", json=payload(world, **values))
    assert response.status_code == status
    assert response.get_json()["message"]
    assert count(db, Distribution) == 0
    assert balance(db, world.warehouse, "makanan_siap_saji") == 100


def test_roles_and_anonymous(app, db, world, make_user, client_for):
    anonymous = app.test_client()
    assert anonymous.post("/api/v1/distributions", json=payload(world)).status_code == 401
    pimpinan = client_for(make_user("pimpinan"))
    assert pimpinan.post("/api/v1/distributions", json=payload(world)).status_code == 403
    assert pimpinan.get("/api/v1/distributions").status_code == 200


def test_list_filters_pagination_and_detail(app, db, world, client_for):
    client = client_for(world.operator)
    first = client.post("/api/v1/distributions", json=payload(world)).get_json()
    second = client.post(
        "/api/v1/distributions",
        json=payload(
            world,
            household_id=None,
            person_id=world.rina.id,
            component="sandang",
            lines=[{"item_id": "selimut", "quantity": 2}],
        ),
    ).get_json()
    everything = client.get("/api/v1/distributions?per_page=1").get_json()
    assert everything["count"] == 2 and len(everything["items"]) == 1
    assert everything["items"][0]["id"] == second["id"]
    page_two = client.get("/api/v1/distributions?per_page=1&page=2").get_json()
    assert page_two["items"][0]["id"] == first["id"]
    food = client.get("/api/v1/distributions?component=permakanan").get_json()
    assert [i["id"] for i in food["items"]] == [first["id"]]
    assert food["items"][0]["nik"] == NIK_BUDI[:4] + "********" + NIK_BUDI[-4:]
    assert food["items"][0]["lines"] == [
        {"item_name": "Makanan siap saji", "quantity": 3, "unit": "paket"}
    ]
    by_household = client.get(f"/api/v1/distributions?household_id={world.household.id}")
    assert [i["id"] for i in by_household.get_json()["items"]] == [first["id"]]
    by_kelurahan = client.get("/api/v1/distributions?kelurahan_code=32.75.01.1002").get_json()
    assert [i["id"] for i in by_kelurahan["items"]] == [second["id"]]
    none = client.get("/api/v1/distributions?date_from=2099-01-01").get_json()
    assert none["count"] == 0
    assert client.get("/api/v1/distributions?component=hiburan").status_code == 422
    assert client.get("/api/v1/distributions?date_from=besok").status_code == 422
    detail = client.get(f"/api/v1/distributions/{second['id']}").get_json()
    assert detail["recipient_person_ids"] == [world.rina.id]
    assert detail["lines"][0]["quantity"] == 2
    assert client.get("/api/v1/distributions/99999").status_code == 404


def test_recipient_search_masks_nik_for_tagana(app, db, world, client_for):
    tagana = client_for(world.tagana)
    url = f"/api/v1/distributions/recipients?event_id={world.event.id}"
    by_nik = tagana.get(f"{url}&q={NIK_BUDI}").get_json()
    assert by_nik["count"] == 1 and by_nik["nik_masked"]
    item = by_nik["items"][0]
    assert item["household_id"] == world.household.id and item["recipient_kind"] == "household"
    assert [m["name"] for m in item["members"]] == ["Budi Santoso", "Siti Aminah", "Joko Santoso"]
    assert [m["matched"] for m in item["members"]] == [True, False, False]
    assert NIK_BUDI not in str(by_nik) and NO_KK not in str(by_nik)
    by_kk = tagana.get(f"{url}&q={NO_KK}").get_json()
    assert [i["household_id"] for i in by_kk["items"]] == [world.household.id]
    by_name = tagana.get(f"{url}&q=rina").get_json()
    assert by_name["items"][0]["recipient_kind"] == "person"
    assert by_name["items"][0]["person_id"] == world.rina.id
    assert tagana.get(f"{url}&q=ri").status_code == 422
    assert tagana.get(f"{url}&q=327501").status_code == 422  # no NIK prefix probing
    assert tagana.get(f"{url}&q={NIK_BUDI}&show_nik=1").status_code == 403
    operator = client_for(world.operator)
    full = operator.get(f"{url}&q={NIK_RINA}&show_nik=1").get_json()
    assert full["items"][0]["members"][0]["nik"] == NIK_RINA
    assert tagana.get("/api/v1/distributions/recipients?event_id=999&q=rina").status_code == 404


def test_the_last_units_under_eight_phones_at_once(app, db, world, make_user, client_for):
    """10 rolled tents, 8 phones asking 3 each at the same moment: 3 get them, 5 get 409."""
    from logistics.distributions.models import Distribution
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_victim

    tenda = stock(world.warehouse, "tenda_gulung", 10)
    niks = [f"32750110068{i}000{i + 1}" for i in range(8)]
    people = []
    for number, nik in enumerate(niks):
        victim, _ = register_victim(
            world.event,
            PersonInput(name=f"Warga {number}", nik=nik),
            status="mengungsi",
            kelurahan_code=KEL,
        )
        people.append(victim.person.id)
    db.session.commit()
    clients = [client_for(make_user("tagana")) for _ in people]
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    # Bodies are built here: the ORM objects of the test belong to the main thread's session.
    bodies = [
        payload(
            world,
            household_id=None,
            person_id=person_id,
            component="tempat_penampungan",
            lines=[{"item_id": "tenda_gulung", "quantity": 3}],
            client_id=f"race-{person_id}",
        )
        for person_id in people
    ]

    def send(client, body):
        barrier.wait()
        response = client.post("/api/v1/distributions", json=body)
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(clients, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    accepted = statuses.count(201)
    assert accepted == 3 and statuses.count(409) == 5, results
    assert all(body["error"] == "conflict" for status, body in results if status == 409)
    db.session.expire_all()
    db.session.refresh(tenda)
    assert tenda.quantity == 10 - 3 * accepted >= 0
    assert count(db, Distribution) == accepted


def test_two_copies_of_one_submission_at_once_save_one(app, db, world, make_user, client_for):
    from logistics.distributions.models import Distribution

    clients = [client_for(make_user("tagana")) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    body = payload(world, client_id="twin-1")

    def send(client):
        barrier.wait()
        response = client.post("/api/v1/distributions", json=body)
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200, 201], results
    assert len({body["id"] for _, body in results}) == 1
    db.session.expire_all()
    assert count(db, Distribution) == 1
    assert db.session.scalar(select(Distribution.client_id)) == "twin-1"
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97


def test_four_phones_recording_one_family_at_once_save_one(
    app, db, world, make_user, client_for, monkeypatch
):
    """Four volunteers record permakanan for the same family at the same moment, each with their
    own client_id. Every phone has read and checked its input before any of them writes (the test
    holds them there), so only the double-aid check under the write lock can refuse the others."""
    from logistics.distributions import services as distributions
    from logistics.distributions.models import Distribution

    phones = 4
    clients = [client_for(make_user("tagana")) for _ in range(phones)]
    start, ready = threading.Barrier(phones), threading.Barrier(phones, timeout=10)
    guard = distributions.serialise_guard

    def write_together(*args, **kwargs):
        ready.wait()
        return guard(*args, **kwargs)

    monkeypatch.setattr(distributions, "serialise_guard", write_together)
    bodies = [payload(world, client_id=f"hp-{n}") for n in range(phones)]
    results = []

    def send(client, body):
        start.wait()
        response = client.post("/api/v1/distributions", json=body)
        results.append((response.status_code, response.get_json()))

    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(clients, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [201, 409, 409, 409], results
    refused = [body for status, body in results if status == 409]
    assert all(body["field"] == "override_reason" for body in refused)
    db.session.expire_all()
    assert count(db, Distribution) == 1
    assert balance(db, world.warehouse, "makanan_siap_saji") == 97
