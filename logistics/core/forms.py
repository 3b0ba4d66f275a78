"""Flask-WTF forms shared by the views (labels and messages in Bahasa Indonesia)."""

from flask import flash
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from logistics.admin.models import ROLES
from logistics.areas.models import LEVEL_LABELS
from logistics.core.errors import DomainError

REQUIRED = "Wajib diisi."
# Fields a person cannot see: an error there would be invisible.
HIDDEN_FIELD_TYPES = ("HiddenField", "CSRFTokenField")


def attach_error(
    form, exc: DomainError, fallback: str | None = None, field: str | None = None
) -> None:
    """Show a service error under the field it names (or `fallback`), else at the top of the page."""
    for name in (field or exc.field, fallback):
        target = getattr(form, name, None) if name else None
        if (
            target is not None
            and hasattr(target, "errors")
            and target.type not in HIDDEN_FIELD_TYPES
        ):
            target.errors = [*target.errors, exc.message]
            return
    flash(exc.message, "danger")


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("Ingat saya di perangkat ini")


class BoundaryUploadForm(FlaskForm):
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


class UserForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField("Nama lengkap", validators=[Optional(), Length(max=160)])
    role = SelectField("Peran", choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    password = PasswordField("Kata sandi (minimal 8 karakter)", validators=[Optional()])
    active = BooleanField("Aktif", default=True)
