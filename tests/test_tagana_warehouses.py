"""Tagana and the warehouse registry: deployments to a registered gudang, a KSB's lumbung sosial."""

import pytest
from sqlalchemy import select

from geo.deployment_map import place_marker
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db as _db
from logistics.stock.models import Warehouse
from logistics.tagana import board as board_service
from logistics.tagana import deployments as deployment_service
from logistics.tagana import duty
from logistics.tagana import figures as figures_service
from logistics.tagana import ksb as ksb_service
from logistics.tagana import places as place_service
from logistics.tagana.models import Deployment, KampungSiagaBencana
from tests.support.areas import label_point
from tests.support.tagana import OFFICE, deploy, make_member, make_shelter, wib

NOW = wib(2026, 11, 21, 10)


def make_warehouse(code: str, name: str, tier: str = "kab_kota", **fields) -> Warehouse:
    """A warehouse row made directly with the model (the registry's own service is not used)."""
    warehouse = Warehouse(code=code, name=name, tier=tier, **fields)
    _db.session.add(warehouse)
    _db.session.commit()
    return warehouse


@pytest.fixture
def world(db, make_event, make_user):
    event = make_event()
    return {
        "event": event,
        "operator": make_user("operator", "siti"),
        "pimpinan": make_user("pimpinan", "kadis"),
        "sd": make_shelter(event, "SDN Margahayu 1"),
        "budi": make_member("3275-001", "Budi Santoso", ("logistik",)),
        "sari": make_member("3275-002", "Sari Wulandari", ("logistik",), sex="P"),
        "kota": make_warehouse(
            "GD-3275", "Gudang Dinsos Kota Bekasi", lat=-6.2383, lng=106.9756, pic_name="Pak Ali"
        ),
        # No coordinates yet: placed at its kelurahan's label point.
        "lumbung": make_warehouse(
            "LS-3275-04-1002",
            "Lumbung Sosial Margajaya",
            "lumbung_sosial",
            kelurahan_code="32.75.04.1002",
        ),
        "lumbung_2": make_warehouse(
            "LS-3275-01-1002",
            "Lumbung Sosial Margahayu",
            "lumbung_sosial",
            kelurahan_code="32.75.01.1002",
        ),
        "tutup": make_warehouse("GD-LAMA", "Gudang lama Bekasi Timur", active=False),
        "lumbung_tutup": make_warehouse(
            "LS-LAMA", "Lumbung Sosial lama", "lumbung_sosial", active=False
        ),
    }


def to_warehouse(world, member, warehouse, starts_at=None, ends_at=None, **fields):
    fields.setdefault("role", "Petugas logistik")
    return deploy(
        member,
        world["event"],
        None,
        starts_at or wib(2026, 11, 21, 8),
        ends_at,
        place_kind="gudang",
        warehouse_id=warehouse.id if warehouse is not None else None,
        **fields,
    )


# --- Deployments to a registered warehouse --------------------------------------------------------


def test_deployment_to_a_registered_warehouse(world):
    deployment = to_warehouse(world, world["budi"], world["kota"])
    assert deployment.warehouse_id == world["kota"].id
    assert deployment.place_name == ""
    assert place_service.place_label(deployment) == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    names = place_service.place_names([deployment])
    assert (
        place_service.place_label(deployment, names) == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    )

    duty.check_in(deployment, world["operator"], now=wib(2026, 11, 21, 8))
    to_warehouse(world, world["sari"], world["kota"], wib(2026, 11, 21, 14))
    board = board_service.roster_board(world["event"].id, now=NOW)
    gudang = [p for p in board.places if p.kind == "gudang"]
    assert len(gudang) == 1  # both members at one place
    place = gudang[0]
    assert place.warehouse_id == world["kota"].id
    assert place.label == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    assert (place.lat, place.lng) == (-6.2383, 106.9756)
    assert [e.member.name for e in place.on_duty] == ["Budi Santoso"]
    assert [e.member.name for e in place.planned] == ["Sari Wulandari"]
    assert not place.gap
    assert board_service.PLACE_COMPETENCY[place.kind] == "logistik"

    map_places = {p["name"]: p for p in board_service.board_map_places(board)}
    marker = place_marker(map_places["Gudang logistik: Gudang Dinsos Kota Bekasi"])
    assert (marker["lat"], marker["lng"]) == (-6.2383, 106.9756)
    assert marker["kind"] == "Gudang logistik"


def test_warehouse_without_coordinates_sits_at_its_kelurahan_label_point(world):
    to_warehouse(world, world["budi"], world["lumbung"])
    board = board_service.roster_board(world["event"].id, now=NOW)
    place = next(p for p in board.places if p.kind == "gudang")
    assert (place.lat, place.lng) == label_point("32.75.04.1002")


def test_unregistered_warehouse_by_name_still_works(world):
    deployment = to_warehouse(world, world["budi"], None, place_name="Gudang sewaan Jl. Ahmad Yani")
    assert deployment.warehouse_id is None
    assert place_service.place_label(deployment) == "Gudang logistik: Gudang sewaan Jl. Ahmad Yani"
    board = board_service.roster_board(world["event"].id, now=NOW)
    assert any(p.label == "Gudang logistik: Gudang sewaan Jl. Ahmad Yani" for p in board.places)


@pytest.mark.parametrize(
    "which, message",
    [("unknown", "tidak ditemukan"), ("tutup", "tidak aktif")],
)
def test_unknown_or_inactive_warehouse_is_refused(world, which, message):
    warehouse_id = 9999 if which == "unknown" else world[which].id
    with pytest.raises(DomainError, match=message) as caught:
        deployment_service.deploy_member(
            actor=OFFICE,
            member_id=world["budi"].id,
            event_id=world["event"].id,
            place_kind="gudang",
            warehouse_id=warehouse_id,
            role="Petugas logistik",
            letter_number="800/1/Linjamsos",
            starts_at=wib(2026, 11, 21, 8),
        )
    assert caught.value.status == 422
    assert caught.value.field == "warehouse_id"


def test_gudang_needs_a_warehouse_or_a_name(world):
    with pytest.raises(DomainError, match="Pilih gudang terdaftar") as caught:
        to_warehouse(world, world["budi"], None)
    assert caught.value.field == "warehouse_id"


def test_warehouse_only_for_gudang(world):
    with pytest.raises(DomainError, match="hanya dipilih") as caught:
        deploy(
            world["budi"],
            world["event"],
            world["sd"],
            wib(2026, 11, 21, 8),
            warehouse_id=world["kota"].id,
        )
    assert caught.value.field == "warehouse_id"


def test_update_moves_to_and_from_a_warehouse(world):
    deployment = to_warehouse(world, world["budi"], None, place_name="Gudang sewaan")
    deployment_service.update_deployment(deployment, OFFICE, warehouse_id=world["kota"].id)
    assert place_service.place_label(deployment) == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    # A warehouse deactivated since stays on the deployment, but cannot be chosen anew.
    world["kota"].active = False
    deployment_service.update_deployment(deployment, OFFICE, role="Koordinator gudang")
    assert deployment.warehouse_id == world["kota"].id
    with pytest.raises(DomainError, match="tidak aktif"):
        deployment_service.update_deployment(deployment, OFFICE, warehouse_id=world["tutup"].id)
    # Moving to a shelter drops the warehouse.
    deployment_service.update_deployment(
        deployment, OFFICE, place_kind="shelter", shelter_id=world["sd"].id
    )
    assert deployment.warehouse_id is None
    assert place_service.warehouse_choices() == [world["lumbung_2"], world["lumbung"]]


# --- KSB and its lumbung sosial ---------------------------------------------------------------------


def register(name: str, code: str, **fields) -> KampungSiagaBencana:
    ksb = ksb_service.register_ksb(name=name, kelurahan_code=code, formed_year=2024, **fields)
    _db.session.commit()
    return ksb


def test_ksb_links_its_lumbung_sosial(world):
    ksb = register("KSB Margajaya", "32.75.04.1002", warehouse_id=world["lumbung"].id)
    assert ksb.warehouse_id == world["lumbung"].id
    assert ksb_service.ksb_warehouses([ksb]) == {world["lumbung"].id: world["lumbung"]}
    # The select offers the KSB's own and the free ones, never another KSB's or an inactive one.
    assert ksb_service.lumbung_choices(ksb) == [world["lumbung_2"], world["lumbung"]]
    assert ksb_service.lumbung_choices() == [world["lumbung_2"]]
    ksb_service.update_ksb(ksb, warehouse_id=None)
    assert ksb.warehouse_id is None


@pytest.mark.parametrize(
    "which, message",
    [
        ("kota", "bukan lumbung sosial"),
        ("lumbung_tutup", "tidak aktif"),
        ("unknown", "tidak ditemukan"),
    ],
)
def test_ksb_lumbung_must_be_an_active_lumbung_sosial(world, which, message):
    warehouse_id = 9999 if which == "unknown" else world[which].id
    with pytest.raises(DomainError, match=message) as caught:
        register("KSB Margajaya", "32.75.04.1002", warehouse_id=warehouse_id)
    assert caught.value.status == 422
    assert caught.value.field == "warehouse_id"


def test_lumbung_linked_elsewhere_is_a_conflict(world):
    first = register("KSB Margajaya", "32.75.04.1002", warehouse_id=world["lumbung"].id)
    second = register("KSB Margahayu", "32.75.01.1002")
    with pytest.raises(Conflict, match="KSB Margajaya") as caught:
        ksb_service.update_ksb(second, warehouse_id=world["lumbung"].id)
    assert caught.value.status == 409
    assert caught.value.field == "warehouse_id"
    assert caught.value.details == {"ksb_id": first.id}
    # Saving the KSB with its own lumbung again is no conflict, even once it is deactivated.
    world["lumbung"].active = False
    ksb_service.update_ksb(first, warehouse_id=world["lumbung"].id, name="KSB Margajaya Tangguh")
    assert first.warehouse_id == world["lumbung"].id


def test_year_figures_count_ksb_with_a_lumbung_sosial(world):
    register("KSB Margajaya", "32.75.04.1002", warehouse_id=world["lumbung"].id)
    register("KSB Margahayu", "32.75.01.1002")
    figures = figures_service.year_figures(2026)
    assert (figures.ksb_total, figures.ksb_with_lumbung) == (2, 1)
    assert dict(figures.summary_rows())["KSB aktif dengan lumbung sosial"] == 1


# --- API --------------------------------------------------------------------------------------------


def test_api_deployment_round_trip(client, login, world):
    login(world["operator"])
    body = {
        "member_id": world["budi"].id,
        "event_id": world["event"].id,
        "place_kind": "gudang",
        "warehouse_id": world["kota"].id,
        "role": "Petugas logistik",
        "letter_number": "800/7/Linjamsos",
        "starts_at": "2026-11-21T08:00",
    }
    created = client.post("/api/v1/tagana/deployments", json=body)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["warehouse_id"] == world["kota"].id
    assert item["place_label"] == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    detail = client.get(f"/api/v1/tagana/deployments/{item['id']}").get_json()
    assert detail["warehouse_id"] == world["kota"].id
    listed = client.get("/api/v1/tagana/deployments?place_kind=gudang").get_json()
    assert listed["items"][0]["place_label"] == "Gudang logistik: Gudang Dinsos Kota Bekasi"
    roster = client.get(f"/api/v1/tagana/events/{world['event'].id}/roster").get_json()
    place = next(p for p in roster["places"] if p["kind"] == "gudang")
    assert place["warehouse_id"] == world["kota"].id
    assert (place["lat"], place["lng"]) == (-6.2383, 106.9756)

    moved = client.patch(
        f"/api/v1/tagana/deployments/{item['id']}", json={"warehouse_id": world["lumbung"].id}
    )
    assert moved.get_json()["place_label"] == "Gudang logistik: Lumbung Sosial Margajaya"
    for warehouse_id in (9999, world["tutup"].id):
        refused = client.patch(
            f"/api/v1/tagana/deployments/{item['id']}", json={"warehouse_id": warehouse_id}
        )
        assert refused.status_code == 422
        assert refused.get_json()["field"] == "warehouse_id"
    refused = client.post(
        "/api/v1/tagana/deployments",
        json=dict(body, member_id=world["sari"].id, warehouse_id=world["tutup"].id),
    )
    assert refused.status_code == 422
    assert "tidak aktif" in refused.get_json()["message"]


def test_api_ksb_round_trip(client, login, world):
    login(world["operator"])
    created = client.post(
        "/api/v1/tagana/ksb",
        json={
            "name": "KSB Margajaya",
            "kelurahan_code": "32.75.04.1002",
            "formed_year": 2024,
            "warehouse_id": world["lumbung"].id,
        },
    )
    assert created.status_code == 201, created.get_json()
    ksb = created.get_json()
    assert ksb["warehouse_id"] == world["lumbung"].id
    assert ksb["lumbung_sosial"]["code"] == "LS-3275-04-1002"
    assert ksb["lumbung_sosial"]["name"] == "Lumbung Sosial Margajaya"
    other = client.post(
        "/api/v1/tagana/ksb",
        json={"name": "KSB Margahayu", "kelurahan_code": "32.75.01.1002", "formed_year": 2024},
    ).get_json()
    assert other["lumbung_sosial"] is None
    taken = client.patch(
        f"/api/v1/tagana/ksb/{other['id']}", json={"warehouse_id": world["lumbung"].id}
    )
    assert taken.status_code == 409
    assert "KSB Margajaya" in taken.get_json()["message"]
    wrong_tier = client.patch(
        f"/api/v1/tagana/ksb/{other['id']}", json={"warehouse_id": world["kota"].id}
    )
    assert wrong_tier.status_code == 422
    assert wrong_tier.get_json()["field"] == "warehouse_id"
    linked = client.patch(
        f"/api/v1/tagana/ksb/{other['id']}", json={"warehouse_id": world["lumbung_2"].id}
    )
    assert linked.get_json()["lumbung_sosial"]["code"] == "LS-3275-01-1002"
    items = client.get("/api/v1/tagana/ksb").get_json()["items"]
    assert {i["name"]: i["warehouse_id"] for i in items} == {
        "KSB Margajaya": world["lumbung"].id,
        "KSB Margahayu": world["lumbung_2"].id,
    }
    unlinked = client.patch(f"/api/v1/tagana/ksb/{other['id']}", json={"warehouse_id": None})
    assert unlinked.get_json()["lumbung_sosial"] is None
    figures = client.get("/api/v1/tagana/figures/2026").get_json()
    assert figures["ksb"]["with_lumbung_sosial"] == 1


def test_openapi_documents_the_warehouse_links(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("TaganaDeployment", "TaganaDeploymentChange", "TaganaKsb", "TaganaKsbInput"):
        assert "warehouse_id" in schemas[name]["properties"], name
    assert "lumbung_sosial" in schemas["TaganaKsb"]["properties"]


# --- Pages ------------------------------------------------------------------------------------------


def test_deploy_to_a_warehouse_through_the_form(client, login, world, db):
    login(world["operator"])
    url = f"/tagana/kejadian/{world['event'].id}/tugaskan"
    page = client.get(url).get_data(as_text=True)
    assert 'name="warehouse_id"' in page
    assert "Gudang Dinsos Kota Bekasi · GD-3275" in page
    assert "Gudang lama Bekasi Timur" not in page  # inactive
    form = {
        "member_id": str(world["budi"].id),
        "place_kind": "gudang",
        "warehouse_id": str(world["kota"].id),
        "role": "Petugas logistik",
        "letter_number": "800/9/Linjamsos",
        "starts_at": "2026-11-21T08:00",
    }
    response = client.post(url, data=form)
    assert response.status_code == 302
    deployment = db.session.scalar(select(Deployment))
    assert deployment.warehouse_id == world["kota"].id
    detail = client.get(f"/tagana/pengerahan/{deployment.id}").get_data(as_text=True)
    assert "Gudang Dinsos Kota Bekasi" in detail
    edit = client.get(f"/tagana/pengerahan/{deployment.id}/ubah").get_data(as_text=True)
    assert f'<option selected value="{world["kota"].id}">' in edit
    board = client.get(f"/tagana/kejadian/{world['event'].id}/papan").get_data(as_text=True)
    assert "Gudang logistik: Gudang Dinsos Kota Bekasi" in board
    # A warehouse left in the hidden select is ignored for another kind of place.
    response = client.post(
        url,
        data=dict(
            form,
            member_id=str(world["sari"].id),
            place_kind="shelter",
            shelter_id=str(world["sd"].id),
        ),
    )
    assert response.status_code == 302
    # An inactive warehouse: the message sits under the select.
    response = client.post(
        url,
        data=dict(
            form,
            member_id=str(world["sari"].id),
            warehouse_id=str(world["tutup"].id),
            starts_at="2026-11-25T08:00",
        ),
    )
    assert response.status_code == 422
    assert "tidak aktif" in response.get_data(as_text=True)


def test_ksb_form_and_list_show_the_lumbung_sosial(client, login, world, db):
    login(world["operator"])
    page = client.get("/tagana/ksb/baru").get_data(as_text=True)
    assert "Lumbung Sosial Margajaya · LS-3275-04-1002" in page
    assert "Gudang Dinsos Kota Bekasi" not in page  # another tier
    assert "Lumbung Sosial lama" not in page  # inactive
    assert "modul logistik" not in page
    response = client.post(
        "/tagana/ksb/baru",
        data={
            "name": "KSB Margajaya",
            "kelurahan_code": "32.75.04.1002",
            "formed_year": "2024",
            "warehouse_id": str(world["lumbung"].id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    client.post(
        "/tagana/ksb/baru",
        data={"name": "KSB Margahayu", "kelurahan_code": "32.75.01.1002", "formed_year": "2024"},
    )
    listing = client.get("/tagana/ksb").get_data(as_text=True)
    assert "Lumbung Sosial Margajaya" in listing and "LS-3275-04-1002" in listing
    assert "belum ditautkan" in listing
    assert "modul logistik" not in listing
    csv_text = client.get("/tagana/ksb?format=csv").get_data(as_text=True)
    assert "Lumbung sosial" in csv_text and "LS-3275-04-1002" in csv_text

    other = db.session.scalar(
        select(KampungSiagaBencana).where(KampungSiagaBencana.name == "KSB Margahayu")
    )
    edit = client.get(f"/tagana/ksb/{other.id}/ubah").get_data(as_text=True)
    assert "Lumbung Sosial Margajaya" not in edit  # already linked to the other KSB
    response = client.post(
        f"/tagana/ksb/{other.id}/ubah",
        data={
            "name": "KSB Margahayu",
            "kelurahan_code": "32.75.01.1002",
            "formed_year": "2024",
            "warehouse_id": str(world["lumbung"].id),
        },
    )
    assert response.status_code == 409
    assert "sudah ditautkan ke KSB &#39;KSB Margajaya&#39;" in response.get_data(as_text=True)
    response = client.post(
        f"/tagana/ksb/{other.id}/ubah",
        data={
            "name": "KSB Margahayu",
            "kelurahan_code": "32.75.01.1002",
            "formed_year": "2024",
            "warehouse_id": str(world["kota"].id),
        },
    )
    assert response.status_code == 422
    assert "bukan lumbung sosial" in response.get_data(as_text=True)
