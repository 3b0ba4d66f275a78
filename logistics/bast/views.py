"""BAST pages: the printable PDF of a hand-over, and making a distribution batch."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.area_forms import AreaField
from logistics.bast import services as bast
from logistics.core import inputs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.form_messages import Form
from logistics.core.forms import attach_error
from logistics.core.security import require_visible, roles_required, user_scope
from logistics.core.time import office_today
from logistics.core.wording import LazyText, istilah
from logistics.stock import choices

bp = Blueprint("bast", __name__, url_prefix="/logistik")


class BatchForm(Form):
    """A BAST for the day's hand-outs at one site; choices are set by the view."""

    event_id = SelectField("Kejadian bencana", choices=[], validate_choice=False)
    distributed_on = StringField("Tanggal penyaluran", widget=DateInput())
    shelter_id = SelectField("Tempat pengungsian", choices=[], validate_choice=False)
    kelurahan_code = AreaField(
        LazyText(lambda: f"atau {istilah('wilayah')} (penyaluran di luar pengungsian)"),
        purpose="see",
    )
    giver_name = StringField("Yang menyerahkan (pihak pertama)", render_kw={"autocomplete": "off"})
    receiver_name = StringField("Yang menerima (pihak kedua)", render_kw={"autocomplete": "off"})
    note = TextAreaField("Catatan (opsional)", render_kw={"rows": 2})


@bp.route("/dokumen/<int:document_id>/bast.pdf")
@login_required
def document_pdf(document_id: int):
    document = bast.get_document(document_id)
    pdf = bast.render_document_pdf(document, base_url=request.url_root)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{bast.pdf_filename(document)}"'},
    )


def _batch_choices(form: BatchForm) -> None:
    form.event_id.choices = [("", "— pilih kejadian —")] + [
        (str(e.id), f"{e.code} — {e.title}") for e in choices.recent_events(200, user_scope())
    ]
    shelters = choices.shelters(scope=user_scope())
    form.shelter_id.choices = [("", "— bukan di pengungsian —")] + [
        (str(s.id), s.name) for s in shelters
    ]


@bp.route("/penyaluran/bast", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def batch_new():
    form = BatchForm()
    _batch_choices(form)
    status = 200
    if request.method == "GET":
        for name in ("event_id", "shelter_id", "kelurahan_code", "distributed_on"):
            if request.args.get(name):
                getattr(form, name).data = request.args[name]
        if not form.distributed_on.data:
            form.distributed_on.data = office_today().isoformat()
    elif form.validate_on_submit():
        try:
            event_id = inputs.whole_number(
                form.event_id.data, "event_id", "Kejadian", required=True
            )
            require_visible("event_id", event_id)
            event = bast.find_event(event_id)
            if event is None:
                raise DomainError("Pilih kejadian bencana.", field="event_id")
            with transaction():
                document = bast.create_distribution_batch(
                    event,
                    form.distributed_on.data,
                    shelter=form.shelter_id.data or None,
                    kelurahan_code=form.kelurahan_code.data,
                    giver_name=form.giver_name.data,
                    receiver_name=form.receiver_name.data,
                    note=form.note.data,
                    actor=current_user,
                )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            flash(
                f"BAST {document.number} dibuat; unduh lalu cetak untuk ditandatangani.", "success"
            )
            return redirect(url_for("bast.batch_new", dokumen=document.id))
    else:
        status = 422
    created = request.args.get("dokumen", type=int)
    return render_template(
        "bast/batch_form.html",
        form=form,
        pending=bast.pending_batches(scope=user_scope()),
        created=bast.get_document(created) if created else None,
    ), status
