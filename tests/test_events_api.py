"""Events API: create, read, update, list with filters, decrees, close, impacts; roles and
4xx JSON errors."""

from datetime import date, datetime

from logistics.events import impact as impact_service
from logistics.victims.models import Household, Person, Victim

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"


def new_event(client, **overrides):
    body = {
        "hazard": "BJR",
        "title": "Banjir Kali Bekasi",
        "started_at": "2026-11-20T01:00:00+07:00",
        "kelurahan_codes": [BEKASIJAYA],
    }
    body.update(overrides)
    return client.post("/api/v1/events", json=body)


def test_anonymous_and_roles(client, make_user, login, make_event):
    event = make_event()
    assert client.get("/api/v1/events").status_code == 401
    assert client.get(f"/api/v1/events/{event.id}/impacts").status_code == 401
    login(make_user("pimpinan"))
    assert client.get("/api/v1/events").status_code == 200
    denied = new_event(client)
    assert denied.status_code == 403 and denied.get_json()["error"] == "forbidden"
    figures = {"kelurahan_code": BEKASIJAYA, "figures": {"mengungsi.anak.L": 1}}
    assert client.put(f"/api/v1/events/{event.id}/impacts", json=figures).status_code == 403
    assert client.post(f"/api/v1/events/{event.id}/close").status_code == 403
    assert client.patch(f"/api/v1/events/{event.id}", json={"title": "x"}).status_code == 403


def test_tagana_may_add_impact_and_chronology_only(client, make_user, login, make_event):
    event = make_event()
    login(make_user("tagana"))
    assert new_event(client).status_code == 403
    decree = {
        "status": "tanggap_darurat",
        "decree_number": "1",
        "issuer_level": "bupati_walikota",
        "starts_on": "2026-11-20",
    }
    assert client.post(f"/api/v1/events/{event.id}/decrees", json=decree).status_code == 403
    figures = {"kelurahan_code": BEKASIJAYA, "figures": {"mengungsi.anak.L": 3}}
    response = client.put(f"/api/v1/events/{event.id}/impacts", json=figures)
    assert response.status_code == 200
    assert response.get_json()["kaji_cepat"] == {"mengungsi.anak.L": 3}
    entry = client.post(
        f"/api/v1/events/{event.id}/chronology",
        json={"occurred_at": "2026-11-20T09:00", "text": "Perahu karet tiba."},
    )
    assert entry.status_code == 201
    # No offset: office-local time (WIB), stored as UTC.
    assert entry.get_json()["occurred_at"] == "2026-11-20T02:00:00Z"


def test_create_read_update_and_codes(client, db, make_user, login, bekasi):
    login(make_user("operator"))
    first = new_event(client)
    assert first.status_code == 201
    body = first.get_json()
    assert body["code"] == "BJR-3275-2026-001"
    assert body["started_at"] == "2026-11-19T18:00:00Z"
    assert body["kelurahan"] == [{"code": BEKASIJAYA, "how": "dipilih"}]
    assert body["phase"] == "belum_ditetapkan"
    second = new_event(client, hazard="TLS", title="Longsor")
    assert second.get_json()["code"] == "TLS-3275-2026-002"

    event_id = body["id"]
    changed = client.patch(
        f"/api/v1/events/{event_id}",
        json={"title": "Banjir besar", "kelurahan_codes": [BEKASIJAYA, MARGAHAYU]},
    )
    assert changed.status_code == 200
    assert changed.get_json()["title"] == "Banjir besar"
    assert len(changed.get_json()["kelurahan"]) == 2
    detail = client.get(f"/api/v1/events/{event_id}").get_json()
    assert detail["code"] == "BJR-3275-2026-001" and "summary" in detail


def test_create_bad_input(client, make_user, login, bekasi):
    login(make_user("operator"))
    cases = [
        ({"ended_at": "2026-11-19T00:00:00+07:00"}, "ended_at"),
        ({"kelurahan_codes": ["32.75.01.1999"]}, "kelurahan_codes"),
        ({"kelurahan_codes": ["32-75-01"]}, "kelurahan_codes"),
        ({"started_at": "kemarin"}, "started_at"),
        ({"hazard": "ZZZ"}, "hazard_type_id"),
        ({"title": ""}, "title"),
        ({"lat": 95, "lng": 107}, "lat"),
    ]
    for override, field in cases:
        response = new_event(client, **override)
        assert response.status_code == 422, override
        body = response.get_json()
        assert body["field"] == field and body["error"] == "invalid" and body["message"]
    assert client.post("/api/v1/events", data="bukan json").status_code == 422


def test_list_filters(client, make_user, login, make_event):
    flood = make_event(kelurahan_codes=[BEKASIJAYA])
    make_event(hazard_code="TLS", title="Longsor")
    make_event(title="Banjir 2025", started_at=datetime(2025, 2, 1, 3, 0))
    login(make_user("operator"))
    client.post(f"/api/v1/events/{flood.id}/close")

    def codes(query):
        body = client.get(f"/api/v1/events{query}").get_json()
        return sorted(item["code"] for item in body["items"])

    assert codes("?hazard=TLS") == ["TLS-3275-2026-002"]
    assert codes(f"?kelurahan={BEKASIJAYA}") == ["BJR-3275-2026-001"]
    assert codes("?status=closed") == ["BJR-3275-2026-001"]
    assert "BJR-3275-2026-001" not in codes("?status=active")
    assert codes("?year=2025") == ["BJR-3275-2025-001"]
    assert client.get("/api/v1/events?year=dua").status_code == 422
    assert client.get("/api/v1/events?status=kemarin").get_json()["field"] == "status"


def test_decrees_and_close(client, make_user, login, make_event):
    event = make_event()
    login(make_user("operator"))
    url = f"/api/v1/events/{event.id}/decrees"
    base = {"decree_number": "360/Kep.1", "issuer_level": "bupati_walikota"}
    ok = client.post(
        url,
        json=dict(base, status="tanggap_darurat", starts_on="2026-11-20", ends_on="2026-12-03"),
    )
    assert ok.status_code == 201 and ok.get_json()["status"] == "tanggap_darurat"
    backwards = client.post(
        url,
        json=dict(base, status="transisi_darurat", starts_on="2026-12-10", ends_on="2026-12-01"),
    )
    assert backwards.status_code == 422 and backwards.get_json()["field"] == "ends_on"
    overlap = client.post(url, json=dict(base, status="transisi_darurat", starts_on="2026-12-01"))
    assert overlap.status_code == 422 and "tumpang tindih" in overlap.get_json()["message"]
    early = client.post(url, json=dict(base, status="siaga_darurat", starts_on="2026-12-05"))
    assert early.status_code == 422 and early.get_json()["field"] == "starts_on"
    closed = client.post(f"/api/v1/events/{event.id}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "ditutup"
    again = client.post(f"/api/v1/events/{event.id}/close")
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    assert client.post("/api/v1/events/999/close").status_code == 404


def test_impact_errors(client, make_user, login, make_event):
    event = make_event()
    login(make_user("operator"))
    url = f"/api/v1/events/{event.id}/impacts"
    cases = [
        (
            {"kelurahan_code": BEKASIJAYA, "figures": {"mengungsi.anak.L": -1}},
            "figures.mengungsi.anak.L",
        ),
        ({"kelurahan_code": BEKASIJAYA, "figures": {"jiwa": 4}}, "figures.jiwa"),
        ({"kelurahan_code": "32.75.01", "figures": {"mengungsi.anak.L": 1}}, "kelurahan_code"),
        ({"kelurahan_code": "32.75.01.1999", "figures": {"mengungsi.anak.L": 1}}, "kelurahan_code"),
        ({"kelurahan_code": 3275011001, "figures": {"mengungsi.anak.L": 1}}, "kelurahan_code"),
        ({"kelurahan_code": BEKASIJAYA, "figures": [1, 2]}, "figures"),
        ({"kelurahan_code": BEKASIJAYA, "figures": {}}, "figures"),
        ({"kelurahan_code": BEKASIJAYA, "figures": {}, "clear": "ya"}, "clear"),
    ]
    for body, field in cases:
        response = client.put(url, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["field"] == field, body


def test_impact_clear_is_explicit(client, make_user, login, make_event):
    event = make_event()
    login(make_user("tagana"))
    url = f"/api/v1/events/{event.id}/impacts"
    figures = {"mengungsi.anak.L": 3, "rumah.terendam": 40}
    assert (
        client.put(url, json={"kelurahan_code": BEKASIJAYA, "figures": figures}).status_code == 200
    )
    # null removes one cell; the others stay.
    one = client.put(url, json={"kelurahan_code": BEKASIJAYA, "figures": {"rumah.terendam": None}})
    assert one.status_code == 200
    assert impact_service.impact_figures(event, BEKASIJAYA) == {"mengungsi.anak.L": 3}
    cleared = client.put(url, json={"kelurahan_code": BEKASIJAYA, "figures": {}, "clear": True})
    assert cleared.status_code == 200
    assert impact_service.impact_figures(event, BEKASIJAYA) == {}


def test_impacts_both_sources_and_difference(client, db, make_user, login, make_event):
    event = make_event(kelurahan_codes=[BEKASIJAYA, MARGAHAYU])
    household = Household(no_kk="3275010101200009", kelurahan_code=BEKASIJAYA)
    db.session.add(household)
    db.session.flush()
    for name, sex, birth in (("Ani", "P", date(1990, 1, 1)), ("Budi", "L", date(2015, 5, 5))):
        person = Person(
            name=name, sex=sex, birth_date=birth, household_id=household.id, no_nik_reason="lainnya"
        )
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Victim(
                event_id=event.id,
                person_id=person.id,
                status="mengungsi",
                kelurahan_code=BEKASIJAYA,
            )
        )
    db.session.commit()
    login(make_user("operator"))
    put = client.put(
        f"/api/v1/events/{event.id}/impacts",
        json={
            "kelurahan_code": BEKASIJAYA,
            "figures": {"mengungsi.dewasa.P": 5, "kk.mengungsi": 2},
        },
    )
    assert put.status_code == 200
    body = client.get(f"/api/v1/events/{event.id}/impacts").get_json()
    assert body["count"] == 2
    row = next(i for i in body["items"] if i["kelurahan_code"] == BEKASIJAYA)
    assert row["kaji_cepat"] == {"mengungsi.dewasa.P": 5, "kk.mengungsi": 2}
    assert row["terdata"] == {
        "mengungsi.dewasa.P": 1,
        "mengungsi.anak.L": 1,
        "kk.mengungsi": 1,
        "kk_total": 1,
    }
    assert row["summary"]["selisih"]["mengungsi"] == -3
    assert row["summary"]["terdata"]["kk_mengungsi"] == 1
    # The registry (2 jiwa) has not caught up with the rapid assessment (5): terdampak is 5.
    assert row["map_source"] == "kaji_cepat"
    assert (row["summary"]["terdata"]["kk"], row["summary"]["kaji_cepat"]["kk"]) == (1, 2)
    assert body["total"]["kaji_cepat"]["jiwa"] == 5
    one = client.get(f"/api/v1/events/{event.id}/impacts?kelurahan={MARGAHAYU}").get_json()
    assert one["count"] == 1 and one["items"][0]["kaji_cepat"] == {}
