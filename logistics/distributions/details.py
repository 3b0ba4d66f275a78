"""What the hand-out pages show around a hand-out: its event, recipient, place, recorder and budget."""

from dataclasses import dataclass

from sqlalchemy import select

from logistics.admin.models import User
from logistics.areas.models import Area
from logistics.budget.models import BudgetNode
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope
from logistics.distributions.models import Distribution
from logistics.events.models import Event
from logistics.shelters.models import Shelter
from logistics.stock.models import Warehouse
from logistics.victims.models import Household, InstitutionVictim, Person


@dataclass
class HandOutParts:
    """The rows a hand-out points at, read once for its page or its BAST."""

    event: Event
    household: Household | None
    person: Person | None
    institution: InstitutionVictim | None
    warehouse: Warehouse | None
    shelter: Shelter | None
    recorder: str | None
    kelurahan_name: str | None
    sub_kegiatan: BudgetNode | None


def _get(model, row_id):
    return db.session.get(model, row_id) if row_id else None


def find_event(event_id: int | None) -> Event | None:
    """The event of a submitted form, or None when it is missing."""
    return _get(Event, event_id)


def kelurahan_name(code: str | None) -> str | None:
    return db.session.scalar(select(Area.name).where(Area.code == code)) if code else None


def parts_of(distribution: Distribution) -> HandOutParts:
    """Everything a hand-out's page names besides the hand-out itself."""
    user = _get(User, distribution.created_by_id)
    return HandOutParts(
        event=db.session.get(Event, distribution.event_id),
        household=_get(Household, distribution.household_id),
        person=_get(Person, distribution.person_id),
        institution=_get(InstitutionVictim, distribution.institution_id),
        warehouse=_get(Warehouse, distribution.warehouse_id),
        shelter=_get(Shelter, distribution.shelter_id),
        recorder=(user.full_name or user.username) if user else None,
        kelurahan_name=kelurahan_name(distribution.kelurahan_code),
        sub_kegiatan=_get(BudgetNode, distribution.sub_kegiatan_id),
    )


def list_filters(scope: Scope = WHOLE_OFFICE) -> tuple[list[Event], list]:
    """The events (open first, newest first, at most 200) and kelurahan the list filters by,
    within the scope."""
    events = scope.narrow_covering(select(Event), Event.area_code)
    events = db.session.scalars(
        events.order_by(Event.closed_at.is_not(None), Event.started_at.desc()).limit(200)
    ).all()
    kelurahan = db.session.execute(
        scope.narrow(
            select(Area.code, Area.name).where(
                Area.level == "kelurahan", Area.retired_at.is_(None)
            ),
            Area.code,
        ).order_by(Area.name)
    ).all()
    return events, kelurahan


def distribution_area_codes(distribution_id: int) -> list[str | None] | None:
    """The hand-out's kelurahan, for the scope guard; None when there is no such hand-out."""
    row = db.session.execute(
        select(Distribution.id, Distribution.kelurahan_code).where(
            Distribution.id == distribution_id
        )
    ).first()
    return None if row is None else [row.kelurahan_code]
