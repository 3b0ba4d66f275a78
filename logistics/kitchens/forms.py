"""Flask-WTF forms of the field-kitchen pages; numbers arrive as text and the service checks them."""

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput

from logistics.areas.area_forms import AreaField
from logistics.core.form_messages import Form
from logistics.core.wording import LazyText, istilah
from logistics.kitchens.models import MEAL_PERIODS

WHOLE = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class KitchenForm(Form):
    """Add or edit a field kitchen; shelter and warehouse choices are set by the view."""

    name = StringField("Nama dapur umum", render_kw={"autocomplete": "off"})
    shelter_id = SelectField("Tempat pengungsian yang dilayani", choices=[], validate_choice=False)
    kelurahan_code = AreaField(
        LazyText(
            lambda: (
                f"{istilah('wilayah').capitalize()} (kode; kosongkan agar ikut tempat pengungsian)"
            )
        ),
    )
    warehouse_id = SelectField("Gudang bahan makanan", choices=[], validate_choice=False)
    capacity_portions = StringField("Kapasitas (porsi per masak)", default="750", render_kw=WHOLE)
    pic_name = StringField("Penanggung jawab", render_kw={"autocomplete": "off"})
    active = BooleanField("Aktif", default=True)


class MealForm(Form):
    """One meal period; ingredient rows are read from the request by the view."""

    served_on = StringField("Tanggal", widget=DateInput())
    period = RadioField(
        "Waktu makan",
        choices=[SelectChoice(k, v) for k, v in MEAL_PERIODS.items()],
        validate_choice=False,
    )
    head_count = StringField("Jumlah orang yang diberi makan", render_kw=WHOLE)
    portions_cooked = StringField("Porsi dimasak", render_kw=WHOLE)
    portions_served = StringField("Porsi dibagikan", render_kw=WHOLE)
    known = SelectField("Orang yang diberi makan (untuk SPM)", choices=[], validate_choice=False)
    note = TextAreaField("Catatan (opsional)", render_kw={"rows": 2})
    client_id = HiddenField()
