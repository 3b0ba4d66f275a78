"""Year-end report: a hand-built year whose figures are computed by hand; XLSX and PDF read back."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.budget import services as budget
from logistics.core.job_models import JobRecord
from logistics.events.models import Event
from logistics.reports import year_report
from logistics.reports.models import ReportFile
from logistics.shelters.models import Shelter
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import settings as spm_settings
from logistics.stock.models import Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana, TaganaMember
from logistics.victims.models import Household
from tests.support.spm import add_person, add_victim, hand_out

YEAR = 2026
SANDANG = "1.06.06.2.01.0002"
D = Decimal


def _person(db, name, household=None):
    return add_person(db, name, household, sex="P")


def _victims(db, event, persons, status, kelurahan):
    for person in persons:
        add_victim(db, event, person, status, kelurahan)


@pytest.fixture
def kecamatan(db, bekasi):
    """Four kecamatan of Kota Bekasi with one kelurahan each: [(kecamatan code, name, kelurahan)]."""
    chosen = []
    for code, name in db.session.execute(
        select(Area.code, Area.name).where(Area.level == "kecamatan").order_by(Area.code).limit(4)
    ):
        kelurahan = db.session.scalar(
            select(Area.code).where(Area.parent_code == code).order_by(Area.code).limit(1)
        )
        chosen.append((code, name, kelurahan))
    return chosen


@pytest.fixture
def year(db, make_event, kecamatan):
    """Four events of three types in four kecamatan, five components, budget, Tagana and KSB."""
    (_c1, _n1, k1), (_c2, _n2, k2), (_c3, _n3, k3), (_c4, _n4, k4) = kecamatan
    flood_a = make_event(title="Banjir Februari", started_at=datetime(YEAR, 2, 10, 2))
    flood_b = make_event(title="Banjir November", started_at=datetime(YEAR, 11, 5, 2))
    fire = make_event(title="Kebakaran", hazard_code="KBP", started_at=datetime(YEAR, 6, 15, 3))
    slide = make_event(title="Longsor", hazard_code="TLS", started_at=datetime(YEAR, 8, 20, 3))
    hh = [Household(head_name=f"KK {i}") for i in range(1, 6)]
    db.session.add_all(hh)
    a1, a2, a3 = (_person(db, n, hh[0]) for n in ("A1", "A2", "A3"))
    b1, b2 = (_person(db, n, hh[1]) for n in ("B1", "B2"))
    c1, c2, c3, c4 = (_person(db, n, hh[2]) for n in ("C1", "C2", "C3", "C4"))
    d1, d2 = (_person(db, n, hh[3]) for n in ("D1", "D2"))
    e1 = _person(db, "E1")  # no household: counts as a jiwa, not as a KK
    f1 = _person(db, "F1", hh[4])
    _victims(db, flood_a, [a1, a2, a3], "mengungsi", k1)
    _victims(db, flood_a, [b1, b2], "menderita", k2)
    _victims(db, flood_b, [c1, c2, c3, c4, e1], "menderita", k3)
    _victims(db, flood_b, [a1], "mengungsi", k1)  # the same person in a second flood
    _victims(db, fire, [d1, d2], "mengungsi", k4)
    _victims(db, slide, [f1], "menderita", k2)
    feb, nov, jun = date(YEAR, 2, 11), date(YEAR, 11, 6), date(YEAR, 6, 16)
    hand_out(db, flood_a, "permakanan", feb, [a1, a2, a3], k1)
    hand_out(db, flood_a, "sandang", feb, [a1], k1)
    hand_out(db, flood_a, "tempat_penampungan", feb, [a1, a2], k1)
    hand_out(db, flood_a, "permakanan", feb, [b1], k2)
    hand_out(db, flood_b, "permakanan", nov, [c1, c2, c3, c4], k3)
    hand_out(db, flood_b, "kelompok_rentan", nov, [c4], k3)
    hand_out(db, flood_b, "psikososial", nov, [c1, c2], k3)
    for component in ("permakanan", "sandang", "tempat_penampungan"):
        hand_out(db, fire, component, jun, [d1, d2], k4)
    # Tagana: m1 twice and m2 deployed; m3 only on a cancelled letter; m4 inactive; m5 joins later.
    members = [
        TaganaMember(nia=f"NIA-{i}", name=f"Tagana {i}", sex="L", active=i != 4, joined_on=joined)
        for i, joined in (
            (1, None),
            (2, date(2020, 1, 1)),
            (3, None),
            (4, None),
            (5, date(2027, 1, 5)),
        )
    ]
    db.session.add_all(members)
    db.session.flush()
    for member, event, status in (
        (members[0], flood_a, "selesai"),
        (members[0], fire, "bertugas"),
        (members[1], fire, "selesai"),
        (members[2], slide, "dibatalkan"),
    ):
        db.session.add(
            Deployment(
                member_id=member.id,
                event_id=event.id,
                place_kind="posko",
                role="Dapur umum",
                letter_number=f"ST-{member.id}-{event.id}",
                starts_at=event.started_at,
                status=status,
            )
        )
    db.session.add_all(
        [
            KampungSiagaBencana(name="KSB 1", kelurahan_code=k1, formed_year=YEAR),
            KampungSiagaBencana(name="KSB 2", kelurahan_code=k2, formed_year=YEAR),
            KampungSiagaBencana(
                name="KSB 3", kelurahan_code=k3, formed_year=YEAR - 1, facilitation_years=[YEAR]
            ),
        ]
    )
    for code, tier, kelurahan, active in (
        ("LS-1", "lumbung_sosial", k1, True),
        ("LS-2", "lumbung_sosial", k1, True),
        ("LS-3", "lumbung_sosial", k2, True),
        ("LS-4", "lumbung_sosial", k3, False),
        ("GD-1", "kab_kota", k4, True),
    ):
        db.session.add(
            Warehouse(code=code, name=code, tier=tier, kelurahan_code=kelurahan, active=active)
        )
    for indicator, value, unit, lower in (
        ("permakanan", 12, "orang", False),
        ("sandang", 4, "orang", False),
        ("tempat_penampungan", 5, "orang", True),  # lower is better
        ("kelompok_rentan", 3, "orang", False),
        ("psikososial", 16, "orang", False),
        ("capaian_spm", 100, "%", False),
        ("persen_korban_dibantu", 100, "%", False),
        ("tagana", 4, "orang", False),
        ("ksb", 3, "KSB", False),
        ("lumbung_sosial", 2, "kelurahan", False),
    ):
        spm_settings.save_target(
            {
                "year": YEAR,
                "indicator": indicator,
                "value": str(value),
                "unit": unit,
                "mode": "sum",
                "lower_is_better": "1" if lower else "",
            }
        )
    budget.seed_structure()
    for code, awal, perubahan, paid in (
        ("1.06.06.2.01.0001", 200_000_000, None, 144_770_000),  # serapan 72,385 -> 72,39
        ("1.06.06.2.01.0002", 3_200_000, None, 100_000),  # serapan 3,125 -> 3,13
        ("1.06.06.2.01.0003", 50_000_000, 40_000_000, 30_000_000),
        ("1.06.06.2.02.0001", 10_000_000, None, 9_000_000),
    ):
        node = budget.get_sub_kegiatan(code)
        # Permakanan is paid from the DAU; the others have no sumber dana recorded.
        source = "DAU" if code.endswith("2.01.0001") else None
        budget.set_budget(
            node, YEAR, pagu_awal=awal, pagu_perubahan=perubahan, funding_source=source
        )
        budget.record_realisation(
            node, YEAR, paid_on=date(YEAR, 6, 30), amount_value=paid, today=date(YEAR, 12, 31)
        )
    db.session.commit()
    spm_aggregates.rebuild(YEAR)
    db.session.commit()
    return kecamatan


def _by(rows, key):
    return {row[key]: row for row in rows}


def _people(row):
    return (
        row["events"],
        row["kk_affected"],
        row["jiwa_affected"],
        row["kk_handled"],
        row["jiwa_handled"],
        row["persen_handled"],
    )


def test_victims_handled_per_hazard_and_kecamatan(db, year):
    report = year_report.build(YEAR)
    # Every jenis of the office's list, 0 where none.
    assert len(report["by_hazard"]) == 15
    assert [r["code"] for r in report["by_hazard"] if r["events"]] == ["BJR", "TLS", "KBP"]
    hazards = _by(report["by_hazard"], "code")
    # Banjir: A1-A3, B1-B2, C1-C4, E1 (A1 again in the second flood counts once) = 10 jiwa in
    # 3 KK; handled A1-A3, B1, C1-C4 = 8 jiwa of 3 KK; 8/10 = 80,00%.
    assert _people(hazards["BJR"]) == (2, 3, 10, 3, 8, D("80.00"))
    assert _people(hazards["TLS"]) == (1, 1, 1, 0, 0, D("0.00"))
    assert _people(hazards["KBP"]) == (1, 1, 2, 1, 2, D("100.00"))
    # 13 jiwa in 5 KK, 10 jiwa of 4 KK handled: 10/13 = 76,923... -> 76,92%.
    assert _people(report["by_hazard_total"]) == (4, 5, 13, 4, 10, D("76.92"))
    (c1, _n1, _k1), (c2, _n2, _k2), (c3, _n3, _k3), (c4, _n4, _k4) = year
    kecamatan = _by(report["by_region"], "code")
    assert set(kecamatan) == {c1, c2, c3, c4}
    # Kecamatan 1: A1-A3 in both floods (A1 registered in the second one too).
    assert _people(kecamatan[c1]) == (2, 1, 3, 1, 3, D("100.00"))
    # Kecamatan 2: B1, B2 (flood A) and F1 (landslide); only B1 handled: 1/3 -> 33,33%.
    assert _people(kecamatan[c2]) == (2, 2, 3, 1, 1, D("33.33"))
    assert _people(kecamatan[c3]) == (1, 1, 5, 1, 4, D("80.00"))
    assert _people(kecamatan[c4]) == (1, 1, 2, 1, 2, D("100.00"))
    assert _people(report["by_region_total"]) == (4, 5, 13, 4, 10, D("76.92"))
    names = [name for _c, name, _k in year]
    assert [r["name"] for r in report["by_region"]] == sorted(names)


def test_components_indicator_and_budget(db, year):
    report = year_report.build(YEAR)
    rows = _by(report["components"], "component")
    expected = {
        # component: (realisasi, target, capaian, pagu, realisasi anggaran, serapan, efisiensi)
        # efisiensi as the LKIP takes it (the default): capaian - serapan printed whole,
        # 83,33 - 72 = 11,33 (72,39 is shown beside it)
        "permakanan": (10, D(12), D("83.33"), 200_000_000, 144_770_000, D("72.39"), D("11.33")),
        "sandang": (3, D(4), D("75.00"), 3_200_000, 100_000, D("3.13"), D("72.00")),
        # lower is better: 5 / 4 x 100
        "tempat_penampungan": (
            4,
            D(5),
            D("125.00"),
            40_000_000,
            30_000_000,
            D("75.00"),
            D("50.00"),
        ),
        # no budget line: no pagu at all, not a pagu of zero
        "kelompok_rentan": (1, D(3), D("33.33"), None, 0, None, None),
        "psikososial": (2, D(16), D("12.50"), None, 0, None, None),
    }
    for component, figures in expected.items():
        row = rows[component]
        got = (
            row["realisasi"],
            row["target"],
            row["capaian"],
            row["pagu"],
            row["realisasi_anggaran"],
            row["serapan"],
            row["efisiensi"],
        )
        assert got == figures, component
    assert rows["tempat_penampungan"]["lower_is_better"] is True
    assert rows["permakanan"]["sub_kegiatan_code"] == "1.06.06.2.01.0001"
    # Needing: all 13 victims; met: A1, B1, C1-C4, D1, D2 (A2 lacks sandang, A3 sandang and
    # shelter, B2, E1 and F1 got nothing) = 8; 8/13 = 61,538... -> 61,54%.
    indicator = report["indicator"]
    assert (indicator["needing"], indicator["met"], indicator["not_met"]) == (13, 8, 5)
    assert indicator["persen"] == D("61.54")
    assert indicator["capaian"] == D("61.54")
    tree = _by(report["budget"], "code")
    program = tree["1.06.06"]
    # awal 200 + 3,2 + 50 + 10 million; perubahan where set (40 instead of 50): 253,2 million.
    assert (program["pagu_awal"], program["pagu_perubahan"], program["realisasi"]) == (
        263_200_000,
        253_200_000,
        183_870_000,
    )
    assert program["serapan"] == D("72.62")  # 183,87 / 253,2 = 72,618...
    kegiatan = tree["1.06.06.2.01"]
    assert (kegiatan["pagu_perubahan"], kegiatan["realisasi"]) == (243_200_000, 174_870_000)
    assert kegiatan["serapan"] == D("71.90")  # 174,87 / 243,2 = 71,9037...
    assert tree["1.06.06.2.01.0003"]["pagu_awal"] == 50_000_000
    ksb = tree["1.06.06.2.02.0001"]
    assert (ksb["serapan"], ksb["capaian"], ksb["efisiensi"]) == (
        D("90.00"),
        D("66.67"),
        D("-23.33"),
    )
    tagana = tree["1.06.06.2.02.0002"]
    assert (tagana["pagu"], tagana["serapan"], tagana["capaian"]) == (None, None, D("50.00"))
    assert report["budget_total"]["serapan"] == D("72.62")


def test_tagana_ksb_and_lumbung_outputs(db, year):
    outputs = _by(year_report.build(YEAR)["outputs"], "indicator")
    figures = {k: (v["realisasi"], v["target"], v["capaian"]) for k, v in outputs.items()}
    assert figures == {
        "tagana": (2, D(4), D("50.00")),  # m1 and m2; m3's letter was cancelled
        "ksb": (2, D(3), D("66.67")),
        "lumbung_sosial": (2, D(2), D("100.00")),  # two kelurahan; the inactive one not
        # No event of this year had a tanggap darurat decree: no aid was given during one.
        "persen_korban_dibantu": (D("0.00"), D(100), D("0.00")),
        "tagana_aktif": (3, None, None),  # m4 inactive, m5 joined after the year
        "ksb_dibina": (1, None, None),
    }


def test_rounding_half_up_edge_cases_in_print(app, db, year):
    html = year_report.render_html(year_report.build(YEAR))
    for text in ("72,39%", "3,13%", "12,50%", "33,33%", "125,00%", "Rp 144.770.000", "-23,33%"):
        assert text in html, text
    # Half-even rounding would have printed these.
    assert "72,38%" not in html and "3,12%" not in html


def test_xlsx_cell_by_cell(db, year):
    content = year_report.xlsx_bytes(year_report.build(YEAR))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Per jenis bencana",
        "Per kecamatan",
        "Komponen SPM",
        "Indikator SPM",
        "Anggaran",
        "Tagana dan KSB",
        "Grafik",
        "Catatan",
    ]
    hazards = book["Per jenis bencana"]
    assert hazards.freeze_panes == "A4"
    assert [c.value for c in hazards[3]][:3] == ["No", "Jenis bencana", "Jumlah kejadian"]
    assert hazards["A3"].font.bold
    values = [[c.value for c in row] for row in hazards.iter_rows(min_row=4, max_row=19)]
    assert values[1] == [2, "Banjir dan tanah longsor", 0, 0, 0, 0, 0, 0, 0, "-"]
    assert [row for row in values if row[2]] == [
        [1, "Banjir", 2, 3, 0, 10, 3, 0, 8, 80],
        [3, "Tanah longsor", 1, 1, 0, 1, 0, 0, 0, 0],
        [13, "Kebakaran permukiman / gedung", 1, 1, 0, 2, 1, 0, 2, 100],
        [None, "Jumlah", 4, 5, 0, 13, 4, 0, 10, 76.92],
    ]
    assert hazards["J19"].number_format == "#,##0.00"
    # No format prints a trailing decimal separator after a whole number ("12,").
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(not c.number_format.endswith(".##") for c in row), sheet.title
    assert hazards["E4"].number_format == "#,##0"
    components = book["Komponen SPM"]
    assert [c.value for c in components[4]] == [
        1,
        "Penyediaan makanan (permakanan)",
        "1.06.06.2.01.0001",
        "DAU",
        12,
        "orang",
        "Dijumlah per triwulan",
        10,
        "orang",
        83.33,
        200_000_000,
        144_770_000,
        72.39,
        11.33,
    ]
    assert components["K4"].number_format == '"Rp "#,##0'
    assert components["M5"].value == 3.13
    assert components["M7"].value == "-"  # no budget line: no serapan
    indicator = book["Indikator SPM"]
    assert [indicator.cell(row=r, column=2).value for r in range(4, 10)] == [
        13,
        8,
        5,
        61.54,
        100,
        61.54,
    ]
    money = book["Anggaran"]
    assert [c.value for c in money[4]][:10] == [
        "1.06.06",
        "Program Penanganan Bencana",
        "DAU",  # the sources of its parts
        263_200_000,
        253_200_000,
        253_200_000,
        183_870_000,
        253_200_000 - 183_870_000,
        73,  # serapan as the LKIP prints it; the exact 72,62 is beside it
        72.62,
    ]
    sandang = next(row for row in money.iter_rows(min_row=4) if row[0].value == SANDANG)
    # No APBD-P change: pagu perubahan prints '-', the pagu in force is the pagu awal.
    assert [c.value for c in sandang][3:13] == [
        3_200_000,
        "-",
        3_200_000,
        100_000,
        3_100_000,
        3,
        3.13,
        None,  # a sub-kegiatan reports its SPM component's capaian, not a linked indicator
        75,
        72,
    ]
    outputs = book["Tagana dan KSB"]
    assert [c.value for c in outputs[4]][3:] == [4, "orang", 2, "orang", 50]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


def test_pdf_text(app, db, year, bekasi_office):
    reader = PdfReader(io.BytesIO(year_report.pdf_bytes(year_report.build(YEAR))))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Tahun Anggaran 2026",
        "Banjir",
        "76,92%",
        "61,54%",
        "72,39%",
        "3,13%",
        "Rp 263.200.000",
        "Rp 183.870.000",
        "makin kecil makin baik",
        "Kampung Siaga Bencana (KSB) dibentuk",
        "PEMERINTAH KOTA BEKASI",
        "Drs. Hendra Gunawan, M.Si.",
        "NIP 197003151995031002",
    ):
        assert expected in text, expected
    assert "A1" not in text.split()  # no personal names in an aggregate report


def test_generate_through_the_worker(db, year, as_role, run_jobs):
    client = as_role("operator")
    response = client.post("/laporan/tahunan/buat", data={"tahun": str(YEAR)})
    assert response.status_code == 302
    run_jobs()
    record = db.session.scalar(select(JobRecord).where(JobRecord.func.like("%year_report%")))
    db.session.refresh(record)
    assert record.status == "finished", record.error
    files = db.session.scalars(select(ReportFile).where(ReportFile.kind == "year_end")).all()
    assert sorted((f.format, f.key) for f in files) == [("pdf", "year:2026"), ("xlsx", "year:2026")]
    assert sorted(record.result["files"].values()) == sorted(f.id for f in files)
    xlsx = next(f for f in files if f.format == "xlsx")
    download = client.get(f"/laporan/berkas/{xlsx.id}")
    book = load_workbook(io.BytesIO(download.data))
    assert book["Per jenis bencana"]["F19"].value == 13
    page = client.get(f"/laporan/tahunan/?tahun={YEAR}&job_id={record.id}")
    assert page.status_code == 200
    assert xlsx.filename in page.get_data(as_text=True)
    api = client.get(f"/api/v1/year-report/{YEAR}/files").get_json()
    assert api["files"]["pdf"]["filename"] == "laporan-tahunan-2026.pdf"


def test_roles(db, year, as_role, client):
    assert client.get("/laporan/tahunan/").status_code == 302  # to the login page
    assert client.get(f"/api/v1/year-report/{YEAR}").status_code == 401
    tagana = as_role("tagana")
    assert tagana.post("/laporan/tahunan/buat", data={"tahun": "2026"}).status_code == 403
    assert tagana.post(f"/api/v1/year-report/{YEAR}/generate").status_code == 403
    # Reading the aggregate report needs a login, not an office role.
    body = tagana.get(f"/api/v1/year-report/{YEAR}").get_json()
    assert body["by_hazard_total"]["jiwa_handled"] == 10
    assert body["indicator"]["persen"] == 61.54
    wrong = tagana.get("/api/v1/year-report/1999")
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "year"
    page = tagana.get(f"/laporan/tahunan/?tahun={YEAR}").get_data(as_text=True)
    assert "76,92%" in page and "Buat laporan" not in page
    for role in ("pimpinan", "admin"):
        response = as_role(role).post(f"/api/v1/year-report/{YEAR}/generate")
        assert response.status_code == 202
        assert response.get_json()["status_url"].startswith("/api/v1/jobs/")
    assert (
        as_role("pimpinan").post("/laporan/tahunan/buat", data={"tahun": "2026"}).status_code == 302
    )


def test_target_in_units_and_sub_kegiatan_code_import(db, year):
    # A shelter target in units is compared with shelters opened, not with persons.
    spm_settings.save_target(
        {"year": YEAR, "indicator": "tempat_penampungan", "value": "2", "unit": "unit"}
    )
    # The preparedness sub-kegiatan codes name their output in a target file.
    assert spm_settings.indicator_code("1.06.06.02.02.0002") == "tagana"
    assert spm_settings.indicator_code("1.06.06.2.02.0001") == "ksb"
    flood = db.session.scalar(select(Event).where(Event.title == "Banjir Februari"))
    db.session.add(
        Shelter(event_id=flood.id, name="Masjid", kind="masjid", kelurahan_code=year[0][2])
    )
    db.session.commit()
    row = _by(year_report.build(YEAR)["components"], "component")["tempat_penampungan"]
    # One shelter opened against 2 units: 50,00% (lower_is_better was reset by the new target).
    assert (row["realisasi"], row["realisasi_unit"], row["capaian"]) == (1, "tempat", D("50.00"))


def test_a_provinsi_office_reports_per_kab_kota(app, db, year):
    app.config["OFFICE_AREA_CODE"] = "32"
    report = year_report.build(YEAR)
    assert report["region_label"] == "Kabupaten/Kota"
    kota = db.session.scalar(select(Area).where(Area.code == "32.75"))
    assert [(r["code"], r["name"]) for r in report["by_region"]] == [("32.75", kota.name)]
    assert _people(report["by_region"][0]) == (4, 5, 13, 4, 10, D("76.92"))
    book = load_workbook(io.BytesIO(year_report.xlsx_bytes(report)))
    assert book.sheetnames[1] == "Per kabupaten-kota"
    assert book["Per kabupaten-kota"]["C3"].value == "Kabupaten/Kota"
