"""Tagana deployments (pengerahan): the surat tugas with its place, period and vehicle, the
overlap rule, the deployment list and person-days."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from logistics.admin.models import User
from logistics.areas.services import require_kelurahan
from logistics.budget.models import BudgetNode
from logistics.budget.tree_cache import resolve_sub_kegiatan
from logistics.core import inputs
from logistics.core.errors import Collector, Conflict, DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import moment, office_date, utcnow
from logistics.core.wording import istilah
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Warehouse
from logistics.tagana.duty import require_actor, require_member_actor
from logistics.tagana.members import member_for_user, resolve_competencies
from logistics.tagana.models import PLACE_KINDS, Deployment, TaganaMember, TaskReport, Vehicle
from logistics.tagana.parsing import clean_text, parse_id, when_text
from logistics.tagana.places import event_label, get_warehouse, place_label

# What a person sees of a deployment; derived from its status and check-in/check-out times.
PHASES = {
    "direncanakan": "Direncanakan",
    "bertugas": "Bertugas",
    "menunggu_laporan": "Menunggu laporan",
    "selesai": "Selesai",
    "dibatalkan": "Dibatalkan",
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


def overlaps(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


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
        if overlaps(starts_at, ends_at, other_start, other_end):
            return other
    return None


def _overlap_conflict(member: TaganaMember, other: Deployment) -> Conflict:
    start, end = effective_period(other)
    until = when_text(end) if end else "belum check-out (tanpa waktu selesai)"
    return Conflict(
        f"{member.name} sudah ditugaskan pada waktu yang bertumpuk: penugasan #{other.id} "
        f"({place_label(other)}, {other.role}, surat tugas {other.letter_number}, "
        f"{event_label(other.event_id)}) dari {when_text(start)} sampai {until}. Ubah waktunya, "
        "atau akhiri/batalkan penugasan itu lebih dulu.",
        field="starts_at",
        details={"conflicting_deployment_id": other.id},
    )


def _deployment_values(values: Mapping, event: Event, current: Deployment | None = None) -> dict:
    """Validate deployment fields into column values; missing keys keep the current values.

    The checks run in the order of the form (place, role, letter, competency, period,
    sub-kegiatan, vehicle) and their refusals are raised together, so a person fixes them all
    in one go.
    """
    unknown = sorted(set(values) - set(DEPLOYMENT_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])

    def pick(key, default=None):
        if key in values:
            return values[key]
        return getattr(current, key) if current is not None else default

    errors = Collector()
    parsed = errors.check(_place_values, values, pick, event, current) or {}
    parsed["role"] = errors.check(
        clean_text, pick("role", ""), "role", "Peran/tugas", 120, required=True
    )
    parsed["letter_number"] = errors.check(
        clean_text,
        pick("letter_number", ""),
        "letter_number",
        "Nomor surat tugas",
        120,
        required=True,
    )
    parsed["competency_id"] = errors.check(_competency_id, values, current)
    parsed["starts_at"], parsed["ends_at"] = errors.check(_period, pick, current) or (None, None)
    if "sub_kegiatan" in values:
        parsed["sub_kegiatan_id"] = errors.check(resolve_sub_kegiatan, values["sub_kegiatan"])
    else:
        parsed["sub_kegiatan_id"] = current.sub_kegiatan_id if current is not None else None
    parsed["vehicle_id"] = errors.check(_vehicle_id, pick("vehicle_id"), current)
    errors.raise_any()
    return parsed


def _place_values(values: Mapping, pick, event: Event, current: Deployment | None) -> dict:
    """place_kind, shelter_id, kelurahan_code, place_name and warehouse_id of a deployment."""
    kind = pick("place_kind")
    kind = kind.strip() if isinstance(kind, str) else kind
    if kind not in PLACE_KINDS:
        raise DomainError(
            f"Jenis tempat wajib dipilih: {', '.join(PLACE_KINDS.values())}.", field="place_kind"
        )
    shelter_id = parse_id(pick("shelter_id"), "shelter_id", "Tempat pengungsian")
    code = pick("kelurahan_code")
    code = None if inputs.is_blank(code) else require_kelurahan(str(code)).code
    place_name = clean_text(pick("place_name", ""), "place_name", "Nama tempat", 200)
    if shelter_id is not None:
        _check_shelter(shelter_id, event, current)
    warehouse_id = _deployment_warehouse(values, kind, current)
    _require_place(kind, shelter_id, code, place_name, warehouse_id)
    return {
        "place_kind": kind,
        "shelter_id": shelter_id,
        "kelurahan_code": code,
        "place_name": place_name,
        "warehouse_id": warehouse_id,
    }


def _check_shelter(shelter_id: int, event: Event, current: Deployment | None) -> None:
    """The shelter exists, belongs to this event (or none) and is open when newly chosen."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise DomainError(f"Tempat pengungsian {shelter_id} tidak ditemukan.", field="shelter_id")
    if shelter.event_id not in (None, event.id):
        raise DomainError(
            f"Tempat pengungsian '{shelter.name}' tercatat untuk kejadian lain "
            f"({event_label(shelter.event_id)}); pilih tempat dari kejadian ini.",
            field="shelter_id",
        )
    changed = current is None or current.shelter_id != shelter_id
    if changed and shelter.status != "buka":
        raise DomainError(
            f"Tempat pengungsian '{shelter.name}' sudah ditutup; buka kembali tempat itu "
            "atau pilih tempat lain.",
            field="shelter_id",
        )


def _require_place(
    kind: str, shelter_id: int | None, code: str | None, place_name: str, warehouse_id: int | None
) -> None:
    """Each kind of place needs its own way of saying where."""
    if kind == "shelter" and shelter_id is None:
        raise DomainError("Pilih tempat pengungsian tujuan penugasan.", field="shelter_id")
    if kind == "kelurahan" and code is None:
        raise DomainError(
            f"Isi kode {istilah('wilayah')} tujuan penugasan.", field="kelurahan_code"
        )
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


def _competency_id(values: Mapping, current: Deployment | None) -> int | None:
    if "competency" not in values:
        return current.competency_id if current is not None else None
    competency_value = values["competency"]
    found = resolve_competencies([competency_value], field="competency") if competency_value else []
    return found[0].id if found else None


def _period(pick, current: Deployment | None) -> tuple[datetime, datetime | None]:
    """Start and end of the deployment; the end after the start and after any check-in."""
    starts_at = moment(pick("starts_at"), "starts_at", "Mulai tugas")
    if starts_at is None:
        raise DomainError("Waktu mulai tugas wajib diisi.", field="starts_at")
    ends_at = moment(pick("ends_at"), "ends_at", "Selesai tugas")
    if ends_at is not None and ends_at <= starts_at:
        raise DomainError(
            f"Waktu selesai ({when_text(ends_at)}) harus sesudah waktu mulai "
            f"({when_text(starts_at)}); kosongkan bila belum diketahui.",
            field="ends_at",
        )
    if (
        current is not None
        and current.checked_in_at
        and ends_at
        and ends_at <= current.checked_in_at
    ):
        raise DomainError(
            f"Waktu selesai harus sesudah check-in ({when_text(current.checked_in_at)}).",
            field="ends_at",
        )
    return starts_at, ends_at


def _vehicle_id(value, current: Deployment | None) -> int | None:
    """A registered vehicle, active unless it is the one already on the deployment."""
    vehicle_id = parse_id(value, "vehicle_id", "Kendaraan")
    if vehicle_id is not None:
        vehicle = db.session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise DomainError(f"Kendaraan {vehicle_id} tidak ditemukan.", field="vehicle_id")
        if not vehicle.active and (current is None or current.vehicle_id != vehicle_id):
            raise DomainError(
                f"Kendaraan {vehicle.plate} tidak aktif; pilih kendaraan lain.", field="vehicle_id"
            )
    return vehicle_id


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


def _lock_member(member_id) -> TaganaMember:
    """The member row, locked until commit on PostgreSQL: two coordinators deploying the same
    person at the same moment are checked one after the other (SQLite serialises writers)."""
    number = parse_id(member_id, "member_id", "Anggota")
    if number is None:
        raise DomainError("Pilih anggota yang ditugaskan.", field="member_id")
    member = db.session.scalar(
        select(TaganaMember).where(TaganaMember.id == number).with_for_update()
    )
    if member is None:
        raise DomainError(f"Anggota Tagana {number} tidak ditemukan.", field="member_id")
    return member


def _member_to_deploy(member_id, actor) -> TaganaMember:
    """The member row (locked), once `actor` may deploy them: the office anyone, a tagana user
    only themself."""
    member = _lock_member(member_id)
    require_member_actor(
        member,
        actor,
        "menugaskan",
        f"{member.name} bukan anggota yang terhubung dengan akun Anda; Anda hanya dapat "
        "menugaskan diri sendiri.",
    )
    return member


def _sent_before(client: str | None, member_id) -> Deployment | None:
    """The deployment a phone already sent under this client_id (a retry), if any; the same
    client_id for another member is refused."""
    if client is None:
        return None
    existing = db.session.scalar(select(Deployment).where(Deployment.client_id == client))
    if existing is not None and existing.member_id != parse_id(member_id, "member_id", "Anggota"):
        raise Conflict(
            f"client_id '{client}' sudah dipakai untuk penugasan lain.", field="client_id"
        )
    return existing


def _deployment_event(event_id) -> Event:
    event_number = parse_id(event_id, "event_id", "Kejadian")
    event = db.session.get(Event, event_number) if event_number else None
    if event is None:
        raise DomainError("Pilih kejadian bencana yang benar.", field="event_id")
    return event


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
    actor,
    client_id: str | None = None,
    sub_kegiatan: str | None = None,
) -> Deployment:
    """Deploy a member to a place for an event under a surat tugas (pengerahan).

    `sub_kegiatan` is the code (either written form) of the sub-kegiatan that pays for it, if any.

    Place rules: 'shelter' needs shelter_id (an open shelter of this event or of no event),
    'kelurahan' needs kelurahan_code, 'gudang' a registered active warehouse (warehouse_id) or,
    for one not registered yet, place_name or a shelter, and 'dapur_umum'/'posko' need
    place_name unless a shelter is given. Refused: an inactive member, an end not after the
    start, and a period that overlaps another deployment of the member in any event (Conflict
    naming it; open-ended deployments run until checked out). A repeated client_id returns the first deployment.
    `actor` deploys: the office deploys anyone, a tagana user only themself (the member linked
    to their account; Forbidden otherwise). The caller commits.
    """
    client = inputs.client_id(client_id)
    existing = _sent_before(client, member_id)
    if existing is not None:
        require_actor(existing, actor, "menugaskan")
        return existing
    member = _member_to_deploy(member_id, actor)
    event = _deployment_event(event_id)
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
        created_by_id=getattr(actor, "id", None),
        client_id=client,
        **values,
    )
    db.session.add(deployment)
    db.session.flush()
    return deployment


def update_deployment(deployment: Deployment, actor, **changes) -> Deployment:
    """Change the place, role, letter, period or vehicle of a deployment not yet closed.

    The member and the event stay: cancel and deploy again for another person or event.
    The overlap rule is checked again against the member's other deployments. A tagana user
    changes only their own deployments.
    """
    require_actor(deployment, actor, "mengubah")
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
    scope: Scope = WHOLE_OFFICE


def deployment_area():
    """Where a deployment lies, for the wilayah scope: its place (a typed kelurahan, its
    shelter's or warehouse's), else its event's area. Needs Event joined."""
    shelter = select(Shelter.kelurahan_code).where(Shelter.id == Deployment.shelter_id)
    warehouse = select(Warehouse.kelurahan_code).where(Warehouse.id == Deployment.warehouse_id)
    return func.coalesce(
        Deployment.kelurahan_code,
        shelter.scalar_subquery(),
        warehouse.scalar_subquery(),
        Event.area_code,
    )


def deployment_area_codes(deployment_id: int) -> list[str | None] | None:
    """The deployment's area, for the scope guard (None: no such deployment)."""
    row = db.session.execute(
        select(Deployment.id, deployment_area().label("code"))
        .join(Event, Event.id == Deployment.event_id)
        .where(Deployment.id == deployment_id)
    ).first()
    return None if row is None else [row.code]


def deployments_query(filters: DeploymentFilters):
    """A select of (Deployment, Event) rows matching the filters, newest start first."""
    query = (
        select(Deployment, Event)
        .join(Event, Event.id == Deployment.event_id)
        .join(TaganaMember, TaganaMember.id == Deployment.member_id)
    )
    query = filters.scope.narrow_covering(query, deployment_area())
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


def get_event(event_id: int) -> Event:
    """An event by id, or NotFound."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Kejadian {event_id} tidak ditemukan.")
    return event


def list_deployments(filters: DeploymentFilters, *, limit: int | None = None) -> list:
    """(Deployment, Event) rows matching the filters (the first `limit` of them when given)."""
    query = deployments_query(filters)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).all())


def deployment_page(filters: DeploymentFilters, page: int, size: int) -> tuple[list, int]:
    """One page of (Deployment, Event) rows matching the filters, and how many match in all."""
    query = deployments_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return list(db.session.execute(query.limit(size).offset((page - 1) * size)).all()), total


def deployment_sub_kegiatan(deployment: Deployment) -> BudgetNode | None:
    """The sub-kegiatan that pays for a deployment, if linked."""
    if not deployment.sub_kegiatan_id:
        return None
    return db.session.get(BudgetNode, deployment.sub_kegiatan_id)


def report_author(report: TaskReport) -> User | None:
    """The account that filed a task report, if known."""
    return db.session.get(User, report.submitted_by_id) if report.submitted_by_id else None
