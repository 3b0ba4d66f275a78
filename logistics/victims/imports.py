"""Bulk import of victims from XLSX/CSV and KoboToolbox/ODK exports: dry run, then all-or-nothing.

Both steps read and validate the whole file the same way (validation is repeated at confirm time
because the registry may have changed since the dry run). The database is read in a handful of
bulk lookups and written with bulk inserts, never one query per row, so 50,000 rows against a
registry of 200,000 persons take seconds, not hours. The caller commits once: a database error
anywhere leaves nothing written.
"""

import csv
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, update

from logistics.core import uploads
from logistics.core.audit import record_action
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.signals import victims_written
from logistics.core.time import utcnow
from logistics.victims.import_cells import SUPPORTED_SUFFIXES
from logistics.victims.import_plan import ImportPlan, Progress, build_plan, chunks, no_progress
from logistics.victims.models import Household, Person, Victim

# How many rejected rows the job record keeps for the report page; the CSV file has them all.
REJECTED_IN_RECORD = 1000
INSERT_CHUNK = 2000


# --- reports -------------------------------------------------------------------------------------

REJECTED_HEADERS = ["Baris", "Alasan", "Nama", "NIK (disamarkan)"]


def rejected_report_path(job_id: str) -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "imports" / f"{job_id}-ditolak.csv"


def write_rejected_report(plan: ImportPlan, job_id: str) -> Path:
    """Every rejected row as CSV (for Excel: UTF-8 with BOM), next to the instance's uploads."""
    path = rejected_report_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECTED_HEADERS)
        for item in plan.rejected:
            writer.writerow([item.row, item.reason, item.name, item.nik])
    return path


def plan_result(plan: ImportPlan, job_id: str, kind: str) -> dict:
    """What the job record keeps: counts, columns, the first rejected rows, the report file."""
    report = write_rejected_report(plan, job_id)
    return {
        "kind": kind,
        "event_id": plan.event_id,
        "counts": plan.counts(),
        "columns": plan.columns,
        "ignored_columns": plan.ignored_columns[:50],
        "rejected": [r.as_dict() for r in plan.rejected[:REJECTED_IN_RECORD]],
        "rejected_file": report.name,
    }


def summarize(counts: dict, imported: bool) -> str:
    """One Indonesian sentence for the jobs page."""

    def n(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    head = (
        f"{n(counts['inserted_victims'])} korban diimpor"
        if imported
        else f"{n(counts['accepted'])} baris diterima"
    )
    return (
        f"{head}, {n(counts['rejected'])} ditolak dari {n(counts['total'])} baris "
        f"({n(counts['new_persons'])} orang baru, {n(counts['existing_persons'])} orang sudah ada, "
        f"{n(counts['already_registered'])} sudah terdaftar di kejadian ini)."
    )


# --- the two steps -------------------------------------------------------------------------------


def dry_run(
    path: str | Path,
    event_id: int,
    job_id: str,
    default_status: str | None = None,
    progress: Progress = no_progress,
    record_areas: tuple[str, ...] = (),
) -> dict:
    """Validate the file and report what an import would do; writes nothing but the report."""
    plan = build_plan(path, event_id, default_status, progress, record_areas)
    progress(95, "Menyusun laporan")
    return plan_result(plan, job_id, "victim_import_dry_run")


def _household_values(row, now) -> dict:
    return {
        "no_kk": row.no_kk,
        "head_name": "",
        "address": row.address,
        "rt": row.rt,
        "rw": row.rw,
        "kelurahan_code": row.kelurahan_code,
        "created_at": now,
    }


def _insert_households(plan: ImportPlan, now) -> tuple[dict[str, int], int]:
    """Insert the family cards not in the registry yet: (id by KK number, how many new)."""
    household_ids = dict(plan.households_existing)
    new_households: dict[str, dict] = {}
    for row in plan.rows:
        if row.action == "sudah_terdaftar" or not row.no_kk or row.no_kk in household_ids:
            continue
        household = new_households.setdefault(row.no_kk, _household_values(row, now))
        if row.person.relation == "kepala_keluarga" and not household["head_name"]:
            household["head_name"] = row.person.name
    # Households of existing persons who had none yet also need a row.
    for changes in plan.persons_to_update.values():
        kk = changes.get("no_kk")
        if kk and kk not in household_ids and kk not in new_households:
            source = next(r for r in plan.rows if r.no_kk == kk)
            new_households[kk] = _household_values(source, now)
    for chunk in chunks(list(new_households.values()), INSERT_CHUNK):
        returned = db.session.execute(
            insert(Household).returning(
                Household.id, Household.no_kk, sort_by_parameter_order=True
            ),
            chunk,
        )
        household_ids.update({kk: household_id for household_id, kk in returned})
    return household_ids, len(new_households)


def _insert_persons(plan: ImportPlan, household_ids: dict[str, int], now) -> None:
    """Insert the rows' new persons and note each row's new person id."""
    new_rows = [r for r in plan.rows if r.action == "baru"]
    person_values = [
        {
            "nik": r.person.nik,
            "no_nik_reason": r.person.no_nik_reason,
            "name": r.person.name,
            "sex": r.person.sex,
            "birth_date": r.person.birth_date,
            "household_id": household_ids.get(r.no_kk) if r.no_kk else None,
            "relation": r.person.relation,
            "pregnant": r.person.pregnant,
            "breastfeeding": r.person.breastfeeding,
            "disability": r.person.disability,
            "chronic_illness": r.person.chronic_illness,
            "created_at": now,
            "updated_at": now,
        }
        for r in new_rows
    ]
    for start in range(0, len(person_values), INSERT_CHUNK):
        chunk = person_values[start : start + INSERT_CHUNK]
        returned = db.session.execute(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), chunk
        ).scalars()
        for row, person_id in zip(new_rows[start : start + INSERT_CHUNK], returned, strict=True):
            row.person_id = person_id


def _update_persons(plan: ImportPlan, household_ids: dict[str, int], now) -> int:
    """Fill the blanks of existing persons (a household, raised flags); how many changed."""
    updates = []
    for person_id, changes in plan.persons_to_update.items():
        change = {"id": person_id, "updated_at": now}
        change.update({k: v for k, v in changes.items() if k != "no_kk"})
        if "no_kk" in changes:
            change["household_id"] = household_ids[changes["no_kk"]]
        updates.append(change)
    if updates:
        db.session.execute(update(Person), updates)
    return len(updates)


def _insert_victims(plan: ImportPlan, event_id: int, user_id: int | None, now) -> int:
    """Insert a victim row for every accepted row not registered in the event yet."""
    victim_values = [
        {
            "event_id": event_id,
            "person_id": r.person_id,
            "status": r.status,
            "kelurahan_code": r.kelurahan_code,
            "shelter_id": r.shelter_id,
            "note": r.note,
            "client_id": r.client_id,
            "registered_at": now,
            "registered_by_id": user_id,
        }
        for r in plan.rows
        if r.action != "sudah_terdaftar"
    ]
    for chunk in chunks(victim_values, INSERT_CHUNK):
        db.session.execute(insert(Victim), chunk)
    return len(victim_values)


def import_victims(
    path: str | Path,
    event_id: int,
    job_id: str,
    default_status: str | None = None,
    user_id: int | None = None,
    source_name: str | None = None,
    progress: Progress = no_progress,
    record_areas: tuple[str, ...] = (),
) -> dict:
    """Validate again and insert every accepted row; flushes only, the caller commits once.
    Rows outside `record_areas` (the uploader's record scope) are refused, as in the dry run."""
    plan = build_plan(path, event_id, default_status, progress, record_areas)
    progress(70, "Menyimpan keluarga")
    now = utcnow()
    household_ids, inserted_households = _insert_households(plan, now)
    progress(78, "Menyimpan orang baru")
    _insert_persons(plan, household_ids, now)
    updated_persons = _update_persons(plan, household_ids, now)
    progress(88, "Menyimpan data korban")
    inserted_victims = _insert_victims(plan, event_id, user_id, now)
    if inserted_victims:
        # The SPM figures follow victims through the session's hooks, which Core inserts bypass.
        victims_written.send(db.session, event_id=event_id, day=None)
    counts = plan.counts()
    counts["inserted_victims"] = inserted_victims
    counts["inserted_households"] = inserted_households
    counts["updated_persons"] = updated_persons
    # Bulk inserts bypass the per-row audit hook; one named entry records the whole import.
    record_action(
        "import_victims",
        "victims",
        job_id,
        {"event_id": event_id, "file": source_name or Path(path).name, "counts": counts},
    )
    db.session.flush()
    progress(97, "Menyusun laporan")
    result = plan_result(plan, job_id, "victim_import")
    result["counts"] = counts
    return result


# --- uploads -------------------------------------------------------------------------------------

UPLOAD_PREFIX = "korban-"


def store_upload(stream, filename: str) -> Path:
    """Save an uploaded list under the instance's uploads, in a folder of its own."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DomainError(
            f"Jenis berkas '{suffix or filename}' tidak didukung; unggah XLSX atau CSV.",
            field="file",
        )
    return uploads.store_upload(stream, UPLOAD_PREFIX, f"daftar-korban{suffix}")
