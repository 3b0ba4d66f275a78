"""The demo flood: Kali Bekasi overflows through eight kelurahan (data/demo_bekasi_flood.json)."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.core.config import ROOT
from logistics.core.database import transaction
from logistics.core.extensions import db
from logistics.events import chronology as chronology_service
from logistics.events import decrees as decree_service
from logistics.events import impact as impact_service
from logistics.events import services as service
from logistics.events.models import Event, HazardType
from logistics.shelters.counts import record_head_count
from logistics.shelters.lists import shelter_summaries
from logistics.shelters.services import open_shelter
from logistics.stock.models import Warehouse
from logistics.tagana.deployments import deploy_member
from logistics.tagana.duty import check_in, submit_task_report
from logistics.tagana.ksb import register_ksb
from logistics.tagana.members import create_member
from logistics.tagana.models import Vehicle
from logistics.tagana.trainings import add_training
from logistics.tagana.vehicles import register_vehicle
from logistics.victims import services as victims
from logistics.victims.persons import PersonInput

SCENARIO = ROOT / "data" / "demo_bekasi_flood.json"
# Fixed seed: every demo install shows the same families.
SEED = 3275
# A field kitchen or posko set up at a shelter has a name of its own.
PLACE_NAMES = {"dapur_umum": "Dapur umum lapangan Tagana", "posko": "Posko logistik Dinas Sosial"}


def _local_to_utc(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tz).astimezone(UTC).replace(tzinfo=None)


def _nik(kelurahan_code: str, birth: date, sex: str, serial: int) -> str:
    """A NIK of the right shape: kecamatan code, birth date (+40 for women), serial."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kelurahan_code[:8].replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


def _family(rng: random.Random, names: dict, today: date) -> list[tuple]:
    """(name, sex, birth date, relation, pregnant) for a household of three to six."""
    family_name = rng.choice(names["family"])

    def born(min_age: int, max_age: int) -> date:
        return today - timedelta(days=rng.randint(min_age * 365 + 30, max_age * 365 + 300))

    head_age = rng.choice([34, 41, 48, 55, 63, 68])
    members = [
        (
            f"{rng.choice(names['male'])} {family_name}",
            "L",
            born(head_age, head_age),
            "kepala_keluarga",
            False,
        )
    ]
    members.append(
        (
            f"{rng.choice(names['female'])}",
            "P",
            born(head_age - 6, head_age - 2),
            "istri",
            rng.random() < 0.12 and head_age < 45,
        )
    )
    for _ in range(rng.randint(1, 3)):
        sex = rng.choice("LP")
        first = rng.choice(names["male"] if sex == "L" else names["female"])
        members.append((f"{first} {family_name}", sex, born(0, 16), "anak", False))
    if rng.random() < 0.3:
        members.append((f"{rng.choice(names['female'])}", "P", born(66, 78), "orang_tua", False))
    return members


def seed_flood_demo() -> dict:
    """Open the demo flood with its decree, impact, shelters, head counts and victims."""
    if db.session.scalar(select(func.count(Event.id))):
        return {"events": 0}
    scenario = json.loads(SCENARIO.read_text(encoding="utf-8"))
    tz = ZoneInfo(current_app.config["OFFICE_TIMEZONE"])
    today = datetime.now(tz).date()
    rng = random.Random(SEED)
    start_day = today - timedelta(days=scenario["event"]["started_days_ago"])
    with transaction():
        event = _open_event(scenario, start_day, tz)
        _rapid_assessment(event, scenario, rng)
        shelter_ids = _open_shelters(event, scenario, start_day)
        registered = _register_victims(event, scenario, rng, today, shelter_ids)
        db.session.flush()
        deployed = _seed_tagana(scenario, event, start_day, tz)
    from logistics.demo.stock import seed_logistics_demo

    logistics = seed_logistics_demo(event, start_day, today)
    from logistics.demo.sitrep import seed_sitrep_demo

    logistics["sitrep_notes"] = seed_sitrep_demo(event, start_day, today)
    return {
        "events": 1,
        "shelters": len(scenario["shelters"]),
        "victims": registered,
        "tagana_deployments": deployed,
        **logistics,
    }


def _open_event(scenario: dict, start_day: date, tz: ZoneInfo) -> Event:
    """The flood with its tanggap darurat decree and chronology."""
    spec = scenario["event"]
    codes = [k["code"] for k in scenario["kelurahan"]]
    event = service.create_event(
        hazard_type_id=db.session.scalar(
            select(HazardType.id).where(HazardType.code == spec["hazard"])
        ),
        title=spec["title"],
        description=spec["description"],
        started_at=_local_to_utc(start_day, spec["started_hour_wib"], tz),
        source=spec["source"],
        reporter=spec["reporter"],
        kelurahan_codes=codes,
    )
    decree = scenario["decree"]
    decree_service.add_decree(
        event,
        status=decree["status"],
        decree_number=decree["decree_number"],
        issuer_level=decree["issuer_level"],
        starts_on=start_day,
        ends_on=start_day + timedelta(days=decree["days"] - 1),
    )
    for day_offset, hour, text in scenario["chronology"]:
        chronology_service.add_chronology(
            event,
            occurred_at=_local_to_utc(start_day + timedelta(days=day_offset), hour, tz),
            text=text,
        )

    return event


def _rapid_assessment(event: Event, scenario: dict, rng: random.Random) -> None:
    """Kaji cepat figures per kelurahan."""
    # More people than the registry holds yet, as in a real first week.
    for kel in scenario["kelurahan"]:
        scale = kel["depth_cm"] // 10
        figures = {}
        for age, share in (("anak", 3), ("dewasa", 5), ("lansia", 1)):
            for sex in ("L", "P"):
                figures[f"menderita.{age}.{sex}"] = scale * share + rng.randint(0, 9)
                figures[f"mengungsi.{age}.{sex}"] = (scale * share) // 2 + rng.randint(0, 5)
        figures["kk.menderita"] = scale * 6
        figures["kk.mengungsi"] = scale * 3
        figures["rumah.terendam"] = scale * 7
        figures["rumah.rusak_ringan"] = scale // 3
        figures["ibu_hamil"] = rng.randint(1, 4)
        if kel["depth_cm"] >= 150:
            figures["terluka.dewasa.L"] = rng.randint(1, 3)
            figures["rumah.rusak_sedang"] = rng.randint(2, 6)
        impact_service.set_impact(event, kel["code"], figures)


def _open_shelters(event: Event, scenario: dict, start_day: date) -> dict[str, list[int]]:
    """The scenario's shelters with their daily head counts; shelter ids per kelurahan."""
    shelter_ids = {}
    for spec_shelter in scenario["shelters"]:
        shelter = open_shelter(
            name=spec_shelter["name"],
            kind=spec_shelter["kind"],
            capacity=spec_shelter["capacity"],
            event_id=event.id,
            kelurahan_code=spec_shelter["kelurahan"],
            lat=spec_shelter["lat"],
            lng=spec_shelter["lng"],
            floor_area_m2=spec_shelter["floor_area_m2"],
            toilets=spec_shelter["toilets"],
            water_points=spec_shelter["water_points"],
            has_dapur_umum=spec_shelter["dapur_umum"],
            pic_name="Koordinator posko",
            opened_on=start_day,
        ).shelter
        shelter_ids.setdefault(spec_shelter["kelurahan"], []).append(shelter.id)
        for day_offset, persons in enumerate(spec_shelter["counts"]):
            record_head_count(
                shelter,
                persons=persons,
                counted_on=start_day + timedelta(days=day_offset),
                households=max(persons // 4, 0 if persons == 0 else 1),
                groups={
                    "balita": persons // 10,
                    "lansia": persons // 12,
                    "ibu_hamil": persons // 40,
                    "anak": persons // 4,
                },
            )

    return shelter_ids


def _register_victims(
    event: Event, scenario: dict, rng: random.Random, today: date, shelter_ids: dict
) -> int:
    """Households of three to six per flooded kelurahan, most displaced where a shelter is."""
    serial = 1
    registered = 0
    for kel in scenario["kelurahan"]:
        code = kel["code"]
        for _ in range(kel["households"]):
            members = _family(rng, scenario["names"], today)
            issued = date(2010 + rng.randint(0, 15), rng.randint(1, 12), rng.randint(1, 28))
            no_kk = f"{code[:8].replace('.', '')}{issued:%d%m%y}{serial:04d}"
            status = "mengungsi" if code in shelter_ids and rng.random() < 0.7 else "menderita"
            shelter_id = rng.choice(shelter_ids[code]) if status == "mengungsi" else None
            household = None
            for name, sex, birth, relation, pregnant in members:
                serial += 1
                person = PersonInput(
                    name=name,
                    nik=_nik(code, birth, sex, serial),
                    relation=relation,
                    pregnant=pregnant,
                )
                victim, _ = victims.register_victim(
                    event,
                    person,
                    status=status,
                    kelurahan_code=code,
                    shelter_id=shelter_id,
                    household=household,
                    household_data=None
                    if household
                    else {
                        "no_kk": no_kk,
                        "head_name": members[0][0],
                        "address": f"RT {rng.randint(1, 9):03d}/RW {rng.randint(1, 15):03d}",
                        "kelurahan_code": code,
                    },
                )
                household = victim.person.household
                registered += 1
    registered += _register_twice(event, victim)
    victims.register_institution(
        event,
        name="Panti Sosial Lansia Kasih Bunda",
        kind="panti",
        kelurahan_code="32.75.09.1004",
        headcount=24,
        status="mengungsi",
        shelter_id=shelter_ids["32.75.09.1004"][0],
    )
    return registered


def _register_twice(event: Event, victim) -> int:
    """The last person registered again by another post, without NIK and with a typo in the
    name: the likely duplicate the operator's work queue offers to merge."""
    person = victim.person
    twin = PersonInput(
        name=person.name[:-1] + ("i" if person.name[-1] != "i" else "a"),
        no_nik_reason="dokumen_hilang",
        sex=person.sex,
        birth_date=person.birth_date,
        relation=person.relation,
    )
    victims.register_victim(
        event,
        twin,
        status=victim.status,
        kelurahan_code=victim.kelurahan_code,
        shelter_id=victim.shelter_id,
        household=person.household,
        household_data=None,
    )
    return 1


def _seed_tagana(scenario: dict, event: Event, start_day: date, tz: ZoneInfo) -> int:
    """Members, a linked field account, deployments in every state, KSB and vehicles.

    Two shelters are left without anyone on duty, so the roster board shows its gaps.
    """
    field_user = db.session.scalar(select(User).where(User.username == "tagana"))
    homes = [k["code"] for k in scenario["kelurahan"]] + ["32.75.02.1001", "32.75.06.1003"]
    members = {}
    for i, (nia, name, sex, level, skills) in enumerate(scenario["tagana"]):
        members[nia] = create_member(
            nia=nia,
            name=name,
            sex=sex,
            level=level,
            competencies=skills,
            home_kelurahan_code=homes[i % len(homes)],
            phone=f"0812{i:04d}{nia[-4:]}",
            decree_number=f"800/Kep.{110 + i}-Dinsos/2024",
            decree_date=date(2024, 2, 12),
            joined_on=date(2024, 2, 12),
            user_id=field_user.id if field_user and i == 0 else None,
        )
    add_training(
        members["3275-0001"],
        name="Diklat Dapur Umum Lapangan",
        organizer="Kemensos (B2P3KS Bandung)",
        started_on=date(2026, 3, 10),
        ended_on=date(2026, 3, 14),
        certificate_number="DU-2026/0412",
    )
    add_training(
        members["3275-0006"],
        name="Pelatihan Kaji Cepat Bencana",
        organizer="Dinas Sosial Provinsi Jawa Barat",
        started_on=date(2026, 5, 4),
        ended_on=date(2026, 5, 6),
    )
    register_vehicle(plate="B 9123 KSA", kind="Truk logistik", assigned_unit="Gudang Dinas Sosial")
    register_vehicle(
        plate="B 9456 KSB", kind="Mobil dapur umum lapangan", assigned_unit="Tagana Kota Bekasi"
    )
    shelter_by_name = {s.name: s.id for s in shelter_summaries(event.id)}
    warehouses = _seed_warehouses(shelter_by_name)
    register_ksb(
        name="KSB Jatirasa Tangguh",
        kelurahan_code="32.75.09.1004",
        formed_year=2023,
        facilitation_years=[2024, 2025, 2026],
        contact_name="Ketua KSB Jatirasa",
        warehouse_id=warehouses["LBS-3275-09-01"].id,
    )
    register_ksb(
        name="KSB Bojong Rawalumbu Siaga",
        kelurahan_code="32.75.05.1001",
        formed_year=2025,
        facilitation_years=[2026],
    )

    return _seed_deployments(scenario, event, members, start_day, tz, shelter_by_name)


def _seed_deployments(
    scenario: dict, event: Event, members: dict, start_day: date, tz: ZoneInfo, places: dict
) -> int:
    """The scenario's deployments, in every state: planned, on duty, done with a task report."""
    office = db.session.scalar(select(User).where(User.role == "admin"))
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == "GDG-3275-01"))
    truck = db.session.scalar(select(Vehicle).where(Vehicle.plate == "B 9123 KSA"))

    def at(moment: list[int]) -> datetime:
        day, hour = moment
        return _local_to_utc(start_day + timedelta(days=day), hour, tz)

    for row in scenario["tagana_plan"]:
        member, kind = members[row["nia"]], row["place_kind"]
        starts, ends = at(row["starts"]), at(row["ends"])
        deployment = deploy_member(
            member_id=member.id,
            event_id=event.id,
            place_kind=kind,
            role=row["role"],
            letter_number=f"094/ST-{member.id:02d}/Linjamsos/XI/2026",
            starts_at=starts,
            ends_at=ends,
            kelurahan_code=row["kelurahan"],
            shelter_id=places.get(row["shelter"]) if row["shelter"] else None,
            place_name=PLACE_NAMES.get(kind, ""),
            warehouse_id=warehouse.id if kind == "gudang" else None,
            vehicle_id=truck.id if kind == "gudang" else None,
            actor=office,
        )
        if row["checked_in"]:
            check_in(deployment, office, at=starts)
        if row["report"]:
            report = row["report"]
            submit_task_report(
                deployment,
                office,
                activities=report["activities"],
                people_served=report["people_served"],
                now=ends,
            )
    return len(scenario["tagana_plan"])


def _seed_warehouses(shelter_by_name: dict) -> dict[str, Warehouse]:
    """The office warehouse, the Jatirasa lumbung sosial and a posko store at GOR Patriot."""
    rows = [
        (
            "GDG-3275-01",
            "Gudang Logistik Dinas Sosial Kota Bekasi",
            "kab_kota",
            "32.75.04.1005",
            -6.2402,
            106.9855,
            None,
        ),
        (
            "LBS-3275-09-01",
            "Lumbung Sosial KSB Jatirasa Tangguh",
            "lumbung_sosial",
            "32.75.09.1004",
            -6.2950,
            106.9702,
            None,
        ),
        (
            "PSK-3275-04-01",
            "Gudang posko GOR Patriot Candrabhaga",
            "posko",
            "32.75.04.1002",
            -6.2440,
            106.9931,
            shelter_by_name.get("GOR Patriot Candrabhaga"),
        ),
    ]
    made = {}
    for code, name, tier, kelurahan, lat, lng, shelter_id in rows:
        made[code] = Warehouse(
            code=code,
            name=name,
            tier=tier,
            kelurahan_code=kelurahan,
            lat=lat,
            lng=lng,
            shelter_id=shelter_id,
            pic_name="Petugas gudang Dinas Sosial",
        )
        db.session.add(made[code])
    db.session.flush()
    return made
