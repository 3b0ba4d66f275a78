"""Flask-WTF forms of the logistics pages; numbers arrive as text and the services validate them."""

from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TelInput

from logistics.areas.area_forms import AreaField
from logistics.core.form_messages import Form
from logistics.core.wording import LazyText, contoh_kantor, istilah
from logistics.stock.models.catalogue import ITEM_CATEGORIES, WAREHOUSE_TIERS

WHOLE = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class ItemForm(Form):
    """Add or edit a catalogue item."""

    code = StringField(
        "Kode barang", render_kw={"placeholder": "beras_premium", "autocomplete": "off"}
    )
    name = StringField("Nama barang", render_kw={"autocomplete": "off"})
    category = SelectField(
        "Kategori",
        choices=[SelectChoice("", "— pilih kategori —")]
        + [SelectChoice(k, v) for k, v in ITEM_CATEGORIES.items()],
        validate_choice=False,
    )
    unit = StringField("Satuan", render_kw={"placeholder": "kg, paket, dus, lembar, unit"})
    whole_units = BooleanField("Dihitung dalam satuan utuh (tidak boleh pecahan)", default=True)
    expires = BooleanField("Ada tanggal kedaluwarsa")
    is_kit = BooleanField("Paket berisi beberapa barang (kit)")
    kcal_per_unit = StringField("Kalori per satuan (kkal, opsional)", render_kw=WHOLE)
    note = StringField("Catatan (opsional)")
    active = BooleanField("Aktif (dapat dipakai)", default=True)


class KitForm(Form):
    """The kit-contents editor; its rows are read from the request by the view."""


class WarehouseForm(Form):
    """Add or edit a warehouse; shelter choices are set by the view."""

    name = StringField("Nama gudang", render_kw={"autocomplete": "off"})
    tier = SelectField(
        "Tingkat gudang",
        choices=[SelectChoice("", "— pilih tingkat —")]
        + [SelectChoice(k, v) for k, v in WAREHOUSE_TIERS.items()],
        validate_choice=False,
    )
    code = StringField(
        "Kode gudang (kosongkan agar dibuat otomatis)",
        render_kw={
            "placeholder": LazyText(lambda: f"GDG-{contoh_kantor()}-01"),
            "autocomplete": "off",
        },
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
    address = StringField("Alamat")
    shelter_id = SelectField("Tempat pengungsian (gudang posko)", choices=[], validate_choice=False)
    pic_name = StringField("Nama penanggung jawab", render_kw={"autocomplete": "off"})
    pic_phone = StringField(
        "Telepon penanggung jawab", widget=TelInput(), render_kw={"autocomplete": "off"}
    )
    active = BooleanField("Aktif", default=True)
