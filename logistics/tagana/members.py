"""Tagana members: competencies, registration and changes, the member list and its choices."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from logistics.admin.models import User
from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_today
from logistics.tagana.models import LEVELS, Competency, TaganaMember
from logistics.tagana.parsing import clean_text, parse_day, parse_id, parse_phone

SEXES = {"L": "Laki-laki", "P": "Perempuan"}


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
    user_id = parse_id(value, "user_id", "Akun pengguna")
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
        "phone": lambda v: parse_phone(v, "phone", "Nomor telepon"),
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


@dataclass
class MemberFilters:
    """The member list's filters; every one optional."""

    q: str = ""
    level: str = ""
    competency: str = ""
    kecamatan_code: str = ""
    active: str = ""  # "ya", "tidak" or "" for both
    # Members living in the user's wilayah, and those of no recorded home (the office's own).
    scope: Scope = WHOLE_OFFICE


def members_query(filters: MemberFilters):
    """A select of members matching the filters, by name."""
    query = select(TaganaMember).options(selectinload(TaganaMember.competencies))
    query = filters.scope.narrow_covering(query, TaganaMember.home_kelurahan_code)
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


def member_choices(
    include_id: int | None = None, scope: Scope = WHOLE_OFFICE
) -> list[TaganaMember]:
    """Active members of the wilayah (and the current one, even if inactive) for a select, by
    name."""
    query = select(TaganaMember).where(
        or_(TaganaMember.active.is_(True), TaganaMember.id == (include_id or -1))
    )
    query = scope.narrow_covering(query, TaganaMember.home_kelurahan_code)
    return list(db.session.scalars(query.order_by(TaganaMember.name)))


def active_member_count(scope: Scope = WHOLE_OFFICE) -> int:
    """How many members of the wilayah are active."""
    query = select(func.count(TaganaMember.id)).where(TaganaMember.active.is_(True))
    return db.session.scalar(scope.narrow_covering(query, TaganaMember.home_kelurahan_code))


def member_area_codes(member_id: int) -> list[str | None] | None:
    """The member's home kelurahan, for the scope guard (None: no such member)."""
    row = db.session.execute(
        select(TaganaMember.id, TaganaMember.home_kelurahan_code).where(
            TaganaMember.id == member_id
        )
    ).first()
    return None if row is None else [row.home_kelurahan_code]


def list_members(filters: MemberFilters, *, limit: int | None = None) -> list[TaganaMember]:
    """The members matching the filters, by name (the first `limit` of them when given)."""
    query = members_query(filters)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def member_page(filters: MemberFilters, page: int, size: int) -> tuple[list[TaganaMember], int]:
    """One page of the members matching the filters, and how many match in all."""
    query = members_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.limit(size).offset((page - 1) * size))), total


def linked_user(member: TaganaMember) -> User | None:
    """The login account linked to a member, if any."""
    return db.session.get(User, member.user_id) if member.user_id else None


def competency_codes() -> dict[int, str]:
    """competency id -> code, for every competency."""
    return dict(db.session.execute(select(Competency.id, Competency.code)).all())
