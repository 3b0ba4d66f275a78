"""Shelter API: create, read, update, list with filters, head counts, close; roles; 4xx JSON."""

import pytest
from sqlalchemy import func, select

from logistics.shelters.models import ShelterCount
from tests.support.areas import BEKASIJAYA, MARGAHAYU, label_point
from tests.support.shelters import head_count, shelter_factory


@pytest.fixture
def make_shelter(db, bekasi):
    return shelter_factory(db)


def test_anonymous_gets_401_json(client, make_shelter):
    shelter = make_shelter(pic_name="Pak Darto", pic_phone="081234567890")
    for method, path in [
        ("get", "/api/v1/shelters"),
        ("get", f"/api/v1/shelters/{shelter.id}"),
        ("post", "/api/v1/shelters"),
        ("patch", f"/api/v1/shelters/{shelter.id}"),
        ("post", f"/api/v1/shelters/{shelter.id}/counts"),
        ("post", f"/api/v1/shelters/{shelter.id}/close"),
    ]:
        response = getattr(client, method)(path, json={})
        assert response.status_code == 401, path
        assert response.get_json()["error"] == "unauthorized"
        assert "Darto" not in response.get_data(as_text=True)


def test_pimpinan_reads_but_every_write_is_403(as_role, make_shelter):
    shelter = make_shelter()
    client = as_role("pimpinan")
    assert client.get("/api/v1/shelters").status_code == 200
    assert client.get(f"/api/v1/shelters/{shelter.id}").status_code == 200
    writes = [
        ("post", "/api/v1/shelters", {"name": "X", "kind": "tenda", "capacity": 5}),
        ("patch", f"/api/v1/shelters/{shelter.id}", {"capacity": 5}),
        ("post", f"/api/v1/shelters/{shelter.id}/counts", {"persons": 5}),
        ("post", f"/api/v1/shelters/{shelter.id}/close", {}),
        ("post", f"/api/v1/shelters/{shelter.id}/reopen", {}),
    ]
    for method, path, body in writes:
        response = getattr(client, method)(path, json=body)
        assert response.status_code == 403, path
        assert response.get_json()["error"] == "forbidden"


def test_tagana_counts_but_does_not_edit_open_or_close(as_role, make_shelter, db):
    shelter = make_shelter()
    toilets = shelter.toilets
    client = as_role("tagana")
    assert (
        client.post(f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 12}).status_code
        == 201
    )
    # A shelter's registry data (its name reaches the public map) is the office's to change.
    refused = client.patch(f"/api/v1/shelters/{shelter.id}", json={"toilets": 4, "name": "X"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    db.session.refresh(shelter)
    assert shelter.toilets == toilets and shelter.name != "X"
    assert (
        client.post("/api/v1/shelters", json={"name": "X", "kind": "tenda", "capacity": 5})
    ).status_code == 403
    assert client.post(f"/api/v1/shelters/{shelter.id}/close").status_code == 403


def test_open_a_shelter_with_the_kelurahan_from_its_point(as_role, db, bekasi):
    lat, lng = label_point(MARGAHAYU)
    client = as_role("operator")
    response = client.post(
        "/api/v1/shelters",
        json={
            "name": "SDN Margahayu 3",
            "kind": "gedung_sekolah",
            "capacity": 120,
            "lat": lat,
            "lng": lng,
            "floor_area_m2": 350.5,
            "toilets": 4,
            "has_dapur_umum": True,
            "pic_name": "Bu Wati",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kelurahan_code"] == MARGAHAYU
    assert body["kelurahan_name"] == "Margahayu"
    assert body["status"] == "buka"
    assert body["floor_area_m2"] == 350.5
    assert body["has_dapur_umum"] is True
    assert body["latest_count"] is None and body["free"] == 120


@pytest.mark.parametrize(
    ("code", "words"),
    [("32.75.1.1001", "salah format"), ("abc", "salah format"), ("32.75.01.1999", "tidak dikenal")],
)
def test_malformed_or_unknown_kelurahan_is_422_with_field(as_role, bekasi, code, words):
    client = as_role("operator")
    response = client.post(
        "/api/v1/shelters",
        json={"name": "Tenda A", "kind": "tenda", "capacity": 10, "kelurahan_code": code},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid"
    assert body["field"] == "kelurahan_code"
    assert words in body["message"]


def test_unknown_fields_and_non_json_bodies_are_422(as_role, bekasi):
    client = as_role("operator")
    response = client.post(
        "/api/v1/shelters",
        json={"name": "Tenda A", "kind": "tenda", "capacity": 10, "kapasitas": 10},
    )
    assert response.status_code == 422 and response.get_json()["field"] == "kapasitas"
    response = client.post("/api/v1/shelters", data="nama=Tenda")
    assert response.status_code == 422


def test_count_over_capacity_is_201_with_warnings_and_a_retry_is_200(as_role, make_shelter, db):
    shelter = make_shelter(capacity=50, toilets=2)
    client = as_role("tagana")
    payload = {"persons": 60, "households": 15, "balita": 6, "client_id": "hp7-20261122-01"}
    first = client.post(f"/api/v1/shelters/{shelter.id}/counts", json=payload)
    assert first.status_code == 201
    body = first.get_json()
    assert body["outcome"] == "created"
    assert body["count"]["persons"] == 60 and body["count"]["balita"] == 6
    assert any("Melebihi kapasitas" in w for w in body["warnings"])
    assert any("1 toilet per 20 orang" in w for w in body["warnings"])

    retry = client.post(f"/api/v1/shelters/{shelter.id}/counts", json=dict(payload, persons=61))
    assert retry.status_code == 200
    assert retry.get_json()["outcome"] == "duplicate"
    assert retry.get_json()["count"] == body["count"]
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 1

    detail = client.get(f"/api/v1/shelters/{shelter.id}").get_json()
    assert detail["latest_count"]["persons"] == 60
    assert detail["occupancy"] == 1.2 and detail["free"] == 0
    assert any("Melebihi kapasitas" in w for w in detail["warnings"])
    assert [c["persons"] for c in detail["counts"]] == [60]


def test_same_day_count_replaces_with_200(as_role, make_shelter, db):
    shelter = make_shelter()
    client = as_role("tagana")
    client.post(f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 20, "client_id": "a"})
    response = client.post(
        f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 25, "client_id": "b"}
    )
    assert response.status_code == 200 and response.get_json()["outcome"] == "replaced"
    assert db.session.scalars(select(ShelterCount.persons)).all() == [25]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"persons": -4}, "persons"),
        ({"persons": 10, "lansia": -1}, "lansia"),
        ({"persons": 10, "ibu_hamil": 11}, "ibu_hamil"),
        # The document says integer: digits as text are a malformed value too.
        ({"persons": "10"}, "persons"),
        ({"persons": 10, "jumlah": 3}, "jumlah"),
        ({}, "persons"),
        ({"persons": 5, "counted_on": "22-11-2026"}, "counted_on"),
    ],
)
def test_bad_counts_are_422_with_field(as_role, make_shelter, db, payload, field):
    shelter = make_shelter()
    client = as_role("tagana")
    response = client.post(f"/api/v1/shelters/{shelter.id}/counts", json=payload)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field
    assert db.session.scalar(select(func.count(ShelterCount.id))) == 0


def test_closing_an_occupied_shelter_is_409_then_allowed_after_zero(as_role, make_shelter):
    shelter = make_shelter(name="Masjid Al-Ikhlas")
    client = as_role("operator")
    client.post(f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 35})
    refused = client.post(f"/api/v1/shelters/{shelter.id}/close", json={"note": "banjir surut"})
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "conflict"
    assert "masih berisi 35 jiwa" in refused.get_json()["message"]
    assert client.get(f"/api/v1/shelters/{shelter.id}").get_json()["status"] == "buka"

    client.post(f"/api/v1/shelters/{shelter.id}/counts", json={"persons": 0})
    closed = client.post(f"/api/v1/shelters/{shelter.id}/close", json={"note": "banjir surut"})
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "tutup" and closed.get_json()["closed_at"]
    again = client.post(f"/api/v1/shelters/{shelter.id}/close")
    assert again.status_code == 409
    reopened = client.post(f"/api/v1/shelters/{shelter.id}/reopen")
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "buka"


def test_list_filters(as_role, make_shelter, make_event, db):
    event = make_event()
    lat, lng = label_point(MARGAHAYU)
    a = make_shelter(name="A", event_id=event.id)
    make_shelter(name="B", event_id=event.id, lat=lat, lng=lng)
    c = make_shelter(name="C")
    client = as_role("pimpinan")

    def names(query: str) -> list[str]:
        response = client.get("/api/v1/shelters" + query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["count"] == len(body["items"])
        return [item["name"] for item in body["items"]]

    assert names("") == ["A", "B", "C"]
    assert names(f"?event_id={event.id}") == ["A", "B"]
    assert names(f"?event_id={event.id}&kelurahan_code={MARGAHAYU}") == ["B"]
    assert names(f"?kelurahan_code={BEKASIJAYA}") == ["A", "C"]
    head_count(a, 0)
    from logistics.shelters.services import close_shelter
    from logistics.victims.figures import displaced_in_shelter

    close_shelter(c, displaced_in_registry=displaced_in_shelter(c))
    db.session.commit()
    assert names("?status=tutup") == ["C"]
    assert names("?status=buka") == ["A", "B"]
    for query, field in [
        ("?status=penuh", "status"),
        ("?kelurahan_code=99.99.99.9999", "kelurahan_code"),
        ("?event_id=x", "event_id"),
    ]:
        response = client.get("/api/v1/shelters" + query)
        assert response.status_code == 422 and response.get_json()["field"] == field


def test_patch_changes_only_the_given_fields_and_refuses_status(as_role, make_shelter, db):
    shelter = make_shelter(capacity=100, pic_name="Pak Darto")
    client = as_role("operator")
    response = client.patch(f"/api/v1/shelters/{shelter.id}", json={"capacity": 80})
    assert response.status_code == 200
    body = response.get_json()
    assert body["capacity"] == 80 and body["pic_name"] == "Pak Darto"
    refused = client.patch(f"/api/v1/shelters/{shelter.id}", json={"status": "tutup"})
    assert refused.status_code == 422 and refused.get_json()["field"] == "status"
    bad = client.patch(f"/api/v1/shelters/{shelter.id}", json={"kelurahan_code": "32.75.01"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "kelurahan_code"
    # An empty kelurahan code is filled again from the point.
    lat, lng = label_point(MARGAHAYU)
    moved = client.patch(
        f"/api/v1/shelters/{shelter.id}", json={"lat": lat, "lng": lng, "kelurahan_code": ""}
    )
    assert moved.get_json()["kelurahan_code"] == MARGAHAYU


def test_unknown_shelter_is_404_json(as_role, bekasi):
    client = as_role("operator")
    response = client.get("/api/v1/shelters/999")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    response = client.post("/api/v1/shelters/999/counts", json={"persons": 1})
    assert response.status_code == 404
