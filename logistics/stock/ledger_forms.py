"""Flask-WTF forms of the stock-document pages; lines arrive as repeated inputs read by the view."""

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from logistics.areas.area_forms import AreaField
from logistics.core.form_messages import Form
from logistics.core.wording import LazyText, istilah
from logistics.stock.models.ledger import ADJUSTMENT_REASONS, RECEIPT_SOURCES

NAME = {"autocomplete": "off"}


def _select(label: str, choices: dict | None = None, empty: str = "— pilih —") -> SelectField:
    options = [SelectChoice("", empty)]
    options += [SelectChoice(k, v) for k, v in (choices or {}).items()]
    return SelectField(label, choices=options, validate_choice=False)


class _Document(Form):
    """Fields every hand-over shares; `client_id` keeps a double-tapped submit from saving twice."""

    client_id = HiddenField()
    doc_date = DateField("Tanggal", validators=[Optional()])
    note = TextAreaField("Catatan (opsional)", render_kw={"rows": 2})


class _HandOver(_Document):
    event_id = _select("Kejadian bencana (opsional)", empty="— tanpa kejadian —")
    giver_name = StringField("Nama yang menyerahkan", render_kw=NAME)
    receiver_name = StringField("Nama yang menerima", render_kw=NAME)


class ReceiptForm(_HandOver):
    """Penerimaan barang: warehouse choices are set by the view."""

    warehouse_id = _select("Gudang penerima")
    source = _select("Sumber barang", RECEIPT_SOURCES)
    source_document = StringField("Nomor dokumen pemasok (SPB/surat jalan)", render_kw=NAME)


class DispatchForm(_HandOver):
    """Pengiriman ke tempat pengungsian atau kelurahan (posko)."""

    warehouse_id = _select("Gudang asal")
    shelter_id = _select("Tempat pengungsian tujuan", empty="— bukan tempat pengungsian —")
    kelurahan_code = AreaField(LazyText(lambda: f"Atau {istilah('wilayah')} tujuan (posko)"))


class TransferForm(_HandOver):
    """Transfer antar gudang."""

    warehouse_id = _select("Gudang asal")
    to_warehouse_id = _select("Gudang tujuan")


class ReceiveForm(Form):
    """The destination records what arrived of a transfer."""

    client_id = HiddenField()
    received_on = DateField("Tanggal diterima", validators=[Optional()])
    receiver_name = StringField("Nama yang menerima", render_kw=NAME)


class AdjustmentForm(_Document):
    """Penyesuaian stok of one warehouse (chosen before the form)."""

    reason = _select("Alasan", ADJUSTMENT_REASONS)


class CountForm(_Document):
    """Stok opname of one warehouse."""

    giver_name = StringField("Petugas penghitung", render_kw=NAME)
    receiver_name = StringField("Penanggung jawab gudang", render_kw=NAME)
