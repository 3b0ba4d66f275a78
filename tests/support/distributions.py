"""A world to hand out aid in: an event, a registered family, a panti, a stocked warehouse."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from logistics.core.database import transaction

KEL = "32.75.01.1001"
OTHER_KEL = "32.75.01.1002"
NO_KK = "3275010101200001"
NIK_BUDI = "3275011708850009"  # man, 17 August 1985
NIK_SITI = "3275015708870002"  # woman, 17 August 1987
NIK_JOKO = "3275012003100003"  # boy, 20 March 2010
NIK_RINA = "3275014501900004"  # woman without household, 5 January 1990


@dataclass
class World:
    event: object
    warehouse: object
    household: object
    members: list
    rina: object
    panti: object
    operator: object
    tagana: object


def stock(warehouse, code, amount, expiry=None, lot_code=""):
    """Receive `amount` of item `code` into the warehouse; the lot."""
    from logistics.stock import ledger

    with transaction():
        item = ledger.get_item(code)
        if item.expires and expiry is None:
            expiry = date(2027, 6, 30)
        lot = ledger.find_or_create_lot(warehouse, item, lot_code, expiry, date(2026, 11, 1))
        ledger.put(lot, Decimal(amount), "receipt")
    return lot


def balance(db, warehouse, code) -> Decimal:
    from logistics.stock import ledger
    from logistics.stock.models import StockLot

    item = ledger.get_item(code)
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockLot.quantity), 0)).where(
            StockLot.warehouse_id == warehouse.id, StockLot.item_id == item.id
        )
    )
    return Decimal(str(total))


def make_world(db, make_event, make_user) -> World:
    """An event with a registered family of three, a woman alone, a panti, a stocked warehouse."""
    from logistics.stock.warehouses import create_warehouse
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_household, register_institution, register_victim

    event = make_event()
    warehouse = create_warehouse(
        name="Gudang Dinsos Kota Bekasi", tier="kab_kota", kelurahan_code=KEL
    )
    household, _ = register_household(no_kk=NO_KK, head_name="Budi Santoso", kelurahan_code=KEL)
    members = []
    for name, nik, relation in (
        ("Budi Santoso", NIK_BUDI, "kepala_keluarga"),
        ("Siti Aminah", NIK_SITI, "istri"),
        ("Joko Santoso", NIK_JOKO, "anak"),
    ):
        victim, _ = register_victim(
            event,
            PersonInput(name=name, nik=nik, relation=relation),
            status="mengungsi",
            kelurahan_code=KEL,
            household=household,
        )
        members.append(victim.person)
    rina, _ = register_victim(
        event,
        PersonInput(name="Rina Marlina", nik=NIK_RINA),
        status="menderita",
        kelurahan_code=OTHER_KEL,
    )
    panti, _ = register_institution(
        event, name="Panti Asuhan Harapan", kind="panti", kelurahan_code=OTHER_KEL, headcount=40
    )
    db.session.commit()
    stock(warehouse, "makanan_siap_saji", 100)
    stock(warehouse, "selimut", 50)
    stock(warehouse, "beras", 200)
    operator = make_user("operator", full_name="Siti Rahmawati")
    tagana = make_user("tagana", full_name="Agus Tagana")
    return World(event, warehouse, household, members, rina.person, panti, operator, tagana)


def hand_out(world, user=None, **values):
    """record_distribution inside one transaction, as the views and the API run it."""
    from logistics.distributions.services import parse_hand_out, record_distribution

    data = {
        "event_id": world.event.id,
        "component": "permakanan",
        "household_id": world.household.id,
        "warehouse_id": world.warehouse.id,
        "lines": [{"item_id": "makanan_siap_saji", "quantity": 3}],
    }
    data.update(values)
    with transaction():
        return record_distribution(parse_hand_out(data), user or world.operator)


def payload(world, **values) -> dict:
    body = {
        "event_id": world.event.id,
        "component": "permakanan",
        "phase": "saat",
        "household_id": world.household.id,
        "warehouse_id": world.warehouse.code,
        "lines": [{"item_id": "makanan_siap_saji", "quantity": 3}],
        "receiver_name": "Budi Santoso",
    }
    body.update(values)
    return body


def form_values(page: str) -> dict:
    """The hidden fields of the rendered field form."""
    return dict(re.findall(r'<input id="(\w+)" name="\1" type="hidden" value="([^"]*)"', page))


def open_form(client, world) -> dict:
    page = client.get(f"/lapangan/penyaluran?kejadian={world.event.id}&kk={world.household.id}")
    assert page.status_code == 200
    values = form_values(page.get_data(as_text=True))
    assert values["client_id"].startswith("web-")
    return values


def submit(client, values, **extra):
    data = {
        **values,
        "component": "permakanan",
        "phase": "",
        "warehouse_id": "",
        "distributed_on": "",
        "receiver_name": "Budi Santoso",
        "service_note": "",
        "item_id": [],
        "quantity": [],
        **extra,
    }
    return client.post("/lapangan/penyaluran", data=data)
