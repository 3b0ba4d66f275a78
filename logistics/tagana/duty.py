"""A deployment on duty: check-in and check-out from the phone, cancelling, and the task report
that closes it."""

from datetime import datetime, timedelta

from sqlalchemy import select

from logistics.admin.models import OFFICE_ROLES
from logistics.core import inputs
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError, Forbidden, Warnings
from logistics.core.extensions import db
from logistics.core.time import moment, office_date, utcnow
from logistics.tagana.models import Deployment, TaganaMember, TaskReport
from logistics.tagana.parsing import clean_text, when_text
from logistics.tagana.places import place_label

# Phones' clocks drift; a check-in a few minutes "in the future" is accepted as now.
CLOCK_TOLERANCE = timedelta(minutes=5)
# Arriving the evening before, or staying on the day after, is normal; a check-in further from
# the schedule than this is more likely the wrong deployment or a wrong date: it asks to confirm.
SCHEDULE_SLACK = timedelta(days=1)
MAX_TEXT = 5000


def require_actor(deployment: Deployment, actor, action: str) -> None:
    """Office roles act on any deployment; a tagana user only on their own (else Forbidden)."""
    require_member_actor(
        deployment.member,
        actor,
        action,
        f"Penugasan #{deployment.id} milik {deployment.member.name}; Anda hanya dapat "
        f"{action} penugasan Anda sendiri.",
    )


def require_member_actor(member: TaganaMember, actor, action: str, refusal: str) -> None:
    """Office roles act for any member; a tagana user only for the member linked to their
    account (`refusal` says why not); any other role, or no actor at all, is refused."""
    role = getattr(actor, "role", None)
    if role in OFFICE_ROLES:
        return
    if role == "tagana":
        if member.user_id is not None and member.user_id == actor.id:
            return
        raise Forbidden(f"{refusal} Minta operator Dinas Sosial bila perlu dibantu.")
    raise Forbidden(f"Peran Anda tidak boleh {action} penugasan.")


def _action_time(at, now: datetime, field: str, label: str) -> datetime:
    when = moment(at, field, label) or now
    if when > now + CLOCK_TOLERANCE:
        raise DomainError(f"{label} tidak boleh di masa depan ({when_text(when)}).", field=field)
    return min(when, now)


def _schedule_warnings(deployment: Deployment, when: datetime, warnings: Warnings) -> None:
    """A check-in well before the deployment starts or after it ends."""
    start, end = deployment.starts_at, deployment.ends_at
    if when < start - SCHEDULE_SLACK:
        days = (office_date(start) - office_date(when)).days
        warnings.add(
            "check_in_before_schedule",
            f"Check-in {when_text(when)} adalah {days} hari sebelum jadwal penugasan dimulai "
            f"({when_text(start)}). Pastikan ini penugasan yang benar.",
            "at",
        )
    elif end is not None and when > end + SCHEDULE_SLACK:
        days = (office_date(when) - office_date(end)).days
        warnings.add(
            "check_in_after_schedule",
            f"Check-in {when_text(when)} adalah {days} hari setelah jadwal penugasan berakhir "
            f"({when_text(end)}). Pastikan ini penugasan yang benar.",
            "at",
        )


def check_in(
    deployment: Deployment,
    actor,
    *,
    lat: float | str | None = None,
    lng: float | str | None = None,
    at: datetime | str | None = None,
    now: datetime | None = None,
    confirm: bool = False,
) -> Deployment:
    """Record that the member arrived at the place (time and, when the phone gives it, where).

    Refused: a cancelled or already checked-in deployment, and a member still on duty
    elsewhere (check out there first). `at` lets a phone that was offline send the time it
    really happened; it may not lie in the future. A check-in far from the schedule is saved
    only with `confirm` (else NeedsConfirmation).
    """
    require_actor(deployment, actor, "check-in")
    now = now or utcnow()
    if deployment.status == "dibatalkan":
        raise Conflict(f"Penugasan #{deployment.id} sudah dibatalkan.")
    if deployment.checked_in_at is not None:
        raise Conflict(f"Sudah check-in pada {when_text(deployment.checked_in_at)}.")
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
            f"(penugasan #{elsewhere.id}, check-in {when_text(elsewhere.checked_in_at)}). "
            "Check-out dari sana lebih dulu."
        )
    warnings = Warnings(confirm)
    _schedule_warnings(deployment, when, warnings)
    warnings.check()
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
        raise Conflict(f"Sudah check-out pada {when_text(deployment.checked_out_at)}.")
    when = _action_time(at, now, "at", "Waktu check-out")
    if when < deployment.checked_in_at:
        raise DomainError(
            f"Waktu check-out tidak boleh sebelum check-in ({when_text(deployment.checked_in_at)}).",
            field="at",
        )
    deployment.checked_out_at = when
    db.session.flush()
    return deployment


def cancel_deployment(deployment: Deployment, actor, *, reason: str) -> Deployment:
    """Cancel a deployment that has not started (no check-in); the reason goes to the audit log.
    A tagana user cancels only their own deployments."""
    require_actor(deployment, actor, "membatalkan")
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
            f"{when_text(existing.submitted_at)}."
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
