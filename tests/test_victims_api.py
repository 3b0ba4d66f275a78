"""Victim API: create, read, update, list with filters; roles; idempotent retries; JSON errors."""

from sqlalchemy import select

from logistics.core.models import AuditEntry
from logistics.victims.models import Household, Person, Victim
from tests.support.db import count

KEL = "32.75.01.1001"
NIK = "3275011708850009"


def payload(event, **overrides) -> dict:
    body = {
        "event_id": event.id,
        "status": "mengungsi",
        "kelurahan_code": KEL,
        "client_id": "hp-77-0001",
        "person": {"name": "Budi Santoso", "nik": NIK, "relation": "kepala_keluarga"},
        "household": {"no_kk": "3275010101200001", "address": "Jl. Melati 3", "rt": "003"},
    }
    body.update(overrides)
    return body


def test_anonymous_gets_401_json(client, db, make_event):
    event = make_event()
    for response in (
        client.get("/api/v1/victims"),
        client.post("/api/v1/victims", json=payload(event)),
        client.get("/api/v1/victims/1"),
        client.patch("/api/v1/victims/1", json={"status": "hilang"}),
        client.get("/api/v1/institution-victims"),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_pimpinan_reads_but_cannot_write(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("tagana"))
    victim_id = client.post("/api/v1/victims", json=payload(event)).get_json()["id"]
    client.post("/keluar")
    login(make_user("pimpinan"))
    assert client.get(f"/api/v1/victims/{victim_id}").status_code == 200
    for response in (
        client.post("/api/v1/victims", json=payload(event, client_id="x")),
        client.patch(f"/api/v1/victims/{victim_id}", json={"status": "hilang"}),
        client.post(
            "/api/v1/institution-victims",
            json={"event_id": event.id, "name": "Panti", "kind": "panti",
                  "kelurahan_code": KEL, "headcount": 3},
        ),
        client.get(f"/api/v1/victims/{victim_id}?show_nik=1"),
    ):  # fmt: skip
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"


def test_create_then_retry_returns_the_first_record(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("tagana"))
    first = client.post("/api/v1/victims", json=payload(event))
    assert first.status_code == 201
    body = first.get_json()
    assert first.headers["Location"].endswith(f"/api/v1/victims/{body['id']}")
    person = body["person"]
    assert person["nik"] == "3275********0009" and person["nik_masked"]
    assert (person["sex"], person["birth_date"], person["age_group"]) == (
        "L",
        "1985-08-17",
        "dewasa",
    )
    assert person["household"]["no_kk"] == "3275********0001"

    retry = client.post("/api/v1/victims", json=payload(event))
    assert retry.status_code == 200
    assert retry.get_json()["id"] == body["id"]
    assert count(db, Victim) == 1 and count(db, Person) == 1 and count(db, Household) == 1

    changed = client.post("/api/v1/victims", json=payload(event, status="terluka"))
    assert changed.status_code == 409
    assert changed.get_json()["field"] == "client_id"
    # The same person again under a new client_id: 409 naming the existing record.
    again = client.post("/api/v1/victims", json=payload(event, client_id="hp-77-0002"))
    assert again.status_code == 409
    assert again.get_json()["details"]["victim_id"] == body["id"]
    assert count(db, Victim) == 1


def test_bad_input_is_a_422_with_the_field(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("operator"))
    cases = [
        (dict(kelurahan_code="32.75.01.1099"), "kelurahan_code", "tidak dikenal"),
        (dict(kelurahan_code="32751"), "kelurahan_code", "salah format"),
        (dict(person={"name": "A", "nik": "327501170885"}), "nik", "16 digit"),
        (dict(person={"name": "A", "nik": "3275013102990001"}), "nik", "tidak ada"),
        (dict(person={"name": "A", "nik": "3275991708850009"}), "nik", "32.75.99"),
        (dict(person={"name": "A", "nik": "9975011708850009"}), "nik", "provinsi"),
        (dict(person={"name": "", "nik": NIK}), "name", "Nama wajib"),
        (dict(person={"name": "A", "nik": NIK, "umur": 5}), "person.umur", "umur"),
        (dict(person={"name": "A", "nik": NIK, "birth_date": "17-08-1985"}), "birth_date", "TTTT"),
        (dict(status="selamat"), "status", "salah satu dari: meninggal"),
        (dict(event_id=9999), "event_id", "kejadian"),
        (dict(household={"no_kk": "123"}), "no_kk", "16 digit"),
        (dict(shelter_id="satu"), "shelter_id", "bilangan bulat"),
    ]
    for overrides, field, text in cases:
        response = client.post("/api/v1/victims", json=payload(event, **overrides))
        assert response.status_code == 422, (overrides, response.get_json())
        body = response.get_json()
        assert body["error"] == "invalid" and body["field"] == field, body
        assert text in body["message"]
    assert client.post("/api/v1/victims", data="x").status_code == 422
    assert count(db, Victim) == 0 and count(db, Person) == 0 and count(db, Household) == 0


def test_read_update_and_list_with_filters(client, db, make_event, make_user, login):
    flood = make_event()
    fire = make_event(hazard_code="KBP", title="Kebakaran")
    login(make_user("operator"))
    budi = client.post("/api/v1/victims", json=payload(flood)).get_json()
    child = client.post(
        "/api/v1/victims",
        json=payload(
            flood,
            client_id="hp-77-0003",
            household_id=budi["person"]["household"]["id"],
            household=None,
            person={"name": "Rina", "no_nik_reason": "anak_belum_ber_nik", "sex": "P",
                    "birth_date": "2023-05-01", "relation": "anak"},
        ),
    ).get_json()  # fmt: skip
    assert child["person"]["balita"] and child["person"]["vulnerable_groups"] == ["balita", "anak"]
    in_fire = client.post(
        "/api/v1/victims",
        json=payload(fire, client_id="hp-77-0004", status="menderita", household=None),
    ).get_json()
    assert in_fire["person"]["id"] == budi["person"]["id"]  # one person across events

    detail = client.get(f"/api/v1/victims/{budi['id']}").get_json()
    assert detail["status"] == "mengungsi"
    response = client.patch(
        f"/api/v1/victims/{budi['id']}",
        json={"status": "terluka", "note": "patah kaki", "person": {"disability": True}},
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "terluka"
    assert response.get_json()["person"]["disability"] is True
    assert client.patch(f"/api/v1/victims/{budi['id']}", json={"status": "x"}).status_code == 422
    assert client.patch(f"/api/v1/victims/{budi['id']}", json={"foo": 1}).status_code == 422
    assert client.get("/api/v1/victims/99999").status_code == 404

    def names(query: str) -> list[str]:
        body = client.get(f"/api/v1/victims?{query}").get_json()
        return sorted(item["person"]["name"] for item in body["items"])

    assert names(f"event_id={flood.id}") == ["Budi Santoso", "Rina"]
    assert names(f"event_id={fire.id}") == ["Budi Santoso"]
    assert names("status=terluka") == ["Budi Santoso"]
    assert names("group=balita") == ["Rina"]
    assert names("group=disabilitas") == ["Budi Santoso", "Budi Santoso"]  # two events
    assert names(f"kelurahan_code={KEL}&q=rin") == ["Rina"]
    assert names(f"q={NIK}") == ["Budi Santoso", "Budi Santoso"]
    page = client.get("/api/v1/victims?per_page=1&page=2").get_json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert client.get("/api/v1/victims?group=remaja").status_code == 422


def test_tagana_cannot_change_person_data(client, db, make_event, make_user, login):
    event = make_event()
    login(make_user("tagana"))
    victim = client.post("/api/v1/victims", json=payload(event)).get_json()
    response = client.patch(f"/api/v1/victims/{victim['id']}", json={"person": {"name": "X"}})
    assert response.status_code == 403
    ok = client.patch(f"/api/v1/victims/{victim['id']}", json={"status": "menderita"})
    assert ok.status_code == 200


def test_full_nik_only_for_operator_and_logged(client, db, make_event, make_user, login):
    event = make_event()
    operator = make_user("operator")
    login(operator)
    victim = client.post("/api/v1/victims", json=payload(event)).get_json()
    assert victim["person"]["nik"] == "3275********0009"
    full = client.get(f"/api/v1/victims/{victim['id']}?show_nik=1").get_json()
    assert full["person"]["nik"] == NIK and not full["person"]["nik_masked"]
    listed = client.get("/api/v1/victims?show_nik=1").get_json()
    assert listed["items"][0]["person"]["nik"] == NIK
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view_nik", AuditEntry.user_id == operator.id)
    ).all()
    assert len(entries) == 2
    client.post("/keluar")
    login(make_user("tagana"))
    assert client.get(f"/api/v1/victims/{victim['id']}?show_nik=1").status_code == 403


def test_institution_victims_api(client, db, make_event, make_user, login):
    event = make_event(hazard_code="KNS", title="Konflik sosial")
    login(make_user("tagana"))
    body = {"event_id": event.id, "name": "Yayasan Kasih Ibu", "kind": "yayasan",
            "kelurahan_code": KEL, "headcount": 35, "status": "mengungsi", "client_id": "hp-9"}  # fmt: skip
    assert client.post("/api/v1/institution-victims", json=body).status_code == 201
    assert client.post("/api/v1/institution-victims", json=body).status_code == 200
    bad = client.post("/api/v1/institution-victims", json={**body, "client_id": "hp-10",
                                                           "headcount": "banyak"})  # fmt: skip
    assert bad.status_code == 422 and bad.get_json()["field"] == "headcount"
    listed = client.get(f"/api/v1/institution-victims?event_id={event.id}").get_json()
    assert listed["count"] == 1 and listed["headcount"] == 35
