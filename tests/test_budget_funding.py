"""Sumber dana per budget line and per payment: entered, imported, shown in the tree."""

import io

import pytest
from openpyxl import Workbook

from logistics.budget import services as budget
from logistics.budget.imports import import_plan
from logistics.core.errors import DomainError
from tests.support.budget import PERMAKANAN, SANDANG, TODAY, YEAR


def _plan(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Kode", "Uraian", "Pagu awal", "Pagu perubahan", "Sumber dana"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_funding_source_on_lines_payments_and_the_tree(db):
    budget.seed_structure()
    report = import_plan(
        _plan(
            [
                [PERMAKANAN, "Penyediaan Makanan", 500_000_000, None, "DAU"],
                [SANDANG, "Penyediaan Sandang", 200_000_000, None, "APBN/Kemensos"],
            ]
        ),
        fiscal_year=YEAR,
        source_name="rencana.xlsx",
    )
    assert report.ok and report.applied, report.errors
    food = budget.get_sub_kegiatan(PERMAKANAN)
    assert budget.get_line(food, YEAR).funding_source == "dau"
    # An emergency payment from the BTT; an ordinary one takes the line's source.
    btt = budget.record_realisation(
        food,
        YEAR,
        paid_on="2026-03-02",
        amount_value=10_000_000,
        today=TODAY,
        funding_source="BTT",
    )
    usual = budget.record_realisation(
        food, YEAR, paid_on="2026-03-03", amount_value=5_000_000, today=TODAY
    )
    assert (btt.funding_source, usual.funding_source) == ("btt", "dau")
    tree = {row.code: row for row in budget.year_tree(YEAR)}
    assert tree[PERMAKANAN].funding == "DAU, BTT (belanja tidak terduga)"
    assert tree[SANDANG].funding == "APBN/Kemensos"
    assert tree["1.06.06"].funding == "DAU, BTT (belanja tidak terduga), APBN/Kemensos"
    assert tree["1.06.06.2.02.0001"].funding == ""


def test_an_unknown_funding_source_is_refused_with_the_list(db):
    budget.seed_structure()
    with pytest.raises(DomainError, match="DAU, DAK") as refused:
        budget.set_budget(
            budget.get_sub_kegiatan(PERMAKANAN), YEAR, pagu_awal=1, funding_source="APBDes"
        )
    assert refused.value.field == "funding_source"
    report = import_plan(
        _plan([[PERMAKANAN, "Penyediaan Makanan", 1, None, "APBDes"]]), fiscal_year=YEAR
    )
    assert not report.ok and report.errors[0].column == "Sumber dana"


def test_funding_source_through_the_api_and_the_year_report(db, as_role):
    from logistics.reports import year_report

    budget.seed_structure()
    db.session.commit()
    client = as_role("operator")
    response = client.post(
        "/api/v1/budget/pagu",
        json={"code": PERMAKANAN, "fiscal_year": YEAR, "pagu_awal": 100, "funding_source": "dak"},
    )
    assert response.status_code == 200 and response.get_json()["funding_source"] == "dak"
    bad = client.post(
        "/api/v1/budget/pagu",
        json={"code": PERMAKANAN, "fiscal_year": YEAR, "pagu_awal": 100, "funding_source": "x"},
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "funding_source"
    report = year_report.build(YEAR)
    food = next(r for r in report["components"] if r["component"] == "permakanan")
    assert food["sumber_dana"] == "DAK"
    assert "sumber dana DAK" in year_report.render_html(report)
