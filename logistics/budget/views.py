"""Budget pages: the year's program/kegiatan/sub-kegiatan tree, pagu and realisation entry."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from logistics.admin.models import OFFICE_ROLES
from logistics.budget import services as budget
from logistics.budget.forms import (
    ConfirmForm,
    NodeForm,
    PaguForm,
    RealisationForm,
)
from logistics.budget.models import BUDGET_LEVELS, TOTAL_FIELDS
from logistics.core import inputs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.formatting import persen, rupiah
from logistics.core.forms import submit
from logistics.core.nav import breadcrumbs, crumb
from logistics.core.office import office_info
from logistics.core.security import roles_required, whole_office_only
from logistics.core.spm_components import INDICATORS, SPM_COMPONENTS
from logistics.core.time import office_today
from logistics.reports import year_report

bp = Blueprint("budget", __name__, url_prefix="/anggaran")
# The budget is the office's own (its DPA), not a kab/kota's: only for users of the whole area.
bp.before_request(whole_office_only)
TREE_HEADERS = [
    "Kode",
    "Tingkat",
    "Uraian",
    "Komponen SPM",
    "Pagu awal",
    "Pagu perubahan",
    "Pagu berlaku",
    "Rencana TW I",
    "Rencana TW II",
    "Rencana TW III",
    "Rencana TW IV",
    "Realisasi TW I",
    "Realisasi TW II",
    "Realisasi TW III",
    "Realisasi TW IV",
    "Realisasi",
    "Sisa pagu",
    "Serapan (%)",
    "Serapan dicetak (%)",
    "Indikator kinerja",
    "Capaian kinerja (%)",
    "Efisiensi (%)",
    "Sumber dana",
    "Catatan",
]
QUARTER_NAMES = budget.QUARTER_NAMES


def _can_manage() -> bool:
    return current_user.role in OFFICE_ROLES


def _year(value=None) -> int:
    raw = request.args.get("tahun") if value is None else value
    if inputs.is_blank(raw):
        return office_today().year
    return budget.fiscal_year(raw, "tahun")


def _flag_note(row) -> str:
    return "; ".join(
        [
            f"{TOTAL_FIELDS[d.field]} {rupiah(d.own)} tidak sama dengan jumlah rincian "
            f"{rupiah(d.parts)}"
            for d in row.disagreements
        ]
        + [
            f"{TOTAL_FIELDS[f.field]} tercetak {rupiah(f.printed)}, jumlah rincian "
            f"{rupiah(row.amounts.value(f.field))}"
            for f in row.flags
        ]
    )


def _number(value):
    """A percentage as a spreadsheet number; blank when there is none."""
    return "" if value is None else float(value)


def _lkip(year: int, rows) -> dict[str, dict]:
    """code -> serapan as printed, capaian kinerja and efisiensi, as the year-end report has them."""
    report_rows = year_report.budget_level_figures(year, rows)
    return {row["code"]: row for row in report_rows}


@bp.route("/")
@login_required
def index():
    year = _year()
    rows = budget.year_tree(year)
    fmt = request.args.get("format")
    lkip = _lkip(year, rows)
    if fmt in ("csv", "xlsx"):
        data = (
            [
                row.code,
                BUDGET_LEVELS[row.level],
                row.name,
                SPM_COMPONENTS.get(row.spm_component or "", ""),
                row.amounts.pagu_awal,
                "" if row.amounts.pagu_perubahan is None else row.amounts.pagu_perubahan,
                row.amounts.pagu,
                *row.amounts.plan,
                *row.amounts.realised,
                row.amounts.realisasi,
                row.amounts.sisa,
                # Numbers stay numbers for the spreadsheet; the comma is for printed pages.
                "" if row.amounts.serapan is None else float(row.amounts.serapan),
                _number(lkip[row.code]["serapan_printed"]),
                INDICATORS.get(row.indicator or "", ""),
                _number(lkip[row.code]["capaian"]),
                _number(lkip[row.code]["efisiensi"]),
                row.funding,
                _flag_note(row),
            ]
            for row in rows
        )
        return table_response(f"anggaran-{year}", TREE_HEADERS, data, fmt)
    years = sorted({year, office_today().year, *budget.years_with_budget()}, reverse=True)
    return render_template(
        "budget/index.html",
        year=year,
        years=years,
        rows=rows,
        flagged=[row for row in rows if row.flags or row.disagreements],
        lkip=lkip,
        indicators=INDICATORS,
        serapan_places=office_info().serapan_places,
        quarters=QUARTER_NAMES,
        levels=BUDGET_LEVELS,
        components=SPM_COMPONENTS,
        total_fields=TOTAL_FIELDS,
        persen=persen,
        can_manage=_can_manage(),
        form=ConfirmForm(),
    )


@bp.route("/struktur-standar", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def seed():
    if not ConfirmForm().validate_on_submit():
        flash("Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("budget.index"))
    with transaction():
        added = budget.seed_structure()
    flash(f"{added} kode Program Penanganan Bencana ditambahkan.", "success")
    return redirect(url_for("budget.index"))


@bp.route("/kode/baru", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def node_new():
    form = NodeForm()
    status = 200
    if request.method == "GET" and request.args.get("kode"):
        # Opened from a row of the tree: rename it or change its SPM link.
        node = budget.get_node(request.args["kode"])
        form.code.data, form.name.data = node.code, node.name
        form.indicator.data = node.indicator or ""
    if request.method == "POST":
        link, indicator = form.spm_component.data, form.indicator.data
        outcome = submit(
            form,
            lambda: (
                budget.save_node(
                    form.code.data,
                    form.name.data,
                    None if link == "keep" else link,
                    None if indicator == "keep" else indicator,
                ).code
            ),
            fallback="code",
        )
        if outcome.done:
            flash(f"Kode {outcome.result} disimpan.", "success")
            return redirect(url_for("budget.index"))
        status = outcome.status
    return render_template("budget/node_form.html", form=form), status


@bp.route("/<code>")
@login_required
def detail(code: str):
    node = budget.get_node(code)
    if node.code != code:
        return redirect(url_for("budget.detail", code=node.code, **request.args))
    year = _year()
    rows = budget.year_tree(year)
    row = next(r for r in rows if r.code == node.code)
    line = budget.get_line(node, year) if node.level == "sub_kegiatan" else None
    return render_template(
        "budget/detail.html",
        trail=breadcrumbs(
            crumb(f"Anggaran {year}", "budget.index", tahun=year),
            crumb(f"{node.code} {node.name}"),
        ),
        node=node,
        year=year,
        row=row,
        line=line,
        children=[
            r for r in rows if r.code.startswith(node.code + ".") and r.depth == row.depth + 1
        ],
        entries=budget.realisations(node, year) if line else [],
        quarters=QUARTER_NAMES,
        levels=BUDGET_LEVELS,
        components=SPM_COMPONENTS,
        total_fields=TOTAL_FIELDS,
        persen=persen,
        can_manage=_can_manage(),
        form=ConfirmForm(),
    )


def _node_choices(form) -> None:
    form.code.choices = [SelectChoice("", "— pilih program, kegiatan atau sub-kegiatan —")] + [
        SelectChoice(n.code, f"{n.code} {n.name}") for n in budget.list_nodes()
    ]


def _sub_choices(form) -> None:
    form.code.choices = [SelectChoice("", "— pilih sub-kegiatan —")] + [
        SelectChoice(code, label) for code, label in budget.sub_kegiatan_choices()
    ]


@bp.route("/pagu", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def pagu():
    form = PaguForm()
    _node_choices(form)
    status = 200
    if request.method == "GET":
        form.code.data = request.args.get("kode", "")
        form.fiscal_year.data = str(_year())
        if form.code.data:
            try:
                node = budget.get_node(form.code.data)
                line = budget.get_line(node, int(form.fiscal_year.data))
            except DomainError:
                line = None
            if line is not None:
                form.pagu_awal.data = "" if line.pagu_awal is None else str(line.pagu_awal)
                form.pagu_perubahan.data = (
                    "" if line.pagu_perubahan is None else str(line.pagu_perubahan)
                )
                for q in range(1, 5):
                    getattr(form, f"plan_q{q}").data = str(getattr(line, f"plan_q{q}"))
                form.note.data = line.note
                form.funding_source.data = line.funding_source or ""
    else:
        outcome = submit(form, lambda: _save_pagu(form))
        if outcome.done:
            code, year = outcome.result
            flash(f"Pagu {code} tahun {year} disimpan.", "success")
            return redirect(url_for("budget.detail", code=code, tahun=year))
        status = outcome.status
    return render_template("budget/pagu_form.html", form=form), status


def _save_pagu(form) -> tuple[str, int]:
    line = budget.set_budget(
        form.code.data,
        form.fiscal_year.data,
        pagu_awal=form.pagu_awal.data,
        pagu_perubahan=form.pagu_perubahan.data,
        # A program's or kegiatan's plan is the sum of its parts: the service refuses one typed
        # there rather than dropping it.
        plan=[getattr(form, f"plan_q{q}").data for q in range(1, 5)],
        note=form.note.data or "",
        funding_source=form.funding_source.data,
    )
    return line.node.code, line.fiscal_year


def _save_realisation(form) -> tuple[str, int]:
    entry = budget.record_realisation(
        form.code.data,
        form.fiscal_year.data,
        paid_on=form.paid_on.data,
        amount_value=form.amount_value.data,
        document_number=form.document_number.data,
        note=form.note.data,
        actor=current_user,
        funding_source=form.funding_source.data,
    )
    return budget.realisation_code(entry), entry.paid_on.year


@bp.route("/realisasi", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def realisation():
    form = RealisationForm()
    _sub_choices(form)
    status = 200
    if request.method == "GET":
        form.code.data = request.args.get("kode", "")
        form.fiscal_year.data = str(_year())
        form.paid_on.data = office_today().isoformat()
    else:
        outcome = submit(form, lambda: _save_realisation(form), names={"amount": "amount_value"})
        if outcome.done:
            code, year = outcome.result
            flash(f"Realisasi {code} dicatat.", "success")
            return redirect(url_for("budget.detail", code=code, tahun=year))
        status = outcome.status
    return render_template("budget/realisation_form.html", form=form), status


@bp.route("/realisasi/<int:realisation_id>/hapus", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def realisation_delete(realisation_id: int):
    entry = budget.get_realisation(realisation_id)
    if not ConfirmForm().validate_on_submit():
        flash("Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.", "danger")
        return redirect(url_for("budget.index"))
    with transaction():
        code, year = budget.delete_realisation(entry)
    flash("Realisasi dihapus.", "success")
    return redirect(url_for("budget.detail", code=code, tahun=year))
