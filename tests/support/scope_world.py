"""A provinsi office (Bengkulu, 17) with two kab/kota whose every record carries a marker of its own
kab/kota, and the users of the role-and-scope matrix."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.core.extensions import db

PROVINCE = "17"
# Every name, NIK and KK of a kab/kota's records carries its marker: a page that shows one to
# the other kab/kota's user leaks it.
AREAS = {
    "a": SimpleNamespace(
        kab="17.01", kec="17.01.01", desa="17.01.01.2001", marker="Alfazet",
        nik="1701011708850009", kk="1701010101200001", member_nik="1701014407900005",
    ),
    "b": SimpleNamespace(
        kab="17.02", kec="17.02.01", desa="17.02.01.2001", marker="Betazet",
        nik="1702015708870002", kk="1702010101200002", member_nik="1702014407900006",
    ),
}  # fmt: skip


def load_areas() -> None:
    rows = [
        ("17", "provinsi", "provinsi", "Bengkulu", None),
        ("17.01", "kab_kota", "kabupaten", "Bengkulu Selatan", "17"),
        ("17.02", "kab_kota", "kabupaten", "Rejang Lebong", "17"),
        ("17.01.01", "kecamatan", "kecamatan", "Manna", "17.01"),
        ("17.02.01", "kecamatan", "kecamatan", "Curup", "17.02"),
        ("17.01.01.2001", "kelurahan", "desa", "Desa Padang Manna", "17.01.01"),
        ("17.02.01.2001", "kelurahan", "desa", "Desa Talang Curup", "17.02.01"),
    ]
    for code, level, kind, name, parent in rows:
        db.session.add(Area(code=code, level=level, kind=kind, name=name, parent_code=parent))
    db.session.flush()


def _people(key: str, area, event) -> dict:
    from logistics.victims.models import Person
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_institution, register_victim

    mark = area.marker
    victim, _ = register_victim(
        event,
        PersonInput(name=f"Warga {mark}", nik=area.nik),
        status="mengungsi",
        kelurahan_code=area.desa,
        household_data={"no_kk": area.kk, "head_name": f"Warga {mark}"},
    )
    institution, _ = register_institution(
        event, name=f"Panti {mark}", kind="panti", kelurahan_code=area.desa, headcount=12
    )
    # The head entered twice, once without NIK: a likely duplicate of the kab/kota.
    head = victim.person
    head.birth_date = date(1985, 8, 17)
    twin = Person(name=f"Warga {mark}", sex="L", birth_date=head.birth_date,
                  household_id=head.household_id, no_nik_reason="dokumen_hilang")  # fmt: skip
    db.session.add(twin)
    db.session.flush()
    return {"victim": victim, "institution": institution, "twin": twin}


def _places(key: str, area, event, victim) -> dict:
    from logistics.distributions.models import Distribution
    from logistics.kitchens.services import create_kitchen
    from logistics.shelters.models import Shelter
    from logistics.stock.warehouses import create_warehouse

    mark = area.marker
    shelter = Shelter(
        event_id=event.id, name=f"Posko {mark}", kind="barak", kelurahan_code=area.desa,
        capacity=100,
    )  # fmt: skip
    db.session.add(shelter)
    db.session.flush()
    handout = Distribution(
        event_id=event.id, component="psikososial", phase="saat", recipient_kind="person",
        person_id=victim.person_id, kelurahan_code=area.desa, distributed_on=date(2026, 11, 21),
        receiver_name=f"Penerima {mark}",
    )  # fmt: skip
    db.session.add(handout)
    warehouse = create_warehouse(
        name=f"Gudang {mark}", tier="kab_kota", kelurahan_code=area.desa, pic_name=f"Pak {mark}"
    )
    db.session.flush()
    kitchen = create_kitchen(
        event, name=f"Dapur {mark}", shelter_id=shelter.id, warehouse_id=warehouse.id,
        pic_name=f"Bu {mark}",
    )  # fmt: skip
    return {"shelter": shelter, "handout": handout, "warehouse": warehouse, "kitchen": kitchen}


def _tagana(key: str, area, event, shelter) -> dict:
    from logistics.tagana import deployments, ksb, members, trainings

    mark = area.marker
    member = members.create_member(
        nia=f"NIA-{mark}", name=f"Relawan {mark}", sex="L", home_kelurahan_code=area.desa,
        phone=f"0812{area.member_nik[-6:]}", competencies=["shelter"],
    )  # fmt: skip
    training = trainings.add_training(
        member, name=f"Diklat {mark}", started_on=date(2026, 3, 2), organizer=f"Balai {mark}"
    )
    deployment = deployments.deploy_member(
        member_id=member.id, event_id=event.id, place_kind="shelter", shelter_id=shelter.id,
        starts_at=datetime(2026, 11, 21, 1, 0), role=f"Petugas {mark}",
        letter_number=f"800/{mark}/Linjamsos", actor=SimpleNamespace(id=None, role="operator"),
    )  # fmt: skip
    group = ksb.register_ksb(name=f"KSB {mark}", kelurahan_code=area.desa, formed_year=2020)
    return {"member": member, "training": training, "deployment": deployment, "ksb": group}


def _event(key: str, area, hazard: int):
    from logistics.events.decrees import add_decree
    from logistics.events.services import create_event

    event = create_event(
        hazard_type_id=hazard,
        title=f"Banjir {area.marker}",
        started_at=datetime(2026, 11, 20, 2, 0),
        area_code=area.kab,
        kelurahan_codes=[area.desa],
    )
    decree = add_decree(
        event, status="tanggap_darurat", decree_number=f"SK/{area.marker}/2026",
        issuer_level="bupati_walikota", starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 20) + timedelta(days=13),
    )  # fmt: skip
    return event, decree


def _files(key: str, area, event, user) -> dict:
    from logistics.core.job_models import JobRecord
    from logistics.reports.models import ReportFile

    job = JobRecord(
        id=f"00000000-0000-4000-8000-00000000000{'1' if key == 'a' else '2'}",
        func="workers.jobs.import_victims_dry_run", title=f"Impor korban {area.marker}",
        kwargs={}, user_id=user.id, status="finished", message=f"Selesai {area.marker}",
    )  # fmt: skip
    db.session.add(job)
    report = ReportFile(
        kind="sitrep", key=f"event:{event.id}:2026-11-21", format="html",
        filename=f"sitrep-{event.id}.html", size=20,
        content=f"<p>Warga {area.marker} {area.nik}</p>".encode(), created_by_id=user.id,
    )  # fmt: skip
    db.session.add(report)
    db.session.flush()
    return {"job": job, "file": report}


def build_province(app, make_user) -> SimpleNamespace:
    """The two kab/kota's records and the matrix's users (committed)."""
    from logistics.admin.scopes import set_scope
    from logistics.events.models import HazardType

    app.config.update(OFFICE_AREA_CODE=PROVINCE, OFFICE_AREA_NAME="Bengkulu")
    load_areas()
    users = SimpleNamespace(
        **{
            name: make_user(role, name.replace("_", "-"))
            for name, role in (
                ("op_a", "operator"), ("op_b", "operator"), ("viewer", "pimpinan"),
                ("prov_op", "operator"), ("office_op", "operator"), ("pimpinan", "pimpinan"),
                ("tagana", "tagana"), ("admin", "admin"),
            )
        }
    )  # fmt: skip
    set_scope(users.op_a, record="17.01", see="")
    set_scope(users.op_b, record="17.02", see="")
    set_scope(users.viewer, record="", see="17")
    set_scope(users.prov_op, record="17", see="17")
    set_scope(users.tagana, record="17.02", see="")
    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    world = {}
    for key, area in AREAS.items():
        event, decree = _event(key, area, hazard)
        records = {"event": event, "decree": decree, **_people(key, area, event)}
        records.update(_places(key, area, event, records["victim"]))
        records.update(_tagana(key, area, event, records["shelter"]))
        owner = users.op_a if key == "a" else users.op_b
        records.update(_files(key, area, event, owner))
        world[key] = SimpleNamespace(**records)
    from logistics.tagana.vehicles import register_vehicle

    vehicle = register_vehicle(
        plate="BD 1701 AB", kind="truk", assigned_unit="Dinas Sosial Provinsi"
    )
    db.session.commit()
    return SimpleNamespace(users=users, hazard=hazard, vehicle=vehicle, **world)
