"""Today's sitrep in one tap: its files are made once a day, later taps find the same report."""

from datetime import date

from logistics.admin.models import OFFICE_ROLES
from logistics.core.job_models import JobRecord
from logistics.events.models import Event
from logistics.reports import files as report_files
from logistics.reports import sitrep

# The Kepala Dinas forwards the day's report himself: pimpinan may have it made (page and API)
# but writes no notes.
CREATOR_ROLES = (*OFFICE_ROLES, "pimpinan")


def todays_report(event: Event) -> tuple[date, JobRecord | bool | None]:
    """The event's current report day and what exists for it: True when its files are made, the
    unfinished job making them, or None when neither (the day's report is still to be made)."""
    day = sitrep.default_day(event)
    if report_files.latest_of_kind(sitrep.KIND, sitrep.report_key(event.id, day)):
        return day, True
    return day, sitrep.pending_job(event.id, day)
