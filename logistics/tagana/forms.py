"""Flask-WTF forms of the Tagana pages; the services check the values (Indonesian messages)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from logistics.tagana.members import SEXES
from logistics.tagana.models import LEVELS, PLACE_KINDS

# Values (lengths, choices) are checked by the services, which say in Indonesian what is wrong;
# WTForms' own choice check would answer "Not a valid choice".
NO_CHOICE_CHECK = {"validate_choice": False}
DATE = {"type": "date"}
MOMENT = {"type": "datetime-local"}
WHOLE = {"inputmode": "numeric", "pattern": "[0-9]*"}
# Kemendagri codes typed or picked from the page's <datalist id="kelurahan-options">.
KELURAHAN = {"list": "kelurahan-options", "autocomplete": "off", "placeholder": "32.75.01.1001"}


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as tick boxes: easier to hit on a phone than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MemberForm(FlaskForm):
    nia = StringField("Nomor Induk Anggota (NIA)", render_kw={"maxlength": 40})
    name = StringField("Nama lengkap", render_kw={"maxlength": 160})
    sex = SelectField(
        "Jenis kelamin",
        choices=[SelectChoice("", "— pilih —")] + [SelectChoice(k, v) for k, v in SEXES.items()],
        **NO_CHOICE_CHECK,
    )
    level = SelectField(
        "Tingkat", choices=[SelectChoice(k, v) for k, v in LEVELS.items()], **NO_CHOICE_CHECK
    )
    phone = StringField("Nomor telepon/WA", render_kw={"maxlength": 32, "type": "tel"})
    home_kelurahan_code = StringField("Kelurahan/desa tempat tinggal (kode)", render_kw=KELURAHAN)
    birth_date = StringField("Tanggal lahir", render_kw=DATE)
    decree_number = StringField("Nomor SK pengangkatan", render_kw={"maxlength": 120})
    decree_date = StringField("Tanggal SK", render_kw=DATE)
    joined_on = StringField("Tanggal bergabung", render_kw=DATE)
    competencies = CheckboxList("Kompetensi", choices=[], **NO_CHOICE_CHECK)
    user_id = SelectField("Akun pengguna (peran Tagana)", choices=[], **NO_CHOICE_CHECK)
    active = BooleanField("Aktif", default=True)


class TrainingForm(FlaskForm):
    name = StringField("Nama pelatihan", render_kw={"maxlength": 200})
    organizer = StringField("Penyelenggara", render_kw={"maxlength": 160})
    started_on = StringField("Tanggal mulai", render_kw=DATE)
    ended_on = StringField("Tanggal selesai", render_kw=DATE)
    certificate_number = StringField("Nomor sertifikat", render_kw={"maxlength": 120})


class MemberImportForm(FlaskForm):
    file = FileField(
        "Berkas XLSX daftar anggota", validators=[FileRequired("Pilih berkas terlebih dahulu.")]
    )
    dry_run = BooleanField("Periksa saja, jangan simpan")


class DeploymentForm(FlaskForm):
    member_id = SelectField("Anggota", choices=[], **NO_CHOICE_CHECK)
    place_kind = SelectField(
        "Jenis tempat",
        choices=[SelectChoice(k, v) for k, v in PLACE_KINDS.items()],
        default="shelter",
        **NO_CHOICE_CHECK,
    )
    shelter_id = SelectField("Tempat pengungsian", choices=[], **NO_CHOICE_CHECK)
    kelurahan_code = StringField("Kelurahan/desa (kode)", render_kw=KELURAHAN)
    warehouse_id = SelectField("Gudang terdaftar", choices=[], **NO_CHOICE_CHECK)
    place_name = StringField(
        "Nama tempat (dapur umum, posko, gudang belum terdaftar)", render_kw={"maxlength": 200}
    )
    role = StringField("Peran/tugas", render_kw={"maxlength": 120, "list": "role-options"})
    competency = SelectField("Kompetensi yang dipakai", choices=[], **NO_CHOICE_CHECK)
    letter_number = StringField("Nomor surat tugas", render_kw={"maxlength": 120})
    starts_at = StringField("Mulai tugas", render_kw=MOMENT)
    ends_at = StringField("Selesai tugas (kosongkan bila belum tahu)", render_kw=MOMENT)
    vehicle_id = SelectField("Kendaraan", choices=[], **NO_CHOICE_CHECK)
    # The budget tree's sub-kegiatan, set by the view; empty when no budget is charged.
    sub_kegiatan = SelectField("Sub-kegiatan anggaran", choices=[], **NO_CHOICE_CHECK)


class CheckForm(FlaskForm):
    """Check-in or check-out: the page fills the location when the phone gives it."""

    lat = HiddenField()
    lng = HiddenField()


class CancelForm(FlaskForm):
    reason = StringField("Alasan pembatalan", render_kw={"maxlength": 500})


class TaskReportForm(FlaskForm):
    activities = TextAreaField("Kegiatan yang dilakukan")
    people_served = StringField("Jumlah orang yang dilayani", render_kw=WHOLE)
    problems = TextAreaField("Kendala dan catatan")


class KsbForm(FlaskForm):
    name = StringField("Nama KSB", render_kw={"maxlength": 200})
    kelurahan_code = StringField("Kelurahan/desa (kode)", render_kw=KELURAHAN)
    formed_year = StringField("Tahun terbentuk", render_kw=WHOLE)
    facilitation_years = StringField("Tahun pembinaan (pisahkan dengan koma)")
    decree_number = StringField("Nomor SK pembentukan", render_kw={"maxlength": 120})
    contact_name = StringField("Nama kontak", render_kw={"maxlength": 160})
    contact_phone = StringField("Telepon kontak", render_kw={"maxlength": 32, "type": "tel"})
    warehouse_id = SelectField("Lumbung sosial (gudang)", choices=[], **NO_CHOICE_CHECK)
    active = BooleanField("Aktif", default=True)


class VehicleForm(FlaskForm):
    plate = StringField("Nomor polisi", render_kw={"maxlength": 16})
    kind = StringField("Jenis kendaraan", render_kw={"maxlength": 60, "list": "vehicle-kinds"})
    assigned_unit = StringField("Unit pemegang", render_kw={"maxlength": 120})
    active = BooleanField("Aktif", default=True)
