"""The Tagana volunteer's day on the home page: the deployments of their member record today."""

from datetime import UTC, datetime, time, timedelta

from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_today, office_zone
from logistics.tagana import deployments, members, places

# Phases a volunteer still acts on; a finished deployment stays on "Tugas saya" only.
OPEN_PHASES = ("bertugas", "direncanakan", "menunggu_laporan")


def _today_utc() -> tuple[datetime, datetime]:
    """Today's office calendar day as naive UTC bounds, as timestamps are stored."""
    start = datetime.combine(office_today(), time(0), office_zone())
    start = start.astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def todays_tasks(user, scope: Scope = WHOLE_OFFICE) -> dict:
    """The member linked to the account and their open deployments that touch today (or are on
    duty now, whatever the plan said), on duty first; None as member when the account has none.
    Deployments for an event outside the user's wilayah are not shown, only counted
    (`elsewhere`), so the volunteer knows to ask the coordinator who sent them."""
    member = members.member_for_user(user)
    if member is None:
        return {"member": None, "tasks": [], "later": 0, "elsewhere": 0}
    start, end = _today_utc()
    rows = deployments.my_deployments(user)
    elsewhere = 0
    names = places.place_names(d for d, _event in rows)
    tasks, later = [], 0
    for deployment, event in rows:
        phase = deployments.deployment_phase(deployment)
        if phase not in OPEN_PHASES:
            continue
        if not scope.sees_covering(event.area_code):
            elsewhere += 1
            continue
        began, ended = deployments.effective_period(deployment)
        today = began < end and (ended is None or ended > start)
        if phase == "direncanakan" and began >= end:
            later += 1
        if not (today or phase in ("bertugas", "menunggu_laporan")):
            continue
        tasks.append(
            {
                "d": deployment,
                "event": event,
                "phase": phase,
                "label": places.place_label(deployment, names),
            }
        )
    return {"member": member, "tasks": tasks, "later": later, "elsewhere": elsewhere}
