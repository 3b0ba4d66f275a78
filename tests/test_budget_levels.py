"""Pagu on every level of the budget tree, its disagreements, and capaian/efisiensi per level."""

import io
from datetime import date
from decimal import Decimal

import pytest

from logistics.budget.rules import Amounts, tree_amounts
from logistics.core.errors import DomainError
from logistics.core.lkip import efisiensi, serapan_printed
from tests.support.budget import HEADER, PERMAKANAN, SANDANG, TODAY, YEAR, xlsx

D = Decimal
PROGRAM, KEGIATAN = "1.06.06", "1.06.06.2.01"
NODES = [(PROGRAM, "program"), (KEGIATAN, "kegiatan"), (PERMAKANAN, "sub_kegiatan")]
NODES.append((SANDANG, "sub_kegiatan"))


@pytest.fixture
def tree(db):
    from logistics.budget import services as budget

    budget.seed_structure()
    db.session.commit()
    return budget


def _figures(tree, code):
    amounts, disagreements = tree[code]
    return (
        amounts.pagu_awal,
        amounts.pagu_perubahan,
        [(d.field, d.own, d.parts) for d in disagreements],
    )


def test_a_level_uses_its_own_figure_else_the_sum_of_its_parts():
    lines = {
        PROGRAM: Amounts(pagu_awal=100),
        PERMAKANAN: Amounts(pagu_awal=None, pagu_perubahan=90, realised=[50, 0, 0, 0]),
    }
    found = tree_amounts(NODES, lines)
    assert _figures(found, PROGRAM) == (100, 90, [])
    assert _figures(found, KEGIATAN) == (None, 90, [])  # nothing of its own: its parts
    assert _figures(found, SANDANG) == (None, None, [])  # blank, covered by the program
    assert found[PROGRAM][0].realisasi == 50 and found[PROGRAM][0].serapan == D("55.56")
    assert found[KEGIATAN][0].serapan == D("55.56")


@pytest.mark.parametrize(
    ("permakanan", "sandang", "flagged"),
    [
        (500, 200, [("pagu_awal", 650, 700)]),  # every part has a figure: any difference
        (500, 150, []),  # the parts add up to the kegiatan's own figure
        (700, None, [("pagu_awal", 650, 700)]),  # a blank part, but the others exceed it
        (600, None, []),  # a blank part is covered by the kegiatan: no disagreement
    ],
)
def test_an_own_figure_that_disagrees_with_its_parts_is_flagged(permakanan, sandang, flagged):
    lines = {
        KEGIATAN: Amounts(pagu_awal=650),
        PERMAKANAN: Amounts(pagu_awal=permakanan),
        SANDANG: Amounts(pagu_awal=sandang),
    }
    found = tree_amounts(NODES, lines)
    assert _figures(found, KEGIATAN) == (650, None, flagged)
    assert found[PROGRAM][0].pagu_awal == 650  # the program's parts: the kegiatan's own figure


def test_efisiensi_as_the_lkip_takes_it():
    # DOMAIN.md: capaian 95, serapan printed 81 -> efisiensi 14.
    assert serapan_printed(D("81.23")) == D("81")
    assert efisiensi(D("95"), D("81.23"), 0) == D("14.00")
    assert efisiensi(D("95"), D("81.50"), 0) == D("13.00")  # 81,5 prints 82, halves up
    assert efisiensi(D("95"), D("81.23"), 2) == D("13.77")
    assert efisiensi(None, D("81.23"), 0) is None


def test_pagu_only_at_program_level_and_payments_on_a_blank_sub_kegiatan(db, tree):
    with pytest.raises(DomainError) as caught:
        tree.set_budget(tree.get_node(PERMAKANAN), YEAR, pagu_awal=None)
    assert "wajib diisi" in caught.value.message and "kegiatan/programnya" in caught.value.message
    tree.set_budget(tree.get_node(PROGRAM), YEAR, pagu_awal="100.000.000")
    tree.set_budget(tree.get_node(PERMAKANAN), YEAR, pagu_awal=None, funding_source="DAU")
    db.session.commit()
    tree.record_realisation(
        tree.get_node(PERMAKANAN), YEAR, paid_on="2026-03-01", amount_value=60_000_000, today=TODAY
    )
    # Sandang has no line at all; its payment draws on the program's pagu, which has 40 left.
    with pytest.raises(DomainError) as caught:
        tree.record_realisation(
            tree.get_node(SANDANG), YEAR, paid_on="2026-04-01", amount_value=50_000_000, today=TODAY
        )
    assert "sisa pagu 1.06.06" in caught.value.message and "Rp 40.000.000" in caught.value.message
    tree.record_realisation(
        tree.get_node(SANDANG), YEAR, paid_on="2026-04-01", amount_value=40_000_000, today=TODAY
    )
    db.session.commit()
    rows = {r.code: r.amounts for r in tree.year_tree(YEAR)}
    assert (rows[PROGRAM].pagu, rows[PROGRAM].realisasi, rows[PROGRAM].serapan) == (
        100_000_000,
        100_000_000,
        D("100.00"),
    )
    assert (rows[KEGIATAN].pagu, rows[KEGIATAN].realisasi, rows[KEGIATAN].serapan) == (
        None,
        100_000_000,
        None,
    )
    assert rows[SANDANG].realisasi == 40_000_000 and rows[SANDANG].pagu is None
    # The program's pagu cannot fall below what its sub-kegiatan already paid.
    with pytest.raises(DomainError) as caught:
        tree.set_budget(tree.get_node(PROGRAM), YEAR, pagu_awal=90_000_000)
    assert "sudah dibayar" in caught.value.message


def _run(rows, dry_run=False):
    from logistics.budget.imports import import_plan
    from logistics.core.database import transaction

    with transaction():
        return import_plan(xlsx(rows), fiscal_year=YEAR, source_name="p.xlsx", dry_run=dry_run)


def test_import_accepts_pagu_awal_only_for_the_program(db, app):
    from logistics.budget import services as budget

    assert HEADER[2:4] == ["Pagu awal", "Pagu perubahan"]
    rows = [
        [PROGRAM, "Program Penanganan Bencana", "1.000.000.000", None, None, None, None, None],
        [KEGIATAN, "Perlindungan Sosial Korban Bencana", None, None, None, None, None, None],
        [PERMAKANAN, "Penyediaan Makanan", None, "600.000.000", None, None, None, None],
        [SANDANG, "Penyediaan Sandang", None, "300.000.000", None, None, None, None],
    ]
    report = _run(rows)
    assert report.errors == [] and report.applied and report.flags == []
    tree = {r.code: r.amounts for r in budget.year_tree(YEAR)}
    assert (tree[PROGRAM].pagu_awal, tree[PROGRAM].pagu_perubahan) == (1_000_000_000, 900_000_000)
    assert (tree[KEGIATAN].pagu_awal, tree[KEGIATAN].pagu_perubahan) == (None, 900_000_000)
    assert (tree[PERMAKANAN].pagu_awal, tree[PERMAKANAN].pagu) == (None, 600_000_000)


def test_import_flags_a_disagreeing_level_instead_of_refusing(db, app):
    from logistics.budget import services as budget

    rows = [
        [PROGRAM, "Program Penanganan Bencana", "1.000.000.000", None, None, None, None, None],
        [PERMAKANAN, "Penyediaan Makanan", "700.000.000", None, None, None, None, None],
        [SANDANG, "Penyediaan Sandang", "400.000.000", None, None, None, None, None],
    ]
    # The kegiatan is not in the file: it is added by the tree seed, and its parts exceed the
    # program's own figure.
    budget.seed_structure()
    db.session.commit()
    preview = _run(rows, dry_run=True)
    assert preview.errors == [] and not preview.applied
    assert [(f.code, f.field, f.printed, f.computed) for f in preview.flags] == [
        (PROGRAM, "pagu_awal", 1_000_000_000, 1_100_000_000)
    ]
    report = _run(rows)
    assert report.applied
    program = next(r for r in budget.year_tree(YEAR) if r.code == PROGRAM)
    assert program.amounts.pagu_awal == 1_000_000_000  # the program's own figure is reported
    assert [(d.own, d.parts, d.difference) for d in program.disagreements] == [
        (1_000_000_000, 1_100_000_000, -100_000_000)
    ]
    # The year-end report notes it and prints it beside the row.
    from openpyxl import load_workbook

    from logistics.reports import year_report

    report = year_report.build(YEAR)
    note = (
        "Program 1.06.06: pagu awal Rp 1.000.000.000 tidak sama dengan jumlah rinciannya "
        "Rp 1.100.000.000 (selisih -Rp 100.000.000); laporan memakai angka program itu sendiri."
    )
    assert note in report["notes"]
    book = load_workbook(io.BytesIO(year_report.xlsx_bytes(report)))
    printed = {r[0]: r for r in book["Anggaran"].iter_rows(min_row=4, values_only=True)}
    assert printed[PROGRAM][3] == 1_000_000_000
    assert printed[PROGRAM][-1] == (
        "Pagu awal Rp 1.000.000.000 tidak sama dengan jumlah rincian Rp 1.100.000.000"
    )


def test_import_refuses_a_blank_sub_kegiatan_with_no_figure_above(db, app):
    rows = [
        [PROGRAM, "Program Penanganan Bencana", None, None, None, None, None, None],
        [KEGIATAN, "Perlindungan Sosial Korban Bencana", None, None, None, None, None, None],
        [PERMAKANAN, "Penyediaan Makanan", None, None, None, None, None, None],
    ]
    report = _run(rows)
    assert not report.applied
    [error] = report.errors
    assert (error.row, error.column) == (4, "Pagu awal") and "wajib diisi" in error.message


def test_pages_enter_a_program_pagu_link_an_indicator_and_show_capaian(as_role, db, tree):
    from logistics.reports import year_report
    from logistics.spm import settings as spm_settings

    spm_settings.save_target(
        {"year": YEAR, "indicator": "ksb", "value": "4", "unit": "KSB", "mode": "sum"}
    )
    db.session.commit()
    client = as_role("operator")
    form = client.get(f"/anggaran/pagu?kode={PROGRAM}&tahun={YEAR}").get_data(as_text=True)
    assert f'value="{PROGRAM}"' in form
    response = client.post(
        "/anggaran/pagu",
        data={"code": PROGRAM, "fiscal_year": str(YEAR), "pagu_awal": "200.000.000"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post(
        "/anggaran/realisasi",
        data={
            "code": "1.06.06.2.02.0001",
            "fiscal_year": str(YEAR),
            "paid_on": "2026-03-01",
            "amount_value": "81.234.567",
        },
    )
    # The preparedness kegiatan reports on KSB formed (none this year): capaian 0 of 4.
    rows = {r.code: r for r in tree.year_tree(YEAR)}
    assert rows["1.06.06.2.02"].indicator == "ksb"
    assert rows[PROGRAM].amounts.serapan == D("40.62")
    page = client.get(f"/anggaran/?tahun={YEAR}").get_data(as_text=True)
    assert "Capaian kinerja" in page and "Indikator: Kampung Siaga Bencana (KSB) dibentuk" in page
    assert "40,62%" in page and "41,00%" not in page and "41%" in page  # LKIP prints it whole
    # Link the program to KSB formed as well, then to nothing.
    response = client.post(
        "/anggaran/kode/baru",
        data={"code": PROGRAM, "name": "Program Penanganan Bencana", "indicator": "ksb"},
    )
    assert response.status_code == 302
    assert {r.code: r.indicator for r in tree.year_tree(YEAR)}[PROGRAM] == "ksb"
    lkip = {
        row["code"]: row for row in year_report.budget_level_figures(YEAR, tree.year_tree(YEAR))
    }
    # KSB capaian 0,00 - serapan printed 41 = -41,00 for the program.
    assert (lkip[PROGRAM]["capaian"], lkip[PROGRAM]["serapan_printed"]) == (D("0.00"), D("41"))
    assert lkip[PROGRAM]["efisiensi"] == D("-41.00")
    assert "-41,00%" in client.get(f"/anggaran/?tahun={YEAR}").get_data(as_text=True)
    client.post(
        "/anggaran/kode/baru",
        data={"code": PROGRAM, "name": "Program Penanganan Bencana", "indicator": ""},
    )
    assert {r.code: r.indicator for r in tree.year_tree(YEAR)}[PROGRAM] is None


def test_serapan_rounding_is_an_office_setting(app, db, as_role, tree):
    from logistics.reports import year_report
    from tests.support.office import HEAD_NAME, HEAD_NIP, SERANG

    tree.set_budget(tree.get_node(PERMAKANAN), YEAR, pagu_awal=90_000_000)
    tree.record_realisation(
        tree.get_node(PERMAKANAN),
        YEAR,
        paid_on=date(YEAR, 3, 1),
        amount_value=81_234_567,
        today=TODAY,
    )
    db.session.commit()
    assert app.config["OFFICE_SERAPAN_PLACES"] == 0  # the LKIP convention by default
    admin = as_role("admin")
    assert "Pembulatan serapan" in admin.get("/admin/profil-kantor").get_data(as_text=True)
    data = dict(SERANG, kepala_dinas_name=HEAD_NAME, kepala_dinas_nip=HEAD_NIP)
    refused = admin.post("/admin/profil-kantor", data=dict(data, serapan_places="5"))
    assert refused.status_code == 422
    response = admin.post("/admin/profil-kantor", data=dict(data, serapan_places="2"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert app.config["OFFICE_SERAPAN_PLACES"] == 2
    program = next(r for r in year_report.build(YEAR)["budget"] if r["code"] == PROGRAM)
    assert (program["serapan"], program["serapan_printed"]) == (D("90.26"), D("90.26"))
