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
