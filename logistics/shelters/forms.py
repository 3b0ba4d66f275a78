"""Flask-WTF forms of the shelter pages; numbers arrive as text and the service validates them."""

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput, TelInput

from logistics.areas.area_forms import AreaField
from logistics.core.form_messages import Form
from logistics.core.wording import LazyText, istilah
from logistics.shelters.models import COUNT_GROUPS, SHELTER_KINDS

# Numbers are StringFields: the service parses them with Indonesian messages, the same as
# for the API, and the phone shows its number pad.
WHOLE = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
VULNERABLE_GROUPS = ("balita", "anak", "lansia", "ibu_hamil", "ibu_menyusui", "disabilitas")
SEX_GROUPS = ("laki_laki", "perempuan")


class ShelterForm(Form):
    """Open or edit a shelter; event choices are set by the view."""

    event_id = SelectField("Kejadian bencana", choices=[], validate_choice=False)
    name = StringField("Nama tempat", render_kw={"autocomplete": "off"})
    kind = SelectField(
        "Jenis tempat",
        choices=[SelectChoice("", "— pilih jenis —")]
        + [SelectChoice(k, v) for k, v in SHELTER_KINDS.items()],
        validate_choice=False,
    )
    lat = StringField(
        "Lintang (latitude)",
        render_kw=DECIMAL | {"placeholder": "desimal; negatif di selatan khatulistiwa"},
    )
    lng = StringField(
        "Bujur (longitude)", render_kw=DECIMAL | {"placeholder": "desimal, antara 95 dan 141"}
    )
    kelurahan_code = AreaField(
        LazyText(
            lambda: f"{istilah('wilayah').capitalize()} (kode; kosongkan agar terisi dari titik)"
        ),
    )
    address = StringField("Alamat / patokan")
    capacity = StringField("Kapasitas (jiwa)", render_kw=WHOLE)
    floor_area_m2 = StringField("Luas lantai tertutup (m²)", render_kw=DECIMAL)
    toilets = StringField("Jumlah toilet", render_kw=WHOLE)
    water_points = StringField("Jumlah titik air bersih", render_kw=WHOLE)
    has_dapur_umum = BooleanField("Ada dapur umum di lokasi")
    pic_name = StringField("Nama penanggung jawab", render_kw={"autocomplete": "off"})
    pic_phone = StringField(
        "Telepon penanggung jawab", widget=TelInput(), render_kw={"autocomplete": "off"}
    )
    opened_on = StringField("Tanggal dibuka", widget=DateInput())


class HeadCountForm(Form):
    """One screen: date, persons and KK, then the breakdown; client_id makes a resubmit safe."""

    counted_on = StringField("Tanggal hitungan", widget=DateInput())
    persons = StringField("Jumlah jiwa", render_kw=WHOLE)
    households = StringField("Jumlah KK", render_kw=WHOLE)
    balita = StringField(COUNT_GROUPS["balita"], render_kw=WHOLE)
    anak = StringField(COUNT_GROUPS["anak"], render_kw=WHOLE)
    lansia = StringField(COUNT_GROUPS["lansia"], render_kw=WHOLE)
    ibu_hamil = StringField(COUNT_GROUPS["ibu_hamil"], render_kw=WHOLE)
    ibu_menyusui = StringField(COUNT_GROUPS["ibu_menyusui"], render_kw=WHOLE)
    disabilitas = StringField("Disabilitas", render_kw=WHOLE)
    laki_laki = StringField(COUNT_GROUPS["laki_laki"], render_kw=WHOLE)
    perempuan = StringField(COUNT_GROUPS["perempuan"], render_kw=WHOLE)
    note = TextAreaField("Catatan (opsional)", render_kw={"rows": 2})
    client_id = HiddenField()


class CloseShelterForm(Form):
    note = TextAreaField("Catatan penutupan (opsional)", render_kw={"rows": 2})
