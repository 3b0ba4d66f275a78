"""API: SPM standards, the "terpenuhi" setting, targets, needs and gaps, stock cover, achievement."""

from flask import jsonify, request

from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_number
from logistics.core.errors import DomainError, NotFound
from logistics.core.security import require_visible, user_scope
from logistics.spm import dashboard as spm_dashboard
from logistics.spm import settings as spm_settings
from logistics.spm import tracking as spm_tracking
from logistics.spm.models import ALL_COMPONENTS
from logistics.spm.year_scope import require_year_figures


@bp.get("/spm/standards")
@api_login_required()
def spm_standards():
    return jsonify(
        {
            "items": [
                {
                    "id": s.id,
                    "code": s.code,
                    "need": s.need,
                    "component": s.component,
                    "quantity": json_number(s.quantity),
                    "unit": s.unit,
                    "basis": s.basis,
                    "period": s.period,
                    "days_from": s.days_from,
                    "days_to": s.days_to,
                    "item_code": s.item_code,
                    "source": s.source,
                    "valid_from": s.valid_from.isoformat(),
                }
                for s in spm_settings.list_standards()
            ]
        }
    )


@bp.get("/spm/met-rules")
@api_login_required()
def spm_met_rules():
    rules = spm_settings.met_rules()
    return jsonify({status: sorted(components) for status, components in rules.items()})


@bp.get("/spm/targets")
@api_login_required()
def spm_targets():
    year = inputs.whole_number(request.args.get("year"), "year", "Tahun", maximum=2100)
    return jsonify(
        {
            "items": [
                {
                    "id": t.id,
                    "year": t.year,
                    "indicator": t.indicator,
                    "value": json_number(t.value),
                    "unit": t.unit,
                    "mode": t.mode,
                    "lower_is_better": t.lower_is_better,
                    "source": t.source,
                }
                for t in spm_settings.list_targets(year)
            ]
        }
    )


@bp.get("/spm/needs")
@api_login_required()
def spm_needs():
    event_id = inputs.whole_number(
        request.args.get("event_id"), "event_id", "Kejadian", required=True
    )
    require_visible("event_id", event_id)
    day = inputs.day(request.args.get("day"), "day", "Tanggal")
    days = spm_dashboard.days_of(event_id)
    if not days:
        raise NotFound("Belum ada angka SPM untuk kejadian ini.")
    day = day or days[0]
    level = request.args.get("level", "kelurahan")
    if level not in ("kelurahan", "shelter"):
        raise DomainError("Parameter level harus 'kelurahan' atau 'shelter'.", field="level")
    rows = spm_dashboard.needs_table(
        event_id,
        day,
        request.args.get("component") or None,
        shelters=level == "shelter",
        scope=user_scope(),
    )
    return jsonify(
        {
            "event_id": event_id,
            "day": day.isoformat(),
            "level": level,
            "stale": spm_tracking.stale_count(),
            "items": [
                {
                    "kelurahan_code": r["kelurahan_code"],
                    "kelurahan_name": r["kelurahan_name"],
                    "shelter_id": r["shelter_key"] if r["shelter_key"] > 0 else None,
                    "component": r["component"],
                    "persons_needing": r["persons_needing"],
                    "households_needing": r["households_needing"],
                    "persons_delivered": r["persons_delivered"],
                    "portions_delivered": r["portions_delivered"],
                    "delivered": r["delivered"],
                    "gap": r["gap"],
                    "estimated": r["estimated"],
                }
                for r in rows
            ],
        }
    )


@bp.get("/spm/stock-cover")
@api_login_required()
def spm_stock_cover():
    event_id = inputs.whole_number(request.args.get("event_id"), "event_id", "Kejadian")
    require_visible("event_id", event_id)
    day = inputs.day(request.args.get("day"), "day", "Tanggal")
    return jsonify(
        {
            "items": [
                {
                    "code": c["code"],
                    "item_code": c["item_code"],
                    "unit": c["unit"],
                    "stock": json_number(c["stock"]),
                    "need": json_number(c["need"]),
                    "per_day": c["daily"],
                    "days_of_cover": json_number(c["days_of_cover"]),
                    "share_percent": json_number(c["share"]),
                    "warning": c["warning"],
                }
                for c in spm_dashboard.stock_cover(event_id, day, user_scope())
            ]
        }
    )


@bp.get("/spm/achievement/<int:year>")
@api_login_required()
def spm_achievement(year: int):
    require_year_figures(user_scope())
    return jsonify(
        {
            "year": year,
            "all_components": ALL_COMPONENTS,
            "stale": spm_tracking.stale_count(),
            "items": [
                {
                    "indicator": r["indicator"],
                    "label": r["label"],
                    "persons_needing": r["needing"],
                    "persons_met": r["met"],
                    "realisation": json_number(r["realisation"])
                    if r["realisation"] is not None and not isinstance(r["realisation"], int)
                    else r["realisation"],
                    "unit": r["unit"],
                    "target": json_number(r["target"]),
                    "mode": r["mode"],
                    "capaian_percent": json_number(r["capaian"]),
                    "persons_estimated": r["estimated"],
                }
                for r in spm_dashboard.year_summary(year)
            ],
        }
    )
