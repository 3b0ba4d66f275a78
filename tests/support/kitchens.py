"""A field kitchen's site: an event, a shelter with head counts, a stocked warehouse, a kitchen."""

from datetime import timedelta
from decimal import Decimal

from logistics.core.database import transaction
from tests.support.areas import BEKASIJAYA
from tests.support.shelters import shelter_factory

NIKS = ["3275014101900001", "3275014101900002", "3275014101900003"]


def today():
    from logistics.core.time import office_today

    return office_today()


def stock(warehouse, code, amount, lot_code="L-1", expiry_days=365):
    """Put `amount` of item `code` into `warehouse` as one lot (as a receipt would)."""
    from logistics.stock import ledger

    item = ledger.get_item(code)
    expiry = today() + timedelta(days=expiry_days) if item.expires else None
    with transaction():
        lot = ledger.find_or_create_lot(warehouse, item, lot_code, expiry, today())
        ledger.put(lot, Decimal(amount), "receipt")
    return lot


def register_victims(db, event, shelter, niks=NIKS):
    """Persons registered as displaced at `shelter` in `event`; returns their ids."""
    from logistics.victims.models import Person, Victim

    ids = []
    for index, nik in enumerate(niks):
        person = Person(nik=nik, name=f"Warga {index + 1}", sex="L" if index % 2 else "P")
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Victim(
                event_id=event.id,
                person_id=person.id,
                status="mengungsi",
                kelurahan_code=shelter.kelurahan_code,
                shelter_id=shelter.id,
            )
        )
        ids.append(person.id)
    db.session.commit()
    return ids


def make_site(db, make_event):
    """An event, a shelter with a head count, a warehouse holding beras and mi instan, a kitchen."""
    from datetime import datetime, time
    from types import SimpleNamespace

    from logistics.kitchens.services import create_kitchen
    from logistics.shelters.counts import record_head_count
    from logistics.stock.warehouses import create_warehouse

    # Relative to the clock: meals cannot be in the future nor before the event.
    event = make_event(started_at=datetime.combine(today() - timedelta(days=10), time(2)))
    shelter = shelter_factory(db)(
        event_id=event.id, capacity=300, opened_on=today() - timedelta(days=5)
    )
    record_head_count(shelter, persons=120, counted_on=today() - timedelta(days=1))
    record_head_count(shelter, persons=140, counted_on=today())
    warehouse = create_warehouse(
        name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA, pic_name="Budi Gudang"
    )
    db.session.commit()
    beras = stock(warehouse, "beras", "100")
    mi = stock(warehouse, "mi_instan", "10")
    kitchen = create_kitchen(
        event,
        name="Dapur Umum GOR",
        shelter_id=shelter.id,
        warehouse_id=warehouse.id,
        pic_name="Sari Dapur",
    )
    db.session.commit()
    return SimpleNamespace(
        event=event, shelter=shelter, warehouse=warehouse, kitchen=kitchen, beras=beras, mi=mi
    )


def meal(kitchen, **overrides):
    from logistics.kitchens.meals import record_meal

    values = {
        "served_on": today().isoformat(),
        "period": "siang",
        "head_count": 140,
        "portions_cooked": 150,
        "portions_served": 140,
    }
    values.update(overrides)
    with transaction():
        return record_meal(kitchen, **values)


def distribution(db, site, **fields):
    from logistics.distributions.models import Distribution

    values = {
        "event_id": site.event.id,
        "component": "sandang",
        "phase": "saat",
        "recipient_kind": "person",
        "kelurahan_code": BEKASIJAYA,
        "shelter_id": site.shelter.id,
        "warehouse_id": site.warehouse.id,
        "distributed_on": today(),
        "persons_served": 1,
    }
    values.update(fields)
    row = Distribution(**values)
    db.session.add(row)
    db.session.flush()
    return row
