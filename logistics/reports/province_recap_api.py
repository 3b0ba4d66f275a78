"""API: the province recap of a year as JSON, a row per kab/kota the user sees and the total."""

from decimal import Decimal

from flask import abort, jsonify

from logistics.budget import services as budget
from logistics.core.api import api_login_required, bp
from logistics.core.database import transaction
from logistics.core.security import user_scope
from logistics.core.wording import office_level
from logistics.reports import province_recap


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _quantities(quantities) -> list[dict]:
    return [
        {"category": category, "unit": unit, "quantity": _number(amount)}
        for category, units in quantities.by_category().items()
        for amount, unit in units
    ]


def _row(row) -> dict:
    return {
        "code": row.code or None,
        "name": row.name,
        "events_year": row.events_year,
        "events_active": row.events_active,
        "victims": row.victims,
        "shelters_open": row.shelters_open,
        "sheltered": row.sheltered,
        "capacity": row.capacity,
        "occupancy": _number(row.occupancy),
        "stock": _quantities(row.stock),
        "documents_from_provinsi": row.documents_from_provinsi,
        "sent_from_provinsi": _quantities(row.from_provinsi),
        "received_from_provinsi": _quantities(row.received_from_provinsi),
        "spm": {
            "needing": row.spm_needing,
            "met": row.spm_met,
            "capaian": _number(row.spm_capaian),
        },
    }


@bp.get("/province-recap/<int:year>")
@api_login_required()
def province_recap_data(year: int):
    """Per kab/kota of a provinsi office: events, victims, shelters, stock, SPM; and the total."""
    if office_level() != "provinsi":
        abort(404)
    year = budget.fiscal_year(year, "year")
    with transaction():
        data = province_recap.build(year, user_scope())
    body = {
        "year": data["year"],
        "rows": [_row(row) for row in data["rows"]],
        "total": _row(data["total"]),
        "provinsi_stock": _quantities(data["provinsi_stock"]) if data["whole_office"] else None,
    }
    return jsonify(body)
