"""Year-end figures an office signs: institutions, every jenis bencana, the emergency period."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from logistics.reports import year_report
from logistics.victims.models import Household, InstitutionVictim
from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.spm import add_person, add_victim, hand_out

YEAR = 2026
D = Decimal


def _by(rows, key="code"):
    return {row[key]: row for row in rows}


@pytest.fixture
def institutions_year(db, make_event):
    """A flood with one household of two, and a bencana sosial hitting two panti (100 and 80
    residents), the first of which received aid."""
    flood = make_event(title="Banjir", started_at=datetime(YEAR, 3, 1, 2))
    conflict = make_event(title="Konflik", hazard_code="KNS", started_at=datetime(YEAR, 5, 1, 2))
    household = Household(head_name="Budi")
    db.session.add(household)
    a, b = add_person(db, "A", household), add_person(db, "B", household)
    add_victim(db, flood, a, "mengungsi", BEKASIJAYA)
    add_victim(db, flood, b, "mengungsi", BEKASIJAYA)
    hand_out(db, flood, "permakanan", date(YEAR, 3, 2), [a], BEKASIJAYA)
    panti = [
        InstitutionVictim(
            event_id=conflict.id,
            name=name,
            kind="panti",
            kelurahan_code=MARGAHAYU,
            headcount=headcount,
            status="mengungsi",
        )
        for name, headcount in (("Panti Asuhan Kasih", 100), ("Panti Werdha", 80))
    ]
    db.session.add_all(panti)
    db.session.flush()
    hand_out(
        db,
        conflict,
        "permakanan",
        date(YEAR, 5, 2),
        [],
        MARGAHAYU,
        recipient_kind="institution",
        institution_id=panti[0].id,
    )
    db.session.commit()
    return flood, conflict


def _figures(row):
    return (
        row["events"],
        row["kk_affected"],
        row["lembaga_affected"],
        row["jiwa_affected"],
        row["kk_handled"],
        row["lembaga_handled"],
        row["jiwa_handled"],
        row["persen_handled"],
    )


def test_institution_victims_count_in_the_year_totals(db, institutions_year):
    report = year_report.build(YEAR)
    hazards = _by(report["by_hazard"])
    assert _figures(hazards["BJR"]) == (1, 1, 0, 2, 1, 0, 1, D("50.00"))
    # 2 panti / 180 jiwa; the first panti (100 residents) was handled.
    assert _figures(hazards["KNS"]) == (1, 0, 2, 180, 0, 1, 100, D("55.56"))
    # 182 jiwa, 101 handled: 55,494... -> 55,49%.
    assert _figures(report["by_hazard_total"]) == (2, 1, 2, 182, 1, 1, 101, D("55.49"))
    assert _figures(report["by_region_total"]) == (2, 1, 2, 182, 1, 1, 101, D("55.49"))
    assert sum(r["jiwa_affected"] for r in report["by_region"]) == 182
    assert any("Lembaga" in note and "penghuni" in note for note in report["notes"])
    html = year_report.render_html(report)
    assert "Lembaga terdampak" in html and "<abbr title=" in html


def test_every_jenis_bencana_is_listed_with_zero(db, institutions_year):
    from logistics.events.models import HazardType

    retired = db.session.get(HazardType, _hazard_id(db, "TRR"))
    retired.active = False
    db.session.commit()
    report = year_report.build(YEAR)
    codes = [row["code"] for row in report["by_hazard"]]
    # The office's list in its order, the retired jenis without events left out.
    assert codes == [
        "BJR",
        "BTL",
        "TLS",
        "PTB",
        "GMP",
        "TSU",
        "LGA",
        "GLB",
        "KKR",
        "KHL",
        "EPD",
        "GTK",
        "KBP",
        "KNS",
    ]
    empty = _by(report["by_hazard"])["GMP"]
    assert _figures(empty) == (0, 0, 0, 0, 0, 0, 0, None)
    assert "Gempa bumi" in year_report.render_html(report)


def _hazard_id(db, code):
    from sqlalchemy import select

    from logistics.events.models import HazardType

    return db.session.scalar(select(HazardType.id).where(HazardType.code == code))


@pytest.fixture
def world(db, make_event, make_user):
    from tests.support.distributions import make_world

    return make_world(db, make_event, make_user)


def _tanggap_darurat(db, event, starts_on, ends_on):
    from logistics.events.decrees import add_decree

    add_decree(
        event,
        status="tanggap_darurat",
        decree_number="360/Kep.12-BPBD",
        issuer_level="bupati_walikota",
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.commit()


def test_phase_after_tanggap_darurat_without_transisi_is_setelah(db, world):
    from tests.support.distributions import hand_out as record

    _tanggap_darurat(db, world.event, date(2026, 11, 20), date(2026, 11, 23))
    during, _ = record(world, distributed_on="2026-11-22")
    after, _ = record(
        world, distributed_on="2026-11-25", household_id=None, person_id=world.rina.id
    )
    assert (during.phase, after.phase) == ("saat", "setelah")


def test_aid_during_tanggap_darurat_is_judged_by_the_decree_dates(db, world):
    from tests.support.distributions import hand_out as record

    _tanggap_darurat(db, world.event, date(2026, 11, 20), date(2026, 11, 23))
    # In force on 22 November although typed as 'setelah'; 25 November is after the decree
    # although typed as 'saat'; the panti (40 residents) was served on 21 November.
    record(world, distributed_on="2026-11-22", phase="setelah")
    record(
        world,
        distributed_on="2026-11-25",
        phase="saat",
        household_id=None,
        person_id=world.rina.id,
    )
    record(world, distributed_on="2026-11-21", household_id=None, institution_id=world.panti.id)
    report = year_report.build(2026)
    # Family of 3 + panti of 40 of 44 jiwa affected: 43/44 = 97,727... -> 97,73%.
    assert report["assisted_in_emergency"] == {
        "jiwa_assisted": 43,
        "jiwa_affected": 44,
        "persen": D("97.73"),
    }
    outputs = _by(report["outputs"], "indicator")
    assert outputs["persen_korban_dibantu"]["realisasi"] == D("97.73")
    # Handled at any time: everybody.
    assert report["by_hazard_total"]["jiwa_handled"] == 44


def test_expiry_is_judged_on_the_hand_out_date(db, world):
    from logistics.core.errors import DomainError
    from tests.support.distributions import balance, stock
    from tests.support.distributions import hand_out as record

    lot = stock(world.warehouse, "makanan_anak", 10, date(2026, 11, 30), "L-NOV")
    line = {"item_id": "makanan_anak", "quantity": 2, "lot_id": lot.id}
    # Valid on 25 November, the day of the hand-out, though expired by today.
    d, created = record(
        world, component="kelompok_rentan", distributed_on="2026-11-25", lines=[line]
    )
    assert created and d.distributed_on == date(2026, 11, 25)
    # First-expiry-first-out takes the same lot for a hand-out of that time.
    record(
        world,
        component="kelompok_rentan",
        distributed_on="2026-11-26",
        household_id=None,
        person_id=world.rina.id,
        lines=[{"item_id": "makanan_anak", "quantity": 3}],
    )
    assert balance(db, world.warehouse, "makanan_anak") == 5
    with pytest.raises(DomainError) as refused:
        record(
            world,
            component="kelompok_rentan",
            distributed_on="2026-12-01",
            household_id=None,
            institution_id=world.panti.id,
            lines=[line],
        )
    message = str(refused.value)
    assert "L-NOV" in message and "1 Desember 2026" in message and "30 November 2026" in message
    assert refused.value.field == "lot_id"


def test_a_dispatch_judges_expiry_on_its_document_date(db, world):
    from logistics.core.database import transaction
    from logistics.stock.documents import record_dispatch
    from tests.support.distributions import KEL, balance, stock

    lot = stock(world.warehouse, "makanan_anak", 10, date(2026, 11, 30), "L-NOV")
    with transaction():
        record_dispatch(
            {
                "warehouse_id": world.warehouse.id,
                "kelurahan_code": KEL,
                "doc_date": "2026-11-28",
                "event_id": world.event.id,
                "receiver_name": "Posko Bekasijaya",
                "lines": [{"item_id": "makanan_anak", "quantity": 4, "lot_id": lot.id}],
            },
            world.operator,
        )
    assert balance(db, world.warehouse, "makanan_anak") == 6


def _spm_year(db, year):
    from sqlalchemy import select

    from logistics.spm.models import SpmYear

    return {
        row.component: (row.persons_needing, row.persons_served)
        for row in db.session.scalars(
            select(SpmYear).where(SpmYear.year == year, SpmYear.quarter == 0)
        )
    }


def test_correcting_the_date_moves_every_figure_to_the_right_year(db, make_event, run_jobs):
    from logistics.core.database import transaction
    from logistics.events.services import update_event
    from logistics.reports import open_data

    event = make_event(title="Banjir awal tahun", started_at=datetime(2026, 1, 2, 2))
    person = add_person(db, "A")
    add_victim(db, event, person, "mengungsi", BEKASIJAYA)
    hand_out(db, event, "permakanan", date(2026, 1, 3), [person], BEKASIJAYA)
    db.session.commit()
    run_jobs()
    assert event.code.endswith("-2026-001")
    assert _spm_year(db, 2026)["permakanan"] == (1, 1)
    # It really began on 30 December 2025 (23:00 UTC on the 29th is 06:00 WIB on the 30th).
    with transaction():
        update_event(event, started_at=datetime(2025, 12, 29, 23))
    run_jobs()
    db.session.refresh(event)
    assert (event.year, event.code.split("-")[2]) == (2025, "2025")
    assert _spm_year(db, 2025)["permakanan"] == (1, 1)
    assert _spm_year(db, 2026).get("permakanan", (0, 0)) == (0, 0)
    assert year_report.build(2025)["by_hazard_total"]["jiwa_affected"] == 1
    assert year_report.build(2026)["by_hazard_total"]["jiwa_affected"] == 0
    assert open_data.published_years() == [2025]


def test_a_future_start_and_a_decree_before_the_event_are_refused(db, make_event):
    from logistics.core.errors import DomainError
    from logistics.core.time import office_today
    from logistics.events.decrees import add_decree
    from logistics.events.services import update_event

    today = office_today()
    with pytest.raises(DomainError, match="belum terjadi") as refused:
        make_event(started_at=datetime(today.year + 1, 1, 5, 2))
    assert refused.value.field == "started_at"
    event = make_event(started_at=datetime(2026, 3, 10, 2))
    with pytest.raises(DomainError, match="sebelum kejadian") as early:
        add_decree(
            event,
            status="tanggap_darurat",
            decree_number="1/2026",
            issuer_level="bupati_walikota",
            starts_on=date(2026, 3, 1),
        )
    assert early.value.field == "starts_on"
    add_decree(
        event,
        status="tanggap_darurat",
        decree_number="2/2026",
        issuer_level="bupati_walikota",
        starts_on=date(2026, 3, 10),
    )
    with pytest.raises(DomainError, match="2/2026"):
        update_event(event, started_at=datetime(2026, 3, 12, 2))
    with pytest.raises(DomainError, match="belum terjadi"):
        update_event(event, started_at=datetime(today.year + 1, 1, 5, 2))


def test_dashboards_open_on_the_latest_year_not_a_future_one(app, db):
    from logistics.core.time import default_year, office_today

    this_year = office_today().year
    assert default_year([this_year + 1, this_year - 1, this_year - 3]) == this_year - 1
    assert default_year([]) == this_year
