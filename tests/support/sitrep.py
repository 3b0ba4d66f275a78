"""A small hand-built flood whose situation-report figures are worked out by hand."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.decrees import add_decree
from logistics.events.impact import set_impact
from logistics.kitchens.models import FieldKitchen, KitchenMeal
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm import aggregates as spm_aggregates
from logistics.stock.models import Item, StockLot, StockMovement, Warehouse
from logistics.tagana.models import Deployment, TaganaMember
from logistics.victims.models import Household, Person, Victim
from tests.support.areas import BEKASIJAYA, MARGAHAYU

DAY1 = date(2026, 11, 20)
DAY2 = date(2026, 11, 21)
DAY3 = date(2026, 11, 22)
DECREE = "360/Kep.100-BPBD/XI/2026"
# Personal data that must never reach an aggregate report.
BUDI_NIK = "3275010101800001"
ANI_NIK = "3275014202850002"
SECRET_NAMES = ("Budi Santosa", "Ani Lestari", "Siti Aminah", "Joko Relawan", "Jl. Kenanga")


def item(db, code):
    return db.session.scalar(select(Item).where(Item.code == code))


def hand_out(db, event, component, day, persons, lines=(), shelter=None, **extra):
    """A hand-out written straight to the tables, with its stock lines (negative movements)."""
    distribution = Distribution(
        event_id=event.id,
        component=component,
        phase="saat",
        recipient_kind=extra.pop("recipient_kind", "person"),
        kelurahan_code=extra.pop("kelurahan", BEKASIJAYA),
        shelter_id=shelter.id if shelter else None,
        distributed_on=day,
        persons_served=extra.pop("persons_served", len(persons)),
        **extra,
    )
    distribution.recipients = [DistributionRecipient(person_id=p.id) for p in persons]
    db.session.add(distribution)
    db.session.flush()
    for lot, quantity in lines:
        db.session.add(
            StockMovement(
                kind="distribution",
                warehouse_id=lot.warehouse_id,
                item_id=lot.item_id,
                lot_id=lot.id,
                quantity=-Decimal(quantity),
                distribution_id=distribution.id,
            )
        )
    return distribution


@pytest.fixture
def flood(db, make_event):
    """Two kelurahan: Bekasijaya registered (3 persons, 2 KK), Margahayu only rapidly assessed.

    Hand-outs on 20 and 21 November (and one on the 22nd that a report of the 21st must not
    count), one field-kitchen meal, one Tagana member on duty on the 21st, beras and selimut
    in stock.
    """
    event = make_event()
    add_decree(
        event,
        status="tanggap_darurat",
        decree_number=DECREE,
        issuer_level="bupati_walikota",
        starts_on=DAY1,
        ends_on=date(2026, 12, 3),
    )
    # Bekasijaya's registry (3 jiwa) has caught up with its rapid assessment (2 jiwa).
    set_impact(event, BEKASIJAYA, {"mengungsi.dewasa.L": 2})
    set_impact(
        event,
        MARGAHAYU,
        {
            "menderita.dewasa.L": 20,
            "menderita.anak.P": 10,
            "mengungsi.dewasa.P": 6,
            "terluka.dewasa.L": 1,
            "kk.menderita": 8,
            "kk.mengungsi": 2,
            "rumah.terendam": 15,
            "rumah.rusak_ringan": 3,
        },
    )
    family = Household(no_kk="3275010101100001", head_name="Budi Santosa", address="Jl. Kenanga 5")
    neighbour = Household(
        no_kk="3275010101100002", head_name="Siti Aminah", address="Jl. Kenanga 7"
    )
    db.session.add_all([family, neighbour])
    budi = Person(name="Budi Santosa", nik=BUDI_NIK, sex="L", household=family)
    ani = Person(name="Ani Lestari", nik=ANI_NIK, sex="P", household=family)
    siti = Person(name="Siti Aminah", sex="P", no_nik_reason="lainnya", household=neighbour)
    db.session.add_all([budi, ani, siti])
    mosque = Shelter(
        event_id=event.id,
        name="Masjid Al-Ikhlas",
        kind="masjid",
        kelurahan_code=BEKASIJAYA,
        capacity=50,
        toilets=3,
        floor_area_m2=Decimal("300"),
        opened_at=datetime(2026, 11, 20, 3, 0),
    )
    school = Shelter(
        event_id=event.id,
        name="SDN Margahayu 1",
        kind="gedung_sekolah",
        kelurahan_code=MARGAHAYU,
        capacity=100,
        toilets=5,
        opened_at=datetime(2026, 11, 21, 1, 0),
    )
    db.session.add_all([mosque, school])
    db.session.flush()
    for person, status, shelter in ((budi, "mengungsi", mosque), (ani, "mengungsi", mosque)):
        db.session.add(
            Victim(
                event_id=event.id,
                person_id=person.id,
                status=status,
                kelurahan_code=BEKASIJAYA,
                shelter_id=shelter.id,
            )
        )
    db.session.add(
        Victim(event_id=event.id, person_id=siti.id, status="menderita", kelurahan_code=BEKASIJAYA)
    )
    db.session.add_all(
        [
            ShelterCount(shelter_id=mosque.id, counted_on=DAY1, persons=30, households=8),
            # Over capacity on the 21st: 60 in a mosque for 50.
            ShelterCount(shelter_id=mosque.id, counted_on=DAY2, persons=60, households=15),
            ShelterCount(shelter_id=school.id, counted_on=DAY2, persons=20, households=5),
        ]
    )
    gudang = Warehouse(code="GDG-1", name="Gudang Dinsos", tier="kab_kota")
    db.session.add(gudang)
    db.session.flush()
    beras = StockLot(
        warehouse_id=gudang.id,
        item_id=item(db, "beras").id,
        quantity=Decimal("10"),
        received_on=DAY1,
    )
    selimut = StockLot(
        warehouse_id=gudang.id,
        item_id=item(db, "selimut").id,
        quantity=Decimal("2"),
        received_on=DAY1,
    )
    db.session.add_all([beras, selimut])
    db.session.flush()
    # 20 November: food for Budi and Ani, a blanket for Budi.
    hand_out(db, event, "permakanan", DAY1, [budi, ani], [(beras, "1.6")], shelter=mosque)
    hand_out(db, event, "sandang", DAY1, [budi], [(selimut, "1")], shelter=mosque)
    # 21 November: food for all three, 90 kitchen portions, a psikososial session for Ani.
    hand_out(db, event, "permakanan", DAY2, [budi, ani, siti], [(beras, "1.2")])
    kitchen = FieldKitchen(
        event_id=event.id, name="Dapur Masjid", kelurahan_code=BEKASIJAYA, shelter_id=mosque.id
    )
    db.session.add(kitchen)
    db.session.flush()
    meal = KitchenMeal(
        kitchen_id=kitchen.id,
        served_on=DAY2,
        period="siang",
        head_count=90,
        portions_cooked=100,
        portions_served=90,
    )
    db.session.add(meal)
    db.session.flush()
    hand_out(
        db, event, "permakanan", DAY2, [], shelter=mosque, recipient_kind="kitchen",
        kitchen_meal_id=meal.id, persons_served=90, anonymous_portions=90,
    )  # fmt: skip
    hand_out(db, event, "psikososial", DAY2, [ani], shelter=mosque)
    # 22 November: after the report day of most tests.
    hand_out(db, event, "permakanan", DAY3, [siti], [(beras, "0.4")])
    joko = TaganaMember(nia="TGN-001", name="Joko Relawan", sex="L")
    rina = TaganaMember(nia="TGN-002", name="Rina Relawan", sex="P")
    db.session.add_all([joko, rina])
    db.session.flush()
    db.session.add_all(
        [
            # 08.00-17.00 WIB on the 21st.
            Deployment(
                member_id=joko.id,
                event_id=event.id,
                place_kind="shelter",
                shelter_id=mosque.id,
                role="Koordinator dapur umum",
                letter_number="ST-01",
                starts_at=datetime(2026, 11, 21, 1, 0),
                ends_at=datetime(2026, 11, 21, 10, 0),
                status="bertugas",
            ),
            # Cancelled: not on duty.
            Deployment(
                member_id=rina.id,
                event_id=event.id,
                place_kind="shelter",
                shelter_id=mosque.id,
                role="Pendamping psikososial",
                letter_number="ST-02",
                starts_at=datetime(2026, 11, 21, 1, 0),
                ends_at=datetime(2026, 11, 21, 10, 0),
                status="dibatalkan",
            ),
        ]
    )
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    return {"event": event, "mosque": mosque, "school": school}
