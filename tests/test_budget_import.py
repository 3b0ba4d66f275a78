"""Plan import: XLSX and CSV, row-by-row errors, nothing written on any error, flagged totals."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.support.budget import GOOD_ROWS, HEADER, PERMAKANAN, SANDANG, TODAY, YEAR, xlsx


def csv_bytes(rows, delimiter=";"):
    lines = [delimiter.join(HEADER)]
    for row in rows:
        lines.append(delimiter.join("" if v is None else str(v) for v in row))
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def counts(db):
    from logistics.budget.models import BudgetLine, BudgetNode, BudgetTotalFlag

    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (BudgetNode, BudgetLine, BudgetTotalFlag)
    )


def run(data, name="rencana.xlsx", dry_run=False, year=YEAR):
    from logistics.budget.imports import import_plan
    from logistics.core.database import transaction

    with transaction():
        return import_plan(data, fiscal_year=year, source_name=name, dry_run=dry_run)


def test_xlsx_import_builds_the_tree_and_flags_the_wrong_total(db, app):
    from logistics.budget import services as budget

    report = run(xlsx(GOOD_ROWS, title_rows=[["RENCANA ANGGARAN DINAS SOSIAL 2026"], []]))
    assert report.errors == [] and report.applied
    assert (report.lines_imported, report.nodes_added) == (2, 4)
    # The kegiatan's own 650.000.000 is kept and flagged against its parts; the program's
    # 700.000.000 then disagrees with that kegiatan in turn.
    assert [(f.row, f.code, f.field, f.printed, f.computed) for f in report.flags] == [
        (4, "1.06.06", "pagu_awal", 700_000_000, 650_000_000),
        (5, "1.06.06.2.01", "pagu_awal", 650_000_000, 700_000_000),
    ]
    rows = {r.code: r for r in budget.year_tree(YEAR)}
    assert rows["1.06.06.2.01"].amounts.pagu_awal == 650_000_000
    assert rows["1.06.06.2.01"].amounts.plan[0] == 150_000_000  # printed TW I agrees
    assert [(d.field, d.own, d.parts) for d in rows["1.06.06.2.01"].disagreements] == [
        ("pagu_awal", 650_000_000, 700_000_000)
    ]
    assert rows["1.06.06.2.01"].flags == []  # a pagu is not a printed total: nothing stored
    assert rows["1.06.06"].amounts.pagu_awal == 700_000_000
    assert rows[PERMAKANAN].amounts.plan == [100_000_000, 150_000_000, 150_000_000, 100_000_000]
    assert rows[SANDANG].amounts.pagu_awal == 200_000_000


def test_csv_with_semicolons_and_grand_total_row(db, app):
    rows = [*GOOD_ROWS, [None, "JUMLAH", "700.000.000", None, None, None, None, None]]
    rows[1] = [*rows[1][:2], "700.000.000", *rows[1][3:]]
    report = run(csv_bytes(rows), name="rencana.csv")
    assert report.errors == [] and report.applied and report.flags == []
    assert any("JUMLAH" in w for w in report.warnings)
    assert counts(db) == (4, 4, 0)  # program and kegiatan keep their own pagu


def test_one_bad_row_writes_nothing(db, app):
    from logistics.budget import services as budget

    budget.seed_structure()
    db.session.commit()
    before = counts(db)
    rows = [
        *GOOD_ROWS,
        [
            "1.06.06.2.01.0003",
            "Penyediaan Tempat Penampungan Pengungsi",
            "-5",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "1.06.06.2.01.0004",
            "Kelompok rentan",
            "100.000.000",
            None,
            "60.000.000",
            "60.000.000",
            None,
            None,
        ],
        ["1.06.06.2.01.00x5", "Psikososial", "1", None, None, None, None, None],
        ["1.06.06.2.03.0001", "Tanpa induk", "1", None, None, None, None, None],
        ["1.06.06.2.01.0001", "Dua kali", "1", None, None, None, None, None],
        ["1.06.06.2.01.0009", None, "1", None, None, None, None, None],
    ]
    report = run(xlsx(rows))
    assert not report.applied
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "tidak boleh negatif" in found[(6, "Pagu awal")]
    assert "melebihi pagu awal" in found[(7, "Triwulan I")]
    assert "tidak dikenali" in found[(8, "Kode")]
    assert "Kegiatan 1.06.06.2.03 belum ada" in found[(9, "Kode")]
    assert "sudah ada di baris 4" in found[(10, "Kode")]
    assert "Uraian wajib diisi" in found[(11, "Uraian")]
    assert len(report.errors) == 6
    assert counts(db) == before  # the four good rows above were not written either
    assert budget.year_tree(YEAR)[0].amounts.pagu is None


def test_dry_run_reports_flags_without_writing(db, app):
    report = run(xlsx(GOOD_ROWS), dry_run=True)
    assert report.errors == [] and not report.applied and len(report.flags) == 2
    assert counts(db) == (0, 0, 0)


def test_reimport_replaces_lines_and_flags_and_keeps_realisation(db, app):
    from logistics.budget import services as budget

    run(xlsx(GOOD_ROWS))
    again = run(xlsx(GOOD_ROWS))  # the same file twice: the same two disagreements
    assert again.applied and len(again.flags) == 2 and counts(db)[1:] == (4, 0)
    budget.record_realisation(
        budget.get_node(PERMAKANAN),
        YEAR,
        paid_on="2026-03-01",
        amount_value=300_000_000,
        today=TODAY,
    )
    db.session.commit()
    fixed = [list(r) for r in GOOD_ROWS]
    fixed[1][2] = "700.000.000"
    fixed[2][3] = "550.000.000"  # APBD-P raises permakanan
    report = run(xlsx(fixed))
    assert report.flags == []
    rows = {r.code: r for r in budget.year_tree(YEAR)}
    assert rows["1.06.06.2.01"].flags == []
    assert rows[PERMAKANAN].amounts.pagu == 550_000_000
    assert rows[PERMAKANAN].amounts.realisasi == 300_000_000
    # a plan that cuts the pagu below what was paid is refused
    fixed[2][2], fixed[2][3] = "200.000.000", None
    fixed[2][4:8] = [None] * 4
    report = run(xlsx(fixed))
    assert not report.applied
    assert any("sudah dibayar" in e.message for e in report.errors)
    assert budget.year_tree(YEAR)[2].amounts.pagu == 550_000_000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not a workbook", "tidak dapat dibaca sebagai XLSX"),
        (b"Nama;Jumlah\nA;1\n", "Baris judul dengan kolom 'Kode'"),
        (b"Kode;Uraian\n1.06.06;Program\n", "Pagu awal"),
        (b"Kode;Pagu awal\n", "tidak berisi baris anggaran"),
    ],
)
def test_unreadable_files(db, app, data, message):
    from logistics.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        run(data, name="x.csv")
    assert message in caught.value.message


def test_template_lists_the_tree(db, app):
    from logistics.budget import services as budget
    from logistics.budget.imports import plan_template

    budget.seed_structure()
    sheet = load_workbook(io.BytesIO(plan_template(YEAR))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Kode", "Uraian", "Pagu awal")
    assert values[3][:2] == (PERMAKANAN, "Penyediaan Makanan")
    assert len(values) == 11


def test_demo_plan_imports_cleanly_onto_the_seeded_tree(db, app):
    from logistics.budget import services as budget
    from logistics.core.config import ROOT

    budget.seed_structure()
    db.session.commit()
    data = (ROOT / "data" / "budget_demo_2026.csv").read_bytes()
    report = run(data, name="budget_demo_2026.csv")
    assert report.errors == [] and report.flags == [] and report.applied
    assert (report.lines_imported, report.nodes_added) == (7, 0)
    program = budget.year_tree(YEAR)[0]
    assert (program.amounts.pagu_awal, program.amounts.pagu) == (2_745_000_000, 2_895_000_000)
