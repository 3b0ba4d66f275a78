"""Today's sitrep in one tap: its files are made once a day, later taps find the same report."""

from datetime import date

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import scope_key
from logistics.core.job_models import JobRecord
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.events.models import Event
from logistics.reports import files as report_files
from logistics.reports import sitrep

# The Kepala Dinas forwards the day's report himself: pimpinan may have it made (page and API)
# but writes no notes.
CREATOR_ROLES = (*OFFICE_ROLES, "pimpinan")


def todays_report(
    event: Event, scope: Scope = WHOLE_OFFICE
) -> tuple[date, JobRecord | bool | None]:
    """The event's current report day and what exists for it in the scope: True when its files
    are made, the unfinished job making them, or None when neither (still to be made)."""
    day = sitrep.default_day(event)
    key = sitrep.report_key(event.id, day)
    if report_files.latest_of_kind(sitrep.KIND, key, scope_key(scope)):
        return day, True
    return day, sitrep.pending_job(event.id, day, scope)
