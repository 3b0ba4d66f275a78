"""Sub-kegiatan on hand-outs and Tagana deployments: default by component, both code forms, errors."""

import pytest
from sqlalchemy import select

from logistics.budget import services as budget
from logistics.budget.models import BudgetNode
from logistics.core.errors import DomainError
from logistics.distributions.models import Distribution
from logistics.tagana.models import Deployment
from tests.support.distributions import hand_out, make_world, open_form, payload, submit
from tests.support.tagana import deploy, make_member, make_shelter, wib

PERMAKANAN = "1.06.06.2.01.0001"
SANDANG = "1.06.06.2.01.0002"
TAGANA = "1.06.06.2.02.0002"


@pytest.fixture
def world(db, make_event, make_user):
    return make_world(db, make_event, make_user)


@pytest.fixture
def tree(db):
    budget.seed_structure()
    db.session.commit()
    return {
        code: id_ for code, id_ in db.session.execute(select(BudgetNode.code, BudgetNode.id)).all()
    }


def test_without_a_budget_tree_nothing_is_linked(db, world):
    distribution, _ = hand_out(world)
    assert distribution.sub_kegiatan_id is None


def test_default_follows_the_component(db, world, tree):
    distribution, _ = hand_out(world)
    assert distribution.sub_kegiatan_id == tree[PERMAKANAN]
    service, _ = hand_out(
        world,
        component="psikososial",
        lines=[],
        service_note="Sesi dukungan psikososial",
        person_id=world.rina.id,
        household_id=None,
    )
    assert service.sub_kegiatan_id == tree["1.06.06.2.01.0005"]


def test_a_node_linked_after_the_first_hand_out_is_used_at_once(db, world):
    first, _ = hand_out(world)
    assert first.sub_kegiatan_id is None
    budget.seed_structure()  # links permakanan to 1.06.06.2.01.0001
    db.session.commit()
    second, _ = hand_out(world, person_id=world.rina.id, household_id=None, override_reason=None)
    node = db.session.scalar(select(BudgetNode).where(BudgetNode.code == PERMAKANAN))
    assert second.sub_kegiatan_id == node.id


@pytest.mark.parametrize(
    "written", ["1.06.06.2.01.0002", "1.06.06.02.01.0002", " 1.06.06.02.01.0002 "]
)
def test_explicit_code_in_either_form(db, world, tree, written):
    distribution, _ = hand_out(world, sub_kegiatan=written)
    # A permakanan hand-out charged to the sandang budget, as the office chose.
    assert distribution.component == "permakanan"
    assert distribution.sub_kegiatan_id == tree[SANDANG]


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("1.06.06.2.01.0009", "belum ada dalam pohon anggaran"),
        ("1.06.06.2.01", "pagu dan realisasi diisi pada sub-kegiatan"),
        ("makanan", "tidak dikenali"),
    ],
)
def test_unknown_or_wrong_level_code_is_a_clear_error(db, world, tree, written, says):
    with pytest.raises(DomainError) as error:
        hand_out(world, sub_kegiatan=written)
    assert error.value.field == "sub_kegiatan"
    assert error.value.status == 422
    assert says in error.value.message
    assert db.session.scalar(select(Distribution.id)) is None


def test_api_accepts_and_returns_the_code(db, world, tree, client_for):
    client = client_for(world.operator)
    created = client.post(
        "/api/v1/distributions", json=payload(world, sub_kegiatan="1.06.06.02.01.0002")
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["sub_kegiatan"], body["sub_kegiatan_id"]) == (SANDANG, tree[SANDANG])
    detail = client.get(f"/api/v1/distributions/{body['id']}").get_json()
    assert detail["sub_kegiatan"] == SANDANG
    default = client.post(
        "/api/v1/distributions",
        json=payload(world, person_id=world.rina.id, household_id=None, lines=[
            {"item_id": "selimut", "quantity": 1}
        ], component="sandang"),
    )  # fmt: skip
    assert default.status_code == 201, default.get_json()
    assert default.get_json()["sub_kegiatan"] == SANDANG
    wrong = client.post(
        "/api/v1/distributions",
        json=payload(world, sub_kegiatan="9.99.99.9.99.9999", household_id=world.household.id),
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["field"] == "sub_kegiatan"


def test_field_form_offers_and_saves_the_sub_kegiatan(db, world, tree, client_for):
    client = client_for(world.operator)
    values = open_form(client, world)
    page = client.get(
        f"/lapangan/penyaluran?kejadian={world.event.id}&kk={world.household.id}"
    ).get_data(as_text=True)
    assert f'<option value="{TAGANA}">' in page
    response = submit(
        client, values, sub_kegiatan=TAGANA, service_note="Makan siang relawan dan warga"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    distribution = db.session.scalar(select(Distribution))
    assert distribution.sub_kegiatan_id == tree[TAGANA]
    detail = client.get(response.location).get_data(as_text=True)
    assert f"{TAGANA} Taruna Siaga Bencana" in detail


@pytest.fixture
def crew(db, make_event):
    event = make_event()
    return {
        "event": event,
        "shelter": make_shelter(event, "SDN Margahayu 1"),
        "member": make_member("3275-101", "Budi Santoso"),
    }


def test_deployment_carries_its_sub_kegiatan(db, crew, tree):
    plain = deploy(
        crew["member"], crew["event"], crew["shelter"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    assert plain.sub_kegiatan_id is None  # no component: nothing is guessed
    paid = deploy(
        crew["member"],
        crew["event"],
        crew["shelter"],
        wib(2026, 11, 21, 8),
        wib(2026, 11, 21, 20),
        sub_kegiatan="1.06.06.02.02.0002",
    )
    assert paid.sub_kegiatan_id == tree[TAGANA]
    with pytest.raises(DomainError) as error:
        deploy(
            crew["member"],
            crew["event"],
            crew["shelter"],
            wib(2026, 11, 22, 8),
            wib(2026, 11, 22, 20),
            sub_kegiatan="1.06.06.2.02.0007",
        )
    assert error.value.field == "sub_kegiatan" and error.value.status == 422


def test_deployment_api_and_page(db, crew, tree, make_user, client_for):
    client = client_for(make_user("operator"))
    body = {
        "member_id": crew["member"].id,
        "event_id": crew["event"].id,
        "place_kind": "shelter",
        "shelter_id": crew["shelter"].id,
        "role": "Petugas shelter",
        "letter_number": "800/101/Linjamsos",
        "starts_at": "2026-11-20T08:00",
        "ends_at": "2026-11-20T20:00",
        "sub_kegiatan": "1.06.06.2.02.0002",
    }
    created = client.post("/api/v1/tagana/deployments", json=body)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert (data["sub_kegiatan"], data["sub_kegiatan_id"]) == (TAGANA, tree[TAGANA])
    page = client.get(f"/tagana/pengerahan/{data['id']}").get_data(as_text=True)
    assert f"{TAGANA} Taruna Siaga Bencana" in page
    changed = client.patch(
        f"/api/v1/tagana/deployments/{data['id']}", json={"sub_kegiatan": "1.06.06.02.01.0003"}
    )
    assert changed.status_code == 200
    assert changed.get_json()["sub_kegiatan"] == "1.06.06.2.01.0003"
    unlinked = client.patch(f"/api/v1/tagana/deployments/{data['id']}", json={"sub_kegiatan": ""})
    assert unlinked.get_json()["sub_kegiatan"] is None
    bad = client.patch(
        f"/api/v1/tagana/deployments/{data['id']}", json={"sub_kegiatan": "1.06.06.2.02.0099"}
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "sub_kegiatan"
    assert db.session.get(Deployment, data["id"]).sub_kegiatan_id is None


def test_deployment_form_saves_the_sub_kegiatan(db, crew, tree, make_user, client_for):
    client = client_for(make_user("operator"))
    url = f"/tagana/kejadian/{crew['event'].id}/tugaskan"
    assert f'<option value="{TAGANA}">' in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            "member_id": crew["member"].id,
            "place_kind": "shelter",
            "shelter_id": crew["shelter"].id,
            "role": "Petugas shelter",
            "letter_number": "800/102/Linjamsos",
            "starts_at": "2026-11-20T08:00",
            "ends_at": "2026-11-20T20:00",
            "sub_kegiatan": TAGANA,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    deployment = db.session.scalar(select(Deployment))
    assert deployment.sub_kegiatan_id == tree[TAGANA]
