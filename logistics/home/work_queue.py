"""The office's work queue on the home page: what waits for an operator (and an admin), counted."""

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from logistics.admin.models import User
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.jobs import sees_all_jobs
from logistics.core.models import AuditEntry
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.core.time import office_today, utcnow
from logistics.field.models import FieldDevice
from logistics.field.review import count_to_review
from logistics.shelters.models import Shelter, ShelterCount
from logistics.stock.models import StockDocument, StockLot, Warehouse
from logistics.victims.duplicates import likely_duplicates

EXPIRY_DAYS = 30
# Failed jobs older than this are history, not work.
FAILED_JOBS_DAYS = 7
# Likely duplicates are found in Python (name similarity); the count stops here.
DUPLICATES_LIMIT = 500


def transfers_in_transit(scope: Scope = WHOLE_OFFICE) -> int:
    """Transfers on the road; for a scoped user those leaving or reaching a warehouse in their
    wilayah (a provinsi warehouse's dispatch to their kab/kota is their work too)."""
    query = select(func.count(StockDocument.id)).where(
        StockDocument.kind == "transfer", StockDocument.status == "in_transit"
    )
    if scope.see:
        source, target = aliased(Warehouse), aliased(Warehouse)
        query = (
            query.outerjoin(source, source.id == StockDocument.warehouse_id)
            .outerjoin(target, target.id == StockDocument.to_warehouse_id)
            .where(
                or_(scope.condition(source.kelurahan_code), scope.condition(target.kelurahan_code))
            )
        )
    return db.session.scalar(query)


def lots_expiring(days: int = EXPIRY_DAYS, scope: Scope = WHOLE_OFFICE) -> int:
    """Lots still in stock expiring between today and `days` days on (as the expiry page), in
    the scope's warehouses."""
    today = office_today()
    query = (
        select(func.count(StockLot.id))
        .join(Warehouse, Warehouse.id == StockLot.warehouse_id)
        .where(
            StockLot.quantity > 0,
            StockLot.expiry_date >= today,
            StockLot.expiry_date <= today + timedelta(days=days),
        )
    )
    return db.session.scalar(scope.narrow(query, Warehouse.kelurahan_code))


def shelters_without_todays_count(scope: Scope = WHOLE_OFFICE) -> int:
    """Open shelters in the scope with no head count dated today (office calendar)."""
    counted = select(ShelterCount.id).where(
        ShelterCount.shelter_id == Shelter.id, ShelterCount.counted_on == office_today()
    )
    query = select(func.count(Shelter.id)).where(Shelter.status == "buka", ~counted.exists())
    return db.session.scalar(scope.narrow(query, Shelter.kelurahan_code))


def duplicates_in(scope: Scope = WHOLE_OFFICE) -> int:
    """Likely duplicate persons whose household lies in the scope."""
    pairs = likely_duplicates(DUPLICATES_LIMIT)
    if not scope.see:
        return len(pairs)
    return sum(1 for p in pairs if p.keep.household and scope.sees(p.keep.household.kelurahan_code))


def failed_jobs(user, days: int = FAILED_JOBS_DAYS) -> int:
    """Failed jobs of the last days the user may see (an admin every one, others their own)."""
    query = select(func.count(JobRecord.id)).where(
        JobRecord.status == "failed", JobRecord.created_at >= utcnow() - timedelta(days=days)
    )
    if not sees_all_jobs(user):
        query = query.where(JobRecord.user_id == user.id)
    return db.session.scalar(query)


def operator_queue(user, scope: Scope = WHOLE_OFFICE) -> dict[str, int]:
    """The counts of the operator's waiting work, within their wilayah. Field records to review
    are counted for a whole-office user only: their area is known once reviewed."""
    return {
        "duplicates": duplicates_in(scope),
        "transfers": transfers_in_transit(scope),
        "expiring": lots_expiring(scope=scope),
        "uncounted": shelters_without_todays_count(scope),
        "field_review": count_to_review() if not scope.see else 0,
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
