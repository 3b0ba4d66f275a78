"""Tagana JSON API: roles, the bad inputs as 4xx JSON with Indonesian messages, the roster."""

import pytest

from logistics.tagana import deployments as deployment_service
from logistics.tagana import duty
from tests.support.tagana import OFFICE, make_member, make_shelter, wib


@pytest.fixture
def world(db, make_event, make_user):
    event = make_event()
    budi_user = make_user("tagana", "budi")
    return {
        "event": event,
        "sd": make_shelter(event, "SDN Margahayu 1"),
        "masjid": make_shelter(event, "Masjid Al-Ikhlas", "32.75.04.1002"),
        "budi": make_member("3275-001", "Budi Santoso", user_id=budi_user.id),
        "sari": make_member("3275-002", "Sari Wulandari", sex="P"),
        "budi_user": budi_user,
        "operator": make_user("operator", "siti"),
        "pimpinan": make_user("pimpinan", "kadis"),
        "other_tagana": make_user("tagana", "tono"),
    }


def deployment_body(world, **overrides) -> dict:
    body = {
        "member_id": world["budi"].id,
        "event_id": world["event"].id,
        "place_kind": "shelter",
        "shelter_id": world["sd"].id,
        "role": "Petugas shelter",
        "letter_number": "800/12/Linjamsos",
        "starts_at": "2026-11-20T08:00",
        "ends_at": "2026-11-20T20:00",
    }
    body.update(overrides)
    return body


def test_anonymous_gets_401(client, world):
    for url in (
        "/api/v1/tagana/members",
        "/api/v1/tagana/deployments",
        "/api/v1/tagana/figures/2026",
    ):
        response = client.get(url)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_members(client, login, world):
    login(world["operator"])
    response = client.post(
        "/api/v1/tagana/members",
        json={
            "nia": "3275-010",
            "name": "Rina",
            "sex": "P",
            "level": "madya",
            "competencies": ["dapur_umum", "Logistik"],
            "home_kelurahan_code": "32.75.01.1002",
        },
    )
    assert response.status_code == 201, response.get_json()
    member = response.get_json()
    assert member["competencies"] == ["dapur_umum", "logistik"]
    assert member["trainings"] == []
    duplicate = client.post(
        "/api/v1/tagana/members", json={"nia": "3275-010", "name": "X", "sex": "L"}
    )
    assert duplicate.status_code == 409
    assert duplicate.get_json()["field"] == "nia"
    unknown = client.post(
        "/api/v1/tagana/members",
        json={"nia": "3275-011", "name": "Y", "sex": "L", "competencies": ["terjun payung"]},
    )
    assert unknown.status_code == 422
    assert unknown.get_json() == {
        "error": "invalid",
        "field": "competencies",
        "message": unknown.get_json()["message"],
    }
    assert "'terjun payung' tidak dikenal" in unknown.get_json()["message"]
    extra = client.post(
        "/api/v1/tagana/members", json={"nia": "3", "name": "Z", "sex": "L", "umur": 3}
    )
    assert extra.status_code == 422 and extra.get_json()["field"] == "umur"
    patched = client.patch(f"/api/v1/tagana/members/{member['id']}", json={"active": False})
    assert patched.get_json()["active"] is False
    training = client.post(
        f"/api/v1/tagana/members/{member['id']}/trainings",
        json={"name": "Diklat Dasar", "started_on": "2025-03-01", "certificate_number": "S-9"},
    )
    assert training.status_code == 201
    assert training.get_json()["trainings"][0]["certificate_number"] == "S-9"
    listing = client.get("/api/v1/tagana/members?active=ya").get_json()
    assert [m["name"] for m in listing["items"]] == ["Budi Santoso", "Sari Wulandari"]
    assert client.get("/api/v1/tagana/competencies").get_json()["count"] == 8


def test_pimpinan_reads_but_cannot_write(client, login, world):
    login(world["pimpinan"])
    assert client.get("/api/v1/tagana/members").status_code == 200
    response = client.post("/api/v1/tagana/members", json={"nia": "1", "name": "A", "sex": "L"})
    assert response.status_code == 403
    assert client.post("/api/v1/tagana/deployments", json=deployment_body(world)).status_code == 403


def test_deploy_and_overlap(client, login, world):
    login(world["operator"])
    response = client.post(
        "/api/v1/tagana/deployments", json=deployment_body(world, competency="shelter")
    )
    assert response.status_code == 201, response.get_json()
    first = response.get_json()
    assert first["competency"] == "shelter"
    assert first["starts_at"] == "2026-11-20T01:00:00Z"
    assert first["place_label"] == "Tempat pengungsian: SDN Margahayu 1"
    assert first["phase"] == "direncanakan"
    overlap = client.post(
        "/api/v1/tagana/deployments",
        json=deployment_body(
            world, shelter_id=world["masjid"].id, starts_at="2026-11-20T19:00+07:00"
        ),
    )
    assert overlap.status_code == 409
    body = overlap.get_json()
    assert body["error"] == "conflict"
    assert body["details"] == {"conflicting_deployment_id": first["id"]}
    assert "SDN Margahayu 1" in body["message"]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"ends_at": "2026-11-20T07:00"}, 422, "ends_at"),
        ({"place_kind": "kelurahan", "shelter_id": None}, 422, "kelurahan_code"),
        ({"member_id": 999}, 422, "member_id"),
        ({"event_id": 999}, 422, "event_id"),
        ({"starts_at": "besok pagi"}, 422, "starts_at"),
        ({"competency": "sulap"}, 422, "competency"),
    ],
)
def test_bad_deployments(client, login, world, overrides, status, field):
    login(world["operator"])
    response = client.post("/api/v1/tagana/deployments", json=deployment_body(world, **overrides))
    assert response.status_code == status
    assert response.get_json()["field"] == field


def test_inactive_member_refused(client, login, world):
    login(world["operator"])
    client.patch(f"/api/v1/tagana/members/{world['sari'].id}", json={"active": False})
    response = client.post(
        "/api/v1/tagana/deployments", json=deployment_body(world, member_id=world["sari"].id)
    )
    assert response.status_code == 422
    assert "tidak aktif" in response.get_json()["message"]


def test_phone_flow_check_in_out_report(client, login, world, db):
    login(world["operator"])
    created = client.post("/api/v1/tagana/deployments", json=deployment_body(world)).get_json()
    client.post("/keluar")
    login(world["budi_user"])
    mine = client.get("/api/v1/tagana/me/deployments").get_json()
    assert mine["member"]["nia"] == "3275-001"
    assert [d["id"] for d in mine["items"]] == [created["id"]]
    url = f"/api/v1/tagana/deployments/{created['id']}"
    early = client.post(f"{url}/check-out")
    assert early.status_code == 409
    assert "Belum check-in" in early.get_json()["message"]
    # The shift was 20 November: checking in weeks later is asked about first, then confirmed.
    late = client.post(f"{url}/check-in", json={"lat": -6.245, "lng": 107.01})
    assert late.status_code == 409 and late.get_json()["error"] == "confirmation_required"
    checked_in = client.post(
        f"{url}/check-in", json={"lat": -6.245, "lng": 107.01, "confirm": True}
    )
    assert checked_in.status_code == 200
    assert checked_in.get_json()["phase"] == "bertugas"
    assert checked_in.get_json()["check_in_location"] == {"lat": -6.245, "lng": 107.01}
    assert client.post(f"{url}/check-in").status_code == 409
    assert client.post(f"{url}/check-out").get_json()["phase"] == "menunggu_laporan"
    bad = client.post(f"{url}/report", json={"activities": "Mendata", "people_served": -1})
    assert bad.status_code == 422 and bad.get_json()["field"] == "people_served"
    report = client.post(
        f"{url}/report", json={"activities": "Mendata 40 KK", "people_served": 160, "problems": ""}
    )
    assert report.status_code == 201
    assert report.get_json()["people_served"] == 160
    detail = client.get(url).get_json()
    assert detail["phase"] == "selesai"
    assert detail["report"]["activities"] == "Mendata 40 KK"
    assert client.get(f"{url}/report").get_json()["people_served"] == 160
    assert (
        client.post(f"{url}/report", json={"activities": "x", "people_served": 1}).status_code
        == 409
    )


def test_report_on_someone_elses_deployment_is_403(client, login, world, db):
    deployment = deployment_service.deploy_member(
        actor=OFFICE,
        member_id=world["budi"].id,
        event_id=world["event"].id,
        place_kind="shelter",
        shelter_id=world["sd"].id,
        role="Petugas shelter",
        letter_number="800/1",
        starts_at=wib(2026, 11, 20, 8),
    )
    duty.check_in(deployment, world["budi_user"], now=wib(2026, 11, 20, 8))
    db.session.commit()
    login(world["other_tagana"])
    url = f"/api/v1/tagana/deployments/{deployment.id}"
    response = client.post(
        f"{url}/report", json={"activities": "Ikut membantu", "people_served": 5}
    )
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "forbidden"
    assert "Budi Santoso" in body["message"]
    assert client.post(f"{url}/check-out").status_code == 403
    # Not linked to any member: "Tugas saya" is empty, not an error.
    assert client.get("/api/v1/tagana/me/deployments").get_json() == {
        "member": None,
        "count": 0,
        "items": [],
    }


def test_cancel_and_filters(client, login, world):
    login(world["operator"])
    first = client.post("/api/v1/tagana/deployments", json=deployment_body(world)).get_json()
    assert (
        client.post(f"/api/v1/tagana/deployments/{first['id']}/cancel", json={}).status_code == 422
    )
    cancelled = client.post(
        f"/api/v1/tagana/deployments/{first['id']}/cancel", json={"reason": "Hujan reda"}
    )
    assert cancelled.get_json()["phase"] == "dibatalkan"
    listing = client.get("/api/v1/tagana/deployments?phase=dibatalkan").get_json()
    assert [d["id"] for d in listing["items"]] == [first["id"]]
    assert client.get("/api/v1/tagana/deployments?phase=hilang").status_code == 422
    assert client.get("/api/v1/tagana/deployments?event_id=abc").status_code == 422


def test_client_id_retry_returns_the_same_deployment(client, login, world):
    login(world["operator"])
    body = deployment_body(world, client_id="hp-siti-0001")
    first = client.post("/api/v1/tagana/deployments", json=body).get_json()
    again = client.post("/api/v1/tagana/deployments", json=body)
    assert again.status_code == 201
    assert again.get_json()["id"] == first["id"]


def test_roster(client, login, world, db):
    deployment = deployment_service.deploy_member(
        actor=OFFICE,
        member_id=world["budi"].id,
        event_id=world["event"].id,
        place_kind="shelter",
        shelter_id=world["sd"].id,
        role="Petugas shelter",
        letter_number="800/1",
        starts_at=wib(2026, 11, 20, 8),
    )
    duty.check_in(deployment, world["budi_user"], now=wib(2026, 11, 20, 8))
    db.session.commit()
    login(world["pimpinan"])
    roster = client.get(f"/api/v1/tagana/events/{world['event'].id}/roster").get_json()
    assert roster["counts"] == {"on_duty": 1, "planned": 0, "finished": 0, "gaps": 1}
    places = {p["label"]: p for p in roster["places"]}
    assert places["Tempat pengungsian: Masjid Al-Ikhlas"]["gap"] is True
    assert places["Tempat pengungsian: Masjid Al-Ikhlas"]["needed_competency"] == "shelter"
    suggested = [s["name"] for s in places["Tempat pengungsian: Masjid Al-Ikhlas"]["suggestions"]]
    assert suggested == ["Sari Wulandari"]
    assert places["Tempat pengungsian: SDN Margahayu 1"]["on_duty"][0]["name"] == "Budi Santoso"
    assert roster["by_role"] == {"Petugas shelter": [deployment.id]}
    assert client.get("/api/v1/tagana/events/999/roster").status_code == 404


def test_figures(client, login, world):
    login(world["pimpinan"])
    body = client.get("/api/v1/tagana/figures/2026").get_json()
    assert body["year"] == 2026
    assert body["members"]["total"] == 2
    assert {row["level"] for row in body["members"]["by_level"]} == {
        "muda",
        "madya",
        "utama",
        "task_force",
    }
    assert client.get("/api/v1/tagana/figures/1800").status_code == 422


def test_ksb_and_vehicles(client, login, world):
    login(world["operator"])
    ksb = client.post(
        "/api/v1/tagana/ksb",
        json={"name": "KSB Margahayu", "kelurahan_code": "32.75.01.1002", "formed_year": 2024},
    )
    assert ksb.status_code == 201
    again = client.post(
        "/api/v1/tagana/ksb",
        json={"name": "KSB Dua", "kelurahan_code": "32.75.01.1002", "formed_year": 2024},
    )
    assert again.status_code == 409
    patched = client.patch(
        f"/api/v1/tagana/ksb/{ksb.get_json()['id']}", json={"facilitation_years": [2025]}
    )
    assert patched.get_json()["facilitation_years"] == [2025]
    assert client.get("/api/v1/tagana/ksb?kecamatan_code=32.75.01").get_json()["count"] == 1
    vehicle = client.post("/api/v1/tagana/vehicles", json={"plate": "b1234xyz", "kind": "Truk"})
    assert vehicle.get_json()["plate"] == "B 1234 XYZ"
    changed = client.patch(
        f"/api/v1/tagana/vehicles/{vehicle.get_json()['id']}", json={"assigned_unit": "Linjamsos"}
    )
    assert changed.get_json()["assigned_unit"] == "Linjamsos"
    assert client.get("/api/v1/tagana/vehicles").get_json()["count"] == 1


def test_tagana_changes_only_their_own_deployments(client, login, world, db):
    login(world["budi_user"])
    someone = client.post(
        "/api/v1/tagana/deployments", json=deployment_body(world, member_id=world["sari"].id)
    )
    assert someone.status_code == 403 and someone.get_json()["error"] == "forbidden"
    mine = client.post("/api/v1/tagana/deployments", json=deployment_body(world))
    assert mine.status_code == 201
    url = f"/api/v1/tagana/deployments/{mine.get_json()['id']}"
    assert client.patch(url, json={"role": "Koordinator shelter"}).status_code == 200
    client.post("/keluar")
    login(world["other_tagana"])
    assert client.patch(url, json={"role": "Diganti"}).status_code == 403
    refused = client.post(f"{url}/cancel", json={"reason": "Bukan urusan saya"})
    assert refused.status_code == 403 and "Budi Santoso" in refused.get_json()["message"]
    detail = client.get(url).get_json()
    assert detail["role"] == "Koordinator shelter" and detail["phase"] != "dibatalkan"
    client.post("/keluar")
    login(world["budi_user"])
    assert client.post(f"{url}/cancel", json={"reason": "Sakit"}).get_json()["phase"] == (
        "dibatalkan"
    )
