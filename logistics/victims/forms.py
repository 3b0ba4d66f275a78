"""Flask-WTF forms of the victim registry (labels and messages in Bahasa Indonesia)."""

import uuid

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from logistics.areas.area_forms import AreaField
from logistics.core.form_messages import Form
from logistics.core.forms import REQUIRED
from logistics.core.security import user_scope
from logistics.core.wording import LazyText, contoh_kantor, istilah
from logistics.events.models import PEOPLE_STATUSES
from logistics.shelters.models import SHELTER_KINDS
from logistics.victims.lists import choice_events, open_shelters
from logistics.victims.models import INSTITUTION_KINDS, NO_NIK_REASONS, RELATIONS

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def _choices(items: dict, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(key, label) for key, label in items.items()]


def event_choices(blank: str | None = None) -> list[SelectChoice]:
    """Open events first (newest first), then closed ones, over the user's wilayah."""
    events = choice_events(scope=user_scope())
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(str(e.id), f"{e.code} · {e.title}") for e in events]


def shelter_choices(event_id: int | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", "Tidak di pengungsian / belum tahu")]
    for shelter in open_shelters(event_id, user_scope()):
        kind = SHELTER_KINDS.get(shelter.kind, shelter.kind)
        choices.append(SelectChoice(str(shelter.id), f"{shelter.name} ({kind})"))
    return choices


def new_client_id() -> str:
    """A fresh id per rendered form: a double tap or a resend saves one record."""
    return f"web-{uuid.uuid4()}"


class HouseholdForm(Form):
    """Step 1 of field registration: the event, where, and the family card."""

    event_id = SelectField("Kejadian bencana", validators=[DataRequired(REQUIRED)])
    kelurahan_code = AreaField(
        LazyText(lambda: f"{istilah('wilayah').capitalize()} tempat tinggal"),
        validators=[DataRequired(REQUIRED)],
    )
    no_kk = StringField(
        "Nomor KK (16 digit, boleh kosong)",
        validators=[Optional(), Length(max=24)],
        render_kw={
            **NUMERIC,
            "maxlength": 24,
            "placeholder": LazyText(lambda: contoh_kantor() + "x" * 12),
        },
    )
    head_name = StringField("Nama kepala keluarga", validators=[Optional(), Length(max=160)])
    address = StringField("Alamat", validators=[Optional(), Length(max=255)])
    rt = StringField("RT", validators=[Optional(), Length(max=4)], render_kw=NUMERIC)
    rw = StringField("RW", validators=[Optional(), Length(max=4)], render_kw=NUMERIC)
    status = SelectField(
        "Status keluarga pada kejadian ini", choices=_choices(PEOPLE_STATUSES), default="mengungsi"
    )
    shelter_id = SelectField("Tempat pengungsian", validators=[Optional()], default="")


class PersonFields(Form):
    """The fields of one person, shared by the member and the edit forms."""

    nik = StringField(
        "NIK (16 digit)",
        validators=[Optional(), Length(max=24)],
        render_kw={**NUMERIC, "maxlength": 24},
    )
    no_nik_reason = SelectField(
        "Bila tidak ada NIK, alasannya",
        choices=_choices(NO_NIK_REASONS, "— ada NIK —"),
        default="",
    )
    name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=160)])
    sex = SelectField(
        "Jenis kelamin",
        choices=[
            SelectChoice("", "— dari NIK —"),
            SelectChoice("L", "Laki-laki"),
            SelectChoice("P", "Perempuan"),
        ],
        default="",
    )
    birth_date = DateField("Tanggal lahir (boleh kosong bila NIK diisi)", validators=[Optional()])
    relation = SelectField(
        "Hubungan dalam keluarga", choices=_choices(RELATIONS), default="lainnya"
    )
    pregnant = BooleanField("Sedang hamil")
    breastfeeding = BooleanField("Sedang menyusui")
    disability = BooleanField("Penyandang disabilitas")
    chronic_illness = BooleanField("Penyakit kronis")


class MemberForm(PersonFields):
    """One household member per screen, with their status in the event."""

    status = SelectField("Status pada kejadian ini", choices=_choices(PEOPLE_STATUSES))
    client_id = HiddenField()


class PersonEditForm(PersonFields):
    pass


class VictimStatusForm(Form):
    status = SelectField("Status", choices=_choices(PEOPLE_STATUSES))
    kelurahan_code = AreaField(
        LazyText(lambda: istilah("wilayah").capitalize()), validators=[DataRequired(REQUIRED)]
    )
    # The service names what is wrong with a shelter (closed, another event's) in words.
    shelter_id = SelectField(
        "Tempat pengungsian", validators=[Optional()], default="", validate_choice=False
    )
    note = TextAreaField("Catatan", validators=[Optional(), Length(max=2000)])


class InstitutionForm(Form):
    event_id = SelectField("Kejadian bencana", validators=[DataRequired(REQUIRED)])
    name = StringField("Nama lembaga", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Jenis lembaga", choices=_choices(INSTITUTION_KINDS))
    kelurahan_code = AreaField(
        LazyText(lambda: istilah("wilayah").capitalize()), validators=[DataRequired(REQUIRED)]
    )
    headcount = IntegerField(
        "Jumlah penghuni terdampak (jiwa)",
        validators=[InputRequired("Isi jumlah penghuni."), NumberRange(min=0)],
        render_kw={"inputmode": "numeric"},
    )
    status = SelectField("Status", choices=_choices(PEOPLE_STATUSES), default="menderita")
    shelter_id = SelectField(
        "Tempat pengungsian", validators=[Optional()], default="", validate_choice=False
    )
    address = StringField("Alamat", validators=[Optional(), Length(max=255)])
    contact = StringField("Narahubung (nama, telepon)", validators=[Optional(), Length(max=160)])
    client_id = HiddenField()


class ImportForm(Form):
    event_id = SelectField("Kejadian bencana", validators=[DataRequired(REQUIRED)])
    default_status = SelectField(
        "Status bila kolom status kosong",
        choices=_choices(PEOPLE_STATUSES, "— kolom status wajib diisi —"),
        default="",
    )
    file = FileField(
        "Berkas daftar korban (XLSX atau CSV, termasuk ekspor KoboToolbox/ODK)",
        validators=[FileRequired("Pilih berkas terlebih dahulu.")],
    )


class MergeForm(Form):
    keep_id = HiddenField(validators=[DataRequired()])
    duplicate_id = HiddenField(validators=[DataRequired()])
