"""Bulk import of victims: XLSX, CSV and Kobo exports; dry-run report; all-or-nothing confirm."""

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from logistics.core import jobs
from logistics.core.errors import DomainError
from logistics.core.job_models import JobRecord
from logistics.core.models import AuditEntry
from logistics.core.queue import VICTIM_IMPORT, VICTIM_IMPORT_DRY_RUN
from logistics.victims import import_cells, import_plan, import_templates
from logistics.victims import imports as victim_import
from logistics.victims.models import Household, Person, Victim
from logistics.victims.persons import PersonInput
from logistics.victims.services import register_victim
from tests.support.db import count

HEADERS = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "hubungan",
    "alasan_tanpa_nik",
    "status",
    "kode_kelurahan",
    "hamil",
]
KK = "3275010101200001"
# Rows 2-6 are good; rows 7-14 each have one problem.
ROWS = [
    [
        "3275011708850009",
        KK,
        "Budi Santoso",
        "L",
        "17-08-1985",
        "kepala keluarga",
        "",
        "mengungsi",
        "32.75.01.1001",
        "",
    ],
    [
        "3275015708870002",
        KK,
        "Siti Aminah",
        "",
        "",
        "istri",
        "",
        "mengungsi",
        "32.75.01.1001",
        "ya",
    ],
    [
        "",
        KK,
        "Rina",
        "P",
        "2023-05-01",
        "anak",
        "anak belum memiliki NIK",
        "mengungsi",
        "32.75.01.1001",
        "",
    ],
    ["3275020101500001", "", "Darmo", "", "", "", "", "terluka", "3275021001", ""],
    [
        "",
        "",
        "Tono",
        "L",
        "01/02/2010",
        "anak",
        "KTP hilang waktu banjir",
        "menderita",
        "32.75.01.1002",
        "",
    ],
    ["327501170885009", "", "Salah Panjang", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
    ["3275013102990001", "", "Tanggal Mustahil", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
    ["3275991708850009", "", "Kecamatan Asing", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
    ["3275011708900003", "", "", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
    ["3275011708900003", "", "Kode Asing", "", "", "", "", "mengungsi", "32.75.01.1099", ""],
    ["3275011708900003", "", "Kode Rusak", "", "", "", "", "mengungsi", "32-75-01", ""],
    ["3275011708850009", "", "Budi Lagi", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
    ["3275011708900003", "", "Status Aneh", "", "", "", "", "selamat", "32.75.01.1001", ""],
    [
        "",
        "",
        "Tanggal Rusak",
        "L",
        "kemarin",
        "",
        "dokumen_hilang",
        "mengungsi",
        "32.75.01.1001",
        "",
    ],
]
EXPECTED_REJECTED = [
    (7, "NIK harus 16 digit; yang diisi 15 digit"),
    (8, "NIK: digit 7-12 (******) bukan tanggal lahir yang mungkin (tanggal **-** tidak ada pada tahun itu)"),
    (9, "NIK: digit 1-6 (32.75.**) bukan kode kecamatan yang dikenal di kabupaten/kota 32.75"),
    (10, "Nama kosong"),
    (11, "Kode kelurahan '32.75.01.1099' tidak dikenal di wilayah ini"),
    (12, "Kode kelurahan '32-75-01' salah format; tulis PP.KK.CC.NDDD, mis. 32.75.01.1001"),
    (13, "NIK sama dengan baris 2 (duplikat di dalam berkas)"),
    (14, "Status korban 'selamat' tidak dikenal; isi salah satu: meninggal, hilang, terluka, menderita, mengungsi"),
    (15, "Tanggal lahir 'kemarin' tidak dikenali; tulis HH-BB-TTTT (mis. 17-08-1985) atau TTTT-BB-HH"),
]  # fmt: skip
# The list above has 14 data rows but 9 rejections: rows 2-6 good, 7-15 bad (13 is Budi again).


def write_xlsx(path: Path, headers=HEADERS, rows=ROWS) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, headers=HEADERS, rows=ROWS, delimiter=",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def rejected(result) -> list[tuple[int, str]]:
    return [(r["row"], r["reason"]) for r in result["rejected"]]


def test_rows_fixture_is_as_described():
    assert len(ROWS) == 14  # rows 2..15 in the spreadsheet


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_dry_run_lists_every_rejected_row_with_its_reason(app, db, make_event, tmp_path, kind):
    event = make_event()
    path = (
        write_xlsx(tmp_path / "korban.xlsx")
        if kind == "xlsx"
        else write_csv(tmp_path / "korban.csv", delimiter=";")
    )
    result = victim_import.dry_run(path, event.id, "job-1")
    assert rejected(result) == EXPECTED_REJECTED
    assert result["counts"] == {
        "total": 14,
        "accepted": 5,
        "rejected": 9,
        "new_persons": 5,
        "existing_persons": 0,
        "already_registered": 0,
        "new_households": 1,
        "existing_households": 0,
    }
    # Reports never carry a whole NIK.
    assert result["rejected"][0]["nik"] == "3275*******5009"
    report = Path(app.config["INSTANCE_DIR"]) / "imports" / "job-1-ditolak.csv"
    with open(report, encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == victim_import.REJECTED_HEADERS
    assert [(int(r[0]), r[1]) for r in lines[1:]] == EXPECTED_REJECTED
    assert count(db, Person) == 0 and count(db, Victim) == 0


def test_refusals_never_repeat_what_the_masked_nik_hides(db, make_event, tmp_path):
    """The reasons sit beside the masked NIK column: they may not spell out the digits it
    hides (kecamatan, birth date) nor the value as typed, for NIK and nomor KK alike."""
    event = make_event()
    rows = [
        ["3275O11708850009", "", "Huruf O", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
        ["3275017102990001", "", "Bulan Salah", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
        ["3275014513990001", "", "Bulan 13", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
        ["3275991708850009", "", "Kec Asing", "", "", "", "", "mengungsi", "32.75.01.1001", ""],
        ["3275011708850009", "32759901012000x1", "KK Huruf", "", "", "", "", "mengungsi",
         "32.75.01.1001", ""],
    ]  # fmt: skip
    plan = import_plan.build_plan(write_csv(tmp_path / "korban.csv", rows=rows), event.id)
    reasons = {r.name: r.reason for r in plan.rejected}
    assert set(reasons) == {"Huruf O", "Bulan Salah", "Bulan 13", "Kec Asing", "KK Huruf"}
    assert reasons["Huruf O"] == "NIK hanya boleh berisi angka, bukan '3275********0009'"
    assert reasons["Bulan 13"].startswith("NIK: digit 7-12 (******) bukan tanggal lahir")
    assert reasons["Kec Asing"].startswith("NIK: digit 1-6 (32.75.**) bukan kode kecamatan")
    assert reasons["KK Huruf"] == "Nomor KK hanya boleh berisi angka, bukan '3275********00x1'"
    for row in rows:
        for value in (row[0], row[1]):
            hidden = "".join(c for c in value if c.isdigit())[6:12]
            for reason in reasons.values():
                assert not value or value not in reason
                assert not hidden or hidden not in reason
    assert {r.nik for r in plan.rejected} <= {"3275********0009", "3275********0001"}


def test_kobo_export_maps_group_paths_and_uses_submission_uuid(db, make_event, tmp_path):
    event = make_event()
    headers = [
        "start",
        "end",
        "identitas/nama_lengkap",
        "identitas/NIK",
        "identitas/jk",
        "identitas/tgl_lahir",
        "lokasi/kode_desa",
        "kondisi/status_korban",
        "kondisi/kelompok_rentan",
        "kondisi/kelompok_rentan/hamil",
        "kondisi/kelompok_rentan/disabilitas",
        "meta/instanceID",
        "_uuid",
        "_submission_time",
    ]
    stamp = "2026-11-20T08:00:00.000+07:00"
    rows = [
        [stamp, stamp, "Ani", "3275014203900001", "P", "1990-03-02", "32.75.01.1003",
         "mengungsi", "hamil", "1", "0", "uuid:aaaa-1", "aaaa-1", stamp],
        [stamp, stamp, "Joko", "3275020505700002", "L", "1970-05-05", "32.75.02.1001",
         "menderita", "disabilitas", "0", "1", "uuid:bbbb-2", "bbbb-2", stamp],
        # The same submission twice in one export (a re-sent form): one row only.
        [stamp, stamp, "Joko", "3275020505700002", "L", "1970-05-05", "32.75.02.1001",
         "menderita", "disabilitas", "0", "1", "uuid:bbbb-2", "bbbb-2", stamp],
        [stamp, stamp, "Kakek", "3275020505300003", "L", "1930-05-05", "32.75.02.1001",
         "hilang", "balita", "0", "0", "uuid:cccc-3", "cccc-3", stamp],
        [stamp, stamp, "Laki Hamil", "3275020505800004", "L", "", "32.75.02.1001",
         "mengungsi", "hamil", "1", "0", "uuid:dddd-4", "dddd-4", stamp],
    ]  # fmt: skip
    path = write_csv(tmp_path / "kobo_export.csv", headers, rows, delimiter=";")
    plan = import_plan.build_plan(path, event.id)
    assert plan.columns["nama"] == "identitas/nama_lengkap"
    assert plan.columns["client_id"] == "meta/instanceID"
    assert "start" in plan.ignored_columns and "_uuid" in plan.ignored_columns
    assert [(r.row, r.reason) for r in plan.rejected] == [
        (4, "NIK sama dengan baris 3 (duplikat di dalam berkas)"),
        (6, "Hamil atau menyusui hanya dapat ditandai untuk perempuan"),
    ]
    ani, joko, kakek = plan.rows
    assert ani.person.pregnant and not ani.person.disability
    assert joko.person.disability and joko.client_id == "kobo-bbbb-2"
    assert kakek.status == "hilang" and kakek.person.birth_date == date(1930, 5, 5)

    result = victim_import.import_victims(path, event.id, "job-kobo")
    db.session.commit()
    assert result["counts"]["inserted_victims"] == 3
    # The same export imported again writes nothing new.
    again = victim_import.import_victims(path, event.id, "job-kobo-2")
    db.session.commit()
    assert again["counts"]["already_registered"] == 3
    assert again["counts"]["inserted_victims"] == 0
    assert count(db, Victim) == 3 and count(db, Person) == 3


def test_xlsx_dates_numbers_and_header_variants(db, make_event, tmp_path):
    event = make_event()
    headers = ["No", "Nama Lengkap", "NIK", "Nomor KK", "Jenis Kelamin", "Tgl Lahir", "Kode Desa",
               "Status Korban", "Alasan tidak ada NIK"]  # fmt: skip
    rows = [
        [1, "Anak Satu", None, 3275010101200001, "Laki-laki", datetime(2020, 1, 5), "32.75.01.1001",
         "Mengungsi", "Anak belum memiliki NIK"],
        [2, "NIK Angka", 3275011708850009, None, "", None, "32.75.01.1001", "Pengungsi", ""],
        [3, "Ibu Dua", "3275014505880001", None, "Perempuan", "5 Mei 1988", "32.75.01.1001",
         "Terdampak", ""],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "daftar.xlsx", headers, rows)
    plan = import_plan.build_plan(path, event.id)
    assert plan.rejected == []
    child, number, mother = plan.rows
    # A whole-number cell holds all 16 digits; a decimal one (Excel's 3.27501E+15) may not.
    assert number.person.nik == "3275011708850009" and number.status == "mengungsi"
    with pytest.raises(DomainError, match="format kolom NIK sebagai Teks"):
        import_cells.parse_identity_number(3.275011708850009e15, "NIK")
    assert child.no_kk == "3275010101200001" and child.person.birth_date == date(2020, 1, 5)
    assert child.person.sex == "L" and child.status == "mengungsi"
    assert mother.status == "menderita" and mother.person.birth_date == date(1988, 5, 5)
    assert "No" in plan.ignored_columns


def test_file_level_problems_are_refused_whole(db, make_event, tmp_path):
    event = make_event()
    no_name = write_csv(tmp_path / "tanpa_nama.csv", ["nik", "kode_kelurahan"], [["1", "2"]])
    with pytest.raises(DomainError, match="Kolom nama tidak ditemukan"):
        import_plan.build_plan(no_name, event.id)
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"bukan excel")
    with pytest.raises(DomainError, match="XLSX"):
        import_plan.build_plan(broken, event.id)
    other = tmp_path / "daftar.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(DomainError, match="tidak didukung"):
        import_plan.build_plan(other, event.id)
    empty = tmp_path / "kosong.csv"
    empty.write_text("")
    with pytest.raises(DomainError, match="kosong"):
        import_plan.build_plan(empty, event.id)


def test_confirm_imports_accepted_rows_and_reuses_existing_persons(db, make_event, tmp_path):
    event = make_event()
    earlier = make_event(title="Banjir tahun lalu", started_at=datetime(2025, 2, 1))
    # Budi is known from an earlier flood; Siti is already registered in this one.
    known, _ = register_victim(
        earlier,
        PersonInput(name="Budi Santoso", nik="3275011708850009"),
        status="mengungsi",
        kelurahan_code="32.75.01.1001",
    )
    register_victim(
        event,
        PersonInput(name="Siti Aminah", nik="3275015708870002"),
        status="menderita",
        kelurahan_code="32.75.01.1001",
    )
    db.session.commit()
    path = write_xlsx(tmp_path / "korban.xlsx")
    result = victim_import.import_victims(
        path, event.id, "job-2", user_id=None, source_name="korban.xlsx"
    )
    db.session.commit()
    counts = result["counts"]
    assert counts["accepted"] == 5 and counts["rejected"] == 9
    assert counts["existing_persons"] == 1 and counts["already_registered"] == 1
    assert counts["new_persons"] == 3 and counts["inserted_victims"] == 4
    assert count(db, Person) == 5  # Budi and Siti not duplicated
    budi = db.session.scalar(select(Person).where(Person.nik == "3275011708850009"))
    assert budi.id == known.person_id
    assert budi.household.no_kk == "3275010101200001"  # gained the household from the file
    household = db.session.scalar(select(Household))
    assert household.head_name == "Budi Santoso"
    assert {p.name for p in household.members} == {"Budi Santoso", "Siti Aminah", "Rina"}
    siti = db.session.scalar(select(Person).where(Person.nik == "3275015708870002"))
    assert siti.pregnant  # the file raised the flag
    statuses = dict(
        db.session.execute(
            select(Person.name, Victim.status)
            .join(Victim, Victim.person_id == Person.id)
            .where(Victim.event_id == event.id)
        ).all()
    )
    assert statuses == {
        "Budi Santoso": "mengungsi",
        "Siti Aminah": "menderita",  # already registered: left as it was
        "Rina": "mengungsi",
        "Darmo": "terluka",
        "Tono": "menderita",
    }
    tono = db.session.scalar(select(Victim).join(Person).where(Person.name == "Tono"))
    assert tono.person.no_nik_reason == "lainnya"
    assert "KTP hilang waktu banjir" in tono.note
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import_victims"))
    assert entry.changes["counts"]["inserted_victims"] == 4
    # Confirming the same file again (a retried job) changes nothing.
    again = victim_import.import_victims(path, event.id, "job-3")
    db.session.commit()
    assert again["counts"]["inserted_victims"] == 0
    assert count(db, Person) == 5 and count(db, Victim) == 6


def test_a_database_error_mid_import_leaves_nothing(db, make_event, tmp_path, monkeypatch):
    event = make_event()
    path = write_xlsx(tmp_path / "korban.xlsx")
    real_parse = import_plan._parse_row

    def sabotage(cells, **kwargs):
        row = real_parse(cells, **kwargs)
        if row.person.name == "Tono":
            # Passes validation, then breaks the sex check constraint in the database.
            row.person.sex = "X"
        return row

    monkeypatch.setattr(import_plan, "_parse_row", sabotage)
    with pytest.raises(Exception) as error:
        victim_import.import_victims(path, event.id, "job-4")
    assert "sex" in str(error.value).lower() or "constraint" in str(error.value).lower()
    db.session.rollback()
    assert count(db, Person) == 0
    assert count(db, Household) == 0
    assert count(db, Victim) == 0


def start(db, user, func, title, **kwargs) -> JobRecord:
    record = jobs.create_job(func, title, kwargs, user.id)
    db.session.commit()
    assert jobs.submit(record)
    return record


def test_import_runs_as_real_jobs_and_rolls_back_whole_on_failure(
    app, db, make_event, make_user, run_jobs, tmp_path, monkeypatch
):
    event = make_event()
    operator = make_user("operator")
    path = write_xlsx(tmp_path / "korban.xlsx")
    check = start(db, operator, VICTIM_IMPORT_DRY_RUN, "Periksa", path=str(path), event_id=event.id)
    run_jobs()
    db.session.expire_all()
    check = db.session.get(JobRecord, check.id)
    assert check.status == "finished", check.error
    assert rejected(check.result) == EXPECTED_REJECTED
    assert "5 baris diterima, 9 ditolak dari 14 baris" in check.message
    assert count(db, Victim) == 0

    # A job whose insert fails half-way is marked failed and leaves no row behind.
    real_insert = victim_import.insert
    calls = {"n": 0}

    def failing_insert(table):
        calls["n"] += 1
        if table is Victim:
            raise RuntimeError("disk penuh")
        return real_insert(table)

    monkeypatch.setattr(victim_import, "insert", failing_insert)
    broken = start(
        db,
        operator,
        VICTIM_IMPORT,
        "Impor",
        path=str(path),
        event_id=event.id,
        dry_run_job_id=check.id,
    )
    run_jobs()
    db.session.expire_all()
    broken = db.session.get(JobRecord, broken.id)
    assert broken.status == "failed" and "disk penuh" in broken.error
    assert calls["n"] >= 2  # households and persons were inserted before the failure
    assert count(db, Person) == 0 and count(db, Household) == 0 and count(db, Victim) == 0
    assert path.exists()  # kept for a retry

    monkeypatch.setattr(victim_import, "insert", real_insert)
    done = start(
        db,
        operator,
        VICTIM_IMPORT,
        "Impor",
        path=str(path),
        event_id=event.id,
        dry_run_job_id=check.id,
    )
    run_jobs()
    db.session.expire_all()
    done = db.session.get(JobRecord, done.id)
    assert done.status == "finished", done.error
    assert done.result["counts"]["inserted_victims"] == 5
    assert count(db, Victim) == 5
    assert all(v.registered_by_id == operator.id for v in db.session.scalars(select(Victim)))


def test_template_spreadsheet_has_our_columns_and_reads_back(db, make_event, tmp_path):
    event = make_event()
    path = tmp_path / "templat.xlsx"
    path.write_bytes(import_templates.template_workbook())
    workbook = load_workbook(path)
    sheet = workbook["Korban"]
    headers = [c.value for c in sheet[1]]
    assert headers == import_cells.TEMPLATE_COLUMNS
    assert "Petunjuk" in workbook.sheetnames
    # Filled in as an office would, it imports.
    sheet.append(["3275011708850009", "", "Budi", "", "", "kepala_keluarga", "", "mengungsi",
                  "32.75.01.1001"])  # fmt: skip
    workbook.save(path)
    plan = import_plan.build_plan(path, event.id)
    assert plan.rejected == [] and len(plan.rows) == 1


def test_a_bad_file_fails_the_check_job_visibly(db, make_event, make_user, run_jobs, tmp_path):
    event = make_event()
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"bukan excel")
    record = start(
        db, make_user("operator"), VICTIM_IMPORT_DRY_RUN, "Periksa", path=str(path),
        event_id=event.id,
    )  # fmt: skip
    run_jobs()
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == "failed" and "XLSX" in record.error


def test_an_import_reaches_the_spm_figures_as_a_registration_does(app, db, make_event, tmp_path):
    from logistics.spm import tracking as spm_tracking
    from logistics.spm.models import SpmStale

    event = make_event()
    db.session.commit()
    # With the queue down, the (event, day)s to recompute are kept in the database: visible here.
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    spm_tracking.reset()
    victim_import.import_victims(write_xlsx(tmp_path / "korban.xlsx"), event.id, "job-spm")
    db.session.commit()
    marks = {(m.event_id, m.day) for m in db.session.scalars(select(SpmStale))}
    assert marks == {(event.id, None)}
