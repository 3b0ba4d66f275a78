"""Member XLSX import: the template round-trips, every bad cell is reported, nothing half-saved."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from logistics.core.errors import DomainError
from logistics.core.models import AuditEntry
from logistics.tagana.imports import import_members, member_template
from logistics.tagana.models import TaganaMember, Training
from tests.support.db import count
from tests.support.tagana import GOOD_ROWS, make_member, workbook_bytes


@pytest.fixture
def area(db, bekasi):
    """Kota Bekasi's kelurahan for the home kelurahan column."""


def test_template_has_the_sheets_and_guidance(app):
    book = load_workbook(io.BytesIO(member_template()))
    assert book.sheetnames == ["Anggota", "Pelatihan", "Petunjuk"]
    headers = [c.value for c in book["Anggota"][1]]
    assert headers[:3] == ["NIA", "Nama", "Jenis kelamin (L/P)"]
    guide = "\n".join(str(c.value) for row in book["Petunjuk"].iter_rows() for c in row if c.value)
    assert "dapur_umum" in guide and "Task Force" in guide
    # The data sheets are empty below the headers: nothing to import by accident.
    assert book["Anggota"].max_row == 1 or all(
        c.value is None for row in book["Anggota"].iter_rows(min_row=2) for c in row
    )


def test_import_good_file(area, db):
    trainings = [
        ["3275-2019-001", "Diklat Tagana Dasar", "Kemensos", "2024-05-01", "2024-05-05", "S-1"],
        ["3275202100", "Pelatihan Dapur Umum", "Dinsos Jabar", "01/06/2025", None, None],
    ]
    report = import_members(workbook_bytes(GOOD_ROWS, trainings), source_name="anggota.xlsx")
    db.session.commit()
    assert report.ok and report.applied
    assert (report.members_read, report.members_imported) == (3, 3)
    assert report.trainings_imported == 2
    budi = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "3275-2019-001"))
    assert budi.phone == "081234567890"
    assert budi.level == "madya"
    assert budi.birth_date.isoformat() == "1990-04-02"
    assert budi.decree_date.isoformat() == "2019-03-15"
    assert sorted(c.code for c in budi.competencies) == ["dapur_umum", "shelter"]
    assert [t.name for t in budi.trainings] == ["Diklat Tagana Dasar"]
    joko = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "3275202100"))
    assert joko.level == "task_force" and joko.active is False
    sari = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "3275-2020-002"))
    assert sari.active is True  # an empty Aktif cell means active
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import_members"))
    assert entry.changes["members"] == 3


def test_every_bad_row_is_reported_and_nothing_is_saved(area, db):
    make_member("3275-2018-900", "Sudah Terdaftar")
    rows = GOOD_ROWS + [
        ["3275-2019-001", "Budi Kembar", "L", None, None, None, "Muda"],  # duplicate in file
        ["3275-2018-900", "Nama Lain", "P", None, None, None, "Muda"],  # duplicate in database
        ["3275-2022-010", "Andi", "L", None, None, None, "Muda", None, None, None, "menyelam"],
        ["3275-2022-011", "Beni", "L", None, None, None, "Senior"],
        ["3275-2022-012", "Citra", "P", "31/02/1995", None, None, "Muda"],
        ["3275-2022-013", "Doni", "L", None, None, "32.75.99.1001", "Muda"],
        ["3275-2022-014", None, "X", None, None, None, None],
    ]
    trainings = [["9999-NOPE", "Diklat", None, "2024-01-01"]]
    report = import_members(workbook_bytes(rows, trainings))
    assert not report.ok and not report.applied
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    assert ("Anggota", 5, "NIA") in found
    assert ("Anggota", 6, "NIA") in found
    assert ("Anggota", 7, "Kompetensi") in found
    assert ("Anggota", 8, "Tingkat") in found
    assert ("Anggota", 9, "Tanggal lahir") in found
    assert ("Anggota", 10, "Kode kelurahan") in found
    assert {("Anggota", 11, "Nama"), ("Anggota", 11, "Jenis kelamin (L/P)")} <= found
    assert ("Anggota", 11, "Tingkat") in found
    assert ("Pelatihan", 2, "NIA") in found
    messages = {(e.row, e.column): e.message for e in report.errors if e.sheet == "Anggota"}
    assert "sudah ada di baris 2" in messages[(5, "NIA")]
    assert "Sudah Terdaftar" in messages[(6, "NIA")]
    assert "'menyelam' tidak dikenal" in messages[(7, "Kompetensi")]
    bad_value = next(e for e in report.errors if e.row == 8)
    assert bad_value.value == "Senior"
    # The three good rows were not saved either: fix the file, upload again.
    assert count(db, TaganaMember) == 1
    assert count(db, Training) == 0


def test_dry_run_saves_nothing(area, db):
    report = import_members(workbook_bytes(GOOD_ROWS), dry_run=True)
    assert report.ok and not report.applied
    assert report.members_read == 3
    assert count(db, TaganaMember) == 0


def test_training_for_an_existing_member_and_duplicates(area, db):
    member = make_member("3275-2017-050", "Lama")
    first = import_members(
        workbook_bytes([], [["3275-2017-050", "Diklat Dasar", None, "2023-02-01"]])
    )
    db.session.commit()
    assert first.applied and first.trainings_imported == 1
    assert [t.name for t in member.trainings] == ["Diklat Dasar"]
    again = import_members(
        workbook_bytes([], [["3275-2017-050", "Diklat Dasar", None, "2023-02-01"]])
    )
    assert not again.ok
    assert "sudah tercatat" in again.errors[0].message


def test_headers_are_recognised_loosely_and_unknown_ones_warned(area, db):
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["No", "nia", "NAMA LENGKAP", "JK", "Jenjang", "Catatan"])
    sheet.append([1, "A-1", "Ani", "P", "Utama", "ketua regu"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_members(buffer.getvalue())
    assert report.applied
    assert "No, Catatan" in report.warnings[0]
    ani = db.session.scalar(select(TaganaMember).where(TaganaMember.nia == "A-1"))
    assert (ani.name, ani.sex, ani.level) == ("Ani", "P", "utama")


def test_missing_required_column_refuses_the_file(area):
    book = Workbook()
    book.active.append(["NIA", "Nama"])
    book.active.append(["A-1", "Ani"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(DomainError, match="Jenis kelamin") as caught:
        import_members(buffer.getvalue())
    assert caught.value.field == "file"


def test_not_an_xlsx_file(app):
    with pytest.raises(DomainError, match="tidak dapat dibaca sebagai XLSX"):
        import_members(b"NIA,Nama\n1,Ani\n")


def test_empty_file(area):
    with pytest.raises(DomainError, match="tidak berisi data"):
        import_members(workbook_bytes([]))
