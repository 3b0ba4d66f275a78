"""Tagana: members and trainings, deployments with check-in and task reports, the roster board,
Kampung Siaga Bencana, vehicles and the year figures."""

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from logistics.admin.models import OFFICE_ROLES, User
from logistics.areas.models import Area
from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, Forbidden, NotFound
from logistics.core.extensions import db
from logistics.core.formatting import tanggal_jam
from logistics.core.time import moment, office_date, office_today, office_zone, utcnow
from logistics.distributions.services import resolve_sub_kegiatan
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Warehouse
from logistics.stock.models.catalogue import WAREHOUSE_TIERS
from logistics.tagana.models import (
    LEVELS,
    PLACE_KINDS,
    Competency,
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    TaskReport,
    Training,
    Vehicle,
)

SEXES = {"L": "Laki-laki", "P": "Perempuan"}
# What a person sees of a deployment; derived from its status and check-in/check-out times.
PHASES = {
    "direncanakan": "Direncanakan",
    "bertugas": "Bertugas",
    "menunggu_laporan": "Menunggu laporan",
    "selesai": "Selesai",
    "dibatalkan": "Dibatalkan",
}
# The competency a place needs by default, for the suggestions on the roster board.
PLACE_COMPETENCY = {
    "shelter": "shelter",
    "dapur_umum": "dapur_umum",
    "gudang": "logistik",
    "kelurahan": "assessment",
    "posko": "komunikasi",
}
# Roles offered in the deployment form (free text: the office may write its own).
ROLE_SUGGESTIONS = (
    "Koordinator lapangan",
    "Petugas shelter",
    "Petugas dapur umum",
    "Petugas logistik",
    "Pendamping psikososial",
    "Tim evakuasi",
    "Tim kaji cepat",
    "Operator radio/komunikasi",
)
VEHICLE_KINDS = (
    "Truk",
    "Mobil dapur umum lapangan (Mobil DUL)",
    "Mobil tangki air",
    "Mobil pikap",
    "Perahu karet",
    "Sepeda motor",
    "Ambulans",
)
# A suggested member must be free for one working shift from now, not just this minute: a
# member due elsewhere in two hours is no answer to an empty shelter.
SHIFT = timedelta(hours=12)
SUGGESTIONS_PER_GAP = 5
# A member arriving a little after the planned start is not yet "late" on the board.
CHECK_IN_GRACE = timedelta(minutes=30)
# Phones' clocks drift; a check-in a few minutes "in the future" is accepted as now.
CLOCK_TOLERANCE = timedelta(minutes=5)
MAX_TEXT = 5000
FIRST_KSB_YEAR = 2000  # the table's own check constraint
LUMBUNG_SOSIAL = "lumbung_sosial"  # the warehouse tier of a KSB's lumbung sosial

_PHONE = re.compile(r"^\+?[0-9 ()-]+$")


# --- Parsing: one place for the Indonesian messages of the forms, the API and the import ---------


def clean_text(value, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    """Text with inner whitespace collapsed, checked for presence and length."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # spreadsheet cells hold numbers where text was meant
    if isinstance(value, str):
        value = " ".join(value.split())
    return inputs.text(value, field, label, max_length, required=required)


def _id(value, field: str, label: str) -> int | None:
    number = inputs.whole_number(value, field, label)
    return number or None


def parse_day(value, field: str, label: str) -> date | None:
    """A date from a date, a datetime, 'TTTT-BB-HH' or 'HH/BB/TTTT' (also with - or .)."""
    return inputs.day(value, field, label, day_first=True)


def _when(value: datetime | None) -> str:
    return tanggal_jam(value, current_app.config["OFFICE_TIMEZONE"]) if value else "selesai"


def _phone(value, field: str, label: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # Spreadsheets store 081234... as a number and drop the leading zero.
        value = "0" + str(value) if not str(value).startswith("62") else str(value)
    text = clean_text(value, field, label, 32)
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not _PHONE.match(text) or not 6 <= len(digits) <= 15:
        raise DomainError(
            f"{label} '{text}' tidak valid; tulis angka saja, mis. 081234567890.", field=field
        )
    return text


def _level(value) -> str:
    text = " ".join(str(value or "").split()).lower()
    for key, label in LEVELS.items():
        if text in (key, label.lower()):
            return key
    choices = ", ".join(LEVELS.values())
    if not text:
        raise DomainError(f"Tingkat wajib diisi: {choices}.", field="level")
    raise DomainError(f"Tingkat '{value}' tidak dikenal; pilih {choices}.", field="level")


def _sex(value) -> str:
    text = str(value or "").strip().lower()
    if text in ("l", "laki-laki", "laki laki", "pria"):
        return "L"
    if text in ("p", "perempuan", "wanita"):
        return "P"
    if not text:
        raise DomainError("Jenis kelamin wajib diisi (L atau P).", field="sex")
    raise DomainError(f"Jenis kelamin '{value}' tidak dikenal; tulis L atau P.", field="sex")


def competency_choices() -> list[Competency]:
    """The office's active competencies, by name."""
    return list(
        db.session.scalars(
            select(Competency).where(Competency.active.is_(True)).order_by(Competency.name)
        )
    )


def resolve_competencies(values, field: str = "competencies") -> list[Competency]:
    """Competencies from codes or names (a list, or text separated by commas or semicolons).

    An unknown one is refused with the list of known codes, so a typo is never dropped silently.
    """
    if inputs.is_blank(values):
        return []
    if isinstance(values, str):
        items = [part for part in re.split(r"[,;\n]", values)]
    elif isinstance(values, Iterable):
        items = list(values)
    else:
        raise DomainError("Kompetensi harus berupa daftar kode.", field=field)
    known = competency_choices()
    by_key = {}
    for competency in known:
        by_key[competency.code.lower()] = competency
        by_key[competency.name.lower()] = competency
    chosen: list[Competency] = []
    for item in items:
        if isinstance(item, Competency):
            item = item.code
        key = " ".join(str(item or "").split()).lower()
        if not key:
            continue
        competency = by_key.get(key) or by_key.get(key.replace(" ", "_"))
        if competency is None:
            codes = ", ".join(c.code for c in known)
            raise DomainError(
                f"Kompetensi '{str(item).strip()}' tidak dikenal. Pilihan: {codes}.", field=field
            )
        if competency not in chosen:
            chosen.append(competency)
    return chosen


def get_competency(code: str) -> Competency | None:
    """A competency by code, or None."""
    return db.session.scalar(select(Competency).where(Competency.code == code))


# --- Members and trainings ------------------------------------------------------------------------

MEMBER_FIELDS = (
    "nia",
    "name",
    "sex",
    "birth_date",
    "phone",
    "home_kelurahan_code",
    "level",
    "decree_number",
    "decree_date",
    "joined_on",
    "active",
    "competencies",
    "user_id",
)


def get_member(member_id: int) -> TaganaMember:
    """A member by id, or NotFound."""
    member = db.session.get(TaganaMember, member_id)
    if member is None:
        raise NotFound(f"Anggota Tagana {member_id} tidak ditemukan.")
    return member


def member_for_user(user) -> TaganaMember | None:
    """The member record linked to a login account, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(TaganaMember).where(TaganaMember.user_id == user.id))


def find_member_by_nia(nia: str) -> TaganaMember | None:
    """NIA is matched ignoring case and spaces at the ends, as offices write it either way."""
    return db.session.scalar(
        select(TaganaMember).where(func.upper(TaganaMember.nia) == nia.strip().upper())
    )


def _nia(value) -> str:
    return clean_text(value, "nia", "Nomor Induk Anggota (NIA)", 40, required=True)


def _linked_user(value, member: TaganaMember | None) -> int | None:
    user_id = _id(value, "user_id", "Akun pengguna")
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(f"Akun pengguna {user_id} tidak ditemukan.", field="user_id")
    if user.role != "tagana":
        raise DomainError(
            f"Akun '{user.username}' berperan {user.role_label}; hanya akun berperan Tagana "
            "yang dapat ditautkan ke anggota.",
            field="user_id",
        )
    other = db.session.scalar(
        select(TaganaMember).where(TaganaMember.user_id == user_id, TaganaMember.id != member.id)
        if member is not None and member.id is not None
        else select(TaganaMember).where(TaganaMember.user_id == user_id)
    )
    if other is not None:
        raise Conflict(
            f"Akun '{user.username}' sudah ditautkan ke anggota {other.name} (NIA {other.nia}).",
            field="user_id",
        )
    return user_id


def parse_member_field(key: str, value, member: TaganaMember | None = None):
    """Validate one member field into its column value (used by forms, the API and the import)."""
    parsers = {
        "nia": _nia,
        "name": lambda v: clean_text(v, "name", "Nama", 160, required=True),
        "sex": _sex,
        "birth_date": lambda v: parse_day(v, "birth_date", "Tanggal lahir"),
        "phone": lambda v: _phone(v, "phone", "Nomor telepon"),
        "home_kelurahan_code": lambda v: (
            None
            if inputs.is_blank(v)
            else require_kelurahan(str(v), field="home_kelurahan_code").code
        ),
        "level": _level,
        "decree_number": lambda v: clean_text(v, "decree_number", "Nomor SK", 120),
        "decree_date": lambda v: parse_day(v, "decree_date", "Tanggal SK"),
        "joined_on": lambda v: parse_day(v, "joined_on", "Tanggal bergabung"),
        "active": lambda v: inputs.flag(v, "active", "Aktif", lenient=True),
        "competencies": resolve_competencies,
        "user_id": lambda v: _linked_user(v, member),
    }
    return parsers[key](value)


def _member_values(values: Mapping, member: TaganaMember | None = None) -> dict:
    unknown = sorted(set(values) - set(MEMBER_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsed = {key: parse_member_field(key, value, member) for key, value in values.items()}
    today = office_today()
    for key, label in (
        ("birth_date", "Tanggal lahir"),
        ("decree_date", "Tanggal SK"),
        ("joined_on", "Tanggal bergabung"),
    ):
        if parsed.get(key) and parsed[key] > today:
            raise DomainError(f"{label} tidak boleh di masa depan.", field=key)
    if "nia" in parsed:
        other = find_member_by_nia(parsed["nia"])
        if other is not None and (member is None or other.id != member.id):
            raise Conflict(
                f"NIA {parsed['nia']} sudah dipakai oleh {other.name}. Periksa nomornya, atau "
                "buka data anggota itu untuk mengubahnya.",
                field="nia",
            )
    return parsed


def create_member(
    *,
    nia: str,
    name: str,
    sex: str,
    level: str = "muda",
    birth_date: date | str | None = None,
    phone: str = "",
    home_kelurahan_code: str | None = None,
    decree_number: str = "",
    decree_date: date | str | None = None,
    joined_on: date | str | None = None,
    active: bool = True,
    competencies: Iterable[str] | str | None = None,
    user_id: int | None = None,
) -> TaganaMember:
    """Register a member. Refuses a duplicate NIA (Conflict), an unknown competency, level,
    kelurahan code, a bad date or phone (DomainError with field). The caller commits."""
    values = _member_values(
        {
            "nia": nia,
            "name": name,
            "sex": sex,
            "level": level,
            "birth_date": birth_date,
            "phone": phone,
            "home_kelurahan_code": home_kelurahan_code,
            "decree_number": decree_number,
            "decree_date": decree_date,
            "joined_on": joined_on,
            "active": active,
            "competencies": competencies,
            "user_id": user_id,
        }
    )
    member = TaganaMember(**values)
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: TaganaMember, **changes) -> TaganaMember:
    """Change the given fields of a member (only those given); the same checks as create."""
    values = _member_values(changes, member)
    old_competencies = sorted(c.code for c in member.competencies)
    for key, value in values.items():
        setattr(member, key, value)
    if "competencies" in values:
        new_competencies = sorted(c.code for c in member.competencies)
        if new_competencies != old_competencies:
            # The link table is not audited row by row; the change is logged as one action.
            record_action(
                "member_competencies",
                "tagana_members",
                member.id,
                {"competencies": [old_competencies, new_competencies]},
            )
    db.session.flush()
    return member


def add_training(
    member: TaganaMember,
    *,
    name: str,
    started_on: date | str,
    ended_on: date | str | None = None,
    organizer: str = "",
    certificate_number: str = "",
) -> Training:
    """Record a training a member attended (with its certificate number when there is one)."""
    values = {
        "name": clean_text(name, "name", "Nama pelatihan", 200, required=True),
        "organizer": clean_text(organizer, "organizer", "Penyelenggara", 160),
        "started_on": parse_day(started_on, "started_on", "Tanggal mulai"),
        "ended_on": parse_day(ended_on, "ended_on", "Tanggal selesai"),
        "certificate_number": clean_text(
            certificate_number, "certificate_number", "Nomor sertifikat", 120
        ),
    }
    if values["started_on"] is None:
        raise DomainError("Tanggal mulai pelatihan wajib diisi.", field="started_on")
    if values["ended_on"] is not None and values["ended_on"] < values["started_on"]:
        raise DomainError(
            "Tanggal selesai pelatihan tidak boleh sebelum tanggal mulai.", field="ended_on"
        )
    if values["started_on"] > office_today():
        raise DomainError(
            "Pelatihan yang belum dimulai belum dapat dicatat; catat setelah diikuti.",
            field="started_on",
        )
    training = Training(member=member, **values)
    db.session.add(training)
    db.session.flush()
    return training


def get_training(training_id: int) -> Training:
    """A training by id, or NotFound."""
    training = db.session.get(Training, training_id)
    if training is None:
        raise NotFound(f"Pelatihan {training_id} tidak ditemukan.")
    return training


def delete_training(training: Training) -> None:
    """Remove a training recorded by mistake (the audit log keeps it)."""
    db.session.delete(training)
    db.session.flush()


@dataclass
class MemberFilters:
    """The member list's filters; every one optional."""

    q: str = ""
    level: str = ""
    competency: str = ""
    kecamatan_code: str = ""
    active: str = ""  # "ya", "tidak" or "" for both


def members_query(filters: MemberFilters):
    """A select of members matching the filters, by name."""
    query = select(TaganaMember).options(selectinload(TaganaMember.competencies))
    text = filters.q.strip()
    if text:
        query = query.where(
            or_(
                TaganaMember.name.ilike(f"%{text}%"),
                TaganaMember.nia.ilike(f"%{text}%"),
                TaganaMember.phone.ilike(f"%{text}%"),
            )
        )
    if filters.level in LEVELS:
        query = query.where(TaganaMember.level == filters.level)
    if filters.competency:
        query = query.where(
            TaganaMember.competencies.any(Competency.code == filters.competency.strip())
        )
    if filters.kecamatan_code:
        query = query.where(TaganaMember.home_kelurahan_code.startswith(filters.kecamatan_code))
    if filters.active == "ya":
        query = query.where(TaganaMember.active.is_(True))
    elif filters.active == "tidak":
        query = query.where(TaganaMember.active.is_(False))
    return query.order_by(TaganaMember.name, TaganaMember.id)


def area_names(codes: Iterable[str | None]) -> dict[str, str]:
    """code -> name of the given areas, in one query."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Area.code, Area.name).where(Area.code.in_(wanted))).all())


def unlinked_tagana_users(member: TaganaMember | None = None) -> list[User]:
    """Accounts with the tagana role that no other member uses yet (for the link select)."""
    taken = select(TaganaMember.user_id).where(TaganaMember.user_id.is_not(None))
    if member is not None and member.id is not None:
        taken = taken.where(TaganaMember.id != member.id)
    return list(
        db.session.scalars(
            select(User).where(User.role == "tagana", User.id.not_in(taken)).order_by(User.username)
        )
    )


# --- Deployments ----------------------------------------------------------------------------------

DEPLOYMENT_FIELDS = (
    "place_kind",
    "shelter_id",
    "kelurahan_code",
    "place_name",
    "warehouse_id",
    "role",
    "competency",
    "letter_number",
    "starts_at",
    "ends_at",
    "vehicle_id",
    "sub_kegiatan",
)


def get_deployment(deployment_id: int) -> Deployment:
    """A deployment by id, or NotFound."""
    deployment = db.session.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFound(f"Penugasan {deployment_id} tidak ditemukan.")
    return deployment


def deployment_phase(deployment: Deployment) -> str:
    """direncanakan, bertugas (checked in), menunggu_laporan (checked out, no task report yet),
    selesai (task report filed) or dibatalkan."""
    if deployment.status in ("dibatalkan", "selesai"):
        return deployment.status
    if deployment.checked_out_at is not None:
        return "menunggu_laporan"
    if deployment.checked_in_at is not None:
        return "bertugas"
    return "direncanakan"


def effective_period(deployment: Deployment) -> tuple[datetime, datetime | None]:
    """When the member is taken by a deployment, for the overlap rule: from the planned start
    (or an earlier check-in) to the check-out, else the planned end; None means open-ended,
    i.e. running until checked out."""
    start = deployment.starts_at
    if deployment.checked_in_at is not None and deployment.checked_in_at < start:
        start = deployment.checked_in_at
    end = deployment.checked_out_at or deployment.ends_at
    return start, end


def _overlaps(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _event_label(event_id: int) -> str:
    event = db.session.get(Event, event_id)
    return f"{event.code} {event.title}" if event else f"kejadian {event_id}"


def place_label(deployment: Deployment, names: Mapping | None = None) -> str:
    """'Tempat pengungsian: SDN Margahayu 1', 'Dapur umum: Dapur Masjid Al-Ikhlas', ..."""
    kind = PLACE_KINDS.get(deployment.place_kind, deployment.place_kind)
    names = names or {}
    shelter_name = ""
    if deployment.shelter_id:
        shelter_name = names.get(("shelter", deployment.shelter_id)) or _shelter_name(
            deployment.shelter_id
        )
    area_name = ""
    if deployment.kelurahan_code:
        area_name = names.get(("area", deployment.kelurahan_code)) or _area_name(
            deployment.kelurahan_code
        )
    if deployment.place_kind == "shelter":
        return f"{kind}: {shelter_name}"
    if deployment.place_kind == "kelurahan":
        return f"{kind}: {area_name}"
    if deployment.place_kind == "gudang" and deployment.warehouse_id:
        warehouse_name = names.get(("warehouse", deployment.warehouse_id)) or _warehouse_name(
            deployment.warehouse_id
        )
        if warehouse_name:
            return f"{kind}: {warehouse_name}"
    parts = [deployment.place_name or ""]
    if shelter_name:
        parts.append(f"di {shelter_name}")
    elif area_name:
        parts.append(f"Kel. {area_name}")
    return f"{kind}: " + " ".join(p for p in parts if p)


def _shelter_name(shelter_id: int) -> str:
    return db.session.scalar(select(Shelter.name).where(Shelter.id == shelter_id)) or ""


def _warehouse_name(warehouse_id: int) -> str:
    return db.session.scalar(select(Warehouse.name).where(Warehouse.id == warehouse_id)) or ""


def _area_name(code: str) -> str:
    return db.session.scalar(select(Area.name).where(Area.code == code)) or code


def find_overlap(
    member_id: int,
    starts_at: datetime,
    ends_at: datetime | None,
    *,
    exclude_id: int | None = None,
) -> Deployment | None:
    """The member's first deployment (in any event) taking them during the period, if any."""
    query = select(Deployment).where(
        Deployment.member_id == member_id, Deployment.status != "dibatalkan"
    )
    if exclude_id is not None:
        query = query.where(Deployment.id != exclude_id)
    if ends_at is not None:
        # Only a coarse pre-filter in SQL; the rule itself (check-in, check-out) is below.
        query = query.where(or_(Deployment.starts_at < ends_at, Deployment.checked_in_at < ends_at))
    for other in db.session.scalars(query.order_by(Deployment.starts_at)):
        other_start, other_end = effective_period(other)
        if _overlaps(starts_at, ends_at, other_start, other_end):
            return other
    return None


def _overlap_conflict(member: TaganaMember, other: Deployment) -> Conflict:
    start, end = effective_period(other)
    until = _when(end) if end else "belum check-out (tanpa waktu selesai)"
    return Conflict(
        f"{member.name} sudah ditugaskan pada waktu yang bertumpuk: penugasan #{other.id} "
        f"({place_label(other)}, {other.role}, surat tugas {other.letter_number}, "
        f"{_event_label(other.event_id)}) dari {_when(start)} sampai {until}. Ubah waktunya, "
        "atau akhiri/batalkan penugasan itu lebih dulu.",
        field="starts_at",
        details={"conflicting_deployment_id": other.id},
    )


def _deployment_values(values: Mapping, event: Event, current: Deployment | None = None) -> dict:
    """Validate deployment fields into column values; missing keys keep the current values."""
    unknown = sorted(set(values) - set(DEPLOYMENT_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])

    def pick(key, default=None):
        if key in values:
            return values[key]
        return getattr(current, key) if current is not None else default

    kind = pick("place_kind")
    kind = kind.strip() if isinstance(kind, str) else kind
    if kind not in PLACE_KINDS:
        raise DomainError(
            f"Jenis tempat wajib dipilih: {', '.join(PLACE_KINDS.values())}.", field="place_kind"
        )
    shelter_id = _id(pick("shelter_id"), "shelter_id", "Tempat pengungsian")
    code = pick("kelurahan_code")
    code = None if inputs.is_blank(code) else require_kelurahan(str(code)).code
    place_name = clean_text(pick("place_name", ""), "place_name", "Nama tempat", 200)
    if shelter_id is not None:
        shelter = db.session.get(Shelter, shelter_id)
        if shelter is None:
            raise DomainError(
                f"Tempat pengungsian {shelter_id} tidak ditemukan.", field="shelter_id"
            )
        if shelter.event_id not in (None, event.id):
            raise DomainError(
                f"Tempat pengungsian '{shelter.name}' tercatat untuk kejadian lain "
                f"({_event_label(shelter.event_id)}); pilih tempat dari kejadian ini.",
                field="shelter_id",
            )
        changed = current is None or current.shelter_id != shelter_id
        if changed and shelter.status != "buka":
            raise DomainError(
                f"Tempat pengungsian '{shelter.name}' sudah ditutup; buka kembali tempat itu "
                "atau pilih tempat lain.",
                field="shelter_id",
            )
    warehouse_id = _deployment_warehouse(values, kind, current)
    if kind == "shelter" and shelter_id is None:
        raise DomainError("Pilih tempat pengungsian tujuan penugasan.", field="shelter_id")
    if kind == "kelurahan" and code is None:
        raise DomainError("Isi kode kelurahan/desa tujuan penugasan.", field="kelurahan_code")
    if kind == "gudang" and warehouse_id is None and not place_name and shelter_id is None:
        raise DomainError(
            "Pilih gudang terdaftar; bila gudangnya belum terdaftar, tulis nama gudang (mis. "
            "lokasinya) atau pilih tempat pengungsian tempat gudang itu berada.",
            field="warehouse_id",
        )
    if kind in ("dapur_umum", "posko") and not place_name and shelter_id is None:
        label = PLACE_KINDS[kind].lower()
        raise DomainError(
            f"Tulis nama {label} (mis. lokasinya), atau pilih tempat pengungsian tempat "
            f"{label} itu berada.",
            field="place_name",
        )
    role = clean_text(pick("role", ""), "role", "Peran/tugas", 120, required=True)
    letter = clean_text(
        pick("letter_number", ""), "letter_number", "Nomor surat tugas", 120, required=True
    )
    if "competency" in values:
        competency_value = values["competency"]
        found = (
            resolve_competencies([competency_value], field="competency") if competency_value else []
        )
        competency_id = found[0].id if found else None
    else:
        competency_id = current.competency_id if current is not None else None
    starts_at = moment(pick("starts_at"), "starts_at", "Mulai tugas")
    if starts_at is None:
        raise DomainError("Waktu mulai tugas wajib diisi.", field="starts_at")
    ends_at = moment(pick("ends_at"), "ends_at", "Selesai tugas")
    if ends_at is not None and ends_at <= starts_at:
        raise DomainError(
            f"Waktu selesai ({_when(ends_at)}) harus sesudah waktu mulai ({_when(starts_at)}); "
            "kosongkan bila belum diketahui.",
            field="ends_at",
        )
    if (
        current is not None
        and current.checked_in_at
        and ends_at
        and ends_at <= current.checked_in_at
    ):
        raise DomainError(
            f"Waktu selesai harus sesudah check-in ({_when(current.checked_in_at)}).",
            field="ends_at",
        )
    if "sub_kegiatan" in values:
        sub_kegiatan_id = resolve_sub_kegiatan(values["sub_kegiatan"])
    else:
        sub_kegiatan_id = current.sub_kegiatan_id if current is not None else None
    vehicle_id = _id(pick("vehicle_id"), "vehicle_id", "Kendaraan")
    if vehicle_id is not None:
        vehicle = db.session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise DomainError(f"Kendaraan {vehicle_id} tidak ditemukan.", field="vehicle_id")
        if not vehicle.active and (current is None or current.vehicle_id != vehicle_id):
            raise DomainError(
                f"Kendaraan {vehicle.plate} tidak aktif; pilih kendaraan lain.", field="vehicle_id"
            )
    return {
        "place_kind": kind,
        "shelter_id": shelter_id,
        "kelurahan_code": code,
        "place_name": place_name,
        "warehouse_id": warehouse_id,
        "role": role,
        "competency_id": competency_id,
        "letter_number": letter,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "vehicle_id": vehicle_id,
        "sub_kegiatan_id": sub_kegiatan_id,
    }


def get_warehouse(value, field: str = "warehouse_id", label: str = "Gudang") -> Warehouse | None:
    """The warehouse with this id (None for a blank value), or DomainError on the field."""
    warehouse_id = _id(value, field, label)
    if warehouse_id is None:
        return None
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise DomainError(
            f"{label} {warehouse_id} tidak ditemukan di daftar gudang; pilih gudang yang "
            "terdaftar.",
            field=field,
        )
    return warehouse


def _deployment_warehouse(values: Mapping, kind: str, current: Deployment | None) -> int | None:
    """The registered warehouse of a 'gudang' deployment (active; the current one may stay
    even if deactivated since). Other kinds of place have none: a warehouse sent with them is
    refused, one kept from before is dropped when the place changes."""
    if "warehouse_id" in values:
        warehouse = get_warehouse(values["warehouse_id"])
    elif current is not None and current.warehouse_id and kind == "gudang":
        return current.warehouse_id
    else:
        warehouse = None
    if warehouse is None:
        return None
    if kind != "gudang":
        raise DomainError(
            f"Gudang hanya dipilih untuk jenis tempat {PLACE_KINDS['gudang']}; kosongkan "
            "pilihan gudang atau ganti jenis tempatnya.",
            field="warehouse_id",
        )
    if not warehouse.active and (current is None or current.warehouse_id != warehouse.id):
        raise DomainError(
            f"Gudang '{warehouse.name}' ({warehouse.code}) tidak aktif; pilih gudang lain.",
            field="warehouse_id",
        )
    return warehouse.id


def warehouse_choices(include_id: int | None = None) -> list[Warehouse]:
    """Active warehouses (and the current one) for the deployment form, by tier and name."""
    query = select(Warehouse).where(
        or_(Warehouse.active.is_(True), Warehouse.id == (include_id or -1))
    )
    tiers = list(WAREHOUSE_TIERS)
    found = db.session.scalars(query.order_by(Warehouse.name, Warehouse.code))
    return sorted(found, key=lambda w: tiers.index(w.tier) if w.tier in tiers else len(tiers))


def _lock_member(member_id) -> TaganaMember:
    """The member row, locked until commit on PostgreSQL: two coordinators deploying the same
    person at the same moment are checked one after the other (SQLite serialises writers)."""
    number = _id(member_id, "member_id", "Anggota")
    if number is None:
        raise DomainError("Pilih anggota yang ditugaskan.", field="member_id")
    member = db.session.scalar(
        select(TaganaMember).where(TaganaMember.id == number).with_for_update()
    )
    if member is None:
        raise DomainError(f"Anggota Tagana {number} tidak ditemukan.", field="member_id")
    return member


def deploy_member(
    *,
    member_id: int,
    event_id: int,
    place_kind: str,
    role: str,
    letter_number: str,
    starts_at: datetime | str,
    ends_at: datetime | str | None = None,
    shelter_id: int | None = None,
    kelurahan_code: str | None = None,
    place_name: str = "",
    warehouse_id: int | None = None,
    competency: str | None = None,
    vehicle_id: int | None = None,
    created_by_id: int | None = None,
    client_id: str | None = None,
    sub_kegiatan: str | None = None,
) -> Deployment:
    """Deploy a member to a place for an event under a surat tugas (pengerahan).

    `sub_kegiatan` is the code (either written form) of the sub-kegiatan that pays for it, if any.

    Place rules: 'shelter' needs shelter_id (an open shelter of this event or of no event),
    'kelurahan' needs kelurahan_code, 'gudang' a registered active warehouse (warehouse_id) or,
    for one not registered yet, place_name or a shelter, and 'dapur_umum'/'posko' need
    place_name unless a shelter is given. Refused: an inactive member, an end not after the start, and a period that
    overlaps another deployment of the member in any event (Conflict naming it; open-ended
    deployments run until checked out). A repeated client_id returns the first deployment.
    The caller commits.
    """
    client = inputs.client_id(client_id)
    if client is not None:
        existing = db.session.scalar(select(Deployment).where(Deployment.client_id == client))
        if existing is not None:
            if existing.member_id != _id(member_id, "member_id", "Anggota"):
                raise Conflict(
                    f"client_id '{client}' sudah dipakai untuk penugasan lain.", field="client_id"
                )
            return existing
    member = _lock_member(member_id)
    event_number = _id(event_id, "event_id", "Kejadian")
    event = db.session.get(Event, event_number) if event_number else None
    if event is None:
        raise DomainError("Pilih kejadian bencana yang benar.", field="event_id")
    if not member.active:
        raise DomainError(
            f"{member.name} (NIA {member.nia}) tidak aktif sehingga tidak dapat ditugaskan. "
            "Pilih anggota lain, atau aktifkan kembali di data anggota bila ia sudah aktif lagi.",
            field="member_id",
        )
    values = _deployment_values(
        {
            "place_kind": place_kind,
            "shelter_id": shelter_id,
            "kelurahan_code": kelurahan_code,
            "place_name": place_name,
            "warehouse_id": warehouse_id,
            "role": role,
            "competency": competency,
            "letter_number": letter_number,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "vehicle_id": vehicle_id,
            "sub_kegiatan": sub_kegiatan,
        },
        event,
    )
    other = find_overlap(member.id, values["starts_at"], values["ends_at"])
    if other is not None:
        raise _overlap_conflict(member, other)
    deployment = Deployment(
        member_id=member.id,
        event_id=event.id,
        status="direncanakan",
        created_by_id=created_by_id,
        client_id=client,
        **values,
    )
    db.session.add(deployment)
    db.session.flush()
    return deployment


def update_deployment(deployment: Deployment, **changes) -> Deployment:
    """Change the place, role, letter, period or vehicle of a deployment not yet closed.

    The member and the event stay: cancel and deploy again for another person or event.
    The overlap rule is checked again against the member's other deployments.
    """
    if deployment.status in ("selesai", "dibatalkan"):
        raise Conflict(
            f"Penugasan #{deployment.id} sudah {PHASES[deployment.status].lower()} dan tidak "
            "dapat diubah lagi."
        )
    if deployment.checked_in_at is not None and "starts_at" in changes:
        start = moment(changes["starts_at"], "starts_at", "Mulai tugas")
        if start != deployment.starts_at:
            raise Conflict("Waktu mulai tidak dapat diubah setelah check-in.", field="starts_at")
    event = db.session.get(Event, deployment.event_id)
    values = _deployment_values(changes, event, deployment)
    other = find_overlap(
        deployment.member_id, values["starts_at"], values["ends_at"], exclude_id=deployment.id
    )
    if other is not None:
        raise _overlap_conflict(deployment.member, other)
    for key, value in values.items():
        setattr(deployment, key, value)
    db.session.flush()
    return deployment


def require_actor(deployment: Deployment, actor, action: str) -> None:
    """Office roles act on any deployment; a tagana user only on their own (else Forbidden)."""
    role = getattr(actor, "role", None)
    if role in OFFICE_ROLES:
        return
    if role == "tagana":
        if deployment.member.user_id == actor.id:
            return
        raise Forbidden(
            f"Penugasan #{deployment.id} milik {deployment.member.name}; Anda hanya dapat "
            f"{action} penugasan Anda sendiri. Minta operator Dinas Sosial bila perlu dibantu."
        )
    raise Forbidden(f"Peran Anda tidak boleh {action} penugasan.")


def _action_time(at, now: datetime, field: str, label: str) -> datetime:
    when = moment(at, field, label) or now
    if when > now + CLOCK_TOLERANCE:
        raise DomainError(f"{label} tidak boleh di masa depan ({_when(when)}).", field=field)
    return min(when, now)


def check_in(
    deployment: Deployment,
    actor,
    *,
    lat: float | str | None = None,
    lng: float | str | None = None,
    at: datetime | str | None = None,
    now: datetime | None = None,
) -> Deployment:
    """Record that the member arrived at the place (time and, when the phone gives it, where).

    Refused: a cancelled or already checked-in deployment, and a member still on duty
    elsewhere (check out there first). `at` lets a phone that was offline send the time it
    really happened; it may not lie in the future.
    """
    require_actor(deployment, actor, "check-in")
    now = now or utcnow()
    if deployment.status == "dibatalkan":
        raise Conflict(f"Penugasan #{deployment.id} sudah dibatalkan.")
    if deployment.checked_in_at is not None:
        raise Conflict(f"Sudah check-in pada {_when(deployment.checked_in_at)}.")
    when = _action_time(at, now, "at", "Waktu check-in")
    lat_value = inputs.coordinate(lat, "lat", "Lintang", 90)
    lng_value = inputs.coordinate(lng, "lng", "Bujur", 180)
    if (lat_value is None) != (lng_value is None):
        raise DomainError(
            "Kirim lintang dan bujur bersama-sama, atau tidak sama sekali.", field="lat"
        )
    elsewhere = db.session.scalar(
        select(Deployment).where(
            Deployment.member_id == deployment.member_id,
            Deployment.id != deployment.id,
            Deployment.checked_in_at.is_not(None),
            Deployment.checked_out_at.is_(None),
            Deployment.status != "dibatalkan",
        )
    )
    if elsewhere is not None:
        raise Conflict(
            f"{deployment.member.name} masih tercatat bertugas di {place_label(elsewhere)} "
            f"(penugasan #{elsewhere.id}, check-in {_when(elsewhere.checked_in_at)}). "
            "Check-out dari sana lebih dulu."
        )
    deployment.checked_in_at = when
    deployment.check_in_lat = lat_value
    deployment.check_in_lng = lng_value
    deployment.status = "bertugas"
    db.session.flush()
    return deployment


def check_out(
    deployment: Deployment,
    actor,
    *,
    at: datetime | str | None = None,
    now: datetime | None = None,
) -> Deployment:
    """Record that the member left the place; the task report then closes the deployment."""
    require_actor(deployment, actor, "check-out")
    now = now or utcnow()
    if deployment.status == "dibatalkan":
        raise Conflict(f"Penugasan #{deployment.id} sudah dibatalkan.")
    if deployment.checked_in_at is None:
        raise Conflict(
            "Belum check-in: check-out hanya dapat dilakukan setelah check-in di lokasi tugas.",
            field="checked_in_at",
        )
    if deployment.checked_out_at is not None:
        raise Conflict(f"Sudah check-out pada {_when(deployment.checked_out_at)}.")
    when = _action_time(at, now, "at", "Waktu check-out")
    if when < deployment.checked_in_at:
        raise DomainError(
            f"Waktu check-out tidak boleh sebelum check-in ({_when(deployment.checked_in_at)}).",
            field="at",
        )
    deployment.checked_out_at = when
    db.session.flush()
    return deployment


def cancel_deployment(deployment: Deployment, *, reason: str) -> Deployment:
    """Cancel a deployment that has not started (no check-in); the reason goes to the audit log."""
    reason = clean_text(reason, "reason", "Alasan pembatalan", 500, required=True)
    if deployment.status == "dibatalkan":
        raise Conflict(f"Penugasan #{deployment.id} sudah dibatalkan.")
    if deployment.checked_in_at is not None:
        raise Conflict(
            "Penugasan yang sudah check-in tidak dapat dibatalkan; lakukan check-out dan isi "
            "laporan pelaksanaan tugas."
        )
    deployment.status = "dibatalkan"
    record_action("cancel_deployment", "tagana_deployments", deployment.id, {"reason": reason})
    db.session.flush()
    return deployment


def submit_task_report(
    deployment: Deployment,
    actor,
    *,
    activities: str,
    people_served: int | str,
    problems: str = "",
    now: datetime | None = None,
) -> TaskReport:
    """File the task report (laporan pelaksanaan tugas) that closes a deployment.

    Only the member themself (a tagana account linked to them) or the office may report; a
    tagana user reporting on someone else's deployment is refused (Forbidden). The member must
    have checked in; a report filed while still on duty also checks out now.
    """
    require_actor(deployment, actor, "melaporkan")
    now = now or utcnow()
    if deployment.status == "dibatalkan":
        raise Conflict(f"Penugasan #{deployment.id} dibatalkan; tidak ada laporan untuknya.")
    existing = db.session.scalar(
        select(TaskReport).where(TaskReport.deployment_id == deployment.id)
    )
    if existing is not None:
        raise Conflict(
            f"Laporan pelaksanaan tugas penugasan #{deployment.id} sudah dikirim pada "
            f"{_when(existing.submitted_at)}."
        )
    if deployment.checked_in_at is None:
        raise Conflict(
            "Belum check-in: lakukan check-in di lokasi tugas sebelum mengirim laporan.",
            field="checked_in_at",
        )
    values = {
        "activities": inputs.text(
            activities, "activities", "Kegiatan yang dilakukan", MAX_TEXT, required=True
        ),
        "people_served": inputs.whole_number(
            people_served, "people_served", "Jumlah orang dilayani", required=True
        ),
        "problems": inputs.text(problems, "problems", "Kendala", MAX_TEXT),
    }
    if deployment.checked_out_at is None:
        deployment.checked_out_at = now
    deployment.status = "selesai"
    report = TaskReport(
        deployment_id=deployment.id, submitted_at=now, submitted_by_id=actor.id, **values
    )
    db.session.add(report)
    db.session.flush()
    return report


def get_report(deployment: Deployment) -> TaskReport | None:
    """The task report of a deployment, or None while it is not filed."""
    return db.session.scalar(select(TaskReport).where(TaskReport.deployment_id == deployment.id))


@dataclass
class DeploymentFilters:
    """The deployment list's filters; every one optional."""

    event_id: int | None = None
    member_id: int | None = None
    place_kind: str = ""
    phase: str = ""
    q: str = ""


def deployments_query(filters: DeploymentFilters):
    """A select of (Deployment, Event) rows matching the filters, newest start first."""
    query = (
        select(Deployment, Event)
        .join(Event, Event.id == Deployment.event_id)
        .join(TaganaMember, TaganaMember.id == Deployment.member_id)
    )
    if filters.event_id:
        query = query.where(Deployment.event_id == filters.event_id)
    if filters.member_id:
        query = query.where(Deployment.member_id == filters.member_id)
    if filters.place_kind in PLACE_KINDS:
        query = query.where(Deployment.place_kind == filters.place_kind)
    phase = filters.phase
    if phase in ("direncanakan", "selesai", "dibatalkan"):
        query = query.where(Deployment.status == phase)
    elif phase == "bertugas":
        query = query.where(Deployment.status == "bertugas", Deployment.checked_out_at.is_(None))
    elif phase == "menunggu_laporan":
        query = query.where(Deployment.status == "bertugas", Deployment.checked_out_at.is_not(None))
    text = filters.q.strip()
    if text:
        query = query.where(
            or_(
                TaganaMember.name.ilike(f"%{text}%"),
                TaganaMember.nia.ilike(f"%{text}%"),
                Deployment.letter_number.ilike(f"%{text}%"),
                Deployment.role.ilike(f"%{text}%"),
            )
        )
    return query.order_by(Deployment.starts_at.desc(), Deployment.id.desc())


def place_names(deployments: Iterable[Deployment]) -> dict:
    """Shelter, warehouse and kelurahan names of many deployments in three queries at most
    (for lists and exports)."""
    deployments = list(deployments)
    shelter_ids = {d.shelter_id for d in deployments if d.shelter_id}
    codes = {d.kelurahan_code for d in deployments if d.kelurahan_code}
    warehouse_ids = {d.warehouse_id for d in deployments if d.warehouse_id}
    names: dict = {}
    if warehouse_ids:
        for warehouse_id, name in db.session.execute(
            select(Warehouse.id, Warehouse.name).where(Warehouse.id.in_(warehouse_ids))
        ):
            names[("warehouse", warehouse_id)] = name
    if shelter_ids:
        for shelter_id, name in db.session.execute(
            select(Shelter.id, Shelter.name).where(Shelter.id.in_(shelter_ids))
        ):
            names[("shelter", shelter_id)] = name
    for code, name in area_names(codes).items():
        names[("area", code)] = name
    return names


def my_deployments(user) -> list[tuple[Deployment, Event]]:
    """'Tugas saya': the deployments of the member linked to this account, open ones first."""
    member = member_for_user(user)
    if member is None:
        return []
    rows = db.session.execute(
        deployments_query(DeploymentFilters(member_id=member.id)).where(
            Deployment.status != "dibatalkan"
        )
    ).all()
    order = {"bertugas": 0, "direncanakan": 1, "menunggu_laporan": 2, "selesai": 3}
    return sorted(rows, key=lambda row: (order[deployment_phase(row[0])], row[0].starts_at))


def member_choices(include_id: int | None = None) -> list[TaganaMember]:
    """Active members (and the current one, even if inactive) for a select, by name."""
    query = select(TaganaMember).where(
        or_(TaganaMember.active.is_(True), TaganaMember.id == (include_id or -1))
    )
    return list(db.session.scalars(query.order_by(TaganaMember.name)))


def shelter_choices(event_id: int, include_id: int | None = None) -> list[Shelter]:
    """Open shelters of the event or of no event (and the current one) for a select."""
    query = select(Shelter).where(
        or_(
            Shelter.id == (include_id or -1),
            (Shelter.status == "buka")
            & or_(Shelter.event_id == event_id, Shelter.event_id.is_(None)),
        )
    )
    return list(db.session.scalars(query.order_by(Shelter.name)))


def recent_events(limit: int = 50, *, open_only: bool = False) -> list[Event]:
    """Events newest first; open_only leaves out closed ones (pasca bencana)."""
    query = select(Event)
    if open_only:
        query = query.where(Event.closed_at.is_(None))
    return list(db.session.scalars(query.order_by(Event.started_at.desc()).limit(limit)))


def on_duty_counts(event_ids: Iterable[int]) -> dict[int, int]:
    """Members on duty now (checked in, not out) per event."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Deployment.event_id, func.count(Deployment.id))
        .where(
            Deployment.event_id.in_(ids),
            Deployment.status == "bertugas",
            Deployment.checked_out_at.is_(None),
        )
        .group_by(Deployment.event_id)
    )
    return dict(rows.all())


def kelurahan_options(limit: int = 3000) -> list[tuple[str, str]]:
    """(code, name) of kelurahan/desa for the pages' datalist; a province's 6,000 desa are cut
    at the limit and then typed by code."""
    return list(
        db.session.execute(
            select(Area.code, Area.name)
            .where(Area.level == "kelurahan")
            .order_by(Area.name, Area.code)
            .limit(limit)
        ).all()
    )


def kecamatan_options() -> list[tuple[str, str]]:
    """(code, name) of every kecamatan, for filters."""
    return list(
        db.session.execute(
            select(Area.code, Area.name).where(Area.level == "kecamatan").order_by(Area.name)
        ).all()
    )


# --- Person-days ----------------------------------------------------------------------------------


def person_days(
    deployment: Deployment,
    *,
    now: datetime | None = None,
    year: int | None = None,
) -> int:
    """Calendar days a member worked on a deployment, counted in the office's time zone.

    From the check-in (or the planned start when no check-in was recorded) to the check-out
    (or the planned end, or now for a deployment still running), every calendar day touched
    counts as one day: 22 Nov 20:00 to 23 Nov 07:00 is two person-days. Days after now are not
    worked yet and do not count; a cancelled deployment or one starting after now counts 0.
    With `year`, only the days inside that calendar year count.
    """
    if deployment.status == "dibatalkan":
        return 0
    now = now or utcnow()
    start = deployment.checked_in_at or deployment.starts_at
    end = deployment.checked_out_at or deployment.ends_at or now
    end = min(end, now)
    if start > now or end < start:
        return 0
    first, last = office_date(start), office_date(end)
    if year is not None:
        first = max(first, date(year, 1, 1))
        last = min(last, date(year, 12, 31))
    return max((last - first).days + 1, 0)


# --- Roster board and suggestions -----------------------------------------------------------------


@dataclass
class BoardEntry:
    """One deployment as the roster board shows it."""

    deployment: Deployment
    member: TaganaMember
    phase: str
    place_key: tuple
    place_label: str
    vehicle_plate: str = ""
    # Planned start passed (beyond the grace) and no check-in: the coordinator should call.
    late: bool = False

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]


@dataclass
class Suggestion:
    """An active member free for the next shift who has the competency a place needs."""

    member: TaganaMember
    kelurahan_name: str
    distance_km: float | None


@dataclass
class BoardPlace:
    """A place of the event and who is there: on duty now, planned, finished."""

    key: tuple
    kind: str
    label: str
    lat: float | None
    lng: float | None
    shelter_id: int | None = None
    kelurahan_code: str | None = None
    warehouse_id: int | None = None
    on_duty: list[BoardEntry] = field(default_factory=list)
    planned: list[BoardEntry] = field(default_factory=list)
    finished: list[BoardEntry] = field(default_factory=list)
    # Open shelter of the event with nobody on duty now.
    gap: bool = False
    persons: int | None = None  # the shelter's latest head count
    counted_on: date | None = None  # None: no head count yet
    competency: Competency | None = None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.kind, self.kind)


@dataclass
class RosterBoard:
    """Who is where doing what for one event, at one moment."""

    event: Event
    now: datetime
    places: list[BoardPlace]
    by_role: dict[str, list[BoardEntry]]
    entries: list[BoardEntry]

    @property
    def gaps(self) -> list[BoardPlace]:
        return [p for p in self.places if p.gap]

    def count(self, phase: str) -> int:
        return sum(1 for e in self.entries if e.phase == phase)

    @property
    def finished_count(self) -> int:
        return self.count("selesai") + self.count("menunggu_laporan")

    @property
    def members_on_duty(self) -> int:
        return len({e.member.id for e in self.entries if e.phase == "bertugas"})


def _place_key(deployment: Deployment) -> tuple:
    if deployment.place_kind == "shelter":
        return ("shelter", deployment.shelter_id)
    if deployment.place_kind == "kelurahan":
        return ("kelurahan", deployment.kelurahan_code)
    if deployment.place_kind == "gudang" and deployment.warehouse_id:
        return ("warehouse", deployment.warehouse_id)
    return (
        deployment.place_kind,
        deployment.shelter_id,
        deployment.kelurahan_code,
        (deployment.place_name or "").strip().lower(),
    )


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    # Straight-line distance on the sphere: good enough to rank who lives nearest.
    radius = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def _label_points(codes: Iterable[str | None]) -> dict[str, tuple[float, float, str]]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Area.code, Area.label_lat, Area.label_lng, Area.name).where(Area.code.in_(wanted))
    )
    return {code: (lat, lng, name) for code, lat, lng, name in rows}


def free_member_ids(member_ids: Iterable[int], start: datetime, end: datetime | None) -> set[int]:
    """Those of the members with no deployment (in any event) taking them during the period."""
    ids = set(member_ids)
    if not ids:
        return set()
    busy = set()
    rows = db.session.scalars(
        select(Deployment).where(
            Deployment.member_id.in_(ids),
            Deployment.status != "dibatalkan",
            or_(Deployment.checked_out_at.is_(None), Deployment.checked_out_at > start),
        )
    )
    for deployment in rows:
        other_start, other_end = effective_period(deployment)
        if _overlaps(start, end, other_start, other_end):
            busy.add(deployment.member_id)
    return ids - busy


def suggest_members(
    competency_code: str,
    *,
    lat: float | None = None,
    lng: float | None = None,
    at: datetime | None = None,
    limit: int = SUGGESTIONS_PER_GAP,
) -> list[Suggestion]:
    """Active members with the competency, free for the next shift from `at` (default now),
    nearest home kelurahan first (straight line between the kelurahan's label point and the
    place); members without a home kelurahan come last, by name."""
    at = at or utcnow()
    members = list(
        db.session.scalars(
            select(TaganaMember)
            .where(
                TaganaMember.active.is_(True),
                TaganaMember.competencies.any(Competency.code == competency_code),
            )
            .order_by(TaganaMember.name)
        )
    )
    free = free_member_ids([m.id for m in members], at, at + SHIFT)
    points = _label_points(m.home_kelurahan_code for m in members)
    suggestions = []
    for member in members:
        if member.id not in free:
            continue
        point = points.get(member.home_kelurahan_code or "")
        distance = None
        if point and lat is not None and lng is not None and point[0] is not None:
            distance = round(_haversine_km(lat, lng, point[0], point[1]), 1)
        suggestions.append(Suggestion(member, point[2] if point else "", distance))
    suggestions.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.member.name))
    return suggestions[:limit]


def roster_board(event_id: int, *, now: datetime | None = None) -> RosterBoard:
    """The roster board of an event: places with who is on duty now, planned and finished,
    the same entries by role, and every open shelter of the event with nobody on duty as a gap,
    with suggested members who have the competency the place needs."""
    from logistics.shelters.lists import shelter_summaries

    now = now or utcnow()
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Kejadian {event_id} tidak ditemukan.")
    deployments = list(
        db.session.scalars(
            select(Deployment)
            .where(Deployment.event_id == event.id, Deployment.status != "dibatalkan")
            .order_by(Deployment.starts_at, Deployment.id)
        )
    )
    names = place_names(deployments)
    shelters = {
        s.id: (s.name, s.lat, s.lng, s.kelurahan_code, s.status)
        for s in db.session.scalars(
            select(Shelter).where(
                Shelter.id.in_({d.shelter_id for d in deployments if d.shelter_id})
            )
        )
    }
    summaries = [s for s in shelter_summaries(event.id) if s.status == "buka"]
    for summary in summaries:
        shelters.setdefault(
            summary.id,
            (summary.name, summary.lat, summary.lng, summary.kelurahan_code, summary.status),
        )
    warehouses = {
        w.id: w
        for w in db.session.scalars(
            select(Warehouse).where(
                Warehouse.id.in_({d.warehouse_id for d in deployments if d.warehouse_id})
            )
        )
    }
    points = _label_points(
        [d.kelurahan_code for d in deployments]
        + [s[3] for s in shelters.values()]
        + [w.kelurahan_code for w in warehouses.values()]
    )
    plates = dict(
        db.session.execute(
            select(Vehicle.id, Vehicle.plate).where(
                Vehicle.id.in_({d.vehicle_id for d in deployments if d.vehicle_id})
            )
        ).all()
    )

    def locate(shelter_id, code, warehouse_id=None) -> tuple[float | None, float | None]:
        warehouse = warehouses.get(warehouse_id) if warehouse_id else None
        if warehouse is not None:
            # A registered warehouse is where it says it is, else at its kelurahan.
            if warehouse.lat is not None and warehouse.lng is not None:
                return warehouse.lat, warehouse.lng
            point = points.get(warehouse.kelurahan_code or "")
            if point and point[0] is not None:
                return point[0], point[1]
        if shelter_id and shelter_id in shelters:
            _name, lat, lng, shelter_code, _status = shelters[shelter_id]
            if lat is not None and lng is not None:
                return lat, lng
            code = code or shelter_code
        point = points.get(code or "")
        return (point[0], point[1]) if point else (None, None)

    places: dict[tuple, BoardPlace] = {}
    entries = []
    for deployment in deployments:
        key = _place_key(deployment)
        label = place_label(deployment, names)
        place = places.get(key)
        if place is None:
            warehouse_id = key[1] if key[0] == "warehouse" else None
            lat, lng = locate(deployment.shelter_id, deployment.kelurahan_code, warehouse_id)
            place = places[key] = BoardPlace(
                key=key,
                kind=deployment.place_kind,
                label=label,
                lat=lat,
                lng=lng,
                shelter_id=deployment.shelter_id,
                kelurahan_code=deployment.kelurahan_code,
                warehouse_id=warehouse_id,
            )
        phase = deployment_phase(deployment)
        entry = BoardEntry(
            deployment=deployment,
            member=deployment.member,
            phase=phase,
            place_key=key,
            place_label=label,
            vehicle_plate=plates.get(deployment.vehicle_id, ""),
            late=phase == "direncanakan" and deployment.starts_at + CHECK_IN_GRACE <= now,
        )
        entries.append(entry)
        if phase == "bertugas":
            place.on_duty.append(entry)
        elif phase == "direncanakan":
            place.planned.append(entry)
        else:
            place.finished.append(entry)

    shelter_competency = get_competency(PLACE_COMPETENCY["shelter"])
    for summary in summaries:
        key = ("shelter", summary.id)
        place = places.get(key)
        if place is None:
            lat, lng = locate(summary.id, summary.kelurahan_code)
            place = places[key] = BoardPlace(
                key=key,
                kind="shelter",
                label=f"{PLACE_KINDS['shelter']}: {summary.name}",
                lat=lat,
                lng=lng,
                shelter_id=summary.id,
                kelurahan_code=summary.kelurahan_code,
            )
        place.persons = summary.persons
        place.counted_on = summary.counted_on
        if not place.on_duty:
            place.gap = True
            place.competency = shelter_competency
            if shelter_competency is not None:
                place.suggestions = suggest_members(
                    shelter_competency.code, lat=place.lat, lng=place.lng, at=now
                )

    kind_order = list(PLACE_KINDS)
    ordered = sorted(
        places.values(), key=lambda p: (not p.gap, kind_order.index(p.kind), p.label.lower())
    )
    by_role: dict[str, list[BoardEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.deployment.role.lower(), e.member.name)):
        by_role[entry.deployment.role].append(entry)
    return RosterBoard(event=event, now=now, places=ordered, by_role=dict(by_role), entries=entries)


def board_map_places(board: RosterBoard, url_for_deployment=None) -> list[dict]:
    """Plain dicts for geo.deployment_map: one per place with a location, who is there."""
    result = []
    for place in board.places:
        if place.lat is None or place.lng is None:
            continue
        people = [
            {
                "name": e.member.name,
                "role": e.deployment.role,
                "state": e.phase,
                "state_label": e.phase_label,
                "url": url_for_deployment(e.deployment.id) if url_for_deployment else "",
            }
            for e in place.on_duty + place.planned + place.finished
        ]
        if place.on_duty:
            state = "bertugas"
        elif place.gap:
            state = "kosong"
        elif place.planned:
            state = "direncanakan"
        else:
            state = "selesai"
        result.append(
            {
                "name": place.label,
                "kind": place.kind_label,
                "lat": place.lat,
                "lng": place.lng,
                "state": state,
                "people": people,
            }
        )
    return result


# --- Kampung Siaga Bencana ------------------------------------------------------------------------

KSB_FIELDS = (
    "name",
    "kelurahan_code",
    "formed_year",
    "facilitation_years",
    "decree_number",
    "contact_name",
    "contact_phone",
    "warehouse_id",
    "active",
)


def get_ksb(ksb_id: int) -> KampungSiagaBencana:
    """A KSB by id, or NotFound."""
    ksb = db.session.get(KampungSiagaBencana, ksb_id)
    if ksb is None:
        raise NotFound(f"Kampung Siaga Bencana {ksb_id} tidak ditemukan.")
    return ksb


def _years(value, formed_year: int | None, this_year: int) -> list[int]:
    if inputs.is_blank(value):
        return []
    items = re.split(r"[,;\s]+", value.strip()) if isinstance(value, str) else list(value)
    years = set()
    for item in items:
        if inputs.is_blank(item):
            continue
        year = inputs.whole_number(item, "facilitation_years", "Tahun pembinaan")
        if year is None or not FIRST_KSB_YEAR <= year <= this_year:
            raise DomainError(
                f"Tahun pembinaan '{item}' harus antara {FIRST_KSB_YEAR} dan {this_year}.",
                field="facilitation_years",
            )
        if formed_year is not None and year < formed_year:
            raise DomainError(
                f"Tahun pembinaan {year} sebelum tahun terbentuk ({formed_year}).",
                field="facilitation_years",
            )
        years.add(year)
    return sorted(years)


def _ksb_values(values: Mapping, ksb: KampungSiagaBencana | None = None) -> dict:
    unknown = sorted(set(values) - set(KSB_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    this_year = office_today().year
    parsed: dict = {}
    if "name" in values:
        parsed["name"] = clean_text(values["name"], "name", "Nama KSB", 200, required=True)
    if "kelurahan_code" in values:
        parsed["kelurahan_code"] = require_kelurahan(values["kelurahan_code"]).code
        other = db.session.scalar(
            select(KampungSiagaBencana).where(
                KampungSiagaBencana.kelurahan_code == parsed["kelurahan_code"],
                KampungSiagaBencana.id != (ksb.id if ksb is not None else -1),
            )
        )
        if other is not None:
            raise Conflict(
                f"Kelurahan/desa ini sudah punya KSB '{other.name}'; satu KSB per "
                "kelurahan/desa. Ubah data KSB itu bila perlu.",
                field="kelurahan_code",
            )
    if "formed_year" in values:
        year = inputs.whole_number(
            values["formed_year"], "formed_year", "Tahun terbentuk", required=True
        )
        if not FIRST_KSB_YEAR <= year <= this_year:
            raise DomainError(
                f"Tahun terbentuk harus antara {FIRST_KSB_YEAR} dan {this_year}.",
                field="formed_year",
            )
        parsed["formed_year"] = year
    formed = parsed.get("formed_year", ksb.formed_year if ksb is not None else None)
    if "facilitation_years" in values:
        parsed["facilitation_years"] = _years(values["facilitation_years"], formed, this_year)
    elif "formed_year" in parsed and ksb is not None:
        _years(ksb.facilitation_years, formed, this_year)
    if "decree_number" in values:
        parsed["decree_number"] = clean_text(
            values["decree_number"], "decree_number", "Nomor SK", 120
        )
    if "contact_name" in values:
        parsed["contact_name"] = clean_text(
            values["contact_name"], "contact_name", "Nama kontak", 160
        )
    if "contact_phone" in values:
        parsed["contact_phone"] = _phone(values["contact_phone"], "contact_phone", "Telepon kontak")
    if "warehouse_id" in values:
        parsed["warehouse_id"] = _lumbung_sosial(values["warehouse_id"], ksb)
    if "active" in values:
        parsed["active"] = inputs.flag(values["active"], "active", "Aktif", lenient=True)
    return parsed


def _lumbung_sosial(value, ksb: KampungSiagaBencana | None) -> int | None:
    """The KSB's lumbung sosial: a warehouse of tier lumbung_sosial, active (the current link
    may stay after the warehouse is deactivated) and not the lumbung sosial of another KSB."""
    label = "Lumbung sosial"
    warehouse = get_warehouse(value, "warehouse_id", label)
    if warehouse is None:
        return None
    if warehouse.tier != LUMBUNG_SOSIAL:
        tier = WAREHOUSE_TIERS.get(warehouse.tier, warehouse.tier)
        raise DomainError(
            f"Gudang '{warehouse.name}' ({warehouse.code}) tercatat sebagai {tier}, bukan "
            "lumbung sosial; pilih gudang bertingkat lumbung sosial.",
            field="warehouse_id",
        )
    unchanged = ksb is not None and ksb.warehouse_id == warehouse.id
    if not warehouse.active and not unchanged:
        raise DomainError(
            f"Lumbung sosial '{warehouse.name}' ({warehouse.code}) tidak aktif; pilih yang lain.",
            field="warehouse_id",
        )
    other = db.session.scalar(
        select(KampungSiagaBencana).where(
            KampungSiagaBencana.warehouse_id == warehouse.id,
            KampungSiagaBencana.id != (ksb.id if ksb is not None and ksb.id else -1),
        )
    )
    if other is not None:
        raise Conflict(
            f"Lumbung sosial '{warehouse.name}' ({warehouse.code}) sudah ditautkan ke KSB "
            f"'{other.name}'; satu lumbung sosial untuk satu KSB. Lepaskan tautan di KSB itu "
            "lebih dulu bila perlu.",
            field="warehouse_id",
            details={"ksb_id": other.id},
        )
    return warehouse.id


def lumbung_choices(ksb: KampungSiagaBencana | None = None) -> list[Warehouse]:
    """Active lumbung sosial warehouses no other KSB uses (and the KSB's own), by name."""
    own = ksb.warehouse_id if ksb is not None and ksb.warehouse_id else -1
    taken = select(KampungSiagaBencana.warehouse_id).where(
        KampungSiagaBencana.warehouse_id.is_not(None),
        KampungSiagaBencana.id != (ksb.id if ksb is not None and ksb.id else -1),
    )
    query = select(Warehouse).where(
        Warehouse.tier == LUMBUNG_SOSIAL,
        or_(Warehouse.id == own, Warehouse.active.is_(True) & Warehouse.id.not_in(taken)),
    )
    return list(db.session.scalars(query.order_by(Warehouse.name, Warehouse.code)))


def ksb_warehouses(items: Iterable[KampungSiagaBencana]) -> dict[int, Warehouse]:
    """warehouse id -> Warehouse of the KSB's lumbung sosial, in one query."""
    ids = {k.warehouse_id for k in items if k.warehouse_id}
    if not ids:
        return {}
    return {w.id: w for w in db.session.scalars(select(Warehouse).where(Warehouse.id.in_(ids)))}


def register_ksb(
    *,
    name: str,
    kelurahan_code: str,
    formed_year: int | str,
    facilitation_years: Iterable[int] | str | None = None,
    decree_number: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    warehouse_id: int | None = None,
    active: bool = True,
) -> KampungSiagaBencana:
    """Register a Kampung Siaga Bencana; one per kelurahan/desa.

    Its lumbung sosial (warehouse_id, optional) is a registered warehouse of tier
    lumbung_sosial, active and not linked to another KSB (Conflict naming that KSB).
    """
    values = _ksb_values(
        {
            "name": name,
            "kelurahan_code": kelurahan_code,
            "formed_year": formed_year,
            "facilitation_years": facilitation_years,
            "decree_number": decree_number,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "warehouse_id": warehouse_id,
            "active": active,
        }
    )
    ksb = KampungSiagaBencana(**values)
    db.session.add(ksb)
    db.session.flush()
    return ksb


def update_ksb(ksb: KampungSiagaBencana, **changes) -> KampungSiagaBencana:
    """Change the given fields of a KSB; the same checks as register_ksb."""
    values = _ksb_values(changes, ksb)
    for key, value in values.items():
        setattr(ksb, key, value)
    db.session.flush()
    return ksb


def ksb_query(kecamatan_code: str = "", q: str = ""):
    """A select of KSB, optionally within a kecamatan and matching a name."""
    query = select(KampungSiagaBencana)
    if kecamatan_code:
        query = query.where(KampungSiagaBencana.kelurahan_code.startswith(kecamatan_code))
    if q.strip():
        query = query.where(KampungSiagaBencana.name.ilike(f"%{q.strip()}%"))
    return query.order_by(KampungSiagaBencana.kelurahan_code, KampungSiagaBencana.name)


# --- Vehicles -------------------------------------------------------------------------------------

VEHICLE_FIELDS = ("plate", "kind", "assigned_unit", "active")


def get_vehicle(vehicle_id: int) -> Vehicle:
    """A vehicle by id, or NotFound."""
    vehicle = db.session.get(Vehicle, vehicle_id)
    if vehicle is None:
        raise NotFound(f"Kendaraan {vehicle_id} tidak ditemukan.")
    return vehicle


def normalize_plate(value) -> str:
    """'b1234xyz', 'B-1234-XYZ' -> 'B 1234 XYZ' (the way it is painted on the plate)."""
    text = re.sub(r"[^A-Za-z0-9]", "", str(value or "")).upper()
    match = re.fullmatch(r"([A-Z]{1,2})(\d{1,4})([A-Z]{0,3})", text)
    if not match:
        raise DomainError(
            f"Nomor polisi '{value}' tidak valid; tulis seperti B 1234 XYZ.", field="plate"
        )
    return " ".join(part for part in match.groups() if part)


def _vehicle_values(values: Mapping, vehicle: Vehicle | None = None) -> dict:
    unknown = sorted(set(values) - set(VEHICLE_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])
    parsed: dict = {}
    if "plate" in values:
        plate = normalize_plate(values["plate"])
        other = db.session.scalar(select(Vehicle).where(Vehicle.plate == plate))
        if other is not None and (vehicle is None or other.id != vehicle.id):
            raise Conflict(f"Kendaraan {plate} sudah terdaftar.", field="plate")
        parsed["plate"] = plate
    if "kind" in values:
        parsed["kind"] = clean_text(values["kind"], "kind", "Jenis kendaraan", 60, required=True)
    if "assigned_unit" in values:
        parsed["assigned_unit"] = clean_text(
            values["assigned_unit"], "assigned_unit", "Unit pemegang", 120
        )
    if "active" in values:
        parsed["active"] = inputs.flag(values["active"], "active", "Aktif", lenient=True)
    return parsed


def register_vehicle(
    *, plate: str, kind: str, assigned_unit: str = "", active: bool = True
) -> Vehicle:
    """Register an office vehicle; the plate is normalised and unique."""
    values = _vehicle_values(
        {"plate": plate, "kind": kind, "assigned_unit": assigned_unit, "active": active}
    )
    vehicle = Vehicle(**values)
    db.session.add(vehicle)
    db.session.flush()
    return vehicle


def update_vehicle(vehicle: Vehicle, **changes) -> Vehicle:
    """Change the given fields of a vehicle; the same checks as register_vehicle."""
    values = _vehicle_values(changes, vehicle)
    for key, value in values.items():
        setattr(vehicle, key, value)
    db.session.flush()
    return vehicle


def vehicles_query(q: str = "", active: str = ""):
    """Vehicles by plate; q matches plate, kind or unit; active is "ya", "tidak" or ""."""
    query = select(Vehicle)
    text = q.strip()
    if text:
        query = query.where(
            or_(
                Vehicle.plate.ilike(f"%{text}%"),
                Vehicle.kind.ilike(f"%{text}%"),
                Vehicle.assigned_unit.ilike(f"%{text}%"),
            )
        )
    if active == "ya":
        query = query.where(Vehicle.active.is_(True))
    elif active == "tidak":
        query = query.where(Vehicle.active.is_(False))
    return query.order_by(Vehicle.plate)


def vehicle_choices(include_id: int | None = None) -> list[Vehicle]:
    """Active vehicles (and the current one) for a select, by plate."""
    query = select(Vehicle).where(or_(Vehicle.active.is_(True), Vehicle.id == (include_id or -1)))
    return list(db.session.scalars(query.order_by(Vehicle.plate)))


# --- Year figures ---------------------------------------------------------------------------------


@dataclass
class LevelRow:
    """Active members of one level, by sex."""

    level: str
    label: str
    men: int = 0
    women: int = 0

    @property
    def total(self) -> int:
        return self.men + self.women


@dataclass
class EventDays:
    """Deployments and person-days of one event within the year."""

    event_id: int
    code: str
    title: str
    deployments: int = 0
    members: int = 0
    person_days: int = 0


@dataclass
class YearFigures:
    """What the office reports about Tagana and KSB for one calendar year."""

    year: int
    levels: list[LevelRow]
    trained_members: int
    trainings: int
    events: list[EventDays]
    ksb_total: int
    ksb_formed: int
    ksb_facilitated: int
    deployed_members: int = 0
    ksb_with_lumbung: int = 0  # active KSB with a lumbung sosial linked

    @property
    def members_total(self) -> int:
        return sum(row.total for row in self.levels)

    @property
    def men(self) -> int:
        return sum(row.men for row in self.levels)

    @property
    def women(self) -> int:
        return sum(row.women for row in self.levels)

    @property
    def deployments(self) -> int:
        return sum(e.deployments for e in self.events)

    @property
    def person_days(self) -> int:
        return sum(e.person_days for e in self.events)

    def summary_rows(self) -> list[tuple[str, int]]:
        return [
            ("Anggota aktif", self.members_total),
            ("Anggota aktif laki-laki", self.men),
            ("Anggota aktif perempuan", self.women),
            ("Anggota yang mengikuti pelatihan", self.trained_members),
            ("Pelatihan diikuti", self.trainings),
            ("Penugasan (pengerahan)", self.deployments),
            ("Anggota yang ditugaskan", self.deployed_members),
            ("Hari-orang penugasan", self.person_days),
            ("KSB aktif", self.ksb_total),
            ("KSB terbentuk tahun ini", self.ksb_formed),
            ("KSB dibina tahun ini", self.ksb_facilitated),
            ("KSB aktif dengan lumbung sosial", self.ksb_with_lumbung),
        ]


def year_figures(year: int, *, now: datetime | None = None) -> YearFigures:
    """Members by level and sex, trained members, deployments and person-days per event, KSB.

    Members counted are those active now who had joined by the end of the year (joined_on,
    else the decree date, else the day they were registered); the roster keeps no history of
    when a member became inactive. Person-days follow person_days() clipped to the year.
    """
    if not 2000 <= year <= 2100:
        raise DomainError("Tahun harus antara 2000 dan 2100.", field="year")
    now = now or utcnow()
    year_end = date(year, 12, 31)
    levels = {key: LevelRow(key, label) for key, label in LEVELS.items()}
    members = db.session.scalars(select(TaganaMember).where(TaganaMember.active.is_(True)))
    for member in members:
        joined = member.joined_on or member.decree_date or office_date(member.created_at)
        if joined > year_end:
            continue
        row = levels[member.level]
        if member.sex == "L":
            row.men += 1
        else:
            row.women += 1
    trained, trainings = db.session.execute(
        select(func.count(func.distinct(Training.member_id)), func.count(Training.id)).where(
            Training.started_on >= date(year, 1, 1), Training.started_on <= year_end
        )
    ).one()

    zone = office_zone()
    # Stored times are UTC: widen the window by a day on each side and clip by office dates.
    window_start = datetime.combine(date(year, 1, 1), time(0), tzinfo=zone).astimezone(UTC)
    window_end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=zone).astimezone(UTC)
    window_start = window_start.replace(tzinfo=None) - timedelta(days=1)
    window_end = window_end.replace(tzinfo=None) + timedelta(days=1)
    rows = db.session.execute(
        select(Deployment, Event)
        .join(Event, Event.id == Deployment.event_id)
        .where(
            Deployment.status != "dibatalkan",
            or_(Deployment.starts_at < window_end, Deployment.checked_in_at < window_end),
            or_(
                Deployment.checked_out_at.is_(None),
                Deployment.checked_out_at >= window_start,
            ),
        )
        .order_by(Event.started_at, Event.id)
    ).all()
    per_event: dict[int, EventDays] = {}
    members_per_event: dict[int, set] = defaultdict(set)
    deployed = set()
    for deployment, event in rows:
        days = person_days(deployment, now=now, year=year)
        if days == 0:
            continue  # not worked in this year (yet)
        item = per_event.setdefault(event.id, EventDays(event.id, event.code, event.title))
        item.deployments += 1
        item.person_days += days
        members_per_event[event.id].add(deployment.member_id)
        deployed.add(deployment.member_id)
    for event_id, item in per_event.items():
        item.members = len(members_per_event[event_id])

    ksb_rows = list(db.session.scalars(select(KampungSiagaBencana)))
    return YearFigures(
        year=year,
        levels=list(levels.values()),
        trained_members=int(trained or 0),
        trainings=int(trainings or 0),
        events=list(per_event.values()),
        ksb_total=sum(1 for k in ksb_rows if k.active and k.formed_year <= year),
        ksb_formed=sum(1 for k in ksb_rows if k.formed_year == year),
        ksb_facilitated=sum(1 for k in ksb_rows if year in (k.facilitation_years or [])),
        deployed_members=len(deployed),
        ksb_with_lumbung=sum(
            1 for k in ksb_rows if k.active and k.formed_year <= year and k.warehouse_id
        ),
    )


# --- Documents ------------------------------------------------------------------------------------


def html_to_pdf(html: str, base_url: str) -> bytes:
    """A PDF of an HTML document (WeasyPrint); imported here so app start-up stays light."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
