"""A whole past year entered as an office would, and every figure of its year-end report."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from logistics.budget import services as budget
from logistics.events.decrees import add_decree
from logistics.reports import year_report
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import settings as spm_settings
from logistics.victims.models import Household, InstitutionVictim
from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.spm import add_person, add_victim, hand_out

YEAR = 2025
PERMAKANAN = "1.06.06.2.01.0001"
D = Decimal


@pytest.fixture
def past_year(db, make_event):
    """2025: a flood under a tanggap darurat decree, a fire, a bencana sosial at a panti."""
    flood = make_event(title="Banjir Februari", started_at=datetime(YEAR, 2, 10, 2))
    fire = make_event(title="Kebakaran", hazard_code="KBP", started_at=datetime(YEAR, 6, 15, 2))
    conflict = make_event(title="Konflik", hazard_code="KNS", started_at=datetime(YEAR, 9, 1, 2))
    add_decree(
        flood,
        status="tanggap_darurat",
        decree_number="360/Kep.7-BPBD/2025",
        issuer_level="bupati_walikota",
        starts_on=date(YEAR, 2, 10),
        ends_on=date(YEAR, 2, 16),
    )
    h1, h2 = Household(head_name="H1"), Household(head_name="H2")
    db.session.add_all([h1, h2])
    family = [add_person(db, n, h1) for n in ("A1", "A2", "A3")]
    alone = add_person(db, "P")
    injured = [add_person(db, n, h2) for n in ("B1", "B2")]
    for person in family:
        add_victim(db, flood, person, "mengungsi", BEKASIJAYA)
    add_victim(db, flood, alone, "menderita", BEKASIJAYA)
    for person in injured:  # a household whose members are all injured
        add_victim(db, fire, person, "terluka", MARGAHAYU)
    panti = InstitutionVictim(
        event_id=conflict.id,
        name="Panti Werdha",
        kind="panti",
        kelurahan_code=MARGAHAYU,
        headcount=50,
        status="mengungsi",
    )
    db.session.add(panti)
    db.session.flush()
    # The phase field says 'saat' everywhere; only the family's aid fell inside the decree.
    hand_out(db, flood, "permakanan", date(YEAR, 2, 12), family, BEKASIJAYA)
    hand_out(db, flood, "permakanan", date(YEAR, 2, 20), [alone], BEKASIJAYA)
    hand_out(db, fire, "sandang", date(YEAR, 6, 16), injured, MARGAHAYU)
    hand_out(
        db,
        conflict,
        "permakanan",
        date(YEAR, 9, 2),
        [],
        MARGAHAYU,
        recipient_kind="institution",
        institution_id=panti.id,
    )
    for indicator, value, unit in (
        ("permakanan", "5", "orang"),
        ("persen_korban_dibantu", "100", "%"),
    ):
        spm_settings.save_target(
            {"year": YEAR, "indicator": indicator, "value": value, "unit": unit, "mode": "sum"}
        )
    budget.seed_structure()
    # As the office's published budget gives it: the pagu awal only for the program, the pagu
    # perubahan for the one sub-kegiatan the APBD-P changed, nothing on the kegiatan.
    budget.set_budget(budget.get_node("1.06.06"), YEAR, pagu_awal=100_000_000)
    node = budget.get_sub_kegiatan(PERMAKANAN)
    budget.set_budget(node, YEAR, pagu_awal=None, pagu_perubahan=90_000_000, funding_source="DAU")
    budget.record_realisation(
        node, YEAR, paid_on=date(YEAR, 3, 1), amount_value=81_234_567, today=date(YEAR, 12, 31)
    )
    db.session.commit()
    spm_aggregates.rebuild(YEAR)
    db.session.commit()


def _people(row):
    keys = (
        "events",
        "kk_affected",
        "lembaga_affected",
        "jiwa_affected",
        "kk_handled",
        "lembaga_handled",
        "jiwa_handled",
        "persen_handled",
    )
    return tuple(row[k] for k in keys)


def test_the_year_end_report_of_a_past_year(db, past_year):
    report = year_report.build(YEAR)
    hazards = {row["code"]: row for row in report["by_hazard"]}
    assert len(hazards) == 15
    assert _people(hazards["BJR"]) == (1, 1, 0, 4, 1, 0, 4, D("100.00"))
    assert _people(hazards["KBP"]) == (1, 1, 0, 2, 1, 0, 2, D("100.00"))
    assert _people(hazards["KNS"]) == (1, 0, 1, 50, 0, 1, 50, D("100.00"))
    assert _people(hazards["GMP"]) == (0, 0, 0, 0, 0, 0, 0, None)
    assert _people(report["by_hazard_total"]) == (3, 2, 1, 56, 2, 1, 56, D("100.00"))
    assert _people(report["by_region_total"]) == (3, 2, 1, 56, 2, 1, 56, D("100.00"))
    # Only the family's 3 jiwa were helped while the decree was in force: 3/56 = 5,357 -> 5,36.
    assert report["assisted_in_emergency"] == {
        "jiwa_assisted": 3,
        "jiwa_affected": 56,
        "persen": D("5.36"),
    }
    food = next(r for r in report["components"] if r["component"] == "permakanan")
    # Distinct persons named on permakanan hand-outs: A1-A3 and P (the panti is a headcount).
    assert (food["realisasi"], food["target"], food["capaian"]) == (4, D(5), D("80.00"))
    # 81.234.567 / 90.000.000 = 90,2606...%: printed 90 as the LKIP does, so 80,00 - 90.
    assert (food["pagu"], food["realisasi_anggaran"], food["serapan"]) == (
        90_000_000,
        81_234_567,
        D("90.26"),
    )
    assert (food["serapan_printed"], food["efisiensi"], food["sumber_dana"]) == (
        D("90"),
        D("-10.00"),
        "DAU",
    )
    tree = {row["code"]: row for row in report["budget"]}
    money = ("pagu_awal", "pagu_perubahan", "pagu", "realisasi", "sisa", "serapan")
    lkip = ("serapan_printed", "indicator", "capaian", "efisiensi", "disagreements")
    expected = {
        # The program's own pagu awal; its perubahan is its parts' (90 million in force).
        "1.06.06": (100_000_000, 90_000_000, 90_000_000, 81_234_567, 8_765_433, D("90.26")),
        # The kegiatan has no figure of its own: the sum of its parts, only a perubahan.
        "1.06.06.2.01": (None, 90_000_000, 90_000_000, 81_234_567, 8_765_433, D("90.26")),
        PERMAKANAN: (None, 90_000_000, 90_000_000, 81_234_567, 8_765_433, D("90.26")),
        "1.06.06.2.01.0002": (None, None, None, 0, None, None),
        "1.06.06.2.02": (None, None, None, 0, None, None),
    }
    for code, figures in expected.items():
        assert tuple(tree[code][k] for k in money) == figures, code
    # Capaian of the indicator each level reports on: the program the share of victims
    # assisted during tanggap darurat (5,36 of a 100% target), the protection kegiatan the
    # SPM indicator (no target set: no capaian), the sub-kegiatan its component.
    assert tuple(tree["1.06.06"][k] for k in lkip) == (
        D("90"),
        "persen_korban_dibantu",
        D("5.36"),
        D("-84.64"),
        [],
    )
    assert tuple(tree["1.06.06.2.01"][k] for k in lkip) == (D("90"), "capaian_spm", None, None, [])
    assert tuple(tree[PERMAKANAN][k] for k in lkip) == (D("90"), None, D("80.00"), D("-10.00"), [])
    assert report["budget_total"] == {
        "pagu": 90_000_000,
        "realisasi": 81_234_567,
        "serapan": D("90.26"),
    }

    book = load_workbook(io.BytesIO(year_report.xlsx_bytes(report)))
    sheet = book["Per jenis bencana"]
    rows = {r[1]: r[2:] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Banjir"] == (1, 1, 0, 4, 1, 0, 4, 100)
    assert rows["Konflik sosial"] == (1, 0, 1, 50, 0, 1, 50, 100)
    assert rows["Gempa bumi"] == (0, 0, 0, 0, 0, 0, 0, "-")
    assert rows["Jumlah"] == (3, 2, 1, 56, 2, 1, 56, 100)
    components = book["Komponen SPM"]
    assert [c.value for c in components[4]][2:] == [
        PERMAKANAN,
        "DAU",
        5,
        "orang",
        "Dijumlah per triwulan",
        4,
        "orang",
        80,
        90_000_000,
        81_234_567,
        90.26,
        -10,
    ]
    money_sheet = book["Anggaran"]
    printed = {r[0]: r for r in money_sheet.iter_rows(min_row=4, values_only=True)}
    assert printed["1.06.06"][3:14] == (
        100_000_000,
        90_000_000,
        90_000_000,
        81_234_567,
        8_765_433,
        90,
        90.26,
        "Persentase korban bencana yang menerima bantuan sosial",
        5.36,
        -84.64,
        None,
    )
    assert printed["1.06.06.2.01"][3:5] == ("-", 90_000_000)
    outputs = {r[1]: r for r in book["Tagana dan KSB"].iter_rows(min_row=4, values_only=True)}
    assert outputs["Persentase korban bencana yang menerima bantuan sosial"][5] == 5.36

    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(year_report.pdf_bytes(report))).pages
    )
    for expected in (
        "Tahun Anggaran 2025",
        "Konflik sosial",
        "5,36%",
        "80,00%",
        "90,26%",
        "LKIP 90%",
        "-10,00%",
        "5,36%",
        "-84,64%",
        "Rp 100.000.000",
        "Rp 81.234.567",
        "indikator: Persentase korban",
        "sumber dana DAU",
        "Lembaga",
    ):
        assert expected in text, expected
