"""Registry counts other domains show: terdata, kelurahan with victims, persons, shelter occupants."""

import json
import os
import threading
from collections import defaultdict
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, union

from logistics.core.audit import audit_stamp
from logistics.core.demography import age_group
from logistics.core.extensions import db
from logistics.core.time import office_date
from logistics.events.impact import (
    INSTITUTION,
    KK_TOTAL,
    UNKNOWN_AGE,
    ImpactMatrix,
    KelurahanImpact,
    Terdata,
    impact_matrix,
)
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.victims.models import InstitutionVictim, Person, Victim

MATRIX_CACHE_SIZE = 16  # events whose matrix a process keeps; open events are few
_matrix_lock = threading.Lock()


def registry_figures(event: Event) -> Terdata:
    """Figures counted from the victim registry: distinct persons and households per cell.

    A person merged into another counts as that one (as the year-end report counts them); per
    kelurahan, kk_total is the distinct households with a victim of any status, so that a
    household whose members are all injured still counts as a KK."""
    on = office_date(event.started_at)
    rows = db.session.execute(
        select(
            Victim.kelurahan_code,
            Victim.status,
            func.coalesce(Person.merged_into_id, Person.id),
            Person.sex,
            Person.birth_date,
            Person.household_id,
            Person.pregnant,
        )
        .join(Person, Person.id == Victim.person_id)
        .where(Victim.event_id == event.id)
        # The person's own row before a merged duplicate's, so its details are the ones counted.
        .order_by(Person.merged_into_id.is_not(None), Person.id)
    ).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    households: dict[tuple[str, str], set[int]] = defaultdict(set)
    any_status: dict[str, set[int]] = defaultdict(set)
    seen: set[int] = set()
    unknown_age = without_household = 0
    for code, status, person_id, sex, birth_date, household_id, pregnant in rows:
        # One person is one person: a second row for the same person (should the registry
        # ever hold one) is not counted twice.
        if person_id in seen:
            continue
        seen.add(person_id)
        group = age_group(birth_date, on)
        if group is None:
            group = UNKNOWN_AGE
            unknown_age += 1
        counts[code][f"{status}.{group}.{sex}"] += 1
        if pregnant:
            counts[code]["ibu_hamil"] += 1
        if household_id is None:
            without_household += 1
        else:
            households[(code, status)].add(household_id)
            any_status[code].add(household_id)
    for (code, status), ids in households.items():
        counts[code][f"kk.{status}"] = len(ids)
    for code, ids in any_status.items():
        counts[code][KK_TOTAL] = len(ids)
    for code, status, headcount in db.session.execute(
        select(
            InstitutionVictim.kelurahan_code,
            InstitutionVictim.status,
            func.sum(InstitutionVictim.headcount),
        )
        .where(InstitutionVictim.event_id == event.id)
        .group_by(InstitutionVictim.kelurahan_code, InstitutionVictim.status)
    ):
        if headcount:
            counts[code][f"{status}.{INSTITUTION}"] += int(headcount)
    return Terdata(
        cells={code: dict(cells) for code, cells in counts.items()},
        unknown_age=unknown_age,
        persons_without_household=without_household,
    )


def kelurahan_with_victims(event: Event) -> set[str]:
    """Kelurahan codes where the registry holds a victim or an institution of the event."""
    victims = select(Victim.kelurahan_code).where(Victim.event_id == event.id)
    institutions = select(InstitutionVictim.kelurahan_code).where(
        InstitutionVictim.event_id == event.id
    )
    return set(db.session.scalars(union(victims, institutions)))


def registered_persons(event_ids: list[int]) -> dict[int, int]:
    """Per event: jiwa terdata (events.figures): distinct registry persons, a merged duplicate
    counted as the person it was merged into, plus institutions' headcount; events without any
    are missing."""
    if not event_ids:
        return {}
    canonical = func.coalesce(Person.merged_into_id, Person.id)
    found = dict(
        db.session.execute(
            select(Victim.event_id, func.count(func.distinct(canonical)))
            .join(Person, Person.id == Victim.person_id)
            .where(Victim.event_id.in_(event_ids))
            .group_by(Victim.event_id)
        ).all()
    )
    for event_id, headcount in db.session.execute(
        select(InstitutionVictim.event_id, func.sum(InstitutionVictim.headcount))
        .where(InstitutionVictim.event_id.in_(event_ids))
        .group_by(InstitutionVictim.event_id)
    ):
        if headcount:
            found[event_id] = found.get(event_id, 0) + int(headcount)
    return found


def displaced_in_shelter(shelter: Shelter) -> int:
    """Persons the victim registry places in this shelter as displaced (mengungsi)."""
    persons = db.session.scalar(
        select(func.count(Victim.id)).where(
            Victim.shelter_id == shelter.id, Victim.status == "mengungsi"
        )
    )
    groups = db.session.scalar(
        select(func.coalesce(func.sum(InstitutionVictim.headcount), 0)).where(
            InstitutionVictim.shelter_id == shelter.id, InstitutionVictim.status == "mengungsi"
        )
    )
    return int(persons or 0) + int(groups or 0)


def event_matrix(event: Event) -> ImpactMatrix:
    """The event's whole impact matrix with terdata, kept until the next audited write
    (audit_stamp): in memory, and in the instance folder for the first page after a restart.
    For pages that only read: a caller that wrote in its open transaction must compute it
    afresh (impact_matrix), as that write may still roll back."""
    cache = current_app.extensions.setdefault("event_matrices", {})
    # The stamp is read before the figures: a write committed in between leaves newer figures
    # under the older stamp, which the next request replaces; never old figures under a new one.
    key = (str(db.engine.url), audit_stamp())
    with _matrix_lock:
        hit = cache.get(event.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    path = Path(current_app.config["INSTANCE_DIR"]) / "event-matrices" / f"{event.id}.json"
    matrix = _read_matrix(path, key)
    if matrix is None:
        matrix = impact_matrix(event, terdata=registry_figures(event))
        _write_matrix(path, key, matrix)
    with _matrix_lock:
        cache[event.id] = (key, matrix)
        while len(cache) > MATRIX_CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return matrix


def warm_event_matrix(event_id: int) -> None:
    """Count an open event's matrix now, after a write (the SPM recompute job), into the
    instance folder, so the next page in any web process, or after a restart, only reads it."""
    event = db.session.get(Event, event_id)
    if event is not None and event.closed_at is None:
        event_matrix(event)


def _read_matrix(path: Path, key: tuple) -> ImpactMatrix | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stored.get("key") != list(key):
        return None
    return ImpactMatrix(
        rows=[KelurahanImpact(*row) for row in stored["rows"]],
        totals=stored["totals"],
        unknown_age=stored["unknown_age"],
        persons_without_household=stored["persons_without_household"],
    )


def _write_matrix(path: Path, key: tuple, matrix: ImpactMatrix) -> None:
    """Written aside and renamed into place, so a reader never sees half a file."""
    rows = [[r.code, r.name, r.kecamatan, r.how, r.kaji_cepat, r.terdata] for r in matrix.rows]
    stored = {
        "key": list(key),
        "rows": rows,
        "totals": matrix.totals,
        "unknown_age": matrix.unknown_age,
        "persons_without_household": matrix.persons_without_household,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        current_app.logger.warning("impact matrix not kept on disk: %s", path)
