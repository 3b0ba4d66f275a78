"""The boundary upload form (labels and messages in Bahasa Indonesia)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from logistics.areas.models import LEVEL_LABELS
from logistics.core.form_messages import Form


class BoundaryUploadForm(Form):
    file = FileField(
        "Berkas batas wilayah (GeoJSON, .geojson.gz, GeoPackage, Shapefile .zip)",
        validators=[FileRequired("Pilih berkas terlebih dahulu.")],
    )
    level = SelectField(
        "Tingkat wilayah dalam berkas",
        choices=[SelectChoice(k, v) for k, v in LEVEL_LABELS.items()],
        default="kelurahan",
    )
    version = StringField(
        "Versi / sumber (mis. Kepmendagri 2025)", validators=[Optional(), Length(max=120)]
    )
    mapping = StringField(
        "Pemetaan kolom (opsional, mis. code=KODE_DESA, name=NAMA)",
        validators=[Optional(), Length(max=500)],
    )
