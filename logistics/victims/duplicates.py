"""Likely duplicate persons in the registry, and merging one into another."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.victims.models import (
    Household,
    Person,
    Victim,
)
from logistics.victims.persons import names_similar, normalize_name

# --- duplicates and merging ----------------------------------------------------------------------


@dataclass
class DuplicatePair:
    """Two person rows that are probably one person; `keep` is the suggested survivor."""

    keep: Person
    duplicate: Person
    ratio: float


def likely_duplicates(limit: int = 500, scope: Scope = WHOLE_OFFICE) -> list[DuplicatePair]:
    """Persons sharing a household (same KK) and birth date with similar names, one without NIK,
    of the households in the user's wilayah.

    Two different NIKs are two different people and never listed.
    """
    other = aliased(Person)
    query = (
        select(Person, other)
        .join(
            other,
            and_(
                other.household_id == Person.household_id,
                other.birth_date == Person.birth_date,
                other.id > Person.id,
            ),
        )
        .where(
            Person.household_id.is_not(None),
            Person.merged_into_id.is_(None),
            other.merged_into_id.is_(None),
            or_(Person.nik.is_(None), other.nik.is_(None)),
        )
        .order_by(Person.household_id, Person.id, other.id)
    )
    if not scope.whole_office:
        query = scope.narrow(
            query.join(Household, Household.id == Person.household_id), Household.kelurahan_code
        )
    rows = db.session.execute(query).all()
    pairs = []
    for first, second in rows:
        if not names_similar(first.name, second.name):
            continue
        # Suggest keeping the row with a NIK, else the older row (it has the longer history).
        keep, duplicate = (second, first) if second.nik and not first.nik else (first, second)
        ratio = SequenceMatcher(None, normalize_name(first.name), normalize_name(second.name))
        pairs.append(DuplicatePair(keep=keep, duplicate=duplicate, ratio=ratio.ratio()))
        if len(pairs) >= limit:
            break
    return pairs


def merge_persons(keep: Person, duplicate: Person) -> dict:
    """Merge a duplicate into the kept person: victim rows move, the duplicate stays as history.

    The duplicate row is kept with merged_into_id set (so its past is traceable) and no longer
    counted. Where both were registered in the same event, the kept person's record stays and the
    duplicate's record is deleted (its values remain in the audit log).
    """
    if keep.id == duplicate.id:
        raise DomainError("Pilih dua data orang yang berbeda untuk digabung.")
    if duplicate.merged_into_id is not None:
        raise Conflict(f"{duplicate.name} (id {duplicate.id}) sudah digabung sebelumnya.")
    if keep.merged_into_id is not None:
        raise Conflict(
            f"{keep.name} (id {keep.id}) sudah digabung ke orang lain; pilih data yang "
            "dipertahankan."
        )
    if keep.nik and duplicate.nik and keep.nik != duplicate.nik:
        raise Conflict(
            "Dua orang dengan NIK berbeda tidak dapat digabung: NIK yang berbeda berarti orang "
            "yang berbeda."
        )
    moved, dropped = [], []
    kept_events = {
        v.event_id: v for v in db.session.scalars(select(Victim).where(Victim.person_id == keep.id))
    }
    for victim in db.session.scalars(select(Victim).where(Victim.person_id == duplicate.id)):
        kept = kept_events.get(victim.event_id)
        if kept is None:
            victim.person_id = keep.id
            moved.append(victim.id)
        else:
            if kept.shelter_id is None and victim.shelter_id is not None:
                kept.shelter_id = victim.shelter_id
            dropped.append(victim.id)
            db.session.delete(victim)
    # A NIK known only on the duplicate moves to the survivor (unique: clear it first).
    moved_nik = False
    if duplicate.nik and not keep.nik:
        nik = duplicate.nik
        duplicate.nik = None
        duplicate.no_nik_reason = "lainnya"
        db.session.flush()
        keep.nik, keep.no_nik_reason = nik, None
        moved_nik = True
    if keep.birth_date is None:
        keep.birth_date = duplicate.birth_date
    if keep.household_id is None:
        keep.household_id = duplicate.household_id
    for flag in ("pregnant", "breastfeeding", "disability", "chronic_illness"):
        if getattr(duplicate, flag):
            setattr(keep, flag, True)
    # Earlier merges into the duplicate now point at the survivor: one hop to the counted row.
    for earlier in db.session.scalars(select(Person).where(Person.merged_into_id == duplicate.id)):
        earlier.merged_into_id = keep.id
    duplicate.merged_into_id = keep.id
    summary = {
        "kept_id": keep.id,
        "duplicate_id": duplicate.id,
        "victims_moved": moved,
        "victims_dropped": dropped,
        "nik_moved": moved_nik,
    }
    record_action("merge_persons", "persons", keep.id, summary)
    db.session.flush()
    return summary
