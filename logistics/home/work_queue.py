"""The office's work queue on the home page: what waits for an operator (and an admin), counted."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from logistics.admin.models import User
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.jobs import sees_all_jobs
from logistics.core.models import AuditEntry
from logistics.core.time import office_today, utcnow
from logistics.field.models import FieldDevice
from logistics.field.review import count_to_review
from logistics.shelters.models import Shelter, ShelterCount
from logistics.stock.models import StockDocument, StockLot
from logistics.victims.duplicates import likely_duplicates

EXPIRY_DAYS = 30
# Failed jobs older than this are history, not work.
FAILED_JOBS_DAYS = 7
# Likely duplicates are found in Python (name similarity); the count stops here.
DUPLICATES_LIMIT = 500


def transfers_in_transit() -> int:
    return db.session.scalar(
        select(func.count(StockDocument.id)).where(
            StockDocument.kind == "transfer", StockDocument.status == "in_transit"
        )
    )


def lots_expiring(days: int = EXPIRY_DAYS) -> int:
    """Lots still in stock expiring between today and `days` days on (as the expiry page)."""
    today = office_today()
    return db.session.scalar(
        select(func.count(StockLot.id)).where(
            StockLot.quantity > 0,
            StockLot.expiry_date >= today,
            StockLot.expiry_date <= today + timedelta(days=days),
        )
    )


def shelters_without_todays_count() -> int:
    """Open shelters with no head count dated today (office calendar)."""
    counted = select(ShelterCount.id).where(
        ShelterCount.shelter_id == Shelter.id, ShelterCount.counted_on == office_today()
    )
    return db.session.scalar(
        select(func.count(Shelter.id)).where(Shelter.status == "buka", ~counted.exists())
    )


def failed_jobs(user, days: int = FAILED_JOBS_DAYS) -> int:
    """Failed jobs of the last days the user may see (an admin every one, others their own)."""
    query = select(func.count(JobRecord.id)).where(
        JobRecord.status == "failed", JobRecord.created_at >= utcnow() - timedelta(days=days)
    )
    if not sees_all_jobs(user):
        query = query.where(JobRecord.user_id == user.id)
    return db.session.scalar(query)


def operator_queue(user) -> dict[str, int]:
    return {
        "duplicates": len(likely_duplicates(DUPLICATES_LIMIT)),
        "transfers": transfers_in_transit(),
        "expiring": lots_expiring(),
        "uncounted": shelters_without_todays_count(),
        "field_review": count_to_review(),
        "failed_jobs": failed_jobs(user),
    }


def admin_counts(now: datetime | None = None) -> dict[str, int]:
    """Active accounts, phones whose credential still works, audit entries of the last day."""
    now = now or utcnow()
    return {
        "users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        "devices": db.session.scalar(
            select(func.count(FieldDevice.id)).where(
                FieldDevice.revoked_at.is_(None), FieldDevice.expires_at > now
            )
        ),
        "audit_day": db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.at >= now - timedelta(days=1))
        ),
    }
