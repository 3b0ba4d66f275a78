"""Sumber dana: the funding source of a budget line and of each payment, and how a row names it."""

from sqlalchemy import select

from logistics.budget.models import FUNDING_SOURCES, BudgetLine, BudgetNode, BudgetRealisation
from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.extensions import db

_BY_LABEL = {label.lower(): key for key, label in FUNDING_SOURCES.items()}
_BY_LABEL.update({"btt": "btt", "belanja tidak terduga": "btt", "apbn": "apbn"})
_BY_LABEL.update({"kemensos": "apbn", "provinsi": "provinsi", "hibah": "hibah", "csr": "hibah"})


def parse(value, field: str = "funding_source") -> str | None:
    """A funding source by its key (dau) or as offices write it (DAU, APBN/Kemensos); None when
    blank."""
    if inputs.is_blank(value):
        return None
    text = str(value).strip().lower()
    key = text if text in FUNDING_SOURCES else _BY_LABEL.get(text)
    if key is None:
        raise DomainError(
            f"Sumber dana '{value}' tidak dikenal; pilih salah satu: "
            f"{', '.join(FUNDING_SOURCES.values())}.",
            field=field,
        )
    return key


def sources_by_code(year: int) -> dict[str, set[str]]:
    """code -> the funding sources of its line and of its payments in the year (sub-kegiatan)."""
    found: dict[str, set[str]] = {}
    for code, source in db_rows(
        select(BudgetNode.code, BudgetLine.funding_source)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .where(BudgetLine.fiscal_year == year, BudgetLine.funding_source.is_not(None))
    ):
        found.setdefault(code, set()).add(source)
    for code, source in db_rows(
        select(BudgetNode.code, BudgetRealisation.funding_source)
        .join(BudgetLine, BudgetLine.node_id == BudgetNode.id)
        .join(BudgetRealisation, BudgetRealisation.line_id == BudgetLine.id)
        .where(BudgetLine.fiscal_year == year, BudgetRealisation.funding_source.is_not(None))
        .distinct()
    ):
        found.setdefault(code, set()).add(source)
    return found


def db_rows(query):
    return db.session.execute(query).all()


def label(code: str, sources: dict[str, set[str]]) -> str:
    """'DAU' for a line, 'DAU, BTT (belanja tidak terduga)' when payments came from elsewhere;
    a kegiatan or program names every source of its parts; '' when none is known."""
    prefix = code + "."
    keys = set(sources.get(code, set()))
    for other, found in sources.items():
        if other.startswith(prefix):
            keys |= found
    return ", ".join(FUNDING_SOURCES[k] for k in FUNDING_SOURCES if k in keys)
