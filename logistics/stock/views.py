"""Logistics pages: the landing page, the item catalogue with kit contents, the warehouses."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import KAB_KOTA_HEADER, by_kab_kota
from logistics.core.database import transaction
from logistics.core.errors import Conflict, DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import decimal_text
from logistics.core.forms import attach_error
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.security import roles_required, user_scope
from logistics.core.time import office_today
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.stock import catalogue, reports, warehouses
from logistics.stock.forms import ItemForm, KitForm, WarehouseForm
from logistics.stock.models.catalogue import ITEM_CATEGORIES, WAREHOUSE_TIERS

bp = Blueprint("stock", __name__, url_prefix="/logistik")
ITEM_HEADERS = [
    "ID",
    "Kode",
    "Nama",
    "Kategori",
    "Satuan",
    "Satuan utuh",
    "Kedaluwarsa",
    "Paket (kit)",
    "Kalori per satuan",
    "Isi paket",
    "Catatan",
    "Aktif",
]
WAREHOUSE_HEADERS = [
    "ID",
    "Kode",
    "Nama",
    "Tingkat",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Alamat",
    "Lintang",
    "Bujur",
    "Tempat pengungsian",
    "Penanggung jawab",
    "Telepon",
    "Aktif",
]
KIT_ROWS = 3  # empty rows the kit editor adds below the current contents


def _yes(value: bool) -> str:
    return "ya" if value else "tidak"


def _can_manage() -> bool:
    return current_user.role in OFFICE_ROLES


def _active_filter() -> bool | None:
    return {"aktif": True, "nonaktif": False}.get(request.args.get("status", "aktif"))


@bp.route("/")
@login_required
def index():
    rows = warehouses.list_warehouses(active=True, scope=user_scope())
    items = catalogue.list_items(active=True)
    return render_template(
        "stock/index.html",
        rows=rows,
        tiers=WAREHOUSE_TIERS,
        item_count=len(items),
        kit_count=sum(1 for i in items if i.is_kit),
        can_manage=_can_manage(),
    )


# --- catalogue -----------------------------------------------------------------------------------


@bp.route("/barang")
@login_required
def items():
    category = request.args.get("kategori", "").strip() or None
    if category not in ITEM_CATEGORIES:
        category = None
    search = request.args.get("q", "").strip()
    status = request.args.get("status", "aktif")
    found = catalogue.list_items(category=category, search=search, active=_active_filter())
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        rows = (
            [
                i.id,
                i.code,
                i.name,
                ITEM_CATEGORIES.get(i.category, i.category),
                i.unit,
                _yes(i.whole_units),
                _yes(i.expires),
                _yes(i.is_kit),
                i.kcal_per_unit if i.kcal_per_unit is not None else "",
                "; ".join(
                    f"{decimal_text(c.quantity)} {c.component.unit} {c.component.name}"
                    for c in i.components
                ),
                i.note,
                _yes(i.active),
            ]
            for i in found
        )
        return table_response("katalog-barang", ITEM_HEADERS, rows, fmt)
    return render_template(
        "stock/items.html",
        items=found,
        categories=ITEM_CATEGORIES,
        args={"kategori": category or "", "q": search, "status": status},
        quantity=decimal_text,
        can_manage=_can_manage(),
    )


def _item_values(form: ItemForm) -> dict:
    values = {name: getattr(form, name).data for name in catalogue.ITEM_FIELDS}
    values["note"] = values["note"] or ""
    return values


def _render_item_form(form, item, status=200):
    return render_template(
        "stock/item_form.html", form=form, item=item, categories=ITEM_CATEGORIES
    ), status


@bp.route("/barang/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def item_new():
    form = ItemForm()
    if form.validate_on_submit():
        try:
            with transaction():
                item = catalogue.create_item(**_item_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_item_form(form, None, exc.status)
        flash(f"Barang '{item.name}' ditambahkan ke katalog.", "success")
        if item.is_kit:
            return redirect(url_for("stock.item_kit", item_id=item.id))
        return redirect(url_for("stock.item_detail", item_id=item.id))
    return _render_item_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/barang/<int:item_id>")
@login_required
def item_detail(item_id: int):
    item = catalogue.get_item(item_id)
    return render_template(
        "stock/item_detail.html",
        item=item,
        categories=ITEM_CATEGORIES,
        quantity=decimal_text,
        used_in=catalogue.kits_containing(item),
        can_manage=_can_manage(),
        form=KitForm(),
    )


@bp.route("/barang/<int:item_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def item_edit(item_id: int):
    item = catalogue.get_item(item_id)
    form = ItemForm(obj=item)
    if request.method == "GET":
        form.kcal_per_unit.data = "" if item.kcal_per_unit is None else str(item.kcal_per_unit)
    if form.validate_on_submit():
        try:
            with transaction():
                catalogue.update_item(item, **_item_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_item_form(form, item, exc.status)
        flash("Perubahan disimpan.", "success")
        return redirect(url_for("stock.item_detail", item_id=item.id))
    return _render_item_form(form, item, 422 if request.method == "POST" else 200)


@bp.route("/barang/<int:item_id>/hapus", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def item_remove(item_id: int):
    item = catalogue.get_item(item_id)
    if not KitForm().validate_on_submit():
        flash("Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("stock.item_detail", item_id=item.id))
    name = item.name
    try:
        with transaction():
            outcome = catalogue.remove_item(item)
    except Conflict as refused:
        flash(refused.message, "danger")
        return redirect(url_for("stock.item_detail", item_id=item_id))
    if outcome == "deleted":
        flash(f"Barang '{name}' dihapus dari katalog.", "success")
        return redirect(url_for("stock.items"))
    flash(f"'{name}' masih menjadi isi paket, jadi dinonaktifkan, tidak dihapus.", "warning")
    return redirect(url_for("stock.item_detail", item_id=item.id))


@bp.route("/barang/<int:item_id>/isi", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def item_kit(item_id: int):
    """The kit-contents editor: one row per component, empty rows to add more."""
    kit = catalogue.get_item(item_id)
    form = KitForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        pairs = zip(
            request.form.getlist("component_id"), request.form.getlist("quantity"), strict=False
        )
        lines = [
            {"component_id": component, "quantity": quantity}
            for component, quantity in pairs
            if component.strip() or quantity.strip()
        ]
        rows = [(line["component_id"], line["quantity"]) for line in lines]
        try:
            with transaction():
                catalogue.set_components(kit, lines)
        except DomainError as exc:
            kit = catalogue.get_item(item_id)
            error = exc
        else:
            flash(f"Isi paket {kit.name} disimpan.", "success")
            return redirect(url_for("stock.item_detail", item_id=kit.id))
    else:
        rows = [(str(c.component_id), decimal_text(c.quantity)) for c in kit.components]
    status = error.status if error else (422 if request.method == "POST" else 200)
    return render_template(
        "stock/kit_form.html",
        form=form,
        kit=kit,
        rows=rows + [("", "")] * KIT_ROWS,
        choices=catalogue.component_choices(kit),
        error=error,
    ), status


# --- warehouses ----------------------------------------------------------------------------------


def _warehouse_args() -> dict:
    tier = request.args.get("tingkat", "").strip() or None
    return {
        "tier": tier if tier in WAREHOUSE_TIERS else None,
        "kelurahan_code": request.args.get("kelurahan", "").strip() or None,
        "status": request.args.get("status", "aktif"),
    }


@bp.route("/gudang")
@login_required
def warehouse_list():
    args = _warehouse_args()
    scope = user_scope()
    rows = warehouses.list_warehouses(
        tier=args["tier"],
        kelurahan_code=args["kelurahan_code"],
        active=_active_filter(),
        scope=scope,
    )
    groups = warehouses.by_kab_kota(rows) if by_kab_kota() else None
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return _warehouse_export(rows, groups, scope, fmt)
    return render_template(
        "stock/warehouses.html",
        rows=rows,
        groups=groups,
        tiers=WAREHOUSE_TIERS,
        args=args,
        can_manage=_can_manage(),
    )


def _warehouse_export(rows, groups, scope, fmt: str):
    """The list as a file; a provinsi office's has a kab/kota column and, after each kab/kota's
    rows, a subtotal row."""
    shelters = dict(warehouses.shelter_choices(scope))

    def line(w, name, kab_kota=None):
        values = [
            w.id,
            w.code,
            w.name,
            WAREHOUSE_TIERS.get(w.tier, w.tier),
            w.kelurahan_code or "",
            name,
            w.address,
            w.lat if w.lat is not None else "",
            w.lng if w.lng is not None else "",
            shelters.get(w.shelter_id, "") if w.shelter_id else "",
            w.pic_name,
            w.pic_phone,
            _yes(w.active),
        ]
        return values if kab_kota is None else values[:4] + [kab_kota] + values[4:]

    if groups is None:
        data = (line(w, name) for w, name in rows)
        return table_response("gudang", WAREHOUSE_HEADERS, data, fmt)
    headers = WAREHOUSE_HEADERS[:4] + [KAB_KOTA_HEADER] + WAREHOUSE_HEADERS[4:]
    data = []
    for group in groups:
        data += [line(w, name, group.label) for w, name in group.rows]
        data.append(["", "", f"Subtotal {group.label}: {len(group.rows)} gudang"] + [""] * 11)
    data.append(["", "", f"Jumlah: {len(rows)} gudang"] + [""] * 11)
    return table_response("gudang", headers, data, fmt)


def _warehouse_choices(form: WarehouseForm) -> None:
    form.shelter_id.choices = [("", "— tidak ada —")] + [
        (str(shelter_id), name) for shelter_id, name in warehouses.shelter_choices(user_scope())
    ]


def _warehouse_values(form: WarehouseForm) -> dict:
    values = {name: getattr(form, name).data for name in warehouses.WAREHOUSE_FIELDS}
    for name in ("address", "pic_name", "pic_phone"):
        values[name] = values[name] or ""
    return values


def _render_warehouse_form(form, warehouse, status=200):
    return render_template(
        "stock/warehouse_form.html",
        form=form,
        warehouse=warehouse,
    ), status


@bp.route("/gudang/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def warehouse_new():
    form = WarehouseForm()
    _warehouse_choices(form)
    if request.method == "GET":
        form.tier.data = request.args.get("tingkat", "")
    if form.validate_on_submit():
        try:
            values = _warehouse_values(form)
            values.pop("active")  # a new warehouse is active; the box shows on edit only
            with transaction():
                warehouse = warehouses.create_warehouse(user_scope(), **values)
        except DomainError as exc:
            attach_error(form, exc)
            return _render_warehouse_form(form, None, exc.status)
        flash(f"Gudang '{warehouse.name}' ({warehouse.code}) ditambahkan.", "success")
        return redirect(url_for("stock.warehouse_detail", warehouse_id=warehouse.id))
    return _render_warehouse_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/gudang/<int:warehouse_id>")
@login_required
def warehouse_detail(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    today = office_today()
    return render_template(
        "stock/warehouse_detail.html",
        trail=breadcrumbs(
            crumb("Logistik", "stock.index"),
            crumb("Gudang", "stock.warehouse_list"),
            crumb(warehouse.name),
        ),
        warehouse=warehouse,
        stock=reports.warehouse_stock(warehouse.id, today),
        tiers=WAREHOUSE_TIERS,
        kelurahan_name=warehouses.kelurahan_name(warehouse.kelurahan_code),
        shelter_name=dict(warehouses.shelter_choices()).get(warehouse.shelter_id),
        can_manage=_can_manage(),
    )


@bp.route("/gudang/<int:warehouse_id>/ubah", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def warehouse_edit(warehouse_id: int):
    warehouse = warehouses.get_warehouse(warehouse_id)
    form = WarehouseForm(obj=warehouse)
    _warehouse_choices(form)
    if request.method == "GET":
        form.shelter_id.data = str(warehouse.shelter_id or "")
        for name in ("lat", "lng"):
            value = getattr(warehouse, name)
            getattr(form, name).data = "" if value is None else str(value)
    if form.validate_on_submit():
        try:
            with transaction():
                warehouses.update_warehouse(warehouse, user_scope(), **_warehouse_values(form))
        except DomainError as exc:
            attach_error(form, exc)
            return _render_warehouse_form(form, warehouse, exc.status)
        flash("Perubahan disimpan.", "success")
        return redirect(url_for("stock.warehouse_detail", warehouse_id=warehouse.id))
    return _render_warehouse_form(form, warehouse, 422 if request.method == "POST" else 200)
