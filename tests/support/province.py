"""The `province` fixture: a provinsi office (Bengkulu, 17) with two kab/kota and a scoped
operator in each, for the wilayah scope tests and the province recap."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.distributions.models import Distribution
from logistics.events.models import HazardType
from logistics.shelters.models import Shelter
from logistics.victims.persons import PersonInput

DESA_A = "17.01.01.2001"  # in kab/kota 17.01
DESA_B = "17.02.01.2001"  # in kab/kota 17.02
NIK_A = "1701011708850009"
NIK_B = "1702015708870002"
KK_A = "1701010101200001"
MASKED_A = "1701********0009"


def _areas(db):
    rows = [
        ("17", "provinsi", "provinsi", "Bengkulu", None),
        ("17.01", "kab_kota", "kabupaten", "Bengkulu Selatan", "17"),
        ("17.02", "kab_kota", "kabupaten", "Rejang Lebong", "17"),
        ("17.01.01", "kecamatan", "kecamatan", "Manna", "17.01"),
        ("17.02.01", "kecamatan", "kecamatan", "Curup", "17.02"),
        (DESA_A, "kelurahan", "desa", "Desa Padang Manna", "17.01.01"),
        (DESA_B, "kelurahan", "desa", "Desa Talang Curup", "17.02.01"),
    ]
    for code, level, kind, name, parent in rows:
        db.session.add(Area(code=code, level=level, kind=kind, name=name, parent_code=parent))
    db.session.flush()


@pytest.fixture
def province(app, db, make_user):
    """A provinsi office (17) with two kab/kota, an event, a victim, a shelter and a hand-out in
    each, their two operators and a provincial viewer."""
    from logistics.admin.scopes import set_scope
    from logistics.events.services import create_event
    from logistics.victims.services import register_victim

    app.config.update(OFFICE_AREA_CODE="17", OFFICE_AREA_NAME="Bengkulu")
    _areas(db)
    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    world = {}
    for key, desa, nik, kk in (("a", DESA_A, NIK_A, KK_A), ("b", DESA_B, NIK_B, None)):
        kab = desa[:5]
        event = create_event(
            hazard_type_id=hazard,
            title=f"Banjir {kab}",
            started_at=datetime(2026, 11, 20, 2, 0),
            area_code=kab,
            kelurahan_codes=[desa],
        )
        victim, _ = register_victim(
            event,
            PersonInput(name=f"Warga {key.upper()}", nik=nik),
            status="mengungsi",
            kelurahan_code=desa,
            household_data={"no_kk": kk, "head_name": f"Warga {key.upper()}"} if kk else None,
        )
        shelter = Shelter(
            event_id=event.id, name=f"Posko {key.upper()}", kind="barak", kelurahan_code=desa
        )
        db.session.add(shelter)
        db.session.flush()
        handout = Distribution(
            event_id=event.id,
            component="psikososial",
            phase="saat",
            recipient_kind="person",
            person_id=victim.person_id,
            kelurahan_code=desa,
            distributed_on=date(2026, 11, 21),
        )
        db.session.add(handout)
        db.session.flush()
        world[key] = {"event": event, "victim": victim, "shelter": shelter, "handout": handout}
    op_a, op_b = make_user("operator", "op-a"), make_user("operator", "op-b")
    viewer = make_user("pimpinan", "prov-viewer")
    set_scope(op_a, record="17.01", see="")
    set_scope(op_b, record="17.02", see="")
    set_scope(viewer, record="", see="17")
    db.session.commit()
    world.update(op_a=op_a, op_b=op_b, viewer=viewer, hazard=hazard)
    return world
