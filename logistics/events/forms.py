"""Flask-WTF forms of the event pages (labels and messages in Bahasa Indonesia)."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from logistics.areas.area_forms import AreaField
from logistics.areas.search import PICKER_LEVELS
from logistics.core.form_messages import Form
from logistics.core.forms import REQUIRED
from logistics.core.wording import LazyText, istilah, office_level
from logistics.events.models import DECREE_STATUSES, HAZARD_CLASSES, IMPACT_MEASURES, ISSUER_LEVELS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def issuer_choices() -> list[SelectChoice]:
    """Who issues the decree, named for this office: its own region head first."""
    own = "gubernur" if office_level() == "provinsi" else "bupati_walikota"
    labels = dict(ISSUER_LEVELS, **{own: istilah("kepala_daerah")})
    return [SelectChoice(own, labels[own])] + [
        SelectChoice(k, v) for k, v in labels.items() if k != own
    ]


class EventForm(Form):
    """Open or edit an event: one screen, the essentials first."""

    hazard_type_id = SelectField("Jenis bencana", coerce=int, validators=[DataRequired(REQUIRED)])
    title = StringField(
        "Judul kejadian (mis. Banjir luapan sungai, Desember 2026)",
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    started_at = DateTimeLocalField(
        "Waktu mulai",
        format=DATETIME_FORMAT,
        validators=[DataRequired("Isi tanggal dan jam mulai.")],
    )
    ended_at = DateTimeLocalField(
        "Waktu selesai (kosongkan bila masih berlangsung)",
        format=DATETIME_FORMAT,
        validators=[Optional()],
    )
    kelurahan_codes = SelectMultipleField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} terdampak"),
        choices=[],
        validate_choice=False,
    )
    kelurahan_text = AreaField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} terdampak"),
        levels=PICKER_LEVELS,
        multiple=True,
    )
    description = TextAreaField("Uraian singkat", validators=[Optional(), Length(max=20_000)])
    source = StringField(
        "Sumber informasi (mis. BPBD, TRC Tagana)", validators=[Optional(), Length(max=200)]
    )
    reporter = StringField("Pelapor", validators=[Optional(), Length(max=160)])
    lat = StringField("Lintang titik kejadian (opsional)", render_kw=DECIMAL)
    lng = StringField("Bujur titik kejadian (opsional)", render_kw=DECIMAL)


class DecreeForm(Form):
    status = SelectField(
        "Status keadaan darurat",
        choices=[SelectChoice(k, v) for k, v in DECREE_STATUSES.items()],
        default="tanggap_darurat",
    )
    decree_number = StringField("Nomor SK", validators=[DataRequired(REQUIRED), Length(max=120)])
    issuer_level = SelectField(
        "Penerbit SK",
        choices=lambda: issuer_choices(),
        default=lambda: "gubernur" if office_level() == "provinsi" else "bupati_walikota",
    )
    starts_on = DateField("Berlaku mulai", validators=[DataRequired("Isi tanggal mulai.")])
    ends_on = DateField("Berlaku sampai (kosongkan bila belum ditentukan)", validators=[Optional()])


class ChronologyForm(Form):
    occurred_at = DateTimeLocalField(
        "Waktu", format=DATETIME_FORMAT, validators=[DataRequired("Isi tanggal dan jam.")]
    )
    text = TextAreaField("Apa yang terjadi", validators=[DataRequired(REQUIRED), Length(max=5000)])


class DrawAreaForm(Form):
    geometry = TextAreaField(
        "Area (GeoJSON poligon) — terisi otomatis saat menggambar, atau tempel di sini",
        validators=[DataRequired("Gambar area di peta atau tempel GeoJSON-nya.")],
    )


class PickAreasForm(Form):
    kelurahan_codes = SelectMultipleField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} terdampak"),
        choices=[],
        validate_choice=False,
    )
    kelurahan_text = AreaField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} terdampak"),
        levels=PICKER_LEVELS,
        multiple=True,
    )


class CloseEventForm(Form):
    """Only the CSRF token: closing is one confirmed button."""


class HazardForm(Form):
    code = StringField(
        "Kode (2-8 huruf, mis. BJR; tidak dapat diubah)",
        validators=[DataRequired(REQUIRED), Length(max=8)],
    )
    name = StringField("Nama jenis bencana", validators=[DataRequired(REQUIRED), Length(max=120)])
    hazard_class = SelectField(
        "Kelompok", choices=[SelectChoice(k, v) for k, v in HAZARD_CLASSES.items()]
    )
    sort_order = StringField("Urutan di daftar", render_kw=NUMBER)
    active = BooleanField("Aktif (muncul di pilihan kejadian baru)", default=True)


def field_name(measure: str) -> str:
    """'mengungsi.anak.L' -> 'mengungsi__anak__L': form field names cannot hold dots."""
    return measure.replace(".", "__")


def impact_form_class():
    """A form with one numeric input per cell of the impact matrix (built once per request)."""

    class ImpactForm(Form):
        clear_all = BooleanField(
            LazyText(lambda: f"Hapus semua angka kaji cepat {istilah('wilayah_singkat')} ini")
        )

    for measure in IMPACT_MEASURES:
        setattr(
            ImpactForm,
            field_name(measure),
            StringField(measure, validators=[Optional()], render_kw=NUMBER),
        )
    return ImpactForm
