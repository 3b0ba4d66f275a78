"""Forms of the office profile and of the first-run setup (labels in Bahasa Indonesia)."""

from flask_wtf.file import FileField
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from logistics.core.form_messages import Form
from logistics.core.lkip import SERAPAN_ROUNDINGS
from logistics.core.wording import LEVELS
from logistics.office.models import SIGNATORY_ROLES, TIMEZONES

SHORT = [Optional(), Length(max=200)]


class ProfileForm(Form):
    name = StringField("Nama kantor", validators=[Optional(), Length(max=160)])
    level = SelectField(
        "Tingkat kantor",
        choices=[SelectChoice(k, v) for k, v in LEVELS.items()],
        default="kabupaten",
    )
    area_code = StringField(
        "Kode wilayah Kemendagri (provinsi 2 angka, kab/kota PP.KK)", validators=SHORT
    )
    timezone = SelectField("Zona waktu", choices=[SelectChoice(k, v) for k, v in TIMEZONES.items()])
    address = TextAreaField(
        "Alamat kantor (untuk kop surat)", validators=[Optional(), Length(max=300)]
    )
    phone = StringField("Telepon", validators=[Optional(), Length(max=40)])
    email = StringField("Surel", validators=[Optional(), Length(max=120)])
    logo = FileField("Logo (PNG atau JPEG, paling besar 1 MB)")
    serapan_places = SelectField(
        "Pembulatan serapan untuk efisiensi (laporan tahunan, pohon anggaran)",
        choices=[SelectChoice(str(k), v) for k, v in SERAPAN_ROUNDINGS.items()],
        default="0",
    )

    def signatory_rows(self) -> list[dict]:
        return [
            {
                "role": role,
                "name": self[f"{role}_name"].data,
                "nip": self[f"{role}_nip"].data,
                "position": self[f"{role}_position"].data,
            }
            for role in SIGNATORY_ROLES
        ]

    def values(self) -> dict:
        keys = (
            "name",
            "level",
            "area_code",
            "timezone",
            "address",
            "phone",
            "email",
            "serapan_places",
        )
        return {key: (self[key].data or "").strip() for key in keys}

    def logo_upload(self) -> tuple[str, bytes] | None:
        upload = self.logo.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        return upload.filename, upload.read()


# The signatory fields, one set per role: ProfileForm.kepala_dinas_name, ..._nip, ..._position.
for _role, _label in SIGNATORY_ROLES.items():
    setattr(ProfileForm, f"{_role}_name", StringField(f"{_label}: nama", validators=SHORT))
    setattr(
        ProfileForm,
        f"{_role}_nip",
        StringField(f"{_label}: NIP (18 angka)", validators=[Optional(), Length(max=30)]),
    )
    setattr(
        ProfileForm,
        f"{_role}_position",
        StringField(f"{_label}: jabatan", validators=SHORT, default=_label),
    )


class SetupForm(ProfileForm):
    username = StringField("Nama pengguna admin", validators=[Optional(), Length(max=64)])
    full_name = StringField("Nama lengkap admin", validators=[Optional(), Length(max=160)])
    password = PasswordField("Kata sandi admin (minimal 10 karakter)")
    password_confirm = PasswordField("Ulangi kata sandi")

    def admin(self) -> dict:
        return {
            "username": (self.username.data or "").strip().lower(),
            "full_name": (self.full_name.data or "").strip(),
            "password": self.password.data or "",
            "password_confirm": self.password_confirm.data or "",
        }


class BoundaryForm(Form):
    boundaries = FileField(
        "Berkas batas kelurahan/desa (GeoJSON, .geojson.gz, GeoPackage, Shapefile .zip)"
    )
