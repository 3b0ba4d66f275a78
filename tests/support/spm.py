"""SPM scenarios: persons, victims, shelters and hand-outs written straight to the tables."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import ImpactFigure
from logistics.shelters.models import Shelter
from logistics.victims.models import Household, Person, Victim
from tests.support.areas import BEKASIJAYA, MARGAHAYU

A_DAY = date(2026, 11, 21)


@pytest.fixture
def third_kelurahan(db, bekasi):
    return db.session.scalar(
        select(Area.code)
        .where(Area.level == "kelurahan", Area.code.not_in((BEKASIJAYA, MARGAHAYU)))
        .order_by(Area.code)
    )


def add_person(db, name, household=None, sex="L"):
    person = Person(name=name, sex=sex, no_nik_reason="lainnya", household=household)
    db.session.add(person)
    db.session.flush()
    return person


def add_shelter(db, event, name, kelurahan=BEKASIJAYA):
    shelter = Shelter(event_id=event.id, name=name, kind="masjid", kelurahan_code=kelurahan)
    db.session.add(shelter)
    db.session.flush()
    return shelter


def add_victim(db, event, person, status, kelurahan=BEKASIJAYA, shelter=None):
    db.session.add(
        Victim(
            event_id=event.id,
            person_id=person.id,
            status=status,
            kelurahan_code=kelurahan,
            shelter_id=shelter.id if shelter else None,
        )
    )


def hand_out(db, event, component, day, persons=(), kelurahan=BEKASIJAYA, shelter=None, **extra):
    distribution = Distribution(
        event_id=event.id,
        component=component,
        phase="saat",
        recipient_kind=extra.pop("recipient_kind", "person"),
        kelurahan_code=kelurahan,
        shelter_id=shelter.id if shelter else None,
        distributed_on=day,
        persons_served=len(persons),
        **extra,
    )
    distribution.recipients = [DistributionRecipient(person_id=p.id) for p in persons]
    db.session.add(distribution)
    return distribution


@pytest.fixture
def scenario(db, make_event, third_kelurahan):
    """Two events; a household split over two shelters; a person in both events; a rapid
    assessment for a kelurahan nobody is registered in yet."""
    flood = make_event()
    fire = make_event(
        title="Kebakaran Margahayu", hazard_code="KBP", started_at=datetime(2026, 11, 25, 3)
    )
    household = Household(head_name="Budi")
    other = Household(head_name="Siti")
    db.session.add_all([household, other])
    budi = add_person(db, "Budi", household)
    ani = add_person(db, "Ani", household)
    siti = add_person(db, "Siti", other)
    mosque = add_shelter(db, flood, "Masjid Al-Ikhlas")
    school = add_shelter(db, flood, "SDN Bekasijaya")
    add_victim(db, flood, budi, "mengungsi", shelter=mosque)
    add_victim(db, flood, ani, "mengungsi", shelter=school)
    add_victim(db, flood, siti, "menderita")
    add_victim(db, fire, budi, "menderita", kelurahan=MARGAHAYU)
    for measure, value in (
        ("mengungsi.dewasa.L", 10),
        ("menderita.anak.P", 5),
        ("kk.mengungsi", 4),
    ):
        db.session.add(
            ImpactFigure(
                event_id=flood.id, kelurahan_code=third_kelurahan, measure=measure, value=value
            )
        )
    hand_out(db, flood, "permakanan", A_DAY, [budi], shelter=mosque)
    hand_out(db, flood, "permakanan", A_DAY, [ani], shelter=school)
    hand_out(db, flood, "permakanan", A_DAY, [siti])
    hand_out(
        db, flood, "permakanan", A_DAY, [], shelter=mosque, recipient_kind="kitchen",
        anonymous_portions=30,
    )  # fmt: skip
    hand_out(db, flood, "sandang", A_DAY, [budi], shelter=mosque)
    hand_out(db, flood, "tempat_penampungan", date(2026, 11, 22), [budi], shelter=mosque)
    hand_out(db, fire, "permakanan", date(2026, 11, 26), [budi], kelurahan=MARGAHAYU)
    db.session.commit()
    return {"flood": flood, "fire": fire, "mosque": mosque, "school": school, "k3": third_kelurahan}
