"""The demo flood: Kali Bekasi overflows through eight kelurahan (data/demo_bekasi_flood.json)."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from logistics.config import ROOT
from logistics.extensions import db
from logistics.models import Event, HazardType
from logistics.services import events, shelters, victims
from logistics.services.victims import PersonInput

SCENARIO = ROOT / "data" / "demo_bekasi_flood.json"
# Fixed seed: every demo install shows the same families.
SEED = 3275


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
    spec = scenario["event"]
    start_day = today - timedelta(days=spec["started_days_ago"])
    codes = [k["code"] for k in scenario["kelurahan"]]

    event = events.create_event(
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
    events.add_decree(
        event,
        status=decree["status"],
        decree_number=decree["decree_number"],
        issuer_level=decree["issuer_level"],
        starts_on=start_day,
        ends_on=start_day + timedelta(days=decree["days"] - 1),
    )
    for day_offset, hour, text in scenario["chronology"]:
        events.add_chronology(
            event,
            occurred_at=_local_to_utc(start_day + timedelta(days=day_offset), hour, tz),
            text=text,
        )

    # Rapid assessment: more people than the registry holds yet, as in a real first week.
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
        events.set_impact(event, kel["code"], figures)

    shelter_ids = {}
    for spec_shelter in scenario["shelters"]:
        shelter = shelters.open_shelter(
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
            shelters.record_head_count(
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
    victims.register_institution(
        event,
        name="Panti Sosial Lansia Kasih Bunda",
        kind="panti",
        kelurahan_code="32.75.09.1004",
        headcount=24,
        status="mengungsi",
        shelter_id=shelter_ids["32.75.09.1004"][0],
    )
    db.session.flush()
    return {"events": 1, "shelters": len(scenario["shelters"]), "victims": registered}
