"""Multi-year (Renstra period) view: five years side by side, page, XLSX and PDF read back."""

import io
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from logistics.budget import services as budget
from logistics.core.models import AuditEntry
from logistics.events import services as events
from logistics.events.models import Event
from logistics.reports import multi_year, year_figures, year_report
from logistics.reports.models import YearFigures
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import settings as spm_settings
from logistics.stock.models import Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana, TaganaMember
from tests.support.spm import BEKASIJAYA, add_person, add_victim, hand_out

D = Decimal
PERIOD = [2021, 2022, 2023, 2024, 2025]


def _deactivate(db, row, on: datetime):
    """Set a row inactive and date its audit entry as if the change happened on `on`."""
    row.active = False
    db.session.flush()
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == row.__tablename__, AuditEntry.entity_id == str(row.id))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes["active"] == [True, False]
    entry.at = on


def _target(year, indicator, value, unit):
    spm_settings.save_target(
        {"year": year, "indicator": indicator, "value": str(value), "unit": unit, "mode": "sum"}
    )


@pytest.fixture
def years(db, make_event):
    """Events 2009 and 2023-2025, victims handled, Tagana joining and leaving, KSB, budget."""
    make_event(title="Banjir lama", started_at=datetime(2009, 1, 20, 2))
    flood = make_event(title="Banjir 2023", started_at=datetime(2023, 3, 1, 2))
    fire = make_event(title="Kebakaran 2024", hazard_code="KBP", started_at=datetime(2024, 7, 1, 2))
    flood25 = make_event(title="Banjir 2025", started_at=datetime(2025, 2, 1, 2))
    people = [add_person(db, f"P{i}") for i in range(1, 8)]
    for event, persons, day, handled in (
        (flood, people[0:2], date(2023, 3, 2), people[0:1]),
        (fire, people[2:5], date(2024, 7, 2), people[2:5]),
        (flood25, people[5:7], date(2025, 2, 2), people[5:7]),
    ):
        for person in persons:
            add_victim(db, event, person, "mengungsi")
        hand_out(db, event, "permakanan", day, handled)
    members = [
        TaganaMember(nia="N1", name="T1", sex="L", joined_on=date(2021, 3, 1)),
        TaganaMember(nia="N2", name="T2", sex="P", joined_on=date(2023, 2, 1)),
        TaganaMember(nia="N3", name="T3", sex="L", joined_on=date(2025, 1, 10)),
        # Inactive with no recorded exit: counted in no year.
        TaganaMember(nia="N4", name="T4", sex="L", joined_on=date(2022, 1, 1), active=False),
    ]
    groups = [
        KampungSiagaBencana(name="KSB A", kelurahan_code=BEKASIJAYA, formed_year=2022),
        KampungSiagaBencana(name="KSB B", kelurahan_code=BEKASIJAYA, formed_year=2023),
        KampungSiagaBencana(name="KSB C", kelurahan_code=BEKASIJAYA, formed_year=2025),
    ]
    db.session.add_all([*members, *groups])
    db.session.flush()
    _deactivate(db, members[1], datetime(2024, 6, 1, 3))
    _deactivate(db, groups[1], datetime(2024, 9, 1, 3))
    db.session.add(
        Deployment(
            member_id=members[0].id,
            event_id=flood.id,
            place_kind="posko",
            role="Dapur umum",
            letter_number="ST-1",
            starts_at=flood.started_at,
            status="selesai",
        )
    )
    db.session.add(
        Warehouse(
            code="LS-1",
            name="Lumbung",
            tier="lumbung_sosial",
            kelurahan_code=BEKASIJAYA,
            created_at=datetime(2024, 5, 1),
        )
    )
    for year in (2023, 2024, 2025):
        _target(year, "capaian_spm", 100, "%")
    _target(2023, "tagana", 2, "orang")
    _target(2022, "ksb", 1, "KSB")
    _target(2025, "ksb", 2, "KSB")
    budget.seed_structure()
    node = budget.get_sub_kegiatan("1.06.06.2.01.0001")
    for year, pagu, paid in ((2023, 200_000_000, 144_770_000), (2024, 10_000_000, 5_000_000)):
        budget.set_budget(node, year, pagu_awal=pagu)
        budget.record_realisation(
            node, year, paid_on=date(year, 6, 30), amount_value=paid, today=date(year, 12, 31)
        )
    db.session.commit()
    for year in (2023, 2024, 2025):
        spm_aggregates.rebuild(year)
    db.session.commit()


def _row(data, key):
    row = next(r for r in data["rows"] if r["key"] == key)
    return [(c["target"], c["realisasi"], c["capaian"]) for c in row["years"]]


def test_figures_per_year(db, years):
    data = multi_year.build(2021)
    assert data["years"] == PERIOD
    assert [c[1] for c in _row(data, "jiwa_tertangani")] == [0, 0, 1, 3, 2]
    assert [c[1] for c in _row(data, "tagana_aktif")] == [1, 1, 2, 2, 2]
    assert [c[1] for c in _row(data, "tagana_bergabung")] == [1, 0, 1, 0, 1]
    assert [c[1] for c in _row(data, "tagana_keluar")] == [0, 0, 0, 1, 0]
    assert _row(data, "tagana")[2] == (D(2), 1, D("50.00"))
    assert [c[1] for c in _row(data, "ksb")] == [0, 1, 1, 0, 1]
    assert _row(data, "ksb")[1] == (D(1), 1, D("100.00"))
    assert _row(data, "ksb")[4] == (D(2), 1, D("50.00"))
    assert [c[1] for c in _row(data, "ksb_ada")] == [0, 1, 2, 2, 2]
    assert [c[1] for c in _row(data, "lumbung_sosial")] == [0, 0, 0, 1, 1]
    assert [c[1] for c in _row(data, "serapan")] == [None, None, D("72.39"), D("50.00"), None]
    # The SPM indicator is the year report's own figure, with the year's target.
    spm = _row(data, "capaian_spm")
    for year, (target, realisasi, capaian) in zip(PERIOD, spm, strict=True):
        indicator = year_report.build(year)["indicator"]
        assert (target, realisasi, capaian) == (
            indicator["target"],
            indicator["persen"],
            indicator["capaian"],
        )
    # Evacuees need shelter too: food alone meets no one's basic needs.
    assert spm[3] == (D(100), D("0.00"), D("0.00"))


def test_year_picker_offers_old_years_and_defaults_to_latest_period(db, years, as_role):
    assert 2009 in multi_year.years()
    assert multi_year.default_start(multi_year.years()) == 2021
    page = as_role("tagana").get("/laporan/renstra/").get_data(as_text=True)
    assert '<option value="2009"' in page
    assert "Tahun ke-5 (2025)" in page and "72,39" in page
    old = as_role("tagana").get("/laporan/renstra/?mulai=2009").get_data(as_text=True)
    assert "Tahun ke-1 (2009)" in old and "Tahun ke-5 (2013)" in old
    bad = as_role("tagana").get("/laporan/renstra/?mulai=abc")
    assert bad.status_code in (400, 422)
    assert "/laporan/renstra/" in as_role("tagana").get("/laporan/").get_data(as_text=True)


def test_xlsx_read_back(db, years, as_role):
    response = as_role("operator").get("/laporan/renstra/unduh.xlsx?mulai=2021")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Capaian Renstra"]
    assert sheet["D3"].value == "Tahun ke-1 (2021)" and sheet["P3"].value == "Tahun ke-5 (2025)"
    rows = {sheet.cell(row=r, column=2).value: r for r in range(5, sheet.max_row + 1)}
    line = rows["Anggota Tagana aktif pada tahun itu"]
    assert [sheet.cell(row=line, column=5 + 3 * i).value for i in range(5)] == [1, 1, 2, 2, 2]
    tagana = rows["Taruna Siaga Bencana (Tagana) dikerahkan"]
    # 2023 is columns J-L: target, realisasi, capaian.
    assert [sheet.cell(row=tagana, column=c).value for c in (10, 11, 12)] == [2, 1, 50]
    assert sheet.cell(row=tagana, column=12).number_format == "#,##0.00"
    serapan = rows["Serapan anggaran"]
    assert sheet.cell(row=serapan, column=11).value == 72.39
    assert sheet.cell(row=serapan, column=5).value == "-"
    ksb = rows["KSB ada pada tahun itu"]
    assert [sheet.cell(row=ksb, column=5 + 3 * i).value for i in range(5)] == [0, 1, 2, 2, 2]


def test_pdf_text(db, years, as_role, bekasi_office):
    response = as_role("pimpinan").get("/laporan/renstra/unduh.pdf?mulai=2021")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Capaian Kinerja Tahun 2021-2025",
        "Tahun ke-3 (2023)",
        "72,39",
        "Anggota Tagana aktif pada tahun itu",
        "log audit",
        "PEMERINTAH KOTA BEKASI",
        "NIP 197003151995031002",
    ):
        assert expected in text, expected


def test_login_required_and_speed(db, years, client, as_role):
    assert client.get("/laporan/renstra/").status_code == 302
    multi_year.build(2021)  # warm
    began = time.perf_counter()
    multi_year.build(2021)
    elapsed = time.perf_counter() - began
    print(f"multi-year build over five years: {elapsed:.3f}s")
    assert elapsed < 5


# --- each year's figures kept once computed ---------------------------------------------------


def _kept(db) -> dict[int, tuple[int, int | None]]:
    """Per stored year: (version of its data, version its figures were computed from)."""
    rows = db.session.execute(
        select(YearFigures.year, YearFigures.version, YearFigures.figures_version)
    )
    return {year: (version, computed_from) for year, version, computed_from in rows}


def _assert_fresh(data, years=PERIOD):
    """Every cell the view took from a year's report equals that report built now, type too."""
    for year in years:
        fresh = year_figures.from_report(year_report.build(year))
        for key, cell in fresh.items():
            row = next(r for r in data["rows"] if r["key"] == key)
            shown = next(c for c in row["years"] if c["year"] == year)
            for name in ("target", "realisasi", "capaian"):
                assert shown[name] == cell[name], (year, key, name)
                assert type(shown[name]) is type(cell[name]), (year, key, name)


def _event(db, year) -> Event:
    return db.session.scalars(select(Event).where(Event.year == year).order_by(Event.id)).first()


def test_kept_figures_equal_a_fresh_computation(db, years, monkeypatch):
    first = multi_year.build(2021)
    db.session.commit()
    kept = _kept(db)
    assert all(kept[y][0] == kept[y][1] for y in PERIOD), kept
    # The second view reads what was kept: no year-end report is built for it.
    monkeypatch.setattr(year_report, "build", lambda *a, **k: pytest.fail("a kept year rebuilt"))
    second = multi_year.build(2021)
    monkeypatch.undo()
    assert second["rows"] == first["rows"]
    _assert_fresh(second)


def test_a_budget_change_invalidates_that_year_only(db, years):
    multi_year.build(2021)
    db.session.commit()
    before = _kept(db)
    node = budget.get_sub_kegiatan("1.06.06.2.01.0001")
    budget.record_realisation(
        node, 2023, paid_on=date(2023, 12, 1), amount_value=5_000_000, today=date(2023, 12, 31)
    )
    db.session.commit()
    after = _kept(db)
    assert after[2023][0] == before[2023][0] + 1
    assert {y: after[y] for y in PERIOD if y != 2023} == {y: before[y] for y in PERIOD if y != 2023}
    data = multi_year.build(2021)
    # (144,770,000 + 5,000,000) / 200,000,000
    assert _row(data, "serapan")[2][1] == D("74.89")
    _assert_fresh(data)


def test_a_write_that_rolls_back_invalidates_nothing(db, years):
    multi_year.build(2021)
    db.session.commit()
    before = _kept(db)
    _target(2022, "tagana", 9, "orang")
    db.session.flush()
    db.session.rollback()
    assert _kept(db) == before
    # The same write committed does invalidate the year.
    _target(2022, "tagana", 9, "orang")
    db.session.commit()
    assert _kept(db)[2022][0] == before[2022][0] + 1


def test_hand_out_in_a_past_year_reaches_its_figures_through_the_spm_jobs(db, years, run_jobs):
    multi_year.build(2021)
    db.session.commit()
    run_jobs()
    before = _kept(db)
    fire = _event(db, 2024)
    person = add_person(db, "Korban baru")
    add_victim(db, fire, person, "mengungsi")
    hand_out(db, fire, "permakanan", date(2024, 7, 3), [person])
    db.session.commit()
    run_jobs()
    after = _kept(db)
    assert after[2024][0] > before[2024][0]
    # The SPM year job kept the year it recomputed warm for the next view.
    assert after[2024][1] == after[2024][0]
    assert {y: after[y] for y in PERIOD if y != 2024} == {y: before[y] for y in PERIOD if y != 2024}
    data = multi_year.build(2021)
    assert [c[1] for c in _row(data, "jiwa_tertangani")] == [0, 0, 1, 4, 2]
    _assert_fresh(data)


def test_event_moved_to_another_year_moves_its_figures(db, years, run_jobs):
    multi_year.build(2021)
    db.session.commit()
    before = _kept(db)
    events.update_event(_event(db, 2025), started_at=datetime(2024, 12, 20, 2))
    db.session.commit()
    after = _kept(db)
    assert after[2024][0] > before[2024][0] and after[2025][0] > before[2025][0]
    assert {y: after[y] for y in (2021, 2022, 2023)} == {y: before[y] for y in (2021, 2022, 2023)}
    run_jobs()
    data = multi_year.build(2021)
    assert [c[1] for c in _row(data, "jiwa_tertangani")] == [0, 0, 1, 5, 0]
    _assert_fresh(data)


def test_figures_computed_from_an_older_version_are_not_used(db, years):
    """A write landing while a view computes: what that view stores is already stale."""
    computed_from = year_figures.version(2023)
    year_figures.invalidate(db.session, {2023})
    bogus = year_figures.from_report(year_report.build(2023))
    bogus["serapan"]["realisasi"] = D("1.00")
    year_figures.store(2023, bogus, computed_from)
    db.session.commit()
    assert year_figures.cells([2023])[2023]["serapan"]["realisasi"] == D("72.39")


def test_year_report_generation_keeps_the_years_figures(db, years, monkeypatch):
    year_report.generate(2024)
    db.session.commit()
    version, computed_from = _kept(db)[2024]
    assert computed_from == version
    monkeypatch.setattr(year_report, "build", lambda *a, **k: pytest.fail("a kept year rebuilt"))
    kept = year_figures.cells([2024])[2024]
    monkeypatch.undo()
    assert kept == year_figures.from_report(year_report.build(2024))
