"""Stock ledger pages: documents, warehouse stock, stock card, stock count and expiry reports."""

import uuid
from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import KAB_KOTA_HEADER, by_kab_kota, kab_kota_label, kab_kota_names
from logistics.core import inputs
from logistics.core.exports import table_response
from logistics.core.formatting import angka, decimal_text
from logistics.core.forms import submit
from logistics.core.security import roles_required, user_scope
from logistics.core.time import office_today
from logistics.stock import choices, counts, ledger, reports, transfers, warehouses, wilayah
from logistics.stock import documents as stock_documents
from logistics.stock.ledger_forms import (
    AdjustmentForm,
    CountForm,
    DispatchForm,
    ReceiptForm,
    ReceiveForm,
    TransferForm,
)
from logistics.stock.models.ledger import (
    ADJUSTMENT_REASONS,
    DOCUMENT_KINDS,
    DOCUMENT_STATUSES,
    MOVEMENT_KINDS,
    RECEIPT_SOURCES,
)

bp = Blueprint("ledger", __name__, url_prefix="/logistik")
EMPTY_ROWS = 5
CARD_PER_PAGE = 100
CARD_EXPORT_LIMIT = 100_000
DOCUMENT_HEADERS = [
    "ID",
    "Nomor BAST",
    "Tanggal",
    "Jenis",
    "Gudang",
    "Tujuan",
    "Status",
    "Sumber/alasan",
    "Penyerah",
    "Penerima",
]
CARD_HEADERS = ["Tanggal", "Jenis", "Nomor dokumen", "Lot", "Masuk", "Keluar", "Saldo"]
LOT_HEADERS = ["Gudang", "Barang", "Satuan", "Kode lot", "Kedaluwarsa", "Sisa hari", "Jumlah"]


def _can_manage() -> bool:
    return current_user.role in OFFICE_ROLES


def _bast_available() -> bool:
    return "bast.document_pdf" in current_app.view_functions


LAST_PAGE = 10**9  # clamped by the query to the real last page


def _page() -> int:
    """?hal=N (the pages' own links) or ?page=N; 'last'/'terakhir' is the oldest page."""
    raw = (request.args.get("hal") or request.args.get("page") or "1").strip().lower()
    if raw in ("last", "terakhir"):
        return LAST_PAGE
    try:
        return max(1, int(raw))
    except ValueError:
        return 1


def _warehouse_choices(active_only: bool = True, recording: bool = False) -> list[tuple[str, str]]:
    """Warehouses the user sees (a filter, a destination) or records in (a document's source)."""
    found = choices.warehouses(active_only, user_scope(), recording)
    return [(str(w.id), f"{w.name} ({w.code})") for w in found]


def _event_choices() -> list[tuple[str, str]]:
    return [(str(e.id), f"{e.code} · {e.title}") for e in choices.recent_events(50, user_scope())]


def _set_choices(form, names: tuple[str, ...]) -> None:
    if "warehouse_id" in names:
        form.warehouse_id.choices = [("", "— pilih gudang —")] + _warehouse_choices(recording=True)
    if "to_warehouse_id" in names:
        form.to_warehouse_id.choices = [("", "— pilih gudang —")] + _warehouse_choices()
    if "event_id" in names:
        form.event_id.choices = [("", "— tanpa kejadian —")] + _event_choices()
    if "shelter_id" in names:
        shelters = choices.shelters(open_only=True, scope=user_scope())
        form.shelter_id.choices = [("", "— bukan tempat pengungsian —")] + [
            (str(s.id), s.name) for s in shelters
        ]


def _header(form, names: tuple[str, ...]) -> dict:
    values = {name: getattr(form, name).data for name in names}
    values["client_id"] = form.client_id.data or None
    return values


def _rows(*names: str) -> list[dict]:
    """The repeated line inputs of a form, without rows left empty."""
    columns = {name: request.form.getlist(name) for name in names}
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for index in range(count):
        row = {
            name: (values[index] if index < len(values) else "") for name, values in columns.items()
        }
        if any(str(value).strip() for value in row.values()):
            rows.append(row)
    return rows


def _fresh(form) -> None:
    """A new client_id for a blank form; a posted form keeps the one it was given."""
    if request.method == "GET" and not form.client_id.data:
        form.client_id.data = uuid.uuid4().hex


def _save(action, values, form):
    """Run a service action through the shared form submit: (document, 200) when saved,
    (None, status) when refused, with every refusal on the form."""
    outcome = submit(form, lambda: stock_documents.submit(action, values, current_user))
    if not outcome.done:
        return None, outcome.status
    document, created = outcome.result
    if created:
        flash(f"Dokumen {document.number} disimpan.", "success")
    else:
        flash(f"Dokumen {document.number} sudah tersimpan sebelumnya.", "info")
    return document, 200


# --- documents -------------------------------------------------------------------------------


def _document_args() -> dict:
    kind = request.args.get("jenis", "").strip()
    warehouse = request.args.get("gudang", "").strip()
    args = {
        "jenis": kind if kind in DOCUMENT_KINDS else "",
        "gudang": warehouse if warehouse.isdigit() else "",
        "dari": request.args.get("dari", "").strip(),
        "sampai": request.args.get("sampai", "").strip(),
    }
    return args


@bp.route("/dokumen")
@login_required
def documents():
    args = _document_args()
    date_from = inputs.day(args["dari"], "dari", "Tanggal awal")
    date_to = inputs.day(args["sampai"], "sampai", "Tanggal akhir")
    fmt = request.args.get("format")
    filters = {
        "kind": args["jenis"] or None,
        "warehouse_id": int(args["gudang"]) if args["gudang"] else None,
        "date_from": date_from,
        "date_to": date_to,
        "scope": user_scope(),
    }
    if fmt in ("csv", "xlsx"):
        found, _total = stock_documents.list_documents(**filters, per_page=CARD_EXPORT_LIMIT)
        rows = (
            [
                d.id,
                d.number or "",
                d.doc_date.isoformat(),
                DOCUMENT_KINDS.get(d.kind, d.kind),
                d.warehouse.name if d.warehouse else "",
                stock_documents.destination_label(d),
                DOCUMENT_STATUSES.get(d.status, d.status),
                RECEIPT_SOURCES.get(d.source or "", "")
                or ADJUSTMENT_REASONS.get(d.reason or "", ""),
                d.giver_name,
                d.receiver_name,
            ]
            for d in found
        )
        return table_response("dokumen-stok", DOCUMENT_HEADERS, rows, fmt)
    page = _page()
    found, total = stock_documents.list_documents(**filters, page=page)
    return render_template(
        "stock/ledger/documents.html",
        documents=found,
        total=total,
        page=page,
        pages=max(1, -(-total // stock_documents.DOCUMENTS_PER_PAGE)),
        args=args,
        kinds=DOCUMENT_KINDS,
        statuses=DOCUMENT_STATUSES,
        warehouses=_warehouse_choices(active_only=False),
        destination=stock_documents.destination_label,
        can_manage=_can_manage(),
    )


@bp.route("/dokumen/<int:document_id>")
@login_required
def document_detail(document_id: int):
    document = stock_documents.get_document(document_id)
    event = stock_documents.document_event(document)
    return render_template(
        "stock/ledger/document_detail.html",
        document=document,
        event=event,
        kinds=DOCUMENT_KINDS,
        movement_kinds=MOVEMENT_KINDS,
        statuses=DOCUMENT_STATUSES,
        sources=RECEIPT_SOURCES,
        reasons=ADJUSTMENT_REASONS,
        destination=stock_documents.destination_label(document),
        differences=transfers.transfer_differences(document) if document.kind == "transfer" else [],
        counts=counts.count_lines(document) if document.kind == "opname" else [],
        lot_label=ledger.lot_label,
        bast_available=_bast_available(),
        can_manage=_can_manage(),
    )


@bp.route("/dokumen/<int:document_id>/terima", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def transfer_receive(document_id: int):
    document = stock_documents.get_document(document_id)
    form = ReceiveForm()
    _fresh(form)
    status = 200
    if request.method == "POST":
        values = {
            "client_id": form.client_id.data or None,
            "received_on": form.received_on.data,
            "receiver_name": form.receiver_name.data,
            "lines": [
                {"line_id": row["line_id"], "quantity": row["quantity"].strip() or "0"}
                for row in _rows("line_id", "quantity")
                if row["line_id"].strip()
            ],
        }
        saved, status = _save(
            lambda v, actor: transfers.receive_transfer(document_id, v, actor), values, form
        )
        if saved is not None:
            return redirect(url_for("ledger.document_detail", document_id=saved.id))
        document = stock_documents.get_document(document_id)
    typed = dict(
        zip(request.form.getlist("line_id"), request.form.getlist("quantity"), strict=False)
    )
    return render_template(
        "stock/ledger/transfer_receive.html",
        form=form,
        document=document,
        typed=typed,
        lot_label=ledger.lot_label,
        plain=decimal_text,
    ), status


# --- new documents ---------------------------------------------------------------------------


def _line_form(kind: str, form, names: tuple[str, ...], line_names: tuple[str, ...], action):
    _set_choices(form, names)
    _fresh(form)
    if request.method == "GET" and "warehouse_id" in names:
        form.warehouse_id.data = request.args.get("gudang", "")
    status = 200
    rows = _rows(*line_names) if request.method == "POST" else []
    if request.method == "POST":
        values = _header(form, names) | {"lines": rows}
        document, status = _save(action, values, form)
        if document is not None:
            return redirect(url_for("ledger.document_detail", document_id=document.id))
    blank = {name: "" for name in line_names}
    return render_template(
        f"stock/ledger/{kind}_form.html",
        form=form,
        rows=rows + [blank] * EMPTY_ROWS,
        items=choices.active_items(),
    ), status


HAND_OVER = ("doc_date", "event_id", "giver_name", "receiver_name", "note")


@bp.route("/penerimaan/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def receipt_new():
    return _line_form(
        "receipt",
        ReceiptForm(),
        ("warehouse_id", "source", "source_document", *HAND_OVER),
        ("item_id", "lot_code", "expiry_date", "quantity"),
        stock_documents.record_receipt,
    )


@bp.route("/pengiriman/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def dispatch_new():
    return _line_form(
        "dispatch",
        DispatchForm(),
        ("warehouse_id", "shelter_id", "kelurahan_code", *HAND_OVER),
        ("item_id", "quantity", "expired_reason"),
        stock_documents.record_dispatch,
    )


@bp.route("/transfer/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def transfer_new():
    return _line_form(
        "transfer",
        TransferForm(),
        ("warehouse_id", "to_warehouse_id", *HAND_OVER),
        ("item_id", "quantity", "expired_reason"),
        transfers.send_transfer,
    )


@bp.route("/gudang/<int:warehouse_id>/penyesuaian", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def adjustment_new(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    form = AdjustmentForm()
    _fresh(form)
    status = 200
    rows = _rows("lot_id", "change") if request.method == "POST" else []
    if request.method == "POST":
        values = _header(form, ("doc_date", "reason", "note"))
        values |= {"warehouse_id": warehouse.id, "lines": rows}
        document, status = _save(counts.record_adjustment, values, form)
        if document is not None:
            return redirect(url_for("ledger.document_detail", document_id=document.id))
    return render_template(
        "stock/ledger/adjustment_form.html",
        form=form,
        warehouse=warehouse,
        lots=counts.count_sheet(warehouse.id),
        rows=rows + [{"lot_id": "", "change": ""}] * EMPTY_ROWS,
        lot_label=ledger.lot_label,
    ), status


@bp.route("/gudang/<int:warehouse_id>/opname", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def count_new(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    form = CountForm()
    _fresh(form)
    status = 200
    typed = {}
    if request.method == "POST":
        rows = _rows("lot_id", "counted")
        typed = {row["lot_id"]: row["counted"] for row in rows}
        values = _header(form, ("doc_date", "giver_name", "receiver_name", "note"))
        values |= {
            "warehouse_id": warehouse.id,
            # A lot left blank was not counted; it keeps its balance.
            "lines": [row for row in rows if row["counted"].strip()],
        }
        document, status = _save(counts.record_count, values, form)
        if document is not None:
            return redirect(url_for("ledger.document_detail", document_id=document.id))
    lots = counts.count_sheet(warehouse.id)
    if getattr(form, "row_errors", None):
        # The service numbers the counted lots only; the sheet shows every lot of the warehouse.
        counted = [row["lot_id"] for row in values["lines"]]
        position = {str(lot.id): index for index, lot in enumerate(lots)}
        form.row_errors = {
            position.get(counted[line], line): errors for line, errors in form.row_errors.items()
        }
    return render_template(
        "stock/ledger/count_form.html",
        form=form,
        warehouse=warehouse,
        lots=lots,
        typed=typed,
        lot_label=ledger.lot_label,
    ), status


# --- stock -----------------------------------------------------------------------------------


@bp.route("/gudang/<int:warehouse_id>/stok")
@login_required
def warehouse_stock(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    today = office_today()
    return render_template(
        "stock/ledger/warehouse_stock.html",
        warehouse=warehouse,
        rows=reports.warehouse_stock(warehouse.id, today),
        today=today,
        lot_label=ledger.lot_label,
        can_manage=_can_manage(),
    )


@bp.route("/gudang/<int:warehouse_id>/kartu-stok")
@login_required
def stock_card(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    item_id = inputs.whole_number(
        request.args.get("barang") or request.args.get("item_id"), "barang", "Barang", required=True
    )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        card = reports.stock_card(warehouse.id, item_id, 1, CARD_EXPORT_LIMIT)
        rows = (
            [
                row.day.isoformat(),
                MOVEMENT_KINDS.get(row.kind, row.kind),
                row.number,
                row.lot,
                decimal_text(row.quantity_in) if row.quantity_in else "",
                decimal_text(row.quantity_out) if row.quantity_out else "",
                decimal_text(row.balance),
            ]
            for row in card.rows
        )
        return table_response(
            f"kartu-stok-{warehouse.code}-{card.item.code}", CARD_HEADERS, rows, fmt
        )
    card = reports.stock_card(warehouse.id, item_id, _page(), CARD_PER_PAGE)
    return render_template(
        "stock/ledger/stock_card.html",
        card=card,
        page=card.page,
        pages=card.pages,
        movement_kinds=MOVEMENT_KINDS,
        lot_label=ledger.lot_label,
        today=office_today(),
    )


# --- expiry ----------------------------------------------------------------------------------


def _lot_rows(lots, today: date):
    return (
        [
            lot.warehouse.name,
            lot.item.name,
            lot.item.unit,
            lot.lot_code,
            lot.expiry_date.isoformat() if lot.expiry_date else "",
            (lot.expiry_date - today).days if lot.expiry_date else "",
            decimal_text(lot.quantity),
        ]
        for lot in lots
    )


def _lot_kab_kota(lots) -> dict[int, str]:
    """The kab/kota of each lot's warehouse ("Provinsi" for the office's own stores)."""
    names = kab_kota_names()
    return {lot.id: kab_kota_label(wilayah.warehouse_area(lot.warehouse), names) for lot in lots}


def _warehouse_arg() -> int | None:
    value = request.args.get("gudang", "").strip()
    return int(value) if value.isdigit() else None


@bp.route("/kedaluwarsa")
@login_required
def expiring():
    days = inputs.whole_number(request.args.get("hari"), "hari", "Jumlah hari", maximum=3660)
    days = days or 30
    warehouse_id = _warehouse_arg()
    today = office_today()
    lots = reports.expiring_lots(days, warehouse_id, today, user_scope())
    kab_kota = _lot_kab_kota(lots) if by_kab_kota() else None
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        headers, rows = LOT_HEADERS, _lot_rows(lots, today)
        if kab_kota is not None:
            # A provinsi office's list names each lot's kab/kota beside its warehouse.
            headers = LOT_HEADERS[:1] + [KAB_KOTA_HEADER] + LOT_HEADERS[1:]
            rows = (
                [row[0], kab_kota[lot.id], *row[1:]] for lot, row in zip(lots, rows, strict=True)
            )
        return table_response(f"kedaluwarsa-{days}-hari", headers, rows, fmt)
    return render_template(
        "stock/ledger/expiring.html",
        lots=lots,
        kab_kota=kab_kota,
        days=days,
        today=today,
        warehouse_id=warehouse_id,
        warehouses=_warehouse_choices(active_only=False),
    )


@bp.route("/kedaluwarsa/semester")
@login_required
def expiry_check():
    today = office_today()
    year = inputs.whole_number(request.args.get("tahun"), "tahun", "Tahun", maximum=2200)
    half = inputs.whole_number(request.args.get("semester"), "semester", "Semester", maximum=9)
    year = year or today.year
    half = half or (1 if today.month <= 6 else 2)
    warehouse_id = _warehouse_arg()
    report = reports.expiry_check(year, half, warehouse_id, today, user_scope())
    if request.args.get("format") == "xlsx":
        rows = [["Akan kedaluwarsa dalam 6 bulan"], LOT_HEADERS]
        rows += list(_lot_rows(report.expiring, today))
        rows += [[], ["Sudah kedaluwarsa, masih di stok"], LOT_HEADERS]
        rows += list(_lot_rows(report.expired, today))
        rows += [[], ["Penyesuaian karena kedaluwarsa dalam semester"]]
        rows += [["Tanggal", "Nomor dokumen", "Gudang", "Barang", "Lot", "Jumlah"]]
        rows += [
            [
                m.document.doc_date.isoformat(),
                m.document.number or "",
                m.lot.warehouse.name,
                m.item.name,
                ledger.lot_label(m.lot),
                decimal_text(-m.quantity),
            ]
            for m in report.write_offs
        ]
        title = [f"Pemeriksaan kedaluwarsa semester {half} tahun {year}"]
        return table_response(f"cek-kedaluwarsa-{year}-s{half}", title, rows, "xlsx")
    return render_template(
        "stock/ledger/expiry_check.html",
        report=report,
        warehouse_id=warehouse_id,
        warehouses=_warehouse_choices(active_only=False),
        lot_label=ledger.lot_label,
        angka=angka,
    )
