"""Forms of signing in and of user accounts (labels and messages in Bahasa Indonesia)."""

from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from logistics.admin.models import ROLES
from logistics.core.form_messages import Form
from logistics.core.forms import REQUIRED


class LoginForm(Form):
    username = StringField("Nama pengguna", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("Ingat saya di perangkat ini")


class UserForm(Form):
    username = StringField("Nama pengguna", validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField("Nama lengkap", validators=[Optional(), Length(max=160)])
    role = SelectField("Peran", choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    password = PasswordField("Kata sandi (minimal 8 karakter)", validators=[Optional()])
    active = BooleanField("Aktif", default=True)
    record_areas = StringField(
        "Wilayah catat (kode Kemendagri)",
        validators=[Optional(), Length(max=400)],
        description=(
            "Mis. 17.02 atau 17.02.01, pisahkan dengan spasi. Kode provinsi (mis. 17): seluruh "
            "provinsi, tetapi hanya kejadian tingkat provinsi yang dapat diubah. Kosong: seluruh "
            "wilayah kantor tanpa batas."
        ),
    )
    see_areas = StringField(
        "Wilayah lihat (kode Kemendagri)",
        validators=[Optional(), Length(max=400)],
        description="Isi bila lebih luas dari wilayah catat, mis. 17. Kosong: sama dengan wilayah catat.",
    )
