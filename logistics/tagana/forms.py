"""Flask-WTF forms of the Tagana pages; the services check the values (Indonesian messages)."""

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

from logistics.areas.area_forms import AreaField
from logistics.budget import services as budget
from logistics.budget.tree_cache import sub_kegiatan_code
from logistics.core.form_messages import Form
from logistics.core.security import user_scope
from logistics.core.time import local_input_value
from logistics.core.wording import LazyText, istilah
from logistics.events.models import Event
from logistics.tagana import ksb as ksb_service
from logistics.tagana import members as member_service
from logistics.tagana import places as place_service
from logistics.tagana import vehicles as vehicle_service
from logistics.tagana.members import SEXES
from logistics.tagana.models import LEVELS, PLACE_KINDS, Deployment, TaganaMember

# Values (lengths, choices) are checked by the services, which say in Indonesian what is wrong;
# WTForms' own choice check would answer "Not a valid choice".
NO_CHOICE_CHECK = {"validate_choice": False}
DATE = {"type": "date"}
MOMENT = {"type": "datetime-local"}
WHOLE = {"inputmode": "numeric", "pattern": "[0-9]*"}


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as tick boxes: easier to hit on a phone than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MemberForm(Form):
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
    home_kelurahan_code = AreaField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} tempat tinggal")
    )
    birth_date = StringField("Tanggal lahir", render_kw=DATE)
    decree_number = StringField("Nomor SK pengangkatan", render_kw={"maxlength": 120})
    decree_date = StringField("Tanggal SK", render_kw=DATE)
    joined_on = StringField("Tanggal bergabung", render_kw=DATE)
    competencies = CheckboxList("Kompetensi", choices=[], **NO_CHOICE_CHECK)
    user_id = SelectField("Akun pengguna (peran Tagana)", choices=[], **NO_CHOICE_CHECK)
    active = BooleanField("Aktif", default=True)


class TrainingForm(Form):
    name = StringField("Nama pelatihan", render_kw={"maxlength": 200})
    organizer = StringField("Penyelenggara", render_kw={"maxlength": 160})
    started_on = StringField("Tanggal mulai", render_kw=DATE)
    ended_on = StringField("Tanggal selesai", render_kw=DATE)
    certificate_number = StringField("Nomor sertifikat", render_kw={"maxlength": 120})


class MemberImportForm(Form):
    file = FileField(
        "Berkas XLSX daftar anggota", validators=[FileRequired("Pilih berkas terlebih dahulu.")]
    )
    dry_run = BooleanField("Periksa saja, jangan simpan")


class DeploymentForm(Form):
    member_id = SelectField("Anggota", choices=[], **NO_CHOICE_CHECK)
    place_kind = SelectField(
        "Jenis tempat",
        choices=[SelectChoice(k, v) for k, v in PLACE_KINDS.items()],
        default="shelter",
        **NO_CHOICE_CHECK,
    )
    shelter_id = SelectField("Tempat pengungsian", choices=[], **NO_CHOICE_CHECK)
    kelurahan_code = AreaField(LazyText(lambda: istilah("wilayah").capitalize()))
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


class CheckForm(Form):
    """Check-in or check-out: the page fills the location when the phone gives it."""

    lat = HiddenField()
    lng = HiddenField()


class CancelForm(Form):
    reason = StringField("Alasan pembatalan", render_kw={"maxlength": 500})


class TaskReportForm(Form):
    activities = TextAreaField("Kegiatan yang dilakukan")
    people_served = StringField("Jumlah orang yang dilayani", render_kw=WHOLE)
    problems = TextAreaField("Kendala dan catatan")


class KsbForm(Form):
    name = StringField("Nama KSB", render_kw={"maxlength": 200})
    kelurahan_code = AreaField(LazyText(lambda: istilah("wilayah").capitalize()))
    formed_year = StringField("Tahun terbentuk", render_kw=WHOLE)
    facilitation_years = StringField("Tahun pembinaan (pisahkan dengan koma)")
    decree_number = StringField("Nomor SK pembentukan", render_kw={"maxlength": 120})
    contact_name = StringField("Nama kontak", render_kw={"maxlength": 160})
    contact_phone = StringField("Telepon kontak", render_kw={"maxlength": 32, "type": "tel"})
    warehouse_id = SelectField("Lumbung sosial (gudang)", choices=[], **NO_CHOICE_CHECK)
    active = BooleanField("Aktif", default=True)


class VehicleForm(Form):
    plate = StringField("Nomor polisi", render_kw={"maxlength": 16})
    kind = StringField("Jenis kendaraan", render_kw={"maxlength": 60, "list": "vehicle-kinds"})
    assigned_unit = StringField("Unit pemegang", render_kw={"maxlength": 120})
    active = BooleanField("Aktif", default=True)


# --- Filling the forms and reading them for the services ---------------------------------------


def member_form_choices(form: MemberForm, member: TaganaMember | None) -> None:
    form.competencies.choices = [
        SelectChoice(c.code, c.name) for c in member_service.competency_choices()
    ]
    users = member_service.unlinked_tagana_users(member)
    form.user_id.choices = [SelectChoice("", "— tidak ditautkan —")] + [
        SelectChoice(str(u.id), u.username + (f" ({u.full_name})" if u.full_name else ""))
        for u in users
    ]


def member_values(form: MemberForm) -> dict:
    return {
        "nia": form.nia.data,
        "name": form.name.data,
        "sex": form.sex.data,
        "level": form.level.data,
        "phone": form.phone.data,
        "home_kelurahan_code": form.home_kelurahan_code.data,
        "birth_date": form.birth_date.data,
        "decree_number": form.decree_number.data,
        "decree_date": form.decree_date.data,
        "joined_on": form.joined_on.data,
        "competencies": form.competencies.data or [],
        "user_id": form.user_id.data or None,
        "active": form.active.data,
    }


def deployment_form_choices(form: DeploymentForm, event: Event, deployment=None) -> None:
    scope = user_scope()
    members = member_service.member_choices(deployment.member_id if deployment else None, scope)
    form.member_id.choices = [SelectChoice("", "— pilih anggota —")] + [
        SelectChoice(str(m.id), f"{m.name} · {m.nia} · {LEVELS[m.level]}") for m in members
    ]
    shelters = place_service.shelter_choices(
        event.id, deployment.shelter_id if deployment else None, scope
    )
    form.shelter_id.choices = [SelectChoice("", "— tidak ada —")] + [
        SelectChoice(str(s.id), s.name) for s in shelters
    ]
    form.competency.choices = [SelectChoice("", "— tidak ditentukan —")] + [
        SelectChoice(c.code, c.name) for c in member_service.competency_choices()
    ]
    warehouses = place_service.warehouse_choices(
        deployment.warehouse_id if deployment else None, scope
    )
    form.warehouse_id.choices = [SelectChoice("", "— belum terdaftar (tulis namanya) —")] + [
        SelectChoice(str(w.id), f"{w.name} · {w.code}") for w in warehouses
    ]
    vehicles = vehicle_service.vehicle_choices(deployment.vehicle_id if deployment else None)
    form.vehicle_id.choices = [SelectChoice("", "— tanpa kendaraan —")] + [
        SelectChoice(str(v.id), f"{v.plate} · {v.kind}") for v in vehicles
    ]
    form.sub_kegiatan.choices = [SelectChoice("", "— tidak ditautkan —")] + [
        SelectChoice(code, label) for code, label in budget.sub_kegiatan_choices()
    ]


def deployment_values(form: DeploymentForm) -> dict:
    return {
        "place_kind": form.place_kind.data,
        "shelter_id": form.shelter_id.data or None,
        "kelurahan_code": form.kelurahan_code.data,
        "place_name": form.place_name.data,
        # The select stays in the form (hidden) for other kinds of place.
        "warehouse_id": (form.warehouse_id.data or None)
        if form.place_kind.data == "gudang"
        else None,
        "role": form.role.data,
        "competency": form.competency.data or None,
        "letter_number": form.letter_number.data,
        "starts_at": form.starts_at.data,
        "ends_at": form.ends_at.data,
        "vehicle_id": form.vehicle_id.data or None,
        "sub_kegiatan": form.sub_kegiatan.data or None,
    }


def ksb_values(form: KsbForm) -> dict:
    return {
        "name": form.name.data,
        "kelurahan_code": form.kelurahan_code.data,
        "formed_year": form.formed_year.data,
        "facilitation_years": form.facilitation_years.data,
        "decree_number": form.decree_number.data,
        "contact_name": form.contact_name.data,
        "contact_phone": form.contact_phone.data,
        "warehouse_id": form.warehouse_id.data or None,
        "active": form.active.data,
    }


def ksb_form_choices(form: KsbForm, ksb) -> None:
    form.warehouse_id.choices = [SelectChoice("", "— belum ditautkan —")] + [
        SelectChoice(str(w.id), f"{w.name} · {w.code}" + ("" if w.active else " (tidak aktif)"))
        for w in ksb_service.lumbung_choices(ksb, user_scope())
    ]


def fill_deployment_form(form: DeploymentForm, deployment: Deployment) -> None:
    """The form as the deployment stands, to edit it."""
    form.member_id.data = str(deployment.member_id)
    form.place_kind.data = deployment.place_kind
    form.shelter_id.data = str(deployment.shelter_id or "")
    form.kelurahan_code.data = deployment.kelurahan_code or ""
    form.place_name.data = deployment.place_name
    form.warehouse_id.data = str(deployment.warehouse_id or "")
    form.role.data = deployment.role
    competency = next(
        (c for c in member_service.competency_choices() if c.id == deployment.competency_id),
        None,
    )
    form.competency.data = competency.code if competency else ""
    form.letter_number.data = deployment.letter_number
    form.starts_at.data = local_input_value(deployment.starts_at)
    form.ends_at.data = local_input_value(deployment.ends_at)
    form.vehicle_id.data = str(deployment.vehicle_id or "")
    form.sub_kegiatan.data = sub_kegiatan_code(deployment.sub_kegiatan_id) or ""
