"""API: the budget tree of a fiscal year (login to read), pagu and realisation entry (office)."""

from flask import jsonify, request
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES
from logistics.budget import services as budget
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import whole_office_required
from logistics.core.time import office_today

PAGU_KEYS = {"code", "fiscal_year", "pagu_awal", "pagu_perubahan", "plan", "note", "funding_source"}
REALISATION_KEYS = {
    "code",
    "fiscal_year",
    "paid_on",
    "amount",
    "document_number",
    "note",
    "funding_source",
}


def _percent(value) -> str | None:
    # A string keeps the two decimals exact ("72.39"); a JSON float could print 72.38999.
    return None if value is None else f"{value:.2f}"


def row_json(row: budget.TreeRow) -> dict:
    amounts = row.amounts
    return {
        "code": row.code,
        "level": row.level,
        "name": row.name,
        "spm_component": row.spm_component,
        "indicator": row.indicator,
        "pagu_awal": amounts.pagu_awal,
        "pagu_perubahan": amounts.pagu_perubahan,
        "pagu": amounts.pagu,
        "plan": list(amounts.plan),
        "realised": list(amounts.realised),
        "realisasi": amounts.realisasi,
        "sisa": amounts.sisa,
        "serapan": _percent(amounts.serapan),
        "flags": [
            {
                "field": f.field,
                "printed": f.printed,
                "computed_at_import": f.computed,
                "computed": amounts.value(f.field),
                "source_name": f.source_name,
                "source_row": f.source_row,
            }
            for f in row.flags
        ],
        "disagreements": [
            {"field": d.field, "own": d.own, "parts": d.parts, "difference": d.difference}
            for d in row.disagreements
        ],
    }


def _unknown(payload: dict, allowed: set[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])


@bp.get("/budget/tree")
@api_login_required()
@whole_office_required
def budget_tree():
    raw = request.args.get("year")
    year = office_today().year if inputs.is_blank(raw) else budget.fiscal_year(raw, "year")
    rows = budget.year_tree(year)
    return jsonify({"fiscal_year": year, "rows": [row_json(r) for r in rows]})


@bp.post("/budget/pagu")
@api_login_required(*OFFICE_ROLES)
@whole_office_required
def budget_pagu():
    payload = json_payload()
    _unknown(payload, PAGU_KEYS)
    plan = payload.get("plan")
    if plan is not None and not isinstance(plan, list):
        raise DomainError("plan harus daftar empat angka (triwulan I–IV).", field="plan")
    with transaction():
        line = budget.set_budget(
            payload.get("code"),
            payload.get("fiscal_year"),
            pagu_awal=payload.get("pagu_awal"),
            pagu_perubahan=payload.get("pagu_perubahan"),
            plan=plan,
            note=payload.get("note"),
            funding_source=payload.get("funding_source"),
        )
        body = {
            "code": line.node.code,
            "fiscal_year": line.fiscal_year,
            "pagu_awal": line.pagu_awal,
            "pagu_perubahan": line.pagu_perubahan,
            "plan": [line.plan_q1, line.plan_q2, line.plan_q3, line.plan_q4],
            "note": line.note,
            "funding_source": line.funding_source,
        }
    return jsonify(body), 200


@bp.post("/budget/realisations")
@api_login_required(*OFFICE_ROLES)
@whole_office_required
def budget_realisation():
    payload = json_payload()
    _unknown(payload, REALISATION_KEYS)
    with transaction():
        entry = budget.record_realisation(
            payload.get("code"),
            payload.get("fiscal_year"),
            paid_on=payload.get("paid_on"),
            amount_value=payload.get("amount"),
            document_number=payload.get("document_number"),
            note=payload.get("note"),
            actor=current_user,
            funding_source=payload.get("funding_source"),
        )
        body = {
            "id": entry.id,
            "code": budget.realisation_code(entry),
            "fiscal_year": entry.paid_on.year,
            "paid_on": entry.paid_on.isoformat(),
            "amount": entry.amount,
            "document_number": entry.document_number,
            "note": entry.note,
        }
    return jsonify(body), 201
