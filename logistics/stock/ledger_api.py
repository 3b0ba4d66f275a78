"""API: stock documents (receipt, dispatch, transfer, adjustment, opname), stock and stock card."""

from flask import current_app, jsonify, request, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_number, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import require_visible, user_scope
from logistics.core.time import office_today
from logistics.stock import counts, reports, transfers, warehouses
from logistics.stock import documents as stock_documents
from logistics.stock.models import StockDocument, StockLot
from logistics.stock.models.ledger import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    DOCUMENT_STATUSES,
    MOVEMENT_KINDS,
    RECEIPT_SOURCES,
)

MAX_PER_PAGE = 500


def lot_json(lot: StockLot, today=None) -> dict:
    today = today or office_today()
    return {
        "id": lot.id,
        "warehouse_id": lot.warehouse_id,
        "warehouse_name": lot.warehouse.name,
        "item_id": lot.item_id,
        "item_code": lot.item.code,
        "item_name": lot.item.name,
        "unit": lot.item.unit,
        "lot_code": lot.lot_code,
        "expiry_date": lot.expiry_date.isoformat() if lot.expiry_date else None,
        "expired": lot.expiry_date is not None and lot.expiry_date < today,
        "quantity": json_number(lot.quantity),
        "received_on": lot.received_on.isoformat(),
    }


def document_json(document: StockDocument) -> dict:
    body = {
        "id": document.id,
        "kind": document.kind,
        "kind_label": DOCUMENT_KINDS.get(document.kind, document.kind),
        "number": document.number,
        "doc_date": document.doc_date.isoformat(),
        "warehouse_id": document.warehouse_id,
        "warehouse_name": document.warehouse.name if document.warehouse else None,
        "to_warehouse_id": document.to_warehouse_id,
        "to_warehouse_name": document.to_warehouse.name if document.to_warehouse else None,
        "shelter_id": document.shelter_id,
        "kelurahan_code": document.kelurahan_code,
        "event_id": document.event_id,
        "source": document.source,
        "source_label": RECEIPT_SOURCES.get(document.source) if document.source else None,
        "source_document": document.source_document,
        "reason": document.reason,
        "reason_label": ADJUSTMENT_REASONS.get(document.reason) if document.reason else None,
        "giver_name": document.giver_name,
        "receiver_name": document.receiver_name,
        "status": document.status,
        "status_label": DOCUMENT_STATUSES.get(document.status, document.status),
        "received_on": document.received_on.isoformat() if document.received_on else None,
        "note": document.note,
        "client_id": document.client_id,
        "lines": [
            {
                "id": m.id,
                "kind": m.kind,
                "kind_label": MOVEMENT_KINDS.get(m.kind, m.kind),
                "warehouse_id": m.warehouse_id,
                "item_id": m.item_id,
                "item_code": m.item.code,
                "item_name": m.item.name,
                "unit": m.item.unit,
                "lot_id": m.lot_id,
                "lot_code": m.lot.lot_code,
                "expiry_date": m.lot.expiry_date.isoformat() if m.lot.expiry_date else None,
                "quantity": json_number(m.quantity),
                "override_reason": m.override_reason,
            }
            for m in document.movements
        ],
    }
    if document.kind == "transfer":
        body["items"] = [
            {
                "item_id": row["item_id"],
                "item_name": row["item"].name,
                "unit": row["item"].unit,
                "sent": json_number(row["sent"]),
                "received": json_number(row["received"]),
                "difference": json_number(row["difference"]),
            }
            for row in transfers.transfer_differences(document)
        ]
    if document.kind == "opname":
        body["counts"] = [
            {
                "lot_id": line.lot_id,
                "item_name": line.lot.item.name,
                "system_quantity": json_number(line.system_quantity),
                "counted_quantity": json_number(line.counted_quantity),
                "difference": json_number(line.counted_quantity - line.system_quantity),
            }
            for line in counts.count_lines(document)
        ]
    if "bast.document_pdf" in current_app.view_functions:
        body["bast_pdf_url"] = url_for("bast.document_pdf", document_id=document.id)
    return body


def _submit(action, values):
    """Save one document in its own transaction; 201 when made, 200 for a retry of a saved one."""
    with transaction():
        document, created = stock_documents.submit(action, values, current_user)
    return jsonify(document_json(document)), 201 if created else 200


def _page_arg(name: str = "page") -> int:
    return inputs.whole_number(request.args.get(name), name, f"Parameter '{name}'") or 1


@bp.post("/stock-receipts")
@api_login_required(*OFFICE_ROLES)
def stock_receipts_create():
    return _submit(stock_documents.record_receipt, json_payload())


@bp.post("/stock-dispatches")
@api_login_required(*OFFICE_ROLES)
def stock_dispatches_create():
    return _submit(stock_documents.record_dispatch, json_payload())


@bp.post("/stock-transfers")
@api_login_required(*OFFICE_ROLES)
def stock_transfers_create():
    return _submit(transfers.send_transfer, json_payload())


@bp.post("/stock-transfers/<int:document_id>/receive")
@api_login_required(*OFFICE_ROLES)
def stock_transfers_receive(document_id: int):
    payload = request.get_json(silent=True)
    payload = {} if payload is None else payload
    return _submit(
        lambda values, actor: transfers.receive_transfer(document_id, values, actor), payload
    )


@bp.post("/stock-adjustments")
@api_login_required(*OFFICE_ROLES)
def stock_adjustments_create():
    return _submit(counts.record_adjustment, json_payload())


@bp.post("/stock-counts")
@api_login_required(*OFFICE_ROLES)
def stock_counts_create():
    return _submit(counts.record_count, json_payload())


@bp.get("/stock-documents")
@api_login_required()
def stock_documents_list():
    per_page = inputs.whole_number(
        request.args.get("per_page"), "per_page", "Parameter 'per_page'", maximum=MAX_PER_PAGE
    )
    page = _page_arg()
    documents, total = stock_documents.list_documents(
        kind=request.args.get("kind", "").strip() or None,
        warehouse_id=inputs.whole_number(
            request.args.get("warehouse_id"), "warehouse_id", "Parameter 'warehouse_id'"
        ),
        date_from=inputs.day(request.args.get("date_from"), "date_from", "Tanggal awal"),
        date_to=inputs.day(request.args.get("date_to"), "date_to", "Tanggal akhir"),
        page=page,
        per_page=per_page or stock_documents.DOCUMENTS_PER_PAGE,
        scope=user_scope(),
    )
    return jsonify({"count": total, "page": page, "items": [document_json(d) for d in documents]})


@bp.get("/stock-documents/<int:document_id>")
@api_login_required()
def stock_documents_detail(document_id: int):
    return jsonify(document_json(stock_documents.get_document(document_id)))


@bp.get("/warehouses/<int:warehouse_id>/stock")
@api_login_required()
def warehouses_stock(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    today = office_today()
    rows = reports.warehouse_stock(warehouse.id, today)
    return jsonify(
        {
            "warehouse_id": warehouse.id,
            "warehouse_name": warehouse.name,
            "as_of": today.isoformat(),
            "items": [
                {
                    "item_id": row.item.id,
                    "item_code": row.item.code,
                    "item_name": row.item.name,
                    "unit": row.item.unit,
                    "balance": json_number(row.balance),
                    "issuable": json_number(row.issuable),
                    "expired": json_number(row.expired),
                    "lots": [lot_json(lot, today) for lot in row.lots],
                }
                for row in rows
            ],
        }
    )


@bp.get("/warehouses/<int:warehouse_id>/stock-card")
@api_login_required()
def warehouses_stock_card(warehouse_id: int):
    item_id = inputs.whole_number(
        request.args.get("item_id"), "item_id", "Parameter 'item_id'", required=True
    )
    per_page = inputs.whole_number(
        request.args.get("per_page"), "per_page", "Parameter 'per_page'", maximum=MAX_PER_PAGE
    )
    card = reports.stock_card(warehouse_id, item_id, _page_arg(), per_page or 100)
    return jsonify(
        {
            "warehouse_id": card.warehouse.id,
            "item_id": card.item.id,
            "item_name": card.item.name,
            "unit": card.item.unit,
            "balance": json_number(card.balance),
            "page": card.page,
            "pages": card.pages,
            "count": card.total,
            "rows": [
                {
                    "movement_id": row.movement_id,
                    "date": row.day.isoformat(),
                    "kind": row.kind,
                    "kind_label": MOVEMENT_KINDS.get(row.kind, row.kind),
                    "document_id": row.document_id,
                    "number": row.number,
                    "lot": row.lot,
                    "in": json_number(row.quantity_in),
                    "out": json_number(row.quantity_out),
                    "balance": json_number(row.balance),
                }
                for row in card.rows
            ],
            "lots": [lot_json(lot) for lot in card.lots],
        }
    )


@bp.get("/stock-lots/expiring")
@api_login_required()
def stock_lots_expiring():
    days = inputs.whole_number(request.args.get("days"), "days", "Parameter 'days'", maximum=3660)
    warehouse_id = inputs.whole_number(
        request.args.get("warehouse_id"), "warehouse_id", "Parameter 'warehouse_id'"
    )
    if warehouse_id:
        require_visible("warehouse_id", warehouse_id)
        warehouses.get_warehouse(warehouse_id)
    days = 30 if days is None else days
    if days < 1:
        raise DomainError("Parameter 'days' paling sedikit 1.", field="days")
    today = office_today()
    lots = reports.expiring_lots(days, warehouse_id, today, user_scope())
    return jsonify(
        {
            "days": days,
            "as_of": today.isoformat(),
            "count": len(lots),
            "items": [lot_json(lot, today) for lot in lots],
        }
    )
