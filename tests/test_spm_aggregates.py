"""SPM aggregates: hand-computed cases, incremental path equal to a full rebuild, queue down then up."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from logistics.areas.models import Area
from logistics.distributions.models import Distribution
from logistics.events.models import Event
from logistics.shelters.models import ShelterCount
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import tracking as spm_tracking
from logistics.spm.models import SpmDaily, SpmStale, SpmYear
from logistics.victims.models import Household, Person, Victim
from tests.support.spm import (
    A_DAY,
    add_person,
    add_shelter,
    add_victim,
    hand_out,
)

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"


def daily(db, event, day, kelurahan, key, component):
    row = db.session.scalar(
        select(SpmDaily).where(
            SpmDaily.event_id == event.id,
            SpmDaily.day == day,
            SpmDaily.kelurahan_code == kelurahan,
            SpmDaily.shelter_key == key,
            SpmDaily.component == component,
        )
    )
    if row is None:
        return None
    return (
        row.persons_needing,
        row.households_needing,
        row.persons_delivered,
        row.portions_delivered,
        row.estimated,
    )


def year_row(db, year, component, quarter=0):
    row = db.session.scalar(
        select(SpmYear).where(
            SpmYear.year == year, SpmYear.quarter == quarter, SpmYear.component == component
        )
    )
    return (row.persons_needing, row.persons_served, row.persons_met, row.persons_estimated)


def test_hand_computed_daily_rows(db, scenario):
    spm_aggregates.rebuild()
    db.session.commit()
    flood, mosque, school = scenario["flood"], scenario["mosque"], scenario["school"]
    # Budi in the mosque: needs food, got food, plus 30 kitchen portions to unnamed people.
    assert daily(db, flood, A_DAY, BEKASIJAYA, mosque.id, "permakanan") == (1, 1, 1, 30, False)
    # His wife Ani in the school: the household is in both shelters ...
    assert daily(db, flood, A_DAY, BEKASIJAYA, school.id, "permakanan") == (1, 1, 1, 0, False)
    assert daily(db, flood, A_DAY, BEKASIJAYA, school.id, "sandang") == (1, 1, 0, 0, False)
    # ... but one household of the kelurahan: 3 persons, 2 households (Budi's and Siti's).
    assert daily(db, flood, A_DAY, BEKASIJAYA, -1, "permakanan") == (3, 2, 3, 30, False)
    assert daily(db, flood, A_DAY, BEKASIJAYA, -1, "sandang") == (2, 1, 1, 0, False)
    # Siti stays at home affected: she needs food only.
    assert daily(db, flood, A_DAY, BEKASIJAYA, 0, "permakanan") == (1, 1, 1, 0, False)
    assert daily(db, flood, A_DAY, BEKASIJAYA, 0, "sandang") is None
    # Rapid assessment only: 10 displaced + 5 affected need food, 10 need clothes, 4 KK.
    k3 = scenario["k3"]
    assert daily(db, flood, A_DAY, k3, 0, "permakanan") == (15, 4, 0, 0, True)
    assert daily(db, flood, A_DAY, k3, -1, "tempat_penampungan") == (10, 4, 0, 0, True)
    # The event's first day has rows even before any hand-out.
    assert daily(db, flood, date(2026, 11, 20), BEKASIJAYA, -1, "permakanan") == (
        3, 2, 0, 0, False,
    )  # fmt: skip


def test_shelter_head_count_replaces_registry_from_its_day(db, scenario):
    flood, mosque = scenario["flood"], scenario["mosque"]
    db.session.add(ShelterCount(shelter_id=mosque.id, counted_on=A_DAY, persons=40, households=12))
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    assert daily(db, flood, date(2026, 11, 20), BEKASIJAYA, mosque.id, "permakanan")[:2] == (1, 1)
    assert daily(db, flood, A_DAY, BEKASIJAYA, mosque.id, "permakanan")[:2] == (40, 12)
    # The next day has no count of its own: the latest count still holds.
    assert daily(db, flood, date(2026, 11, 22), BEKASIJAYA, mosque.id, "sandang")[:2] == (40, 12)
    # Kelurahan total: 40 in the mosque + Ani in the school + Siti at home.
    assert daily(db, flood, A_DAY, BEKASIJAYA, -1, "permakanan")[:2] == (42, 14)


def test_hand_computed_year_achievement(db, scenario):
    spm_aggregates.rebuild()
    db.session.commit()
    # Budi (two events, counted once) got food, clothes and shelter: met. Ani only food: not
    # met. Siti needs food only and got it: met. 2 of 3.
    assert year_row(db, 2026, "semua") == (3, 3, 2, 15)
    assert year_row(db, 2026, "permakanan") == (3, 3, 3, 15)
    assert year_row(db, 2026, "sandang") == (2, 1, 1, 10)
    assert year_row(db, 2026, "tempat_penampungan") == (2, 1, 1, 10)
    assert year_row(db, 2026, "psikososial") == (0, 0, 0, 0)
    # All of it in the fourth quarter; nothing needed before.
    assert year_row(db, 2026, "semua", quarter=4)[:3] == (3, 3, 2)
    assert year_row(db, 2026, "semua", quarter=3)[:3] == (0, 0, 0)


def _reference_year(db, year):
    """{(quarter, component): (needing, served, met)} worked out per person in plain Python,
    straight from the definitions (compute_year's docstring)."""
    from logistics.core.spm_components import SPM_COMPONENTS
    from logistics.spm.settings import met_rules

    rules = met_rules()

    def quarter(day):
        return 5 if day.year > year else 1 if day.year < year else (day.month + 2) // 3

    events = {e.id: e for e in db.session.scalars(select(Event).where(Event.year == year))}
    needs: dict[int, dict[str, int]] = defaultdict(dict)
    for victim in db.session.scalars(select(Victim).where(Victim.event_id.in_(events))):
        first = quarter(events[victim.event_id].started_at.date())
        for component in rules.get(victim.status, ()):
            wanted = needs[victim.person_id]
            wanted[component] = min(first, wanted.get(component, 9))
    served: dict[int, dict[str, int]] = defaultdict(dict)
    lines = set()
    for d in db.session.scalars(select(Distribution).where(Distribution.event_id.in_(events))):
        for recipient in d.recipients:
            got = served[recipient.person_id]
            got[d.component] = min(quarter(d.distributed_on), got.get(d.component, 9))
            lines.add((recipient.person_id, d.component, quarter(d.distributed_on)))
    figures = {}
    for q in range(5):
        upto = 5 if q == 0 else q
        for component in [*SPM_COMPONENTS, "semua"]:
            needing = met = 0
            for pid, wanted in needs.items():
                if component != "semua":
                    wanted = {component: wanted[component]} if component in wanted else {}
                if not wanted or min(wanted.values()) > upto:
                    continue
                needing += 1
                got = served.get(pid, {})
                if all(c in got for c in wanted) and all(
                    max(wanted[c], got[c]) <= upto for c in wanted
                ):
                    met += 1
            if q == 0:
                count = sum(
                    1 for got in served.values() if component == "semua" or component in got
                )
            else:
                count = len({p for p, c, qq in lines if qq == q and component in ("semua", c)})
            figures[(q, component)] = (needing, count, met)
    return figures


def test_year_figures_match_a_per_person_reference_over_quarters(db, make_event, run_jobs):
    """Events in every quarter, one the year before, hand-outs running into the next year."""
    rng = random.Random(202611)
    events = [
        make_event(title=f"Banjir {start}", started_at=start)
        for start in (
            datetime(2025, 12, 10, 5),
            datetime(2026, 2, 14, 5),
            datetime(2026, 5, 14, 5),
            datetime(2026, 8, 14, 5),
            datetime(2026, 11, 25, 5),
        )
    ]
    people = [add_person(db, f"Warga {n}") for n in range(40)]
    statuses = ["mengungsi", "menderita", "hilang", "meninggal", "terluka"]
    for event in events:
        for person in rng.sample(people, 14):
            add_victim(db, event, person, rng.choice(statuses))
    components = ["permakanan", "sandang", "tempat_penampungan", "kelompok_rentan", "psikososial"]
    for _ in range(120):
        event = rng.choice(events)
        day = event.started_at.date() + timedelta(days=rng.randint(0, 45))
        hand_out(db, event, rng.choice(components), day, rng.sample(people, rng.randint(1, 3)))
    db.session.commit()
    expected = _reference_year(db, 2026)
    assert expected[(0, "semua")][2] > 0 and expected[(0, "semua")][2] < expected[(0, "semua")][0]
    assert expected[(1, "semua")][0] > 0  # needs from the first quarter on

    def figures():
        return {
            (r.quarter, r.component): (r.persons_needing, r.persons_served, r.persons_met)
            for r in db.session.scalars(select(SpmYear).where(SpmYear.year == 2026))
        }

    spm_aggregates.rebuild()  # reads the rebuild's distinct aid lines
    db.session.commit()
    assert figures() == expected
    db.session.execute(delete(SpmYear))
    spm_aggregates.recompute_year(2026)  # reads the aid lines themselves (the worker's path)
    db.session.commit()
    assert figures() == expected


def test_merged_duplicate_counts_as_one_person(db, scenario):
    budi = db.session.scalar(select(Person).where(Person.name == "Budi"))
    twin = add_person(db, "Budi (ganda)")
    twin.merged_into_id = budi.id
    hand_out(db, scenario["flood"], "sandang", A_DAY, [twin], shelter=scenario["mosque"])
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    assert year_row(db, 2026, "sandang")[:3] == (2, 1, 1)


def snapshot(db):
    daily_rows = sorted(
        (
            r.event_id, r.day, r.kelurahan_code, r.shelter_key, r.component, r.persons_needing,
            r.households_needing, r.persons_delivered, r.portions_delivered, r.estimated,
        )
        for r in db.session.scalars(select(SpmDaily))
    )  # fmt: skip
    year_rows = sorted(
        (r.year, r.quarter, r.component, r.persons_needing, r.persons_served, r.persons_met)
        for r in db.session.scalars(select(SpmYear))
    )
    return daily_rows, year_rows


def test_incremental_path_equals_full_rebuild(db, make_event, run_jobs):
    rng = random.Random(20261130)
    kelurahan = list(
        db.session.scalars(
            select(Area.code).where(Area.level == "kelurahan").order_by(Area.code).limit(6)
        )
    )
    events = [
        make_event(title=f"Banjir {i}", started_at=datetime(2026, 11, 1 + 3 * i, 2))
        for i in range(3)
    ]
    people = []
    for h in range(12):
        household = Household(head_name=f"KK {h}")
        db.session.add(household)
        people += [add_person(db, f"Warga {h}-{m}", household) for m in range(rng.randint(1, 4))]
    db.session.commit()
    shelters = {e.id: [add_shelter(db, e, f"Posko {e.id}-{s}") for s in range(2)] for e in events}
    db.session.commit()
    run_jobs()
    for event in events:
        for person in rng.sample(people, 15):
            shelter = rng.choice([None, *shelters[event.id]])
            add_victim(
                db, event, person, "mengungsi" if shelter else rng.choice(["menderita", "hilang"]),
                kelurahan=rng.choice(kelurahan), shelter=shelter,
            )  # fmt: skip
            db.session.commit()
    moved = None
    for _ in range(60):
        event = rng.choice(events)
        day = event.started_at.date() + timedelta(days=rng.randint(0, 5))
        distribution = hand_out(
            db, event, rng.choice(["permakanan", "sandang", "tempat_penampungan", "psikososial"]),
            day, rng.sample(people, rng.randint(0, 4)), kelurahan=rng.choice(kelurahan),
            shelter=rng.choice([None, *shelters[event.id]]),
            anonymous_portions=rng.choice([0, 0, 25]),
        )  # fmt: skip
        db.session.commit()
        moved = moved or distribution
        if rng.random() < 0.2:
            run_jobs()
    db.session.add(
        ShelterCount(shelter_id=shelters[events[0].id][0].id, counted_on=date(2026, 11, 3),
                     persons=30, households=9)
    )  # fmt: skip
    moved.distributed_on = moved.distributed_on + timedelta(days=1)
    db.session.commit()
    db.session.delete(db.session.scalar(select(Victim).limit(1)))
    db.session.commit()
    run_jobs()
    run_jobs()
    incremental = snapshot(db)
    assert incremental[0] and incremental[1]
    spm_aggregates.rebuild()
    db.session.commit()
    assert snapshot(db) == incremental


def test_burst_of_writes_queues_one_job_per_event_and_day(db, scenario, app):
    from logistics.core.queue import get_queue

    queue = get_queue()
    queue.connection.flushdb()  # forget the jobs and keys the scenario queued
    budi = db.session.scalar(select(Person).where(Person.name == "Budi"))
    for _ in range(200):
        hand_out(db, scenario["flood"], "psikososial", A_DAY, [budi])
        db.session.commit()
    functions = [job.func_name for job in queue.get_jobs()]
    assert functions.count("workers.jobs.spm_recompute") == 1
    assert functions.count("workers.jobs.spm_catch_up") <= 1


def test_repeated_notices_of_one_day_queue_it_once(db, scenario, app):
    from logistics.core.queue import get_queue

    queue = get_queue()
    queue.connection.flushdb()
    touched = {(scenario["flood"].id, A_DAY)}
    queued = [spm_tracking.notify(touched) for _ in range(500)]
    # The first notice queues the recompute; the other 499 find its key taken and send nothing.
    assert queued[0] == 1 and sum(queued) == 1
    assert [job.func_name for job in queue.get_jobs()].count("workers.jobs.spm_recompute") == 1


def test_queue_down_then_up(db, scenario, app, run_jobs, redis_server_url):
    flood = scenario["flood"]
    spm_aggregates.rebuild()
    db.session.commit()
    budi = db.session.scalar(select(Person).where(Person.name == "Budi"))
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    spm_tracking.reset()
    hand_out(db, flood, "psikososial", A_DAY, [budi], shelter=scenario["mosque"])
    db.session.commit()  # the write succeeds although the queue is down
    assert db.session.scalar(select(Distribution).where(Distribution.component == "psikososial"))
    marks = list(db.session.scalars(select(SpmStale)))
    assert [(m.event_id, m.day) for m in marks] == [(flood.id, A_DAY)]
    assert daily(db, flood, A_DAY, BEKASIJAYA, scenario["mosque"].id, "psikososial") is None

    app.config["REDIS_URL"] = redis_server_url
    spm_tracking.reset()
    hand_out(db, scenario["fire"], "sandang", date(2026, 11, 26), [budi], kelurahan=MARGAHAYU)
    db.session.commit()  # the first successful enqueue also sends the catch-up
    run_jobs()
    db.session.expire_all()
    assert db.session.scalars(select(SpmStale)).all() == []
    assert daily(db, flood, A_DAY, BEKASIJAYA, scenario["mosque"].id, "psikososial") == (
        0, 0, 1, 0, False,
    )  # fmt: skip
    current = snapshot(db)
    spm_aggregates.rebuild()
    db.session.commit()
    assert snapshot(db) == current


def test_rebuild_clears_stale_marks_and_is_idempotent(db, scenario):
    spm_tracking.mark_stale({(scenario["flood"].id, None)})
    assert spm_tracking.stale_count() == 1
    spm_aggregates.rebuild(2026)
    db.session.commit()
    first = snapshot(db)
    spm_aggregates.rebuild(2026)
    db.session.commit()
    assert snapshot(db) == first
    assert spm_tracking.stale_count() == 0


def test_status_needing_nothing_is_not_counted(db, scenario):
    lost = add_person(db, "Hilang")
    add_victim(db, scenario["flood"], lost, "hilang")
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    assert year_row(db, 2026, "semua")[:3] == (3, 3, 2)


def test_merging_two_persons_updates_the_tables(db, scenario, run_jobs):
    spm_aggregates.rebuild()
    db.session.commit()
    run_jobs()
    # Ani turns out to be Siti registered twice: from now on one person.
    ani = db.session.scalar(select(Person).where(Person.name == "Ani"))
    siti = db.session.scalar(select(Person).where(Person.name == "Siti"))
    ani.merged_into_id = siti.id
    db.session.commit()
    run_jobs()
    run_jobs()
    db.session.expire_all()
    assert year_row(db, 2026, "semua")[:1] == (2,)
    incremental = snapshot(db)
    spm_aggregates.rebuild()
    db.session.commit()
    assert snapshot(db) == incremental


def test_an_event_with_a_large_id_is_counted_exactly(db, make_event):
    """Aid lines are grouped by one 64-bit number per (event, day, kelurahan, component): an event
    numbered in the tens of millions must neither overflow nor fall into another's group."""
    template = make_event()
    values = {c.key: getattr(template, c.key) for c in Event.__table__.columns}
    values.update(id=40_000_000, code="BJR-3275-2026-999", seq=999)
    big = Event(**values)
    db.session.add(big)
    household = Household(head_name="Rahmat")
    db.session.add(household)
    rahmat = add_person(db, "Rahmat", household)
    nur = add_person(db, "Nur", household)
    add_victim(db, big, rahmat, "mengungsi")
    add_victim(db, big, nur, "mengungsi")
    add_victim(db, template, rahmat, "mengungsi")
    hand_out(db, big, "permakanan", A_DAY, [rahmat, nur])
    hand_out(db, template, "permakanan", A_DAY, [rahmat])
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    assert daily(db, big, A_DAY, BEKASIJAYA, 0, "permakanan") == (2, 1, 2, 0, False)
    assert daily(db, big, A_DAY, BEKASIJAYA, -1, "permakanan") == (2, 1, 2, 0, False)
    assert daily(db, template, A_DAY, BEKASIJAYA, -1, "permakanan") == (1, 1, 1, 0, False)
    # Two distinct persons served permakanan in the year over both events.
    assert year_row(db, 2026, "permakanan")[1] == 2
