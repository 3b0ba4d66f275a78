"""Hand-out pages: the phone-first field form with its confirmation, the office list, detail
and a household's aid history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from logistics.admin.models import OFFICE_ROLES, WRITER_ROLES
from logistics.areas.kab_kota import (
    KAB_KOTA_HEADER,
    by_kab_kota,
    kab_kota_label,
    kab_kota_names,
    kab_kota_of,
)
from logistics.budget import services as budget
from logistics.core import inputs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import decimal_text
from logistics.core.forms import attach_error
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.privacy import mask_nik
from logistics.core.security import require_in_scope, roles_required, user_scope
from logistics.core.spm_components import SPM_COMPONENTS, SPM_SUBKEGIATAN
from logistics.core.time import office_today
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.distributions import details
from logistics.distributions import lists as handout_lists
from logistics.distributions import services as distributions
from logistics.distributions.forms import LINE_ROWS, FieldDistributionForm, new_client_id
from logistics.distributions.models import PHASES, RECIPIENT_KINDS
from logistics.field import review as field_review
from logistics.victims.models import RELATIONS
from logistics.victims.services import get_household, get_person

bp = Blueprint("distributions", __name__)
PAGE_SIZE = 50
# Errors of the item rows, which are not form fields: shown above the rows.
LINE_FIELDS = ("lines", "item_id", "quantity", "lot_id", "expired_reason")
EXPORT_HEADERS = [
    "ID",
    "Tanggal",
    "Kejadian",
    "Komponen",
    "Sub-kegiatan",
    "Fase",
    "Jenis penerima",
    "Penerima",
    "NIK (disamarkan)",
    "Nomor KK (disamarkan)",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Gudang",
    "Barang",
    "Jiwa terlayani",
    "Nama yang menerima",
    "Catatan layanan",
    "Alasan penyaluran ganda",
    "Dicatat oleh",
]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _lines_text(lines) -> str:
    return "; ".join(f"{decimal_text(amount)} {unit} {name}" for name, amount, unit in lines)


def _labels() -> dict:
    return {
        "components": SPM_COMPONENTS,
        "subkegiatan": SPM_SUBKEGIATAN,
        "phases": PHASES,
        "kinds": RECIPIENT_KINDS,
        "relations": RELATIONS,
        "mask_nik": mask_nik,
        "quantity": decimal_text,
    }


# --- field form ---------------------------------------------------------------------------------


def _recipient(household_id: int | None, person_id: int | None):
    """(household, members) or (None, [person]) of the picked recipient."""
    if household_id:
        household = get_household(household_id)
        return household, handout_lists.household_members(household.id)
    return None, [get_person(person_id)]


def _stock_choices(form: FieldDistributionForm):
    """Warehouses holding stock (the form's choices) and their items with balances."""
    stores = handout_lists.warehouses_with_stock(user_scope())
    form.warehouse_id.choices = [("", "Tanpa barang (layanan saja)")] + [
        (str(w.id), w.name) for w in stores
    ]
    if request.method == "GET" and not form.warehouse_id.data and len(stores) == 1:
        form.warehouse_id.data = str(stores[0].id)
    return stores, handout_lists.stock_by_warehouse([w.id for w in stores])


def _submitted_lines() -> list[dict]:
    pairs = zip(request.form.getlist("item_id"), request.form.getlist("quantity"), strict=False)
    return [
        {"item_id": item.strip(), "quantity": amount.strip()}
        for item, amount in pairs
        if item.strip() or amount.strip()
    ]


def _render_field_form(form, event, household, members, error=None, rows=None, status=200):
    stores, stock = _stock_choices(form)
    form.sub_kegiatan.choices = [("", "Sesuai komponen SPM (otomatis)")] + [
        SelectChoice(code, label) for code, label in budget.sub_kegiatan_choices()
    ]
    history = (
        handout_lists.household_history(household.id, event.id) if household is not None else []
    )
    rows = list(rows or [])
    rows += [{"item_id": "", "quantity": ""}] * max(LINE_ROWS - len(rows), 1)
    return render_template(
        "distributions/field_form.html",
        form=form,
        event=event,
        household=household,
        members=members,
        history=history,
        stores=stores,
        stock=stock,
        rows=rows,
        line_error=error,
        can_override=current_user.role in OFFICE_ROLES,
        **_labels(),
    ), status


def _pick_page(events, event, query: str):
    """Step 1: the event and the household, found by NIK, nomor KK or name."""
    found, error = [], None
    if event is not None and query:
        try:
            found = handout_lists.search_recipients(event.id, query, user_scope())
        except DomainError as exc:
            error = exc.message
    return render_template(
        "distributions/field_pick.html",
        events=events,
        event=event,
        query=query,
        found=found,
        error=error,
        **_labels(),
    )


@bp.route("/lapangan/penyaluran", methods=["GET", "POST"])
@roles_required(*WRITER_ROLES)
def field():
    """Phone-first hand-out: step 1 finds the household, step 2 records what it received."""
    form = FieldDistributionForm()
    if request.method == "POST":
        return _field_submit(form)
    events = handout_lists.active_events(user_scope())
    event_id = _int_arg("kejadian") or (events[0].id if len(events) == 1 else None)
    event = next((e for e in events if e.id == event_id), None)
    household_id, person_id = _int_arg("kk"), _int_arg("orang")
    if event is None or not (household_id or person_id):
        return _pick_page(events, event, request.args.get("q", "").strip())
    household, members = _recipient(household_id, person_id)
    form.event_id.data = str(event.id)
    form.household_id.data = str(household.id) if household else ""
    form.person_id.data = "" if household else str(members[0].id)
    form.client_id.data = new_client_id()
    form.distributed_on.data = office_today().isoformat()
    form.warehouse_id.data = request.args.get("gudang", "")
    return _render_field_form(form, event, household, members)


def _field_submit(form: FieldDistributionForm):
    lines = _submitted_lines()
    household_id = inputs.whole_number(form.household_id.data, "household_id", "Keluarga")
    person_id = inputs.whole_number(form.person_id.data, "person_id", "Penerima")
    event_id = inputs.whole_number(form.event_id.data, "event_id", "Kejadian")
    event = details.find_event(event_id)
    if event is None or not (household_id or person_id) or not form.validate_on_submit():
        flash("Formulir tidak lengkap; mulai lagi dari pencarian penerima.", "danger")
        return redirect(url_for("distributions.field"))
    try:
        hand_out = distributions.parse_hand_out(
            {
                "event_id": event.id,
                "component": form.component.data,
                "phase": form.phase.data,
                "household_id": household_id,
                "person_id": person_id,
                "warehouse_id": form.warehouse_id.data if lines else None,
                "lines": lines,
                "distributed_on": form.distributed_on.data,
                "receiver_name": form.receiver_name.data,
                "service_note": form.service_note.data,
                "override_reason": form.override_reason.data
                if current_user.role in OFFICE_ROLES
                else None,
                "client_id": form.client_id.data,
                "sub_kegiatan": form.sub_kegiatan.data,
            }
        )
        require_in_scope(
            {"event_id": hand_out.event_id, f"{hand_out.recipient_kind}_id": hand_out.recipient_id},
            (hand_out.kelurahan_code,),
        )
        with transaction():
            distribution, created = distributions.record_distribution(hand_out, current_user)
            distribution_id = distribution.id
    except DomainError as exc:
        event = details.find_event(event.id)
        household, members = _recipient(household_id, person_id)
        line_error = exc.message if exc.field in LINE_FIELDS else None
        if exc.field == "client_id":
            form.client_id.data = new_client_id()  # the old id belongs to another hand-out
        if exc.field == "override_reason" and current_user.role not in OFFICE_ROLES:
            flash(exc.message, "danger")  # the reason field is not on a tagana's form
        elif line_error is None:
            attach_error(form, exc, "component")
        return _render_field_form(
            form, event, household, members, line_error, lines, status=exc.status
        )
    if created:
        flash("Penyaluran tersimpan.", "success")
    else:
        flash("Penyaluran ini sudah tersimpan sebelumnya; tidak dicatat dua kali.", "info")
    return redirect(url_for("distributions.confirmation", distribution_id=distribution_id))


def _detail_context(distribution_id: int) -> dict:
    distribution = handout_lists.get_distribution(distribution_id)
    parts = details.parts_of(distribution)
    event, household, person = parts.event, parts.household, parts.person
    institution = parts.institution
    members = handout_lists.household_members(household.id) if household is not None else []
    head = next((m for m in members if m.relation == "kepala_keluarga"), None)
    # The BAST's receiving party: the member who signed if the name matches one, else the head.
    signer = distribution.receiver_name.strip().lower()
    party = next((m for m in members if signer and m.name.lower() == signer), None)
    if party is None and not signer:
        party = head or person
    served = set(handout_lists.recipient_ids(distribution))
    history = (
        handout_lists.household_history(household.id, event.id) if household is not None else []
    )
    if household is None and person is not None and person.household_id:
        history = handout_lists.household_history(person.household_id, event.id)
    return {
        "d": distribution,
        "event": event,
        "household": household,
        "person": person,
        "institution": institution,
        "members": members,
        "served": served,
        "head": head,
        "party": party,
        "recipient_name": (household.head_name if household else None)
        or (person.name if person else None)
        or (institution.name if institution else ""),
        "warehouse": parts.warehouse,
        "shelter": parts.shelter,
        "recorder": parts.recorder or "-",
        "kelurahan_name": parts.kelurahan_name or distribution.kelurahan_code,
        "sub_kegiatan": parts.sub_kegiatan,
        "movements": handout_lists.movements_of(distribution),
        "history": history,
        # A hand-out sent from a phone's outbox: made there at one time, received at another.
        "field_origin": field_review.origin_of("hand_out", [distribution.id]).get(distribution.id),
        **_labels(),
    }


@bp.route("/lapangan/penyaluran/<int:distribution_id>")
@roles_required(*WRITER_ROLES)
def confirmation(distribution_id: int):
    """What was recorded, the details a BAST needs, and the household's aid in this event."""
    return render_template("distributions/confirmation.html", **_detail_context(distribution_id))


# --- office pages -------------------------------------------------------------------------------


def _kab_kota_column(found) -> dict[int, str]:
    """The kab/kota of each hand-out on the page, by id."""
    names = kab_kota_names()
    return {r.distribution.id: kab_kota_label(r.distribution.kelurahan_code, names) for r in found}


def _export_row(r) -> list:
    return [
        r.distribution.id,
        r.distribution.distributed_on.isoformat(),
        r.event_code,
        SPM_COMPONENTS[r.distribution.component],
        SPM_SUBKEGIATAN[r.distribution.component],
        PHASES[r.distribution.phase],
        RECIPIENT_KINDS[r.distribution.recipient_kind],
        r.recipient_name,
        mask_nik(r.nik),
        mask_nik(r.no_kk),
        r.distribution.kelurahan_code,
        r.kelurahan_name,
        r.warehouse_name,
        _lines_text(r.lines),
        r.distribution.persons_served,
        r.distribution.receiver_name,
        r.distribution.service_note,
        r.distribution.override_reason or "",
        r.recorded_by,
    ]


def _export(query, fmt: str, by_kab: bool):
    """The list as a file; a provinsi office's is ordered by kab/kota, with a kab/kota column
    and a subtotal row after each kab/kota's hand-outs (and the total at the end)."""
    if not by_kab:
        data = (_export_row(r) for r in handout_lists.rows(query))
        return table_response("penyaluran", EXPORT_HEADERS, data, fmt)
    names = kab_kota_names()
    at = EXPORT_HEADERS.index(AREA_CODE_HEADER)
    headers = EXPORT_HEADERS[:at] + [KAB_KOTA_HEADER] + EXPORT_HEADERS[at:]
    persons = EXPORT_HEADERS.index("Jiwa terlayani") + 1
    totals = {t.code: t for t in handout_lists.kab_kota_totals(query)}

    def subtotal(label: str, handouts: int, served: int) -> list:
        line = [""] * len(headers)
        line[1], line[persons] = f"{label}: {handouts} penyaluran", served
        return line

    data, current = [], None
    for r in handout_lists.rows(handout_lists.by_kab_kota_order(query)):
        code = kab_kota_of(r.distribution.kelurahan_code)
        if current is not None and code != current:
            t = totals[current]
            data.append(subtotal(f"Subtotal {t.label}", t.handouts, t.persons))
        current = code
        line = _export_row(r)
        data.append(line[:at] + [kab_kota_label(code, names)] + line[at:])
    if current is not None:
        t = totals[current]
        data.append(subtotal(f"Subtotal {t.label}", t.handouts, t.persons))
    all_handouts = sum(t.handouts for t in totals.values())
    data.append(subtotal("Jumlah", all_handouts, sum(t.persons for t in totals.values())))
    return table_response("penyaluran", headers, data, fmt)


@bp.route("/penyaluran/")
@login_required
def index():
    args = {
        "kejadian": request.args.get("kejadian", ""),
        "komponen": request.args.get("komponen", ""),
        "kelurahan": request.args.get("kelurahan", ""),
        "dari": request.args.get("dari", ""),
        "sampai": request.args.get("sampai", ""),
    }
    try:
        filters = handout_lists.parse_filters(
            request.args,
            {
                "event_id": "kejadian",
                "component": "komponen",
                "kelurahan_code": "kelurahan",
                "date_from": "dari",
                "date_to": "sampai",
                "household_id": "kk",
            },
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        filters = handout_lists.DistributionFilters()
    query = handout_lists.distributions_query(filters, user_scope())
    by_kab = by_kab_kota()
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(query, fmt, by_kab)
    total = handout_lists.count(query)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("hal", 1, type=int), 1), pages)
    found = handout_lists.rows(query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    events, kelurahan = details.list_filters(user_scope())
    return render_template(
        "distributions/index.html",
        rows=found,
        kab_kota=_kab_kota_column(found) if by_kab else None,
        kab_kota_totals=handout_lists.kab_kota_totals(query) if by_kab else None,
        total=total,
        page=page,
        pages=pages,
        args=args,
        events=events,
        kelurahan=kelurahan,
        lines_text=_lines_text,
        field_origins=field_review.origin_of("hand_out", [r.distribution.id for r in found]),
        can_record=current_user.role in WRITER_ROLES,
        **_labels(),
    )


@bp.route("/penyaluran/<int:distribution_id>")
@login_required
def detail(distribution_id: int):
    context = _detail_context(distribution_id)
    event = context["event"]
    trail = breadcrumbs(
        crumb("Penyaluran", "distributions.index"),
        crumb(event.title, "distributions.index", kejadian=event.id),
        crumb(f"Penyaluran #{distribution_id}"),
    )
    return render_template("distributions/detail.html", trail=trail, **context)


@bp.route("/penyaluran/kk/<int:household_id>")
@login_required
def household(household_id: int):
    """Every hand-out to a household or one of its members, across events."""
    household = get_household(household_id)
    members = handout_lists.household_members(household.id)
    kelurahan = details.kelurahan_name(household.kelurahan_code)
    return render_template(
        "distributions/household.html",
        household=household,
        members=members,
        kelurahan_name=kelurahan or household.kelurahan_code or "-",
        history=handout_lists.household_history(household.id),
        lines_text=_lines_text,
        can_record=current_user.role in WRITER_ROLES,
        **_labels(),
    )
