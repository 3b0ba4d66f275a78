"""Flask-WTF forms of the budget pages; amounts arrive as text and the services validate them."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField

from logistics.budget.models import FUNDING_SOURCES
from logistics.core.form_messages import Form
from logistics.core.spm_components import INDICATORS, SPM_COMPONENTS

MONEY = {"inputmode": "numeric", "autocomplete": "off", "placeholder": "mis. 250.000.000"}
FUNDING_CHOICES = [("", "Belum ditentukan"), *FUNDING_SOURCES.items()]
YEAR = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class PaguForm(Form):
    """Pagu awal and perubahan of a level in one year, and a sub-kegiatan's quarterly cash plan."""

    code = SelectField("Program, kegiatan atau sub-kegiatan", choices=[], validate_choice=False)
    fiscal_year = StringField("Tahun anggaran", render_kw=YEAR)
    pagu_awal = StringField(
        "Pagu awal (Rp, boleh kosong bila tingkat di atasnya berpagu)", render_kw=MONEY
    )
    pagu_perubahan = StringField(
        "Pagu perubahan (Rp, kosongkan bila belum ada APBD-P)", render_kw=MONEY
    )
    plan_q1 = StringField("Rencana triwulan I (Rp)", render_kw=MONEY)
    plan_q2 = StringField("Rencana triwulan II (Rp)", render_kw=MONEY)
    plan_q3 = StringField("Rencana triwulan III (Rp)", render_kw=MONEY)
    plan_q4 = StringField("Rencana triwulan IV (Rp)", render_kw=MONEY)
    note = StringField("Catatan (opsional)")
    funding_source = SelectField("Sumber dana", choices=FUNDING_CHOICES, validate_choice=False)


class RealisationForm(Form):
    """One payment (SP2D) against a sub-kegiatan."""

    code = SelectField("Sub-kegiatan", choices=[], validate_choice=False)
    fiscal_year = StringField("Tahun anggaran", render_kw=YEAR)
    paid_on = StringField("Tanggal SP2D", render_kw={"type": "date"})
    amount_value = StringField("Jumlah (Rp)", render_kw=MONEY)
    document_number = StringField("Nomor SP2D / dokumen", render_kw={"autocomplete": "off"})
    note = StringField("Catatan (opsional)")
    funding_source = SelectField("Sumber dana", choices=FUNDING_CHOICES, validate_choice=False)


class NodeForm(Form):
    """A program, kegiatan or sub-kegiatan code the office uses."""

    code = StringField(
        "Kode", render_kw={"placeholder": "1.06.06.2.01.0001", "autocomplete": "off"}
    )
    name = StringField("Uraian")
    # "keep" leaves the link as it is, "" removes it; a component linked elsewhere moves here.
    spm_component = SelectField(
        "Komponen SPM yang dibiayai",
        choices=[("keep", "Tidak diubah"), ("", "Tidak terkait"), *SPM_COMPONENTS.items()],
        default="keep",
        validate_choice=False,
    )
    # The indicator whose capaian this level reports (LKIP capaian kinerja and efisiensi).
    indicator = SelectField(
        "Indikator kinerja yang dilaporkan",
        choices=[("keep", "Tidak diubah"), ("", "Tidak ada"), *INDICATORS.items()],
        default="keep",
        validate_choice=False,
    )


class BudgetImportForm(Form):
    file = FileField(
        "Berkas rencana anggaran (XLSX atau CSV)",
        validators=[FileRequired("Pilih berkas terlebih dahulu.")],
    )
    fiscal_year = StringField("Tahun anggaran", render_kw=YEAR)
    dry_run = BooleanField("Periksa saja, jangan simpan")


class ConfirmForm(Form):
    """A button that changes data (seed the standard tree, delete an entry)."""
