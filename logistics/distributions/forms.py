"""Flask-WTF form of the phone-first hand-out page; item lines are read from the request."""

import uuid

from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from logistics.core.form_messages import Form
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.distributions.models import PHASES

# Empty item rows the field form offers; more rarely fit one hand-out.
LINE_ROWS = 3


def new_client_id() -> str:
    """A fresh id per rendered form: a double tap or a resend saves one hand-out."""
    return f"web-{uuid.uuid4()}"


class FieldDistributionForm(Form):
    """What was handed out to the household (or person) picked in step 1."""

    event_id = HiddenField()
    household_id = HiddenField()
    person_id = HiddenField()
    client_id = HiddenField()
    component = SelectField(
        "Jenis bantuan (komponen SPM)",
        choices=[SelectChoice(k, v) for k, v in SPM_COMPONENTS.items()],
        validate_choice=False,
    )
    phase = SelectField(
        "Fase",
        choices=[SelectChoice("", "Sesuai status kejadian")]
        + [SelectChoice(k, v) for k, v in PHASES.items()],
        validate_choice=False,
    )
    warehouse_id = SelectField("Gudang asal barang", choices=[], validate_choice=False)
    distributed_on = StringField("Tanggal penyaluran", render_kw={"type": "date"})
    receiver_name = StringField(
        "Nama yang menerima (tanda tangan BAST)", render_kw={"autocomplete": "off"}
    )
    service_note = StringField(
        "Catatan layanan (wajib bila tanpa barang, mis. sesi psikososial)",
        render_kw={"autocomplete": "off"},
    )
    # Choices are the budget tree's sub-kegiatan, set by the view; empty follows the component.
    sub_kegiatan = SelectField("Sub-kegiatan anggaran", choices=[], validate_choice=False)
    override_reason = StringField(
        "Alasan bila sudah pernah menerima (khusus operator/admin)",
        render_kw={"autocomplete": "off"},
    )
