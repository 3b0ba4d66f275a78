"""Victim import benchmark: 50,000 XLSX rows checked and imported against 200,000 known persons."""

import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, insert, select

from logistics import create_app
from logistics.areas.models import Area
from logistics.areas.services import load_boundary_file
from logistics.core.extensions import db
from logistics.events.models import HazardType
from logistics.events.services import create_event
from logistics.reference import seed_reference_data
from logistics.victims import import_cells
from logistics.victims import imports as victim_import
from logistics.victims.models import Household, Person, Victim

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"
EXISTING = 200_000
ROWS = 50_000
MATCHING = 20_000  # file rows whose NIK is already in the registry
BAD_EVERY = 100  # one row in a hundred has a problem (bad NIK, unknown code, no name, dup)
KELURAHAN_PER_KECAMATAN = 4
FIRST_BIRTH = date(1950, 1, 1)
DAYS = 25_000


def nik(i: int) -> str:
    """A valid, unique NIK for person number i (Kota Bekasi kecamatan, women every other)."""
    kecamatan = i % 12 + 1
    born = FIRST_BIRTH + timedelta(days=(i // 12) % DAYS)
    serial = i // (12 * DAYS) + 1
    day = born.day + (40 if i % 2 else 0)
    return f"3275{kecamatan:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def kk_for(family: int) -> str:
    """A unique nomor KK for family number `family`."""
    kecamatan = family % 12 + 1
    issued = date(2010, 1, 1) + timedelta(days=(family // 12) % 4000)
    serial = family // (12 * 4000) + 1
    return f"3275{kecamatan:02d}{issued:%d%m%y}{serial:04d}"


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_DIR": str(folder),
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.commit()
    return app


def _seed_registry(kelurahan: list[str]) -> float:
    """200,000 persons in families of four, inserted with Core executemany."""
    started = time.perf_counter()
    families = EXISTING // 4
    now = datetime(2026, 1, 1)
    for start in range(0, families, 10_000):
        db.session.execute(
            insert(Household),
            [
                {
                    "no_kk": kk_for(f),
                    "head_name": f"Kepala {f}",
                    "kelurahan_code": kelurahan[f % len(kelurahan)],
                    "address": "",
                    "rt": "",
                    "rw": "",
                    "created_at": now,
                }
                for f in range(start, min(start + 10_000, families))
            ],
        )
    household_ids = dict(db.session.execute(select(Household.no_kk, Household.id)).all())
    for start in range(0, EXISTING, 10_000):
        db.session.execute(
            insert(Person),
            [
                {
                    "nik": nik(i),
                    "name": f"Warga {i}",
                    "sex": "P" if i % 2 else "L",
                    "birth_date": None,
                    "household_id": household_ids[kk_for(i // 4)],
                    "relation": "kepala_keluarga" if i % 4 == 0 else "anak",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(start, min(start + 10_000, EXISTING))
            ],
        )
    db.session.commit()
    return time.perf_counter() - started


def _write_file(path: Path, kelurahan: list[str]) -> dict:
    """The import file: matching NIKs, new persons with and without NIK, a few bad rows."""
    rng = random.Random(20261122)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Korban")
    sheet.append(import_cells.TEMPLATE_COLUMNS)
    column = {key: i for i, key in enumerate(import_cells.TEMPLATE_COLUMNS)}
    bad = 0
    statuses = ("mengungsi", "menderita", "terluka")
    matching = rng.sample(range(EXISTING), MATCHING)
    previous_nik = None
    for n in range(ROWS):
        row = [None] * len(column)
        if n < MATCHING:
            i = matching[n]
            row[column["nik"]] = nik(i)
            row[column["nama"]] = f"Warga {i}"
            row[column["no_kk"]] = kk_for(i // 4)
        elif n % 10 == 0:
            # A child without NIK in a new family.
            row[column["nama"]] = f"Anak {n}"
            row[column["alasan_tanpa_nik"]] = "anak_belum_ber_nik"
            row[column["jenis_kelamin"]] = "P" if n % 3 else "L"
            row[column["tanggal_lahir"]] = (date(2022, 1, 1) + timedelta(days=n % 900)).isoformat()
            row[column["no_kk"]] = kk_for(EXISTING + n // 4)
            row[column["hubungan"]] = "anak"
        else:
            row[column["nik"]] = nik(EXISTING + n)
            row[column["nama"]] = f"Pendatang {n}"
            row[column["no_kk"]] = kk_for(EXISTING + n // 4)
        row[column["kode_kelurahan"]] = kelurahan[n % len(kelurahan)]
        row[column["status"]] = statuses[n % 3]
        if n % 37 == 0:
            row[column["disabilitas"]] = "ya"
        if n % BAD_EVERY == 99:
            bad += 1
            problem = (n // BAD_EVERY) % 4
            if problem == 0:
                row[column["nik"]] = "32750117088500"  # too short
            elif problem == 1:
                row[column["kode_kelurahan"]] = "32.75.01.1999"
            elif problem == 2:
                row[column["nama"]] = None
            else:
                row[column["nik"]] = previous_nik  # the same person twice in the file
        previous_nik = row[column["nik"]]
        sheet.append(row)
    workbook.save(path)
    return {"bad_rows_written": bad}


def run() -> dict:
    """Seed, write the file, then time the dry run and the confirm as the jobs run them."""
    with tempfile.TemporaryDirectory(prefix="posko-bench-import-") as tmp:
        folder = Path(tmp)
        app = _app(folder)
        with app.app_context():
            load_boundary_file(BOUNDARIES / "kota_bekasi.geojson")
            db.session.commit()
            kelurahan = list(
                db.session.scalars(
                    select(Area.code).where(Area.level == "kelurahan").order_by(Area.code)
                )
            )
            seed_s = _seed_registry(kelurahan)
            flood = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
            event = create_event(
                hazard_type_id=flood, title="Banjir besar (uji)", started_at=datetime(2026, 11, 20)
            )
            db.session.commit()
            event_id = event.id

        path = folder / "korban-50000.xlsx"
        started = time.perf_counter()
        written = _write_file(path, kelurahan)
        write_s = time.perf_counter() - started

        with app.app_context():
            started = time.perf_counter()
            checked = victim_import.dry_run(path, event_id, "bench-dry-run")
            db.session.commit()
            dry_run_s = time.perf_counter() - started
            db.session.remove()

        with app.app_context():
            started = time.perf_counter()
            imported = victim_import.import_victims(path, event_id, "bench-import")
            db.session.commit()
            import_s = time.perf_counter() - started
            persons = db.session.scalar(select(func.count(Person.id)))
            victims = db.session.scalar(select(func.count(Victim.id)))
            db.session.remove()
            db.engine.dispose()

    counts = imported["counts"]
    result = {
        "existing_persons": EXISTING,
        "file_rows": ROWS,
        "seed_s": seed_s,
        "write_xlsx_s": write_s,
        "dry_run_s": dry_run_s,
        "import_s": import_s,
        "total_s": dry_run_s + import_s,
        "accepted": counts["accepted"],
        "rejected": counts["rejected"],
        "dry_run_rejected": checked["counts"]["rejected"],
        "bad_rows_written": written["bad_rows_written"],
        "reused_persons": counts["existing_persons"],
        "new_persons": counts["new_persons"],
        "inserted_victims": counts["inserted_victims"],
        "persons_after": persons,
        "victims_after": victims,
    }
    print(
        f"import {ROWS:,} rows vs {EXISTING:,} persons: dry run {dry_run_s:.1f} s, "
        f"confirm {import_s:.1f} s, total {dry_run_s + import_s:.1f} s "
        f"({counts['accepted']:,} accepted, {counts['rejected']:,} rejected, "
        f"{counts['existing_persons']:,} reused, {counts['new_persons']:,} new)"
    )
    return result


if __name__ == "__main__":
    run()
