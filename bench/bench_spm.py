"""SPM rebuild benchmark: a province-scale year (Jawa Barat) against one plain SQL aggregation pass."""

import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from logistics import create_app
from logistics.core.extensions import db

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"
EVENTS = 2_000
VICTIMS = 500_000
RECIPIENT_LINES = 2_000_000
YEAR = 2026
CHUNK = 20_000


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            # No queue: the bulk inserts bypass the session hooks anyway; the rebuild is timed.
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "OFFICE_AREA_CODE": "32",
            "OFFICE_NAME": "Dinas Sosial Provinsi Jawa Barat",
        }
    )
    with app.app_context():
        db.create_all()
        from logistics.reference import seed_reference_data

        seed_reference_data()
        db.session.commit()
    return app


def _bulk(model, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def generate(scale: float = 1.0, seed: int = 6) -> dict:
    """Jawa Barat's desa, then `scale` x (2,000 events, 500,000 victims, 2,000,000 distribution
    recipient lines) for one fiscal year, inserted with bulk core inserts. Returns the counts."""
    from logistics.areas.models import Area
    from logistics.areas.services import load_boundary_file
    from logistics.distributions.models import Distribution, DistributionRecipient
    from logistics.events.models import Event, HazardType, ImpactFigure
    from logistics.shelters.models import Shelter, ShelterCount
    from logistics.victims.models import Household, Person, Victim

    rng = random.Random(seed)
    load_boundary_file(BOUNDARIES / "prov_jawa_barat.geojson.gz")
    db.session.commit()
    desa = list(
        db.session.scalars(select(Area.code).where(Area.level == "kelurahan").order_by(Area.code))
    )
    hazards = list(db.session.scalars(select(HazardType.id)))
    n_events = max(int(EVENTS * scale), 1)
    n_victims = int(VICTIMS * scale)
    n_lines = int(RECIPIENT_LINES * scale)
    now = datetime(2026, 12, 31)

    events = []
    for i in range(n_events):
        started = datetime(YEAR, 1, 1, 2) + timedelta(hours=rng.randrange(0, 360 * 24))
        events.append(
            {
                "id": i + 1,
                "code": f"32-{YEAR}-{i + 1:05d}",
                "office_code": "32",
                "year": YEAR,
                "seq": i + 1,
                "hazard_type_id": rng.choice(hazards),
                "title": f"Kejadian uji {i + 1}",
                "started_at": started,
                "created_at": now,
                "description": "",
                "source": "",
                "reporter": "",
            }
        )
    _bulk(Event, events)
    # Each event hits 1-5 desa; each has two shelters with a head count on its second day.
    event_desa = {e["id"]: rng.sample(desa, rng.randint(1, 5)) for e in events}
    shelters, counts, shelter_of = [], [], {}
    for e in events:
        for s in range(2):
            shelter_id = len(shelters) + 1
            shelters.append(
                {
                    "id": shelter_id,
                    "event_id": e["id"],
                    "name": f"Posko {e['id']}-{s}",
                    "kind": "gedung_sekolah",
                    "kelurahan_code": event_desa[e["id"]][0],
                    "address": "",
                    "capacity": 200,
                    "toilets": 4,
                    "water_points": 2,
                    "has_dapur_umum": s == 0,
                    "pic_name": "",
                    "pic_phone": "",
                    "status": "buka",
                    "opened_at": now,
                }
            )
            shelter_of.setdefault(e["id"], []).append(shelter_id)
            if s == 0:
                counts.append(
                    {
                        "shelter_id": shelter_id,
                        "counted_on": e["started_at"].date() + timedelta(days=1),
                        "persons": rng.randint(20, 200),
                        "households": rng.randint(5, 50),
                        "note": "",
                        "recorded_at": now,
                    }
                )
    _bulk(Shelter, shelters)
    _bulk(ShelterCount, counts)
    # Rapid-assessment figures in the last desa of events hitting several (no registry there).
    figures = []
    for e in events:
        if len(event_desa[e["id"]]) > 2:
            for measure in ("mengungsi.dewasa.L", "menderita.anak.P", "kk.mengungsi"):
                figures.append(
                    {
                        "event_id": e["id"],
                        "kelurahan_code": event_desa[e["id"]][-1],
                        "source": "kaji_cepat",
                        "measure": measure,
                        "value": rng.randint(5, 300),
                        "updated_at": now,
                    }
                )
    _bulk(ImpactFigure, figures)

    # Persons in households of 4; one in five victims is a person already hit by another event.
    n_persons = int(n_victims * 0.8)
    households = [{"id": h + 1, "head_name": f"KK {h + 1}", "address": "", "rt": "", "rw": "",
                   "created_at": now} for h in range(n_persons // 4 + 1)]  # fmt: skip
    _bulk(Household, households)
    persons = [
        {
            "id": p + 1,
            "name": f"Warga {p + 1}",
            "sex": "LP"[p % 2],
            "no_nik_reason": "lainnya",
            "household_id": p // 4 + 1,
            "relation": "lainnya",
            "pregnant": False,
            "breastfeeding": False,
            "disability": False,
            "chronic_illness": False,
            "created_at": now,
            "updated_at": now,
        }
        for p in range(n_persons)
    ]
    _bulk(Person, persons)
    del persons, households
    victims, seen = [], set()
    victims_of: dict[int, list[int]] = {}
    person_cursor = 1
    for v in range(n_victims):
        event_id = (v * n_events) // n_victims + 1
        if person_cursor <= n_persons and rng.random() > 0.2:
            person_id = person_cursor
            person_cursor += 1
        else:
            person_id = rng.randint(1, max(person_cursor - 1, 1))
        if (event_id, person_id) in seen:
            continue
        seen.add((event_id, person_id))
        status = rng.choices(("mengungsi", "menderita", "terluka", "meninggal"), (5, 8, 1, 0.1))[0]
        victims.append(
            {
                "event_id": event_id,
                "person_id": person_id,
                "status": status,
                "kelurahan_code": rng.choice(event_desa[event_id][:-1] or event_desa[event_id]),
                "shelter_id": rng.choice(shelter_of[event_id]) if status == "mengungsi" else None,
                "note": "",
                "registered_at": now,
            }
        )
        victims_of.setdefault(event_id, []).append(person_id)
    _bulk(Victim, victims)
    del seen

    # Hand-outs of 4 persons each to the event's victims over its first week, plus dapur umum.
    distributions, lines = [], []
    components = ("permakanan", "permakanan", "sandang", "tempat_penampungan", "psikososial")
    event_rows = {e["id"]: e for e in events}
    distribution_id = 0
    while len(lines) < n_lines:
        event_id = rng.randint(1, n_events)
        people = victims_of.get(event_id)
        if not people:
            continue
        distribution_id += 1
        served = rng.sample(people, min(4, len(people)))
        kitchen = distribution_id % 50 == 0
        distributions.append(
            {
                "id": distribution_id,
                "event_id": event_id,
                "component": "permakanan" if kitchen else rng.choice(components),
                "phase": "saat",
                "recipient_kind": "kitchen" if kitchen else "household",
                "kelurahan_code": event_desa[event_id][0],
                "shelter_id": rng.choice([None, *shelter_of[event_id]]),
                "distributed_on": event_rows[event_id]["started_at"].date()
                + timedelta(days=rng.randint(0, 6)),
                "persons_served": len(served),
                "anonymous_portions": rng.randint(50, 300) if kitchen else 0,
                "service_note": "",
                "receiver_name": "",
                "note": "",
                "created_at": now,
            }
        )
        lines.extend({"distribution_id": distribution_id, "person_id": p} for p in served)
    _bulk(Distribution, distributions)
    _bulk(DistributionRecipient, lines[:n_lines])
    db.session.commit()
    return {
        "desa": len(desa),
        "events": n_events,
        "victims": len(victims),
        "persons": n_persons,
        "distributions": len(distributions),
        "recipient_lines": min(len(lines), n_lines),
    }


def plain_sql_pass() -> float:
    """The floor: one GROUP BY over the recipient lines and one over the victims, nothing else."""
    started = time.perf_counter()
    db.session.execute(
        text(
            "SELECT d.event_id, d.distributed_on, d.kelurahan_code, d.shelter_id, d.component,"
            " COUNT(DISTINCT r.person_id), SUM(d.anonymous_portions)"
            " FROM distribution_recipients r JOIN distributions d ON d.id = r.distribution_id"
            " GROUP BY d.event_id, d.distributed_on, d.kelurahan_code, d.shelter_id, d.component"
        )
    ).all()
    db.session.execute(
        text(
            "SELECT v.event_id, v.kelurahan_code, v.shelter_id, v.status,"
            " COUNT(DISTINCT v.person_id) FROM victims v"
            " GROUP BY v.event_id, v.kelurahan_code, v.shelter_id, v.status"
        )
    ).all()
    return time.perf_counter() - started


def _timed_rebuild(rebuild) -> float:
    started = time.perf_counter()
    rebuild()
    db.session.commit()
    return time.perf_counter() - started


def run(scale: float | None = None, after=None) -> dict:
    """Generate the scenario, then time the full SPM rebuild and the plain SQL pass in one run.

    `after()`, if given, runs on the rebuilt scenario (the year-end report benchmark reuses it);
    its result comes back under "after".
    """
    from logistics.spm.aggregates import rebuild
    from logistics.spm.models import SpmDaily, SpmYear

    scale = scale if scale is not None else float(os.environ.get("BENCH_SPM_SCALE", "1"))
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            started = time.perf_counter()
            counts = generate(scale)
            setup_s = time.perf_counter() - started
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            # Best of two runs each, so one hiccup of the machine does not decide the ratio.
            floor_s = min(plain_sql_pass(), plain_sql_pass())
            rebuild_s = min(_timed_rebuild(rebuild), _timed_rebuild(rebuild))
            daily_rows = db.session.scalar(select(func.count(SpmDaily.id)))
            year = db.session.scalar(
                select(SpmYear).where(SpmYear.quarter == 0, SpmYear.component == "semua")
            )
            result = dict(counts)
            result.update(
                setup_s=setup_s,
                plain_sql_s=floor_s,
                rebuild_s=rebuild_s,
                ratio=rebuild_s / floor_s if floor_s else None,
                daily_rows=daily_rows,
                persons_needing=year.persons_needing if year else 0,
                persons_met=year.persons_met if year else 0,
                day=date.today().isoformat(),
            )
            if after is not None:
                result["after"] = after()
    return result


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<20} {value:.2f}" if isinstance(value, float) else f"{key:<20} {value}")
