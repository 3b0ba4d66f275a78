"""API: the BAST PDF of a stock document, and distribution batches (one BAST per day and site)."""

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from logistics.admin.models import OFFICE_ROLES
from logistics.bast import services as bast
from logistics.core import inputs
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.security import require_visible

BATCH_FIELDS = (
    "event_id",
    "distributed_on",
    "shelter_id",
    "kelurahan_code",
    "giver_name",
    "receiver_name",
    "note",
)


@bp.get("/stock-documents/<int:document_id>/bast.pdf")
@api_login_required()
def stock_document_bast_pdf(document_id: int):
    document = bast.get_document(document_id)
    return Response(
        bast.render_document_pdf(document, base_url=request.url_root),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{bast.pdf_filename(document)}"'},
    )


@bp.post("/distribution-batches")
@api_login_required(*OFFICE_ROLES)
def distribution_batches_create():
    payload = json_payload()
    unknown = sorted(set(payload) - set(BATCH_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    event_id = inputs.whole_number(payload.get("event_id"), "event_id", "Kejadian", required=True)
    require_visible("event_id", event_id)
    event = bast.find_event(event_id)
    if event is None:
        raise DomainError(f"Kejadian #{event_id} tidak ditemukan.", field="event_id")
    with transaction():
        document = bast.create_distribution_batch(
            event,
            payload.get("distributed_on"),
            shelter=payload.get("shelter_id"),
            kelurahan_code=payload.get("kelurahan_code"),
            giver_name=payload.get("giver_name"),
            receiver_name=payload.get("receiver_name"),
            note=payload.get("note"),
            actor=current_user,
        )
    ids = bast.batch_distribution_ids(document)
    return jsonify(
        {
            "id": document.id,
            "number": document.number,
            "doc_date": document.doc_date.isoformat(),
            "event_id": document.event_id,
            "shelter_id": document.shelter_id,
            "kelurahan_code": document.kelurahan_code,
            "giver_name": document.giver_name,
            "receiver_name": document.receiver_name,
            "distribution_ids": ids,
            "pdf_url": url_for("api.stock_document_bast_pdf", document_id=document.id),
        }
    ), 201
