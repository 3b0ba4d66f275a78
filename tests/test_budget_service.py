"""Budget services: code forms, the seeded tree, pagu and cash plan, realisation checks, totals."""

import pytest

from logistics.core.errors import DomainError
from tests.support.budget import KSB, PERMAKANAN, SANDANG, TODAY, YEAR


@pytest.fixture
def tree(db):
    from logistics.budget import services as budget

    budget.seed_structure()
    db.session.commit()
    return budget


@pytest.mark.parametrize(
    ("written", "canonical", "level"),
    [
        ("1.06.06.2.01.0001", PERMAKANAN, "sub_kegiatan"),
        ("1.06.06.02.01.0001", PERMAKANAN, "sub_kegiatan"),
        (" 1.06.06.02.01.0001. ", PERMAKANAN, "sub_kegiatan"),
        ("1.6.6.2.1.1", PERMAKANAN, "sub_kegiatan"),
        ("1.06.06", "1.06.06", "program"),
        ("1.06.06.2.01", "1.06.06.2.01", "kegiatan"),
        ("1.06.06.02.01", "1.06.06.2.01", "kegiatan"),
    ],
)
def test_code_forms_give_one_canonical_code(app, written, canonical, level):
    from logistics.budget.services import split_code

    assert split_code(written) == (canonical, level)


@pytest.mark.parametrize(
    "written",
    [
        "",
        "1.06",
        "1.06.06.2",
        "1.06.06.2.01.0001.1",
        "1.06.06.2.01.00001",
        "1.06.06.12.01",
        "1.06.06.2.O1",
        "abc",
        "1.006.06",
    ],
)
def test_bad_codes_are_refused(app, written):
    from logistics.budget.services import split_code

    with pytest.raises(DomainError) as caught:
        split_code(written)
    assert caught.value.field == "code"


def test_seeded_tree_with_spm_components(db, tree):
    nodes = {n.code: n for n in tree.list_nodes()}
    subs = [n for n in nodes.values() if n.level == "sub_kegiatan"]
    assert len(subs) == 7
    assert {n.code: n.spm_component for n in subs if n.spm_component} == {
        PERMAKANAN: "permakanan",
        SANDANG: "sandang",
        "1.06.06.2.01.0003": "tempat_penampungan",
        "1.06.06.2.01.0004": "kelompok_rentan",
        "1.06.06.2.01.0005": "psikososial",
    }
    assert nodes[PERMAKANAN].parent.code == "1.06.06.2.01"
    assert nodes["1.06.06.2.01"].parent.code == "1.06.06"
    assert tree.seed_structure() == 0  # running it again adds nothing
    assert tree.get_node("1.06.06.02.01.0002").code == SANDANG


def test_node_needs_its_parent(db, app):
    from logistics.budget import services as budget

    with pytest.raises(DomainError) as caught:
        budget.save_node("1.06.06.2.01.0001", "Penyediaan Makanan")
    assert "1.06.06.2.01" in caught.value.message


def test_totals_are_computed_from_sub_kegiatan(db, tree):
    tree.set_budget(
        tree.get_node(PERMAKANAN),
        YEAR,
        pagu_awal="Rp 500.000.000",
        plan=["100.000.000", 150_000_000, 150000000, "100.000.000,00"],
    )
    tree.set_budget(
        tree.get_node(SANDANG),
        YEAR,
        pagu_awal=200_000_000,
        pagu_perubahan=150_000_000,
        plan=[50_000_000, 50_000_000, 50_000_000, 0],
    )
    tree.set_budget(tree.get_node(KSB), YEAR, pagu_awal=80_000_000)
    tree.record_realisation(
        tree.get_node(PERMAKANAN),
        YEAR,
        paid_on="2026-02-10",
        amount_value=90_000_000,
        document_number="SP2D-001",
        today=TODAY,
    )
    tree.record_realisation(
        tree.get_node(PERMAKANAN),
        YEAR,
        paid_on="15/05/2026",
        amount_value="27.500.000",
        document_number="SP2D-002",
        today=TODAY,
    )
    tree.record_realisation(
        tree.get_node(SANDANG), YEAR, paid_on="2026-08-01", amount_value=60_000_000, today=TODAY
    )
    db.session.commit()
    rows = {r.code: r.amounts for r in tree.year_tree(YEAR)}
    assert rows[PERMAKANAN].realised == [90_000_000, 27_500_000, 0, 0]
    assert str(rows[PERMAKANAN].serapan) == "23.50"
    kegiatan = rows["1.06.06.2.01"]
    assert kegiatan.pagu_awal == 700_000_000
    assert kegiatan.pagu_perubahan == 650_000_000
    assert kegiatan.realisasi == 177_500_000
    assert kegiatan.plan == [150_000_000, 200_000_000, 200_000_000, 100_000_000]
    assert str(kegiatan.serapan) == "27.31"  # 177,5 / 650 = 27,3077
    program = rows["1.06.06"]
    assert program.pagu_awal == 780_000_000 and program.pagu == 730_000_000
    assert program.realisasi == 177_500_000
    assert rows["1.06.06.2.02"].pagu == 80_000_000 and rows["1.06.06.2.02"].serapan == 0
    # another year is separate
    assert {r.code: r.amounts.pagu for r in tree.year_tree(2025)}["1.06.06"] is None


def test_plan_must_fit_the_pagu_in_force(db, tree):
    node = tree.get_node(PERMAKANAN)
    with pytest.raises(DomainError) as caught:
        tree.set_budget(node, YEAR, pagu_awal=100_000_000, plan=[30_000_000] * 4)
    assert "melebihi pagu awal Rp 100.000.000 sebesar Rp 20.000.000" in caught.value.message
    tree.set_budget(node, YEAR, pagu_awal=100_000_000, plan=[25_000_000] * 4)
    with pytest.raises(DomainError) as caught:
        tree.set_budget(node, YEAR, pagu_awal=100_000_000, pagu_perubahan=90_000_000)
    assert "melebihi pagu perubahan Rp 90.000.000" in caught.value.message
    line = tree.set_budget(
        node, YEAR, pagu_awal=100_000_000, pagu_perubahan=120_000_000, plan=[30_000_000] * 4
    )
    assert (line.pagu_awal, line.pagu_perubahan, line.plan_q4) == (
        100_000_000,
        120_000_000,
        30_000_000,
    )


@pytest.mark.parametrize(
    ("pagu", "message"),
    [
        (-5, "tidak boleh negatif"),
        ("12,5", "tanpa sen"),
        ("1,234,567", "angka rupiah"),
        (5_000_000_000_000, "tidak wajar"),
        (None, "wajib diisi"),
        (float("nan"), "angka rupiah"),
    ],
)
def test_bad_pagu_is_refused(db, tree, pagu, message):
    with pytest.raises(DomainError) as caught:
        tree.set_budget(tree.get_node(PERMAKANAN), YEAR, pagu_awal=pagu)
    assert message in caught.value.message
    assert caught.value.field == "pagu_awal"


def test_cash_plan_only_on_sub_kegiatan(db, tree):
    with pytest.raises(DomainError) as caught:
        tree.set_budget(tree.get_node("1.06.06.2.01"), YEAR, pagu_awal=1, plan=[1, 0, 0, 0])
    assert "rencana triwulan diisi pada sub-kegiatan" in caught.value.message


@pytest.fixture
def funded(db, tree):
    tree.set_budget(tree.get_node(PERMAKANAN), YEAR, pagu_awal=100_000_000)
    db.session.commit()
    return tree.get_node(PERMAKANAN)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount_value": -1}, "amount", "tidak boleh negatif"),
        ({"amount_value": 0}, "amount", "lebih dari nol"),
        ({"amount_value": 100_000_001}, "amount", "sisa Rp 100.000.000"),
        ({"amount_value": 10**13}, "amount", "tidak wajar"),
        ({"paid_on": "2025-12-31"}, "paid_on", "di luar tahun anggaran 2026"),
        ({"paid_on": "2027-01-02"}, "paid_on", "di luar tahun anggaran 2026"),
        ({"paid_on": "2026-12-01"}, "paid_on", "belum terjadi"),
        ({"paid_on": "31/02/2026"}, "paid_on", "harus tanggal"),
        ({"paid_on": None}, "paid_on", "wajib diisi"),
    ],
)
def test_realisation_is_validated(db, tree, funded, values, field, message):
    data = {"paid_on": "2026-03-01", "amount_value": 1_000_000} | values
    with pytest.raises(DomainError) as caught:
        tree.record_realisation(funded, YEAR, today=TODAY, **data)
    assert caught.value.field == field
    assert message in caught.value.message


def test_realisation_needs_a_pagu_and_fits_what_is_left(db, tree, funded):
    with pytest.raises(DomainError) as caught:
        tree.record_realisation(
            tree.get_node(SANDANG), YEAR, paid_on="2026-03-01", amount_value=1, today=TODAY
        )
    assert "belum diisi" in caught.value.message
    tree.record_realisation(
        funded,
        YEAR,
        paid_on="2026-03-01",
        amount_value=70_000_000,
        document_number="SP2D-7",
        today=TODAY,
    )
    with pytest.raises(DomainError) as caught:
        tree.record_realisation(
            funded, YEAR, paid_on="2026-04-01", amount_value=30_000_001, today=TODAY
        )
    assert "sudah terealisasi Rp 70.000.000, sisa Rp 30.000.000" in caught.value.message
    with pytest.raises(DomainError) as caught:
        tree.record_realisation(
            funded,
            YEAR,
            paid_on="2026-04-01",
            amount_value=1,
            document_number="sp2d-7",
            today=TODAY,
        )
    assert caught.value.status == 409
    # the pagu cannot drop below what was paid
    with pytest.raises(DomainError) as caught:
        tree.set_budget(funded, YEAR, pagu_awal=100_000_000, pagu_perubahan=60_000_000)
    assert "sudah dibayar" in caught.value.message
    with pytest.raises(DomainError):
        tree.record_realisation(
            tree.get_node("1.06.06.2.01"), YEAR, paid_on="2026-03-01", amount_value=1, today=TODAY
        )
